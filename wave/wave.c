/* wave/wave.c - wave names, and the 10-bit code of each wave at a phase.
 *
 * Codes come from integer arithmetic only: the sampling path must run on
 * boards without an FPU and the program does not link libm. Every wave is
 * the ideal of wave.h rounded half-up, computed as floor(512 + 511.5 * y)
 * with y in [-1, 1] held as an exact binary fraction, so SIN and TRI are
 * symmetric about 511.5 and reach 0 and 1023 without overflow.
 */
#include "wave/wave.h"

enum {
	QUARTER_SHIFT = 30,                     /* phase bits within a quarter */
	QUARTER = 1 << QUARTER_SHIFT,
	QUARTER_MASK = QUARTER - 1,
	SEGMENT_SHIFT = QUARTER_SHIFT - 8,      /* 2^8 table segments a quarter */
	SEGMENT_MASK = (1 << SEGMENT_SHIFT) - 1,
	TABLE_SHIFT = 30,                       /* wave_sine_q30 is Q30 */
	SINE_SHIFT = TABLE_SHIFT + SEGMENT_SHIFT,       /* interpolated: Q52 */
	TRI_SHIFT = QUARTER_SHIFT,
};

_Static_assert(1 << (QUARTER_SHIFT - SEGMENT_SHIFT) == WAVE_SINE_STEPS,
	       "one table segment per SEGMENT_SHIFT bits of a quarter");

static const char *const short_names[WAVE_COUNT] = { "SIN", "QUA", "TRI" };
static const char *const long_names[WAVE_COUNT] = { "sine", "square", "triangle" };

/* ASCII only: readline sets LC_CTYPE from the environment, and a locale
 * must not change which names the device accepts. */
static int same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

int wave_parse(const char *s, enum wave_kind *out)
{
	int k;

	if (!s)
		return -1;
	for (k = 0; k < WAVE_COUNT; k++) {
		if (same_name(s, short_names[k]) || same_name(s, long_names[k])) {
			*out = (enum wave_kind)k;
			return 0;
		}
	}
	return -1;
}

const char *wave_name(enum wave_kind k)
{
	return (unsigned)k < WAVE_COUNT ? short_names[k] : "?";
}

const char *wave_long_name(enum wave_kind k)
{
	return (unsigned)k < WAVE_COUNT ? long_names[k] : "?";
}

/* floor(512 + 511.5 * y) for y = +-mag / 2^shift, |y| <= 1. The sum stays
 * positive (at least 2^shift at y = -1), so unsigned math is exact. */
static unsigned code_of(int negative, uint64_t mag, unsigned shift)
{
	uint64_t mid = (uint64_t)WAVE_CODE_MID << (shift + 1);
	uint64_t swing = (uint64_t)WAVE_CODE_MAX * mag;

	return (unsigned)((negative ? mid - swing : mid + swing) >> (shift + 1));
}

/* Sine and triangle are even about phase 1/4 and odd about 1/2: fold the
 * phase to x in [0, 2^30] of the first quarter and a sign. */
static uint32_t fold(uint32_t phase, int *negative)
{
	uint32_t x = phase & QUARTER_MASK;

	*negative = phase >> 31;
	return phase & QUARTER ? QUARTER - x : x;
}

/* sin(x / 2^30 * pi/2) in Q52; keeping every product bit is free in 64
 * bits and leaves the chord as the only error. */
static uint64_t sine_q52(uint32_t x)
{
	uint32_t i = x >> SEGMENT_SHIFT, f = x & SEGMENT_MASK;
	uint64_t base = (uint64_t)wave_sine_q30[i] << SEGMENT_SHIFT;

	/* f == 0 also covers x = 2^30, whose i + 1 is past the table */
	if (!f)
		return base;
	return base + (uint64_t)(wave_sine_q30[i + 1] - wave_sine_q30[i]) * f;
}

static unsigned sine_code(uint32_t phase)
{
	int negative;
	uint32_t x = fold(phase, &negative);

	return code_of(negative, sine_q52(x), SINE_SHIFT);
}

/* The folded triangle is x itself: y = x / 2^30, exact. */
static unsigned tri_code(uint32_t phase)
{
	int negative;
	uint32_t x = fold(phase, &negative);

	return code_of(negative, x, TRI_SHIFT);
}

static unsigned qua_code(uint32_t phase)
{
	return phase >> 31 ? 0 : WAVE_CODE_MAX;
}

unsigned wave_code(enum wave_kind k, uint32_t phase)
{
	switch (k) {
	case WAVE_SIN:
		return sine_code(phase);
	case WAVE_TRI:
		return tri_code(phase);
	case WAVE_QUA:
		return qua_code(phase);
	default:
		return WAVE_CODE_MID;
	}
}

/* One step of the generator: t * 2^32 = q * period + rem, and adding
 * interval * 2^32 adds step and step_rem, plus a carry once the remainder
 * reaches the period. Wrapping q modulo 2^32 is exactly t modulo the
 * period. Branch-free: the carry comes at no regular rhythm, so a branch
 * would be mispredicted often. */
static inline void gen_step(uint32_t *phase, uint64_t *rem, const struct wave_gen *g)
{
	uint64_t carry;

	*rem += g->step_rem;
	carry = *rem >= g->period_ns;
	*rem -= g->period_ns & (0 - carry);
	*phase += g->step + (uint32_t)carry;
}

/* Here rather than in phase.c so that wave_code inlines into them: this
 * is the ADC task's whole per-sample cost. */
unsigned wave_gen_next(struct wave_gen *g)
{
	unsigned code = wave_code(g->wave, g->phase);

	gen_step(&g->phase, &g->rem, g);
	return code;
}
