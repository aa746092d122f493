/* tests/unit/test_lineedit.c - the built-in line editor, byte by byte.
 *
 * led_* directly, with a recording write callback and a fixed completer:
 * buffer, cursor and, where it matters, the exact bytes written.
 */
#include <string.h>

#include "shell/shell.h"
#include "tests/check.h"

static char out[16384];
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

/* Candidates for the blank-separated word before the cursor. */
static size_t fake_complete(const char *line, size_t end, const char **cands, size_t max,
			    size_t *word_start)
{
	static const char *const words[] = { "help", "start", "status", "stop" };
	size_t ws = end, n = 0, i;

	while (ws > 0 && line[ws - 1] != ' ')
		ws--;
	for (i = 0; i < sizeof(words) / sizeof(words[0]) && n < max; i++)
		if (!strncmp(words[i], line + ws, end - ws))
			cands[n++] = words[i];
	*word_start = ws;
	return n;
}

static struct led ed;

/* A fresh editor showing "> " and nothing recorded yet. */
static struct led *fresh(void)
{
	led_init(&ed, record, NULL, fake_complete);
	led_start(&ed, "> ");
	clear_out();
	return &ed;
}

/* Feed s; return how many results were `want`, restarting the line after
 * each Enter or Ctrl-C as the shell does. */
static int feed_n(struct led *e, const char *s, size_t len, enum led_result want)
{
	int n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		enum led_result r = led_feed(e, (unsigned char)s[i]);

		n += r == want;
		if (r != LED_MORE)
			led_start(e, "> ");
	}
	return n;
}

static void feed(struct led *e, const char *s)
{
	feed_n(e, s, strlen(s), LED_MORE);
}

static int no_bare_lf(void)
{
	size_t i;

	for (i = 0; i < out_len; i++)
		if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r'))
			return 0;
	return 1;
}

static void test_prompt_written(void)
{
	led_init(&ed, record, NULL, NULL);
	clear_out();
	led_start(&ed, "adc0> ");
	CHECK(!strcmp(out, "adc0> "));
	CHECK(ed.len == 0 && ed.pos == 0 && ed.active);
}

static void test_insert_echoes_once(void)
{
	struct led *e = fresh();

	feed(e, "abc");
	CHECK(!strcmp(out, "abc"));
	CHECK(!strcmp(e->buf, "abc") && e->len == 3 && e->pos == 3);
}

static void test_insert_mid_line(void)
{
	struct led *e = fresh();

	feed(e, "abd\x1b[D");
	clear_out();
	feed(e, "c");
	CHECKF(!strcmp(out, "cd\x1b[D"), "wrote '%s'", out);
	CHECK(!strcmp(e->buf, "abcd") && e->pos == 3);
	feed(e, "\x01");
	clear_out();
	feed(e, "X");
	CHECKF(!strcmp(out, "Xabcd\x1b[4D"), "wrote '%s'", out);
	CHECK(!strcmp(e->buf, "Xabcd") && e->pos == 1);
}

static void test_backspace_del_and_bs(void)
{
	struct led *e = fresh();

	feed(e, "abc");
	clear_out();
	feed(e, "\x7f");
	CHECK(!strcmp(e->buf, "ab") && e->pos == 2);
	CHECKF(!strcmp(out, "\r> ab\x1b[K"), "wrote '%s'", out);
	feed(e, "\x08");
	CHECK(!strcmp(e->buf, "a") && e->pos == 1);
	feed(e, "\x7f\x7f\x08");
	CHECK(e->len == 0 && e->pos == 0);
}

static void test_backspace_mid_line(void)
{
	struct led *e = fresh();

	feed(e, "abcd\x1b[D\x1b[D");
	clear_out();
	feed(e, "\x7f");
	CHECK(!strcmp(e->buf, "acd") && e->pos == 1);
	CHECKF(!strcmp(out, "\r> acd\x1b[K\x1b[2D"), "wrote '%s'", out);
}

