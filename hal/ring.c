/* hal/ring.c - the records in the segment: samples and configurations.
 *
 * Each record is guarded by a begin/end pair holding its sequence number
 * (a seqlock per record, H. Boehm 2012). The writer stores begin, a release
 * fence, the data as relaxed atomics, then end with release. A reader loads
 * end with acquire, the data relaxed, an acquire fence, then begin: if both
 * equal the number it wants, the data in between was not torn. Readers only
 * load, so they work on a read-only attach and can never stall the writer.
 */
#include "hal/hal.h"

static const memory_order rlx = memory_order_relaxed;

static uint32_t lo32(uint64_t v) { return (uint32_t)v; }
static uint32_t hi32(uint64_t v) { return (uint32_t)(v >> 32); }
static uint64_t join(uint32_t lo, uint32_t hi) { return (uint64_t)hi << 32 | lo; }

void hal_notify(struct shm_seg *seg)
{
	atomic_fetch_add_explicit(&seg->event, 1, memory_order_release);
	hal_wake(&seg->event);
}

void hal_set_config(struct shm_seg *seg, const struct hal_cfg *cfg)
{
	uint32_t gen = atomic_load_explicit(&seg->cfg_gen, rlx) + 1;
	struct shm_cfg *c = &seg->cfg[gen % SHM_CFG_SLOTS];

	atomic_store_explicit(&c->begin, gen, rlx);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&c->wave, (uint32_t)cfg->wave, rlx);
	atomic_store_explicit(&c->period_lo, lo32(cfg->period_ns), rlx);
	atomic_store_explicit(&c->period_hi, hi32(cfg->period_ns), rlx);
	atomic_store_explicit(&c->interval_lo, lo32(cfg->interval_ns), rlx);
	atomic_store_explicit(&c->interval_hi, hi32(cfg->interval_ns), rlx);
	atomic_store_explicit(&c->flags, cfg->flags, rlx);
	atomic_store_explicit(&c->end, gen, memory_order_release);
	atomic_store_explicit(&seg->cfg_gen, gen, memory_order_release);
}

int hal_get_config(const struct shm_seg *seg, uint32_t gen, struct hal_cfg *out)
{
	const struct shm_cfg *c = &seg->cfg[gen % SHM_CFG_SLOTS];
	uint32_t end = atomic_load_explicit(&c->end, memory_order_acquire);
	uint32_t wave = atomic_load_explicit(&c->wave, rlx);

	out->period_ns = join(atomic_load_explicit(&c->period_lo, rlx),
			      atomic_load_explicit(&c->period_hi, rlx));
	out->interval_ns = join(atomic_load_explicit(&c->interval_lo, rlx),
				atomic_load_explicit(&c->interval_hi, rlx));
	out->flags = atomic_load_explicit(&c->flags, rlx);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&c->begin, rlx) != gen || end != gen)
		return -1;
	/* A torn-free record can still be garbage in a foreign segment. */
	if (wave >= WAVE_COUNT || out->period_ns == 0 || out->interval_ns == 0 ||
	    out->period_ns > WAVE_PERIOD_MAX_NS)
		return -1;
	out->wave = (enum wave_kind)wave;
	out->gen = gen;
	return 0;
}

void hal_set_state(struct shm_seg *seg, enum dev_state st)
{
	atomic_store_explicit(&seg->state, (uint32_t)st, memory_order_release);
	atomic_fetch_add_explicit(&seg->ctl, 1, memory_order_release);
	hal_wake(&seg->ctl);
	hal_notify(seg);
}

void hal_publish(struct shm_seg *seg, uint32_t tick, unsigned code, uint32_t cfg_gen)
{
	uint32_t seq = atomic_load_explicit(&seg->head, rlx);
	struct shm_slot *s = &seg->ring[seq % SHM_RING_SLOTS];

	atomic_store_explicit(&s->begin, seq, rlx);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&s->tick, tick, rlx);
	atomic_store_explicit(&s->value, (code & 0xffffu) | cfg_gen << 16, rlx);
	atomic_store_explicit(&s->end, seq, memory_order_release);
	atomic_store_explicit(&seg->head, seq + 1, memory_order_release);
}

int hal_read(const struct shm_seg *seg, uint32_t seq, struct hal_sample *out)
{
	const struct shm_slot *s = &seg->ring[seq % SHM_RING_SLOTS];
	uint32_t end = atomic_load_explicit(&s->end, memory_order_acquire);
	uint32_t tick = atomic_load_explicit(&s->tick, rlx);
	uint32_t value = atomic_load_explicit(&s->value, rlx);

	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&s->begin, rlx) != seq || end != seq)
		return -1;
	out->seq = seq;
	out->tick = tick;
	out->code = value & 0xffffu;
	out->cfg_gen = value >> 16;
	return 0;
}

int hal_config_of(const struct shm_seg *seg, uint32_t gen16, struct hal_cfg *out)
{
	uint32_t gen = atomic_load_explicit(&seg->cfg_gen, memory_order_acquire);

	/* A sample carries the low 16 bits of its generation; the segment
	 * keeps the last SHM_CFG_SLOTS configurations. */
	for (uint32_t i = 0; i < SHM_CFG_SLOTS; i++, gen--)
		if ((gen & 0xffffu) == gen16)
			return hal_get_config(seg, gen, out);
	return -1;
}

uint32_t hal_late_percentile(const struct shm_seg *seg, unsigned permille)
{
	uint64_t total = 0, seen = 0;

	for (unsigned b = 0; b < SHM_LATE_BUCKETS; b++)
		total += atomic_load_explicit(&seg->late_hist[b], rlx);
	if (total == 0)
		return 0;
	for (unsigned b = 0; b < SHM_LATE_BUCKETS; b++) {
		seen += atomic_load_explicit(&seg->late_hist[b], rlx);
		if (seen * 1000 >= total * permille)
			return b == 0 ? 1 : b >= 31 ? UINT32_MAX : 1u << b;
	}
	return UINT32_MAX;
}
