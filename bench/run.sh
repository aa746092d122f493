#!/bin/sh
# bench/run.sh - run every benchmark and print the results side by side.
#
# `make bench` builds bench/bench_*.c into $B/bench and runs this with B
# and EMU set. Each bench program prints machine-parsable lines
# ("name unit key=value ..."); this script adds measurements of the real
# binary (footprint, RSS, CPU, a device under load) in the same format,
# collects them all in $B/bench-tmp/results.txt and tabulates them at the
# end. Progress goes to stderr, the report to stdout.
#
# Everything started here is stopped by pid; every device gets a unique
# name and keeps its runtime files under $B/bench-tmp/run.
#
# Knobs (environment): BENCH_SECONDS (10) the length of each timed window;
# BENCH_CLIENTS (100) followers in the scale test.

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
B=${B:-obj}
EMU=${EMU:-}
SECS=${BENCH_SECONDS:-10}
HALF=$((SECS / 2))
NCLIENTS=${BENCH_CLIENTS:-100}
BIN=$B/bench
TMP=$(mkdir -p "$B/bench-tmp" && cd "$B/bench-tmp" && pwd)
RES=$TMP/results.txt
export XDG_RUNTIME_DIR="$TMP/run"
unset SHMDEV_DIR        # it would take precedence over XDG_RUNTIME_DIR
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
: > "$RES"

T0=$(date +%s)
PIDS=""          # everything we started and have not reaped yet
SHMIDS=""        # segments of the devices we started
TAG="b$$"        # instance names: unique per run
FAILED=0

say() { echo "bench: $*" >&2; }

# ---- process bookkeeping ----
track() { PIDS="$PIDS $1"; }
untrack() {
	n=""
	for p in $PIDS; do [ "$p" = "$1" ] || n="$n $p"; done
	PIDS=$n
}
alive() { kill -0 "$1" 2>/dev/null; }

# Stop pid $1 with SIGTERM, then SIGKILL after 5 s, and reap it.
stop_pid() {
	alive "$1" && kill -TERM "$1" 2>/dev/null
	i=0
	while alive "$1" && [ $i -lt 50 ]; do
		# a zombie child still answers kill -0: reap it
		if grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; then break; fi
		sleep 0.1
		i=$((i + 1))
	done
	alive "$1" && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null &&
		kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	untrack "$1"
}

# (ipcs -m -i ID exits 0 even for an id that is gone)
segment_exists() { ipcs -m | awk -v id="$1" '$2 == id { f = 1 } END { exit !f }'; }

