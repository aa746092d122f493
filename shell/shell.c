/* shell/shell.c - the shell object: typed bytes to lines, lines to commands
 * and config-dialog answers, and every byte of output.
 *
 * The editor backend (shell/editor_*.c) turns bytes into lines; this file
 * decides what a line means. Between an Enter and the next prompt no line
 * is being edited, so a command's output needs no hiding; shell_notify()
 * is for output that arrives while a person may be typing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell/shell.h"

enum {
	ARGV_MAX = 6,           /* words kept: one more than any command takes */
	PRINT_SMALL = 256,      /* shell_printf output formatted on the stack */
	SECONDS_LEN = 32,
	USAGE_LEN = 64,
};

/* What the next line is: a command, or the answer to a dialog question. */
enum mode { MODE_COMMAND, MODE_WAVE, MODE_RESET, MODE_PERIOD };

/* The config dialog's answers so far, starting from the current values. */
struct dialog {
	enum wave_kind wave;
	uint64_t period_ns, interval_ns;
	int reset;
};

struct shell {
	struct shell_device dev;
	shell_write_fn *write;
	void *wctx;
	struct shell_editor *ed;
	char prompt[LED_PROMPT_MAX + 1];
	char last;              /* the last byte written, for "\n" -> "\r\n" */
	int started;            /* a prompt has been shown */
	int closed;             /* `exit` ran: no more input, no more prompts */
	enum mode mode;
	struct dialog dlg;
};

struct command {
	const char *name;
	const char *args;       /* as `help` shows them, "" for none */
	int max_args;
	const char *summary;
	const char *details;    /* `help NAME`, after the usage line */
	void (*run)(struct shell *sh, const struct command *c, int argc, char **argv);
};

static void cmd_help(struct shell *sh, const struct command *c, int argc, char **argv);
static void cmd_status(struct shell *sh, const struct command *c, int argc, char **argv);
static void cmd_start(struct shell *sh, const struct command *c, int argc, char **argv);
static void cmd_stop(struct shell *sh, const struct command *c, int argc, char **argv);
static void cmd_config(struct shell *sh, const struct command *c, int argc, char **argv);
static void cmd_exit(struct shell *sh, const struct command *c, int argc, char **argv);

static const struct command commands[] = {
	{ "help", "[CMD]", 1, "list the commands, or explain one",
	  "Without CMD, one line per command; with CMD, how to use that one.\n",
	  cmd_help },
	{ "status", "", 0, "show the device's state and configuration",
	  "Prints the device's status report.\n", cmd_status },
	{ "start", "", 0, "start sampling",
	  "Starts the ADC task; says so when it already runs.\n", cmd_start },
	{ "stop", "", 0, "stop sampling",
	  "Stops the ADC task; says so when it is already stopped.\n", cmd_stop },
	{ "config", "[WAVE PERIOD [reset]]", 3, "change the wave and its period",
	  "Without arguments, asks for the wave, whether to reset the time and\n"
	  "the period, offering the current values (Enter keeps one, Ctrl-C\n"
	  "cancels). WAVE is SIN, QUA or TRI (or sine, square, triangle, any\n"
	  "case); PERIOD is in seconds (2, 0.5, 1e-1), at least two sample\n"
	  "intervals; 'reset' restarts the wave at the start of a period.\n"
	  "Everything applies at once, then sampling runs.\n", cmd_config },
	{ "exit", "", 0, "shut the device down",
	  "Says goodbye and shuts the device down.\n", cmd_exit },
};

static const size_t command_count = sizeof(commands) / sizeof(commands[0]);

const char *shell_command_name(size_t i)
{
	return i < command_count ? commands[i].name : NULL;
}

/* ---- Output ---- */

static void emit(struct shell *sh, const char *buf, size_t len)
{
	if (len)
		sh->write(sh->wctx, buf, len);
}

void shell_output(struct shell *sh, const char *buf, size_t len)
{
	char prev = sh->last;
	size_t i, from = 0;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n' && prev != '\r') {
			emit(sh, buf + from, i - from);
			emit(sh, "\r\n", 2);
			from = i + 1;
		}
		prev = buf[i];
	}
	emit(sh, buf + from, len - from);
	if (len)
		sh->last = buf[len - 1];
}

