/* monitor/plot.c - --plot: a live, scrolling trace of every sample.
 *
 * Like an oscilloscope in roll mode: one dot column per sample, the newest
 * at the right edge, the 10-bit range 0..1023 over the full height, with
 * consecutive samples joined by a vertical stroke so edges show. A UTF-8
 * locale gets braille cells (2 x 4 dots each, U+2800..U+28FF); any other
 * gets ASCII, one dot per cell, since a byte we cannot know the terminal
 * shows would garble the screen.
 *
 * Frames are drawn at most FRAME_NS apart whatever the sample rate, whole
 * into one buffer and written at once (cursor home, rows overwritten in
 * place: no flicker). The alternate screen keeps the user's scrollback;
 * echo is off so typing does not smear the trace. Everything is put back
 * on every way out: the signals end the watch loop (see client.c), Ctrl-Z
 * restores the terminal before stopping, SIGWINCH re-measures.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "monitor/client.h"

enum {
	FRAME_NS = 40000000,         /* at most 25 frames a second */
	HISTORY = 4096,              /* samples kept: power of two, > any width in dots */
	LABEL_W = 5,                 /* "1023" and the axis */
	MIN_COLS = 24,
	MIN_ROWS = 5,                /* title, 3 rows of trace, status */
	MAX_COLS = 1024,
	MAX_ROWS = 512,
	CELL_BYTES = 3,              /* a braille cell in UTF-8 */
	GAP = -1,                    /* no sample here: lost, or before the first */
};

struct plot {
	const struct client_opts *o;
	int utf8;
	int cols, rows;
	int16_t hist[HISTORY];       /* codes, or GAP */
	uint32_t count;              /* values in hist, at most HISTORY */
	uint32_t pos;                /* where the next one goes */
	uint64_t last_seq;
	int have_seq;
	uint32_t state;
	struct hal_cfg cfg;          /* of the newest sample */
	int have_cfg;
	uint32_t tick;
	unsigned code;
	char status[256];            /* the latest event */
	char end[256];               /* why the device went, for the normal screen */
	int entered, termios_saved, clear, dirty, failed;
	uint64_t next_frame;
	struct termios saved;
	uint8_t *cells;              /* dots of each cell of the trace area */
	char *frame;
	size_t frame_len, frame_cap;
};

/* ---- The terminal ---- */

static void write_all(struct plot *p, const char *buf, size_t len)
{
	while (len && !p->failed) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno != EINTR && errno != EAGAIN) {
			p->failed = 1;
		}
	}
}

static void say_tty(struct plot *p, const char *s)
{
	write_all(p, s, strlen(s));
}

/* Size the buffers to the terminal; clamped so a bogus size cannot make
 * us allocate without bound. */
static void measure(struct plot *p)
{
	struct winsize ws;
	int c = 80, r = 24;
	size_t cap;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
		c = ws.ws_col < MAX_COLS ? ws.ws_col : MAX_COLS;
		r = ws.ws_row < MAX_ROWS ? ws.ws_row : MAX_ROWS;
	}
	cap = (size_t)r * ((size_t)c * CELL_BYTES + 32) + 64;
	free(p->cells);
	free(p->frame);
	p->cells = malloc((size_t)c * (size_t)r);
	p->frame = malloc(cap);
	p->frame_cap = p->frame ? cap : 0;
	p->cols = p->cells && p->frame ? c : 0;
	p->rows = p->cells && p->frame ? r : 0;
}

static void term_enter(struct plot *p)
{
	struct termios t;

	if (tcgetattr(STDOUT_FILENO, &p->saved) == 0) {
		t = p->saved;
		t.c_lflag &= ~(tcflag_t)(ECHO | ICANON);    /* ISIG stays: Ctrl-C quits */
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		p->termios_saved = tcsetattr(STDOUT_FILENO, TCSANOW, &t) == 0;
	}
	say_tty(p, "\033[?1049h\033[?25l\033[2J");
	p->entered = 1;
	p->clear = p->dirty = 1;
	p->next_frame = 0;
}

static void term_leave(struct plot *p)
{
	if (!p->entered)
		return;
	say_tty(p, "\033[m\033[?25h\033[?1049l");
	if (p->termios_saved) {
		tcsetattr(STDOUT_FILENO, TCSADRAIN, &p->saved);
		tcflush(STDOUT_FILENO, TCIFLUSH);       /* what was typed meanwhile */
	}
	p->termios_saved = 0;
	p->entered = 0;
}

