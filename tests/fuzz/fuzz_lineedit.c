/* tests/fuzz/fuzz_lineedit.c - the built-in line editor, fed arbitrary bytes.
 *
 * Checks the editor's invariants after every byte: cursor within the line,
 * line within its bound and NUL-terminated, and every "\n" it writes
 * preceded by "\r" (a raw pty has no ONLCR). */
#include <stdlib.h>
#include <string.h>

#include "shell/shell.h"

static char last;

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
	static struct led e;

	last = 0;
	led_init(&e, sink, NULL, shell_complete);
	led_start(&e, "fuzz> ");
	for (size_t i = 0; i < size; i++) {
		enum led_result r = led_feed(&e, data[i]);

		if (e.pos > e.len || e.len > LED_LINE_MAX || e.buf[e.len] != 0)
			abort();
		if (r == LED_ENTER) {
			if (strlen(led_line(&e)) > LED_LINE_MAX)
				abort();
			led_history_add(&e, led_line(&e));
		}
		if (r != LED_MORE)
			led_start(&e, "fuzz> ");
		if (data[i] == 0x1d) {          /* exercise hide/show too */
			led_hide(&e);
			led_show(&e);
		}
	}
	return 0;
}
