/* tests/unit/test_wave.c - the waveform engine against its ideal values.
 *
 * The ideals of wave.h are computed here from libm in double, which the
 * engine itself may not use. Measurements (exact-code counts, SINAD, ENOB)
 * go to stderr; stdout carries only the PASS/FAIL lines.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "wave/wave.h"

enum {
	SWEEP_STEP = 1 << 16,
	SWEEP_MAX = (1 << 16) + 64 + 4 * 3 * (WAVE_SINE_STEPS + 1),
	REC_N = 4096,           /* samples in the coherent record */
	REC_CYCLES = 127,       /* prime: every code lands on a new phase */
	FIT_N = 1 << 16,        /* random-phase samples for the sine fit */
};

static const double two32 = 4294967296.0;
/* The engine's error before rounding is the chord of the table, at most
 * 0.0024 LSB: a code may differ from the ideal only that close to a tie. */
static const double sin_tie_lsb = 0.005;
static const double sinad_min_db = 61.5;
static const double enob_min = 9.9;

/* Interval and period of the coherent record: REC_N intervals are exactly
 * REC_CYCLES periods (99.21875 ms, about 10 Hz, and 3.2 s). */
static const uint64_t rec_unit_ns = 781250;

static uint32_t sweep[SWEEP_MAX];
static size_t sweep_len;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Every 2^16th phase, the quarter and half-period edges, and each table
 * point with its neighbours in all four quarters. */
static void make_sweep(void)
{
	static const uint32_t edges[] = {
		0, 1, 2, 0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff,
		0x80000000, 0x80000001, 0xbfffffff, 0xc0000000, 0xc0000001,
		0xfffffffe, 0xffffffff,
	};
	uint32_t q, i;
	int d;

	sweep_len = 0;
	for (i = 0; i < 1u << 16; i++)
		sweep[sweep_len++] = i * SWEEP_STEP;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		sweep[sweep_len++] = edges[i];
	for (q = 0; q < 4; q++)
		for (i = 0; i <= WAVE_SINE_STEPS; i++)
			for (d = -1; d <= 1; d++)
				sweep[sweep_len++] = (q << 30) + (i << 22) + (uint32_t)d;
}

static double ideal_sin_value(uint32_t phase)
{
	return 511.5 + 511.5 * sin(2 * M_PI * (phase / two32));
}

/* round() is half-up here: the values are positive. */
static long round_half_up(double v)
{
	return (long)floor(v + 0.5);
}

/* Exact in double: phase / 2^32 has 32 bits, times 4 and 511.5 fits 53. */
static long ideal_tri(uint32_t phase)
{
	double phi = phase / two32, tri;

	if (phi < 0.25)
		tri = 4 * phi;
	else if (phi < 0.75)
		tri = 2 - 4 * phi;
	else
		tri = 4 * phi - 4;
	return round_half_up(511.5 + 511.5 * tri);
}

static long ideal_qua(uint32_t phase)
{
	return phase / two32 < 0.5 ? WAVE_CODE_MAX : 0;
}

static void test_sine_table_from_libm(void)
{
	int i;

	for (i = 0; i <= WAVE_SINE_STEPS; i++) {
		double v = sin(i * M_PI / (2 * WAVE_SINE_STEPS)) * 1073741824.0;

		CHECKF(wave_sine_q30[i] == (uint32_t)llround(v),
		       "wave_sine_q30[%d] = %u, libm gives %.3f", i,
		       (unsigned)wave_sine_q30[i], v);
	}
}

/* Of the 68634 sweep phases, 48 codes are 1 LSB off the ideal, each within
 * 0.0022 LSB of a rounding tie; the other 68586 are exact. */
