/* tests/fuzz/fuzz_shell.c - the command parser and config dialog, fed
 * arbitrary bytes through shell_input() against a fake device.
 *
 * Whatever is typed, the shell may only apply configurations that the
 * validators accept, and never writes a bare "\n". */
#include <stdlib.h>

#include "shell/shell.h"

struct fake {
	enum wave_kind wave;
	uint64_t period_ns;
	int running;
};

static char last;

static int f_start(void *ctx) { struct fake *f = ctx; int was = f->running; f->running = 1; return was; }
static int f_stop(void *ctx) { struct fake *f = ctx; int was = !f->running; f->running = 0; return was; }

static int f_config(void *ctx, enum wave_kind wave, uint64_t period_ns, int reset)
{
	struct fake *f = ctx;

	(void)reset;
	if ((unsigned)wave >= WAVE_COUNT || period_ns < 2 * 100000000ull ||
	    period_ns > WAVE_PERIOD_MAX_NS)
		abort();
	f->wave = wave;
	f->period_ns = period_ns;
	f->running = 1;
	return 0;
}

static void f_current(void *ctx, enum wave_kind *w, uint64_t *p, uint64_t *iv)
{
	struct fake *f = ctx;

	*w = f->wave;
	*p = f->period_ns;
	*iv = 100000000ull;
}

static void f_status(void *ctx, struct shell *sh)
{
	(void)ctx;
	shell_printf(sh, "state running\nsamples 1\n");
}

static void f_shutdown(void *ctx) { (void)ctx; }

static void sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' && last != '\r')
			abort();
		last = buf[i];
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct fake f = { WAVE_SIN, 2000000000ull, 1 };
	struct shell_device dev = {
		.ctx = &f, .start = f_start, .stop = f_stop, .config = f_config,
		.current = f_current, .status = f_status, .shutdown = f_shutdown,
	};
	struct shell *sh = shell_new(&dev, sink, NULL);

	if (!sh)
		abort();
	last = 0;
	shell_set_prompt(sh, "fuzz> ");
	shell_greet(sh, "fuzzing");
	/* Feed in uneven chunks: the shell must not care how bytes arrive. */
	for (size_t i = 0; i < size;) {
		size_t n = 1 + data[i] % 7;
		if (n > size - i)
			n = size - i;
		shell_input(sh, (const char *)data + i, n);
		i += n;
		if (data[i - 1] == 0x1d)
			shell_notify(sh, "ADC task restarted (pid %d)", 42);
	}
	shell_free(sh);
	return 0;
}
