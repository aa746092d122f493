/* monitor/watch.c - a device seen through its segment.
 *
 * The client attaches SHM_RDONLY and only loads: it can be stopped or
 * killed at any instruction without touching the device, and a corrupt or
 * foreign segment can at worst make it print nonsense: every index is taken
 * modulo the ring and every configuration is validated by hal/ before use.
 *
 * Two ways of watching:
 *   latest      one line per interval. Sleeps on `ctl` (bumped only by
 *               commands), never on `event` (bumped by every sample), so a
 *               hundred such clients cost the device nothing.
 *   per sample  -f and --plot. Sleeps on `event` and reads every sequence
 *               number from where it stopped to `head`. One that fell more
 *               than the ring behind, or finds a slot holding another
 *               sequence number (overwritten, or skipped by a restarted
 *               task), counts those samples as lost and says so once, with
 *               the exact number, before the next sample it shows.
 *
 * Both also wake on a timeout to notice a device that vanished without
 * saying so (segment removed, or device process gone): within a second.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "monitor/client.h"

enum {
	LIVENESS_NS = 500000000,     /* look for a vanished device this often */
	WAIT_POLL_NS = 250000000,    /* -w: look for the device this often */
	GO_ON = -1,                  /* loop results besides exit statuses */
	AGAIN = -2,                  /* the device ended; -w: wait for the next */
};

static const uint32_t STATE_NONE = 0xffffffffu;  /* nothing reported yet */

struct watch {
	const struct client_opts *o;
	const struct sink *sink;
	struct shm_seg *seg;
	int shmid;
	pid_t pid;                   /* the device's; 0 when the segment's is unusable */
	uint32_t state;              /* as last reported */
	uint32_t restarts;           /* task_restarts as last reported */
	struct hal_cfg cfg;          /* cache: the configuration last looked up */
	int have_cfg;
	uint32_t shown_gen;          /* 16-bit generation of the last sample shown */
	int have_shown;
	uint32_t next;               /* per sample: the next seq to read */
	uint32_t at32;               /* a seq and its 64-bit extension: later */
	uint64_t at64;               /* seqs extend from it by unsigned difference */
	uint64_t lost, lost_from;    /* a run of lost samples not yet reported */
	uint64_t check_at;           /* next liveness check */
	long long left;              /* samples or lines still to show; < 0: no limit */
	int waited;                  /* the device appeared while we waited */
};

static void say(struct watch *w, enum event ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct watch *w, enum event ev, const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	w->sink->event(w->sink->ctx, ev, w->state, msg);
}

/* The state word, reduced to the three we know: a value we do not know
 * (a corrupt segment) is not OFF, and not a reason to print samples. */
static uint32_t load_state(const struct watch *w)
{
	uint32_t st = atomic_load_explicit(&w->seg->state, memory_order_acquire);

	return st == STATE_OFF || st == STATE_RUNNING ? st : STATE_STOPPED;
}

/* Gone without shutting down: segment removed, or its process dead. */
static int device_gone(const struct watch *w)
{
	unsigned nattch;
	int removed;

	if (hal_seg_info(w->shmid, &nattch, &removed) < 0 || removed)
		return 1;
	/* EPERM: alive, someone else's (a segment shared with -g). */
	return w->pid > 0 && kill(w->pid, 0) < 0 && errno == ESRCH;
}

static uint64_t widen(const struct watch *w, uint32_t seq)
{
	return w->at64 + (uint32_t)(seq - w->at32);
}

static void advance(struct watch *w, uint32_t n)
{
	w->at64 = widen(w, w->next + n);
	w->next += n;
	w->at32 = w->next;
}

static void skip(struct watch *w, uint32_t n)
{
	if (!w->lost)
		w->lost_from = widen(w, w->next);
	w->lost += n;
	advance(w, n);
}

static void flush_lost(struct watch *w)
{
	if (!w->lost)
		return;
	say(w, EV_LOST, "lost %llu samples (seq %llu to %llu)", (unsigned long long)w->lost,
	    (unsigned long long)w->lost_from, (unsigned long long)(w->lost_from + w->lost - 1));
	w->lost = 0;
}

