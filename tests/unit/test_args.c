/* tests/unit/test_args.c - the validators behind periods, `device -r HZ`
 * and wave names: what they accept, to the nanosecond, and what they
 * reject, with a message that quotes the value and gives the range.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/check.h"
#include "wave/wave.h"

typedef int parse_ns_fn(const char *s, uint64_t *ns, char *err, size_t errlen);

static const uint64_t ns_10hz = 100000000;      /* sample interval at 10 Hz */
static const uint64_t untouched = 0xdeadbeef;

/* Rejected as periods and as rates alike. */
static const char *const bad_numbers[] = {
	"0", "-1", "nan", "inf", "1e400", "abc", "2x", "", " ", "-0", "NAN",
	"-inf", "infinity", "1e-400", " 2", "2 ", "+", ".", "0x", "1,5", "2\n",
	"\033[2J", "1\177",
};

static int period_10hz(const char *s, uint64_t *ns, char *err, size_t errlen)
{
	return wave_parse_period(s, ns_10hz, ns, err, errlen);
}

/* The value quoted as messages must show it: control bytes as '?'. */
static int quotes(const char *msg, const char *value)
{
	char q[WAVE_ERR_MAX];
	size_t i, n = 0;

	q[n++] = '\'';
	for (i = 0; value[i] && n < sizeof(q) - 2; i++)
		q[n++] = (unsigned char)value[i] < 0x20 || value[i] == 0x7f ? '?' : value[i];
	q[n++] = '\'';
	q[n] = '\0';
	return strstr(msg, q) != NULL;
}

/* One line, no program name, not cut short by WAVE_ERR_MAX. */
static int well_formed(const char *msg)
{
	return !strncmp(msg, "bad ", 4) && !strchr(msg, '\n') && !strchr(msg, '\033') &&
	       strlen(msg) < WAVE_ERR_MAX - 1;
}

static void check_reject(parse_ns_fn *parse, const char *s, const char *expect)
{
	char err[WAVE_ERR_MAX] = "";
	uint64_t ns = untouched;

	CHECKF(parse(s, &ns, err, sizeof(err)) == -1, "'%s' accepted", s);
	CHECKF(ns == untouched, "'%s' stored %llu", s, (unsigned long long)ns);
	CHECKF(quotes(err, s) && strstr(err, expect) && well_formed(err),
	       "'%s': message \"%s\"", s, err);
}

static void check_accept(parse_ns_fn *parse, const char *s, uint64_t want)
{
	char err[WAVE_ERR_MAX] = "";
	uint64_t ns = untouched;

	CHECKF(parse(s, &ns, err, sizeof(err)) == 0 && ns == want,
	       "'%s' gave %llu ns, not %llu (%s)", s, (unsigned long long)ns,
	       (unsigned long long)want, err);
}

static void test_period_rejects(void)
{
	static const char *const range[] = { "0.1", "0.19", "0.199999999", "86400.5",
					     "86401", "1e6", "1e300" };
	const char *expect = "expected seconds from 0.2 to 86400";
	char err[WAVE_ERR_MAX];
	uint64_t ns;
	size_t i;

	for (i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++)
		check_reject(period_10hz, bad_numbers[i], expect);
	for (i = 0; i < sizeof(range) / sizeof(range[0]); i++)
		check_reject(period_10hz, range[i], expect);
	CHECK(wave_parse_period("abc", ns_10hz, &ns, err, sizeof(err)) == -1);
	CHECK(!strcmp(err, "bad period 'abc': expected seconds from 0.2 to 86400"));
	/* the lower bound follows the sample rate */
	CHECK(wave_parse_period("0.1", 333333333, &ns, err, sizeof(err)) == -1);
	CHECK(!strcmp(err, "bad period '0.1': expected seconds from 0.666666666 to 86400"));
}

static void test_period_accepts(void)
{
	uint64_t ns = untouched;

	check_accept(period_10hz, "2", 2000000000);
	check_accept(period_10hz, "2.0", 2000000000);
	check_accept(period_10hz, "0.5", 500000000);
	check_accept(period_10hz, ".5", 500000000);
	check_accept(period_10hz, "+3.2", 3200000000ull);
	check_accept(period_10hz, "0.2", 200000000);    /* two samples exactly */
	check_accept(period_10hz, "86400", WAVE_PERIOD_MAX_NS);
	check_accept(period_10hz, "8.64e4", WAVE_PERIOD_MAX_NS);
	check_accept(period_10hz, "1.0000000004", 1000000000);  /* nearest ns */
	check_accept(period_10hz, "1.0000000006", 1000000001);
	/* 1e-1 s is two samples at 20 Hz and ten at 100 Hz */
	CHECK(wave_parse_period("1e-1", 50000000, &ns, NULL, 0) == 0 && ns == 100000000);
	CHECK(wave_parse_period("1E-1", 10000000, &ns, NULL, 0) == 0 && ns == 100000000);
	CHECK(wave_parse_period("2e-9", 1, &ns, NULL, 0) == 0 && ns == 2);
}

