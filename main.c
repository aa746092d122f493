/* main.c - the shmdev multi-call binary: pick an applet and run it.
 *
 * Called as `device`, `run_device` or `client` (a link to this binary), the
 * name says which applet runs. Called as `shmdev` (or any name starting
 * with it, like shmdev-static), the next argument names the applet.
 *
 * Exit status: the applet's; 127 for an unknown applet; 2 for usage errors.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor/monitor.h"
#include "hal/hal.h"

struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *what;
};

static const struct applet applets[] = {
	{ "client", client_main, "monitor a device: latest value, every sample, csv, json, plot" },
	{ "device", device_main, "start a virtual ADC with a console on a pseudoterminal" },
	{ "run_device", run_device_main, "the ADC task (started by device)" },
};
enum { N_APPLETS = sizeof applets / sizeof applets[0] };

static const char shmdev_usage[] =
	"Usage: shmdev APPLET [ARGS...]   or   APPLET [ARGS...] through a link\n"
	"       shmdev --list | --install [DIR] | --help | --version\n"
	"\n"
	"A virtual 10-bit ADC on System V shared memory, and its monitor.\n"
	"\n"
	"  --list           print the applets, one per line\n"
	"  --install [DIR]  link each applet in DIR (default: beside this binary)\n"
	"\n"
	"Applets:\n";

static void help(FILE *f)
{
	fputs(shmdev_usage, f);
	for (int i = 0; i < N_APPLETS; i++)
		fprintf(f, "  %-12s %s\n", applets[i].name, applets[i].what);
	fputs("\n'APPLET --help' describes each one.\n", f);
}

static const struct applet *find(const char *name)
{
	for (int i = 0; i < N_APPLETS; i++)
		if (strcmp(applets[i].name, name) == 0)
			return &applets[i];
	return NULL;
}

/* Link DIR/APPLET -> this binary; an existing link to it is fine,
 * anything else there is left alone. */
static int install_one(const char *dir, const char *name, const char *self)
{
	char path[PATH_MAX], old[PATH_MAX];
	ssize_t n;

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
		fprintf(stderr, "shmdev: %s/%s: path too long\n", dir, name);
		return 1;
	}
	n = readlink(path, old, sizeof old - 1);
	if (n >= 0) {
		old[n] = 0;
		if (strcmp(old, self) == 0)
			return 0;
		fprintf(stderr, "shmdev: %s is a link to %s, not to %s: left alone\n",
			path, old, self);
		return 1;
	}
	if (errno != ENOENT && errno != EINVAL) {
		fprintf(stderr, "shmdev: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (errno == EINVAL || symlink(self, path) < 0) {
		fprintf(stderr, "shmdev: %s: %s\n", path,
			errno == EINVAL ? "exists and is not a link: left alone" : strerror(errno));
		return 1;
	}
	return 0;
}

static int install(const char *dir)
{
	char self[PATH_MAX], here[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	int bad = 0;

	if (n < 0) {
		fprintf(stderr, "shmdev: cannot find this binary: %s\n", strerror(errno));
		return 1;
	}
	self[n] = 0;
	if (!dir) {
		snprintf(here, sizeof here, "%s", self);
		*strrchr(here, '/') = 0;
		dir = here[0] ? here : "/";
	}
	for (int i = 0; i < N_APPLETS; i++)
		bad |= install_one(dir, applets[i].name, self);
	return bad;
}

static int multi_call(int argc, char **argv)
{
	const struct applet *a;

	if (argc < 2) {
		help(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--list") == 0) {
		for (int i = 0; i < N_APPLETS; i++)
			puts(applets[i].name);
		return 0;
	}
	if (strcmp(argv[1], "--install") == 0) {
		if (argc > 3) {
			fprintf(stderr, "shmdev: --install takes one DIR, not '%s'\n", argv[3]);
			return 2;
		}
		return install(argc == 3 ? argv[2] : NULL);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("shmdev " SHMDEV_VERSION);
		return 0;
	}
	a = find(argv[1]);
	if (!a) {
		fprintf(stderr, "shmdev: applet '%s' not found\n", argv[1]);
		return 127;
	}
	return a->main(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const struct applet *a;

	base = base ? base + 1 : argc > 0 ? argv[0] : "shmdev";
	if (strncmp(base, "shmdev", 6) == 0)
		return multi_call(argc, argv);
	a = find(base);
	if (!a) {
		fprintf(stderr, "shmdev: applet '%s' not found\n", base);
		return 127;
	}
	return a->main(argc, argv);
}