static void test_left_right_all_forms(void)
{
	static const char *const left[] = { "\x1b[D", "\x1bOD", "\x02" };
	static const char *const right[] = { "\x1b[C", "\x1bOC", "\x06" };
	struct led *e = fresh();
	size_t i;

	feed(e, "abc");
	for (i = 0; i < 3; i++) {
		clear_out();
		feed(e, left[i]);
		CHECKF(e->pos == 2 - i, "left form %zu", i);
		CHECK(!strcmp(out, "\x1b[D"));
	}
	feed(e, "\x1b[D");                      /* at 0: stays, writes nothing */
	for (i = 0; i < 3; i++) {
		clear_out();
		feed(e, right[i]);
		CHECKF(e->pos == i + 1, "right form %zu", i);
		CHECK(!strcmp(out, "\x1b[C"));
	}
	clear_out();
	feed(e, "\x1b[C");
	CHECK(e->pos == 3 && out_len == 0);
}

static void test_home_end_all_forms(void)
{
	static const char *const home[] = { "\x1b[H", "\x1b[1~", "\x1b[7~", "\x1bOH", "\x01" };
	static const char *const end[] = { "\x1b[F", "\x1b[4~", "\x1b[8~", "\x1bOF", "\x05" };
	struct led *e = fresh();
	size_t i;

	feed(e, "abcd");
	for (i = 0; i < 5; i++) {
		clear_out();
		feed(e, home[i]);
		CHECKF(e->pos == 0, "home form %zu", i);
		CHECKF(!strcmp(out, "\x1b[4D"), "home form %zu wrote '%s'", i, out);
		clear_out();
		feed(e, end[i]);
		CHECKF(e->pos == 4, "end form %zu", i);
		CHECKF(!strcmp(out, "\x1b[4C"), "end form %zu wrote '%s'", i, out);
	}
}

static void test_delete_under_cursor(void)
{
	struct led *e = fresh();

	feed(e, "abc\x01\x1b[3~");
	CHECK(!strcmp(e->buf, "bc") && e->pos == 0);
	feed(e, "\x04");
	CHECK(!strcmp(e->buf, "c") && e->pos == 0);
	feed(e, "\x05");
	clear_out();
	feed(e, "\x04\x1b[3~");                 /* at the end: nothing */
	CHECK(!strcmp(e->buf, "c") && out_len == 0);
}

static void test_ctrl_d_on_empty_line(void)
{
	struct led *e = fresh();

	CHECK(feed_n(e, "\x04", 1, LED_MORE) == 1);
	CHECK(out_len == 0 && e->active);
}

static void test_kill_keys(void)
{
	struct led *e = fresh();

	feed(e, "config SIN 2\x1b[D\x1b[D");   /* cursor before " 2" */
	feed(e, "\x0b");                        /* Ctrl-K */
	CHECK(!strcmp(e->buf, "config SIN") && e->pos == 10);
	feed(e, "\x17");                        /* Ctrl-W */
	CHECK(!strcmp(e->buf, "config ") && e->pos == 7);
	feed(e, "\x17");                        /* blanks, then the word */
	CHECK(e->len == 0 && e->pos == 0);
	feed(e, "stop now\x1b[D\x1b[D\x1b[D");
	feed(e, "\x15");                        /* Ctrl-U: start to cursor */
	CHECK(!strcmp(e->buf, "now") && e->pos == 0);
}

static void test_ctrl_l_clears_and_redraws(void)
{
	struct led *e = fresh();

	feed(e, "ab\x1b[D");
	clear_out();
	feed(e, "\x0c");
	CHECKF(!strcmp(out, "\x1b[H\x1b[2J\r> ab\x1b[K\x1b[D"), "wrote '%s'", out);
	CHECK(!strcmp(e->buf, "ab") && e->pos == 1);
}

