/* bench/bench_wave.c - ns per sample of the fixed-point waves against
 * straightforward double-precision code (libm for the sine).
 *
 * Each sample is computed as the ADC task computes it: from a time into
 * the period t_mod that advances by one sample interval, ours through
 * wave_phase + wave_code, theirs through t_mod / period in double and the
 * ideal formula of wave/wave.h. Both see the same t_mod sequence. Step and
 * period are read from volatiles so nothing can be folded at compile time,
 * and every code is summed into a volatile sink so nothing is dropped.
 *
 * A second SIN row ("code only") feeds both the same 32-bit phases from an
 * accumulator, to show the cost of the code alone, without the division
 * that turns time into phase.
 *
 * Reps alternate ours and theirs, so both see the same machine noise;
 * each figure is the median of REPS.
 *
 * Output, one line per wave:
 *   wave_sin ns_per_sample ours=3.10 libm=24.00 max_diff=1
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "hal/hal.h"
#include "wave/wave.h"

enum {
	REPS = 7,
	SAMPLES = 2000000,       /* per rep: ~10-50 ms each */
	CHECK_SAMPLES = 1000000,
};

static const double TWO_PI = 6.283185307179586476925286766559;

/* An interval that is no divisor of the period, so phases sweep the
 * whole wave instead of revisiting a few points. */
static volatile uint64_t v_step = 999983;
static volatile uint64_t v_period = 1000000000;
static volatile uint32_t v_dphase = 0x01234567u;
static volatile unsigned sink;

/* The ideals of wave/wave.h, as anyone would write them with doubles. */
static long ideal_sin(double phi)
{
	return lround(511.5 + 511.5 * sin(TWO_PI * phi));
}

static long ideal_tri(double phi)
{
	double y = phi < 0.25 ? 4 * phi : phi < 0.75 ? 2 - 4 * phi : 4 * phi - 4;

	return lround(511.5 + 511.5 * y);
}

static long ideal_qua(double phi)
{
	return phi < 0.5 ? 1023 : 0;
}

static long ideal(enum wave_kind k, double phi)
{
	switch (k) {
	case WAVE_SIN: return ideal_sin(phi);
	case WAVE_TRI: return ideal_tri(phi);
	default: return ideal_qua(phi);
	}
}

static double ns_per(uint64_t t0, uint64_t n)
{
	return (double)(hal_now() - t0) / (double)n;
}

/* Ours as the ADC task runs it: a wave_gen stepping the exact phase. */
static double run_ours(enum wave_kind k)
{
	struct wave_gen g;
	uint64_t t0 = hal_now();
	unsigned acc = 0;

	wave_gen_init(&g, k, 0, v_step, v_period);
	for (uint64_t i = 0; i < SAMPLES; i++)
		acc += wave_gen_next(&g);
	sink = acc;
	return ns_per(t0, SAMPLES);
}

static double run_theirs(enum wave_kind k)
{
	uint64_t step = v_step, period = v_period, t = 0, t0 = hal_now();
	unsigned acc = 0;

	for (uint64_t i = 0; i < SAMPLES; i++) {
		acc += (unsigned)ideal(k, (double)t / (double)period);
		t += step;
		if (t >= period)
			t -= period;
	}
	sink = acc;
	return ns_per(t0, SAMPLES);
}

static double run_ours_code(void)
{
	uint32_t ph = 0, d = v_dphase;
	uint64_t t0 = hal_now();
	unsigned acc = 0;

	for (uint64_t i = 0; i < SAMPLES; i++, ph += d)
		acc += wave_code(WAVE_SIN, ph);
	sink = acc;
	return ns_per(t0, SAMPLES);
}

static double run_libm_code(void)
{
	uint32_t ph = 0, d = v_dphase;
	uint64_t t0 = hal_now();
	unsigned acc = 0;

	for (uint64_t i = 0; i < SAMPLES; i++, ph += d)
		acc += (unsigned)ideal_sin(ph * 0x1p-32);
	sink = acc;
	return ns_per(t0, SAMPLES);
}

/* The largest |ours - theirs| over the benchmark's own inputs: a fast
 * wrong answer would be no result. */
static long max_diff(enum wave_kind k)
{
	uint64_t step = v_step, period = v_period, t = 0;
	long worst = 0;

	for (uint64_t i = 0; i < CHECK_SAMPLES; i++) {
		long d = (long)wave_code(k, wave_phase(t, period)) -
			 ideal(k, (double)t / (double)period);

		if (labs(d) > worst)
			worst = labs(d);
		t += step;
		if (t >= period)
			t -= period;
	}
	return worst;
}

static void bench_kind(const char *name, enum wave_kind k, const char *theirs)
{
	double ours[REPS], ref[REPS];

	run_ours(k);            /* warm caches and the branch predictor */
	run_theirs(k);
	for (int r = 0; r < REPS; r++) {
		ours[r] = run_ours(k);
		ref[r] = run_theirs(k);
	}
	printf("%s ns_per_sample ours=%.2f %s=%.2f max_diff=%ld\n", name, median(ours, REPS),
	       theirs, median(ref, REPS), max_diff(k));
}

static void bench_code_only(void)
{
	double ours[REPS], ref[REPS];

	run_ours_code();
	run_libm_code();
	for (int r = 0; r < REPS; r++) {
		ours[r] = run_ours_code();
		ref[r] = run_libm_code();
	}
	printf("wave_sin_code ns_per_sample ours=%.2f libm=%.2f\n", median(ours, REPS),
	       median(ref, REPS));
}

int main(void)
{
	bench_kind("wave_sin", WAVE_SIN, "libm");
	bench_code_only();
	bench_kind("wave_tri", WAVE_TRI, "double");
	bench_kind("wave_qua", WAVE_QUA, "double");
	return 0;
}
