/* bench/bench_wake.c - wake-up latency: from a writer publishing one
 * sample to a reader blocked on it running again, through the ring (the
 * reader sleeps in hal_wait on seg->event, as the client does) and through
 * a blocking read(2) on a pipe.
 *
 * Each round trip: the writer sleeps SPACING_NS (so the reader is surely
 * asleep, as it is between two ADC ticks), takes the time, publishes one
 * sample; the reader takes the time as soon as it runs and has the
 * sample. The writer only moves on once the reader has acknowledged,
 * through a shared counter it polls between sleeps, never by spinning.
 * Both ends record into a shared anonymous mapping; the parent computes
 * the differences.
 *
 * Writer and reader are not pinned: the kernel places them as it would
 * the ADC task and a client. Both transports run in the same two
 * processes, in alternating blocks (see BLOCK_LEN).
 *
 * Output (microseconds; ours_timed: the ring with the client's timeout):
 *   wake_p50 us ours=8.4 pipe=8.7 ours_timed=9.0
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "hal/hal.h"

enum {
	ROUND_TRIPS = 2000,      /* per transport */
	SPACING_NS = 200000,     /* between two publishes */
	POLL_NS = 50000,         /* writer's look at the ack while it lags */
};

/* The ring twice: blocked without a timeout, like the pipe reader, and
 * with the timeout the client uses to notice a vanished device (arming
 * and cancelling that timer is part of its wake-up cost). */
enum transport { T_RING, T_RING_TIMED, T_PIPE, T_COUNT };

/* Round trips go in blocks of BLOCK_LEN through one transport, the
 * blocks taking turns, so all see the same processes, CPUs and machine
 * state. The first trip of a block, on paths the other transports have
 * just left cold, is not counted: a real reader uses one path only. */
enum {
	BLOCK_LEN = 21,
	BLOCKS = ROUND_TRIPS / (BLOCK_LEN - 1) * T_COUNT,
	TRIPS = BLOCKS * BLOCK_LEN,
	CLIENT_TIMEOUT_NS = 500000000,
};

struct shared {
	_Atomic uint32_t ack;    /* round trips the reader has finished */
	uint32_t bad;
	uint64_t t_pub[TRIPS];
	uint64_t t_wake[TRIPS];
};

static struct shared *sh;

static void sleep_ns(long ns)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ns };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) != 0)
		;
}

/* Block in hal_wait until sample seq is published; 0 if it reads back. */
static int ring_take(const struct shm_seg *seg, uint32_t seq, int64_t timeout)
{
	struct hal_sample s;

	for (;;) {
		uint32_t ev = atomic_load_explicit(&seg->event, memory_order_acquire);

		if (atomic_load_explicit(&seg->head, memory_order_acquire) != seq)
			break;
		hal_wait(&seg->event, ev, timeout);
	}
	return hal_read(seg, seq, &s) == 0 && s.tick == seq ? 0 : -1;
}

/* Block in read(2) until sample seq arrives; 0 if it is the one. */
static int pipe_take(int fd, uint32_t seq)
{
	struct hal_sample s;

	if (read(fd, &s, sizeof s) != (ssize_t)sizeof s)
		die("read");
	return s.seq == seq ? 0 : -1;
}

static enum transport transport_of(uint32_t trip)
{
	return (enum transport)(trip / BLOCK_LEN % T_COUNT);
}

/* Sequence numbers count on per channel: the ring's two ways share one. */
static uint32_t next_seq(uint32_t trip, uint32_t seqs[2])
{
	return seqs[transport_of(trip) == T_PIPE]++;
}

static int take(const struct shm_seg *seg, int fd, uint32_t trip, uint32_t seq)
{
	switch (transport_of(trip)) {
	case T_RING: return ring_take(seg, seq, -1);
	case T_RING_TIMED: return ring_take(seg, seq, CLIENT_TIMEOUT_NS);
	default: return pipe_take(fd, seq);
	}
}

static void reader(const struct shm_seg *seg, int fd)
{
	uint32_t seqs[2] = { 0, 0 };

	for (uint32_t i = 0; i < TRIPS; i++) {
		int rc = take(seg, fd, i, next_seq(i, seqs));

		sh->t_wake[i] = hal_now();
		if (rc < 0)
			sh->bad++;
		atomic_store_explicit(&sh->ack, i + 1, memory_order_release);
	}
}

/* Sleep the spacing, then on until the reader has finished round trip i. */
static void pace(uint32_t i)
{
	sleep_ns(SPACING_NS);
	while (atomic_load_explicit(&sh->ack, memory_order_acquire) != i)
		sleep_ns(POLL_NS);
}

static void writer(struct shm_seg *seg, int fd)
{
	uint32_t seqs[2] = { 0, 0 };

	for (uint32_t i = 0; i < TRIPS; i++) {
		uint32_t seq = next_seq(i, seqs);
		struct hal_sample s = { .seq = seq, .tick = seq, .code = seq & 1023 };

		pace(i);
		sh->t_pub[i] = hal_now();
		if (transport_of(i) != T_PIPE) {
			hal_publish(seg, seq, s.code, 0);
			hal_notify(seg);
		}
		else if (write(fd, &s, sizeof s) != (ssize_t)sizeof s)
			die("write");
	}
}

static pid_t child(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	return pid;
}

/* All round trips; latencies (ns) into lat[transport][]. */
static void run(double lat[T_COUNT][ROUND_TRIPS])
{
	struct shm_seg *seg = private_segment(1000000);
	int fds[2], n[T_COUNT] = { 0 };
	pid_t rd, wr;

	if (pipe(fds) < 0)
		die("pipe");
	if ((rd = child()) == 0) {
		reader(seg, fds[0]);
		_exit(0);
	}
	if ((wr = child()) == 0) {
		writer(seg, fds[1]);
		_exit(0);
	}
	waitpid(wr, NULL, 0);
	waitpid(rd, NULL, 0);
	shmdt(seg);
	close(fds[0]);
	close(fds[1]);
	for (uint32_t i = 0; i < TRIPS; i++)
		if (i % BLOCK_LEN != 0)
			lat[transport_of(i)][n[transport_of(i)]++] =
				(double)(sh->t_wake[i] - sh->t_pub[i]);
}

/* The value below which permille of the sorted v fall (nearest rank). */
static double pct(const double *v, int n, int permille)
{
	int i = (n * permille + 999) / 1000 - 1;

	return v[i < 0 ? 0 : i];
}

static void print_row(const char *name, double lat[T_COUNT][ROUND_TRIPS], int permille)
{
	printf("%s us ours=%.1f pipe=%.1f ours_timed=%.1f\n", name,
	       pct(lat[T_RING], ROUND_TRIPS, permille) / 1e3,
	       pct(lat[T_PIPE], ROUND_TRIPS, permille) / 1e3,
	       pct(lat[T_RING_TIMED], ROUND_TRIPS, permille) / 1e3);
}

int main(void)
{
	static double lat[T_COUNT][ROUND_TRIPS];

	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	run(lat);
	for (int t = 0; t < T_COUNT; t++)
		qsort(lat[t], ROUND_TRIPS, sizeof lat[t][0], cmp_double);
	print_row("wake_p50", lat, 500);
	print_row("wake_p99", lat, 990);
	print_row("wake_max", lat, 1000);
	printf("wake_check round_trips=%d bad=%u\n", ROUND_TRIPS, (unsigned)sh->bad);
	return 0;
}