static void test_ctrl_c_cancels(void)
{
	struct led *e = fresh();

	feed(e, "abc\x1b[D\x1b[D");
	clear_out();
	CHECK(led_feed(e, 0x03) == LED_CANCEL);
	CHECKF(!strcmp(out, "\x1b[2C^C\r\n"), "wrote '%s'", out);
	CHECK(e->len == 0 && !strcmp(led_line(e), "") && !e->active);
}

static void test_enter_writes_crlf(void)
{
	struct led *e = fresh();

	feed(e, "ab");
	clear_out();
	CHECK(led_feed(e, '\r') == LED_ENTER);
	CHECK(!strcmp(out, "\r\n"));
	CHECK(!strcmp(led_line(e), "ab"));
	CHECK(!e->active);
}

static void test_enter_forms_count(void)
{
	static const struct { const char *in; int enters; } cases[] = {
		{ "a\r", 1 }, { "a\n", 1 }, { "a\r\n", 1 }, { "a\n\r", 1 },
		{ "\r\r", 2 }, { "\n\n", 2 }, { "\r\n\r\n", 2 }, { "\n\r\n\r", 2 },
		{ "\r\n\n", 2 }, { "a\r\nb\n\rc\r", 3 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct led *e = fresh();
		int n = feed_n(e, cases[i].in, strlen(cases[i].in), LED_ENTER);

		CHECKF(n == cases[i].enters, "'%s': %d Enters, expected %d",
		       cases[i].in, n, cases[i].enters);
		CHECK(no_bare_lf());
	}
}

static void test_enter_pair_split_across_feeds(void)
{
	struct led *e = fresh();

	CHECK(feed_n(e, "a\r", 2, LED_ENTER) == 1);
	CHECK(feed_n(e, "\n", 1, LED_ENTER) == 0);      /* the pair's second half */
	CHECK(feed_n(e, "\n", 1, LED_ENTER) == 1);      /* a new Enter */
}

static void test_enter_pair_interrupted(void)
{
	struct led *e = fresh();

	/* Any byte between CR and LF makes the LF an Enter of its own. */
	CHECK(feed_n(e, "\rx\n", 3, LED_ENTER) == 2);
}

static void test_line_full_rings_bell(void)
{
	struct led *e = fresh();
	size_t i;

	for (i = 0; i < LED_LINE_MAX; i++)
		led_feed(e, 'a');
	CHECK(e->len == LED_LINE_MAX);
	clear_out();
	led_feed(e, 'b');
	CHECK(!strcmp(out, "\a"));
	CHECK(e->len == LED_LINE_MAX && e->buf[LED_LINE_MAX - 1] == 'a');
	CHECK(e->buf[LED_LINE_MAX] == '\0');
	clear_out();
	feed(e, "cdefgh");                      /* the rest of a paste: no more bells */
	CHECK(out_len == 0 && e->len == LED_LINE_MAX);
	feed(e, "\x1b[D");                      /* another key: the next drop rings */
	clear_out();
	feed(e, "ij");
	CHECK(!strcmp(out, "\a"));
	CHECK(e->buf[LED_LINE_MAX - 1] == 'a');
}

static void test_unknown_sequences_swallowed(void)
{
	static const char *const seqs[] = {
		"\x1b[15~",     /* F5 */
		"\x1b[1;5C",    /* Ctrl-Right */
		"\x1bOP",       /* F1 */
		"\x1b[2~",      /* Insert */
		"\x1b[6~",      /* Page Down */
		"\x1b[200~",    /* bracketed paste start */
		"\x1b[?25h",
		"\x1b[ q",      /* an intermediate byte */
		"\x1bx",        /* Alt-x */
		"\x1bO5P",
	};
	size_t i;

	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		struct led *e = fresh();

		feed(e, "ab\x1b[D");
		clear_out();
		feed(e, seqs[i]);
		CHECKF(out_len == 0 && !strcmp(e->buf, "ab") && e->pos == 1,
		       "sequence %zu changed something: '%s'", i, out);
		feed(e, "X");
		CHECKF(!strcmp(e->buf, "aXb"), "after sequence %zu: '%s'", i, e->buf);
	}
}