cleanup() {
	for p in $PIDS; do stop_pid "$p"; done
	for s in $SHMIDS; do
		# a device that had to be killed leaves its segment: remove it
		segment_exists "$s" && ipcrm -m "$s" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# run_bench AS EXTRA PROGRAM ARGS...: run a bench program and append its
# lines to the results, the first word replaced by AS and EXTRA
# ("key=value ...") appended when not empty. A bench that fails is
# reported, and its rows show n/a.
run_bench() {
	as=$1 extra=$2 prog=$3
	shift 3
	if ! out=$($EMU "$BIN/$prog" "$@" 2>"$TMP/$prog.err"); then
		say "$prog $* FAILED:"
		sed 's/^/  /' "$TMP/$prog.err" >&2
		FAILED=1
		return 1
	fi
	[ -n "$as" ] && out=$(printf '%s\n' "$out" | sed "s/^[^ ]* /$as /")
	[ -n "$extra" ] && out=$(printf '%s\n' "$out" | sed "s/\$/ $extra/")
	printf '%s\n' "$out" >> "$RES"
}

# ---- devices ----
# start_device NAME ARGS...: sets DEV_PID, DEV_TASK, DEV_PTS, DEV_SHMID.
start_device() {
	name=$1
	shift
	$EMU ./device -n "$name" "$@" > "$TMP/$name.out" 2>&1 &
	DEV_PID=$!
	track "$DEV_PID"
	i=0
	until grep -q 'segment [0-9]' "$TMP/$name.out" &&
	      grep -q 'ADC task pid [0-9]' "$TMP/$name.out"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! alive "$DEV_PID"; then
			say "device $name did not start:"
			sed 's/^/  /' "$TMP/$name.out" >&2
			return 1
		fi
		sleep 0.1
	done
	DEV_SHMID=$(sed -n 's/.*segment \([0-9][0-9]*\).*/\1/p' "$TMP/$name.out" | head -1)
	DEV_PTS=$(sed -n 's/.*shell on \(\/dev\/pts\/[0-9][0-9]*\).*/\1/p' "$TMP/$name.out" | head -1)
	DEV_TASK=$(sed -n 's/.*ADC task pid \([0-9][0-9]*\).*/\1/p' "$TMP/$name.out" | head -1)
	SHMIDS="$SHMIDS $DEV_SHMID"
	# CPU and RSS figures are read by pid: make sure they are the right ones
	if [ -z "$EMU" ] && [ "$(sed 's/.*) //' "/proc/$DEV_TASK/stat" | cut -d' ' -f2)" != \
	     "$DEV_PID" ]; then
		say "device $name: task $DEV_TASK is not a child of $DEV_PID"
		return 1
	fi
}

stop_device() {
	stop_pid "$DEV_PID"
	i=0
	while segment_exists "$DEV_SHMID" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	if segment_exists "$DEV_SHMID"; then
		say "segment $DEV_SHMID outlived its device"
		FAILED=1
	fi
}

# utime + stime in clock ticks, and VmRSS in kB, of a pid.
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
dev_ticks() { echo $(($(ticks "$DEV_PID") + $(ticks "$DEV_TASK"))); }

probe_state() { $EMU "$BIN/bench_probe" -n "$1" | sed -n 's/.*state=\([a-z]*\).*/\1/p'; }

# ---- the machine ----
header() {
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	echo "shmdev benchmarks: make bench"
	echo
	echo "machine:  $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -m)"
	echo "kernel:   $(uname -sr)"
	echo "gcc:      $(gcc --version 2>/dev/null | head -1)"
	echo "clang:    $(clang --version 2>/dev/null | head -1)"
	echo "musl-gcc: $(musl-gcc --version 2>/dev/null | head -1 || echo none)"
	echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start"
	[ -n "$EMU" ] && echo "EMU:      $EMU (figures are the emulator's)"
	echo
}

# "total steal" jiffies of all CPUs: steal is time the hypervisor ran
# something else while a vCPU wanted to run.
cpu_jiffies() {
	awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9 }' /proc/stat
}

steal_line() {
	set -- $STEAL0 $(cpu_jiffies)
	awk -v t="$(($3 - $1))" -v s="$(($4 - $2))" 'BEGIN {
		printf "steal:    %.1f%% of CPU time during the run (hypervisor)\n",
		       t ? 100 * s / t : 0 }'
}

# ---- 1-3: micro benchmarks ----
micro() {
	say "waveforms, transport, wake-up latency (~10 s)"
	run_bench "" "" bench_wave
	run_bench "" "" bench_transport
	run_bench "" "" bench_wake
}

# ---- 4: the ADC task's clock, sequentially for clean numbers ----
timing() {
	say "ADC task timing: 1 ms, bare loop at 1 ms, 100 ms, ${SECS} s each"
	run_bench timing_1ms "" bench_timing 1 "$SECS"
	run_bench timing_bare_1ms "" bench_timing 1 "$SECS" bare
	run_bench timing_100ms "" bench_timing 100 "$SECS"
}

# ---- 5: footprint ----
# Build variant $1 in a scratch copy of the sources (the main build's
# ./shmdev must not be clobbered); make's own dependency tracking keeps
# repeated runs quick.
build_variant() {
	dir=$B/benchbuild/$1
	shift
	mkdir -p "$dir"
	rm -rf "$dir/Makefile" "$dir/main.c" "$dir/hal" "$dir/shell" "$dir/wave" "$dir/monitor"
	cp -Rp Makefile main.c hal shell wave monitor "$dir/"
	make -C "$dir" -s -j2 "$@" > "$dir/build.log" 2>&1
}

# musl-gcc ships no kernel headers (linux/futex.h): offer it the system's
# linux/, asm/ and asm-generic/ only, after its own include path.
kernel_headers() {
	k=$(cd "$B" && pwd)/benchbuild/kheaders
	ma=$(gcc -print-multiarch 2>/dev/null)
	mkdir -p "$k"
	ln -sfn /usr/include/linux "$k/linux"
	ln -sfn "/usr/include/${ma:-x86_64-linux-gnu}/asm" "$k/asm"
	ln -sfn /usr/include/asm-generic "$k/asm-generic"
	echo "$k"
}

