/* tests/unit/test_shell.c - the shell through shell_*, with a fake device.
 *
 * Built with whichever editor the build chose (lineedit or readline), so
 * every check here is one both editors must pass: what the person sees
 * (echo once, CR/LF, Ctrl-C, history, completion) and what the device is
 * asked to do.
 */
#include <stdlib.h>
#include <string.h>

#include "shell/shell.h"
#include "tests/check.h"

static char out[1 << 18];
static size_t out_len;

static void record(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (len > sizeof(out) - 1 - out_len)
		len = sizeof(out) - 1 - out_len;
	memcpy(out + out_len, buf, len);
	out_len += len;
	out[out_len] = '\0';
}

static void clear_out(void)
{
	out_len = 0;
	out[0] = '\0';
}

struct fake {
	int running;
	int starts, stops, configs, statuses, shutdowns;
	enum wave_kind wave;
	uint64_t period_ns, interval_ns;
	int reset;
	int config_result;
};

static struct fake dev;

static int fake_start(void *ctx)
{
	struct fake *f = ctx;

	f->starts++;
	if (f->running)
		return 1;
	f->running = 1;
	return 0;
}

static int fake_stop(void *ctx)
{
	struct fake *f = ctx;

	f->stops++;
	if (!f->running)
		return 1;
	f->running = 0;
	return 0;
}

static struct shell *the_shell;

static int fake_config(void *ctx, enum wave_kind wave, uint64_t period_ns, int reset_time)
{
	struct fake *f = ctx;

	f->configs++;
	if (f->config_result) {
		shell_printf(the_shell, "config refused: busy\n");
		return f->config_result;
	}
	f->wave = wave;
	f->period_ns = period_ns;
	f->reset = reset_time;
	f->running = 1;
	return 0;
}

static void fake_current(void *ctx, enum wave_kind *wave, uint64_t *period_ns,
			 uint64_t *interval_ns)
{
	struct fake *f = ctx;

	*wave = f->wave;
	*period_ns = f->period_ns;
	*interval_ns = f->interval_ns;
}

static void fake_status(void *ctx, struct shell *sh)
{
	struct fake *f = ctx;

	f->statuses++;
	shell_printf(sh, "state: %s\nwave: %s\n", f->running ? "running" : "stopped",
		     wave_name(f->wave));
}

static void fake_shutdown(void *ctx)
{
	struct fake *f = ctx;

	f->shutdowns++;
}

static const struct shell_device fake_device = {
	.ctx = &dev,
	.start = fake_start,
	.stop = fake_stop,
	.config = fake_config,
	.current = fake_current,
	.status = fake_status,
	.shutdown = fake_shutdown,
};

/* A shell on a fresh fake device (SIN, 2 s, 10 ms samples, stopped),
 * greeted, with nothing recorded yet. */
static struct shell *fresh(void)
{
	memset(&dev, 0, sizeof(dev));
	dev.wave = WAVE_SIN;
	dev.period_ns = 2000000000ull;
	dev.interval_ns = 10000000ull;
	the_shell = shell_new(&fake_device, record, NULL);
	CHECK(the_shell != NULL);
	shell_greet(the_shell, NULL);
	clear_out();
	return the_shell;
}

static int no_bare_lf(void)
{
	size_t i;

	for (i = 0; i < out_len; i++)
		if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r'))
			return 0;
	return 1;
}

/* Every test ends here: the output so far must hold no bare "\n". */
static void done(struct shell *sh)
{
	CHECKF(no_bare_lf(), "bare \\n in output: '%s'", out);
	shell_free(sh);
	the_shell = NULL;
}

static void type(struct shell *sh, const char *s)
{
	shell_input(sh, s, strlen(s));
}

