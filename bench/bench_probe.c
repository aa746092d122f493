/* bench/bench_probe.c - watch a running device's clock from its segment.
 *
 * Usage: bench_probe -n NAME [-t SECONDS] [-f FOLLOWERS] [-a NATTCH]
 *
 * Attaches read-only to device NAME (XDG_RUNTIME_DIR as the device's)
 * and, over a window of SECONDS of CLOCK_MONOTONIC, reports what the ADC
 * task did in it: samples published (head) and instants passed (tick)
 * against the window over the interval, and the task's wake-up lateness
 * percentiles, overruns and late wakes, all as differences of the
 * segment's counters, so a window measures only itself. max_us is the
 * task's maximum since it started: it has no history to subtract.
 *
 * -f starts FOLLOWERS reader processes first, each following every sample
 * as `client -f -o csv > /dev/null` would (a csv line per sample into
 * /dev/null, flushed after each wake), for when the real client has no
 * follow mode. They count what they got and lost; the probe stops them.
 * -a waits until NATTCH processes have the segment attached (followers
 * started by the caller), then one more second, before the window.
 * Without -t, prints the device's state and head only.
 *
 * Output:
 *   probe state=running head=1234
 *   probe seconds=10.000 samples=10000 expected=10000.00 drift=0.00 ...
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "hal/hal.h"

enum {
	MAX_FOLLOWERS = 1000,
	LIVENESS_NS = 500000000,
	WARMUP_NS = 1000000000,
	ATTACH_WAIT_NS = 20000000,       /* between looks at shm_nattch */
	ATTACH_TRIES = 1500,             /* 30 s */
};

struct snap {
	uint64_t t;
	uint32_t head, tick, overruns, late_wakes;
	uint32_t hist[SHM_LATE_BUCKETS];
};

struct tally {
	_Atomic uint64_t delivered;
	_Atomic uint64_t lost;
};

struct probe {
	const char *name;
	double seconds;
	int followers;
	unsigned nattch;
	struct shm_seg *seg;
	int shmid;
	uint64_t interval_ns;
	struct tally *tally;
	pid_t pids[MAX_FOLLOWERS];
};

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000),
			       .tv_nsec = (long)(t % 1000000000) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
		;
}

static const char *state_name(uint32_t st)
{
	return st == STATE_RUNNING ? "running" : st == STATE_STOPPED ? "stopped" : "off";
}

/* Take every sample up to head as a csv line; count the ones lapped. */
static uint32_t follow_drain(const struct shm_seg *seg, uint32_t next, uint32_t head,
			     FILE *out, struct tally *t)
{
	struct hal_sample s;

	for (; next != head; next++) {
		if (hal_read(seg, next, &s) < 0) {
			atomic_fetch_add(&t->lost, 1);
			continue;
		}
		fprintf(out, "%u,%u,%u\n", (unsigned)s.seq, (unsigned)s.tick, s.code);
		atomic_fetch_add(&t->delivered, 1);
	}
	fflush(out);
	return next;
}

static void follower(const struct shm_seg *seg, struct tally *t)
{
	FILE *out = fopen("/dev/null", "w");
	uint32_t next = atomic_load_explicit(&seg->head, memory_order_acquire);

	if (!out)
		die("/dev/null");
	for (;;) {
		uint32_t ev = atomic_load_explicit(&seg->event, memory_order_acquire);
		uint32_t st = atomic_load_explicit(&seg->state, memory_order_acquire);
		uint32_t head = atomic_load_explicit(&seg->head, memory_order_acquire);

		if (head != next)
			next = follow_drain(seg, next, head, out, t);
		else if (st == STATE_OFF)
			_exit(0);
		else
			hal_wait(&seg->event, ev, LIVENESS_NS);
	}
}

static void start_followers(struct probe *p)
{
	p->tally = mmap(NULL, sizeof *p->tally * (size_t)p->followers, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->tally == MAP_FAILED)
		die("mmap");
	for (int i = 0; i < p->followers; i++) {
		p->pids[i] = fork();
		if (p->pids[i] < 0)
			die("fork");
		if (p->pids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			follower(p->seg, &p->tally[i]);
		}
	}
}

static void stop_followers(struct probe *p, uint64_t *delivered, uint64_t *lost)
{
	*delivered = *lost = 0;
	for (int i = 0; i < p->followers; i++)
		kill(p->pids[i], SIGTERM);
	for (int i = 0; i < p->followers; i++) {
		waitpid(p->pids[i], NULL, 0);
		*delivered += atomic_load(&p->tally[i].delivered);
		*lost += atomic_load(&p->tally[i].lost);
	}
}

static void wait_attached(const struct probe *p)
{
	unsigned n = 0;
	int removed;

	for (int i = 0; i < ATTACH_TRIES; i++) {
		if (hal_seg_info(p->shmid, &n, &removed) < 0 || removed)
			break;
		if (n >= p->nattch)
			return;
		sleep_until(hal_now() + ATTACH_WAIT_NS);
	}
	fprintf(stderr, "bench_probe: %u of %u processes attached\n", n, p->nattch);
	exit(1);
}