__attribute__((format(printf, 2, 0)))
static void vprint(struct shell *sh, const char *fmt, va_list ap)
{
	char small[PRINT_SMALL], *big;
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0)
		goto out;
	if ((size_t)n < sizeof(small)) {
		shell_output(sh, small, (size_t)n);
		goto out;
	}
	big = malloc((size_t)n + 1);
	if (!big) {             /* the start of it is better than nothing */
		shell_output(sh, small, sizeof(small) - 1);
		goto out;
	}
	vsnprintf(big, (size_t)n + 1, fmt, again);
	shell_output(sh, big, (size_t)n);
	free(big);
out:
	va_end(again);
}

void shell_printf(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(sh, fmt, ap);
	va_end(ap);
}

/* Make sure what follows starts on a line of its own. */
static void end_line(struct shell *sh)
{
	if (sh->last != '\n')
		shell_output(sh, "\n", 1);
}

void shell_notify(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	editor_hide(sh->ed);
	va_start(ap, fmt);
	vprint(sh, fmt, ap);
	va_end(ap);
	end_line(sh);
	editor_show(sh->ed);
}

/* ---- Prompts ---- */

static void show_prompt(struct shell *sh)
{
	const struct dialog *d = &sh->dlg;
	char text[LED_PROMPT_MAX + 1], secs[SECONDS_LEN];
	led_complete_fn *complete = NULL;

	switch (sh->mode) {
	case MODE_COMMAND:
		snprintf(text, sizeof(text), "%s", sh->prompt);
		complete = shell_complete;
		break;
	case MODE_WAVE:
		snprintf(text, sizeof(text), "wave (%s, %s, %s) [%s]: ", wave_name(WAVE_SIN),
			 wave_name(WAVE_QUA), wave_name(WAVE_TRI), wave_name(d->wave));
		complete = shell_complete_wave;
		break;
	case MODE_RESET:
		snprintf(text, sizeof(text), "reset time (yes/no) [%s]: ", d->reset ? "yes" : "no");
		break;
	case MODE_PERIOD:
		snprintf(text, sizeof(text), "period in seconds [%s]: ",
			 wave_format_seconds(d->period_ns, secs, sizeof(secs)));
		break;
	}
	editor_start(sh->ed, text, complete);
	sh->started = 1;
}

void shell_set_prompt(struct shell *sh, const char *prompt)
{
	snprintf(sh->prompt, sizeof(sh->prompt), "%s", prompt ? prompt : "");
}

/* ---- Commands ---- */

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < command_count; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static const char *usage(const struct command *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", c->name, *c->args ? " " : "", c->args);
	return buf;
}

static void bad_argument(struct shell *sh, const struct command *c, const char *arg)
{
	char u[USAGE_LEN];

	shell_printf(sh, "%s: unexpected argument '%s' (usage: %s)\n", c->name, arg,
		     usage(c, u, sizeof(u)));
}

static void cmd_help(struct shell *sh, const struct command *c, int argc, char **argv)
{
	const struct command *which;
	char u[USAGE_LEN];
	size_t i;

	(void)c;
	if (argc == 1) {
		for (i = 0; i < command_count; i++)
			shell_printf(sh, "  %-30s %s\n", usage(&commands[i], u, sizeof(u)),
				     commands[i].summary);
		return;
	}
	which = find_command(argv[1]);
	if (!which) {
		shell_printf(sh, "help: unknown command '%s': type 'help' for a list\n", argv[1]);
		return;
	}
	shell_printf(sh, "usage: %s\n%s", usage(which, u, sizeof(u)), which->details);
}

static void cmd_status(struct shell *sh, const struct command *c, int argc, char **argv)
{
	(void)c, (void)argc, (void)argv;
	sh->dev.status(sh->dev.ctx, sh);
}

static void cmd_start(struct shell *sh, const struct command *c, int argc, char **argv)
{
	int r = sh->dev.start(sh->dev.ctx);

	(void)c, (void)argc, (void)argv;
	shell_printf(sh, "%s\n", r == 0 ? "started" : r > 0 ? "already running" : "start failed");
}