static int count(const char *needle)
{
	const char *p = out;
	int n = 0;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

#define HAS(s) CHECKF(strstr(out, s) != NULL, "no '%s' in output:\n%s", s, out)

static void test_greet_banner_then_prompt(void)
{
	memset(&dev, 0, sizeof(dev));
	the_shell = shell_new(&fake_device, record, NULL);
	CHECK(the_shell != NULL);
	clear_out();
	shell_greet(the_shell, "shmdev: a 10-bit ADC\n");
	HAS("shmdev: a 10-bit ADC\r\n");
	HAS("shmdev> ");
	CHECK(strstr(out, "shmdev> ") > strstr(out, "ADC\r\n"));
	done(the_shell);
}

static void test_set_prompt(void)
{
	memset(&dev, 0, sizeof(dev));
	the_shell = shell_new(&fake_device, record, NULL);
	clear_out();
	shell_set_prompt(the_shell, "adc0> ");
	shell_greet(the_shell, NULL);
	HAS("adc0> ");
	CHECK(!strstr(out, "shmdev> "));
	done(the_shell);
}

static void test_new_needs_every_callback(void)
{
	struct shell_device partial = fake_device;

	partial.status = NULL;
	CHECK(shell_new(&partial, record, NULL) == NULL);
	CHECK(shell_new(NULL, record, NULL) == NULL);
	CHECK(shell_new(&fake_device, NULL, NULL) == NULL);
}

static void test_echo_once(void)
{
	struct shell *sh = fresh();

	type(sh, "status\r");
	CHECKF(!strncmp(out, "status\r\n", 8), "output starts '%.20s'", out);
	CHECK(count("status") == 1);
	CHECK(dev.statuses == 1);
	HAS("state: stopped\r\nwave: SIN\r\n");
	done(sh);
}

static void test_input_in_any_chunks(void)
{
	struct shell *sh = fresh();
	const char *s = "status\r";
	size_t i;

	for (i = 0; s[i]; i++)
		shell_input(sh, s + i, 1);
	CHECK(dev.statuses == 1);
	CHECK(count("status") == 1);
	done(sh);
}

static void test_prompt_after_command(void)
{
	struct shell *sh = fresh();

	type(sh, "status\r");
	CHECKF(out_len >= 8 && !strcmp(out + out_len - 8, "shmdev> "),
	       "output ends '%s'", out_len > 20 ? out + out_len - 20 : out);
	done(sh);
}

static void test_help_lists_every_command(void)
{
	static const char *const names[] = { "help", "status", "start", "stop", "config", "exit" };
	struct shell *sh = fresh();
	size_t i;

	type(sh, "help\r");
	for (i = 0; i < 6; i++) {
		char line[32];

		snprintf(line, sizeof(line), "\n  %s ", names[i]);
		HAS(line);
	}
	HAS("config [WAVE PERIOD [reset]]");
	done(sh);
}

static void test_help_one_command(void)
{
	struct shell *sh = fresh();

	type(sh, "help config\r");
	HAS("usage: config [WAVE PERIOD [reset]]\r\n");
	clear_out();
	type(sh, "help stop\r");
	HAS("usage: stop\r\n");
	clear_out();
	type(sh, "help frobnicate\r");
	HAS("help: unknown command 'frobnicate'");
	done(sh);
}

static void test_status_calls_device(void)
{
	struct shell *sh = fresh();

	type(sh, "status\rstatus\r");
	CHECK(dev.statuses == 2);
	done(sh);
}

static void test_start_stop_idempotent(void)
{
	struct shell *sh = fresh();

	type(sh, "start\r");
	HAS("started\r\n");
	CHECK(dev.running && dev.starts == 1);
	clear_out();
	type(sh, "start\r");
	HAS("already running\r\n");
	CHECK(dev.running && dev.starts == 2);
	clear_out();
	type(sh, "stop\r");
	HAS("stopped\r\n");
	CHECK(!strstr(out, "already"));
	CHECK(!dev.running);
	clear_out();
	type(sh, "stop\r");
	HAS("already stopped\r\n");
	CHECK(!dev.running && dev.stops == 2);
	done(sh);
}

static void test_extra_arguments_named(void)
{
	struct shell *sh = fresh();

	type(sh, "status now\r");
	HAS("status: unexpected argument 'now'");
	type(sh, "start 1\r");
	HAS("start: unexpected argument '1'");
	type(sh, "stop x y\r");
	HAS("stop: unexpected argument 'x'");
	type(sh, "help stop start\r");
	HAS("help: unexpected argument 'start'");
	type(sh, "exit please\r");
	HAS("exit: unexpected argument 'please'");
	type(sh, "config SIN 1 reset more\r");
	HAS("config: unexpected argument 'more'");
	CHECK(dev.statuses == 0 && dev.starts == 0 && dev.stops == 0);
	CHECK(dev.shutdowns == 0 && dev.configs == 0);
	done(sh);
}

static void test_unknown_command_named(void)
{
	struct shell *sh = fresh();

	type(sh, "foo\r");
	HAS("unknown command 'foo': type 'help' for a list\r\n");
	clear_out();
	type(sh, "STATUS\r");                   /* commands are lower case */
	HAS("unknown command 'STATUS'");
	clear_out();
	type(sh, "quit\r");                     /* no aliases */
	HAS("unknown command 'quit'");
	CHECK(dev.statuses == 0 && dev.shutdowns == 0);
	done(sh);
}

static void test_blanks_trimmed_empty_ignored(void)
{
	struct shell *sh = fresh();

	type(sh, "   status \t \r");
	CHECK(dev.statuses == 1);
	clear_out();
	type(sh, "\r   \r\t\r");
	CHECK(!strstr(out, "unknown"));
	CHECK(count("shmdev> ") == 3);
	done(sh);
}

static void test_enter_forms(void)
{
	struct shell *sh = fresh();

	type(sh, "status\r\nstatus\n\rstatus\nstatus\r");
	CHECK(dev.statuses == 4);
	clear_out();
	type(sh, "status\r");
	type(sh, "\n");                         /* the rest of a CRLF */
	CHECK(dev.statuses == 5);
	CHECK(count("shmdev> ") == 1);
	clear_out();
	type(sh, "\r\r");                       /* CR CR: two (empty) lines */
	CHECK(count("shmdev> ") == 2);
	done(sh);
}

/* A line stops at LED_LINE_MAX bytes in both editors; the rest of a long
 * paste is dropped, and the shell carries on. */
static void test_long_line_stops_at_the_limit(void)
{
	struct shell *sh = fresh();
	char line[100000];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	type(sh, line);
	type(sh, "\r");
	HAS("unknown command 'xxx");
	type(sh, "status\r");
	CHECK(dev.statuses == 1 && dev.configs == 0 && dev.shutdowns == 0);
	/* "stop" and blanks up to the limit: " now" comes too late. */
	memset(line, ' ', LED_LINE_MAX);
	memcpy(line, "stop", 4);
	strcpy(line + LED_LINE_MAX, " now\r");
	type(sh, line);
	CHECK(dev.stops == 1);
	CHECK(!strstr(out, "unexpected argument"));
	done(sh);
}

/* readline's Ctrl-V puts a literal ESC in the line (lineedit drops it):
 * a message naming the word must not send it to the terminal. */
static void test_control_bytes_never_echoed_in_messages(void)
{
	struct shell *sh = fresh();

	type(sh, "config SIN \x16\x1b[2J 1\r");
	CHECKF(!strstr(out, "'\x1b"), "output '%s'", out);
	done(sh);
}

/* Key sequences that crashed readline 8.2 in callback mode (found by
 * feeding random bytes); the shell must answer normally afterwards. */
static void test_readline_crashers_harmless(void)
{
	static const char *const keys[] = {
		"\x12\x18s\r",                          /* Ctrl-R Ctrl-X s */
		"p\r\x10\x1bn\x03-\x0e\x02t\r\x10\x10\n",   /* M-n, Ctrl-C, edit */
		"a\x18(status\rhelp\r\x18)\x18" "e\r",         /* keyboard macro */
		"\x13" "abc\x18\x14\r",                     /* Ctrl-S ... Ctrl-X */
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct shell *sh = fresh();

		type(sh, keys[i]);
		type(sh, "\x03");
		clear_out();
		type(sh, "status\r");
		CHECKF(strstr(out, "state: "), "case %zu: '%s'", i, out);
		done(sh);
	}
}

/* A line left half-edited on a recalled history entry, then shell_free():
 * the next shell must not inherit readline's undo list. */
static void test_free_while_editing_recalled_line(void)
{
	struct shell *sh = fresh();

	type(sh, "p\r\x10" "4\x10\x01 ");
	done(sh);
	sh = fresh();
	type(sh, "\x10\x10status\r");
	CHECK(dev.statuses == 1);
	done(sh);
}

/* Alt-digits are no repeat count: one key, one byte. */
static void test_no_repeat_counts(void)
{
	struct shell *sh = fresh();

	type(sh, "\x1b" "9\x1b" "9s\x1b" "5tatus\r");
	CHECK(dev.statuses == 1);
	done(sh);
}

/* Line noise: pseudo-random bytes, then Ctrl-C and a command that must
 * still be understood. */
static void test_random_bytes_then_status(void)
{
	struct shell *sh = fresh();
	static char noise[1 << 16];
	uint32_t x = 12345;
	size_t i;

	for (i = 0; i < sizeof(noise); i++) {
		x = x * 1103515245u + 12345u;
		noise[i] = (char)(x >> 23);
	}
	for (i = 0; i < sizeof(noise); i += 1000)
		shell_input(sh, noise + i, sizeof(noise) - i < 1000 ? sizeof(noise) - i : 1000);
	if (dev.shutdowns) {                    /* "exit" typed by chance */
		done(sh);
		return;
	}
	type(sh, "\x03");
	clear_out();
	type(sh, "status\r");
	HAS("state: ");
	done(sh);
}

static void test_config_line_good(void)
{
	struct shell *sh = fresh();

	type(sh, "config sine 0.5 reset\r");
	CHECK(dev.configs == 1);
	CHECK(dev.wave == WAVE_SIN && dev.period_ns == 500000000ull && dev.reset == 1);
	HAS("configured: SIN, period 0.5 s, time reset\r\n");
	clear_out();
	type(sh, "config TRI 3\r");
	CHECK(dev.configs == 2);
	CHECK(dev.wave == WAVE_TRI && dev.period_ns == 3000000000ull && dev.reset == 0);
	HAS("configured: TRI, period 3 s, time kept\r\n");
	done(sh);
}

static void test_config_line_bad(void)
{
	static const struct { const char *line, *named; } cases[] = {
		{ "config FOO 1\r", "bad wave 'FOO'" },
		{ "config SIN 0\r", "bad period '0'" },
		{ "config SIN abc\r", "bad period 'abc'" },
		{ "config SIN nan\r", "bad period 'nan'" },
		{ "config SIN 0.01\r", "bad period '0.01'" },   /* one sample interval */
		{ "config SIN 1e9\r", "bad period '1e9'" },
		{ "config SIN 1 now\r", "unexpected argument 'now'" },
		{ "config SIN\r", "config: missing PERIOD" },
	};
	struct shell *sh = fresh();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clear_out();
		type(sh, cases[i].line);
		HAS(cases[i].named);
	}
	CHECK(dev.configs == 0);
	clear_out();
	type(sh, "config FOO bar\r");           /* both named */
	HAS("bad wave 'FOO'");
	HAS("bad period 'bar'");
	CHECK(dev.configs == 0);
	done(sh);
}

