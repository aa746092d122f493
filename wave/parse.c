/* wave/parse.c - parsers for wave names, periods and sample rates, and
 * seconds formatted back for people.
 *
 * These run once per command, not per sample. Numbers are read here, not
 * by strtod: a period becomes ns exactly ("0.1" is 100000000, not a
 * double's nearest), and a static build need not carry strtod. A
 * rejected value gets a one-line
 * message that quotes it and gives the accepted range, with no newline and
 * no program name: callers add those.
 */
#include <inttypes.h>
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

/* Largest number of ns converted before the range check: far past any
 * period (1e9 s), and far below 2^64, so the conversion is defined. */
static const uint64_t seconds_convertible_ns = 1000000000ull * 1000000000ull;

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

/* A decimal number, digits[.digits][e[+-]digits], as m * 10^e with up to
 * 19 significant digits in m (further digits only move e, or are dropped
 * after the point). Stricter than strtod on purpose: no blanks, minus,
 * hex, nan or inf; and small: a static build need not carry strtod. */
static int parse_decimal(const char *s, uint64_t *m, int *e)
{
	int digits = 0, sig = 0, exp = 0, eneg = 0, x = 0;

	*m = 0;
	if (*s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (sig < 19) {
			*m = *m * 10 + (uint64_t)(*s - '0');
			sig += *m != 0;
		} else {
			exp++;
		}
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			if (sig < 19) {
				*m = *m * 10 + (uint64_t)(*s - '0');
				sig += *m != 0;
				exp--;
			}
		}
	}
	if (!digits)
		return -1;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			eneg = *s++ == '-';
		if (!(*s >= '0' && *s <= '9'))
			return -1;
		for (; *s >= '0' && *s <= '9'; s++)
			x = x < 10000 ? x * 10 + (*s - '0') : x;
	}
	*e = exp + (eneg ? -x : x);
	return *s ? -1 : 0;
}

/* m * 10^e as a double, for range checks; huge past any value we accept. */
static double decimal_value(uint64_t m, int e)
{
	double d = (double)m;

	for (; e > 0 && d < 1e300; e--)
		d *= 10;
	for (; e < 0 && d > 0; e++)
		d /= 10;
	return d;
}

/* Seconds to ns, exactly (rounded to nearest below 1 ns); -1 for anything
 * that is not a positive number below seconds_convertible_ns. */
static int parse_seconds(const char *s, uint64_t *ns)
{
	uint64_t m, p = 1;
	int e;

	if (parse_decimal(s, &m, &e) || m == 0)
		return -1;
	e += 9;                         /* seconds -> ns */
	if (e < 0) {
		for (; e < 0 && p <= UINT64_MAX / 10; e++)
			p *= 10;
		if (e < 0)
			return -1;      /* far below 1 ns */
		*ns = m / p + (m % p >= (p + 1) / 2);
		return *ns ? 0 : -1;
	}
	for (; e > 0; e--) {
		if (m > seconds_convertible_ns / 10)
			return -1;
		m *= 10;
	}
	*ns = m;
	return m <= seconds_convertible_ns ? 0 : -1;
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
	uint64_t m;
	double hz = 0;
	int e;

	if (!s)
		s = "";
	if (!parse_decimal(s, &m, &e))
		hz = decimal_value(m, e);
	if (hz >= WAVE_RATE_MIN_HZ && hz <= WAVE_RATE_MAX_HZ) {
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