static void test_sin_sweep(void)
{
	size_t i, exact = 0;
	double worst_tie = 0;

	for (i = 0; i < sweep_len; i++) {
		double v = ideal_sin_value(sweep[i]);
		long want = round_half_up(v);
		long got = (long)wave_code(WAVE_SIN, sweep[i]);
		double tie = fabs(v - floor(v) - 0.5);

		if (got == want) {
			exact++;
			continue;
		}
		CHECKF(labs(got - want) <= 1 && tie < sin_tie_lsb,
		       "SIN phase %#x: code %ld, ideal %.6f", (unsigned)sweep[i], got, v);
		if (tie > worst_tie)
			worst_tie = tie;
	}
	fprintf(stderr, "SIN: %zu of %zu sweep codes exact, the rest 1 LSB off "
		"within %.5f LSB of a rounding tie\n", exact, sweep_len, worst_tie);
}

/* Monotonic within each quarter, odd about 511.5, even about phase 1/4:
 * no glitch where table segments join or quarters fold. */
static void test_sin_shape(void)
{
	uint32_t p;
	unsigned prev = wave_code(WAVE_SIN, 0);

	for (p = 1 << 12; p != 0; p += 1 << 12) {
		unsigned c = wave_code(WAVE_SIN, p);
		int rising = p <= 0x40000000 || p > 0xc0000000;

		CHECKF(rising ? c >= prev : c <= prev, "SIN not monotonic at %#x",
		       (unsigned)p);
		CHECKF(p == 0x80000000 || c + wave_code(WAVE_SIN, 0u - p) == WAVE_CODE_MAX,
		       "SIN not odd at %#x", (unsigned)p);
		CHECKF(c == wave_code(WAVE_SIN, 0x80000000u - p),
		       "SIN not even about 1/4 at %#x", (unsigned)p);
		prev = c;
	}
}

static void test_tri_sweep(void)
{
	size_t i;

	for (i = 0; i < sweep_len; i++) {
		long got = (long)wave_code(WAVE_TRI, sweep[i]);

		CHECKF(got == ideal_tri(sweep[i]), "TRI phase %#x: code %ld, ideal %ld",
		       (unsigned)sweep[i], got, ideal_tri(sweep[i]));
	}
}

static void test_qua_sweep(void)
{
	size_t i;

	for (i = 0; i < sweep_len; i++) {
		unsigned c = wave_code(WAVE_QUA, sweep[i]);

		CHECKF(c == (unsigned)ideal_qua(sweep[i]), "QUA phase %#x: code %u",
		       (unsigned)sweep[i], c);
	}
	CHECK(wave_code(WAVE_QUA, 0x7fffffff) == WAVE_CODE_MAX);
	CHECK(wave_code(WAVE_QUA, 0x80000000) == 0);
}

static void test_full_range_and_mid(void)
{
	static const enum wave_kind kinds[] = { WAVE_SIN, WAVE_TRI, WAVE_QUA };
	size_t i, k;

	for (k = 0; k < 3; k++) {
		unsigned lo = WAVE_CODE_MAX, hi = 0;

		for (i = 0; i < sweep_len; i++) {
			unsigned c = wave_code(kinds[k], sweep[i]);

			lo = c < lo ? c : lo;
			hi = c > hi ? c : hi;
		}
		CHECKF(lo == 0 && hi == WAVE_CODE_MAX, "%s spans %u..%u",
		       wave_name(kinds[k]), lo, hi);
	}
	CHECK(wave_code(WAVE_SIN, 0) == WAVE_CODE_MID);
	CHECK(wave_code(WAVE_TRI, 0) == WAVE_CODE_MID);
	CHECK(wave_code(WAVE_SIN, 0x80000000) == WAVE_CODE_MID);
	CHECK(wave_code(WAVE_TRI, 0x80000000) == WAVE_CODE_MID);
	CHECK(wave_code(WAVE_SIN, 0x40000000) == WAVE_CODE_MAX);
	CHECK(wave_code(WAVE_SIN, 0xc0000000) == 0);
	CHECK(wave_code(WAVE_TRI, 0x40000000) == WAVE_CODE_MAX);
	CHECK(wave_code(WAVE_TRI, 0xc0000000) == 0);
	CHECK(wave_code(WAVE_SIN, 0xffffffff) == WAVE_CODE_MID - 1);
	CHECK(wave_code(WAVE_TRI, 0xffffffff) == WAVE_CODE_MID - 1);
}