static void test_config_refused_by_device(void)
{
	struct shell *sh = fresh();

	dev.config_result = -1;
	type(sh, "config QUA 1\r");
	CHECK(dev.configs == 1);
	HAS("config refused: busy\r\n");
	CHECK(!strstr(out, "configured"));
	done(sh);
}

static void test_config_dialog(void)
{
	struct shell *sh = fresh();

	type(sh, "config\r");
	HAS("wave (SIN, QUA, TRI) [SIN]: ");
	clear_out();
	type(sh, "bogus\r");
	HAS("bad wave 'bogus': expected");
	HAS("wave (SIN, QUA, TRI) [SIN]: ");    /* asked again */
	clear_out();
	type(sh, "triangle\r");
	HAS("reset time (yes/no) [no]: ");
	clear_out();
	type(sh, "maybe\r");
	HAS("bad answer 'maybe': expected yes or no\r\n");
	HAS("reset time (yes/no) [no]: ");
	clear_out();
	type(sh, "Y\r");
	HAS("period in seconds [2]: ");
	clear_out();
	type(sh, "0\r");
	HAS("bad period '0': expected seconds from 0.02 to 86400\r\n");
	HAS("period in seconds [2]: ");
	CHECK(dev.configs == 0);
	clear_out();
	type(sh, " 0.25 \r");
	CHECK(dev.configs == 1);
	CHECK(dev.wave == WAVE_TRI && dev.period_ns == 250000000ull && dev.reset == 1);
	HAS("configured: TRI, period 0.25 s, time reset\r\n");
	HAS("shmdev> ");
	done(sh);
}