/* Ctrl-Z: hand the terminal back as it was, stop, take it again. */
static void suspend(struct plot *p)
{
	term_leave(p);
	kill(getpid(), SIGSTOP);
	measure(p);
	term_enter(p);
}

/* ---- The picture ---- */

static void put(struct plot *p, const char *s, size_t n)
{
	if (p->frame_len + n > p->frame_cap)
		n = p->frame_cap - p->frame_len;
	memcpy(p->frame + p->frame_len, s, n);
	p->frame_len += n;
}

static void puts_(struct plot *p, const char *s)
{
	put(p, s, strlen(s));
}

/* An ASCII line cut to fit the width, the rest of the row cleared. */
static void put_line(struct plot *p, const char *s, int width)
{
	size_t n = strlen(s);

	put(p, s, n < (size_t)width ? n : (size_t)width);
	puts_(p, "\033[K");
}

static int value_at(const struct plot *p, uint32_t age)     /* age 0: the newest */
{
	return age < p->count ? p->hist[(p->pos - 1 - age) % HISTORY] : GAP;
}

static void set_dot(struct plot *p, int pw, int x, int r, int point)
{
	static const uint8_t braille[4][2] = {
		{ 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 },
	};
	int xd = p->utf8 ? 2 : 1, yd = p->utf8 ? 4 : 1;
	uint8_t *cell = &p->cells[(size_t)(r / yd) * (size_t)pw + (size_t)(x / xd)];

	*cell |= p->utf8 ? braille[r % 4][x % 2] : point ? 1 : 2;
}

/* The trace into cells: pw x ph cells, dot row 0 at the top. */
static void trace(struct plot *p, int pw, int ph)
{
	int dw = pw * (p->utf8 ? 2 : 1), dh = ph * (p->utf8 ? 4 : 1), prev = GAP;

	memset(p->cells, 0, (size_t)pw * (size_t)ph);
	for (int x = 0; x < dw; x++) {
		int v = value_at(p, (uint32_t)(dw - 1 - x)), y, lo, hi;

		if (v == GAP) {
			prev = GAP;
			continue;
		}
		y = (v * (dh - 1) + WAVE_CODE_MAX / 2) / WAVE_CODE_MAX;    /* 0: bottom */
		lo = prev == GAP || prev > y ? y : prev;
		hi = prev == GAP || prev < y ? y : prev;
		for (int yy = lo; yy <= hi; yy++)
			set_dot(p, pw, x, dh - 1 - yy, yy == y);
		prev = y;
	}
}

static void put_cell(struct plot *p, uint8_t bits)
{
	char b[CELL_BYTES] = { ' ' };

	if (!bits) {
		put(p, b, 1);
	} else if (p->utf8) {
		b[0] = (char)0xe2;
		b[1] = (char)(0xa0 | bits >> 6);
		b[2] = (char)(0x80 | (bits & 0x3f));
		put(p, b, CELL_BYTES);
	} else {
		b[0] = bits & 1 ? '*' : '|';
		put(p, b, 1);
	}
}

/* The value axis: 1023 at the top, 512 in the middle, 0 at the bottom. */
static void put_label(struct plot *p, int row, int ph)
{
	const char *label = row == 0 ? "1023" : row == ph - 1 ? "   0" :
			    row == (ph - 1) / 2 ? " 512" : "    ";
	int tick = label[3] != ' ';

	puts_(p, label);
	if (p->utf8)
		puts_(p, tick ? "\u2524" : "\u2502");      /* box drawings: -| and | */
	else
		puts_(p, tick ? "+" : "|");
}

static void title(const struct plot *p, char *buf, size_t len)
{
	char per[32];

	if (!p->have_cfg) {
		snprintf(buf, len, " %s  %s", p->o->name, p->status[0] ? p->status : "no sample yet");
		return;
	}
	snprintf(buf, len, " %s  %s  period %s s  %g Hz  %s   raw %4u  t=%.3f s", p->o->name,
		 wave_name(p->cfg.wave), wave_format_seconds(p->cfg.period_ns, per, sizeof per),
		 1e9 / (double)p->cfg.interval_ns, state_name(p->state), p->code,
		 (double)p->tick * (double)p->cfg.interval_ns / 1e9);
}

