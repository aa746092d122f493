/* hal/device.c - the device applet: segment, ADC task supervision, console.
 *
 * One process, one poll loop: a signalfd (SIGINT, SIGTERM, SIGHUP,
 * SIGCHLD). The ADC task is a child process; when it dies unexpectedly the
 * device says so and starts another, which resumes from the segment.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hal/hal.h"

enum {
	RESTART_BACKOFF_MS = 1000,   /* a task that keeps dying is restarted at most 1/s */
	TASK_EXIT_GRACE_MS = 2000,   /* then SIGKILL */
};

struct device {
	const char *name;
	struct hal_dev hal;
	struct hal_cfg cfg;
	pid_t task;
	int sigfd;
	int quit;
	uint64_t started_ns;
	uint64_t last_spawn_ns;
	int restart_pending;
};

static const char device_usage[] =
	"Usage: device [-n NAME] [-r HZ] WAVE PERIOD\n"
	"\n"
	"Start a virtual 10-bit ADC sampling WAVE (SIN, QUA or TRI; sine, square,\n"
	"triangle) with a PERIOD in seconds, on System V shared memory.\n"
	"\n"
	"  -n NAME   instance name (default adc0); clients find it by this name\n"
	"  -r HZ     sample rate, 0.1 to 10000 (default 10)\n"
	"\n"
	"It runs until SIGINT, SIGTERM or SIGHUP, then removes its segment.\n"
	"\n"
	"Exit status: 0 after a clean shutdown, 1 if it cannot start, 2 on usage.\n";

static void logf_(struct device *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct device *d, const char *fmt, ...)
{
	va_list ap;

	printf("device %s: ", d->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("device: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'device --help'.\n", stderr);
	return 2;
}

static int parse_args(struct device *d, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { "name", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' }, { NULL, 0, NULL, 0 },
	};
	char err[WAVE_ERR_MAX];
	int c;

	d->name = "adc0";
	d->cfg.interval_ns = 100000000;         /* 10 Hz */
	/* '+': options come first, so a period like "-1" is an operand
	 * that the period validator names, not an unknown option. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hn:r:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(device_usage, stdout);
			return 0;
		case 'n':
			d->name = optarg;
			if (hal_name_ok(optarg, err, sizeof err) < 0)
				return usage_error("%s", err);
			break;
		case 'r':
			if (wave_parse_rate(optarg, &d->cfg.interval_ns, err, sizeof err) < 0)
				return usage_error("%s", err);
			break;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return usage_error("%s", argc - optind < 2 ? "expected WAVE and PERIOD"
				   : "too many arguments: expected WAVE and PERIOD");
	if (wave_parse_msg(argv[optind], &d->cfg.wave, err, sizeof err) < 0 ||
	    wave_parse_period(argv[optind + 1], d->cfg.interval_ns, &d->cfg.period_ns,
			      err, sizeof err) < 0)
		return usage_error("%s", err);
	return -1;
}

static int spawn_task(struct device *d)
{
	d->last_spawn_ns = hal_now();
	d->task = adc_spawn(&d->hal);
	if (d->task < 0)
		return -1;
	atomic_store_explicit(&d->hal.seg->task_pid, (uint32_t)d->task, memory_order_release);
	hal_notify(d->hal.seg);
	return 0;
}

static void describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
}

/* SIGCHLD: reap the task; restart it unless we are shutting down. */
static void reap_task(struct device *d)
{
	int status;
	pid_t pid;
	char why[64];

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != d->task || d->quit)
			continue;
		describe_exit(status, why, sizeof why);
		logf_(d, "ADC task (pid %ld) %s; restarting it", (long)pid, why);
		d->task = 0;
		atomic_store_explicit(&d->hal.seg->task_restarts,
				      atomic_load_explicit(&d->hal.seg->task_restarts,
							   memory_order_relaxed) + 1,
				      memory_order_release);
		d->restart_pending = 1;
	}
}

static void maybe_restart(struct device *d)
{
	if (!d->restart_pending || hal_now() - d->last_spawn_ns < RESTART_BACKOFF_MS * 1000000ull)
		return;
	d->restart_pending = 0;
	if (spawn_task(d) < 0) {
		logf_(d, "cannot restart the ADC task: %s", strerror(errno));
		d->restart_pending = 1;
		return;
	}
	logf_(d, "ADC task restarted (pid %ld)", (long)d->task);
}

static void on_signal(struct device *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			reap_task(d);
		else
			d->quit = 1;
	}
}

static int poll_timeout(const struct device *d)
{
	uint64_t since;

	if (!d->restart_pending)
		return -1;
	since = (hal_now() - d->last_spawn_ns) / 1000000;
	return since >= RESTART_BACKOFF_MS ? 0 : (int)(RESTART_BACKOFF_MS - since);
}

static void run(struct device *d)
{
	struct pollfd pfd = { .fd = d->sigfd, .events = POLLIN };

	while (!d->quit) {
		if (poll(&pfd, 1, poll_timeout(d)) > 0)
			on_signal(d);
		maybe_restart(d);
	}
}

/* Let the task see OFF and exit by itself; insist after a grace period. */
static void stop_task(struct device *d)
{
	uint64_t until = hal_now() + TASK_EXIT_GRACE_MS * 1000000ull;
	int status;

	if (d->task <= 0)
		return;
	while (waitpid(d->task, &status, WNOHANG) == 0) {
		if (hal_now() > until) {
			kill(d->task, SIGKILL);
			waitpid(d->task, &status, 0);
			break;
		}
		usleep(10000);
	}
	d->task = 0;
}

static int block_signals(struct device *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sigfd < 0 ? -1 : 0;
}

int device_main(int argc, char **argv)
{
	struct device d = { .sigfd = -1 };
	char err[512], per[32];
	int rc = parse_args(&d, argc, argv);

	if (rc >= 0)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (block_signals(&d) < 0) {
		fprintf(stderr, "device: signalfd: %s\n", strerror(errno));
		return 1;
	}
	if (hal_create(&d.hal, d.name, &d.cfg, -1, err, sizeof err) < 0) {
		fprintf(stderr, "device: %s\n", err);
		return 1;
	}
	d.started_ns = hal_now();
	if (spawn_task(&d) < 0) {
		fprintf(stderr, "device: cannot start the ADC task: %s\n", strerror(errno));
		hal_destroy(&d.hal);
		return 1;
	}
	logf_(&d, "%s %s s at %g Hz, ADC task pid %ld, segment %d (key %#x)",
	      wave_name(d.cfg.wave), wave_format_seconds(d.cfg.period_ns, per, sizeof per),
	      1e9 / (double)d.cfg.interval_ns, (long)d.task, d.hal.shmid, (unsigned)d.hal.key);
	run(&d);
	hal_set_state(d.hal.seg, STATE_OFF);
	stop_task(&d);
	hal_destroy(&d.hal);
	logf_(&d, "shut down");
	close(d.sigfd);
	return 0;
}
