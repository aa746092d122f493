/* shell/shell.h - the device's command shell: the whole interface of shell/.
 *
 * The shell turns bytes typed on the device's console into commands (help,
 * status, start, stop, config, exit) and writes its answers through a
 * callback. It owns no file descriptors: the device's poll loop feeds it
 * input and drains its output, so the same code runs on a pty, in unit
 * tests and under a fuzzer.
 *
 * Every line it writes ends in "\r\n" (a raw pty has no OPOST/ONLCR).
 * CR, LF, CRLF and LFCR each count as one Enter; CR CR is two.
 *
 * Line editing comes from one of two editors, chosen at build time:
 *   shell/editor_readline.c  GNU readline's callback interface (READLINE=yes)
 *   shell/editor_builtin.c   our own line editor, shell/lineedit.c (READLINE=no)
 */
#ifndef SHMDEV_SHELL_H
#define SHMDEV_SHELL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "wave/wave.h"

struct shell;

/* What the shell may ask of the device. Every call is made from
 * shell_input(), on the device's own thread. */
struct shell_device {
	void *ctx;
	/* Return 0 when the state changed, 1 when it already was so. */
	int (*start)(void *ctx);
	int (*stop)(void *ctx);
	/* Apply wave, period and time reset in one step, then run. 0 or -1
	 * (with a reason written through shell_printf). */
	int (*config)(void *ctx, enum wave_kind wave, uint64_t period_ns, int reset_time);
	/* The configuration now, for dialog defaults and validation. */
	void (*current)(void *ctx, enum wave_kind *wave, uint64_t *period_ns,
			uint64_t *interval_ns);
	/* Print the status report with shell_printf. */
	void (*status)(void *ctx, struct shell *sh);
	/* `exit`: the device shuts down once shell_input() returns. */
	void (*shutdown)(void *ctx);
};

typedef void shell_write_fn(void *ctx, const char *buf, size_t len);

/* One shell at a time (readline keeps global state). NULL on failure. */
struct shell *shell_new(const struct shell_device *dev, shell_write_fn *write, void *wctx);
void shell_free(struct shell *sh);

/* A terminal attached: greeting and a fresh prompt. */
void shell_greet(struct shell *sh, const char *banner);
/* Bytes typed by the person at the terminal, in any chunking. */
void shell_input(struct shell *sh, const char *buf, size_t len);
/* Output of the command being run ("\n" becomes "\r\n"). */
void shell_printf(struct shell *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An unprompted message (the ADC task restarted ...): hides the line being
 * edited, prints the message on its own line, redraws prompt and line. */
void shell_notify(struct shell *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Completion shared by both editors: candidates for the word that ends at
 * `end` in line (command names first, then wave names after `config` and
 * command names after `help`). Writes up to max pointers to static strings,
 * sets *word_start, returns the number found. */
size_t shell_complete(const char *line, size_t end, const char **out, size_t max,
		      size_t *word_start);

/* ---- The built-in line editor (shell/lineedit.c) ----
 *
 * A byte-at-a-time state machine: led_feed() takes one byte and writes any
 * echo or redraw through the write callback. It needs no terminal, so it is
 * unit-tested and fuzzed directly. The escape sequences it understands and
 * emits are listed at the top of shell/lineedit.c.
 */
enum {
	LED_LINE_MAX = 255,      /* bytes in one line; a full line rings the bell */
	LED_HISTORY = 32,        /* lines kept for up/down */
	LED_PROMPT_MAX = 64,
};

enum led_result {
	LED_MORE,       /* keep feeding */
	LED_ENTER,      /* a line is complete: led_line() */
	LED_CANCEL,     /* Ctrl-C: the line was abandoned */
};

typedef size_t led_complete_fn(const char *line, size_t end, const char **out,
			       size_t max, size_t *word_start);

struct led {
	shell_write_fn *write;
	void *wctx;
	led_complete_fn *complete;
	char prompt[LED_PROMPT_MAX + 1];
	char buf[LED_LINE_MAX + 1];
	size_t len, pos;
	int esc;                 /* escape-sequence parser state */
	char seq[16];            /* CSI parameter bytes seen so far */
	size_t seqlen;
	int last_was_tab;
	char history[LED_HISTORY][LED_LINE_MAX + 1];
	int hist_count, hist_index;
	char saved[LED_LINE_MAX + 1];   /* the line being edited while browsing history */
};

void led_init(struct led *e, shell_write_fn *write, void *wctx, led_complete_fn *complete);
/* Print prompt and start a new, empty line. */
void led_start(struct led *e, const char *prompt);
enum led_result led_feed(struct led *e, unsigned char byte);
/* The line completed by LED_ENTER (NUL-terminated, valid until the next feed). */
const char *led_line(const struct led *e);
void led_history_add(struct led *e, const char *line);
/* Erase prompt and line from the screen / draw them again (for shell_notify). */
void led_hide(struct led *e);
void led_show(struct led *e);

#endif
