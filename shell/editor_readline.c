/* shell/editor_readline.c - the READLINE=yes editor: GNU readline's callback
 * interface, on a terminal readline never touches.
 *
 * readline expects to own a tty: read its fd, set its modes, catch signals,
 * write to stdout. Here the device owns the pty and its poll loop, so:
 *
 *  - Input: editor_feed() hands readline one byte per rl_callback_read_char()
 *    through rl_getc_function. rl_input_available_hook says nothing more is
 *    queued, so readline never select()s fileno(rl_instream) (rl_insert's
 *    type-ahead and the key-sequence timeout would) and never asks for a
 *    byte it has not been given.
 *  - Output: rl_outstream is a fopencookie() stream into shell_output(),
 *    which writes "\r\n" for readline's bare "\n" (a raw pty has no OPOST).
 *    It is flushed before each editor_* call returns, so it never
 *    interleaves with what the shell writes directly.
 *  - rl_instream is a cookie stream with no fd: readline's start-up finds
 *    no termios to take key bindings from and no window size to read.
 *  - Terminal modes: no-op rl_prep_term_function / rl_deprep_term_function,
 *    so the modes the client (screen, picocom) chose stay. Prep is also
 *    where readline learns that the terminal echoes (it sets its private
 *    _rl_echoing_p from ECHO) and without that it draws nothing, not even
 *    the typed characters: rl_tty_set_echoing(1), public since readline
 *    7.0, sets it (older code declared _rl_echoing_p itself).
 *  - rl_read_init_file("/dev/null") before the first rl_initialize():
 *    readline then takes /dev/null as "the last init file read" and never
 *    reads $INPUTRC, ~/.inputrc or /etc/inputrc, so a user's key bindings
 *    cannot change what the console does. Debian's /etc/inputrc is also
 *    where Home, End and Delete (ESC[1~ ...) come from, so they are bound
 *    here, as shell/lineedit.c reads them.
 *  - Escape sequences go through the grammar of shell/lineedit.c first: a
 *    whole sequence reaches readline only if readline binds it. Otherwise
 *    readline would stop at the first unbound byte and insert the rest
 *    ("5~" for F5).
 *  - CRLF and LFCR are one Enter (the second byte is dropped), LF becomes
 *    CR; bytes 0x80-0xFF are dropped, as the built-in editor ignores them.
 *  - Lines stop at LED_LINE_MAX bytes, as in the built-in editor: readline
 *    redraws the whole line for every key, so a long paste (or line noise)
 *    costs time quadratic in its length, a minute for 100 kB. Numeric
 *    arguments (Alt-digits) go too: one key could insert a million bytes.
 *  - Ctrl-C (0x03: no ISIG on a raw pty) is bound to cancel_line(); Ctrl-D
 *    on an empty line is dropped, since readline would take it as EOF.
 *  - Some readline commands are unbound (see unsafe[]): random bytes on
 *    the console crash readline 8.2 in callback mode through them, also in
 *    a bare rl_callback_read_char() loop with nothing of ours: Ctrl-R
 *    Ctrl-X s dereferences NULL (a prefix key ending an incremental
 *    search), a non-incremental search (M-n, M-p) aborted with Ctrl-C and
 *    an edit to a recalled line free an undo list twice, and incremental
 *    search reads past a heap buffer. Keyboard macros replay several lines
 *    inside one rl_callback_read_char(), past the line handler.
 *  - The bell goes to stderr in readline (rl_ding), which is the device's
 *    log, not the person's terminal: bell-style none.
 *
 * readline's state is global, hence one editor (one shell) at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "shell/shell.h"

enum {
	CTRL_C = 0x03, CTRL_D = 0x04, LF = 0x0a, CR = 0x0d,
	SCREEN_ROWS = 24,
};

struct shell_editor {
	struct shell *sh;
	FILE *out, *in;
	int byte;                       /* the byte being fed, or EOF */
	int enter;                      /* '\r' or '\n' if the last byte was that Enter */
	struct led_esc esc;
	int active;                     /* the line handler is installed */
	int cancelled;                  /* Ctrl-C ended the line */
	enum led_result result;
	char *line;                     /* from readline, ours to free */
	led_complete_fn *complete;
	const char *cands[LED_COMPLETE_MAX];
	size_t ncands, next;
	int old_echoing;
};

