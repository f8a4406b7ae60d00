/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Agents inside a private root, their replies, and writers that block on
 * a frozen filesystem.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "fsfreeze-private.h"

#define PROCESS_TIMEOUT_MS HARNESS_PROCESS_TIMEOUT_MS

struct _RootAgent {
  FsRoot *root;
  GSubprocess *process;
  pid_t pid;
  char *log_path;
  char *socket_inner;
  char *socket_path;
};

pid_t
root_agent_get_pid (RootAgent *agent)
{
  return agent->pid;
}

gboolean
root_agent_is_running (RootAgent *agent)
{
  return harness_process_is_running (agent->process);
}

char *
root_agent_get_log (RootAgent *agent)
{
  char *log = fsfreeze_read_file (agent->log_path);

  return log != NULL ? log : g_strdup ("");
}

static void
fail_agent (RootAgent  *agent,
            const char *what)
{
  g_autofree char *log = root_agent_get_log (agent);

  harness_fail ("guestlinkd %s; its output:\n%s", what, log);
}

gboolean
root_agent_wait_log (RootAgent  *agent,
                     const char *needle,
                     guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autofree char *log = root_agent_get_log (agent);

      if (strstr (log, needle) != NULL)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }
}

RootAgent *
root_agent_start (FsRoot             *root,
                  const char * const *extra_args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *log_name = g_strdup_printf ("agent-%u.log", ++root->n_agents);
  FsChildSetup setup = { .death_signal = SIGKILL };
  RootAgent *agent = g_new0 (RootAgent, 1);
  gint64 deadline;

  agent->root = root;
  agent->log_path = g_build_filename (root->dir, log_name, NULL);
  /* Unique on the machine: /proc/net/unix, which says when it listens,
   * is not per mount namespace. */
  agent->socket_inner = g_strdup_printf ("/run/guestlink-fsfreeze-%d.sock", (int) root->pid);

  g_ptr_array_add (argv, (char *) "/sbin/guestlinkd");
  g_ptr_array_add (argv, (char *) "-m");
  g_ptr_array_add (argv, (char *) "unix-listen");
  g_ptr_array_add (argv, (char *) "-p");
  g_ptr_array_add (argv, agent->socket_inner);
  g_ptr_array_add (argv, (char *) "-t");
  g_ptr_array_add (argv, (char *) ROOT_STATE_DIR);
  g_ptr_array_add (argv, (char *) "-f");
  g_ptr_array_add (argv, (char *) "/run/guestlinkd.pid");
  for (gsize i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  g_snprintf (setup.ns_path, sizeof setup.ns_path, "/proc/%d/ns/mnt", (int) root->pid);
  g_snprintf (setup.root_path, sizeof setup.root_path, "/proc/%d/root", (int) root->pid);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  g_subprocess_launcher_set_stdout_file_path (launcher, agent->log_path);
  g_subprocess_launcher_set_child_setup (launcher, fsfreeze_child_setup, &setup, NULL);
  g_subprocess_launcher_set_cwd (launcher, "/");
  agent->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                 &error);
  g_assert_no_error (error);
  agent->pid = fsfreeze_process_pid (agent->process);
  if (agent->pid == 0)
    {
      g_subprocess_wait (agent->process, NULL, NULL);
      fail_agent (agent, "exited at once");
    }
  fsfreeze_live_agent_add (agent->pid);
  g_ptr_array_add (root->agents, agent);

  agent->socket_path = g_strdup_printf ("/proc/%d/root%s", (int) agent->pid, agent->socket_inner);
  g_assert_cmpuint (strlen (agent->socket_path), <, 108);

  deadline = g_get_monotonic_time () + (gint64) PROCESS_TIMEOUT_MS * 1000;
  while (!harness_unix_socket_is_listening (agent->socket_inner) ||
         !harness_process_catches_sigterm (agent->pid))
    {
      if (!harness_process_is_running (agent->process))
        {
          g_autofree char *described = harness_describe_status (g_subprocess_get_status (agent->process));
          g_autofree char *what = g_strdup_printf ("exited before listening (%s)", described);

          g_subprocess_wait (agent->process, NULL, NULL);
          fail_agent (agent, what);
        }
      if (g_get_monotonic_time () > deadline)
        fail_agent (agent, "did not listen in time");
      g_usleep (5 * 1000);
    }

  /* The safety check, before a single request. */
  fsfreeze_root_check_process (root, agent->pid, "guestlinkd");
  return agent;
}

void
root_agent_free (RootAgent *agent)
{
  if (agent == NULL)
    return;

  if (harness_process_is_running (agent->process))
    {
      /* By its PID, which GSubprocess still owns. */
      g_subprocess_force_exit (agent->process);
      harness_wait_for_exit (agent->process, PROCESS_TIMEOUT_MS);
    }
  fsfreeze_live_agent_remove (agent->pid);
  g_ptr_array_remove (agent->root->agents, agent);
  g_clear_object (&agent->process);
  g_free (agent->log_path);
  g_free (agent->socket_inner);
  g_free (agent->socket_path);
  g_free (agent);
}

Client *
root_agent_connect (RootAgent *agent)
{
  return client_connect (agent->socket_path);
}

