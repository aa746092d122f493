/* monitor/client.c - the client applet: watch a device from its segment.
 *
 * The client attaches SHM_RDONLY and only loads: it can be stopped or
 * killed at any instruction without touching the device. It sleeps on the
 * segment's event futex (a wake per published sample or command), with a
 * timeout so that a device that vanished without saying so is noticed
 * within a second.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monitor/monitor.h"
#include "hal/hal.h"

enum {
	EXIT_LOST = 1,
	EXIT_USAGE = 2,
	LIVENESS_NS = 500000000,     /* check the device is alive this often */
};

struct client {
	const char *name;
	uint64_t interval_ns;
	long count;                  /* lines to print; < 0 forever */
	struct shm_seg *seg;
	int shmid;
	uint32_t last_state;
	struct hal_cfg cfg;          /* of the last sample printed */
};

static const char client_usage[] =
	"Usage: client [-n NAME] [-i SECONDS] [-c COUNT]\n"
	"\n"
	"Monitor device NAME (default adc0): one line per interval with the\n"
	"latest sample: device time, wave, period, state and the 10-bit code.\n"
	"\n"
	"  -n NAME      instance name\n"
	"  -i SECONDS   interval between lines (default 1)\n"
	"  -c COUNT     stop after COUNT lines\n"
	"\n"
	"Exit status: 0 count reached or device shut down; 1 no device, or the\n"
	"device was lost; 2 usage.\n";

static const char *state_name(uint32_t st)
{
	return st == STATE_RUNNING ? "running" : st == STATE_STOPPED ? "stopped" : "off";
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("client: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'client --help'.\n", stderr);
	return EXIT_USAGE;
}

static int parse_args(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { "name", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' }, { NULL, 0, NULL, 0 },
	};
	char err[WAVE_ERR_MAX], *end;
	int opt;

	c->name = "adc0";
	c->interval_ns = 1000000000;
	c->count = -1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hn:i:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(client_usage, stdout);
			return 0;
		case 'n':
			if (hal_name_ok(optarg, err, sizeof err) < 0)
				return usage_error("%s", err);
			c->name = optarg;
			break;
		case 'i':
			/* The interval is a period between two lines: one validator. */
			if (wave_parse_period(optarg, 500000, &c->interval_ns, err, sizeof err) < 0)
				return usage_error("interval: %s", err);
			break;
		case 'c':
			errno = 0;
			c->count = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || c->count < 1)
				return usage_error("bad count '%s': expected a whole number from 1", optarg);
			break;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return -1;
}

/* The device is gone if its segment was removed or its process died
 * without turning the state OFF. */
static int device_vanished(const struct client *c)
{
	unsigned nattch;
	int removed;
	pid_t pid = (pid_t)c->seg->device_pid;

	if (hal_seg_info(c->shmid, &nattch, &removed) < 0 || removed)
		return 1;
	return kill(pid, 0) < 0 && errno == ESRCH;
}

/* Report a state change once. Returns an exit status when it ends us. */
static int check_state(struct client *c)
{
	uint32_t st = atomic_load_explicit(&c->seg->state, memory_order_acquire);

	if (st == STATE_OFF) {
		printf("device %s shut down\n", c->name);
		return 0;
	}
	if (device_vanished(c)) {
		fflush(stdout);
		fprintf(stderr, "client: device %s vanished without shutting down\n", c->name);
		return EXIT_LOST;
	}
	if (st != c->last_state) {
		if (c->last_state != STATE_OFF || st == STATE_STOPPED)
			printf("device %s %s\n", c->name, state_name(st));
		c->last_state = st;
	}
	return -1;
}

static void print_latest(struct client *c)
{
	uint32_t head = atomic_load_explicit(&c->seg->head, memory_order_acquire);
	struct hal_sample s;
	char per[32];

	if (head == 0 || hal_read(c->seg, head - 1, &s) < 0 ||
	    hal_config_of(c->seg, s.cfg_gen, &c->cfg) < 0) {
		printf("no sample yet\n");
		return;
	}
	printf("t=%10.3f s  %s %s s  %-7s  raw %4u\n",
	       (double)s.tick * (double)c->cfg.interval_ns / 1e9, wave_name(c->cfg.wave),
	       wave_format_seconds(c->cfg.period_ns, per, sizeof per),
	       state_name(c->last_state), s.code);
}

/* Sleep until deadline, waking early for any event so a state change or
 * shutdown is seen at once; the timeout bounds liveness checks. */
static void sleep_until(struct client *c, uint64_t deadline)
{
	for (;;) {
		uint32_t ev = atomic_load_explicit(&c->seg->event, memory_order_acquire);
		uint64_t now = hal_now();
		uint32_t st = atomic_load_explicit(&c->seg->state, memory_order_acquire);

		if (now >= deadline || st != c->last_state)
			return;
		hal_wait(&c->seg->event, ev, deadline - now < LIVENESS_NS ? (int64_t)(deadline - now)
			 : LIVENESS_NS);
		if (device_vanished(c))
			return;
		/* Samples wake us too; only state changes and the deadline count. */
		if (hal_now() < deadline &&
		    atomic_load_explicit(&c->seg->state, memory_order_acquire) == c->last_state)
			continue;
		return;
	}
}

static int monitor(struct client *c)
{
	uint64_t next = hal_now();
	int rc;

	c->last_state = STATE_OFF;
	for (;;) {
		if ((rc = check_state(c)) >= 0)
			return rc;
		if (c->last_state == STATE_RUNNING && hal_now() >= next) {
			print_latest(c);
			fflush(stdout);
			if (c->count > 0 && --c->count == 0)
				return 0;
			next += c->interval_ns;
			if (next < hal_now())
				next = hal_now() + c->interval_ns;
		}
		fflush(stdout);
		sleep_until(c, c->last_state == STATE_RUNNING ? next : UINT64_MAX);
	}
}

int client_main(int argc, char **argv)
{
	struct client c = { 0 };
	char err[512];
	int rc = parse_args(&c, argc, argv);

	if (rc >= 0)
		return rc;
	rc = hal_attach(c.name, &c.seg, &c.shmid, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "client: %s\n", err);
		return EXIT_LOST;
	}
	rc = monitor(&c);
	hal_detach(c.seg);
	return rc;
}
