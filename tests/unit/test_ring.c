/* tests/unit/test_ring.c - the segment's records: publish, read, wrap,
 * configuration generations, validation, and a torn-read stress test with
 * a writer process running flat out against a reader on a read-only view. */
#include <signal.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hal/hal.h"
#include "tests/check.h"

static int shmid = -1;

/* A private SysV segment, removed at once: it vanishes with its last
 * detach even if the test crashes. */
static struct shm_seg *new_seg(void)
{
	struct hal_cfg cfg = { .wave = WAVE_SIN, .period_ns = 2000000000ull,
			       .interval_ns = 100000000ull };
	struct shm_seg *s;

	shmid = shmget(IPC_PRIVATE, sizeof *s, IPC_CREAT | 0600);
	if (shmid < 0)
		return NULL;
	s = shmat(shmid, NULL, 0);
	shmctl(shmid, IPC_RMID, NULL);
	if (s == (void *)-1)
		return NULL;
	hal_format(s, "test", &cfg);
	return s;
}

static void drop_seg(struct shm_seg *s)
{
	shmdt(s);
}

static void test_publish_read(void)
{
	struct shm_seg *s = new_seg();
	struct hal_sample out;

	CHECK(s != NULL);
	CHECK(hal_validate(s, sizeof *s, (char[128]){0}, 128) == 0);
	/* Nothing written yet: no slot claims any early sequence number. */
	for (uint32_t q = 0; q < 2 * SHM_RING_SLOTS; q++)
		CHECKF(hal_read(s, q, &out) < 0, "seq %u readable before written", q);
	hal_publish(s, 7, 1023, 0);
	CHECK(atomic_load(&s->head) == 1);
	CHECK(hal_read(s, 0, &out) == 0 && out.seq == 0 && out.tick == 7 && out.code == 1023);
	CHECK(hal_read(s, SHM_RING_SLOTS, &out) < 0);
	drop_seg(s);
}

static void test_wrap_overwrites(void)
{
	struct shm_seg *s = new_seg();
	struct hal_sample out;

	for (uint32_t q = 0; q < SHM_RING_SLOTS + 10; q++)
		hal_publish(s, q, q & 1023, 0);
	CHECK(hal_read(s, 9, &out) < 0);        /* overwritten by seq 9 + SLOTS */
	CHECK(hal_read(s, 10, &out) == 0 && out.tick == 10);
	CHECK(hal_read(s, SHM_RING_SLOTS + 9, &out) == 0 && out.tick == SHM_RING_SLOTS + 9);
	drop_seg(s);
}

static void test_sequence_wraps_32_bits(void)
{
	struct shm_seg *s = new_seg();
	struct hal_sample out;

	atomic_store(&s->head, UINT32_MAX - 1);
	for (int i = 0; i < 4; i++)
		hal_publish(s, (uint32_t)i, 5, 0);
	CHECK(atomic_load(&s->head) == 2);
	CHECK(hal_read(s, UINT32_MAX, &out) == 0 && out.tick == 1);
	CHECK(hal_read(s, 1, &out) == 0 && out.tick == 3);
	drop_seg(s);
}

static void test_config_generations(void)
{
	struct shm_seg *s = new_seg();
	struct hal_cfg c, in = { .wave = WAVE_TRI, .period_ns = 500000000ull,
				 .interval_ns = 1000000ull, .flags = CFG_RESET_TIME };
	uint32_t g0 = atomic_load(&s->cfg_gen);

	CHECK(hal_get_config(s, g0, &c) == 0 && c.wave == WAVE_SIN && c.period_ns == 2000000000ull);
	hal_set_config(s, &in);
	CHECK(atomic_load(&s->cfg_gen) == g0 + 1);
	CHECK(hal_get_config(s, g0 + 1, &c) == 0 && c.wave == WAVE_TRI &&
	      c.period_ns == 500000000ull && c.interval_ns == 1000000ull && c.flags == CFG_RESET_TIME);
	CHECK(hal_config_of(s, (g0 + 1) & 0xffff, &c) == 0 && c.gen == g0 + 1);
	CHECK(hal_config_of(s, g0 & 0xffff, &c) == 0 && c.wave == WAVE_SIN);
	for (int i = 0; i < SHM_CFG_SLOTS; i++)
		hal_set_config(s, &in);
	CHECK(hal_get_config(s, g0, &c) < 0);   /* too old: slot reused */
	drop_seg(s);
}

