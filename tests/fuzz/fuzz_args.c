/* tests/fuzz/fuzz_args.c - argv validators: wave, period, rate, name.
 *
 * Any string: no crash, and every value accepted is inside the documented
 * bounds; every rejection comes with a message. */
#include <stdlib.h>
#include <string.h>

#include "hal/hal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char s[256], err[WAVE_ERR_MAX];
	uint64_t iv = 100000000ull, p;
	enum wave_kind w;

	if (size >= sizeof s)
		size = sizeof s - 1;
	memcpy(s, data, size);
	s[size] = 0;
	err[0] = 0;
	if (wave_parse_rate(s, &iv, err, sizeof err) == 0) {
		if (iv < 100000ull || iv > 10000000000ull)
			abort();
	} else if (!err[0]) {
		abort();
	}
	err[0] = 0;
	if (wave_parse_period(s, iv, &p, err, sizeof err) == 0) {
		if (p < 2 * iv || p > WAVE_PERIOD_MAX_NS)
			abort();
	} else if (!err[0]) {
		abort();
	}
	if (wave_parse_msg(s, &w, err, sizeof err) == 0 && (unsigned)w >= WAVE_COUNT)
		abort();
	if (hal_name_ok(s, err, sizeof err) == 0 && (strlen(s) > SHM_NAME_MAX || strchr(s, '/')))
		abort();
	return 0;
}
