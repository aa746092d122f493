/* shell/lineedit.c - the built-in line editor: bytes in, terminal output out.
 *
 * Keys understood (bytes as terminals send them):
 *   0x20-0x7E                 insert at the cursor
 *   CR, LF                    Enter; CRLF and LFCR are one Enter, CR CR two
 *   DEL 0x7F, BS 0x08         delete left of the cursor
 *   ESC[D ESC OD Ctrl-B       left
 *   ESC[C ESC OC Ctrl-F       right
 *   ESC[H ESC OH ESC[1~ ESC[7~ Ctrl-A   home
 *   ESC[F ESC OF ESC[4~ ESC[8~ Ctrl-E   end
 *   ESC[3~ Ctrl-D             delete under the cursor
 *   ESC[A ESC OA Ctrl-P       previous history line
 *   ESC[B ESC OB Ctrl-N       next history line
 *   Tab                       complete the word before the cursor
 *   Ctrl-U                    delete from line start to the cursor (as readline)
 *   Ctrl-K                    delete from the cursor to line end
 *   Ctrl-W                    delete the blank-separated word before the cursor
 *   Ctrl-L                    clear the screen and redraw
 *   Ctrl-C                    abandon the line: "^C", LED_CANCEL
 * Every other escape sequence (ESC[15~ F5, ESC[1;5C Ctrl-Right, ESC OP F1,
 * ESC x Alt-x) is read to its final byte and ignored; see led_esc_feed().
 * Other control bytes are ignored. Bytes 0x80-0xFF are ignored too: the
 * commands are ASCII, and a multibyte character would break the one byte =
 * one column arithmetic of the redraw.
 *
 * Written (VT100 / ECMA-48, which every terminal emulator understands):
 *   the typed byte            echo of an insert at the end of the line
 *   tail ESC[nD               insert inside the line: rewrite the tail, step back
 *   \r prompt line ESC[K ESC[nD   redraw: column 0, text, erase the rest,
 *                             cursor back to its place (ESC[D when n is 1)
 *   ESC[nD ESC[nC             cursor left / right
 *   \r\n                      Enter, Ctrl-C ("^C\r\n"), around a completion list
 *   ESC[H ESC[2J              clear the screen (Ctrl-L)
 *   \r ESC[K                  hide the line (led_hide)
 *   BEL                       line full (once for a run of dropped bytes, not
 *                             once per byte of a long paste); completion found
 *                             nothing, or nothing more to add (a second Tab lists)
 * A bare "\n" is never written: the pty has no OPOST to add the "\r".
 *
 * Prompt and line never reach the terminal's last column: when they are
 * wider than LED_COLUMNS the line scrolls sideways to keep the cursor in
 * view (as linenoise does), so no redraw ever depends on line wrapping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell/shell.h"

enum {
	CTRL_A = 0x01, CTRL_B = 0x02, CTRL_C = 0x03, CTRL_D = 0x04, CTRL_E = 0x05,
	CTRL_F = 0x06, CTRL_H = 0x08, TAB = 0x09, LF = 0x0a, CTRL_K = 0x0b,
	CTRL_L = 0x0c, CR = 0x0d, CTRL_N = 0x0e, CTRL_P = 0x10, CTRL_U = 0x15,
	CTRL_W = 0x17, ESC = 0x1b, DEL = 0x7f,
	OUT_MAX = 512,          /* one redraw: "\r", prompt, line, ESC[K, ESC[nD */
	LIST_GAP = 2,           /* blanks between the columns of a completion list */
};

enum action {
	ACT_NONE, ACT_LEFT, ACT_RIGHT, ACT_HOME, ACT_END, ACT_DELETE, ACT_BACKSPACE,
	ACT_UP, ACT_DOWN, ACT_TAB, ACT_KILL_START, ACT_KILL_END, ACT_KILL_WORD,
	ACT_CLEAR, ACT_CANCEL, ACT_ENTER,
};

