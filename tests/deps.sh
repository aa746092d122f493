#!/bin/sh
# tests/deps.sh [PACKAGE...] - install the Debian packages the tests use,
# if they are missing and we can (root with apt-get). Never fatal: a test
# whose tool is missing prints a visible SKIP line instead.
#
# make check runs it with what the suite needs (screen, python3); .ci/run
# adds the board toolchains. DEPS=no skips it.

[ "${DEPS:-yes}" = no ] && exit 0
missing=
for pkg in "$@"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing:$missing (not root or no apt-get: tests that need them will SKIP)"
	exit 0
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
{ apt-get install -y -qq $missing || { apt-get update -qq && apt-get install -y -qq $missing; }; } \
	>tests/tmp/deps.log 2>&1 || echo "deps: could not install$missing (see tests/tmp/deps.log)"
exit 0
