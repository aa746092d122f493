/* bench/bench.h - what every benchmark program shares: failing loudly, a
 * private segment laid out like a device's, and the median of a run. */
#ifndef SHMDEV_BENCH_H
#define SHMDEV_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/shm.h>

#include "hal/hal.h"

static inline void die(const char *what)
{
	perror(what);
	exit(1);
}

/* A SysV segment removed at once: it goes with its last detach, even if
 * the benchmark crashes. */
static inline struct shm_seg *private_segment(uint64_t interval_ns)
{
	struct hal_cfg cfg = { .wave = WAVE_SIN, .period_ns = 1000000000,
			       .interval_ns = interval_ns };
	int id = shmget(IPC_PRIVATE, sizeof(struct shm_seg), IPC_CREAT | 0600);
	struct shm_seg *seg;

	if (id < 0)
		die("shmget");
	seg = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (seg == (void *)-1)
		die("shmat");
	hal_format(seg, "bench", &cfg);
	return seg;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
