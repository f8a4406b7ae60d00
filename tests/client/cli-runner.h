/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One run of the guestlink command: its exit status and its output. */
typedef struct
{
  int status;
  char *out;
  char *err;
} CliRun;

void cli_run_clear (CliRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliRun, cli_run_clear)

/* The command to run: set once, from the test program's arguments. */
void cli_runner_set_path (const char *path);

/* Runs the command with @args; GUESTLINK_SOCKET is set to @env_socket, or
 * removed if that is NULL. */
void cli_run (CliRun             *run,
              const char         *env_socket,
              const char * const *args);

G_END_DECLS