# text + data + bss of the shared libraries ldd resolves for $1 (not the
# dynamic loader), or 0 for a static binary.
libs_size() {
	ldd "$1" 2>/dev/null | awk '/=> \// { print $3 }' | xargs -r size 2>/dev/null |
		awk 'NR > 1 { t += $1 + $2 + $3 } END { print t + 0 }'
}

size_line() {
	# name text data bss file-bytes needed-libs
	set -- "$1" "$2" $(size "$2" | awk 'NR == 2 { print $1, $2, $3 }') "$(wc -c < "$2")" \
		"$(readelf -d "$2" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' |
		   tr '\n' ',' | sed 's/,$//')" "$(libs_size "$2")"
	echo "size_$1 bytes text=$3 data=$4 bss=$5 file=$6 needs=${7:-none} libs=$8" >> "$RES"
}

footprint_sizes() {
	say "footprint: building readline, no-readline and static musl variants"
	if build_variant rl READLINE=yes shmdev; then
		size_line readline "$B/benchbuild/rl/shmdev"
	else
		say "readline build failed (see $B/benchbuild/rl/build.log)"
	fi
	if build_variant norl READLINE=no shmdev; then
		size_line noreadline "$B/benchbuild/norl/shmdev"
	else
		say "READLINE=no build failed (see $B/benchbuild/norl/build.log)"
	fi
	if build_variant static static; then
		size_line static "$B/benchbuild/static/shmdev-static"
	elif build_variant static static CPPFLAGS="-idirafter $(kernel_headers)"; then
		say "make static needed the kernel headers added (musl-gcc lacks linux/futex.h)"
		size_line static "$B/benchbuild/static/shmdev-static"
		echo "static_note fixed=kernel_headers" >> "$RES"
	else
		say "make static failed (see $B/benchbuild/static/build.log)"
	fi
}

# RSS of a device, its task and a client; CPU of device + task over
# SECS running at 10 Hz and SECS stopped (from the console).
footprint_run() {
	name=${TAG}cpu
	say "footprint: RSS, and CPU over ${SECS} s at 10 Hz and ${SECS} s stopped"
	start_device "$name" -r 10 SIN 1 || { FAILED=1; return; }
	$EMU ./client -n "$name" -i 1 > /dev/null 2>&1 &
	cpid=$!
	track "$cpid"
	sleep 2
	echo "rss kB device=$(rss_kb "$DEV_PID") task=$(rss_kb "$DEV_TASK")" \
		"client=$(rss_kb "$cpid")" >> "$RES"
	stop_pid "$cpid"
	sleep 1
	a=$(dev_ticks); sleep "$HALF"; b=$(dev_ticks); sleep $((SECS - HALF)); c=$(dev_ticks)
	echo "cpu_running ticks half=$((b - a)) full=$((c - a)) hz=$(getconf CLK_TCK)" >> "$RES"
	printf 'stop\n' > "$DEV_PTS"
	i=0
	while [ "$(probe_state "$name")" != stopped ] && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$(probe_state "$name")" = stopped ]; then
		sleep 1
		a=$(dev_ticks); sleep "$HALF"; b=$(dev_ticks); sleep $((SECS - HALF)); c=$(dev_ticks)
		echo "cpu_stopped ticks half=$((b - a)) full=$((c - a))" >> "$RES"
	else
		say "'stop' on the console $DEV_PTS did not stop the device"
		FAILED=1
	fi
	stop_device
}