static struct shell_editor *the_ed;

/* ---- Streams and hooks that keep readline off the terminal ---- */

static ssize_t out_write(void *cookie, const char *buf, size_t len)
{
	struct shell_editor *ed = cookie;

	shell_output(ed->sh, buf, len);
	return (ssize_t)len;
}

static ssize_t in_read(void *cookie, char *buf, size_t len)
{
	(void)cookie, (void)buf, (void)len;
	return 0;
}

/* EOF only if readline asked twice for one byte, which the input hook
 * below prevents. */
static int fed_byte(FILE *f)
{
	int c = the_ed->byte;

	(void)f;
	the_ed->byte = EOF;
	return c;
}

static int nothing_queued(void)
{
	return 0;
}

static void prep_nothing(int meta)
{
	(void)meta;
}

static void deprep_nothing(void)
{
}

/* ---- Lines ---- */

static void line_done(char *line)
{
	struct shell_editor *ed = the_ed;

	/* Removing the handler here stops readline from printing the same
	 * prompt again: the shell chooses the next one. */
	rl_callback_handler_remove();
	ed->active = 0;
	if (!line)              /* EOF: cannot come, Ctrl-D on an empty line is dropped */
		fputs("\n", rl_outstream);
	free(ed->line);
	ed->line = line;
	ed->result = ed->cancelled ? LED_CANCEL : LED_ENTER;
	ed->cancelled = 0;
}

/* Ctrl-C: "^C" after the line, which readline then hands over as done;
 * line_done() reports it as cancelled. */
static int cancel_line(int count, int key)
{
	(void)count, (void)key;
	rl_point = rl_end;
	rl_redisplay();
	fputs("^C\n", rl_outstream);
	the_ed->cancelled = 1;
	rl_done = 1;
	return 0;
}

/* ---- Completion ---- */

static char *next_candidate(const char *text, int state)
{
	struct shell_editor *ed = the_ed;

	(void)text;             /* the candidates already match it */
	if (!state)
		ed->next = 0;
	if (ed->next >= ed->ncands)
		return NULL;
	return strdup(ed->cands[ed->next++]);     /* readline frees it */
}

static char **attempt_completion(const char *text, int start, int end)
{
	struct shell_editor *ed = the_ed;
	size_t ws;

	(void)start;            /* same as ws: the word breaks are our blanks */
	rl_attempted_completion_over = 1;       /* never readline's file names */
	ed->ncands = 0;
	if (ed->complete)
		ed->ncands = ed->complete(rl_line_buffer, (size_t)end, ed->cands,
					  LED_COMPLETE_MAX, &ws);
	if (ed->ncands > LED_COMPLETE_MAX)
		ed->ncands = 0;
	return ed->ncands ? rl_completion_matches(text, next_candidate) : NULL;
}

/* ---- Set-up ---- */

/* No ESC[?2004h on every prompt, no highlighted regions, no BEL on the
 * device's stderr (see the top of the file). revert-all-at-newline undoes
 * edits to recalled lines at every Enter, as lineedit never changes its
 * history: otherwise the edited entry keeps an undo list that
 * stifle_history() leaks when the entry ages out. */
static const char *const settings[][2] = {
	{ "enable-bracketed-paste", "off" },
	{ "bell-style", "none" },
	{ "revert-all-at-newline", "on" },
#if RL_READLINE_VERSION >= 0x0801       /* older ones complain on stderr */
	{ "enable-active-region", "off" },
#endif
};

