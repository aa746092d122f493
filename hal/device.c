/* hal/device.c - the device applet: segment, ADC task supervision, console.
 *
 * One process, one poll loop over a signalfd (SIGINT, SIGTERM, SIGHUP,
 * SIGCHLD) and the pty master. The ADC task is a child process; when it
 * dies unexpectedly the device says so and starts another, which resumes
 * from the segment. The shell (shell/) turns console input into calls of
 * the shell_device operations below; it never sees a file descriptor.
 *
 * stdout is the device's log: the line with the console's path, then one
 * line per state change. Errors go to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hal/hal.h"
#include "shell/shell.h"

enum {
	RESTART_BACKOFF_MS = 1000,   /* a task that keeps dying restarts at most 1/s */
	TASK_EXIT_GRACE_MS = 2000,   /* then SIGKILL */
	MS = 1000000,
};

struct device {
	const char *name;
	const char *link;
	int gid;                     /* -g: segment group, or -1 */
	int daemon;                  /* -D */
	struct hal_dev hal;
	struct hal_cfg cfg;
	struct hal_pty pty;
	struct shell_device ops;
	struct shell *sh;
	pid_t task;
	int sigfd;
	int quit;
	int restart_pending;
	uint64_t started_ns;
	uint64_t last_spawn_ns;
	uint64_t next_check_ns;      /* of the pty while detached */
};

static const char device_usage[] =
	"Usage: device [-n NAME] [-r HZ] [-l PATH] [-g GROUP] [-D] WAVE PERIOD\n"
	"\n"
	"Start a virtual 10-bit ADC sampling WAVE (SIN, QUA or TRI; or sine,\n"
	"square, triangle) with a PERIOD in seconds, on System V shared memory,\n"
	"and serve its console on a pseudoterminal: attach with the command it\n"
	"prints (screen /dev/pts/N) and type 'help'.\n"
	"\n"
	"  -n NAME    instance name (default adc0); clients find it by this name\n"
	"  -r HZ      sample rate, 0.1 to 10000 (default 10)\n"
	"  -l PATH    also make PATH a symlink to the console\n"
	"  -g GROUP   let GROUP read the samples (segment mode 0640, else 0600)\n"
	"  -D         run in the background once ready\n"
	"\n"
	"Ctrl-C, SIGTERM, SIGHUP or the console's 'exit' shut it down cleanly.\n"
	"\n"
	"Exit status: 0 after a clean shutdown (with -D: once ready), 1 if it\n"
	"cannot start, 2 on usage.\n";

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

/* GROUP's gid from /etc/group, read directly: getgrnam would bring NSS
 * (or musl's nscd client) into a static build for one lookup. */
static long group_id(const char *name)
{
	FILE *f = fopen("/etc/group", "re");
	size_t n = strlen(name);
	char line[512];
	long gid = -1;

	while (f && gid < 0 && fgets(line, sizeof line, f)) {
		char *p = line + n;

		if (strncmp(line, name, n) == 0 && *p == ':' && (p = strchr(p + 1, ':')))
			gid = strtol(p + 1, NULL, 10);
	}
	if (f)
		fclose(f);
	return gid;
}

static int parse_group(struct device *d, const char *s)
{
	char *end;
	long v = group_id(s);

	if (v < 0 && *s) {
		v = strtol(s, &end, 10);
		if (*end)
			v = -1;
	}
	if (v < 0 || v >= 1L << 30)
		return -1;
	d->gid = (int)v;
	return 0;
}

