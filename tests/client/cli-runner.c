/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cli-runner.h"

#include <gio/gio.h>

static const char *cli_path;

void
cli_run_clear (CliRun *run)
{
  g_free (run->out);
  g_free (run->err);
}

void
cli_runner_set_path (const char *path)
{
  cli_path = path;
}

void
cli_run (CliRun             *run,
         const char         *env_socket,
         const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (cli_path);
  g_ptr_array_add (argv, (char *) cli_path);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (env_socket != NULL)
    g_subprocess_launcher_setenv (launcher, "GUESTLINK_SOCKET", env_socket, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "GUESTLINK_SOCKET");

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);

  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}
