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

/* A terminal attached: the banner (NULL: none) on a line of its own, then
 * the prompt; if a line was being edited already, it is drawn again. */
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

/* Replace the prompt (default "shmdev> "; at most LED_PROMPT_MAX bytes, the
 * rest is cut). Call it before shell_greet(): a prompt already on the
 * screen keeps its text until the next line. */
void shell_set_prompt(struct shell *sh, const char *prompt);

/* Completion shared by both editors: candidates for the word that ends at
 * `end` in line (command names first, then wave names after `config` and
 * command names after `help`, "reset" after `config WAVE PERIOD`). Wave
 * names are SIN, QUA, TRI, matched in any case ("tr" gives "TRI"); the rest
 * match exactly. Writes up to max pointers to static strings, sorted, sets
 * *word_start, returns the number found. */
size_t shell_complete(const char *line, size_t end, const char **out, size_t max,
		      size_t *word_start);
/* The same for an answer to the config dialog's wave question: wave names
 * for the first word, nothing after it. */
size_t shell_complete_wave(const char *line, size_t end, const char **out, size_t max,
			   size_t *word_start);

/* ---- The built-in line editor (shell/lineedit.c) ----
 *
 * A byte-at-a-time state machine: led_feed() takes one byte and writes any
 * echo or redraw through the write callback. It needs no terminal, so it is
 * unit-tested and fuzzed directly. The escape sequences it understands and
 * emits are listed at the top of shell/lineedit.c.
 */
enum {
	LED_LINE_MAX = 255,      /* bytes in one line; a full line rings the bell
				  * once, then drops what is typed */
	LED_HISTORY = 32,        /* lines kept for up/down */
	LED_PROMPT_MAX = 64,
	LED_COLUMNS = 80,        /* terminal width assumed: serial clients never tell */
	LED_SEQ_MAX = 16,        /* bytes of an escape sequence kept */
	LED_COMPLETE_MAX = 32,   /* completion candidates asked for */
};

enum led_result {
	LED_MORE,       /* keep feeding */
	LED_ENTER,      /* a line is complete: led_line() */
	LED_CANCEL,     /* Ctrl-C: the line was abandoned */
};

typedef size_t led_complete_fn(const char *line, size_t end, const char **out,
			       size_t max, size_t *word_start);

/* The escape-sequence grammar both editors share (ECMA-48): ESC [ or ESC O,
 * parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, one final byte
 * 0x40-0x7E; or ESC and one printable byte (an Alt-key). */
enum led_esc_state { LED_ESC_IDLE, LED_ESC_START, LED_ESC_CSI, LED_ESC_SS3 };

enum led_esc_result {
	LED_ESC_NONE,   /* not in a sequence: the byte is an ordinary key */
	LED_ESC_PART,   /* the byte belongs to a sequence still open */
	LED_ESC_DONE,   /* the byte completed seq[0..len) */
	LED_ESC_BROKEN, /* a control byte cut the sequence short: the sequence
			 * is dropped and the byte is an ordinary key */
};

struct led_esc {
	enum led_esc_state state;
	char seq[LED_SEQ_MAX + 1];   /* the sequence from its ESC, NUL-terminated */
	size_t len;
	int bad;                 /* too long or malformed: matches no key */
};

enum led_esc_result led_esc_feed(struct led_esc *s, unsigned char byte);

struct led {
	shell_write_fn *write;
	void *wctx;
	led_complete_fn *complete;      /* NULL: Tab does nothing */
	char prompt[LED_PROMPT_MAX + 1];
	size_t plen;
	char buf[LED_LINE_MAX + 1];
	size_t len, pos;
	struct led_esc esc;
	int enter;               /* '\r' or '\n' if the last byte was that Enter */
	int tab_idle;            /* the last key was a Tab that changed nothing */
	int full_rang;           /* the last key was dropped from a full line */
	int active;              /* a line is being edited: hide/show act */
	char history[LED_HISTORY][LED_LINE_MAX + 1];
	int hist_count, hist_index;
	char saved[LED_LINE_MAX + 1];   /* the line being edited while browsing history */
};

void led_init(struct led *e, shell_write_fn *write, void *wctx, led_complete_fn *complete);
/* Print prompt and start a new, empty line. */
void led_start(struct led *e, const char *prompt);
enum led_result led_feed(struct led *e, unsigned char byte);
/* The line completed by LED_ENTER (NUL-terminated, valid until the next
 * led_start or feed). */
const char *led_line(const struct led *e);
/* Add a line to the history, unless empty or the same as the last one. */
void led_history_add(struct led *e, const char *line);
/* Erase prompt and line from the screen / draw them again (for shell_notify).
 * Both do nothing while no line is being edited. */
void led_hide(struct led *e);
void led_show(struct led *e);

/* ---- Between the files of shell/ only ----
 *
 * shell/shell.c drives one editor backend, shell/editor_builtin.c or
 * shell/editor_readline.c (the Makefile links exactly one). The backend
 * writes everything through shell_output().
 */
struct shell_editor;

/* Every byte the shell writes goes through here: a "\n" not preceded by
 * "\r" becomes "\r\n". */
void shell_output(struct shell *sh, const char *buf, size_t len);

/* The name of command i (in `help` order), NULL past the last: what
 * shell/complete.c offers. */
const char *shell_command_name(size_t i);

/* NULL on failure (the readline backend: also when a shell already exists). */
struct shell_editor *editor_new(struct shell *sh);
void editor_free(struct shell_editor *ed);
/* Show prompt and start a new, empty line; Tab asks complete (NULL: none). */
void editor_start(struct shell_editor *ed, const char *prompt, led_complete_fn *complete);
/* One typed byte. LED_ENTER: editor_line() holds the line. No line is being
 * edited after LED_ENTER or LED_CANCEL until the next editor_start(). */
enum led_result editor_feed(struct shell_editor *ed, unsigned char byte);
const char *editor_line(const struct shell_editor *ed);
void editor_history_add(struct shell_editor *ed, const char *line);
/* Hide / redraw the line being edited around other output. */
void editor_hide(struct shell_editor *ed);
void editor_show(struct shell_editor *ed);

#endif