static void draw(struct plot *p)
{
	int pw = p->cols - LABEL_W, ph = p->rows - 2;
	char line[512];

	p->frame_len = 0;
	puts_(p, p->clear ? "\033[H\033[2J" : "\033[H");
	p->clear = 0;
	if (p->cols < MIN_COLS || p->rows < MIN_ROWS) {
		put_line(p, "terminal too small for --plot", p->cols);
		write_all(p, p->frame, p->frame_len);
		return;
	}
	title(p, line, sizeof line);
	puts_(p, "\033[7m");
	put_line(p, line, p->cols);
	puts_(p, "\033[m\r\n");
	trace(p, pw, ph);
	for (int r = 0; r < ph; r++) {
		put_label(p, r, ph);
		for (int x = 0; x < pw; x++)
			put_cell(p, p->cells[(size_t)r * (size_t)pw + (size_t)x]);
		puts_(p, "\r\n");
	}
	snprintf(line, sizeof line, " %s   seq %llu   Ctrl-C quits",
		 p->status[0] ? p->status : "following", (unsigned long long)p->last_seq);
	put_line(p, line, p->cols - 1);     /* never the last cell: no scroll */
	write_all(p, p->frame, p->frame_len);
}

/* ---- The sink ---- */

static void push(struct plot *p, int v)
{
	p->hist[p->pos++ % HISTORY] = (int16_t)v;
	if (p->count < HISTORY)
		p->count++;
}

static void plot_sample(void *ctx, const struct sample *s, uint32_t state)
{
	struct plot *p = ctx;

	/* Lost samples leave their width empty: the time axis stays true. */
	if (p->have_seq && s->seq != p->last_seq + 1) {
		uint64_t gap = s->seq > p->last_seq ? s->seq - p->last_seq - 1 : 1;

		for (uint64_t i = 0; i < gap && i < HISTORY; i++)
			push(p, GAP);
	}
	/* The code is 16 bits in the slot: clamp what a corrupt one holds. */
	push(p, s->code > WAVE_CODE_MAX ? WAVE_CODE_MAX : (int)s->code);
	p->last_seq = s->seq;
	p->have_seq = 1;
	p->cfg = *s->cfg;
	p->have_cfg = 1;
	p->tick = s->tick;
	p->code = s->code;
	p->state = state;
	p->dirty = 1;
}

static void plot_event(void *ctx, enum event ev, uint32_t state, const char *msg)
{
	struct plot *p = ctx;

	snprintf(p->status, sizeof p->status, "%s", msg);
	if (ev == EV_SHUTDOWN || ev == EV_VANISHED)
		snprintf(p->end, sizeof p->end, "%s", msg);
	if (ev == EV_APPEARED)
		p->have_seq = 0;         /* a new device: its seq starts again */
	p->state = state;
	p->dirty = 1;
}

static int plot_idle(void *ctx, uint64_t *wake_at)
{
	struct plot *p = ctx;
	uint64_t now;

	if (client_tstp) {
		client_tstp = 0;
		suspend(p);
	}
	if (client_winch) {
		client_winch = 0;
		measure(p);
		p->clear = p->dirty = 1;
		p->next_frame = 0;
	}
	if (!p->entered)
		term_enter(p);
	if (!p->dirty || !p->frame)
		return p->failed ? -1 : 0;
	now = hal_now();
	if (now < p->next_frame) {
		*wake_at = p->next_frame;
		return 0;
	}
	draw(p);
	p->dirty = 0;
	p->next_frame = now + FRAME_NS;
	return p->failed ? -1 : 0;
}

static int locale_is_utf8(void)
{
	const char *cs;

	if (!setlocale(LC_CTYPE, ""))
		return 0;
	cs = nl_langinfo(CODESET);
	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

int plot_check_tty(void)
{
	if (isatty(STDOUT_FILENO))
		return 0;
	fprintf(stderr, "client: --plot needs a terminal, and stdout is not one; "
		"to record samples use -f -o csv\n");
	return EXIT_USAGE;
}

int plot_run(const struct client_opts *o)
{
	static struct plot p;
	struct sink sink = { &p, plot_sample, plot_event, plot_idle };
	uint32_t backlog;
	int rc;

	p.o = o;
	p.utf8 = locale_is_utf8();
	p.state = STATE_OFF;
	measure(&p);
	if (!p.frame) {
		output_error("out of memory for the plot");
		return EXIT_LOST;
	}
	/* Start with as much of the past as fits the width. */
	backlog = p.cols > LABEL_W ? (uint32_t)(p.cols - LABEL_W) * (p.utf8 ? 2 : 1) : 1;
	rc = watch_run(o, &sink, backlog < HISTORY ? backlog : HISTORY);
	term_leave(&p);
	if (p.end[0] && !client_quit)
		fprintf(stderr, "client: %s\n", p.end);
	if (p.failed && rc == EXIT_DONE && !client_quit)
		rc = EXIT_LOST;
	free(p.cells);
	free(p.frame);
	return rc;
}