static void test_long_sequence_bounded(void)
{
	struct led *e = fresh();
	size_t i;

	feed(e, "\x1b[");
	for (i = 0; i < 1000; i++)
		led_feed(e, '1');
	feed(e, "~");
	CHECK(e->len == 0 && out_len == 0);
	CHECK(e->esc.len <= LED_SEQ_MAX);
	feed(e, "ok");
	CHECK(!strcmp(e->buf, "ok"));
	/* A long sequence ending like a known key is still not that key. */
	feed(e, "\x1b[");
	for (i = 0; i < 40; i++)
		led_feed(e, '0');
	feed(e, "3~");
	CHECK(!strcmp(e->buf, "ok"));
}

static void test_escape_then_control_byte(void)
{
	struct led *e = fresh();

	feed(e, "ab");
	CHECK(feed_n(e, "\x1b[\r", 3, LED_ENTER) == 1);         /* Enter survives */
	e = fresh();
	feed(e, "ab");
	CHECK(feed_n(e, "\x1b\x03", 2, LED_CANCEL) == 1);       /* so does Ctrl-C */
	e = fresh();
	feed(e, "\x1b\x1b[D");                                  /* ESC ESC [ D: left */
	CHECK(e->pos == 0);
	feed(e, "ab\x1b\x1b[D");
	CHECK(e->pos == 1);
}

static void test_other_bytes_ignored(void)
{
	static const char bytes[] = { 0x00, 0x07, 0x0f, 0x11, 0x13, 0x1a, 0x1c, 0x1f,
				      (char)0x80, (char)0xc3, (char)0xa9, (char)0xff };
	struct led *e = fresh();
	size_t i;

	for (i = 0; i < sizeof(bytes); i++)
		CHECK(led_feed(e, (unsigned char)bytes[i]) == LED_MORE);
	CHECK(e->len == 0 && out_len == 0);
}

static void test_history_up_down(void)
{
	struct led *e = fresh();

	led_history_add(e, "one");
	led_history_add(e, "two");
	led_start(e, "> ");
	feed(e, "new");
	feed(e, "\x1b[A");
	CHECK(!strcmp(e->buf, "two") && e->pos == 3);
	feed(e, "\x10");                        /* Ctrl-P */
	CHECK(!strcmp(e->buf, "one"));
	clear_out();
	feed(e, "\x1bOA");                      /* at the oldest: stays */
	CHECK(!strcmp(e->buf, "one") && out_len == 0);
	feed(e, "\x1b[B");
	CHECK(!strcmp(e->buf, "two"));
	feed(e, "\x0e");                        /* Ctrl-N: back to the new line */
	CHECK(!strcmp(e->buf, "new") && e->pos == 3);
	clear_out();
	feed(e, "\x1b[B");
	CHECK(!strcmp(e->buf, "new") && out_len == 0);
}

static void test_history_redraw_bytes(void)
{
	struct led *e = fresh();

	led_history_add(e, "status");
	led_start(e, "> ");
	clear_out();
	feed(e, "\x1b[A");
	CHECKF(!strcmp(out, "\r> status\x1b[K"), "wrote '%s'", out);
}

static void test_history_skips_empty_and_repeats(void)
{
	struct led *e = fresh();

	led_history_add(e, "");
	led_history_add(e, "a");
	led_history_add(e, "a");
	led_history_add(e, "b");
	led_history_add(e, "a");
	CHECK(e->hist_count == 3);
	CHECK(!strcmp(e->history[0], "a") && !strcmp(e->history[1], "b") &&
	      !strcmp(e->history[2], "a"));
}