static int parse_args(struct device *d, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { "name", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' }, { "link", required_argument, NULL, 'l' },
		{ "group", required_argument, NULL, 'g' }, { "daemon", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	char err[WAVE_ERR_MAX], opt[2] = "";
	int c;

	d->name = "adc0";
	d->gid = -1;
	d->cfg.interval_ns = 100 * MS;          /* 10 Hz */
	/* '+': options come first, so a period like "-1" is an operand
	 * that the period validator names, not an unknown option. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hn:r:l:g:D", longopts, NULL)) != -1) {
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
		case 'l':
			if (!*optarg)
				return usage_error("bad link path '%s'", optarg);
			d->link = optarg;
			break;
		case 'g':
			if (parse_group(d, optarg) < 0)
				return usage_error("bad group '%s': no such group", optarg);
			break;
		case 'D':
			d->daemon = 1;
			break;
		case ':':
			/* named by optopt: musl leaves optind past argc here */
			opt[0] = (char)optopt;
			return usage_error("option '-%s' needs a value", opt);
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

/* ---- The ADC task ---- */

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
		snprintf(buf, len, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
}

/* SIGCHLD: reap the task; schedule a restart unless we are shutting down. */
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
		shell_notify(d->sh, "ADC task (pid %ld) %s; restarting it", (long)pid, why);
		d->task = 0;
		atomic_store_explicit(&d->hal.seg->task_pid, 0, memory_order_release);
		atomic_fetch_add_explicit(&d->hal.seg->task_restarts, 1, memory_order_release);
		d->restart_pending = 1;
	}
}

static void maybe_restart(struct device *d)
{
	if (!d->restart_pending || hal_now() - d->last_spawn_ns < RESTART_BACKOFF_MS * (uint64_t)MS)
		return;
	d->restart_pending = 0;
	if (spawn_task(d) < 0) {
		logf_(d, "cannot restart the ADC task: %s", strerror(errno));
		d->restart_pending = 1;
		return;
	}
	logf_(d, "ADC task restarted (pid %ld)", (long)d->task);
	shell_notify(d->sh, "ADC task restarted (pid %ld)", (long)d->task);
}

/* Let the task see OFF and exit by itself; insist after a grace period. */
static void stop_task(struct device *d)
{
	uint64_t until = hal_now() + TASK_EXIT_GRACE_MS * (uint64_t)MS;
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

/* ---- What the shell may ask ---- */

static int op_start(void *ctx)
{
	struct device *d = ctx;

	if (atomic_load(&d->hal.seg->state) == STATE_RUNNING)
		return 1;
	hal_set_state(d->hal.seg, STATE_RUNNING);
	logf_(d, "started");
	return 0;
}

static int op_stop(void *ctx)
{
	struct device *d = ctx;

	if (atomic_load(&d->hal.seg->state) == STATE_STOPPED)
		return 1;
	hal_set_state(d->hal.seg, STATE_STOPPED);
	logf_(d, "stopped");
	return 0;
}

static int op_config(void *ctx, enum wave_kind wave, uint64_t period_ns, int reset_time)
{
	struct device *d = ctx;
	char per[32];

	d->cfg.wave = wave;
	d->cfg.period_ns = period_ns;
	d->cfg.flags = reset_time ? CFG_RESET_TIME : 0;
	/* One record, then the state: a reader never sees a mixed config. */
	hal_set_config(d->hal.seg, &d->cfg);
	hal_set_state(d->hal.seg, STATE_RUNNING);
	logf_(d, "configured %s %s s%s, running", wave_name(wave),
	      wave_format_seconds(period_ns, per, sizeof per), reset_time ? ", time reset" : "");
	return 0;
}

static void op_current(void *ctx, enum wave_kind *wave, uint64_t *period_ns, uint64_t *interval_ns)
{
	struct device *d = ctx;

	*wave = d->cfg.wave;
	*period_ns = d->cfg.period_ns;
	*interval_ns = d->cfg.interval_ns;
}

static const char *state_name(uint32_t st)
{
	return st == STATE_RUNNING ? "running" : st == STATE_STOPPED ? "stopped" : "off";
}

static void format_uptime(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000u;

	snprintf(buf, len, "%lluh%02llum%02llus", (unsigned long long)(s / 3600),
		 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
}

static void print_last_sample(struct device *d, struct shell *sh)
{
	const struct shm_seg *s = d->hal.seg;
	uint32_t head = atomic_load_explicit(&s->head, memory_order_acquire);
	struct hal_sample smp;
	struct hal_cfg c;

	if (head && hal_read(s, head - 1, &smp) == 0 && hal_config_of(s, smp.cfg_gen, &c) == 0)
		shell_printf(sh, "samples   %lu taken, last value %u at t=%.3f s\n",
			     (unsigned long)head, smp.code,
			     (double)smp.tick * (double)c.interval_ns / 1e9);
	else
		shell_printf(sh, "samples   %lu taken\n", (unsigned long)head);
}

static void op_status(void *ctx, struct shell *sh)
{
	struct device *d = ctx;
	const struct shm_seg *s = d->hal.seg;
	char per[32], iv[32], up[32];
	unsigned nattch = 0;
	int removed = 0;

	hal_seg_info(d->hal.shmid, &nattch, &removed);
	format_uptime(hal_now() - d->started_ns, up, sizeof up);
	shell_printf(sh, "device    %s, %s\n", d->name, state_name(atomic_load(&s->state)));
	shell_printf(sh, "wave      %s, period %s s\n", wave_name(d->cfg.wave),
		     wave_format_seconds(d->cfg.period_ns, per, sizeof per));
	shell_printf(sh, "rate      %g Hz (every %s s)\n", 1e9 / (double)d->cfg.interval_ns,
		     wave_format_seconds(d->cfg.interval_ns, iv, sizeof iv));
	print_last_sample(d, sh);
	shell_printf(sh, "timing    %u late wake-ups, %u overruns; wake-up lateness "
		     "p50 < %u us, p99 < %u us, max %u us\n",
		     (unsigned)atomic_load(&s->late_wakes), (unsigned)atomic_load(&s->overruns),
		     (unsigned)hal_late_percentile(s, 500), (unsigned)hal_late_percentile(s, 990),
		     (unsigned)atomic_load(&s->max_late_us));
	shell_printf(sh, "uptime    %s\n", up);
	shell_printf(sh, "ADC task  pid %ld, restarted %u times\n", (long)d->task,
		     (unsigned)atomic_load(&s->task_restarts));
	shell_printf(sh, "segment   id %d, key %#x, %u attached\n", d->hal.shmid,
		     (unsigned)d->hal.key, nattch);
}

static void op_shutdown(void *ctx)
{
	((struct device *)ctx)->quit = 1;
}

static void console_write(void *ctx, const char *buf, size_t len)
{
	hal_pty_write(&((struct device *)ctx)->pty, buf, len);
}

/* ---- The console ---- */

static void greet(struct device *d)
{
	char banner[160], per[32];

	snprintf(banner, sizeof banner, "shmdev %s, device %s: %s %s s at %g Hz, %s. "
		 "Type 'help'.", SHMDEV_VERSION, d->name, wave_name(d->cfg.wave),
		 wave_format_seconds(d->cfg.period_ns, per, sizeof per),
		 1e9 / (double)d->cfg.interval_ns, state_name(atomic_load(&d->hal.seg->state)));
	shell_greet(d->sh, banner);
}

/* Read what was typed. Returns -1 once the last terminal hung up. */
static int read_console(struct device *d)
{
	char buf[1024];
	ssize_t n;

	while ((n = hal_pty_read(&d->pty, buf, sizeof buf)) > 0) {
		shell_input(d->sh, buf, (size_t)n);
		if (d->quit)
			return 0;
	}
	return n < 0 ? -1 : 0;
}

static void on_console(struct device *d, short revents)
{
	if (revents & POLLOUT)
		hal_pty_flush(&d->pty);
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (read_console(d) < 0 || (revents & POLLHUP)) {
		hal_pty_detached(&d->pty);
		d->next_check_ns = hal_now() + PTY_CHECK_MS * (uint64_t)MS;
		logf_(d, "terminal detached");
	}
}

/* While detached: run what scripts wrote (printf cmd > /dev/pts/N) and
 * look for a terminal that attached. */
static void check_console(struct device *d)
{
	if (d->pty.attached || hal_now() < d->next_check_ns)
		return;
	d->next_check_ns = hal_now() + PTY_CHECK_MS * (uint64_t)MS;
	read_console(d);
	if (!d->quit && hal_pty_check(&d->pty)) {
		logf_(d, "terminal attached");
		greet(d);
	}
}

/* ---- The loop ---- */

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

static int ms_until(uint64_t when)
{
	uint64_t now = hal_now();

	return when <= now ? 0 : (int)((when - now + MS - 1) / MS);
}

static int poll_timeout(const struct device *d)
{
	int t = -1;

	if (d->restart_pending)
		t = ms_until(d->last_spawn_ns + RESTART_BACKOFF_MS * (uint64_t)MS);
	if (!d->pty.attached) {
		int c = ms_until(d->next_check_ns);
		t = t < 0 || c < t ? c : t;
	}
	return t;
}

static void run(struct device *d)
{
	while (!d->quit) {
		struct pollfd pfd[2] = {
			{ .fd = d->sigfd, .events = POLLIN },
			/* Never wait on a hung-up master: it reports POLLHUP for ever. */
			{ .fd = d->pty.attached ? d->pty.fd : -1,
			  .events = POLLIN | (d->pty.out_len ? POLLOUT : 0) },
		};

		if (poll(pfd, 2, poll_timeout(d)) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			on_signal(d);
		if (pfd[1].revents)
			on_console(d, pfd[1].revents);
		check_console(d);
		maybe_restart(d);
	}
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

/* -D: the foreground process waits until the device is ready (or failed)
 * and exits with that; the device goes on in a new session. Returns in
 * the device process only, with the write end of the readiness pipe. */
static int daemonize(void)
{
	int fds[2], status;
	char msg[256];
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "device: cannot go to the background: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		close(fds[0]);
		setsid();
		return fds[1];
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof msg - 1);
	if (n > 0 && msg[0] == 0)
		exit(0);
	if (n > 0) {
		msg[n] = 0;
		fprintf(stderr, "device: %s\n", msg);
		exit(1);
	}
	exit(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status)
	     ? WEXITSTATUS(status) : 1);
}

/* -D: nothing of ours may hold the caller's terminal or pipes open. */
static void detach_stdio(void)
{
	int null = open("/dev/null", O_RDWR);

	fflush(stdout);
	if (null < 0)
		return;
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (null > 2)
		close(null);
}

/* Tell the foreground process of -D how starting went: an empty message
 * means the device runs; anything else is the error it prints. */
static void report_ready(int ready_fd, const char *error)
{
	if (ready_fd < 0)
		return;
	if (write(ready_fd, error, strlen(error) + 1) < 0) {
		/* The foreground process is gone: nobody to tell. */
	}
	close(ready_fd);
}

static const struct shell_device shell_ops = {
	.start = op_start, .stop = op_stop, .config = op_config, .current = op_current,
	.status = op_status, .shutdown = op_shutdown,
};

static int setup(struct device *d)
{
	char err[512], prompt[SHM_NAME_MAX + 3];

	if (hal_create(&d->hal, d->name, &d->cfg, d->gid, err, sizeof err) < 0)
		goto fail;
	if (hal_pty_open(&d->pty, d->link, err, sizeof err) < 0)
		goto fail_hal;
	d->ops = shell_ops;
	d->ops.ctx = d;
	d->sh = shell_new(&d->ops, console_write, d);
	if (!d->sh) {
		snprintf(err, sizeof err, "cannot start the shell");
		goto fail_pty;
	}
	snprintf(prompt, sizeof prompt, "%s> ", d->name);
	shell_set_prompt(d->sh, prompt);
	return 0;
fail_pty:
	hal_pty_close(&d->pty);
fail_hal:
	hal_destroy(&d->hal);
fail:
	fprintf(stderr, "device: %s\n", err);
	return -1;
}

static void teardown(struct device *d)
{
	hal_set_state(d->hal.seg, STATE_OFF);   /* clients see it first */
	stop_task(d);
	shell_free(d->sh);
	hal_pty_close(&d->pty);
	hal_destroy(&d->hal);
	logf_(d, "shut down");
}

int device_main(int argc, char **argv)
{
	struct device d = { .sigfd = -1 };
	char per[32];
	int rc = parse_args(&d, argc, argv), ready_fd = -1;

	if (rc >= 0)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* `device SIN 2 | head -1` must not kill the device at its next log
	 * line: the log is best effort, the device is not. */
	signal(SIGPIPE, SIG_IGN);
	if (d.daemon)
		ready_fd = daemonize();
	if (block_signals(&d) < 0) {
		fprintf(stderr, "device: signalfd: %s\n", strerror(errno));
		return 1;
	}
	if (setup(&d) < 0)
		return 1;
	logf_(&d, "%s %s s at %g Hz, shell on %s (screen %s)", wave_name(d.cfg.wave),
	      wave_format_seconds(d.cfg.period_ns, per, sizeof per),
	      1e9 / (double)d.cfg.interval_ns, d.pty.path, d.pty.path);
	logf_(&d, "segment %d (key %#x)%s%s", d.hal.shmid, (unsigned)d.hal.key,
	      d.link ? ", console link " : "", d.link ? d.link : "");
	if (d.daemon)
		detach_stdio();
	d.started_ns = hal_now();
	if (spawn_task(&d) < 0) {
		char msg[128];

		snprintf(msg, sizeof msg, "cannot start the ADC task: %s", strerror(errno));
		fprintf(stderr, "device: %s\n", msg);
		report_ready(ready_fd, msg);
		d.quit = 1;
		rc = 1;
	} else {
		logf_(&d, "ADC task pid %ld", (long)d.task);
		report_ready(ready_fd, "");
	}
	d.next_check_ns = hal_now();
	run(&d);
	teardown(&d);
	close(d.sigfd);
	return rc < 0 ? 0 : rc;
}
