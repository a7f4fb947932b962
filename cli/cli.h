/* SPDX-License-Identifier: GPL-2.0 */
/* crrun's command line: one file a command, dispatched by cli/main.c. */
#ifndef _CR_CLI_H
#define _CR_CLI_H

#include "core/ctx.h"

/* each returns the process exit status */
int cmd_checkpoint(int argc, char **argv);	/* cli/cmd_checkpoint.c */
int cmd_restore(int argc, char **argv);		/* cli/cmd_restore.c */
int cmd_check(int argc, char **argv);		/* cli/cmd_check.c */
int cmd_show(int argc, char **argv);		/* cli/cmd_show.c */

/* the log sink of the CLI: "crrun: message" on stderr (cli/main.c) */
extern const struct cr_log cli_log;
extern int cli_verbose;

extern int cli_nr_errors;	/* error lines so far, shown or not */

/*
 * cli_err(): an error line, always shown. cli_fail(): the line that says
 * an operation failed, shown only if nothing before said why (one line a
 * failure). cli_info(): shown with -v. (cli/main.c)
 */
void cli_err(const char *fmt, ...) __printf(1, 2);
void cli_fail(const char *fmt, ...) __printf(1, 2);
void cli_info(const char *fmt, ...) __printf(1, 2);

#endif /* _CR_CLI_H */