static void test_config_dialog_defaults(void)
{
	struct shell *sh = fresh();

	dev.wave = WAVE_QUA;
	dev.period_ns = 1500000000ull;
	type(sh, "config\r");
	HAS("[QUA]: ");
	type(sh, "\r\r");
	HAS("period in seconds [1.5]: ");
	type(sh, "\r");
	CHECK(dev.configs == 1);
	CHECK(dev.wave == WAVE_QUA && dev.period_ns == 1500000000ull && dev.reset == 0);
	done(sh);
}

static void test_config_dialog_yes_no_forms(void)
{
	static const struct { const char *answer; int reset; } cases[] = {
		{ "yes", 1 }, { "YES", 1 }, { "y", 1 }, { "Yes", 1 },
		{ "no", 0 }, { "N", 0 }, { "nO", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct shell *sh = fresh();

		type(sh, "config\r\r");
		type(sh, cases[i].answer);
		type(sh, "\r\r");
		CHECKF(dev.configs == 1 && dev.reset == cases[i].reset, "answer '%s'",
		       cases[i].answer);
		done(sh);
	}
}

static void test_config_dialog_cancelled(void)
{
	struct shell *sh = fresh();

	type(sh, "config\rtri\ryes\r0.5");
	clear_out();
	type(sh, "\x03");
	HAS("^C\r\n");
	HAS("config cancelled, nothing changed\r\n");
	HAS("shmdev> ");
	CHECK(dev.configs == 0);
	CHECK(dev.wave == WAVE_SIN && dev.period_ns == 2000000000ull);
	type(sh, "status\r");                   /* back to commands */
	CHECK(dev.statuses == 1);
	done(sh);
}

static void test_config_dialog_answers_not_commands(void)
{
	struct shell *sh = fresh();

	type(sh, "config\rexit\r");
	HAS("bad wave 'exit'");
	CHECK(dev.shutdowns == 0);
	type(sh, "\x03");
	done(sh);
}

static void test_ctrl_c_at_prompt(void)
{
	struct shell *sh = fresh();

	type(sh, "stat");
	clear_out();
	type(sh, "\x03");
	HAS("^C\r\n");
	CHECKF(out_len >= 8 && !strcmp(out + out_len - 8, "shmdev> "), "output '%s'", out);
	CHECK(!strstr(out, "cancelled"));
	type(sh, "us\r");                       /* the old line is gone */
	HAS("unknown command 'us'");
	CHECK(dev.statuses == 0);
	done(sh);
}

static void test_exit(void)
{
	struct shell *sh = fresh();

	type(sh, "exit\rstatus\r");
	CHECK(dev.shutdowns == 1);
	HAS("goodbye\r\n");
	CHECK(dev.statuses == 0);               /* nothing after exit */
	CHECKF(!strstr(out, "shmdev> "), "prompt after exit: '%s'", out);
	type(sh, "status\r");
	CHECK(dev.statuses == 0);
	done(sh);
}

static void test_history_recalls_commands(void)
{
	struct shell *sh = fresh();

	type(sh, "start\rstatus\r");
	clear_out();
	type(sh, "\x1b[A\r");
	CHECK(dev.statuses == 2);
	type(sh, "\x1b[A\x1b[A\r");
	CHECK(dev.starts == 2);
	type(sh, "\x10\x10\x0e\r");             /* start, status, start */
	CHECK(dev.starts == 3 && dev.statuses == 2);
	done(sh);
}

static void test_history_skips_dialog_answers(void)
{
	struct shell *sh = fresh();

	type(sh, "status\rconfig\rtri\r\r\r");
	CHECK(dev.configs == 1);
	type(sh, "\x1b[A\x1b[A\r");             /* config, then status */
	CHECK(dev.statuses == 2);
	done(sh);
}

static void test_complete_command_name(void)
{
	struct shell *sh = fresh();

	type(sh, "he\t\r");                     /* help, the list */
	HAS("  config [WAVE PERIOD [reset]]");
	clear_out();
	type(sh, "sta\tr\t\r");                 /* start or status; star: start */
	CHECK(dev.starts == 1);
	done(sh);
}

static void test_complete_lists_on_second_tab(void)
{
	struct shell *sh = fresh();

	type(sh, "st");
	clear_out();
	type(sh, "\t\t");
	HAS("start");
	HAS("status");
	HAS("stop");
	type(sh, "o\t\r");
	CHECK(dev.stops == 1);
	done(sh);
}

static void test_complete_wave_and_reset(void)
{
	struct shell *sh = fresh();

	type(sh, "co\tT\t0.5 r\t\r");
	CHECK(dev.configs == 1);
	CHECK(dev.wave == WAVE_TRI && dev.period_ns == 500000000ull && dev.reset == 1);
	clear_out();
	type(sh, "config sIn 1\r");
	type(sh, "config tr\t2\r");           /* any case in, the canonical name out */
	CHECK(dev.configs == 3 && dev.wave == WAVE_TRI && dev.period_ns == 2000000000ull);
	clear_out();
	type(sh, "config \t\t");
	HAS("QUA");
	HAS("SIN");
	HAS("TRI");
	type(sh, "\x03");
	done(sh);
}

static void test_complete_in_dialog(void)
{
	struct shell *sh = fresh();

	type(sh, "config\rq\t\r\r\r");
	CHECK(dev.configs == 1 && dev.wave == WAVE_QUA);
	done(sh);
}

static void test_notify_redraws_line(void)
{
	struct shell *sh = fresh();
	const char *msg, *again;

	type(sh, "sta");
	clear_out();
	shell_notify(sh, "ADC task restarted");
	msg = strstr(out, "ADC task restarted\r\n");
	CHECKF(msg != NULL, "output '%s'", out);
	again = msg ? strstr(msg, "shmdev> sta") : NULL;
	CHECKF(again != NULL, "line not redrawn: '%s'", out);
	type(sh, "tus\r");
	CHECK(dev.statuses == 1);
	done(sh);
}

static void test_notify_between_lines(void)
{
	struct shell *sh = fresh();

	shell_notify(sh, "overrun %d\n", 3);
	HAS("overrun 3\r\n");
	CHECK(count("\r\n") == 1);
	done(sh);
}

static void test_printf_converts_newlines(void)
{
	struct shell *sh = fresh();

	clear_out();
	shell_printf(sh, "a\nb\r\nc\n\n");
	CHECKF(!strcmp(out, "a\r\nb\r\nc\r\n\r\n"), "wrote '%s'", out);
	clear_out();
	shell_printf(sh, "%0300d\n", 7);        /* longer than the stack buffer */
	CHECK(out_len == 302 && out[299] == '7');
	done(sh);
}

static void test_greet_again_redraws(void)
{
	struct shell *sh = fresh();

	type(sh, "sto");
	clear_out();
	shell_greet(sh, "welcome back");
	HAS("welcome back\r\n");
	HAS("shmdev> sto");
	type(sh, "p\r");
	CHECK(dev.stops == 1);
	done(sh);
}

static void test_complete_function(void)
{
	const char *c[LED_COMPLETE_MAX];
	size_t ws, n;

	n = shell_complete("", 0, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 6 && ws == 0);
	CHECK(n == 6 && !strcmp(c[0], "config") && !strcmp(c[5], "stop"));
	n = shell_complete("st", 2, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 3 && !strcmp(c[0], "start") && !strcmp(c[1], "status") &&
	      !strcmp(c[2], "stop"));
	n = shell_complete("help s", 6, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 3 && ws == 5);
	n = shell_complete("config ", 7, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 3 && ws == 7);
	CHECK(n == 3 && !strcmp(c[0], "QUA") && !strcmp(c[1], "SIN") && !strcmp(c[2], "TRI"));
	n = shell_complete("config  s", 9, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 1 && ws == 8 && !strcmp(c[0], "SIN"));
	n = shell_complete("config tR", 9, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 1 && !strcmp(c[0], "TRI"));
	n = shell_complete("config TRIx", 11, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 0);
	n = shell_complete("CONFIG ", 7, c, LED_COMPLETE_MAX, &ws);   /* not a command */
	CHECK(n == 0);
	n = shell_complete("S", 1, c, LED_COMPLETE_MAX, &ws);         /* commands: exact */
	CHECK(n == 0);
	n = shell_complete("config SIN ", 11, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 0);
	n = shell_complete("config SIN 2 ", 13, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 1 && !strcmp(c[0], "reset"));
	n = shell_complete("config SIN 2 r", 14, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 1 && ws == 13);
	n = shell_complete("config SIN 2 reset ", 19, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 0);
	n = shell_complete("status ", 7, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 0);
	n = shell_complete("help help ", 10, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 0);
	n = shell_complete("stop xyz", 2, c, LED_COMPLETE_MAX, &ws);   /* only before end */
	CHECK(n == 3 && ws == 0);
	n = shell_complete("", 0, c, 2, &ws);
	CHECK(n == 2);
	n = shell_complete_wave("", 0, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 3);
	n = shell_complete_wave("q", 1, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 1 && !strcmp(c[0], "QUA"));
	n = shell_complete_wave("SIN ", 4, c, LED_COMPLETE_MAX, &ws);
	CHECK(n == 0);
}

int main(void)
{
	RUN(test_greet_banner_then_prompt);
	RUN(test_set_prompt);
	RUN(test_new_needs_every_callback);
	RUN(test_echo_once);
	RUN(test_input_in_any_chunks);
	RUN(test_prompt_after_command);
	RUN(test_help_lists_every_command);
	RUN(test_help_one_command);
	RUN(test_status_calls_device);
	RUN(test_start_stop_idempotent);
	RUN(test_extra_arguments_named);
	RUN(test_unknown_command_named);
	RUN(test_blanks_trimmed_empty_ignored);
	RUN(test_enter_forms);
	RUN(test_long_line_stops_at_the_limit);
	RUN(test_control_bytes_never_echoed_in_messages);
	RUN(test_readline_crashers_harmless);
	RUN(test_free_while_editing_recalled_line);
	RUN(test_no_repeat_counts);
	RUN(test_random_bytes_then_status);
	RUN(test_config_line_good);
	RUN(test_config_line_bad);
	RUN(test_config_refused_by_device);
	RUN(test_config_dialog);
	RUN(test_config_dialog_defaults);
	RUN(test_config_dialog_yes_no_forms);
	RUN(test_config_dialog_cancelled);
	RUN(test_config_dialog_answers_not_commands);
	RUN(test_ctrl_c_at_prompt);
	RUN(test_exit);
	RUN(test_history_recalls_commands);
	RUN(test_history_skips_dialog_answers);
	RUN(test_complete_command_name);
	RUN(test_complete_lists_on_second_tab);
	RUN(test_complete_wave_and_reset);
	RUN(test_complete_in_dialog);
	RUN(test_notify_redraws_line);
	RUN(test_notify_between_lines);
	RUN(test_printf_converts_newlines);
	RUN(test_greet_again_redraws);
	RUN(test_complete_function);
	return CHECK_EXIT;
}
