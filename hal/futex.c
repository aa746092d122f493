/* hal/futex.c - sleeping on a word of the segment, and the clock.
 *
 * Futexes are used without FUTEX_PRIVATE_FLAG: the kernel then keys them by
 * the shared page, so a wake in the writer reaches readers that mapped the
 * segment at other addresses. FUTEX_WAIT only reads the word, so it works
 * on a SHM_RDONLY attach, and it compares and sleeps atomically, so a wake
 * between our load and our sleep is never lost.
 */
#include <errno.h>
#include <limits.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hal/hal.h"

/* The futex ABI, spelled out: musl-gcc builds see no kernel headers. */
enum {
	NS = 1000000000,
	FX_WAIT = 0,
	FX_WAKE = 1,
	FX_WAIT_BITSET = 9,
};
static const uint32_t FX_BITSET_ANY = 0xffffffffu;

/* 32-bit targets with a 64-bit time_t (musl, glibc with _TIME_BITS=64)
 * must use the time64 futex: its timespec is the one libc gives us. */
#ifndef SYS_futex_time64
#define SYS_futex_time64 SYS_futex
#endif
static const long futex_nr = sizeof(time_t) > sizeof(long) ? SYS_futex_time64 : SYS_futex;

static struct timespec to_ts(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NS), .tv_nsec = (long)(ns % NS) };
	return ts;
}

uint64_t hal_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

int hal_wait(const _Atomic uint32_t *word, uint32_t val, int64_t timeout_ns)
{
	struct timespec ts = to_ts(timeout_ns < 0 ? 0 : (uint64_t)timeout_ns);
	long r = syscall(futex_nr, word, FX_WAIT, val, timeout_ns < 0 ? NULL : &ts,
			 NULL, 0);

	return r == 0 || errno == EAGAIN ? 0 : -1;
}

int hal_wait_until(const _Atomic uint32_t *word, uint32_t val, uint64_t deadline_ns)
{
	/* WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline: no drift. */
	struct timespec ts = to_ts(deadline_ns);
	long r = syscall(futex_nr, word, FX_WAIT_BITSET, val, &ts, NULL,
			 FX_BITSET_ANY);

	return r == 0 || errno == EAGAIN ? 0 : -1;
}

void hal_wake(_Atomic uint32_t *word)
{
	syscall(futex_nr, word, FX_WAKE, INT_MAX, NULL, NULL, 0);
}