static const unsigned char control_action[0x20] = {
	[CTRL_A] = ACT_HOME, [CTRL_B] = ACT_LEFT, [CTRL_C] = ACT_CANCEL,
	[CTRL_D] = ACT_DELETE, [CTRL_E] = ACT_END, [CTRL_F] = ACT_RIGHT,
	[CTRL_H] = ACT_BACKSPACE, [TAB] = ACT_TAB, [LF] = ACT_ENTER,
	[CTRL_K] = ACT_KILL_END, [CTRL_L] = ACT_CLEAR, [CR] = ACT_ENTER,
	[CTRL_N] = ACT_DOWN, [CTRL_P] = ACT_UP, [CTRL_U] = ACT_KILL_START,
	[CTRL_W] = ACT_KILL_WORD,
};

/* ---- Escape sequences ---- */

static void esc_keep(struct led_esc *s, unsigned char byte)
{
	if (s->len < LED_SEQ_MAX)
		s->seq[s->len++] = (char)byte;
	else
		s->bad = 1;
	s->seq[s->len] = '\0';
}

enum led_esc_result led_esc_feed(struct led_esc *s, unsigned char byte)
{
	/* An ESC always starts over: the one before it was a lone Escape key
	 * (or Alt, as in ESC ESC [ A) and means nothing here. */
	if (byte == ESC) {
		s->state = LED_ESC_START;
		s->len = 0;
		s->bad = 0;
		esc_keep(s, byte);
		return LED_ESC_PART;
	}
	if (s->state == LED_ESC_IDLE)
		return LED_ESC_NONE;
	/* A control byte inside a sequence is a key the person pressed (Enter,
	 * Ctrl-C): losing it would be worse than losing the sequence. */
	if (byte < 0x20 || byte >= 0x7f) {
		s->state = LED_ESC_IDLE;
		return LED_ESC_BROKEN;
	}
	esc_keep(s, byte);
	if (s->state == LED_ESC_START) {
		s->state = byte == '[' ? LED_ESC_CSI : byte == 'O' ? LED_ESC_SS3 : LED_ESC_IDLE;
		return s->state == LED_ESC_IDLE ? LED_ESC_DONE : LED_ESC_PART;
	}
	if (byte >= 0x40) {             /* final byte */
		s->state = LED_ESC_IDLE;
		return LED_ESC_DONE;
	}
	if (byte < 0x30)                /* intermediate: no key of ours has one */
		s->bad = 1;
	return LED_ESC_PART;
}

/* The key a complete sequence stands for; ESC [ and ESC O share the finals. */
static enum action sequence_action(const struct led_esc *s)
{
	const char *params = s->seq + 2;
	size_t nparams;
	char final;

	if (s->bad || s->len < 3)
		return ACT_NONE;
	nparams = s->len - 3;
	final = s->seq[s->len - 1];
	if (nparams == 0) {
		switch (final) {
		case 'A': return ACT_UP;
		case 'B': return ACT_DOWN;
		case 'C': return ACT_RIGHT;
		case 'D': return ACT_LEFT;
		case 'H': return ACT_HOME;
		case 'F': return ACT_END;
		}
		return ACT_NONE;
	}
	if (s->seq[1] != '[' || final != '~' || nparams != 1)
		return ACT_NONE;
	switch (params[0]) {
	case '1': case '7': return ACT_HOME;
	case '4': case '8': return ACT_END;
	case '3': return ACT_DELETE;
	}
	return ACT_NONE;
}

/* ---- Output ---- */

struct out {
	size_t len;
	char buf[OUT_MAX];
};

