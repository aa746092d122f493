/* shell/complete.c - Tab completion for both editors.
 *
 * Words are blank-separated, as the commands split them. Commands and
 * "reset" match by exact prefix (they are lower case, and only lower case
 * runs). Waves complete to their canonical names SIN, QUA, TRI, from a
 * prefix in any case, as the parser takes them ("tr" -> "TRI"): the long
 * names would make every short prefix ambiguous ("s": SIN, sine, square).
 * Candidates come back sorted, the order readline lists them in.
 */
#include <stdlib.h>
#include <string.h>

#include "shell/shell.h"

enum { WORDS_SEEN = 3 };   /* words before the cursor's that decide the context */

struct words {
	size_t n;                       /* complete words before the cursor's word */
	const char *w[WORDS_SEEN];
	size_t len[WORDS_SEEN];
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t word_start(const char *line, size_t end)
{
	while (end > 0 && !is_blank(line[end - 1]))
		end--;
	return end;
}

static void words_before(const char *line, size_t end, struct words *out)
{
	size_t i = 0, from;

	out->n = 0;
	while (i < end) {
		while (i < end && is_blank(line[i]))
			i++;
		if (i == end)
			break;
		from = i;
		while (i < end && !is_blank(line[i]))
			i++;
		if (out->n < WORDS_SEEN) {
			out->w[out->n] = line + from;
			out->len[out->n] = i - from;
		}
		out->n++;
	}
}

static int word_is(const struct words *ws, size_t i, const char *s)
{
	return i < ws->n && i < WORDS_SEEN && ws->len[i] == strlen(s) &&
	       !memcmp(ws->w[i], s, ws->len[i]);
}

struct found {
	const char *prefix;
	size_t plen;
	const char **out;
	size_t n, max;
};

static void offer(struct found *f, const char *name)
{
	if (f->n < f->max && !strncmp(name, f->prefix, f->plen))
		f->out[f->n++] = name;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* ASCII only, whatever locale readline chose. */
static void offer_any_case(struct found *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->plen; i++)
		if (!name[i] || upper(name[i]) != upper(f->prefix[i]))
			return;
	if (f->n < f->max)
		f->out[f->n++] = name;
}

static void offer_commands(struct found *f)
{
	const char *name;
	size_t i;

	for (i = 0; (name = shell_command_name(i)); i++)
		offer(f, name);
}

static void offer_waves(struct found *f)
{
	int k;

	for (k = 0; k < WAVE_COUNT; k++)
		offer_any_case(f, wave_name((enum wave_kind)k));
}

/* A handful of names: insertion sort, and no qsort in a static build. */
static size_t sorted(struct found *f)
{
	for (size_t i = 1; i < f->n; i++) {
		const char *v = f->out[i];
		size_t j = i;

		for (; j > 0 && strcmp(f->out[j - 1], v) > 0; j--)
			f->out[j] = f->out[j - 1];
		f->out[j] = v;
	}
	return f->n;
}

static void begin(struct found *f, const char *line, size_t end, const char **out,
		  size_t max, size_t *word_start_out)
{
	size_t ws = word_start(line, end);

	f->prefix = line + ws;
	f->plen = end - ws;
	f->out = out;
	f->n = 0;
	f->max = max;
	*word_start_out = ws;
}

size_t shell_complete(const char *line, size_t end, const char **out, size_t max,
		      size_t *word_start_out)
{
	struct words before;
	struct found f;

	begin(&f, line, end, out, max, word_start_out);
	words_before(line, *word_start_out, &before);
	if (before.n == 0 || (before.n == 1 && word_is(&before, 0, "help")))
		offer_commands(&f);
	else if (before.n == 1 && word_is(&before, 0, "config"))
		offer_waves(&f);
	else if (before.n == 3 && word_is(&before, 0, "config"))
		offer(&f, "reset");
	return sorted(&f);
}

size_t shell_complete_wave(const char *line, size_t end, const char **out, size_t max,
			   size_t *word_start_out)
{
	struct words before;
	struct found f;

	begin(&f, line, end, out, max, word_start_out);
	words_before(line, *word_start_out, &before);
	if (before.n == 0)
		offer_waves(&f);
	return sorted(&f);
}
