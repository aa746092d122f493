/* wave/phase.c - the phase of sample number n, from integers alone.
 *
 * Phase is recomputed from the sample index every tick, never accumulated,
 * so it cannot drift from the sample clock however long the device runs.
 * No __int128: the product tick * interval needs up to 128 bits, and the
 * engine must build for 32-bit ARM.
 */
#include "wave/wave.h"

enum {
	PHASE_BITS = 32,
	PHASE_STEP = 16,        /* bits of quotient per long-division step */
	FAST_PERIOD_BITS = 64 - PHASE_STEP,     /* remainder << 16 must fit */
};

/* (a + b) mod m for a, b < m, without the sum overflowing for any m */
static uint64_t add_mod(uint64_t a, uint64_t b, uint64_t m)
{
	return a >= m - b ? a - (m - b) : a + b;
}

/* (a * b) mod m for a, b < m: shift and add, one bit of a at a time */
static uint64_t mul_mod(uint64_t a, uint64_t b, uint64_t m)
{
	uint64_t r = 0;
	int bit;

	if (!(a >> 32) && !(b >> 32))
		return a * b % m;
	for (bit = 63; bit >= 0; bit--) {
		r = add_mod(r, r, m);
		if (a >> bit & 1)
			r = add_mod(r, b, m);
	}
	return r;
}

uint64_t wave_time_mod(uint64_t tick, uint64_t interval_ns, uint64_t period_ns)
{
	if (!period_ns)
		return 0;
	return mul_mod(tick % period_ns, interval_ns % period_ns, period_ns);
}

/* Bit-at-a-time division for periods too long for the fast path; the
 * shifted-out top bit means the remainder has passed 2^64 > p. */
static uint32_t phase_slow(uint64_t r, uint64_t p)
{
	uint32_t q = 0;
	int i;

	for (i = 0; i < PHASE_BITS; i++) {
		uint64_t top = r >> 63;

		r <<= 1;
		q <<= 1;
		if (top || r >= p) {
			r -= p;
			q |= 1;
		}
	}
	return q;
}

uint32_t wave_phase(uint64_t t_mod_ns, uint64_t period_ns)
{
	uint64_t r = t_mod_ns, q = 0;
	int step;

	if (!period_ns)
		return 0;
	if (r >= period_ns)
		r %= period_ns;
	if (period_ns >> FAST_PERIOD_BITS)
		return phase_slow(r, period_ns);
	/* two steps of schoolbook division in base 2^16: r < p < 2^48 */
	for (step = 0; step < PHASE_BITS / PHASE_STEP; step++) {
		uint64_t n = r << PHASE_STEP;

		q = q << PHASE_STEP | n / period_ns;
		r = n % period_ns;
	}
	return (uint32_t)q;
}

/* The remainder that goes with wave_phase(t, p): (t * 2^32) mod p. */
static uint64_t phase_rem(uint64_t t, uint64_t p)
{
	return mul_mod(t % p, (1ull << 32) % p, p);
}

void wave_gen_init(struct wave_gen *g, enum wave_kind k, uint64_t tick,
		   uint64_t interval_ns, uint64_t period_ns)
{
	uint64_t t = wave_time_mod(tick, interval_ns, period_ns);

	g->wave = k;
	g->period_ns = period_ns ? period_ns : 1;
	g->phase = wave_phase(t, g->period_ns);
	g->rem = phase_rem(t, g->period_ns);
	g->step = wave_phase(interval_ns % g->period_ns, g->period_ns);
	g->step_rem = phase_rem(interval_ns, g->period_ns);
}