char *
root_agent_exchange (RootAgent  *agent,
                     const char *request)
{
  g_autoptr(Client) client = root_agent_connect (agent);
  char *line;

  client_send_str (client, request);
  line = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);
  if (line == NULL)
    {
      g_autofree char *what = g_strdup_printf ("gave no reply to %s", request);

      fail_agent (agent, what);
    }
  harness_message_bytes ("reply", line, -1);
  return line;
}

int
root_agent_stop_with (RootAgent *agent,
                      int        signum)
{
  if (harness_process_is_running (agent->process))
    {
      g_subprocess_send_signal (agent->process, signum);
      if (!harness_wait_for_exit (agent->process, PROCESS_TIMEOUT_MS))
        {
          g_subprocess_force_exit (agent->process);
          harness_wait_for_exit (agent->process, PROCESS_TIMEOUT_MS);
          fail_agent (agent, "did not exit on its signal");
        }
    }
  else
    {
      g_subprocess_wait (agent->process, NULL, NULL);
    }
  return g_subprocess_get_status (agent->process);
}

void
root_agent_stop_cleanly (RootAgent *agent)
{
  g_autofree char *described = harness_describe_status (root_agent_stop_with (agent, SIGTERM));

  if (!g_str_equal (described, "exit status 0"))
    fail_agent (agent, described);
}

/* Replies. */

gint64
root_agent_call_int (RootAgent  *agent,
                     const char *request)
{
  g_autofree char *reply = root_agent_exchange (agent, request);

  return harness_reply_get_int (reply);
}

char *
root_agent_call_string (RootAgent  *agent,
                        const char *request)
{
  g_autofree char *reply = root_agent_exchange (agent, request);

  return harness_reply_get_string (reply);
}

void
root_agent_call_error (RootAgent  *agent,
                       const char *request,
                       const char *error_class,
                       const char *error_desc)
{
  g_autofree char *reply = root_agent_exchange (agent, request);

  harness_reply_assert_error (reply, error_class, error_desc);
}

char *
root_agent_status (RootAgent *agent)
{
  return root_agent_call_string (agent, "{\"execute\":\"guest-fsfreeze-status\"}");
}

void
root_agent_assert_status (RootAgent  *agent,
                          const char *expected)
{
  g_autofree char *status = root_agent_status (agent);

  g_assert_cmpstr (status, ==, expected);
}

/* Writers. */

struct _Writer {
  GSubprocess *process;
  char *target;
  char *error_path;
  gint64 started;
};

Writer *
writer_start (FsRoot     *root,
              const char *inner_dir)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *inner = g_strdup_printf ("%s/writer-%u", inner_dir, ++root->n_writers);
  g_autofree char *of = NULL;
  g_autofree char *error_name = g_strdup_printf ("writer-%u.err", root->n_writers);
  FsChildSetup setup = { .death_signal = SIGKILL };
  Writer *writer = g_new0 (Writer, 1);

  writer->target = fs_root_path (root, inner);
  writer->error_path = g_build_filename (root->dir, error_name, NULL);
  of = g_strconcat ("of=", writer->target, NULL);

  /* A new file: its creation alone blocks on a frozen filesystem, and
   * the fsync makes sure the data really has to reach it. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_stderr_file_path (launcher, writer->error_path);
  g_subprocess_launcher_set_child_setup (launcher, fsfreeze_child_setup, &setup, NULL);
  writer->process = g_subprocess_launcher_spawn (launcher, &error, "dd", "if=/dev/zero", of,
                                                 "bs=64k", "count=4", "conv=fsync",
                                                 "status=none", NULL);
  g_assert_no_error (error);
  writer->started = g_get_monotonic_time ();
  return writer;
}

gboolean
writer_is_running (Writer *writer)
{
  return harness_process_is_running (writer->process);
}

void
writer_assert_blocked (Writer *writer,
                       guint   ms)
{
  gint64 until = writer->started + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      if (!harness_process_is_running (writer->process))
        harness_fail ("The writer to %s finished after %" G_GINT64_FORMAT " ms: "
                      "its filesystem is not frozen", writer->target,
                      (g_get_monotonic_time () - writer->started) / 1000);
      g_usleep (10 * 1000);
    }
  if (!harness_process_is_running (writer->process))
    harness_fail ("The writer to %s finished: its filesystem is not frozen", writer->target);
}

void
writer_assert_done (Writer *writer,
                    guint   timeout_ms)
{
  int status;

  if (!harness_wait_for_exit (writer->process, timeout_ms))
    harness_fail ("The writer to %s is still blocked after %u ms", writer->target, timeout_ms);
  status = g_subprocess_get_status (writer->process);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_autofree char *described = harness_describe_status (status);
      g_autofree char *errors = fsfreeze_read_file (writer->error_path);

      harness_fail ("The writer to %s failed: %s: %s", writer->target, described, errors);
    }
}

void
writer_free (Writer *writer)
{
  if (writer == NULL)
    return;

  /* A writer still blocked is killed by PID; the kill takes effect when
   * its filesystem is thawed (the holder does that at the latest). */
  if (harness_process_is_running (writer->process))
    g_subprocess_force_exit (writer->process);
  g_clear_object (&writer->process);
  g_free (writer->target);
  g_free (writer->error_path);
  g_free (writer);
}
