/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlinkd: settings, process chores and signals. Everything else lives
 * in the daemon library, which the tests link directly.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib-unix.h>

#include "agent.h"
#include "commands.h"
#include "logging.h"
#include "policy.h"
#include "process.h"
#include "settings.h"
#include "systemd.h"

typedef struct {
  GMainLoop *loop;
  FsFreezer *freezer;
  gboolean stopping;
  int exit_status;
} Server;

static void
on_freezer_stopped (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Server *server = user_data;

  fs_freezer_stop_finish (server->freezer, result);
  g_main_loop_quit (server->loop);
}

/* Never exit with filesystems frozen: the freezer finishes what it is
 * doing and thaws, then the loop ends. */
static void
stop_serving (Server *server)
{
  if (server->stopping)
    return;

  server->stopping = TRUE;
  fs_freezer_stop_async (server->freezer, on_freezer_stopped, server);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Server *server = user_data;

  g_message ("Received a signal to stop");
  stop_serving (server);
  return G_SOURCE_CONTINUE;
}

static void
on_agent_failed (const GError *error,
                 gpointer      user_data)
{
  Server *server = user_data;

  /* Exiting lets systemd (Restart=always) start a fresh agent, rather
   * than leaving one that can no longer hear the host. */
  g_printerr ("guestlinkd: %s\n", error->message);
  g_message ("Stopping: %s", error->message);
  server->exit_status = EXIT_FAILURE;
  stop_serving (server);
}

static void
block_sigio (void)
{
  sigset_t mask;

  /* Before any thread exists, so all inherit the mask: SIGIO is read from
   * a signalfd (see channel-port.c), and its default action kills. */
  sigemptyset (&mask);
  sigaddset (&mask, SIGIO);
  pthread_sigmask (SIG_BLOCK, &mask, NULL);
}

static void
list_commands (CommandRegistry *registry)
{
  GPtrArray *specs = command_registry_get_all (registry);

  for (guint i = 0; i < specs->len; i++)
    printf ("%s\n", ((const CommandSpec *) g_ptr_array_index (specs, i))->name);
}

static void
on_gate_changed (gboolean closed,
                 gpointer user_data)
{
  logging_hold (closed);
}

static int
serve (Settings        *settings,
       CommandRegistry *registry,
       FsFreezer       *freezer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(Agent) agent = NULL;
  g_autofree char *status = NULL;
  Server server = { loop, freezer, FALSE, EXIT_SUCCESS };
  int pidfile_fd = -1;
  int statedir_lock_fd = -1;
  guint watchdog_id;
  ChannelConfig channel_config = {
    .method = settings->method,
    .path = settings->path,
    .retry_path = settings->retry_path,
    .activated_fd = -1,
  };

  /* Before any signal source: GLib delivers them through a thread, and a
   * fork keeps only the thread that forked. */
  if (settings->daemonize && !process_daemonize (&error))
    goto fail;

  /* Before anything listens or says it is ready: a SIGTERM from then on
   * must stop us cleanly. */
  g_unix_signal_add (SIGTERM, on_quit_signal, &server);
  g_unix_signal_add (SIGINT, on_quit_signal, &server);

  channel_config.activated_fd = systemd_take_activated_socket (&error);
  if (error != NULL)
    goto fail;

  if (!process_ensure_statedir (settings->statedir, &error))
    goto fail;

  if (settings->pidfile != NULL)
    {
      pidfile_fd = process_write_pidfile (settings->pidfile, &error);
      if (pidfile_fd < 0)
        goto fail;
    }

  statedir_lock_fd = process_lock_statedir (settings->statedir, &error);
  if (statedir_lock_fd < 0)
    goto fail;

  /* Before serving: an agent that died with filesystems frozen left a
   * marker, and the guest must not stay frozen. Only once the lock says
   * that agent is really gone. */
  fs_freezer_recover_async (freezer, NULL, NULL);
  /* Likewise a rotation of the SSH host keys left half done. */
  ssh_host_key_commands_recover ();

  agent = agent_new (&channel_config, settings->max_message_size, registry,
                     on_agent_failed, &server, &error);
  if (agent == NULL)
    goto fail;

  status = g_strdup_printf ("Serving on %s", agent_get_channel_description (agent));
  g_message ("guestlinkd %s: %s", PACKAGE_VERSION, status);
  systemd_notify_ready (status);
  watchdog_id = systemd_watchdog_start ();

  g_main_loop_run (loop);

  systemd_notify_stopping ();
  if (watchdog_id != 0)
    g_source_remove (watchdog_id);
  g_clear_pointer (&agent, agent_free);
  goto out;

fail:
  /* Anything the recovery started finishes, and is thawed, first. */
  if (!server.stopping)
    {
      stop_serving (&server);
      g_main_loop_run (loop);
    }
  /* After -d, stderr is /dev/null: the log (file or journal) still has it. */
  g_printerr ("guestlinkd: %s\n", error->message);
  if (settings->daemonize)
    g_message ("Cannot start: %s", error->message);
  server.exit_status = EXIT_FAILURE;

out:
  process_remove_pidfile (settings->pidfile, pidfile_fd);
  if (statedir_lock_fd >= 0)
    close (statedir_lock_fd);
  return server.exit_status;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Settings) settings = NULL;
  g_autoptr(CommandRegistry) registry = NULL;
  g_autoptr(FsFreezer) freezer = NULL;
  FsFreezerConfig freezer_config;
  int status;

  block_sigio ();
  /* Writes to a vanished peer must fail with EPIPE, not kill us. */
  signal (SIGPIPE, SIG_IGN);

  settings = settings_load (&argc, &argv, &error);
  if (settings == NULL)
    {
      g_printerr ("guestlinkd: %s\n", error->message);
      g_printerr ("Try 'guestlinkd --help'.\n");
      return 2;
    }

  registry = command_registry_new ();
  freezer_config = (FsFreezerConfig) {
    .statedir = settings->statedir,
    .hook_dir = settings->fsfreeze_hook_dir,
    .hook = settings->fsfreeze_hook,
    .hook_timeout_seconds = settings->fsfreeze_hook_timeout,
    .freeze_timeout_seconds = settings->fsfreeze_timeout,
  };
  freezer = fs_freezer_new (&freezer_config, registry, on_gate_changed, NULL);
  commands_register_all (registry, freezer);

  if (settings->print_version)
    {
      printf ("guestlinkd %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (settings->list_commands)
    {
      list_commands (registry);
      return EXIT_SUCCESS;
    }
  if (settings->dump_config)
    {
      g_autofree char *data = settings_to_data (settings);
      fputs (data, stdout);
      return EXIT_SUCCESS;
    }

  if (!logging_init (settings->verbose, settings->logfile, &error))
    {
      g_printerr ("guestlinkd: %s\n", error->message);
      return EXIT_FAILURE;
    }

  policy_apply (registry, (const char * const *) settings->allow_rpcs,
                (const char * const *) settings->block_rpcs);

  status = serve (settings, registry, freezer);
  logging_shutdown ();
  return status;
}