# ---- 6: scale: the ADC task at 1 kHz with and without followers ----
# NCLIENTS real `client -f -o csv` on device $1: what they reported lost
# (on stderr) and the CPU they used, as a share of one CPU.
scale_clients() {
	cpids=""
	: > "$TMP/clients.err"
	t0=$(date +%s%N)
	i=0
	while [ $i -lt "$NCLIENTS" ]; do
		$EMU ./client -n "$1" -f -o csv > /dev/null 2>> "$TMP/clients.err" &
		cpids="$cpids $!"
		track "$!"
		i=$((i + 1))
	done
	# device + task + the clients + the probe itself
	run_bench scale_clients "kind=client clients=$NCLIENTS" \
		bench_probe -n "$1" -t "$SECS" -a $((NCLIENTS + 3))
	cpu=0
	for p in $cpids; do
		alive "$p" && cpu=$((cpu + $(ticks "$p")))
	done
	t1=$(date +%s%N)
	for p in $cpids; do stop_pid "$p"; done
	lost=$(sed -n 's/.*lost \([0-9][0-9]*\) samples.*/\1/p' "$TMP/clients.err" |
	       awk '{ n += $1 } END { print n + 0 }')
	echo "scale_client_stats - lost=$lost lost_reports=$(grep -c 'lost' "$TMP/clients.err")" \
	     "cpu_pct=$(awk -v c="$cpu" -v hz="$(getconf CLK_TCK)" -v ns=$((t1 - t0)) \
			 'BEGIN { printf "%.0f", 100 * c / hz / (ns / 1e9) }')" >> "$RES"
}

scale() {
	name=${TAG}scale
	say "scale: 1 kHz, no clients, then $NCLIENTS follow-mode clients, ${SECS} s each"
	start_device "$name" -r 1000 SIN 1 || { FAILED=1; return; }
	run_bench scale_none "" bench_probe -n "$name" -t "$SECS"
	if $EMU ./client --help 2>&1 | grep -q -- '--follow'; then
		scale_clients "$name"
	else
		run_bench scale_clients "kind=inprocess clients=$NCLIENTS" \
			bench_probe -n "$name" -t "$SECS" -f "$NCLIENTS"
	fi
	stop_device
}