static void out_add(struct out *o, const char *s, size_t n)
{
	if (n > sizeof(o->buf) - o->len)
		n = sizeof(o->buf) - o->len;    /* cannot happen: OUT_MAX covers a redraw */
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* Cursor n columns left ('D') or right ('C'). */
static void out_move(struct out *o, char dir, size_t n)
{
	char seq[32];

	if (n == 1)
		snprintf(seq, sizeof(seq), "\x1b[%c", dir);
	else if (n > 1)
		snprintf(seq, sizeof(seq), "\x1b[%zu%c", n, dir);
	else
		return;
	out_str(o, seq);
}

static void out_flush(const struct led *e, const struct out *o)
{
	if (o->len)
		e->write(e->wctx, o->buf, o->len);
}

static void write_str(const struct led *e, const char *s)
{
	e->write(e->wctx, s, strlen(s));
}

static void bell(const struct led *e)
{
	write_str(e, "\a");
}

/* ---- Display ---- */

/* Columns for the line right of the prompt, the last column kept free. */
static size_t room(const struct led *e)
{
	return LED_COLUMNS - 1 - e->plen;
}

/* First byte of the line on screen when the cursor is at pos. */
static size_t first_shown(const struct led *e, size_t pos)
{
	return pos > room(e) ? pos - room(e) : 0;
}

static void refresh(const struct led *e)
{
	size_t off = first_shown(e, e->pos);
	size_t n = e->len - off < room(e) ? e->len - off : room(e);
	struct out o;

	o.len = 0;
	out_str(&o, "\r");
	out_add(&o, e->prompt, e->plen);
	out_add(&o, e->buf + off, n);
	out_str(&o, "\x1b[K");
	out_move(&o, 'D', off + n - e->pos);
	out_flush(e, &o);
}

static void move_to(struct led *e, size_t pos)
{
	size_t from = e->pos;
	struct out o;

	if (pos == from)
		return;
	e->pos = pos;
	if (first_shown(e, from) != first_shown(e, pos)) {
		refresh(e);
		return;
	}
	o.len = 0;
	out_move(&o, pos < from ? 'D' : 'C', pos < from ? from - pos : pos - from);
	out_flush(e, &o);
}

/* ---- Editing ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void insert(struct led *e, char c, int rang)
{
	struct out o;

	if (e->len == LED_LINE_MAX) {
		if (!rang)
			bell(e);
		e->full_rang = 1;
		return;
	}
	memmove(e->buf + e->pos + 1, e->buf + e->pos, e->len - e->pos + 1);
	e->buf[e->pos++] = c;
	e->len++;
	if (e->len > room(e)) {         /* scrolled, or the tail is cut off */
		refresh(e);
		return;
	}
	/* The new byte and the tail after it, then back over the tail: at the
	 * end of the line that is just the echo of the byte. */
	o.len = 0;
	out_add(&o, e->buf + e->pos - 1, e->len - e->pos + 1);
	out_move(&o, 'D', e->len - e->pos);
	out_flush(e, &o);
}

/* Delete [from, to) and put the cursor at from. */
static void delete_range(struct led *e, size_t from, size_t to)
{
	if (from >= to)
		return;
	memmove(e->buf + from, e->buf + to, e->len - to + 1);
	e->len -= to - from;
	e->pos = from;
	refresh(e);
}

static size_t word_before(const struct led *e)
{
	size_t i = e->pos;

	while (i > 0 && is_blank(e->buf[i - 1]))
		i--;
	while (i > 0 && !is_blank(e->buf[i - 1]))
		i--;
	return i;
}

static void set_line(struct led *e, const char *s)
{
	snprintf(e->buf, sizeof(e->buf), "%s", s);
	e->len = e->pos = strlen(e->buf);
	refresh(e);
}

/* ---- History ---- */

static void history_go(struct led *e, int index)
{
	if (index < 0 || index > e->hist_count || index == e->hist_index)
		return;
	/* Leaving the new line: keep it, Down brings it back. */
	if (e->hist_index == e->hist_count)
		memcpy(e->saved, e->buf, e->len + 1);
	e->hist_index = index;
	set_line(e, index == e->hist_count ? e->saved : e->history[index]);
}

