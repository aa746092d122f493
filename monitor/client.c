/* monitor/client.c - the client applet: options, help, and the mode to run.
 *
 * The watching itself is in monitor/watch.c, the text formats in
 * monitor/output.c, the terminal plot in monitor/plot.c (see
 * monitor/client.h for how they fit).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"
#include "monitor/client.h"

enum {
	OPT_PLOT = 256,              /* long options without a short one */
	MIN_INTERVAL_NS = 500000,    /* -i: the period validator wants 2 of these: 1 ms */
};

volatile sig_atomic_t client_quit;
volatile sig_atomic_t client_winch;
volatile sig_atomic_t client_tstp;

static const char client_usage[] =
	"Usage: client [-n NAME] [-i SECONDS] [-c COUNT] [-f] [-o human|csv|json]\n"
	"              [-w] [--plot]\n"
	"\n"
	"Watch device NAME (default adc0) through its shared memory, read-only.\n"
	"Without -f or --plot: one line per interval with the newest sample.\n"
	"\n"
	"  -n, --name NAME          instance name\n"
	"  -i, --interval SECONDS   time between lines (default 1)\n"
	"  -c, --count COUNT        stop after COUNT lines (with -f: samples)\n"
	"  -f, --follow             every sample, in order, each once, as soon as\n"
	"                           it is written; a client that falls more than the\n"
	"                           ring (4096 samples) behind reports 'lost N samples'\n"
	"                           (exactly) and carries on\n"
	"  -o, --format FORMAT      human (default), csv or json (JSON Lines)\n"
	"  -w, --wait               wait for the device instead of failing (looks every\n"
	"                           250 ms); when it shuts down or vanishes, say so and\n"
	"                           wait for the next device of that name, like\n"
	"                           tail -F: its samples are read from its first one\n"
	"                           (seq starts again at 0). Ends only on -c or a signal\n"
	"      --plot               a live scrolling trace of every sample in the\n"
	"                           terminal (stdout must be one); Ctrl-C quits.\n"
	"                           Braille dots in a UTF-8 locale, else ASCII\n"
	"  -h, --help               this help\n"
	"\n"
	"Fields of -o csv (a header row first) and -o json (the same keys):\n"
	"  seq     the sample's sequence number, widened to 64 bits: never wraps\n"
	"  t       device time in seconds: the sample's tick * sample interval\n"
	"  raw     the 10-bit code, 0 to 1023\n"
	"  wave    SIN, QUA or TRI\n"
	"  period  the wave's period in seconds\n"
	"  gen     configuration generation: changes with each 'config' command\n"
	"          (also one that only resets time)\n"
	"\n"
	"Events - device stopped, resumed, reconfigured, ADC task restarted, lost\n"
	"samples, shut down; with -w also waiting, started - are reported once\n"
	"each: as lines on stdout in human format; on stderr (prefixed 'client: ')\n"
	"with csv and json, whose stdout carries data only. Errors, and a device\n"
	"that vanished without shutting down, always go to stderr.\n"
	"\n"
	"Exit status: 0 count reached, device shut down, or SIGINT/SIGTERM/SIGHUP\n"
	"(output is flushed first); 1 no device, the device vanished, or output\n"
	"failed; 2 usage, or --plot when stdout is not a terminal.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("client: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'client --help'.\n", stderr);
	return EXIT_USAGE;
}

static int parse_format(const char *s, enum out_format *fmt)
{
	static const char *const names[] = {
		[FMT_HUMAN] = "human", [FMT_CSV] = "csv", [FMT_JSON] = "json",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*fmt = (enum out_format)i;
			return 0;
		}
	}
	return -1;
}

static int parse_count(const char *s, long long *count)
{
	char *end;

	errno = 0;
	*count = strtoll(s, &end, 10);
	return errno || end == s || *end || *count < 1 ? -1 : 0;
}

/* The interval is a period between two lines: the period validator, with
 * its message made to name the interval. */
static int parse_interval(const char *s, uint64_t *ns)
{
	static const char prefix[] = "bad period ";
	char err[WAVE_ERR_MAX];

	if (wave_parse_period(s, MIN_INTERVAL_NS, ns, err, sizeof err) == 0)
		return 0;
	if (strncmp(err, prefix, sizeof prefix - 1) == 0)
		return usage_error("bad interval %s", err + sizeof prefix - 1);
	return usage_error("bad interval: %s", err);
}

