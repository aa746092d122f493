/* monitor/output.c - the text formats and where messages go.
 *
 *   human  t=   1.234 s  SIN 2 s  running  raw  812   (tests parse this)
 *   csv    a header row, then seq,t,raw,wave,period,gen
 *   json   JSON Lines: {"seq":..,"t":..,"raw":..,"wave":"..","period":..,"gen":..}
 *
 * In human format lifecycle events are lines among the samples on stdout.
 * In csv and json stdout carries data only: events go to stderr, as do
 * errors in every format. stdout is fully buffered when it is not a
 * terminal and flushed whenever the watcher is about to sleep (caught
 * up), not per line: that is what keeps a 1 kHz follow lossless into a
 * pipe or a file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monitor/client.h"

enum { NS = 1000000000, OUT_BUF = 1 << 16 };

static char out_buf[OUT_BUF];

const char *state_name(uint32_t state)
{
	return state == STATE_RUNNING ? "running" : state == STATE_STOPPED ? "stopped" : "off";
}

char *format_device_time(uint32_t tick, uint64_t interval_ns, char *buf, size_t len)
{
	/* tick * interval_ns may not fit 64 bits; its two halves do. */
	uint64_t frac = (uint64_t)tick * (interval_ns % NS);
	uint64_t whole = (uint64_t)tick * (interval_ns / NS) + frac / NS;
	int n = snprintf(buf, len, "%llu.%09llu", (unsigned long long)whole,
			 (unsigned long long)(frac % NS));

	if (n <= 0 || (size_t)n >= len)
		return buf;
	while (buf[n - 1] == '0')
		buf[--n] = 0;
	if (buf[n - 1] == '.')
		buf[--n] = 0;
	return buf;
}

void output_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("client: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void print_human(const struct sample *s, uint32_t state)
{
	char per[32];

	printf("t=%10.3f s  %s %s s  %-7s  raw %4u\n",
	       (double)s->tick * (double)s->cfg->interval_ns / 1e9, wave_name(s->cfg->wave),
	       wave_format_seconds(s->cfg->period_ns, per, sizeof per), state_name(state), s->code);
}

/* seq, t, raw, wave, period, gen: the same fields in both machine formats. */
static void print_machine(enum out_format fmt, const struct sample *s)
{
	char t[48], per[32];
	unsigned long long seq = s->seq;
	unsigned long gen = s->cfg->gen;
	const char *wave = wave_name(s->cfg->wave);

	format_device_time(s->tick, s->cfg->interval_ns, t, sizeof t);
	wave_format_seconds(s->cfg->period_ns, per, sizeof per);
	if (fmt == FMT_CSV)
		printf("%llu,%s,%u,%s,%s,%lu\n", seq, t, s->code, wave, per, gen);
	else
		printf("{\"seq\":%llu,\"t\":%s,\"raw\":%u,\"wave\":\"%s\",\"period\":%s,"
		       "\"gen\":%lu}\n", seq, t, s->code, wave, per, gen);
}

struct text {
	enum out_format fmt;
	int header_done;
};

static struct text text;

static void text_sample(void *ctx, const struct sample *s, uint32_t state)
{
	struct text *t = ctx;

	if (t->fmt == FMT_HUMAN) {
		print_human(s, state);
		return;
	}
	if (t->fmt == FMT_CSV && !t->header_done)
		fputs("seq,t,raw,wave,period,gen\n", stdout);
	t->header_done = 1;
	print_machine(t->fmt, s);
}

static void text_event(void *ctx, enum event ev, uint32_t state, const char *msg)
{
	const struct text *t = ctx;

	(void)state;
	/* A device lost, or a segment we cannot use, is an error in any format. */
	if (t->fmt != FMT_HUMAN || ev == EV_VANISHED || ev == EV_FAILED)
		output_error("%s", msg);
	else
		printf("%s\n", msg);
}

static int text_idle(void *ctx, uint64_t *wake_at)
{
	(void)ctx;
	(void)wake_at;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	fprintf(stderr, "client: cannot write the output: %s\n", strerror(errno));
	return -1;
}

void output_init(struct sink *sink, const struct client_opts *o)
{
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
	text.fmt = o->fmt;
	sink->ctx = &text;
	sink->sample = text_sample;
	sink->event = text_event;
	sink->idle = text_idle;
}