static void report_state(struct watch *w, uint32_t st)
{
	uint32_t was = w->state;

	if (st == was)
		return;
	w->state = st;
	if (st == STATE_STOPPED)
		say(w, EV_STOPPED, "device %s stopped", w->o->name);
	else if (st == STATE_RUNNING && was == STATE_STOPPED)
		say(w, EV_RESUMED, "device %s resumed", w->o->name);
}

/* The configuration of a sample (its 16-bit generation), from the cache
 * or the segment; NULL if the segment no longer holds it. */
static const struct hal_cfg *config_of(struct watch *w, uint32_t gen16)
{
	if (w->have_cfg && (w->cfg.gen & 0xffffu) == gen16)
		return &w->cfg;
	w->have_cfg = hal_config_of(w->seg, gen16, &w->cfg) == 0;
	return w->have_cfg ? &w->cfg : NULL;
}

static void describe(const struct hal_cfg *c, char *buf, size_t len)
{
	char per[32];

	snprintf(buf, len, "%s %s s at %g Hz", wave_name(c->wave),
		 wave_format_seconds(c->period_ns, per, sizeof per), 1e9 / (double)c->interval_ns);
}

static void show(struct watch *w, const struct hal_sample *hs, const struct hal_cfg *c)
{
	struct sample s = { widen(w, hs->seq), hs->tick, hs->code, c };
	char per[32];

	flush_lost(w);
	if (w->have_shown && w->shown_gen != hs->cfg_gen)
		say(w, EV_RECONFIGURED, "device %s reconfigured: %s %s s%s", w->o->name,
		    wave_name(c->wave), wave_format_seconds(c->period_ns, per, sizeof per),
		    c->flags & CFG_RESET_TIME ? ", time reset" : "");
	w->shown_gen = hs->cfg_gen;
	w->have_shown = 1;
	w->at32 = hs->seq;
	w->at64 = s.seq;
	w->sink->sample(w->sink->ctx, &s, w->state);
}

/* Every sample from w->next up to head, in order. */
static int drain(struct watch *w)
{
	uint32_t head = atomic_load_explicit(&w->seg->head, memory_order_acquire);
	uint32_t behind = head - w->next;

	if (behind > UINT32_MAX / 2) {
		/* head went back: not a sequence we can follow (corrupt segment). */
		say(w, EV_FAILED, "device %s: sequence went back from %lu to %lu; following on",
		    w->o->name, (unsigned long)w->next, (unsigned long)head);
		/* Keep the 64-bit numbering moving forward regardless. */
		w->at64 += 1;
		w->next = w->at32 = head;
		return GO_ON;
	}
	if (behind > SHM_RING_SLOTS)
		skip(w, behind - SHM_RING_SLOTS);
	while (w->next != head) {
		struct hal_sample s;
		const struct hal_cfg *c;

		/* A slot holding another seq was overwritten, or skipped by a
		 * restarted task; a sample whose configuration is no longer in
		 * the segment cannot be shown either: all count as lost. */
		if (hal_read(w->seg, w->next, &s) < 0 || !(c = config_of(w, s.cfg_gen))) {
			skip(w, 1);
			continue;
		}
		show(w, &s, c);
		advance(w, 1);
		if (w->left > 0 && --w->left == 0)
			return EXIT_DONE;
		if (client_quit)
			return EXIT_DONE;
	}
	return GO_ON;
}

/* Sleep on word while it holds val, until `until` at the latest; wake for
 * the sink's own work and the next liveness check too. */
static int nap(struct watch *w, const _Atomic uint32_t *word, uint32_t val, uint64_t until)
{
	uint64_t at = UINT64_MAX;

	if (w->sink->idle(w->sink->ctx, &at) < 0)
		return EXIT_LOST;
	if (client_quit)
		return EXIT_DONE;
	at = at < until ? at : until;
	at = at < w->check_at ? at : w->check_at;
	hal_wait_until(word, val, at);
	return client_quit ? EXIT_DONE : GO_ON;
}

/* Sleep without a segment (-w), still serving the sink. */
static int pause_ns(struct watch *w, uint64_t ns)
{
	uint64_t at = UINT64_MAX, until = hal_now() + ns;
	struct timespec ts;

	for (;;) {
		if (w->sink->idle(w->sink->ctx, &at) < 0)
			return EXIT_LOST;
		if (client_quit)
			return EXIT_DONE;
		if (hal_now() >= until)
			return GO_ON;
		at = at < until ? at : until;
		ts.tv_sec = (time_t)(at / 1000000000u);
		ts.tv_nsec = (long)(at % 1000000000u);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		at = UINT64_MAX;
	}
}