static void test_history_keeps_the_newest(void)
{
	struct led *e = fresh();
	char line[16];
	int i;

	for (i = 0; i < LED_HISTORY + 8; i++) {
		snprintf(line, sizeof(line), "cmd%d", i);
		led_history_add(e, line);
	}
	CHECK(e->hist_count == LED_HISTORY);
	CHECK(!strcmp(e->history[0], "cmd8"));
	CHECK(!strcmp(e->history[LED_HISTORY - 1], "cmd39"));
}

static void test_complete_single(void)
{
	struct led *e = fresh();

	feed(e, "he\t");
	CHECK(!strcmp(e->buf, "help ") && e->pos == 5);
	CHECK(!strchr(out, '\a'));
}

static void test_complete_single_mid_line(void)
{
	struct led *e = fresh();

	/* Complete "he" with " x" after it: the blank there is reused. */
	feed(e, "he x\x1b[D\x1b[D\t");
	CHECK(!strcmp(e->buf, "help x") && e->pos == 5);
}

static void test_complete_extends_common_prefix(void)
{
	struct led *e = fresh();

	feed(e, "s");
	clear_out();
	feed(e, "\t");                          /* start status stop: "st" */
	CHECK(!strcmp(e->buf, "st") && e->pos == 2);
	CHECK(!strchr(out, '\a'));
	feed(e, "a\t");                         /* start status: "sta", nothing more */
	CHECK(!strcmp(e->buf, "sta"));
}

static void test_complete_second_tab_lists(void)
{
	struct led *e = fresh();

	feed(e, "st");
	clear_out();
	feed(e, "\t");
	CHECK(!strcmp(out, "\a"));              /* nothing to add */
	clear_out();
	feed(e, "\t");
	CHECKF(!strcmp(out, "\r\nstart   status  stop\r\n\r> st\x1b[K"), "wrote '%s'", out);
	CHECK(!strcmp(e->buf, "st"));
	clear_out();
	feed(e, "\t");                          /* and again */
	CHECK(strstr(out, "status") != NULL);
}

static void test_complete_tab_run_broken(void)
{
	struct led *e = fresh();

	feed(e, "st\t\x1b[D\x1b[C");
	clear_out();
	feed(e, "\t");                          /* not a second Tab in a row */
	CHECK(!strcmp(out, "\a"));
}

static void test_complete_nothing(void)
{
	struct led *e = fresh();

	feed(e, "xyz");
	clear_out();
	feed(e, "\t");
	CHECK(!strcmp(out, "\a") && !strcmp(e->buf, "xyz"));
	clear_out();
	feed(e, "\t");                          /* no list of nothing */
	CHECK(!strcmp(out, "\a"));
}

static void test_complete_second_word(void)
{
	struct led *e = fresh();

	feed(e, "help sto\t");
	CHECK(!strcmp(e->buf, "help stop "));
}

static void test_no_completer(void)
{
	struct led *e = fresh();

	e->complete = NULL;
	feed(e, "he\t");
	CHECK(!strcmp(e->buf, "he") && !strcmp(out, "he"));
}

static void test_long_line_scrolls(void)
{
	struct led *e = fresh();
	size_t room = LED_COLUMNS - 1 - 2, i;
	char *last;

	for (i = 0; i < room; i++)
		led_feed(e, (unsigned char)('a' + i % 26));
	CHECK(out_len == room);                 /* plain echo while it fits */
	clear_out();
	led_feed(e, 'Z');
	/* Scrolled by one: the prompt, the last `room` bytes, nothing past
	 * the last-but-one column. */
	CHECK(out[0] == '\r' && !strncmp(out + 1, "> ", 2));
	CHECK(out_len == 1 + 2 + room + 3);
	CHECK(out[3 + room - 1] == 'Z');
	feed(e, "\x01");                        /* home: back to the start */
	last = strrchr(out, '\r');
	CHECK(last && !strncmp(last, "\r> abc", 6));
	CHECK(e->pos == 0);
}

