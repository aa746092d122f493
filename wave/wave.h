/* wave/wave.h - the waveform engine: the whole interface of wave/.
 *
 * The ADC's input signal as 10-bit codes (0..1023, mid-scale 512), in fixed
 * point only: no libm and no floating point on the sampling path. The
 * parsers (wave names, periods, rates) run once per command, not per sample,
 * and may use strtod.
 *
 * Ideal values the engine is tested against (phi = phase in [0,1)):
 *   SIN  round(511.5 + 511.5 * sin(2*pi*phi))
 *   TRI  round(511.5 + 511.5 * tri(phi)), tri rising 0 -> 1 at phi 1/4,
 *        falling to -1 at 3/4, back to 0 at 1 (same phase as the sine)
 *   QUA  1023 for phi < 1/2, else 0 (the two extremes, half a period each)
 * round() is round-half-up, so phi = 0 gives mid-scale 512.
 */
#ifndef SHMDEV_WAVE_H
#define SHMDEV_WAVE_H

#include <stddef.h>
#include <stdint.h>

enum wave_kind { WAVE_SIN, WAVE_QUA, WAVE_TRI, WAVE_COUNT };

enum {
	WAVE_CODE_MAX = 1023,
	WAVE_CODE_MID = 512,
	WAVE_ERR_MAX = 160,      /* room for any message the parsers write */
};

/* Period bounds: at least two samples per period, at most one day. */
#define WAVE_PERIOD_MAX_NS   (86400ull * 1000000000ull)
/* Sample-rate bounds for `device -r HZ`. */
#define WAVE_RATE_MIN_HZ     0.1
#define WAVE_RATE_MAX_HZ     10000.0

/* "SIN", "sin", "sine", "QUA", "square", "TRI", "triangle", any case.
 * Returns 0, or -1 for anything else. */
int wave_parse(const char *s, enum wave_kind *out);
const char *wave_name(enum wave_kind k);        /* "SIN", "QUA", "TRI" */
const char *wave_long_name(enum wave_kind k);   /* "sine", "square", "triangle" */

/* The 10-bit code of wave k at phase (a 32-bit fraction of one period:
 * 0 = 0, 2^32 = one full period). Integer arithmetic only. */
unsigned wave_code(enum wave_kind k, uint32_t phase);

/* The quarter-wave sine table SIN codes are interpolated from, public only
 * so the unit test can re-derive it from libm:
 * wave_sine_q30[i] = round(sin(i * pi / (2 * WAVE_SINE_STEPS)) * 2^30). */
enum { WAVE_SINE_STEPS = 256 };
extern const uint32_t wave_sine_q30[WAVE_SINE_STEPS + 1];

/* (tick * interval_ns) mod period_ns, exact for any tick: the time into the
 * current period of sample number tick, so phase never drifts from the
 * sample clock. */
uint64_t wave_time_mod(uint64_t tick, uint64_t interval_ns, uint64_t period_ns);

/* floor(t_mod_ns * 2^32 / period_ns) for t_mod_ns < period_ns
 * <= WAVE_PERIOD_MAX_NS. */
uint32_t wave_phase(uint64_t t_mod_ns, uint64_t period_ns);

/* A generator for the samples of one configuration: the code at tick n,
 * n+1, n+2, ... It keeps floor(t * 2^32 / period) and its remainder for
 * t = tick * interval, and steps both exactly, so every code equals
 * wave_code(k, wave_phase(wave_time_mod(tick, ...))) with no division on
 * the sampling path. Needs interval_ns < period_ns. */
struct wave_gen {
	enum wave_kind wave;
	uint32_t phase, step;        /* phase of the next sample; per sample */
	uint64_t rem, step_rem;      /* remainders of the same divisions */
	uint64_t period_ns;
};

void wave_gen_init(struct wave_gen *g, enum wave_kind k, uint64_t tick,
		   uint64_t interval_ns, uint64_t period_ns);
/* The code of the next sample; then step to the one after. */
unsigned wave_gen_next(struct wave_gen *g);

/* Parse a period in seconds ("2", "0.5", "1e-1"). It must be a finite
 * number with no trailing text, at least two sample intervals and at most
 * WAVE_PERIOD_MAX_NS. Returns 0 and stores nanoseconds, or -1 and writes a
 * one-line message naming the bad value and what is expected into err
 * (e.g. "bad period 'abc': expected seconds from 0.2 to 86400"). */
int wave_parse_period(const char *s, uint64_t interval_ns, uint64_t *period_ns,
		      char *err, size_t errlen);

/* Parse a sample rate in Hz within WAVE_RATE_MIN_HZ..WAVE_RATE_MAX_HZ.
 * Returns 0 and stores the sample interval in nanoseconds (rounded), or -1
 * and a message as above. */
int wave_parse_rate(const char *s, uint64_t *interval_ns, char *err, size_t errlen);

/* Parse a wave name, or -1 and a message naming it and the accepted names. */
int wave_parse_msg(const char *s, enum wave_kind *out, char *err, size_t errlen);

/* Format seconds for people: "2", "0.5", "0.001", "86400" (%g-like, no
 * trailing zeros, at most 9 decimals). Returns buf. */
char *wave_format_seconds(uint64_t ns, char *buf, size_t len);

#endif