/* Least-squares fit of c + a cos(t) + b sin(t) to x (IEEE 1241, three
 * parameters at a known frequency); returns the SINAD in dB. */
static double sinad_db(const double *x, const double *t, size_t n)
{
	double m[3][4] = { { 0 } }, sol[3], noise = 0, det;
	size_t i, r, c;

	for (i = 0; i < n; i++) {
		double f[3] = { 1, cos(t[i]), sin(t[i]) };

		for (r = 0; r < 3; r++) {
			for (c = 0; c < 3; c++)
				m[r][c] += f[r] * f[c];
			m[r][3] += f[r] * x[i];
		}
	}
	det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
	      m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
	      m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
	for (r = 0; r < 3; r++) {
		double a[3][3];

		for (i = 0; i < 9; i++)
			a[i / 3][i % 3] = i % 3 == r ? m[i / 3][3] : m[i / 3][i % 3];
		sol[r] = (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
			  a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
			  a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])) / det;
	}
	for (i = 0; i < n; i++) {
		double e = x[i] - sol[0] - sol[1] * cos(t[i]) - sol[2] * sin(t[i]);

		noise += e * e;
	}
	return 10 * log10((sol[1] * sol[1] + sol[2] * sol[2]) / 2 / (noise / n));
}

static double enob(double sinad)
{
	return (sinad - 1.76) / 6.02;
}

/* The device's own path, index -> time -> phase -> code, at sample numbers
 * past 2^62; the fit uses the true sample times, not the engine's phases. */
static void test_sinad_coherent(void)
{
	static double x[REC_N], ideal[REC_N], t[REC_N];
	uint64_t interval = REC_CYCLES * rec_unit_ns, period = REC_N * rec_unit_ns;
	uint64_t tick0 = (1ull << 62) + 12345;
	double s, si;
	size_t i;

	for (i = 0; i < REC_N; i++) {
		uint64_t tick = tick0 + i;
		uint32_t ph = wave_phase(wave_time_mod(tick, interval, period), period);

		x[i] = wave_code(WAVE_SIN, ph);
		ideal[i] = round_half_up(ideal_sin_value(ph));
		/* the true angle 2 pi 127 tick / 4096, reduced in integers */
		t[i] = 2 * M_PI * (double)(REC_CYCLES * (tick % REC_N) % REC_N) / REC_N;
	}
	s = sinad_db(x, t, REC_N);
	si = sinad_db(ideal, t, REC_N);
	fprintf(stderr, "SIN coherent %d samples, %d cycles: SINAD %.3f dB, "
		"ENOB %.3f (ideal codes: %.3f dB; 10-bit limit 61.96 dB)\n",
		REC_N, REC_CYCLES, s, enob(s), si);
	CHECKF(s >= sinad_min_db, "SINAD %.3f dB < %.1f", s, sinad_min_db);
	CHECKF(enob(s) >= enob_min, "ENOB %.3f < %.1f", enob(s), enob_min);
}

/* Phases off the 2^-12 grid a coherent 4096 record is bound to, so every
 * point of the interpolation is measured too. */
static void test_sinad_random_phase(void)
{
	static double x[FIT_N], t[FIT_N];
	double s;
	size_t i;

	for (i = 0; i < FIT_N; i++) {
		uint32_t ph = (uint32_t)(rng() >> 32);

		x[i] = wave_code(WAVE_SIN, ph);
		t[i] = 2 * M_PI * (ph / two32);
	}
	s = sinad_db(x, t, FIT_N);
	fprintf(stderr, "SIN %d random phases, sine fit: SINAD %.3f dB, ENOB %.3f\n",
		FIT_N, s, enob(s));
	CHECKF(s >= sinad_min_db, "SINAD %.3f dB < %.1f", s, sinad_min_db);
}

