/* tests/check.h - the unit-test harness.
 *
 * A test file defines static void test functions and a main() that RUNs
 * each one. Every RUN prints exactly one line, "PASS: name" or "FAIL: name",
 * which tests/run.sh counts; failed CHECKs explain themselves on stderr.
 * main() returns CHECK_EXIT so a crash or a failure also shows in the
 * exit status.
 */
#ifndef SHMDEV_TESTS_CHECK_H
#define SHMDEV_TESTS_CHECK_H

#include <stdio.h>

static int check_failures;   /* tests that failed in this binary */
static int check_current;    /* CHECKs that failed in the running test */

#define CHECK(cond) CHECKF(cond, "%s", #cond)

#define CHECKF(cond, ...) do { \
	if (!(cond)) { \
		check_current++; \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

#define RUN(fn) do { \
	check_current = 0; \
	fn(); \
	printf("%s: %s\n", check_current ? "FAIL" : "PASS", #fn); \
	fflush(stdout); \
	check_failures += check_current != 0; \
} while (0)

#define CHECK_EXIT (check_failures != 0)

#endif
