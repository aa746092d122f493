#!/bin/sh
# tests/run.sh UNIT_BINARY... - run every unit binary and integration test,
# then print the one line make check ends with: "N passed, N failed".
#
# Each test prints "PASS: name" or "FAIL: name" per case. A binary or script
# that exits non-zero without printing a FAIL line counts as one failure, so
# a crash is never silent. $EMU prefixes the unit binaries (qemu-arm, valgrind);
# the integration tests read it from the environment themselves.
# TESTS=pattern runs only the tests whose file name contains it.

log=tests/tmp/run.log
mkdir -p tests/tmp
: > "$log"

run_one() {
	name=$1; shift
	case "$name" in *"${TESTS:-}"*) ;; *) return ;; esac
	out=tests/tmp/out.$$
	"$@" > "$out" 2>tests/tmp/err.$$
	rc=$?
	cat "$out"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL' "$out"; then
		echo "FAIL: $name (exit status $rc)"
		echo "FAIL: $name (exit status $rc)" >> "$out"
	fi
	if grep -q '^FAIL' "$out"; then
		sed "s|^|    $name: |" tests/tmp/err.$$ | tail -n 40
	fi
	cat "$out" >> "$log"
	rm -f "$out" tests/tmp/err.$$
}

for bin in "$@"; do
	run_one "$(basename "$bin")" $EMU "$bin"
done
for t in tests/integration/test_*.py; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t")" ${PYTHON:-python3} "$t"
done

passed=$(grep -c '^PASS' "$log")
failed=$(grep -c '^FAIL' "$log")
skipped=$(grep -c '^SKIP' "$log")
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
