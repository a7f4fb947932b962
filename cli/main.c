// SPDX-License-Identifier: GPL-2.0
/*
 * crrun's entry point: global options, then one command a file
 * (cli/cmd_*.c). Exit status: 0 success, 1 failure (one "crrun: ..." line
 * on stderr says why), 2 a usage error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cli_verbose;
int cli_nr_errors;

/*
 * Errors and warnings always reach stderr; info and debug only with
 * -v. The sink lets everything through (level DEBUG) and filters here,
 * since -v is known only after the table was built.
 *
 * One line a failure: the first error the engine or the shim reports says
 * why; the ones it causes on the way out (each layer naming what failed
 * under it) are shown only with -v.
 */
static void cli_emit(void *priv, int level, const char *msg)
{
	switch (level) {
	case CR_LOG_ERR:
		if (cli_nr_errors++ && !cli_verbose)
			break;
		fprintf(stderr, "crrun: %s\n", msg);
		break;
	case CR_LOG_WARN:
		fprintf(stderr, "crrun: warning: %s\n", msg);
		break;
	default:
		if (cli_verbose)
			fprintf(stderr, "crrun: %s\n", msg);
		break;
	}
}

const struct cr_log cli_log = {
	.emit = cli_emit,
	.priv = NULL,
	.level = CR_LOG_DEBUG,
};

static void cli_vlog(int level, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	cli_emit(NULL, level, msg);
}

void cli_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "crrun: %s\n", msg);
	cli_nr_errors++;
}

void cli_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vlog(CR_LOG_ERR, fmt, ap);
	va_end(ap);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vlog(CR_LOG_INFO, fmt, ap);
	va_end(ap);
}

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct cli_command cli_commands[] = {
	{ "checkpoint", cmd_checkpoint,
	  "write a running process into an image file" },
	{ "restore", cmd_restore,
	  "bring a process back from an image file" },
	{ "show", cmd_show,
	  "decode and print the objects of an image file" },
	{ "check", cmd_check,
	  "report the kernel features crrun relies on" },
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: crrun [-v|--verbose] COMMAND [ARGS]\n\n"
		   "Checkpoint a running single-threaded Linux x86-64 process "
		   "into one image\nfile and restore it later.\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(cli_commands); i++)
		fprintf(f, "  %-11s %s\n", cli_commands[i].name,
			cli_commands[i].summary);
	fprintf(f, "\n  crrun checkpoint [--kill] PID IMAGE\n"
		   "  crrun restore [--lazy] [--detach] [--pidfile FILE] IMAGE\n"
		   "  crrun show [--json] [--verify] IMAGE\n"
		   "  crrun check\n\n"
		   "'crrun COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	unsigned int i;
	int first;

	/* global options, before the command */
	for (first = 1; first < argc && argv[first][0] == '-'; first++) {
		const char *opt = argv[first];

		if (!strcmp(opt, "-v") || !strcmp(opt, "--verbose")) {
			cli_verbose = 1;
		} else if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "crrun: unknown option '%s'\n", opt);
			usage(stderr);
			return 2;
		}
	}
	if (first == argc) {
		fprintf(stderr, "crrun: no command given\n");
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[first], "help")) {
		usage(stdout);
		return 0;
	}

	for (i = 0; i < ARRAY_SIZE(cli_commands); i++) {
		if (!strcmp(argv[first], cli_commands[i].name)) {
			int ret = cli_commands[i].run(argc - first,
						      argv + first);

			if (fflush(stdout) == EOF && !ret) {
				fprintf(stderr, "crrun: writing the output "
						"failed\n");
				ret = 1;
			}
			return ret;
		}
	}
	fprintf(stderr, "crrun: unknown command '%s'\n", argv[first]);
	usage(stderr);
	return 2;
}
