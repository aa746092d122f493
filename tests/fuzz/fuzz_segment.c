/* tests/fuzz/fuzz_segment.c - a client's view of a corrupted or foreign
 * segment: arbitrary header and ring bytes, at arbitrary sizes.
 *
 * hal_validate must refuse anything it cannot vouch for without reading
 * past `size`; once it accepts, every reader call (configurations,
 * samples, percentiles) must stay in bounds and return sane values. */
#include <stdlib.h>
#include <string.h>

#include "hal/hal.h"

/* Two ways to build the bytes: the input itself (a foreign segment), or a
 * valid segment from hal_format with the input as patches over it
 * (a corrupted one): [len16 of the mapping][offset16 byte]... */
static size_t build(struct shm_seg *seg, const unsigned char *data, size_t size)
{
	static const struct hal_cfg cfg = { .wave = WAVE_TRI, .period_ns = 2000000000ull,
					    .interval_ns = 100000000ull };
	size_t mapped;

	if (size == 0 || data[0] & 1) {
		mapped = size > sizeof *seg ? sizeof *seg : size;
		memcpy(seg, data, mapped);
		return mapped;
	}
	memset(seg, 0, sizeof *seg);
	hal_format(seg, "fuzz", &cfg);
	for (uint32_t i = 0; i < 5; i++)
		hal_publish(seg, i, i * 100, atomic_load(&seg->cfg_gen));
	mapped = sizeof *seg;
	if (size >= 3 && data[1] & 1)
		mapped = ((size_t)data[1] << 8 | data[2]) * 4 % (sizeof *seg + 1);
	for (size_t i = 3; i + 2 < size; i += 3) {
		size_t off = ((size_t)data[i] << 8 | data[i + 1]) * 16 % sizeof *seg;
		((unsigned char *)seg)[off] = data[i + 2];
	}
	return mapped;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct shm_seg whole;
	char err[256] = "";
	size_t mapped = build(&whole, data, size);
	struct shm_seg *seg;
	struct hal_cfg c;
	struct hal_sample smp;
	uint32_t head;

	/* Exactly `mapped` bytes on the heap, so ASan sees any read past them. */
	seg = malloc(mapped ? mapped : 1);
	if (!seg)
		return 0;
	memcpy(seg, &whole, mapped);
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