# ---- the report ----
table() {
	awk -v secs="$SECS" -v half="$HALF" -v nclients="$NCLIENTS" '
	{
		for (i = 2; i <= NF; i++)
			if (split($i, kv, "=") == 2)
				m[$1 "." kv[1]] = kv[2]
	}
	function v(k) { return (k in m) ? m[k] : "" }
	function has(k) { return (k in m) && m[k] != "" }
	function f(x, d) { return x == "" ? "n/a" : sprintf("%." d "f", x) }
	function r(x) { return x == "" ? "n/a" : sprintf("%.2fx", x) }
	function row(name, ours, theirs, ratio, target, verdict) {
		printf "| %s | %s | %s | %s | %s | %s |\n", name, ours, theirs, ratio, target, verdict
	}
	# ratio > 1 means ours is better; lower_better: a time, not a rate
	function cmp(name, unit, k, ok, tk, dig, lower_better, target,    o, t, x, verdict) {
		o = v(k "." ok); t = v(k "." tk)
		if (o == "" || t == "" || o + 0 == 0 || t + 0 == 0) {
			row(name, f(o, dig), f(t, dig), "n/a", target == "" ? "-" : ">= " target "x",
			    "NOT MEASURED")
			return
		}
		x = lower_better ? t / o : o / t
		if (target == "")
			verdict = "info"
		else
			verdict = x >= target ? "ok" : "MISSES target >= " target "x"
		row(name " (" unit ")", f(o, dig), f(t, dig), r(x),
		    target == "" ? "-" : ">= " target "x", verdict)
	}
	function within(name, x, lim, what) {
		if (x == "") { row(name, "n/a", "-", "-", what, "NOT MEASURED"); return }
		row(name, x, "-", "-", what,
		    (x + 0 <= lim && x + 0 >= -lim) ? "ok" : "MISSES target " what)
	}
	function atmost(name, x, lim, what) {
		if (x == "") { row(name, "n/a", "-", "-", what, "NOT MEASURED"); return }
		row(name, x, "-", "-", what, x + 0 <= lim ? "ok" : "MISSES target " what)
	}
	function late(k) {
		return has(k ".p99_us") ? "p50 < " v(k ".p50_us") ", p99 < " v(k ".p99_us") \
			", max " v(k ".max_us") : "n/a"
	}
	function timing_rows(k, label, bare) {
		within("ADC task " label ": samples in " secs " s minus elapsed/interval " \
		       "(drift)", has(k ".drift") ? f(v(k ".drift"), 2) : "", 1, "within ±1")
		within("ADC task " label ": ticks (clock, overruns included) minus elapsed/interval",
		       has(k ".tick_drift") ? f(v(k ".tick_drift"), 2) : "", 1, "within ±1")
		row("ADC task " label ": wake-up lateness, us" (bare ? " (theirs: bare " \
		    "clock_nanosleep loop)" : ""), late(k), bare ? late(bare) : "-", "-", "-", "info")
		row("ADC task " label ": overruns (instants skipped), late wakes" \
		    (bare ? " (theirs: bare loop)" : ""),
		    v(k ".overruns") ", " v(k ".late_wakes"),
		    bare ? v(bare ".overruns") ", " v(bare ".late_wakes") : "-", "-", "-", "info")
	}
	END {
		print "| name | ours | theirs | ratio | target | verdict |"
		print "|---|---|---|---|---|---|"
		cmp("waveform SIN: fixed point vs libm sin()", "ns/sample", "wave_sin", "ours", "libm",
		    2, 1, 5)
		cmp("waveform SIN, code only (phase given)", "ns/sample", "wave_sin_code", "ours",
		    "libm", 2, 1, "")
		cmp("waveform TRI: fixed point vs double", "ns/sample", "wave_tri", "ours", "double",
		    2, 1, "")
		cmp("waveform QUA: fixed point vs double", "ns/sample", "wave_qua", "ours", "double",
		    2, 1, "")
		cmp("transport: ring vs pipe", "samples/s", "transport", "ring", "pipe", 0, 0, 10)
		cmp("transport: ring vs Unix SOCK_STREAM socket", "samples/s", "transport", "ring",
		    "socket", 0, 0, "")
		cmp("writer cost, no reader: hal_publish vs 16-byte pipe write", "ns/sample",
		    "writer_cost", "publish", "pipe_write", 0, 1, "")
		row("  the FUTEX_WAKE of hal_notify, once per burst, not per sample (ns)",
		    f(v("writer_cost.futex_wake"), 0), "-", "-", "-", "info")
		row("transport: samples lost (ours: the writer never waits; theirs: the writer blocks)",
		    has("transport.ring_lost_pct") ? v("transport.ring_lost_pct") "%" : "n/a",
		    has("transport.stream_lost") ? v("transport.stream_lost") : "n/a", "-", "-", "info")
		cmp("wake-up p50: hal_wait vs blocking pipe read", "us", "wake_p50", "ours", "pipe",
		    1, 1, 1)
		cmp("wake-up p99: hal_wait vs blocking pipe read", "us", "wake_p99", "ours", "pipe",
		    1, 1, "")
		cmp("wake-up p50: hal_wait with the client timeout vs pipe", "us", "wake_p50",
		    "ours_timed", "pipe", 1, 1, "")
		timing_rows("timing_1ms", "1 ms", "timing_bare_1ms")
		timing_rows("timing_100ms", "100 ms", "")
		row("RSS, kB: device / run_device task / client", has("rss.device") ? \
		    v("rss.device") " / " v("rss.task") " / " v("rss.client") : "n/a", "-", "-", "-",
		    "info")
		hz = v("cpu_running.hz")
		if (has("cpu_running.full"))
			row("CPU device+task, " secs " s at 10 Hz, s", f(v("cpu_running.full") / hz, 2),
			    "-", "-", "-", "info")
		else
			row("CPU device+task, " secs " s at 10 Hz, s", "n/a", "-", "-", "-",
			    "NOT MEASURED")
		atmost("CPU device+task, " secs " s stopped, ticks of 1/" hz " s",
		       v("cpu_stopped.full"), 1, "~0 (<= 1 tick)")
		scale_p99()
		print ""
		acceptance(hz)
		print ""
		sizes()
	}
	function scale_p99(    k, kind) {
		k = "scale_clients"
		kind = v(k ".kind") == "client" ? "client -f -o csv" : "in-process followers"
		row("1 kHz wake-up p99, us: " nclients " " kind " vs none",
		    v(k ".p99_us") == "" ? "n/a" : "< " v(k ".p99_us"),
		    v("scale_none.p99_us") == "" ? "n/a" : "< " v("scale_none.p99_us"),
		    "-", "-", "info")
		row("1 kHz overruns in " secs " s: " nclients " " kind " vs none",
		    v(k ".overruns"), v("scale_none.overruns"), "-", "-", "info")
		if (v(k ".kind") != "client")
			row("followers: samples delivered / lost", v(k ".delivered") " / " \
			    v(k ".lost"), "-", "-", "-", "info")
		else
			row(nclients " clients: samples they reported lost; their CPU, % of one CPU",
			    v("scale_client_stats.lost") "; " v("scale_client_stats.cpu_pct") "%",
			    "-", "-", "-", "info")
	}
	function acceptance(hz,    n, e) {
		print "Acceptance:"
		print ""
		print "| check | measured | target | verdict |"
		print "|---|---|---|---|"
		n = v("cpu_running.half")
		printf "| device+task CPU at 10 Hz in %d s | %s ticks | <= 2 ticks | %s |\n", half,
		       n == "" ? "n/a" : n, n == "" ? "NOT MEASURED" : n <= 2 ? "ok" : "MISSES"
		n = v("cpu_stopped.half")
		printf "| device+task CPU stopped in %d s | %s ticks | <= 1 tick | %s |\n", half,
		       n == "" ? "n/a" : n, n == "" ? "NOT MEASURED" : n <= 1 ? "ok" : "MISSES"
		n = v("scale_none.samples"); e = v("scale_none.expected")
		printf "| samples at 1 kHz over %s s of CLOCK_MONOTONIC | %s (elapsed/interval %s) | " \
		       "within 3 | %s |\n", v("scale_none.seconds"), n == "" ? "n/a" : n,
		       e == "" ? "n/a" : e, n == "" ? "NOT MEASURED" : \
		       (n - e <= 3 && e - n <= 3) ? "ok" : "MISSES (" v("scale_none.overruns") \
		       " overruns)"
		printf "| (the same device: instants passed, overruns included) | %s | within 3 | %s |\n",
		       v("scale_none.ticks") == "" ? "n/a" : v("scale_none.ticks"),
		       v("scale_none.ticks") == "" ? "NOT MEASURED" : \
		       (v("scale_none.ticks") - e <= 3 && e - v("scale_none.ticks") <= 3) ? "ok" : "MISSES"
	}
	function sizes(    b, name, i, k, tot, base) {
		print "Footprint: size(1) of the binary; ratio: readline build / this one; then " \
		      "with the shared libraries it loads (ldd, text+data+bss, no ld.so):"
		print ""
		print "| build | text | data | bss | total | ratio | file bytes | shared libraries " \
		      "| total with them |"
		print "|---|---|---|---|---|---|---|---|---|"
		split("readline noreadline static", b, " ")
		name["readline"] = "make (READLINE=yes)"
		name["noreadline"] = "make READLINE=no"
		name["static"] = "make static (musl, -Os, stripped)" \
			(has("static_note.fixed") ? " [kernel headers added]" : "")
		base = v("size_readline.text") + v("size_readline.data") + v("size_readline.bss")
		for (i = 1; i <= 3; i++) {
			k = "size_" b[i]
			tot = v(k ".text") + v(k ".data") + v(k ".bss")
			if (has(k ".text"))
				printf "| %s | %s | %s | %s | %d | %s | %s | %s | %d |\n", name[b[i]],
				       v(k ".text"), v(k ".data"), v(k ".bss"), tot,
				       base ? sprintf("%.2fx", base / tot) : "n/a", v(k ".file"),
				       v(k ".needs"), tot + v(k ".libs")
			else
				printf "| %s | n/a | | | | | | build failed | |\n", name[b[i]]
		}
	}
	' "$RES"
}

header > "$TMP/header.txt"
STEAL0=$(cpu_jiffies)
micro
timing
footprint_sizes
footprint_run
scale
cleanup
sed '$d' "$TMP/header.txt"
steal_line
echo
table
echo
echo "Raw figures ($RES):"
echo
sed 's/^/    /' "$RES"
echo
echo "ratio > 1: ours better. Wall time $(($(date +%s) - T0)) s."
left=""
for s in $SHMIDS; do segment_exists "$s" && left="$left $s"; done
if [ -n "$left" ]; then
	echo "LEFT BEHIND: segments$left"
	FAILED=1
fi
[ "$FAILED" = 0 ] || echo "Some measurements failed: see the messages above."
exit "$FAILED"
