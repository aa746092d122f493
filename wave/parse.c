/* wave/parse.c - parsers for wave names, periods and sample rates, and
 * seconds formatted back for people.
 *
 * These run once per command, not per sample, so they may use strtod
 * (isfinite is a macro: still no libm). A rejected value gets a one-line
 * message that quotes it and gives the accepted range, with no newline and
 * no program name: callers add those.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wave/wave.h"

enum {
	NS_PER_S = 1000000000,
	SHOWN_MAX = 40,                 /* bytes of a bad value quoted */
	SHOWN_LEN = SHOWN_MAX + 4,      /* "..." and the NUL */
	SECONDS_LEN = 32,               /* "18446744073.709551615" fits */
};

/* Largest number of seconds converted to ns before the range check: far
 * past any period, and far below 2^64 ns, so the conversion is defined. */
static const double seconds_convertible = 1e9;

/* The bad value as a message shows it: control bytes must not reach the
 * user's terminal, and a long value must not crowd out the range. */
static const char *shown(const char *s, char *buf)
{
	size_t i;

	for (i = 0; s[i] && i < SHOWN_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	strcpy(buf + i, s[i] ? "..." : "");
	return buf;
}

/* strtod's numbers, but none of its leniency: no leading blanks, no
 * trailing text, no nan or inf. */
static int parse_number(const char *s, double *out)
{
	char *end;
	double d;

	if (!*s || !strchr("0123456789+-.", *s))
		return -1;
	d = strtod(s, &end);
	if (end == s || *end || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

/* Seconds to ns, rounded to nearest; -1 for anything not a positive
 * number small enough to convert. */
static int parse_seconds(const char *s, uint64_t *ns)
{
	double d;

	if (parse_number(s, &d) || !(d > 0) || d > seconds_convertible)
		return -1;
	*ns = (uint64_t)(d * NS_PER_S + 0.5);
	return 0;
}

/* Two samples a period, saturating, and never a zero-length period. */
static uint64_t period_min_ns(uint64_t interval_ns)
{
	if (interval_ns > UINT64_MAX / 2)
		return UINT64_MAX;
	return interval_ns ? 2 * interval_ns : 1;
}

int wave_parse_period(const char *s, uint64_t interval_ns, uint64_t *period_ns,
		      char *err, size_t errlen)
{
	uint64_t min = period_min_ns(interval_ns), ns;
	char v[SHOWN_LEN], lo[SECONDS_LEN], hi[SECONDS_LEN];

	if (!s)
		s = "";
	if (!parse_seconds(s, &ns) && ns >= min && ns <= WAVE_PERIOD_MAX_NS) {
		*period_ns = ns;
		return 0;
	}
	snprintf(err, errlen, "bad period '%s': expected seconds from %s to %s",
		 shown(s, v), wave_format_seconds(min, lo, sizeof(lo)),
		 wave_format_seconds(WAVE_PERIOD_MAX_NS, hi, sizeof(hi)));
	return -1;
}

int wave_parse_rate(const char *s, uint64_t *interval_ns, char *err, size_t errlen)
{
	char v[SHOWN_LEN];
	double hz;

	if (!s)
		s = "";
	if (!parse_number(s, &hz) && hz >= WAVE_RATE_MIN_HZ && hz <= WAVE_RATE_MAX_HZ) {
		*interval_ns = (uint64_t)(NS_PER_S / hz + 0.5);
		return 0;
	}
	snprintf(err, errlen, "bad rate '%s': expected Hz from %g to %g",
		 shown(s, v), WAVE_RATE_MIN_HZ, WAVE_RATE_MAX_HZ);
	return -1;
}

int wave_parse_msg(const char *s, enum wave_kind *out, char *err, size_t errlen)
{
	char v[SHOWN_LEN];

	if (!s)
		s = "";
	if (!wave_parse(s, out))
		return 0;
	snprintf(err, errlen, "bad wave '%s': expected %s, %s or %s (%s, %s, %s)",
		 shown(s, v), wave_name(WAVE_SIN), wave_name(WAVE_QUA),
		 wave_name(WAVE_TRI), wave_long_name(WAVE_SIN),
		 wave_long_name(WAVE_QUA), wave_long_name(WAVE_TRI));
	return -1;
}

char *wave_format_seconds(uint64_t ns, char *buf, size_t len)
{
	char tmp[SECONDS_LEN];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64 ".%09" PRIu64,
			 ns / NS_PER_S, ns % NS_PER_S);

	/* the '.' always stops the loop */
	while (tmp[n - 1] == '0')
		n--;
	if (tmp[n - 1] == '.')
		n--;
	tmp[n] = '\0';
	snprintf(buf, len, "%s", tmp);
	return buf;
}
