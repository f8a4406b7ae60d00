/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Freeze hooks (the hook directory and the qemu-ga style -F hook) and
 * what the freeze does around them: their order, which files count as
 * hooks, a failing or slow hook aborting the freeze with everything
 * undone, their output in the agent's log, and the main loop staying
 * free while a slow hook runs. The hooks are shell scripts in the
 * private root that append "NAME ARG" to a log on its tmpfs, which is
 * never frozen.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "fsfreeze-harness.h"

#define F_HOOK "/etc/qemu/fsfreeze-hook"

/* A hook that logs its name and argument, says something on stdout and
 * on stderr, then runs @body (may be NULL). */
static void
write_hook (FsRoot     *root,
            const char *path,
            const char *body,
            mode_t      mode)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\n"
                                             "echo \"%s $1\" >> " HOOK_LOG "\n"
                                             "echo \"%s says $1\"\n"
                                             "echo \"%s complains $1\" >&2\n"
                                             "%s\n",
                                             name, name, name, body != NULL ? body : "");

  fs_root_write_file (root, path, script, mode);
}

static void
write_dir_hook (FsRoot     *root,
                const char *name,
                const char *body)
{
  g_autofree char *path = g_build_filename (ROOT_HOOK_DIR, name, NULL);

  write_hook (root, path, body, 0755);
}

static void
assert_thawed (FsRoot    *root,
               RootAgent *agent)
{
  g_autofree char *status = root_agent_status (agent);
  g_autoptr(Writer) ext4_writer = writer_start (root, FS_EXT4);
  g_autoptr(Writer) xfs_writer = writer_start (root, FS_XFS);

  g_assert_cmpstr (status, ==, "thawed");
  g_assert_false (fs_root_exists (root, ROOT_MARKER));
  writer_assert_done (ext4_writer, FS_WRITER_DONE_MS);
  writer_assert_done (xfs_writer, FS_WRITER_DONE_MS);
  /* No gate left on. */
  g_assert_cmpint (root_agent_call_int (agent, GET_TIME), >, 0);
}

/* A line of the agent's log that ends with "fsfreeze hook NAME: TEXT",
 * NAME being anything without a colon (the -F hook may be named by its
 * path). */