static void cmd_stop(struct shell *sh, const struct command *c, int argc, char **argv)
{
	int r = sh->dev.stop(sh->dev.ctx);

	(void)c, (void)argc, (void)argv;
	shell_printf(sh, "%s\n", r == 0 ? "stopped" : r > 0 ? "already stopped" : "stop failed");
}

static void cmd_exit(struct shell *sh, const struct command *c, int argc, char **argv)
{
	(void)c, (void)argc, (void)argv;
	shell_printf(sh, "goodbye\n");
	sh->closed = 1;
	sh->dev.shutdown(sh->dev.ctx);
}

/* One call to the device for wave, period and reset together. */
static void apply_config(struct shell *sh, enum wave_kind wave, uint64_t period_ns, int reset)
{
	char secs[SECONDS_LEN];

	if (sh->dev.config(sh->dev.ctx, wave, period_ns, reset))
		return;         /* the device said why */
	shell_printf(sh, "configured: %s, period %s s, time %s\n", wave_name(wave),
		     wave_format_seconds(period_ns, secs, sizeof(secs)), reset ? "reset" : "kept");
}

static void dialog_begin(struct shell *sh)
{
	struct dialog *d = &sh->dlg;

	sh->dev.current(sh->dev.ctx, &d->wave, &d->period_ns, &d->interval_ns);
	d->reset = 0;
	shell_printf(sh, "config: Enter keeps the value in [brackets], Ctrl-C cancels\n");
	sh->mode = MODE_WAVE;
}

/* `config WAVE PERIOD [reset]`: every bad word is named, then nothing runs. */
static void cmd_config(struct shell *sh, const struct command *c, int argc, char **argv)
{
	uint64_t period_ns, now_ns, interval_ns;
	enum wave_kind wave, now;
	char err[WAVE_ERR_MAX], u[USAGE_LEN];
	int bad = 0;

	if (argc == 1) {
		dialog_begin(sh);
		return;
	}
	if (argc == 2) {
		shell_printf(sh, "config: missing PERIOD (usage: %s)\n", usage(c, u, sizeof(u)));
		return;
	}
	sh->dev.current(sh->dev.ctx, &now, &now_ns, &interval_ns);
	if (wave_parse_msg(argv[1], &wave, err, sizeof(err))) {
		shell_printf(sh, "config: %s\n", err);
		bad = 1;
	}
	if (wave_parse_period(argv[2], interval_ns, &period_ns, err, sizeof(err))) {
		shell_printf(sh, "config: %s\n", err);
		bad = 1;
	}
	if (argc == 4 && strcmp(argv[3], "reset")) {
		bad_argument(sh, c, argv[3]);
		bad = 1;
	}
	if (!bad)
		apply_config(sh, wave, period_ns, argc == 4);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split at blanks, in place; words past ARGV_MAX are dropped. */
static int split(char *s, char **argv)
{
	int argc = 0;

	while (*s && argc < ARGV_MAX) {
		while (is_blank(*s))
			*s++ = '\0';
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && !is_blank(*s))
			s++;
	}
	return argc;
}

static void run_command(struct shell *sh, char *line)
{
	const struct command *c;
	char *argv[ARGV_MAX];
	int argc = split(line, argv);

	c = find_command(argv[0]);
	if (!c) {
		shell_printf(sh, "unknown command '%s': type 'help' for a list\n", argv[0]);
		return;
	}
	if (argc - 1 > c->max_args) {
		bad_argument(sh, c, argv[c->max_args + 1]);
		return;
	}
	c->run(sh, c, argc, argv);
}

/* ---- The config dialog ---- */

/* ASCII only, whatever locale readline chose. */
static int same_word(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;

		if (ca != *b)
			return 0;
	}
	return *a == *b;
}

static int answer_wave(struct dialog *d, const char *a, char *err, size_t len)
{
	enum wave_kind wave;

	if (!*a)
		return 0;
	if (wave_parse_msg(a, &wave, err, len))
		return -1;
	d->wave = wave;
	return 0;
}