void led_history_add(struct led *e, const char *line)
{
	if (!line[0])
		return;
	if (e->hist_count && !strcmp(e->history[e->hist_count - 1], line))
		return;
	if (e->hist_count == LED_HISTORY) {
		memmove(e->history[0], e->history[1], sizeof(e->history[0]) * (LED_HISTORY - 1));
		e->hist_count--;
	}
	snprintf(e->history[e->hist_count], sizeof(e->history[0]), "%s", line);
	e->hist_count++;
	e->hist_index = e->hist_count;
}

/* ---- Completion ---- */

static size_t common_prefix(const char *const *c, size_t n)
{
	size_t len = strlen(c[0]), i, j;

	for (i = 1; i < n; i++) {
		for (j = 0; j < len && c[i][j] == c[0][j]; j++)
			;
		len = j;
	}
	return len;
}

/* Replace the word [ws, pos) with text[0..tlen), and a blank after a
 * finished word (stepping over one already there, as readline does). */
static void replace_word(struct led *e, size_t ws, const char *text, size_t tlen, int finished)
{
	int skip = finished && e->pos < e->len && e->buf[e->pos] == ' ';
	size_t add = finished && !skip;
	size_t len = e->len - (e->pos - ws) + tlen + add;

	if (len > LED_LINE_MAX) {
		bell(e);
		return;
	}
	memmove(e->buf + ws + tlen + add, e->buf + e->pos, e->len - e->pos + 1);
	memcpy(e->buf + ws, text, tlen);
	if (add)
		e->buf[ws + tlen] = ' ';
	e->len = len;
	e->pos = ws + tlen + add + (size_t)skip;
	refresh(e);
}

static void pad(const struct led *e, size_t n)
{
	static const char blanks[] = "                ";

	while (n) {
		size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;

		e->write(e->wctx, blanks, k);
		n -= k;
	}
}

/* Below the line, in columns, down first (as readline lists them). */
static void list_candidates(const struct led *e, const char *const *c, size_t n)
{
	size_t width = 0, cols, rows, r, i;

	for (i = 0; i < n; i++)
		if (strlen(c[i]) > width)
			width = strlen(c[i]);
	width += LIST_GAP;
	cols = (LED_COLUMNS - 1) / width ? (LED_COLUMNS - 1) / width : 1;
	rows = (n + cols - 1) / cols;
	write_str(e, "\r\n");
	for (r = 0; r < rows; r++) {
		for (i = r; i < n; i += rows) {
			write_str(e, c[i]);
			if (i + rows < n)
				pad(e, width - strlen(c[i]));
		}
		write_str(e, "\r\n");
	}
	refresh(e);
}

/* As readline: one candidate completes the word and adds a blank; several
 * extend it to their common prefix; a Tab that can add nothing rings the
 * bell, and a second such Tab in a row lists the candidates. */
static void tab_complete(struct led *e, int tab_idle)
{
	const char *c[LED_COMPLETE_MAX];
	size_t ws = e->pos, n, common;

	if (!e->complete)
		return;
	n = e->complete(e->buf, e->pos, c, LED_COMPLETE_MAX, &ws);
	if (n > LED_COMPLETE_MAX || ws > e->pos)
		n = 0;
	if (n == 0) {
		bell(e);
		return;
	}
	if (n == 1) {
		replace_word(e, ws, c[0], strlen(c[0]), 1);
		return;
	}
	common = common_prefix(c, n);
	if (common > e->pos - ws) {
		replace_word(e, ws, c[0], common, 0);
		return;
	}
	if (tab_idle)
		list_candidates(e, c, n);
	else
		bell(e);
	e->tab_idle = 1;
}

/* ---- Keys ---- */

static enum led_result finish(struct led *e, const char *text)
{
	move_to(e, e->len);
	write_str(e, text);
	e->active = 0;
	return LED_ENTER;
}

static enum led_result cancel(struct led *e)
{
	finish(e, "^C\r\n");
	e->buf[0] = '\0';
	e->len = e->pos = 0;
	return LED_CANCEL;
}