/* How getopt's last complaint names the option: as the user typed it. */
static const char *bad_option(int argc, char **argv, char *buf, size_t len)
{
	/* musl leaves optind past argc after a missing last value */
	const char *arg = argv[optind - 1 < argc ? optind - 1 : argc - 1];

	if (optopt && strncmp(arg, "--", 2) != 0)
		snprintf(buf, len, "-%c", optopt);
	else
		snprintf(buf, len, "%s", arg);
	return buf;
}

/* Options that make no sense together, named. */
static int check_combination(const struct client_opts *o, int seen_i, int seen_o, int seen_c)
{
	if (o->mode == MODE_FOLLOW && seen_i)
		return usage_error("-i sets the time between lines of the newest sample; "
				   "-f prints every sample: use one of them");
	if (o->mode == MODE_PLOT && (seen_i || seen_o || seen_c))
		return usage_error("--plot draws every sample in the terminal: it takes no %s",
				   seen_i ? "-i" : seen_o ? "-o" : "-c");
	return -1;
}

/* -1 to go on, else the exit status. */
static int parse_args(struct client_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { "name", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' }, { "follow", no_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'o' }, { "wait", no_argument, NULL, 'w' },
		{ "plot", no_argument, NULL, OPT_PLOT }, { NULL, 0, NULL, 0 },
	};
	char err[WAVE_ERR_MAX], shown[64];
	int opt, seen_i = 0, seen_o = 0, seen_c = 0, follow = 0, plot = 0;

	*o = (struct client_opts){ .name = "adc0", .interval_ns = 1000000000, .count = -1 };
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":hn:i:c:fo:w", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(client_usage, stdout);
			return EXIT_DONE;
		case 'n':
			if (hal_name_ok(optarg, err, sizeof err) < 0)
				return usage_error("%s", err);
			o->name = optarg;
			break;
		case 'i':
			if (parse_interval(optarg, &o->interval_ns) != 0)
				return EXIT_USAGE;
			seen_i = 1;
			break;
		case 'c':
			if (parse_count(optarg, &o->count) < 0)
				return usage_error("bad count '%s': expected a whole number from 1",
						   optarg);
			seen_c = 1;
			break;
		case 'f':
			follow = 1;
			break;
		case 'o':
			if (parse_format(optarg, &o->fmt) < 0)
				return usage_error("bad format '%s': expected human, csv or json",
						   optarg);
			seen_o = 1;
			break;
		case 'w':
			o->wait = 1;
			break;
		case OPT_PLOT:
			plot = 1;
			break;
		case ':':
			return usage_error("option '%s' needs a value",
					   bad_option(argc, argv, shown, sizeof shown));
		default:
			return usage_error("unknown option '%s'", bad_option(argc, argv, shown, sizeof shown));
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (plot && follow)
		return usage_error("--plot draws every sample already: it takes no -f");
	o->mode = plot ? MODE_PLOT : follow ? MODE_FOLLOW : MODE_LATEST;
	return check_combination(o, seen_i, seen_o, seen_c);
}

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		client_winch = 1;
	else if (sig == SIGTSTP)
		client_tstp = 1;
	else
		client_quit = 1;
}

/* Signals end the loops at their next wake, so buffered output is written
 * and the terminal restored. SA_RESTART keeps writes going; the sleeps are
 * cut short regardless (futex and nanosleep with a timeout return EINTR). */
static void catch_signals(int plot)
{
	static const int quit[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof quit / sizeof quit[0]; i++)
		sigaction(quit[i], &sa, NULL);
	if (plot) {
		sigaction(SIGWINCH, &sa, NULL);
		sigaction(SIGTSTP, &sa, NULL);
	}
}

int client_main(int argc, char **argv)
{
	struct client_opts o;
	struct sink sink;
	int rc = parse_args(&o, argc, argv);

	if (rc >= 0)
		return rc;
	if (o.mode == MODE_PLOT && plot_check_tty() != 0)
		return EXIT_USAGE;
	catch_signals(o.mode == MODE_PLOT);
	if (o.mode == MODE_PLOT)
		return plot_run(&o);
	output_init(&sink, &o);
	rc = watch_run(&o, &sink, 1);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "client: cannot write the output: %s\n", strerror(errno));
		return EXIT_LOST;
	}
	return rc;
}
