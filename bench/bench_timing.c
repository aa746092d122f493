/* bench/bench_timing.c - the real ADC task on its clock.
 *
 * Usage: bench_timing INTERVAL_MS SECONDS [bare]
 *
 * Lays out a private segment with hal_format (interval INTERVAL_MS, SIN
 * of 1 s), runs adc_task on it in a forked child, and once the first
 * sample is out counts the samples published (head) over SECONDS of
 * CLOCK_MONOTONIC, the window starting half an interval after a sample
 * so that its ends fall between ticks. With absolute deadlines the count
 * equals the window over the interval within one sample, less the
 * overruns: instants the task woke too late for, which it skips instead
 * of bursting them out. The task's tick counts those too, so tick_drift
 * (ticks against the window) shows whether the clock itself drifted.
 *
 * Wake-up lateness comes from the task's own late_hist: the percentile
 * figures are the upper edges of log2 buckets (hal_late_percentile), so
 * "p99_us=128" means 99 % of wakes were less than 128 us late.
 *
 * With "bare", the same figures for a bare clock_nanosleep(TIMER_ABSTIME)
 * loop on the same grid with the same skip policy and histogram, run in
 * this process instead of the task: what the machine's timers give any
 * program, to tell our lateness from the environment's.
 *
 * Output:
 *   timing interval_ms=1 seconds=10.000 samples=10000 expected=10000.00
 *          drift=0.00 ticks=10000 tick_drift=0.00 p50_us=64 p99_us=128
 *          max_us=300 overruns=0 late_wakes=0
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "hal/hal.h"

enum { NS_PER_MS = 1000000, FIRST_SAMPLE_NS = 2000000000 };

struct snap {
	uint64_t t;
	uint32_t head;
	uint32_t tick;
};

static pid_t spawn_task(struct shm_seg *seg)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_NAME, "run_device", 0, 0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		_exit(adc_task(seg) == 0 ? 0 : 1);
	}
	return pid;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000),
			       .tv_nsec = (long)(t % 1000000000) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
		;
}

/* The time of the first sample (when we saw it). */
static uint64_t wait_first_sample(const struct shm_seg *seg)
{
	uint64_t until = hal_now() + FIRST_SAMPLE_NS;

	while (atomic_load_explicit(&seg->head, memory_order_acquire) == 0) {
		uint32_t ev = atomic_load_explicit(&seg->event, memory_order_acquire);

		if (hal_now() > until) {
			fprintf(stderr, "bench_timing: the ADC task published nothing\n");
			exit(1);
		}
		if (atomic_load_explicit(&seg->head, memory_order_acquire) == 0)
			hal_wait(&seg->event, ev, FIRST_SAMPLE_NS);
	}
	return hal_now();
}

static struct snap snapshot(const struct shm_seg *seg)
{
	struct snap s = { .t = hal_now() };

	s.head = atomic_load_explicit(&seg->head, memory_order_acquire);
	s.tick = atomic_load_explicit(&seg->next_tick, memory_order_relaxed);
	return s;
}

static void report(const char *name, const struct shm_seg *seg, unsigned ms,
		   const struct snap *a, const struct snap *b)
{
	double expected = (double)(b->t - a->t) / ((double)ms * NS_PER_MS);
	uint32_t n = b->head - a->head, ticks = b->tick - a->tick;

	printf("%s interval_ms=%u seconds=%.3f samples=%u expected=%.2f drift=%.2f "
	       "ticks=%u tick_drift=%.2f p50_us=%u p99_us=%u max_us=%u overruns=%u "
	       "late_wakes=%u\n", name, ms, (double)(b->t - a->t) / 1e9, n, expected,
	       (double)n - expected, ticks, (double)ticks - expected,
	       hal_late_percentile(seg, 500), hal_late_percentile(seg, 990),
	       (unsigned)atomic_load(&seg->max_late_us), (unsigned)atomic_load(&seg->overruns),
	       (unsigned)atomic_load(&seg->late_wakes));
}

static void run_task(unsigned ms, double secs)
{
	struct shm_seg *seg = private_segment((uint64_t)ms * NS_PER_MS);
	pid_t task = spawn_task(seg);
	uint64_t first = wait_first_sample(seg);
	struct snap a, b;

	sleep_until(first + (uint64_t)ms * NS_PER_MS / 2);
	a = snapshot(seg);
	sleep_until(a.t + (uint64_t)(secs * 1e9));
	b = snapshot(seg);
	hal_set_state(seg, STATE_OFF);
	waitpid(task, NULL, 0);
	report("timing", seg, ms, &a, &b);
	shmdt(seg);
}

/* The task's histogram buckets: b holds wakes < 2^b us late. */
static unsigned log2_bucket(uint32_t us)
{
	unsigned b = 0;

	while (b < SHM_LATE_BUCKETS - 1 && us >= 1u << b)
		b++;
	return b;
}

/* Count one wake the way the task does, into a plain (unshared) copy of
 * the segment's counters, so hal_late_percentile reads them alike. */
static void count_wake(struct shm_seg *st, uint64_t late, uint64_t iv)
{
	uint32_t us = late / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(late / 1000);

	atomic_fetch_add(&st->late_hist[log2_bucket(us)], 1);
	if (late > iv / 4)
		atomic_fetch_add(&st->late_wakes, 1);
	if (us > atomic_load(&st->max_late_us))
		atomic_store(&st->max_late_us, us);
	if (late >= iv)
		atomic_fetch_add(&st->overruns, (uint32_t)(late / iv));
}

static void run_bare(unsigned ms, double secs)
{
	static struct shm_seg st;
	uint64_t iv = (uint64_t)ms * NS_PER_MS, deadline = hal_now(), end = 0;
	struct snap a = { 0 }, b;

	for (uint32_t n = 0, tick = 0;; n++, tick++) {
		uint64_t now;

		sleep_until(deadline);
		now = hal_now();
		count_wake(&st, now - deadline, iv);
		tick += (uint32_t)((now - deadline) / iv);
		deadline += (now - deadline) / iv * iv + iv;
		if (!end) {
			/* the window starts half an interval after the first wake */
			sleep_until(deadline - iv / 2);
			a = (struct snap){ .t = hal_now(), .head = n + 1, .tick = tick + 1 };
			end = a.t + (uint64_t)(secs * 1e9);
		} else if (deadline > end) {
			/* the last instant before the window's end is out */
			sleep_until(end);
			b = (struct snap){ .t = hal_now(), .head = n + 1, .tick = tick + 1 };
			break;
		}
	}
	report("timing_bare", &st, ms, &a, &b);
}

int main(int argc, char **argv)
{
	unsigned ms;
	double secs;

	if (argc < 3 || argc > 4 || (ms = (unsigned)atoi(argv[1])) == 0 ||
	    (secs = atof(argv[2])) <= 0 || (argc == 4 && strcmp(argv[3], "bare") != 0)) {
		fprintf(stderr, "Usage: bench_timing INTERVAL_MS SECONDS [bare]\n");
		return 2;
	}
	if (argc == 4)
		run_bare(ms, secs);
	else
		run_task(ms, secs);
	return 0;
}