static void apply_settings(void)
{
	size_t i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		rl_variable_bind(settings[i][0], settings[i][1]);
}

/* Commands readline cannot run safely here (see the top of the file). */
static rl_command_func_t *const unsafe[] = {
	rl_reverse_search_history, rl_forward_search_history,
	rl_noninc_forward_search, rl_noninc_reverse_search,
	rl_noninc_forward_search_again, rl_noninc_reverse_search_again,
	rl_start_kbd_macro, rl_end_kbd_macro, rl_call_last_kbd_macro,
	rl_bracketed_paste_begin,       /* reads the paste synchronously */
	rl_digit_argument, rl_universal_argument,
};

static void bind_keys(void)
{
	/* readline before 8.1 does not descend into sub-keymaps itself */
	Keymap maps[] = { emacs_standard_keymap, emacs_meta_keymap, emacs_ctlx_keymap };
	size_t i, m;

	rl_bind_keyseq("\033[1~", rl_beg_of_line);
	rl_bind_keyseq("\033[7~", rl_beg_of_line);
	rl_bind_keyseq("\033[4~", rl_end_of_line);
	rl_bind_keyseq("\033[8~", rl_end_of_line);
	rl_bind_keyseq("\033[3~", rl_delete);
	rl_bind_key(CTRL_C, cancel_line);
	for (i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		for (m = 0; m < sizeof(maps) / sizeof(maps[0]); m++)
			rl_unbind_function_in_map(unsafe[i], maps[m]);
}

static void setup_readline(struct shell_editor *ed)
{
	rl_readline_name = "shmdev";
	rl_terminal_name = "vt100";
	rl_instream = ed->in;
	rl_outstream = ed->out;
	rl_getc_function = fed_byte;
	rl_input_available_hook = nothing_queued;
	rl_prep_term_function = prep_nothing;
	rl_deprep_term_function = deprep_nothing;
	rl_change_environment = 0;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_attempted_completion_function = attempt_completion;
	rl_completer_word_break_characters = " \t";
	rl_read_init_file("/dev/null");
	rl_initialize();
	ed->old_echoing = rl_tty_set_echoing(1);
	rl_set_screen_size(SCREEN_ROWS, LED_COLUMNS);
	apply_settings();
	bind_keys();
	stifle_history(LED_HISTORY);
}

/* Hand back the hooks that point into this editor, and the history, so a
 * later shell_new() (the next test) starts clean. Key bindings stay.
 * A line still being edited is abandoned first, as after a signal:
 * readline keeps its undo list across rl_initialize(), and part of that
 * list may belong to a recalled history entry that rl_clear_history()
 * frees, leaving the next shell a dangling list. */
static void restore_readline(const struct shell_editor *ed)
{
	rl_callback_sigcleanup();
	rl_free_line_state();
	rl_callback_handler_remove();
	rl_unbind_key(CTRL_C);
	rl_clear_history();
	rl_tty_set_echoing(ed->old_echoing);
	rl_getc_function = rl_getc;
	rl_input_available_hook = NULL;
	rl_prep_term_function = rl_prep_terminal;
	rl_deprep_term_function = rl_deprep_terminal;
	rl_attempted_completion_function = NULL;
	rl_instream = NULL;
	rl_outstream = NULL;
}

struct shell_editor *editor_new(struct shell *sh)
{
	static const cookie_io_functions_t out_io = { .write = out_write };
	static const cookie_io_functions_t in_io = { .read = in_read };
	struct shell_editor *ed;

	if (the_ed)
		return NULL;
	ed = calloc(1, sizeof(*ed));
	if (!ed)
		return NULL;
	ed->sh = sh;
	ed->byte = EOF;
	ed->out = fopencookie(ed, "w", out_io);
	ed->in = fopencookie(ed, "r", in_io);
	if (!ed->out || !ed->in)
		goto fail;
	the_ed = ed;
	setup_readline(ed);
	return ed;
fail:
	if (ed->out)
		fclose(ed->out);
	if (ed->in)
		fclose(ed->in);
	free(ed);
	return NULL;
}

void editor_free(struct shell_editor *ed)
{
	if (!ed)
		return;
	restore_readline(ed);
	fclose(ed->out);
	fclose(ed->in);
	free(ed->line);
	free(ed);
	the_ed = NULL;
}

/* ---- Driving it ---- */

void editor_start(struct shell_editor *ed, const char *prompt, led_complete_fn *complete)
{
	ed->complete = complete;
	ed->esc.state = LED_ESC_IDLE;
	ed->active = 1;
	rl_callback_handler_install(prompt, line_done);
	fflush(ed->out);
}

static void feed(struct shell_editor *ed, unsigned char byte)
{
	if (!ed->active)        /* readline abort()s on a byte with no handler */
		return;
	ed->byte = byte;
	rl_callback_read_char();
	ed->byte = EOF;
}

/* Whatever made the line longer than LED_LINE_MAX (a yank, a completion)
 * is cut back, so that every redraw stays cheap. */
static void cap_line(const struct shell_editor *ed)
{
	if (!ed->active || rl_end <= LED_LINE_MAX)
		return;
	rl_delete_text(LED_LINE_MAX, rl_end);
	if (rl_point > rl_end)
		rl_point = rl_end;
	rl_redisplay();
}

/* A complete sequence, if readline has a binding for all of it. */
static void feed_sequence(struct shell_editor *ed)
{
	const struct led_esc *s = &ed->esc;
	rl_command_func_t *f;
	int type = ISFUNC;
	size_t i;

	if (s->bad)
		return;
	f = rl_function_of_keyseq(s->seq, NULL, &type);
	if (!(type == ISFUNC && f) && type != ISMACR)
		return;
	for (i = 0; i < s->len; i++)
		feed(ed, (unsigned char)s->seq[i]);
}

/* The Enter rule of shell/lineedit.c: the second byte of CRLF or LFCR is
 * dropped, and the state outlives the line. */
static int swallow_enter(struct shell_editor *ed, unsigned char byte)
{
	int pair = ed->enter && (byte == CR || byte == LF) && byte != ed->enter;

	ed->enter = pair ? 0 : byte == CR || byte == LF ? byte : 0;
	return pair;
}

enum led_result editor_feed(struct shell_editor *ed, unsigned char byte)
{
	ed->result = LED_MORE;
	if (!ed->active || swallow_enter(ed, byte))
		return LED_MORE;
	switch (led_esc_feed(&ed->esc, byte)) {
	case LED_ESC_PART:
		return LED_MORE;
	case LED_ESC_DONE:
		feed_sequence(ed);
		goto out;
	case LED_ESC_NONE:
	case LED_ESC_BROKEN:
		break;
	}
	if (byte >= 0x80 || (byte == CTRL_D && rl_end == 0) ||
	    (byte >= 0x20 && byte < 0x7f && rl_end >= LED_LINE_MAX))
		return LED_MORE;
	feed(ed, byte == LF ? CR : byte);
out:
	cap_line(ed);
	fflush(ed->out);
	return ed->result;
}

const char *editor_line(const struct shell_editor *ed)
{
	return ed->line ? ed->line : "";
}

/* As lineedit's history: no empty lines, no repeat of the last one. */
void editor_history_add(struct shell_editor *ed, const char *line)
{
	HIST_ENTRY *last = history_get(history_base + history_length - 1);

	(void)ed;
	if (!line[0] || (last && !strcmp(last->line, line)))
		return;
	add_history(line);
}

void editor_hide(struct shell_editor *ed)
{
	if (!ed->active)
		return;
	rl_clear_visible_line();
	fflush(ed->out);
}

void editor_show(struct shell_editor *ed)
{
	if (!ed->active)
		return;
	rl_on_new_line();
	rl_redisplay();
	fflush(ed->out);
}