static void test_rate_rejects(void)
{
	static const char *const range[] = { "0.09", "0.0999999", "10000.5", "10001",
					     "1e5", "1e300" };
	const char *expect = "expected Hz from 0.1 to 10000";
	char err[WAVE_ERR_MAX];
	uint64_t ns;
	size_t i;

	for (i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++)
		check_reject(wave_parse_rate, bad_numbers[i], expect);
	for (i = 0; i < sizeof(range) / sizeof(range[0]); i++)
		check_reject(wave_parse_rate, range[i], expect);
	CHECK(wave_parse_rate("0", &ns, err, sizeof(err)) == -1);
	CHECK(!strcmp(err, "bad rate '0': expected Hz from 0.1 to 10000"));
}

static void test_rate_accepts(void)
{
	check_accept(wave_parse_rate, "10", 100000000);
	check_accept(wave_parse_rate, "10.0", 100000000);
	check_accept(wave_parse_rate, "0.1", 10000000000ull);
	check_accept(wave_parse_rate, "1e-1", 10000000000ull);
	check_accept(wave_parse_rate, "10000", 100000);
	check_accept(wave_parse_rate, "1e4", 100000);
	check_accept(wave_parse_rate, "2.5", 400000000);
	check_accept(wave_parse_rate, "3", 333333333);  /* nearest ns */
	check_accept(wave_parse_rate, "7", 142857143);
}

static void test_wave_names(void)
{
	static const char *const bad[] = { "FOO", "", " ", "sinx", "0", "nan", "SIN ", "\033" };
	static const struct {
		const char *s;
		enum wave_kind k;
	} good[] = {
		{ "SIN", WAVE_SIN }, { "sine", WAVE_SIN }, { "qua", WAVE_QUA },
		{ "Square", WAVE_QUA }, { "TRI", WAVE_TRI }, { "TRIANGLE", WAVE_TRI },
	};
	char err[WAVE_ERR_MAX];
	enum wave_kind k;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		k = WAVE_COUNT;
		err[0] = '\0';
		CHECKF(wave_parse_msg(bad[i], &k, err, sizeof(err)) == -1 && k == WAVE_COUNT,
		       "wave '%s' accepted", bad[i]);
		CHECKF(quotes(err, bad[i]) && well_formed(err) &&
		       strstr(err, "expected SIN, QUA or TRI (sine, square, triangle)"),
		       "wave '%s': message \"%s\"", bad[i], err);
	}
	CHECK(wave_parse_msg("FOO", &k, err, sizeof(err)) == -1);
	CHECK(!strcmp(err, "bad wave 'FOO': expected SIN, QUA or TRI (sine, square, triangle)"));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECKF(wave_parse_msg(good[i].s, &k, err, sizeof(err)) == 0 && k == good[i].k,
		       "wave '%s' not %s", good[i].s, wave_name(good[i].k));
	}
}

/* A long value is cut in the message so the range still shows; a short
 * buffer, or none, truncates without overrunning. */
static void test_message_limits(void)
{
	char long_value[200], err[WAVE_ERR_MAX], tiny[8];
	uint64_t ns = untouched;
	enum wave_kind k;

	memset(long_value, '7', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	CHECK(wave_parse_period(long_value, ns_10hz, &ns, err, sizeof(err)) == -1);
	CHECK(well_formed(err) && strstr(err, "...': expected seconds from 0.2 to 86400"));
	CHECK(wave_parse_rate(long_value, &ns, err, sizeof(err)) == -1);
	CHECK(well_formed(err) && strstr(err, "...': expected Hz from"));
	CHECK(wave_parse_period("abc", ns_10hz, &ns, tiny, sizeof(tiny)) == -1);
	CHECK(!strcmp(tiny, "bad per"));
	CHECK(wave_parse_rate("abc", &ns, NULL, 0) == -1);
	CHECK(wave_parse_msg("abc", &k, NULL, 0) == -1);
	CHECK(wave_parse_period(NULL, ns_10hz, &ns, err, sizeof(err)) == -1);
	CHECK(!strcmp(err, "bad period '': expected seconds from 0.2 to 86400"));
	CHECK(ns == untouched);
}

int main(void)
{
	RUN(test_period_rejects);
	RUN(test_period_accepts);
	RUN(test_rate_rejects);
	RUN(test_rate_accepts);
	RUN(test_wave_names);
	RUN(test_message_limits);
	return CHECK_EXIT;
}