/* The device shut down (state OFF) or is gone: say so, then end, or with
 * -w wait for the next one. */
static int device_ended(struct watch *w)
{
	int off, rc;

	/* What it published before the end is still in our mapping. */
	if (w->o->mode != MODE_LATEST && (rc = drain(w)) != GO_ON)
		return rc;
	off = load_state(w) == STATE_OFF;       /* after a clean exit the segment goes too */
	flush_lost(w);
	w->state = STATE_OFF;
	if (off)
		say(w, EV_SHUTDOWN, "device %s shut down", w->o->name);
	else
		say(w, EV_VANISHED, "device %s vanished without shutting down", w->o->name);
	if (w->o->wait)
		return AGAIN;
	return off ? EXIT_DONE : EXIT_LOST;
}

static void check_restarts(struct watch *w)
{
	uint32_t r = atomic_load_explicit(&w->seg->task_restarts, memory_order_acquire);

	if (r == w->restarts)
		return;
	w->restarts = r;
	say(w, EV_RESTARTED, "device %s: ADC task restarted (%u restart%s so far)",
	    w->o->name, (unsigned)r, r == 1 ? "" : "s");
}

/* Lifecycle after the samples: task restarts, state, liveness. */
static int check_device(struct watch *w)
{
	uint32_t st = load_state(w);
	uint64_t now = hal_now();

	if (st == STATE_OFF)
		return device_ended(w);
	check_restarts(w);
	report_state(w, st);
	if (now >= w->check_at) {
		w->check_at = now + LIVENESS_NS;
		if (device_gone(w))
			return device_ended(w);
	}
	return GO_ON;
}

/* ---- Finding the device ---- */

/* A segment we attached to: 0 live, or -1 with why it is no use. */
static int check_live(struct watch *w, char *err, size_t len)
{
	uint32_t pid = w->seg->device_pid;

	/* Only a plausible pid may reach kill(): 0 or a negative one would
	 * signal a process group. */
	w->pid = pid > 0 && pid <= INT32_MAX ? (pid_t)pid : 0;
	if (load_state(w) == STATE_OFF) {
		snprintf(err, len, "device '%s' is shutting down", w->o->name);
		return -1;
	}
	if (device_gone(w)) {
		snprintf(err, len, "device '%s' is not running: its device process (pid %u) died "
			 "without shutting down; the next device of that name reclaims segment %d",
			 w->o->name, (unsigned)pid, w->shmid);
		return -1;
	}
	return 0;
}

/* Fresh per-device state; per-sample modes start backlog samples back. */
static void start_on(struct watch *w, uint32_t backlog)
{
	uint32_t head = atomic_load_explicit(&w->seg->head, memory_order_acquire);
	struct hal_cfg c;
	char what[96];

	w->state = STATE_NONE;
	w->restarts = atomic_load_explicit(&w->seg->task_restarts, memory_order_acquire);
	w->have_cfg = w->have_shown = 0;
	w->lost = 0;
	w->check_at = hal_now() + LIVENESS_NS;
	if (w->o->mode == MODE_LATEST)
		w->next = head ? head - 1 : 0;
	else
		w->next = w->waited ? 0 : head - (head < backlog ? head : backlog);
	w->at32 = w->next;
	w->at64 = w->next;
	if (w->waited) {
		if (hal_get_config(w->seg, atomic_load_explicit(&w->seg->cfg_gen,
				   memory_order_acquire), &c) == 0)
			describe(&c, what, sizeof what);
		else
			snprintf(what, sizeof what, "configuration unreadable");
		say(w, EV_APPEARED, "device %s started: %s (segment %d)", w->o->name, what, w->shmid);
	}
	report_state(w, load_state(w));
}

/* Attach to a live device, with -w waiting for one. GO_ON when attached,
 * else an exit status. */