static int answer_reset(struct dialog *d, const char *a, char *err, size_t len)
{
	if (!*a)
		return 0;
	if (same_word(a, "yes") || same_word(a, "y")) {
		d->reset = 1;
		return 0;
	}
	if (same_word(a, "no") || same_word(a, "n")) {
		d->reset = 0;
		return 0;
	}
	snprintf(err, len, "bad answer '%.40s%s': expected yes or no", a,
		 strlen(a) > 40 ? "..." : "");
	return -1;
}

static int answer_period(struct dialog *d, const char *a, char *err, size_t len)
{
	uint64_t period_ns;

	if (!*a)
		return 0;
	if (wave_parse_period(a, d->interval_ns, &period_ns, err, len))
		return -1;
	d->period_ns = period_ns;
	return 0;
}

/* A bad answer is named and the same question comes again. */
static void dialog_answer(struct shell *sh, const char *a)
{
	struct dialog *d = &sh->dlg;
	char err[WAVE_ERR_MAX];
	enum mode next = MODE_COMMAND;
	int bad = 0;

	switch (sh->mode) {
	case MODE_WAVE:
		bad = answer_wave(d, a, err, sizeof(err));
		next = MODE_RESET;
		break;
	case MODE_RESET:
		bad = answer_reset(d, a, err, sizeof(err));
		next = MODE_PERIOD;
		break;
	case MODE_PERIOD:
		bad = answer_period(d, a, err, sizeof(err));
		next = MODE_COMMAND;
		break;
	case MODE_COMMAND:
		return;
	}
	if (bad) {
		shell_printf(sh, "%s\n", err);
		return;
	}
	sh->mode = next;
	if (next == MODE_COMMAND)
		apply_config(sh, d->wave, d->period_ns, d->reset);
}

/* ---- Input ---- */

/* Control bytes must not be echoed back in a message (readline's quoted
 * insert can put them in a line); blanks are trimmed. */
static char *tidy(char *s)
{
	char *end, *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = *p == '\t' ? ' ' : '?';
	while (is_blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_blank(end[-1]))
		*--end = '\0';
	return s;
}

static void on_line(struct shell *sh, const char *text)
{
	char line[LED_LINE_MAX + 1], *s;

	if (strlen(text) > LED_LINE_MAX) {      /* the editors stop sooner: a guard */
		shell_printf(sh, "line too long: at most %d characters\n", LED_LINE_MAX);
		return;
	}
	s = tidy(strcpy(line, text));
	if (sh->mode != MODE_COMMAND) {
		dialog_answer(sh, s);
		return;
	}
	if (!*s)
		return;
	editor_history_add(sh->ed, s);
	run_command(sh, s);
}

static void on_cancel(struct shell *sh)
{
	if (sh->mode == MODE_COMMAND)
		return;
	sh->mode = MODE_COMMAND;
	shell_printf(sh, "config cancelled, nothing changed\n");
}

void shell_input(struct shell *sh, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && !sh->closed; i++) {
		if (!sh->started)
			show_prompt(sh);
		switch (editor_feed(sh->ed, (unsigned char)buf[i])) {
		case LED_MORE:
			continue;
		case LED_ENTER:
			on_line(sh, editor_line(sh->ed));
			break;
		case LED_CANCEL:
			on_cancel(sh);
			break;
		}
		if (!sh->closed)
			show_prompt(sh);
	}
}

/* ---- Life cycle ---- */

void shell_greet(struct shell *sh, const char *banner)
{
	if (sh->closed)
		return;
	if (banner) {
		editor_hide(sh->ed);
		shell_printf(sh, "%s", banner);
		end_line(sh);
	}
	if (sh->started)
		editor_show(sh->ed);
	else
		show_prompt(sh);
}

struct shell *shell_new(const struct shell_device *dev, shell_write_fn *write, void *wctx)
{
	struct shell *sh;

	if (!dev || !write || !dev->start || !dev->stop || !dev->config || !dev->current ||
	    !dev->status || !dev->shutdown)
		return NULL;
	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return NULL;
	sh->dev = *dev;
	sh->write = write;
	sh->wctx = wctx;
	shell_set_prompt(sh, "shmdev> ");
	sh->ed = editor_new(sh);
	if (!sh->ed) {
		free(sh);
		return NULL;
	}
	return sh;
}

void shell_free(struct shell *sh)
{
	if (!sh)
		return;
	editor_free(sh->ed);
	free(sh);
}