static void test_validate_rejects(void)
{
	struct shm_seg *s = new_seg();
	char err[160];

	CHECK(hal_validate(s, 16, err, sizeof err) < 0 && strstr(err, "too small"));
	CHECK(hal_validate(s, sizeof *s - 1, err, sizeof err) < 0);
	s->layout = 99;
	CHECK(hal_validate(s, sizeof *s, err, sizeof err) < 0 && strstr(err, "layout"));
	s->layout = SHM_LAYOUT;
	memset(s->name, 'x', sizeof s->name);
	CHECK(hal_validate(s, sizeof *s, err, sizeof err) < 0 && strstr(err, "name"));
	atomic_store(&s->magic, 0x12345678);
	CHECK(hal_validate(s, sizeof *s, err, sizeof err) < 0 && strstr(err, "not a shmdev"));
	drop_seg(s);
}

/* Every field of a sample and of a configuration is derived from its
 * sequence number, so a torn read shows as an inconsistent record. */
static void writer(struct shm_seg *s, uint32_t n)
{
	for (uint32_t q = 0; q < n; q++) {
		if (q % 1000 == 0) {
			struct hal_cfg c = { .wave = (enum wave_kind)(q / 1000 % 3),
					     .period_ns = 1000000ull + q,
					     .interval_ns = 1000ull + q, .flags = q };
			hal_set_config(s, &c);
		}
		hal_publish(s, q * 3u, q & 1023, q);
	}
	_exit(0);
}

static void test_no_torn_reads(void)
{
	struct shm_seg *s = new_seg();
	const struct shm_seg *ro;
	uint32_t n = 3000000, next = 0, good = 0, lost = 0, torn = 0, cfgs = 0;
	pid_t pid;
	int status;

	uint32_t gen0 = atomic_load(&s->cfg_gen);

	/* The reader looks through a second, read-only attach of the same
	 * segment, as a client does. */
	ro = shmat(shmid, NULL, SHM_RDONLY);
	CHECK(ro != (void *)-1);
	if (ro == (void *)-1)
		return;
	pid = fork();
	if (pid == 0)
		writer(s, n);
	while (next < n) {
		uint32_t head = atomic_load_explicit(&ro->head, memory_order_acquire);
		uint32_t gen = atomic_load_explicit(&ro->cfg_gen, memory_order_acquire);
		struct hal_cfg c;
		struct hal_sample out;

		if (gen != gen0 && hal_get_config(ro, gen, &c) == 0) {
			uint32_t q = (uint32_t)(c.period_ns - 1000000ull);
			cfgs++;
			if (c.interval_ns != 1000ull + q || c.flags != q || (uint32_t)c.wave != q / 1000 % 3)
				torn++;
		}
		for (; next < head; next++) {
			if (hal_read(ro, next, &out) < 0) {
				lost++;
				continue;
			}
			good++;
			if (out.tick != next * 3u || out.code != (next & 1023) ||
			    out.cfg_gen != (next & 0xffff))
				torn++;
		}
	}
	waitpid(pid, &status, 0);
	fprintf(stderr, "ring stress: %u read, %u overwritten before read, %u configs, %u torn\n",
		good, lost, cfgs, torn);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(torn == 0);
	CHECK(good + lost == n);
	CHECK(good > 0);
	shmdt(ro);
	drop_seg(s);
}

int main(void)
{
	RUN(test_publish_read);
	RUN(test_wrap_overwrites);
	RUN(test_sequence_wraps_32_bits);
	RUN(test_config_generations);
	RUN(test_validate_rejects);
	RUN(test_no_torn_reads);
	return CHECK_EXIT;
}