/* hi:lo / m by plain bitwise long division; the quotient must fit 64 bits */
static uint64_t ref_divmod(uint64_t hi, uint64_t lo, uint64_t m, uint64_t *rem)
{
	uint64_t r = 0, q = 0;
	int i;

	for (i = 127; i >= 0; i--) {
		uint64_t bit = i >= 64 ? hi >> (i - 64) & 1 : lo >> i & 1;
		uint64_t top = r >> 63;

		r = r << 1 | bit;
		q <<= 1;
		if (top || r >= m) {
			r -= m;
			q |= 1;
		}
	}
	*rem = r;
	return q;
}

/* (a * b) mod m through a 128-bit product from 32-bit limbs: slow and
 * plain, and a different method from the engine's doubling. */
static uint64_t ref_mulmod(uint64_t a, uint64_t b, uint64_t m)
{
	uint64_t al = a & 0xffffffff, ah = a >> 32, bl = b & 0xffffffff, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
	uint64_t lo = mid << 32 | (ll & 0xffffffff);
	uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
	uint64_t r;

	ref_divmod(hi, lo, m, &r);
	return r;
}

static uint64_t ref_phase(uint64_t t, uint64_t p)
{
	uint64_t r;

	return ref_divmod(t >> 32, t << 32, p, &r);
}

/* The reference itself, against the compiler's 128-bit type where there
 * is one (not on 32-bit ARM, where this test still builds). */
static void test_reference_mulmod(void)
{
#ifdef __SIZEOF_INT128__
	int i;

	for (i = 0; i < 10000; i++) {
		uint64_t a = rng(), b = rng(), m = rng() >> (rng() % 64);

		if (!m)
			continue;
		CHECK(ref_mulmod(a, b, m) == (uint64_t)((unsigned __int128)a * b % m));
	}
#else
	CHECK(ref_mulmod(UINT64_MAX, UINT64_MAX, 1000000007) == 114944269);
#endif
}

static void test_time_mod_huge(void)
{
	static const uint64_t ticks[] = {
		0, 1, 0xffffffff, 0x100000000ull, (1ull << 62) + 1, (1ull << 63) - 1,
		1ull << 63, (1ull << 63) + 1, UINT64_MAX - 1, UINT64_MAX,
	};
	static const uint64_t intervals[] = {
		1, 100000, 99218750, 100000000, 10000000000ull, 142857143,
		1ull << 40, UINT64_MAX,
	};
	static const uint64_t periods[] = {
		1, 2, 3, 200000000, 3200000000ull, 999999937, WAVE_PERIOD_MAX_NS,
		WAVE_PERIOD_MAX_NS - 1, 1ull << 48, (1ull << 63) + 3, UINT64_MAX,
	};
	size_t a, b, c;
	int i;

	for (a = 0; a < sizeof(ticks) / sizeof(ticks[0]); a++)
		for (b = 0; b < sizeof(intervals) / sizeof(intervals[0]); b++)
			for (c = 0; c < sizeof(periods) / sizeof(periods[0]); c++)
				CHECKF(wave_time_mod(ticks[a], intervals[b], periods[c]) ==
				       ref_mulmod(ticks[a], intervals[b], periods[c]),
				       "tick %#llx interval %llu period %llu",
				       (unsigned long long)ticks[a],
				       (unsigned long long)intervals[b],
				       (unsigned long long)periods[c]);
	for (i = 0; i < 20000; i++) {
		uint64_t tick = rng(), iv = rng() >> (rng() % 64);
		uint64_t p = 1 + rng() % WAVE_PERIOD_MAX_NS;

		CHECK(wave_time_mod(tick, iv, p) == ref_mulmod(tick, iv, p));
	}
}

/* Consecutive samples advance by exactly one interval, mod the period,
 * across 2^63 as anywhere else. */
