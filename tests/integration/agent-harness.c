/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Agents as processes: each in a directory of its own under the run's
 * temporary directory, stopped by its PID, and never outliving the test.
 */
#include "config.h"

#include "agent-harness.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

static char *run_dir;
static guint n_dirs;

void
harness_fail (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* What g_assert() uses: reported as a test failure, in TAP too. */
  g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
  abort ();
}

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                type,
              struct FTW        *ftw)
{
  if (remove (path) < 0 && errno != ENOENT)
    g_printerr ("Cannot remove %s: %s\n", path, g_strerror (errno));
  return 0;
}

static void
remove_tree (const char *path)
{
  nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static gboolean
keep_run_dir (void)
{
  const char *value = g_getenv ("GUESTLINK_TEST_KEEP_DIR");

  return value != NULL && g_str_equal (value, "1");
}

/* A failed assertion aborts, and meson ends a test past its timeout with
 * SIGTERM: the agents die with this process (PR_SET_PDEATHSIG), and their
 * directory must go too. Not async-signal-safe, but this process is done
 * for anyway. */
static void
on_fatal_signal (int signum)
{
  if (run_dir != NULL)
    {
      if (keep_run_dir ())
        g_printerr ("# agents' files kept in %s\n", run_dir);
      else
        remove_tree (run_dir);
    }

  signal (signum, SIG_DFL);
  raise (signum);
}

void
harness_init (int    *argc,
              char ***argv)
{
  static const int fatal_signals[] = { SIGABRT, SIGTERM, SIGINT, SIGSEGV, SIGBUS };
  g_autoptr(GError) error = NULL;

  g_test_init (argc, argv, NULL);
  /* A write to an agent that hung up must fail, not kill the test. */
  signal (SIGPIPE, SIG_IGN);

  run_dir = g_dir_make_tmp ("guestlink-integration-XXXXXX", &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (fatal_signals); i++)
    signal (fatal_signals[i], on_fatal_signal);
}

int
harness_run (void)
{
  int status = g_test_run ();

  /* GUESTLINK_TEST_KEEP_DIR=1 keeps the agents' logs for a post-mortem. */
  if (keep_run_dir ())
    g_printerr ("# agents' files kept in %s\n", run_dir);
  else
    remove_tree (run_dir);
  g_clear_pointer (&run_dir, g_free);
  return status;
}

const char *
harness_guestlinkd (void)
{
  const char *path = g_getenv ("GUESTLINKD");

  if (path == NULL || *path == '\0')
    harness_fail ("GUESTLINKD is not set: run the tests with meson test");
  return path;
}

const char *
harness_project_version (void)
{
  const char *version = g_getenv ("GUESTLINK_VERSION");

  if (version == NULL || *version == '\0')
    harness_fail ("GUESTLINK_VERSION is not set: run the tests with meson test");
  return version;
}

gboolean
harness_is_sanitized (void)
{
  const char *value = g_getenv ("GUESTLINK_TEST_SANITIZED");

  return value != NULL && g_str_equal (value, "1");
}

char *
harness_make_dir (const char *name)
{
  g_autofree char *base = g_strdup_printf ("%s-%u", name, ++n_dirs);
  char *path;

  g_assert_nonnull (run_dir);
  path = g_build_filename (run_dir, base, NULL);
  if (g_mkdir (path, 0700) < 0)
    harness_fail ("Cannot create %s: %s", path, g_strerror (errno));
  return path;
}

static char *
read_file_or_empty (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

char *
harness_escape (const char *bytes,
                gssize      length)
{
  GString *text = g_string_new (NULL);
  gsize n = length < 0 ? strlen (bytes) : (gsize) length;

  for (gsize i = 0; i < n; i++)
    {
      guchar byte = (guchar) bytes[i];

      if (byte == '\n')
        g_string_append (text, "\\n");
      else if (g_ascii_isprint (byte))
        g_string_append_c (text, (char) byte);
      else
        g_string_append_printf (text, "\\x%02X", byte);
    }

  return g_string_free (text, FALSE);
}

void
harness_message_bytes (const char *label,
                       const char *bytes,
                       gssize      length)
{
  g_autofree char *shown = harness_escape (bytes, length);
  /* The point is what the bytes look like, not a megabyte of them. */
  const gsize max_shown = 400;

  if (strlen (shown) > max_shown)
    g_test_message ("%s %.*s... (%zu bytes)", label, (int) max_shown, shown,
                    length < 0 ? strlen (bytes) : (gsize) length);
  else
    g_test_message ("%s %s", label, shown);
}

char *
harness_describe_status (int wait_status)
{
  if (WIFEXITED (wait_status))
    return g_strdup_printf ("exit status %d", WEXITSTATUS (wait_status));
  if (WIFSIGNALED (wait_status))
    return g_strdup_printf ("killed by signal %d (%s)", WTERMSIG (wait_status),
                            g_strsignal (WTERMSIG (wait_status)));
  return g_strdup_printf ("wait status 0x%x", (unsigned) wait_status);
}

/* Processes. */

static void
child_setup (gpointer user_data)
{
  /* An agent must not outlive a test that crashed or was killed. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn (const char * const *argv,
       HarnessAgentFlags   flags,
       const char         *stdout_path,
       const char         *stderr_path)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  /* No stderr path: both streams go to one log, in order. */
  launcher = g_subprocess_launcher_new (stderr_path == NULL ? G_SUBPROCESS_FLAGS_STDERR_MERGE
                                                            : G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
  if (stderr_path != NULL)
    g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  if (flags & HARNESS_AGENT_ALLOW_WARNINGS)
    g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

gboolean
harness_process_is_running (GSubprocess *process)
{
  /* GLib's worker thread reaps the child and clears the identifier. */
  return g_subprocess_get_identifier (process) != NULL;
}

gboolean
harness_wait_for_exit (GSubprocess *process,
                       guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (harness_process_is_running (process))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (5 * 1000);
    }

  /* Returns at once; afterwards the exit status may be read. */
  g_subprocess_wait (process, NULL, NULL);
  return TRUE;
}

int
harness_run_command (const char * const  *argv,
                     HarnessAgentFlags    flags,
                     char               **out_stdout,
                     char               **out_stderr)
{
  g_autofree char *dir = harness_make_dir ("command");
  g_autofree char *stdout_path = g_build_filename (dir, "stdout", NULL);
  g_autofree char *stderr_path = g_build_filename (dir, "stderr", NULL);
  g_autoptr(GSubprocess) process = spawn (argv, flags, stdout_path, stderr_path);
  int status;

  if (!harness_wait_for_exit (process, HARNESS_PROCESS_TIMEOUT_MS))
    {
      g_subprocess_force_exit (process);
      harness_wait_for_exit (process, HARNESS_PROCESS_TIMEOUT_MS);
      remove_tree (dir);
      harness_fail ("%s did not exit within %u ms", argv[0], HARNESS_PROCESS_TIMEOUT_MS);
    }

  status = g_subprocess_get_status (process);
  if (out_stdout != NULL)
    *out_stdout = read_file_or_empty (stdout_path);
  if (out_stderr != NULL)
    *out_stderr = read_file_or_empty (stderr_path);
  remove_tree (dir);
  return status;
}

char *
harness_run_or_fail (const char * const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *described = NULL;
  int status = harness_run_command (argv, HARNESS_AGENT_NONE, &out, &err);

  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return g_steal_pointer (&out);
  described = harness_describe_status (status);
  harness_fail ("%s failed: %s\n%s%s", argv[0], described, out, err);
}

/* Agents. */

struct _TestAgent {
  char *program;
  char *dir;
  char *socket_path;
  char *state_dir;
  char *pidfile;
  char *log_path;
  GSubprocess *process;
  pid_t pid;
};

/* The socket file appears at bind(), before listen(): /proc/net/unix
 * says when it really listens, without connecting (which would make a
 * client of the probe). */
gboolean
harness_unix_socket_is_listening (const char *path)
{
  g_autofree char *table = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/net/unix", &table, NULL, NULL))
    return FALSE;

  lines = g_strsplit (table, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto(GStrv) fields = g_strsplit_set (*line, " ", -1);
      const char *columns[8];
      guint n = 0;

      for (char **field = fields; *field != NULL && n < G_N_ELEMENTS (columns); field++)
        if (**field != '\0')
          columns[n++] = *field;

      /* Num RefCount Protocol Flags Type St Inode Path; Flags has
       * __SO_ACCEPTCON (0x10000) once listen() was called. */
      if (n == 8 && g_str_equal (columns[7], path) && g_str_equal (columns[3], "00010000"))
        return TRUE;
    }

  return FALSE;
}

static void
fail_with_log (TestAgent  *agent,
               const char *what)
{
  g_autofree char *log = read_file_or_empty (agent->log_path);

  harness_fail ("%s %s; its output:\n%s", agent->program, what, log);
}

/* Listening is not enough: guestlinkd listens before it handles SIGTERM
 * (see /lifecycle/sigterm-at-start), and a test that stops it at once
 * would fail on that instead of on what it tests. */
gboolean
harness_process_catches_sigterm (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *field;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return FALSE;
  field = strstr (status, "\nSigCgt:");
  if (field == NULL)
    return FALSE;
  return (g_ascii_strtoull (field + strlen ("\nSigCgt:"), NULL, 16) >> (SIGTERM - 1)) & 1;
}

void
test_agent_wait_listening (TestAgent  *agent,
                           const char *socket_path)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) HARNESS_PROCESS_TIMEOUT_MS * 1000;

  while (!harness_unix_socket_is_listening (socket_path) ||
         !harness_process_catches_sigterm (agent->pid))
    {
      if (!harness_process_is_running (agent->process))
        fail_with_log (agent, "exited before listening");
      if (g_get_monotonic_time () > deadline)
        fail_with_log (agent, "did not listen in time");
      g_usleep (5 * 1000);
    }
}

TestAgent *
test_agent_start (const char         *program,
                  HarnessAgentFlags   flags,
                  const char * const *extra_args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *name = g_path_get_basename (program);
  TestAgent *agent = g_new0 (TestAgent, 1);

  agent->program = g_strdup (program);
  agent->dir = harness_make_dir (name);
  agent->socket_path = g_build_filename (agent->dir, "agent.sock", NULL);
  agent->state_dir = g_build_filename (agent->dir, "state", NULL);
  agent->pidfile = g_build_filename (agent->dir, "agent.pid", NULL);
  agent->log_path = g_build_filename (agent->dir, "agent.log", NULL);
  /* qemu-ga does not create its state directory. */
  g_assert_cmpint (g_mkdir (agent->state_dir, 0700), ==, 0);

  g_ptr_array_add (argv, agent->program);
  if (!(flags & HARNESS_AGENT_CUSTOM_CHANNEL))
    {
      g_ptr_array_add (argv, (char *) "-m");
      g_ptr_array_add (argv, (char *) "unix-listen");
      g_ptr_array_add (argv, (char *) "-p");
      g_ptr_array_add (argv, agent->socket_path);
    }
  g_ptr_array_add (argv, (char *) "-t");
  g_ptr_array_add (argv, agent->state_dir);
  g_ptr_array_add (argv, (char *) "-f");
  g_ptr_array_add (argv, agent->pidfile);
  for (gsize i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  agent->process = spawn ((const char * const *) argv->pdata, flags, agent->log_path, NULL);
  agent->pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (agent->process), NULL, 10);

  if (!(flags & HARNESS_AGENT_CUSTOM_CHANNEL))
    test_agent_wait_listening (agent, agent->socket_path);

  return agent;
}

const char *
test_agent_get_socket_path (TestAgent *agent)
{
  return agent->socket_path;
}

const char *
test_agent_get_pidfile (TestAgent *agent)
{
  return agent->pidfile;
}

const char *
test_agent_get_dir (TestAgent *agent)
{
  return agent->dir;
}

pid_t
test_agent_get_pid (TestAgent *agent)
{
  return agent->pid;
}

gboolean
test_agent_is_running (TestAgent *agent)
{
  return harness_process_is_running (agent->process);
}

char *
test_agent_get_log (TestAgent *agent)
{
  return read_file_or_empty (agent->log_path);
}

int
test_agent_stop_with (TestAgent *agent,
                      int        signum)
{
  if (harness_process_is_running (agent->process))
    {
      g_subprocess_send_signal (agent->process, signum);
      if (!harness_wait_for_exit (agent->process, HARNESS_PROCESS_TIMEOUT_MS))
        {
          g_subprocess_force_exit (agent->process);
          harness_wait_for_exit (agent->process, HARNESS_PROCESS_TIMEOUT_MS);
          fail_with_log (agent, "did not exit on its signal");
        }
    }
  else
    {
      g_subprocess_wait (agent->process, NULL, NULL);
    }

  return g_subprocess_get_status (agent->process);
}

int
test_agent_stop_reference (TestAgent *agent)
{
  if (harness_process_is_running (agent->process))
    {
      g_subprocess_send_signal (agent->process, SIGTERM);
      if (!harness_wait_for_exit (agent->process, 500))
        {
          g_subprocess_force_exit (agent->process);
          harness_wait_for_exit (agent->process, HARNESS_PROCESS_TIMEOUT_MS);
        }
    }
  else
    {
      g_subprocess_wait (agent->process, NULL, NULL);
    }

  return g_subprocess_get_status (agent->process);
}

int
test_agent_stop (TestAgent *agent)
{
  return test_agent_stop_with (agent, SIGTERM);
}

void
test_agent_stop_cleanly (TestAgent *agent)
{
  g_autofree char *described = harness_describe_status (test_agent_stop (agent));

  if (!g_str_equal (described, "exit status 0"))
    fail_with_log (agent, described);
}

void
test_agent_free (TestAgent *agent)
{
  if (agent == NULL)
    return;

  if (harness_process_is_running (agent->process))
    {
      /* By its PID, which GSubprocess still owns: no other process. */
      g_subprocess_force_exit (agent->process);
      harness_wait_for_exit (agent->process, HARNESS_PROCESS_TIMEOUT_MS);
    }

  remove_tree (agent->dir);
  g_clear_object (&agent->process);
  g_free (agent->program);
  g_free (agent->dir);
  g_free (agent->socket_path);
  g_free (agent->state_dir);
  g_free (agent->pidfile);
  g_free (agent->log_path);
  g_free (agent);
}

guint64
harness_read_status_kib (pid_t       pid,
                         const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *prefix = g_strconcat (field, ":", NULL);
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &status, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (status, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    if (g_str_has_prefix (*line, prefix))
      return g_ascii_strtoull (*line + strlen (prefix), NULL, 10);

  harness_fail ("No %s in %s", field, path);
}

void
agent_fixture_set_up (AgentFixture  *fixture,
                      gconstpointer  data)
{
  fixture->agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
}

void
agent_fixture_tear_down (AgentFixture  *fixture,
                         gconstpointer  data)
{
  test_agent_stop_cleanly (fixture->agent);
  g_clear_pointer (&fixture->agent, test_agent_free);
}

Client *
agent_fixture_connect (AgentFixture *fixture)
{
  return client_connect (test_agent_get_socket_path (fixture->agent));
}
