/* hal/run_device.c - the ADC task: one sample per interval into the ring.
 *
 * Sampling instants sit on a grid of absolute CLOCK_MONOTONIC deadlines
 * (t0 + n * interval, integer ns), so the rate never drifts however late a
 * wake-up is. The task sleeps in FUTEX_WAIT_BITSET on the device's control
 * word with the next deadline as its absolute timeout: a command from the
 * device (stop, start, config, off) wakes it at once, and while stopped it
 * sleeps with no timeout at all, using no CPU.
 *
 * Like an ADC with a hardware FIFO, every instant is sampled at its own
 * tick even when the task wakes late: a late wake-up publishes all the
 * samples due, each with its true device time, up to ADC_FIFO of them.
 * Instants beyond that are skipped and counted as overruns (the FIFO
 * overflowed). A wake-up more than a quarter interval late counts as late.
 * Readers are woken once per wake-up, after its samples are published.
 *
 * The task keeps its position (head, next tick, deadline) in the segment,
 * so a restarted task resumes where the dead one stopped, skipping the
 * sequence numbers of the instants it missed: clients see the gap.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "hal/hal.h"

static const memory_order rlx = memory_order_relaxed;

enum { ADC_FIFO = 256 };     /* samples a late wake-up may still take */

struct adc {
	struct shm_seg *seg;
	struct hal_cfg cfg;
	struct wave_gen gen;     /* the wave at tick */
	uint32_t tick;           /* of the next sample */
	uint64_t deadline;       /* of the next sample */
	int have_cfg;
};

static void save_position(struct adc *a)
{
	atomic_store_explicit(&a->seg->next_tick, a->tick, rlx);
	atomic_store_explicit(&a->seg->deadline_lo, (uint32_t)a->deadline, rlx);
	atomic_store_explicit(&a->seg->deadline_hi, (uint32_t)(a->deadline >> 32), rlx);
}

static unsigned log2_bucket(uint32_t us)
{
	unsigned b = 0;

	while (b < SHM_LATE_BUCKETS - 1 && us >= 1u << b)
		b++;
	return b;
}

static void count_late(struct adc *a, uint64_t late)
{
	uint32_t us = late / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(late / 1000);
	_Atomic uint32_t *bucket = &a->seg->late_hist[log2_bucket(us)];

	/* Only this task writes these: a plain load-add-store is race-free. */
	atomic_store_explicit(bucket, atomic_load_explicit(bucket, rlx) + 1, rlx);
	if (late > a->cfg.interval_ns / 4)
		atomic_store_explicit(&a->seg->late_wakes,
				      atomic_load_explicit(&a->seg->late_wakes, rlx) + 1, rlx);
	if (us > atomic_load_explicit(&a->seg->max_late_us, rlx))
		atomic_store_explicit(&a->seg->max_late_us, us, rlx);
}

/* Take up a new configuration; a time reset restarts device time at 0. */
static int load_config(struct adc *a, uint32_t gen)
{
	struct hal_cfg c;

	if (hal_get_config(a->seg, gen, &c) < 0)
		return -1;
	if (c.flags & CFG_RESET_TIME)
		a->tick = 0;
	a->cfg = c;
	a->have_cfg = 1;
	wave_gen_init(&a->gen, c.wave, a->tick, c.interval_ns, c.period_ns);
	return 0;
}

/* Publish every sample due by now (at least the one at the deadline). */
static void take_samples(struct adc *a, uint64_t now)
{
	uint64_t iv = a->cfg.interval_ns;
	uint64_t due = (now - a->deadline) / iv + 1;

	count_late(a, now - a->deadline);
	if (due > ADC_FIFO) {
		uint64_t skip = due - ADC_FIFO;

		atomic_store_explicit(&a->seg->overruns, atomic_load_explicit(&a->seg->overruns, rlx)
				      + (uint32_t)skip, rlx);
		a->tick += (uint32_t)skip;
		a->deadline += skip * iv;
		wave_gen_init(&a->gen, a->cfg.wave, a->tick, iv, a->cfg.period_ns);
		due = ADC_FIFO;
	}
	while (due--) {
		unsigned code = wave_gen_next(&a->gen);

		/* Position first: a task killed between the two leaves the
		 * next one a tick skipped, never a tick used twice. */
		a->tick++;
		a->deadline += iv;
		save_position(a);
		hal_publish(a->seg, a->tick - 1, code, a->cfg.gen);
	}
	hal_notify(a->seg);
}