static int connect_device(struct watch *w, uint32_t backlog)
{
	char err[512], prev[512] = "", told[512] = "";
	int rc;

	for (;;) {
		rc = hal_attach(w->o->name, &w->seg, &w->shmid, err, sizeof err);
		if (rc == 0) {
			if (check_live(w, err, sizeof err) == 0) {
				start_on(w, backlog);
				return GO_ON;
			}
			rc = load_state(w) == STATE_OFF ? -3 : -1;
			hal_detach(w->seg);
			w->seg = NULL;
		}
		if (!w->o->wait) {
			if (rc == -3) {
				w->state = STATE_OFF;
				say(w, EV_SHUTDOWN, "device %s shut down", w->o->name);
				return EXIT_DONE;
			}
			output_error("%s", err);
			return EXIT_LOST;
		}
		if (!w->waited)
			say(w, EV_WAITING, "waiting for device %s", w->o->name);
		w->waited = 1;
		/* A device starting up can look broken for an instant (magic not
		 * yet published): tell only of a problem seen twice in a row. */
		if (rc == -1 && strcmp(err, prev) == 0 && strcmp(err, told) != 0) {
			say(w, EV_FAILED, "%s", err);
			snprintf(told, sizeof told, "%s", err);
		}
		snprintf(prev, sizeof prev, "%s", rc == -1 ? err : "");
		if ((rc = pause_ns(w, WAIT_POLL_NS)) != GO_ON)
			return rc;
	}
}

/* ---- The two ways of watching ---- */

static int run_samples(struct watch *w)
{
	for (;;) {
		uint32_t ev = atomic_load_explicit(&w->seg->event, memory_order_acquire);
		int rc;

		/* A resume or a task restart is told before the samples after
		 * it (and the gap a restart leaves), a stop after the samples
		 * before it. */
		if (load_state(w) == STATE_RUNNING)
			report_state(w, STATE_RUNNING);
		check_restarts(w);
		if ((rc = drain(w)) != GO_ON || (rc = check_device(w)) != GO_ON)
			return rc;
		if ((rc = nap(w, &w->seg->event, ev, UINT64_MAX)) != GO_ON)
			return rc;
	}
}

/* The newest sample; 0 if there is none to show yet. */
static int show_latest(struct watch *w)
{
	uint32_t head = atomic_load_explicit(&w->seg->head, memory_order_acquire);
	struct hal_sample s;
	const struct hal_cfg *c;

	/* After a task restart head-1 can be a skipped seq for a moment. */
	if (head == 0 || hal_read(w->seg, head - 1, &s) < 0 || !(c = config_of(w, s.cfg_gen)))
		return 0;
	show(w, &s, c);
	return 1;
}

static int run_latest(struct watch *w)
{
	uint64_t next = hal_now();

	for (;;) {
		uint32_t ctl = atomic_load_explicit(&w->seg->ctl, memory_order_acquire);
		uint32_t ev = atomic_load_explicit(&w->seg->event, memory_order_acquire);
		int rc = check_device(w);

		if (rc != GO_ON)
			return rc;
		if (w->state == STATE_RUNNING && hal_now() >= next) {
			if (!show_latest(w)) {
				/* No sample yet: the one wake per sample we allow. */
				if ((rc = nap(w, &w->seg->event, ev, UINT64_MAX)) != GO_ON)
					return rc;
				continue;
			}
			if (w->left > 0 && --w->left == 0)
				return EXIT_DONE;
			next += w->o->interval_ns;
			if (next < hal_now())
				next = hal_now() + w->o->interval_ns;
		}
		rc = nap(w, &w->seg->ctl, ctl, w->state == STATE_RUNNING ? next : UINT64_MAX);
		if (rc != GO_ON)
			return rc;
	}
}

int watch_run(const struct client_opts *o, const struct sink *sink, uint32_t backlog)
{
	struct watch w = { .o = o, .sink = sink, .left = o->count, .state = STATE_NONE };
	int rc;

	for (;;) {
		if ((rc = connect_device(&w, backlog)) != GO_ON)
			return rc;
		rc = o->mode == MODE_LATEST ? run_latest(&w) : run_samples(&w);
		hal_detach(w.seg);
		w.seg = NULL;
		if (rc != AGAIN)
			return rc;
		w.waited = 1;
		say(&w, EV_WAITING, "waiting for device %s", o->name);
	}
}
