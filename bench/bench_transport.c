/* bench/bench_transport.c - samples per second from a writer process to a
 * reader process: our shared-memory ring against a pipe and a Unix-domain
 * stream socket.
 *
 * All three move the same 16-byte struct hal_sample, one sample per
 * writer call (hal_publish, or one write(2) of 16 bytes), as the ADC task
 * publishes one sample per tick. Readers take whatever has arrived: the
 * ring reader every slot up to head, the others one read(2) of up to
 * 64 KiB. The writer writes flat out for WRITE_NS; the rate is samples
 * delivered to the reader over the time from the writer's first write to
 * the reader's last sample.
 *
 * The protocols differ where the designs do. hal_publish makes no system
 * call; the ring writer wakes sleeping readers once per burst of
 * CLOCK_EVERY samples (hal_notify), as the ADC task does once per wake-up,
 * where a pipe pays a write(2) per sample. The ring writer never waits
 * for readers: a slow reader loses samples (counted by their sequence
 * numbers, reported as lost) and the delivered rate is the figure. A pipe
 * or socket writer blocks when the buffer is full, so nothing is lost and
 * the reader's pace sets the rate. The ring reader sleeps in hal_wait on
 * seg->event when caught up, as the client does.
 *
 * Writer and reader are pinned to different CPUs when there are two, so
 * each run places them the same way.
 *
 * A second line breaks the writer's cost down, in one process with no
 * reader: ns per hal_publish, per hal_wake on a shared futex nobody waits
 * on (hal_notify makes one), and per 16-byte write(2) into a pipe
 * (drained between batches, outside the timing).
 *
 * Output, medians of REPS runs each:
 *   transport samples_per_s ring=... pipe=... socket=... ring_lost_pct=...
 *   writer_cost ns_per_sample publish=... pipe_write=... futex_wake=...
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "hal/hal.h"

enum {
	REPS = 5,
	WRITE_NS = 200000000,    /* each writer writes flat out this long */
	CLOCK_EVERY = 256,       /* writes between two looks at the clock */
	READ_BUF = 65536,
	COST_CALLS = 200000,
	PIPE_BATCH = 4096,       /* 64 KiB: what a default pipe holds */
};

enum transport { T_RING, T_PIPE, T_SOCKET, T_COUNT };

/* What the two children report, in a shared anonymous mapping. */
struct result {
	uint64_t t_start;        /* writer: first write */
	uint64_t t_end;          /* reader: last sample */
	uint64_t written;
	uint64_t delivered;
	uint64_t lost;           /* ring: overwritten before the reader came */
	uint64_t bad;            /* out-of-order or corrupt samples: must be 0 */
};

static struct result *res;

static void pin(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

static struct hal_sample sample_of(uint32_t seq)
{
	struct hal_sample s = { .seq = seq, .tick = seq, .code = seq & 1023, .cfg_gen = 0 };
	return s;
}

static int sample_ok(const struct hal_sample *s, uint32_t seq)
{
	return s->seq == seq && s->tick == seq && s->code == (seq & 1023);
}

/* A private segment laid out like a device's; removed at once so it goes
 * away with the last process that has it attached. */
static void ring_writer(struct shm_seg *seg)
{
	uint64_t t0 = hal_now(), n = 0;

	res->t_start = t0;
	do {
		for (int i = 0; i < CLOCK_EVERY; i++, n++)
			hal_publish(seg, (uint32_t)n, (unsigned)n & 1023, 0);
		/* One wake per burst, as the ADC task wakes once per wake-up. */
		hal_notify(seg);
	} while (hal_now() - t0 < WRITE_NS);
	res->written = n;
	/* OFF is stored after the last head: a reader that sees it sees all. */
	hal_set_state(seg, STATE_OFF);
}

/* Take every sample from next up to head; what the writer has lapped is
 * lost. Returns the new next. */
static uint32_t ring_drain(const struct shm_seg *seg, uint32_t next, uint32_t head)
{
	struct hal_sample s;

	if (head - next > SHM_RING_SLOTS) {
		res->lost += head - next - SHM_RING_SLOTS;
		next = head - SHM_RING_SLOTS;
	}
	for (; next != head; next++) {
		if (hal_read(seg, next, &s) < 0)
			res->lost++;
		else if (!sample_ok(&s, next))
			res->bad++;
		else
			res->delivered++;
	}
	return next;
}

static void ring_reader(const struct shm_seg *seg, int ready_fd)
{
	uint32_t next = 0;

	if (write(ready_fd, "r", 1) != 1)
		die("write");
	for (;;) {
		/* event before state before head: a publish after these loads
		 * changes event, so the wait below returns at once. */
		uint32_t ev = atomic_load_explicit(&seg->event, memory_order_acquire);
		uint32_t st = atomic_load_explicit(&seg->state, memory_order_acquire);
		uint32_t head = atomic_load_explicit(&seg->head, memory_order_acquire);

		if (head != next) {
			next = ring_drain(seg, next, head);
			res->t_end = hal_now();
		} else if (st == STATE_OFF) {
			return;
		} else {
			hal_wait(&seg->event, ev, -1);    /* like read(2) */
		}
	}
}

static void stream_writer(int fd)
{
	uint64_t t0 = hal_now(), n = 0;

	res->t_start = t0;
	do {
		for (int i = 0; i < CLOCK_EVERY; i++, n++) {
			struct hal_sample s = sample_of((uint32_t)n);

			if (write(fd, &s, sizeof s) != (ssize_t)sizeof s)
				die("write");
		}
	} while (hal_now() - t0 < WRITE_NS);
	res->written = n;
	close(fd);
}

/* Check each whole sample in buf[0..len); returns the bytes of a partial
 * last one, moved to the front of buf. */
static size_t stream_check(unsigned char *buf, size_t len, uint32_t *next)
{
	size_t off = 0;

	for (; len - off >= sizeof(struct hal_sample); off += sizeof(struct hal_sample)) {
		struct hal_sample s;

		memcpy(&s, buf + off, sizeof s);
		if (sample_ok(&s, *next))
			res->delivered++;
		else
			res->bad++;
		(*next)++;
	}
	memmove(buf, buf + off, len - off);
	return len - off;
}

static void stream_reader(int fd, int ready_fd)
{
	static unsigned char buf[READ_BUF];
	size_t have = 0;
	uint32_t next = 0;
	ssize_t n;

	if (write(ready_fd, "r", 1) != 1)
		die("write");
	while ((n = read(fd, buf + have, sizeof buf - have)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		have = stream_check(buf, have + (size_t)n, &next);
		res->t_end = hal_now();
	}
}

static pid_t child(int cpu)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		pin(cpu);
	}
	return pid;
}

