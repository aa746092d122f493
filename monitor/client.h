/* monitor/client.h - between the files of monitor/ only.
 *
 * monitor/monitor.h is the folder's public interface (client_main); this
 * header joins its parts:
 *
 *   client.c   options, help text, main: picks a mode
 *   watch.c    a device seen through its segment: attach (and -w waiting),
 *              liveness, lifecycle events, every sample in order (-f)
 *   output.c   the text formats (human, csv, json) and where messages go
 *   plot.c     --plot: a live trace in the terminal
 *
 * The watcher knows nothing of formats: it hands samples and events to a
 * struct sink, which output.c and plot.c each provide.
 */
#ifndef SHMDEV_MONITOR_CLIENT_H
#define SHMDEV_MONITOR_CLIENT_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "hal/hal.h"

enum client_exit {
	EXIT_DONE = 0,          /* count reached, device shut down, signal */
	EXIT_LOST = 1,          /* no device, device lost, output failed */
	EXIT_USAGE = 2,
};

enum out_format { FMT_HUMAN, FMT_CSV, FMT_JSON };

enum client_mode {
	MODE_LATEST,            /* one line per interval: the newest sample */
	MODE_FOLLOW,            /* -f: every sample, in order, once */
	MODE_PLOT,              /* --plot: every sample, drawn */
};

struct client_opts {
	const char *name;
	uint64_t interval_ns;
	long long count;        /* lines or samples to print; < 0: no limit */
	enum out_format fmt;
	enum client_mode mode;
	int wait;               /* -w */
};

/* A sample ready to show: the 32-bit seq widened so it never wraps. */
struct sample {
	uint64_t seq;
	uint32_t tick;
	unsigned code;
	const struct hal_cfg *cfg;
};

enum event {
	EV_STOPPED,
	EV_RESUMED,
	EV_RECONFIGURED,
	EV_RESTARTED,           /* the ADC task was restarted */
	EV_LOST,                /* samples overwritten or skipped */
	EV_SHUTDOWN,            /* state OFF */
	EV_VANISHED,            /* gone without shutting down */
	EV_WAITING,             /* -w: no device (yet, or any more) */
	EV_APPEARED,            /* -w: a device (a new segment) to watch */
	EV_FAILED,              /* -w: a segment we cannot use, retrying */
};

/* Where samples and events go. state is the device state when it is
 * known (enum dev_state), msg a one-line description without newline. */
struct sink {
	void *ctx;
	void (*sample)(void *ctx, const struct sample *s, uint32_t state);
	void (*event)(void *ctx, enum event ev, uint32_t state, const char *msg);
	/* Called before each sleep: write out what is pending and return the
	 * CLOCK_MONOTONIC time to be woken at for more work (UINT64_MAX:
	 * none). -1 when output failed. */
	int (*idle)(void *ctx, uint64_t *wake_at);
};

/* Set by the signal handlers; the loops look at them after every wake. */
extern volatile sig_atomic_t client_quit;       /* SIGINT, SIGTERM, SIGHUP */
extern volatile sig_atomic_t client_winch;      /* SIGWINCH */
extern volatile sig_atomic_t client_tstp;       /* SIGTSTP */

/* watch.c: run mode o->mode (MODE_LATEST or the per-sample modes) into
 * sink; backlog is how many samples already in the ring a per-sample mode
 * starts with (1: the newest; the plot fills its width). Returns an exit
 * status. */
int watch_run(const struct client_opts *o, const struct sink *sink, uint32_t backlog);

/* output.c: the text sink for o->fmt. Fully buffered when stdout is not
 * a terminal, flushed when caught up. */
void output_init(struct sink *sink, const struct client_opts *o);
/* Report an error of the client itself (always stderr). */
void output_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* plot.c: check stdout is a terminal (0, or a message and EXIT_USAGE),
 * then draw until the watch ends; returns its exit status. */
int plot_check_tty(void);
int plot_run(const struct client_opts *o);

/* "12.345" from tick * interval_ns exactly, for any tick (no overflow). */
char *format_device_time(uint32_t tick, uint64_t interval_ns, char *buf, size_t len);
const char *state_name(uint32_t state);

#endif