static void test_time_mod_no_drift(void)
{
	static const uint64_t iv[] = { 99218750, 10000000000ull, 100000 };
	static const uint64_t p[] = { 3200000000ull, WAVE_PERIOD_MAX_NS, 200000 };
	uint64_t tick;
	int k;

	for (k = 0; k < 3; k++) {
		uint64_t prev = wave_time_mod((1ull << 63) - 500, iv[k], p[k]);

		for (tick = (1ull << 63) - 499; tick != (1ull << 63) + 500; tick++) {
			uint64_t now = wave_time_mod(tick, iv[k], p[k]);

			CHECKF(now == (prev + iv[k] % p[k]) % p[k], "drift at tick %#llx",
			       (unsigned long long)tick);
			prev = now;
		}
	}
	CHECK(wave_time_mod(12345, 100000000, 0) == 0);
}

static void test_phase_edges(void)
{
	static const uint64_t periods[] = {
		1, 2, 3, 7, 200000000, 3200000000ull, 1ull << 32, (1ull << 32) + 1,
		WAVE_PERIOD_MAX_NS, (1ull << 48) - 1, 1ull << 48, (1ull << 48) + 1,
		1ull << 63, UINT64_MAX,
	};
	const uint64_t max = WAVE_PERIOD_MAX_NS;
	size_t k;
	int i;

	CHECK(wave_phase(0, max) == 0);
	CHECK(wave_phase(max - 1, max) == 0xffffffff);
	CHECK(wave_phase(max / 2, max) == 0x80000000);
	CHECK(wave_phase(max / 4, max) == 0x40000000);
	CHECK(wave_phase(1, 2) == 0x80000000);
	CHECK(wave_phase(3, 4) == 0xc0000000);
	CHECK(wave_phase(1, 3) == 1431655765);
	CHECK(wave_phase(2, 3) == 2863311530u);
	CHECK(wave_phase(0, 1) == 0);
	CHECK(wave_phase(123456789, 1ull << 32) == 123456789);
	CHECK(wave_phase(5, 0) == 0);
	for (k = 0; k < sizeof(periods) / sizeof(periods[0]); k++) {
		uint64_t p = periods[k];
		uint64_t ts[] = { 0, 1, p / 2, p / 3, p - 2, p - 1 };

		for (i = 0; i < 6; i++)
			if (ts[i] < p)
				CHECKF(wave_phase(ts[i], p) == ref_phase(ts[i], p),
				       "phase of %llu in %llu", (unsigned long long)ts[i],
				       (unsigned long long)p);
	}
	for (i = 0; i < 20000; i++) {
		uint64_t p = 1 + rng() % max, t = rng() % p;

		CHECK(wave_phase(t, p) == ref_phase(t, p));
	}
}

static void test_names(void)
{
	static const struct {
		const char *s;
		enum wave_kind k;
	} good[] = {
		{ "SIN", WAVE_SIN }, { "sin", WAVE_SIN }, { "Sin", WAVE_SIN },
		{ "sine", WAVE_SIN }, { "SINE", WAVE_SIN }, { "QUA", WAVE_QUA },
		{ "qua", WAVE_QUA }, { "square", WAVE_QUA }, { "SQUARE", WAVE_QUA },
		{ "TRI", WAVE_TRI }, { "tri", WAVE_TRI }, { "triangle", WAVE_TRI },
		{ "TriAngle", WAVE_TRI },
	};
	static const char *const bad[] = {
		"", " ", "FOO", "si", "sinx", "sine ", " sin", "squ", "saw",
		"triangles", "SIN\n", "0",
	};
	enum wave_kind k, out;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		out = WAVE_COUNT;
		CHECKF(wave_parse(good[i].s, &out) == 0 && out == good[i].k,
		       "'%s' not parsed as %s", good[i].s, wave_name(good[i].k));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(wave_parse(bad[i], &out) == -1, "'%s' accepted", bad[i]);
	CHECK(wave_parse(NULL, &out) == -1);
	CHECK(!strcmp(wave_name(WAVE_SIN), "SIN"));
	CHECK(!strcmp(wave_name(WAVE_QUA), "QUA"));
	CHECK(!strcmp(wave_name(WAVE_TRI), "TRI"));
	CHECK(!strcmp(wave_long_name(WAVE_SIN), "sine"));
	CHECK(!strcmp(wave_long_name(WAVE_QUA), "square"));
	CHECK(!strcmp(wave_long_name(WAVE_TRI), "triangle"));
	for (k = WAVE_SIN; k < WAVE_COUNT; k++) {
		CHECK(wave_parse(wave_name(k), &out) == 0 && out == k);
		CHECK(wave_parse(wave_long_name(k), &out) == 0 && out == k);
	}
}