static void channel(enum transport t, int fds[2])
{
	if (t == T_PIPE && pipe(fds) < 0)
		die("pipe");
	if (t == T_SOCKET && socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0)
		die("socketpair");
}

/* One run: the reader starts and is waiting before the writer starts. */
static void run_once(enum transport t)
{
	struct shm_seg *seg = t == T_RING ? private_segment(1000000) : NULL;
	int fds[2] = { -1, -1 }, ready[2];
	pid_t rd, wr;
	char c;

	memset(res, 0, sizeof *res);
	channel(t, fds);
	if (pipe(ready) < 0)
		die("pipe");
	if ((rd = child(1)) == 0) {
		close(fds[1]);
		if (seg)
			ring_reader(seg, ready[1]);
		else
			stream_reader(fds[0], ready[1]);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		die("reader start");
	if ((wr = child(0)) == 0) {
		close(fds[0]);
		if (seg)
			ring_writer(seg);
		else
			stream_writer(fds[1]);
		_exit(0);
	}
	close(fds[0]);
	close(fds[1]);
	close(ready[0]);
	close(ready[1]);
	waitpid(wr, NULL, 0);
	if (seg)
		hal_set_state(seg, STATE_OFF);  /* again: a crashed writer must not hang the reader */
	waitpid(rd, NULL, 0);
	if (seg)
		shmdt(seg);
}

static double publish_cost(struct shm_seg *seg)
{
	uint64_t t0 = hal_now();

	for (uint32_t i = 0; i < COST_CALLS; i++)
		hal_publish(seg, i, i & 1023, 0);
	return (double)(hal_now() - t0) / COST_CALLS;
}

static double wake_cost(struct shm_seg *seg)
{
	uint64_t t0 = hal_now();

	for (uint32_t i = 0; i < COST_CALLS; i++)
		hal_wake(&seg->event);
	return (double)(hal_now() - t0) / COST_CALLS;
}

static double pipe_write_cost(void)
{
	static unsigned char sink[PIPE_BATCH * sizeof(struct hal_sample)];
	uint64_t spent = 0, n = 0;
	int fds[2];

	if (pipe(fds) < 0)
		die("pipe");
	for (uint32_t i = 0; i < COST_CALLS; i += PIPE_BATCH, n += PIPE_BATCH) {
		uint64_t t0 = hal_now();

		for (uint32_t j = 0; j < PIPE_BATCH; j++) {
			struct hal_sample s = sample_of(i + j);

			if (write(fds[1], &s, sizeof s) != (ssize_t)sizeof s)
				die("write");
		}
		spent += hal_now() - t0;
		if (read(fds[0], sink, sizeof sink) < 0)
			die("read");
	}
	close(fds[0]);
	close(fds[1]);
	return (double)spent / (double)n;
}

static void writer_costs(void)
{
	struct shm_seg *seg = private_segment(1000000);
	double pub[REPS], wake[REPS], pw[REPS];

	for (int r = 0; r < REPS; r++) {
		pub[r] = publish_cost(seg);
		wake[r] = wake_cost(seg);
		pw[r] = pipe_write_cost();
	}
	shmdt(seg);
	printf("writer_cost ns_per_sample publish=%.0f pipe_write=%.0f futex_wake=%.0f\n",
	       median(pub, REPS), median(pw, REPS), median(wake, REPS));
}

int main(void)
{
	double rate[T_COUNT][REPS], lost[REPS], written[REPS];
	uint64_t bad = 0, stream_lost = 0, unaccounted = 0;

	res = mmap(NULL, sizeof *res, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		die("mmap");
	/* Reps interleave the transports, so all see the same machine noise. */
	for (int r = 0; r < REPS; r++) {
		for (int t = 0; t < T_COUNT; t++) {
			run_once((enum transport)t);
			rate[t][r] = (double)res->delivered * 1e9 / (double)(res->t_end - res->t_start);
			bad += res->bad;
			if (t == T_RING) {
				lost[r] = (double)res->lost / (double)res->written;
				written[r] = (double)res->written * 1e9 / WRITE_NS;
				/* every sample written is either delivered or lost */
				unaccounted += res->written - res->delivered - res->lost;
			} else {
				stream_lost += res->written - res->delivered;
			}
		}
	}
	printf("transport samples_per_s ring=%.0f pipe=%.0f socket=%.0f ring_lost_pct=%.2f "
	       "ring_written_per_s=%.0f ring_unaccounted=%llu stream_lost=%llu bad=%llu\n",
	       median(rate[T_RING], REPS), median(rate[T_PIPE], REPS),
	       median(rate[T_SOCKET], REPS), 100 * median(lost, REPS), median(written, REPS),
	       (unsigned long long)unaccounted, (unsigned long long)stream_lost,
	       (unsigned long long)bad);
	writer_costs();
	return 0;
}
