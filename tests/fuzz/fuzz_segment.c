/* tests/fuzz/fuzz_segment.c - a client's view of a corrupted or foreign
 * segment: arbitrary header and ring bytes, at arbitrary sizes.
 *
 * hal_validate must refuse anything it cannot vouch for without reading
 * past `size`; once it accepts, every reader call (configurations,
 * samples, percentiles) must stay in bounds and return sane values. */
#include <stdlib.h>
#include <string.h>

#include "hal/hal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char err[256];
	size_t mapped = size > sizeof(struct shm_seg) ? sizeof(struct shm_seg) : size;
	struct shm_seg *seg;
	struct hal_cfg c;
	struct hal_sample smp;
	uint32_t head;

	/* Exactly `mapped` bytes, so ASan catches any read past them. */
	seg = malloc(mapped ? mapped : 1);
	if (!seg)
		return 0;
	memcpy(seg, data, mapped);
	if (hal_validate(seg, mapped, err, sizeof err) < 0) {
		if (!err[0])
			abort();
		free(seg);
		return 0;
	}
	if (hal_get_config(seg, atomic_load(&seg->cfg_gen), &c) == 0 &&
	    ((unsigned)c.wave >= WAVE_COUNT || !c.period_ns || !c.interval_ns))
		abort();
	head = atomic_load(&seg->head);
	for (uint32_t q = head - 8; q != head; q++)
		if (hal_read(seg, q, &smp) == 0 && hal_config_of(seg, smp.cfg_gen, &c) == 0 &&
		    (unsigned)c.wave >= WAVE_COUNT)
			abort();
	hal_late_percentile(seg, 990);
	free(seg);
	return 0;
}