static struct snap snapshot(const struct shm_seg *seg)
{
	struct snap s = { .t = hal_now() };

	s.head = atomic_load_explicit(&seg->head, memory_order_acquire);
	s.tick = atomic_load_explicit(&seg->next_tick, memory_order_relaxed);
	s.overruns = atomic_load_explicit(&seg->overruns, memory_order_relaxed);
	s.late_wakes = atomic_load_explicit(&seg->late_wakes, memory_order_relaxed);
	for (int b = 0; b < SHM_LATE_BUCKETS; b++)
		s.hist[b] = atomic_load_explicit(&seg->late_hist[b], memory_order_relaxed);
	return s;
}

/* Start the window half an interval after a sample, so that its ends
 * fall between two ticks. */
static uint64_t window_start(const struct probe *p)
{
	uint32_t head = atomic_load_explicit(&p->seg->head, memory_order_acquire);

	for (;;) {
		uint32_t ev = atomic_load_explicit(&p->seg->event, memory_order_acquire);

		if (atomic_load_explicit(&p->seg->head, memory_order_acquire) != head)
			break;
		if (hal_wait(&p->seg->event, ev, LIVENESS_NS) < 0 &&
		    atomic_load(&p->seg->state) != STATE_RUNNING) {
			fprintf(stderr, "bench_probe: device %s is not sampling\n", p->name);
			exit(1);
		}
	}
	return hal_now() + p->interval_ns / 2;
}

/* Percentile of the window's own wakes: the same function on a copy. */
static uint32_t window_percentile(const struct snap *a, const struct snap *b, unsigned pm)
{
	static struct shm_seg scratch;

	for (int i = 0; i < SHM_LATE_BUCKETS; i++)
		atomic_store(&scratch.late_hist[i], b->hist[i] - a->hist[i]);
	return hal_late_percentile(&scratch, pm);
}

static void report(const struct probe *p, const struct snap *a, const struct snap *b,
		   uint64_t delivered, uint64_t lost)
{
	double expected = (double)(b->t - a->t) / (double)p->interval_ns;
	uint32_t n = b->head - a->head, ticks = b->tick - a->tick;

	printf("probe seconds=%.3f samples=%u expected=%.2f drift=%.2f ticks=%u "
	       "tick_drift=%.2f p50_us=%u p99_us=%u max_us=%u overruns=%u late_wakes=%u",
	       (double)(b->t - a->t) / 1e9, n, expected, (double)n - expected, ticks,
	       (double)ticks - expected, window_percentile(a, b, 500),
	       window_percentile(a, b, 990), (unsigned)atomic_load(&p->seg->max_late_us),
	       b->overruns - a->overruns, b->late_wakes - a->late_wakes);
	if (p->followers)
		printf(" followers=%d delivered=%llu lost=%llu", p->followers,
		       (unsigned long long)delivered, (unsigned long long)lost);
	putchar('\n');
}

static void measure(struct probe *p)
{
	struct hal_cfg cfg;
	struct snap a, b;
	uint64_t delivered = 0, lost = 0, t;

	if (hal_get_config(p->seg, atomic_load(&p->seg->cfg_gen), &cfg) < 0) {
		fprintf(stderr, "bench_probe: cannot read the configuration\n");
		exit(1);
	}
	p->interval_ns = cfg.interval_ns;
	if (p->followers)
		start_followers(p);
	if (p->nattch)
		wait_attached(p);
	sleep_until(hal_now() + WARMUP_NS);
	t = window_start(p);
	sleep_until(t);
	a = snapshot(p->seg);
	sleep_until(a.t + (uint64_t)(p->seconds * 1e9));
	b = snapshot(p->seg);
	if (p->followers)
		stop_followers(p, &delivered, &lost);
	report(p, &a, &b, delivered, lost);
}

static int usage(void)
{
	fputs("Usage: bench_probe -n NAME [-t SECONDS] [-f FOLLOWERS] [-a NATTCH]\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static struct probe p;
	char err[256];
	int c;

	while ((c = getopt(argc, argv, "n:t:f:a:")) != -1) {
		switch (c) {
		case 'n': p.name = optarg; break;
		case 't': p.seconds = atof(optarg); break;
		case 'f': p.followers = atoi(optarg); break;
		case 'a': p.nattch = (unsigned)atoi(optarg); break;
		default: return usage();
		}
	}
	if (!p.name || optind != argc || p.followers < 0 || p.followers > MAX_FOLLOWERS)
		return usage();
	if (hal_attach(p.name, &p.seg, &p.shmid, err, sizeof err) < 0) {
		fprintf(stderr, "bench_probe: %s\n", err);
		return 1;
	}
	if (p.seconds > 0)
		measure(&p);
	else
		printf("probe state=%s head=%u\n", state_name(atomic_load(&p.seg->state)),
		       (unsigned)atomic_load(&p.seg->head));
	hal_detach(p.seg);
	return 0;
}