static void test_format_seconds(void)
{
	static const struct {
		uint64_t ns;
		const char *s;
	} cases[] = {
		{ 2000000000, "2" }, { 500000000, "0.5" }, { 100000000, "0.1" },
		{ 1000000, "0.001" }, { 1, "0.000000001" }, { 0, "0" },
		{ 1500000000, "1.5" }, { 666666666, "0.666666666" },
		{ WAVE_PERIOD_MAX_NS, "86400" }, { 10000000000ull, "10" },
		{ UINT64_MAX, "18446744073.709551615" },
	};
	char buf[32], small[4];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECKF(!strcmp(wave_format_seconds(cases[i].ns, buf, sizeof(buf)), cases[i].s),
		       "%llu ns formatted as '%s'", (unsigned long long)cases[i].ns, buf);
	}
	CHECK(wave_format_seconds(1500000000, small, sizeof(small)) == small);
	CHECK(!strcmp(small, "1.5"));
	wave_format_seconds(666666666, small, sizeof(small));
	CHECK(!strcmp(small, "0.6"));
}

/* The generator steps phase without dividing; it must agree exactly with
 * the phase computed from the sample index, from any starting tick. */
static void test_generator_matches_index(void)
{
	static const uint64_t iv[] = { 100000000ull, 1000000ull, 333333ull, 7ull, 100000ull };
	static const uint64_t p[] = { 2000000000ull, 257000000ull, 999999937ull,
				      86400ull * 1000000000ull, 200001ull };
	static const uint64_t start[] = { 0, 1, 123456789ull, (1ull << 40) + 3 };

	for (int k = 0; k < 5; k++) {
		for (int s = 0; s < 4; s++) {
			struct wave_gen g;
			int bad = 0;

			wave_gen_init(&g, (enum wave_kind)(k % WAVE_COUNT), start[s], iv[k], p[k]);
			for (uint64_t n = start[s]; n < start[s] + 20000; n++) {
				uint32_t ph = wave_phase(wave_time_mod(n, iv[k], p[k]), p[k]);
				unsigned want = wave_code((enum wave_kind)(k % WAVE_COUNT), ph);

				if (g.phase != ph || wave_gen_next(&g) != want)
					bad++;
			}
			CHECKF(bad == 0, "interval %llu period %llu from tick %llu: %d differ",
			       (unsigned long long)iv[k], (unsigned long long)p[k],
			       (unsigned long long)start[s], bad);
		}
	}
}

int main(void)
{
	make_sweep();
	RUN(test_sine_table_from_libm);
	RUN(test_sin_sweep);
	RUN(test_sin_shape);
	RUN(test_tri_sweep);
	RUN(test_qua_sweep);
	RUN(test_full_range_and_mid);
	RUN(test_sinad_coherent);
	RUN(test_sinad_random_phase);
	RUN(test_reference_mulmod);
	RUN(test_time_mod_huge);
	RUN(test_time_mod_no_drift);
	RUN(test_phase_edges);
	RUN(test_names);
	RUN(test_format_seconds);
	RUN(test_generator_matches_index);
	return CHECK_EXIT;
}