static void test_hide_and_show(void)
{
	struct led *e = fresh();

	feed(e, "abc\x1b[D");
	clear_out();
	led_hide(e);
	CHECK(!strcmp(out, "\r\x1b[K"));
	clear_out();
	led_show(e);
	CHECK(!strcmp(out, "\r> abc\x1b[K\x1b[D"));
	led_feed(e, '\r');
	clear_out();
	led_hide(e);
	led_show(e);
	CHECK(out_len == 0);                    /* no line being edited */
}

static void test_esc_grammar(void)
{
	struct led_esc s = { .state = LED_ESC_IDLE };

	CHECK(led_esc_feed(&s, 'a') == LED_ESC_NONE);
	CHECK(led_esc_feed(&s, 0x1b) == LED_ESC_PART);
	CHECK(led_esc_feed(&s, '[') == LED_ESC_PART);
	CHECK(led_esc_feed(&s, '1') == LED_ESC_PART);
	CHECK(led_esc_feed(&s, ';') == LED_ESC_PART);
	CHECK(led_esc_feed(&s, '5') == LED_ESC_PART);
	CHECK(led_esc_feed(&s, 'C') == LED_ESC_DONE);
	CHECK(!strcmp(s.seq, "\x1b[1;5C") && s.len == 6 && !s.bad);
	CHECK(led_esc_feed(&s, 'C') == LED_ESC_NONE);
	CHECK(led_esc_feed(&s, 0x1b) == LED_ESC_PART);
	CHECK(led_esc_feed(&s, 'b') == LED_ESC_DONE);
	CHECK(!strcmp(s.seq, "\x1b" "b"));
	CHECK(led_esc_feed(&s, 0x1b) == LED_ESC_PART);
	CHECK(led_esc_feed(&s, 'O') == LED_ESC_PART);
	CHECK(led_esc_feed(&s, '\r') == LED_ESC_BROKEN);
	CHECK(led_esc_feed(&s, '\r') == LED_ESC_NONE);
}

static void test_output_never_bare_lf(void)
{
	struct led *e = fresh();

	led_history_add(e, "status");
	feed(e, "st\t\t\x1b[A\x0c\x03xy\r\n\n\r\x1b[B\t\t");
	CHECK(no_bare_lf());
}

int main(void)
{
	RUN(test_prompt_written);
	RUN(test_insert_echoes_once);
	RUN(test_insert_mid_line);
	RUN(test_backspace_del_and_bs);
	RUN(test_backspace_mid_line);
	RUN(test_left_right_all_forms);
	RUN(test_home_end_all_forms);
	RUN(test_delete_under_cursor);
	RUN(test_ctrl_d_on_empty_line);
	RUN(test_kill_keys);
	RUN(test_ctrl_l_clears_and_redraws);
	RUN(test_ctrl_c_cancels);
	RUN(test_enter_writes_crlf);
	RUN(test_enter_forms_count);
	RUN(test_enter_pair_split_across_feeds);
	RUN(test_enter_pair_interrupted);
	RUN(test_line_full_rings_bell);
	RUN(test_unknown_sequences_swallowed);
	RUN(test_long_sequence_bounded);
	RUN(test_escape_then_control_byte);
	RUN(test_other_bytes_ignored);
	RUN(test_history_up_down);
	RUN(test_history_redraw_bytes);
	RUN(test_history_skips_empty_and_repeats);
	RUN(test_history_keeps_the_newest);
	RUN(test_complete_single);
	RUN(test_complete_single_mid_line);
	RUN(test_complete_extends_common_prefix);
	RUN(test_complete_second_tab_lists);
	RUN(test_complete_tab_run_broken);
	RUN(test_complete_nothing);
	RUN(test_complete_second_word);
	RUN(test_no_completer);
	RUN(test_long_line_scrolls);
	RUN(test_hide_and_show);
	RUN(test_esc_grammar);
	RUN(test_output_never_bare_lf);
	return CHECK_EXIT;
}