static enum led_result act(struct led *e, enum action a, int tab_idle, unsigned char byte)
{
	switch (a) {
	case ACT_NONE:
		break;
	case ACT_LEFT:
		if (e->pos > 0)
			move_to(e, e->pos - 1);
		break;
	case ACT_RIGHT:
		if (e->pos < e->len)
			move_to(e, e->pos + 1);
		break;
	case ACT_HOME:
		move_to(e, 0);
		break;
	case ACT_END:
		move_to(e, e->len);
		break;
	case ACT_DELETE:
		if (e->pos < e->len)
			delete_range(e, e->pos, e->pos + 1);
		break;
	case ACT_BACKSPACE:
		if (e->pos > 0)
			delete_range(e, e->pos - 1, e->pos);
		break;
	case ACT_UP:
		history_go(e, e->hist_index - 1);
		break;
	case ACT_DOWN:
		history_go(e, e->hist_index + 1);
		break;
	case ACT_TAB:
		tab_complete(e, tab_idle);
		break;
	case ACT_KILL_START:
		delete_range(e, 0, e->pos);
		break;
	case ACT_KILL_END:
		delete_range(e, e->pos, e->len);
		break;
	case ACT_KILL_WORD:
		delete_range(e, word_before(e), e->pos);
		break;
	case ACT_CLEAR:
		write_str(e, "\x1b[H\x1b[2J");
		refresh(e);
		break;
	case ACT_CANCEL:
		return cancel(e);
	case ACT_ENTER:
		e->enter = byte;
		return finish(e, "\r\n");
	}
	return LED_MORE;
}

/* CRLF and LFCR are one Enter: the second byte of the pair is dropped. The
 * state outlives led_start(), since the pair may straddle two lines. */
static int swallow_enter(struct led *e, unsigned char byte)
{
	int pair = e->enter && (byte == CR || byte == LF) && byte != e->enter;

	e->enter = 0;
	return pair;
}

enum led_result led_feed(struct led *e, unsigned char byte)
{
	int tab_idle = e->tab_idle, rang = e->full_rang;

	if (swallow_enter(e, byte))
		return LED_MORE;
	e->tab_idle = 0;
	e->full_rang = 0;
	switch (led_esc_feed(&e->esc, byte)) {
	case LED_ESC_PART:
		return LED_MORE;
	case LED_ESC_DONE:
		return act(e, sequence_action(&e->esc), tab_idle, byte);
	case LED_ESC_NONE:
	case LED_ESC_BROKEN:
		break;
	}
	if (byte >= 0x20 && byte < DEL) {
		insert(e, (char)byte, rang);
		return LED_MORE;
	}
	if (byte == DEL)
		return act(e, ACT_BACKSPACE, tab_idle, byte);
	if (byte < 0x20)
		return act(e, control_action[byte], tab_idle, byte);
	return LED_MORE;
}

/* ---- Life cycle ---- */

void led_init(struct led *e, shell_write_fn *write, void *wctx, led_complete_fn *complete)
{
	memset(e, 0, sizeof(*e));
	e->write = write;
	e->wctx = wctx;
	e->complete = complete;
}

void led_start(struct led *e, const char *prompt)
{
	snprintf(e->prompt, sizeof(e->prompt), "%s", prompt ? prompt : "");
	e->plen = strlen(e->prompt);
	e->buf[0] = '\0';
	e->len = e->pos = 0;
	e->hist_index = e->hist_count;
	e->tab_idle = 0;
	e->esc.state = LED_ESC_IDLE;
	e->active = 1;
	e->write(e->wctx, e->prompt, e->plen);
}

const char *led_line(const struct led *e)
{
	return e->buf;
}

void led_hide(struct led *e)
{
	if (e->active)
		write_str(e, "\r\x1b[K");
}

void led_show(struct led *e)
{
	if (e->active)
		refresh(e);
}
