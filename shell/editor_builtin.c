/* shell/editor_builtin.c - the READLINE=no editor: the shell's glue to
 * shell/lineedit.c, which does all the work. */
#include <stdlib.h>

#include "shell/shell.h"

struct shell_editor {
	struct led led;
};

static void write_out(void *sh, const char *buf, size_t len)
{
	shell_output(sh, buf, len);
}

struct shell_editor *editor_new(struct shell *sh)
{
	struct shell_editor *ed = malloc(sizeof(*ed));

	if (ed)
		led_init(&ed->led, write_out, sh, NULL);
	return ed;
}

void editor_free(struct shell_editor *ed)
{
	free(ed);
}

void editor_start(struct shell_editor *ed, const char *prompt, led_complete_fn *complete)
{
	ed->led.complete = complete;
	led_start(&ed->led, prompt);
}

enum led_result editor_feed(struct shell_editor *ed, unsigned char byte)
{
	return led_feed(&ed->led, byte);
}

const char *editor_line(const struct shell_editor *ed)
{
	return led_line(&ed->led);
}

void editor_history_add(struct shell_editor *ed, const char *line)
{
	led_history_add(&ed->led, line);
}

void editor_hide(struct shell_editor *ed)
{
	led_hide(&ed->led);
}

void editor_show(struct shell_editor *ed)
{
	led_show(&ed->led);
}