static gboolean
log_has_hook_line (const char *log,
                   const char *name,
                   const char *text)
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  g_autofree char *suffix = g_strdup_printf (": %s", text);

  for (char **line = lines; *line != NULL; line++)
    {
      const char *prefix = strstr (*line, "fsfreeze hook ");

      if (prefix != NULL && g_str_has_suffix (*line, suffix) && strstr (prefix, name) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_order (void)
{
  /* strcmp order: digits, then upper case, then lower case. */
  static const char * const hooks[] = { "a_gamma", "Zeta", "9-beta", "15-dotted.sh", "10-alpha" };
  /* Not hooks by run-parts' rules, or not executable files. */
  static const char * const ignored[] = {
    ".hidden", "40-backup~", "50-x.dpkg-old", "51-x.dpkg-dist", "60-x.rpmnew",
    "61-x.rpmsave", "62 space",
  };
  const char * const args[] = { HOOK_DIR_ARG, "--fsfreeze-hook=" F_HOOK, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autofree char *log = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (hooks); i++)
    write_dir_hook (root, hooks[i], NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (ignored); i++)
    write_dir_hook (root, ignored[i], NULL);
  write_hook (root, ROOT_HOOK_DIR "/70-not-executable", NULL, 0644);
  fs_root_mkdir (root, ROOT_HOOK_DIR "/80-directory");
  write_hook (root, F_HOOK, NULL, 0755);
  agent = root_agent_start (root, args);

  g_assert_cmpint (root_agent_call_int (agent, FREEZE_BOTH), ==, 2);
  fs_root_assert_hook_log (root,
                           "10-alpha freeze\n"
                           "15-dotted.sh freeze\n"
                           "9-beta freeze\n"
                           "Zeta freeze\n"
                           "a_gamma freeze\n"
                           "fsfreeze-hook freeze\n");

  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 2);
  fs_root_assert_hook_log (root,
                           "10-alpha freeze\n"
                           "15-dotted.sh freeze\n"
                           "9-beta freeze\n"
                           "Zeta freeze\n"
                           "a_gamma freeze\n"
                           "fsfreeze-hook freeze\n"
                           "fsfreeze-hook thaw\n"
                           "a_gamma thaw\n"
                           "Zeta thaw\n"
                           "9-beta thaw\n"
                           "15-dotted.sh thaw\n"
                           "10-alpha thaw\n");

  /* Their stdout and stderr, a log message per line. */
  root_agent_stop_cleanly (agent);
  log = root_agent_get_log (agent);
  if (!log_has_hook_line (log, "10-alpha", "10-alpha says freeze") ||
      !log_has_hook_line (log, "10-alpha", "10-alpha complains freeze") ||
      !log_has_hook_line (log, "a_gamma", "a_gamma says thaw") ||
      !log_has_hook_line (log, "fsfreeze-hook", "fsfreeze-hook says freeze") ||
      !log_has_hook_line (log, "fsfreeze-hook", "fsfreeze-hook complains thaw"))
    harness_fail ("The hooks' output is not in the agent's log as "
                  "\"fsfreeze hook NAME: LINE\":\n%s", log);
}

/* Freeze hooks run before the filesystems are frozen, thaw hooks after
 * they are thawed: hooks that write to them would otherwise block until
 * their timeout, and the freeze would fail. */
static void
test_around_freeze (void)
{
  const char * const args[] = { HOOK_DIR_ARG, "--fsfreeze-hook-timeout=5", NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;

  write_dir_hook (root, "10-writes",
                  "echo \"$1\" > " FS_EXT4 "/hook-$1 && echo \"$1\" > " FS_XFS "/hook-$1 || exit 1");
  agent = root_agent_start (root, args);

  g_assert_cmpint (root_agent_call_int (agent, FREEZE_BOTH), ==, 2);
  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 2);
  fs_root_assert_hook_log (root, "10-writes freeze\n10-writes thaw\n");
  g_assert_true (fs_root_exists (root, FS_EXT4 "/hook-freeze"));
  g_assert_true (fs_root_exists (root, FS_XFS "/hook-thaw"));
  root_agent_stop_cleanly (agent);
}

static void
test_failing_hook (void)
{
  const char * const args[] = { HOOK_DIR_ARG, "--fsfreeze-hook=" F_HOOK, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;

  write_dir_hook (root, "10-first", NULL);
  write_dir_hook (root, "20-fails", "[ \"$1\" = freeze ] && exit 1\nexit 0");
  write_dir_hook (root, "30-never", NULL);
  write_hook (root, F_HOOK, NULL, 0755);
  agent = root_agent_start (root, args);

  root_agent_call_error (agent, FREEZE_BOTH, "GenericError",
                         "fsfreeze hook " ROOT_HOOK_DIR "/20-fails failed: exited with status 1");
  /* The hooks that ran for "freeze", the failing one too, get "thaw",
   * in reverse; the others never run. */
  fs_root_assert_hook_log (root,
                           "10-first freeze\n"
                           "20-fails freeze\n"
                           "20-fails thaw\n"
                           "10-first thaw\n");
  assert_thawed (root, agent);
  root_agent_stop_cleanly (agent);
}

static void
test_killed_hook (void)
{
  const char * const args[] = { HOOK_DIR_ARG, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autofree char *desc = g_strdup_printf ("fsfreeze hook " ROOT_HOOK_DIR "/10-killed failed: killed by signal %d",
                                           SIGKILL);

  write_dir_hook (root, "10-killed", "[ \"$1\" = freeze ] && kill -KILL $$\nexit 0");
  agent = root_agent_start (root, args);

  root_agent_call_error (agent, FREEZE_BOTH, "GenericError", desc);
  fs_root_assert_hook_log (root, "10-killed freeze\n10-killed thaw\n");
  assert_thawed (root, agent);
  root_agent_stop_cleanly (agent);
}

static gboolean
process_is_gone (guint pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%u/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  /* "PID (COMM) STATE ...": a zombie is gone too. */
  state = strrchr (stat, ')');
  return state != NULL && state[1] == ' ' && state[2] == 'Z';
}

static void
test_hook_timeout (void)
{
  const char * const args[] = { HOOK_DIR_ARG, "--fsfreeze-hook-timeout=1", NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *sleep_pid = NULL;
  gint64 start, elapsed_ms;
  guint pid;

  /* The sleep is a child of the hook's shell, in its process group. */
  write_dir_hook (root, "10-slow",
                  "if [ \"$1\" = freeze ]; then\n"
                  "  sleep 60 &\n"
                  "  echo $! > " ROOT_LOG_DIR "/sleep.pid\n"
                  "  wait\n"
                  "fi");
  agent = root_agent_start (root, args);

  start = g_get_monotonic_time ();
  reply = root_agent_exchange (agent, FREEZE_BOTH);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("the freeze failed after %" G_GINT64_FORMAT " ms", elapsed_ms);
  harness_reply_assert_error (reply, "GenericError", "fsfreeze hook " ROOT_HOOK_DIR "/10-slow failed: timed out after 1 s");
  g_assert_cmpint (elapsed_ms, >=, 900);
  g_assert_cmpint (elapsed_ms, <, 4000);

  /* The whole process group was killed, the hook's children too. */
  sleep_pid = fs_root_read_file (root, ROOT_LOG_DIR "/sleep.pid");
  g_assert_nonnull (sleep_pid);
  pid = (guint) g_ascii_strtoull (sleep_pid, NULL, 10);
  g_assert_cmpuint (pid, >, 1);
  for (guint i = 0; !process_is_gone (pid); i++)
    {
      if (i == 200)
        harness_fail ("The slow hook's child %u still runs after the hook timed out", pid);
      g_usleep (10 * 1000);
    }

  fs_root_assert_hook_log (root, "10-slow freeze\n10-slow thaw\n");
  assert_thawed (root, agent);
  root_agent_stop_cleanly (agent);
}

static void
test_missing_f_hook (void)
{
  const char * const missing_args[] = { "--fsfreeze-hook=/etc/qemu/missing", NULL };
  const char * const noexec_args[] = { "--fsfreeze-hook=/etc/qemu/not-executable", NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;

  write_hook (root, "/etc/qemu/not-executable", NULL, 0644);

  agent = root_agent_start (root, missing_args);
  root_agent_call_error (agent, FREEZE_BOTH, "GenericError",
                         "can't access fsfreeze hook '/etc/qemu/missing': No such file or directory");
  assert_thawed (root, agent);
  root_agent_stop_cleanly (agent);
  g_clear_pointer (&agent, root_agent_free);

  agent = root_agent_start (root, noexec_args);
  root_agent_call_error (agent, FREEZE_BOTH, "GenericError",
                         "can't access fsfreeze hook '/etc/qemu/not-executable': Permission denied");
  assert_thawed (root, agent);
  fs_root_assert_hook_log (root, "");
  root_agent_stop_cleanly (agent);
}

/* While a slow freeze hook runs, the agent still serves: a host that gave
 * up on the freeze and reconnects is answered at once, and the freeze
 * still completes. On one connection, replies keep their order. */
static void
test_loop_not_blocked (void)
{
  const char * const args[] = { HOOK_DIR_ARG, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autoptr(Client) first = NULL;
  g_autoptr(Client) second = NULL;
  g_autofree char *reply = NULL;
  gint64 start, elapsed_ms;

  write_dir_hook (root, "10-slow",
                  "[ \"$1\" = freeze ] && sleep 2\n"
                  "echo \"10-slow $1 done\" >> " HOOK_LOG);
  agent = root_agent_start (root, args);

  /* A freeze whose host leaves while the hook sleeps. */
  first = root_agent_connect (agent);
  client_send_str (first, FREEZE_BOTH);
  if (!fs_root_wait_file_contains (root, HOOK_LOG, "10-slow freeze\n", 2000))
    harness_fail ("The freeze hook did not start");
  g_clear_pointer (&first, client_free);

  second = root_agent_connect (agent);
  start = g_get_monotonic_time ();
  client_send_str (second, "{\"execute\":\"guest-ping\",\"id\":\"ping\"}");
  reply = client_read_line (second, HARNESS_REPLY_TIMEOUT_MS);
  g_assert_cmpstr (reply, ==, "{\"return\": {}, \"id\": \"ping\"}\n");
  g_clear_pointer (&reply, g_free);
  client_send_str (second, "{\"execute\":\"guest-fsfreeze-status\",\"id\":\"status\"}");
  reply = client_read_line (second, HARNESS_REPLY_TIMEOUT_MS);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("ping and status answered in %" G_GINT64_FORMAT " ms", elapsed_ms);
  /* "frozen" only once the hooks are done and the gate is on. */
  g_assert_cmpstr (reply, ==, "{\"return\": \"thawed\", \"id\": \"status\"}\n");
  g_assert_cmpint (elapsed_ms, <, FS_PROMPT_MS);
  /* ... and the hook was still running meanwhile. */
  {
    g_autofree char *hook_log = fs_root_read_file (root, HOOK_LOG);

    g_assert_null (strstr (hook_log, "freeze done"));
  }
  g_clear_pointer (&second, client_free);
  g_clear_pointer (&reply, g_free);

  /* The abandoned freeze completes. */
  for (guint i = 0;; i++)
    {
      g_autofree char *now = root_agent_status (agent);

      if (g_str_equal (now, "frozen"))
        break;
      if (i == 100)
        harness_fail ("The freeze did not complete after its host left");
      g_usleep (50 * 1000);
    }
  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 2);

  /* One connection, pipelined: the ping's reply waits for the freeze's. */
  first = root_agent_connect (agent);
  start = g_get_monotonic_time ();
  client_send_str (first,
                   "{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":"
                   "[\"" FS_EXT4 "\",\"" FS_XFS "\"]},\"id\":1}"
                   "{\"execute\":\"guest-ping\",\"id\":2}");
  reply = client_read_line (first, HARNESS_REPLY_TIMEOUT_MS);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("first reply after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpstr (reply, ==, "{\"return\": 2, \"id\": 1}\n");
  g_assert_cmpint (elapsed_ms, >=, 1500);
  g_clear_pointer (&reply, g_free);
  reply = client_read_line (first, HARNESS_REPLY_TIMEOUT_MS);
  g_assert_cmpstr (reply, ==, "{\"return\": {}, \"id\": 2}\n");
  g_clear_pointer (&first, client_free);

  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 2);
  assert_thawed (root, agent);
  root_agent_stop_cleanly (agent);
}

/* qemu-ga handles the requests of a connection one after the other, so a
 * request pipelined after a freeze sees the freeze done: the status says
 * "frozen", and a command outside the allow-list is refused. Beyond
 * ordering the replies, this is what a host that pipelines relies on. */
static void
test_pipelined_after_freeze (void)
{
  const char * const args[] = { HOOK_DIR_ARG, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autoptr(Client) client = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  write_dir_hook (root, "10-slow", "[ \"$1\" = freeze ] && sleep 1\nexit 0");
  agent = root_agent_start (root, args);

  client = root_agent_connect (agent);
  client_send_str (client,
                   "{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":"
                   "[\"" FS_EXT4 "\",\"" FS_XFS "\"]},\"id\":1}"
                   "{\"execute\":\"guest-fsfreeze-status\",\"id\":2}"
                   "{\"execute\":\"guest-get-time\",\"id\":3}");
  lines = client_read_lines (client, 3);
  for (guint i = 0; i < lines->len; i++)
    harness_message_bytes ("pipelined reply", g_ptr_array_index (lines, i), -1);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "{\"return\": 2, \"id\": 1}\n");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "{\"return\": \"frozen\", \"id\": 2}\n");
  harness_reply_assert_error (g_ptr_array_index (lines, 2), "CommandNotFound",
                              "Command guest-get-time has been disabled: the agent is in frozen state");
  g_clear_pointer (&client, client_free);

  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 2);
  assert_thawed (root, agent);
  root_agent_stop_cleanly (agent);
}

int
main (int    argc,
      char **argv)
{
  fsfreeze_init (&argc, &argv);

  fsfreeze_add_func ("/fsfreeze/hooks/order", test_order);
  fsfreeze_add_func ("/fsfreeze/hooks/around-freeze", test_around_freeze);
  fsfreeze_add_func ("/fsfreeze/hooks/failing", test_failing_hook);
  fsfreeze_add_func ("/fsfreeze/hooks/killed", test_killed_hook);
  fsfreeze_add_func ("/fsfreeze/hooks/timeout", test_hook_timeout);
  fsfreeze_add_func ("/fsfreeze/hooks/missing-f-hook", test_missing_f_hook);
  fsfreeze_add_func ("/fsfreeze/hooks/loop-not-blocked", test_loop_not_blocked);
  fsfreeze_add_func ("/fsfreeze/hooks/pipelined-after-freeze", test_pipelined_after_freeze);

  return fsfreeze_run ();
}