/* Pick up where a previous task left off, skipping what it missed. */
static void resume(struct adc *a)
{
	struct shm_seg *s = a->seg;
	uint64_t dl = (uint64_t)atomic_load_explicit(&s->deadline_hi, rlx) << 32 |
		      atomic_load_explicit(&s->deadline_lo, rlx);
	uint64_t now = hal_now();

	a->tick = atomic_load_explicit(&s->next_tick, rlx);
	/* A task killed between the deadline's two words leaves it 4 s off:
	 * anything not within a day of now is no deadline at all. */
	if (dl > now + 1000000000ull || now - dl > 86400ull * 1000000000ull)
		dl = 0;
	a->deadline = dl ? dl : now;
	if (dl && now > dl && a->have_cfg &&
	    atomic_load_explicit(&s->state, memory_order_acquire) == STATE_RUNNING) {
		uint64_t missed = (now - dl) / a->cfg.interval_ns;
		atomic_store_explicit(&s->head, atomic_load_explicit(&s->head, rlx) +
				      (uint32_t)missed, rlx);
		a->tick += (uint32_t)missed;
		a->deadline += missed * a->cfg.interval_ns;
	}
	if (a->have_cfg)
		wave_gen_init(&a->gen, a->cfg.wave, a->tick, a->cfg.interval_ns, a->cfg.period_ns);
}

int adc_task(struct shm_seg *seg)
{
	struct adc a = { .seg = seg };
	int stopped = 0;

	load_config(&a, atomic_load_explicit(&seg->cfg_gen, memory_order_acquire));
	resume(&a);
	for (;;) {
		uint32_t ctl = atomic_load_explicit(&seg->ctl, memory_order_acquire);
		uint32_t st = atomic_load_explicit(&seg->state, memory_order_acquire);
		uint32_t gen = atomic_load_explicit(&seg->cfg_gen, memory_order_acquire);
		uint64_t now;

		if (st == STATE_OFF)
			return 0;
		if ((!a.have_cfg || gen != a.cfg.gen) && load_config(&a, gen) < 0)
			continue;       /* overtaken by a newer one: read that */
		if (st != STATE_RUNNING) {
			stopped = 1;
			hal_wait(&seg->ctl, ctl, -1);
			continue;
		}
		now = hal_now();
		if (stopped) {
			/* Resume on a fresh grid: stopped time is not missed time. */
			a.deadline = now;
			stopped = 0;
		}
		if (now < a.deadline) {
			hal_wait_until(&seg->ctl, ctl, a.deadline);
			continue;
		}
		take_samples(&a, now);
	}
}

static void close_inherited_fds(void)
{
	/* The task needs only the segment; holding the device's pty or
	 * lock open would keep them alive after the device closes them. */
	long max = sysconf(_SC_OPEN_MAX);

	for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 1024); fd++)
		close(fd);
}

pid_t adc_spawn(struct hal_dev *d)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	sigset_t none;

	if (pid != 0)
		return pid;
	prctl(PR_SET_NAME, "run_device", 0, 0, 0);
	/* Wake at the deadline, not up to 50 us after it (the default slack). */
	prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
	/* Die with the device: a task must never outlive its supervisor. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_IGN);        /* Ctrl-C goes to the device, which stops us */
	close_inherited_fds();
	_exit(adc_task(d->seg) == 0 ? 0 : 1);
}

static const char run_device_usage[] =
	"Usage: run_device [-n NAME]\n"
	"\n"
	"The ADC task of device NAME (default adc0): it samples the wave into the\n"
	"segment on the device's clock. `device` forks it under this name and\n"
	"supervises it: restarts it if it dies, stops it at shutdown. One task\n"
	"per device, so it never runs on its own: called by hand it says which\n"
	"process runs the task of NAME, and exits.\n"
	"\n"
	"  -n NAME   instance name\n"
	"\n"
	"Exit status: 1 (it never runs by hand), 2 on usage.\n";

/* By hand: a second writer would corrupt the ring, and a task without its
 * device would sample for ever; so say who runs the task instead. */
static int explain(const char *name)
{
	struct shm_seg *seg;
	char err[512];
	int shmid;

	if (hal_attach(name, &seg, &shmid, err, sizeof err) < 0) {
		fprintf(stderr, "run_device: %s\n", err);
		return 1;
	}
	fprintf(stderr, "run_device: device '%s' (pid %u) runs its own ADC task (pid %u); "
		"run_device is started only by device\n", name, (unsigned)seg->device_pid,
		(unsigned)atomic_load_explicit(&seg->task_pid, memory_order_acquire));
	hal_detach(seg);
	return 1;
}

int run_device_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "adc0";
	char err[256];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hn:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(run_device_usage, stdout);
			return 0;
		case 'n':
			name = optarg;
			break;
		case ':':
			fprintf(stderr, "run_device: option '-%c' needs a value\n"
				"Try 'run_device --help'.\n", optopt);
			return 2;
		default:
			fprintf(stderr, "run_device: unknown option '%s'\n"
				"Try 'run_device --help'.\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "run_device: unexpected argument '%s'\nTry 'run_device --help'.\n",
			argv[optind]);
		return 2;
	}
	if (hal_name_ok(name, err, sizeof err) < 0) {
		fprintf(stderr, "run_device: %s\n", err);
		return 2;
	}
	return explain(name);
}
