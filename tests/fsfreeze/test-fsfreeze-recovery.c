/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A frozen filesystem is never left behind, and nothing is written while
 * frozen: the guest-side timeout thaws when the host never does, an agent
 * restarted after SIGKILL finds its marker and thaws, SIGTERM and SIGINT
 * thaw before exiting, and log messages wait for the thaw. Also the plain
 * guest-fsfreeze-freeze of every filesystem, which only the private root
 * (fsfreeze-harness.h) makes safe to run here: every agent's mount table
 * is checked to hold nothing but the test's before any request.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fsfreeze-harness.h"

#define FREEZE_ALL "{\"execute\":\"guest-fsfreeze-freeze\"}"

static void
write_logging_hook (FsRoot *root)
{
  fs_root_write_file (root, ROOT_HOOK_DIR "/10-log",
                      "#!/bin/sh\necho \"10-log $1\" >> " HOOK_LOG "\n", 0755);
}

/* The end of a recovery at start is not a reply: wait for its traces. */
static void
wait_marker_gone (FsRoot *root)
{
  for (guint i = 0; fs_root_exists (root, ROOT_MARKER); i++)
    {
      if (i == 500)
        harness_fail ("The frozen marker is still there 5 s after the recovery");
      g_usleep (10 * 1000);
    }
}

static void
wait_hook_log (FsRoot     *root,
               const char *expected)
{
  for (guint i = 0;; i++)
    {
      g_autofree char *log = fs_root_read_file (root, HOOK_LOG);

      if (g_strcmp0 (log, expected) == 0)
        return;
      if (i == 500)
        harness_fail ("The hooks' log is still \"%s\" 5 s after the recovery, "
                      "not \"%s\"", log, expected);
      g_usleep (10 * 1000);
    }
}

static void
test_timeout_thaw (void)
{
  const char * const args[] = { "--fsfreeze-timeout=2", NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = root_agent_start (root, args);
  g_autoptr(Writer) writer = NULL;
  g_autofree char *log = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 thawed_ms;

  g_assert_cmpint (root_agent_call_int (agent, FREEZE_BOTH), ==, 2);
  writer = writer_start (root, FS_XFS);
  /* Not before its time. */
  writer_assert_blocked (writer, FS_BLOCKED_MS);
  root_agent_assert_status (agent, "frozen");

  for (;;)
    {
      g_autofree char *status = root_agent_status (agent);

      thawed_ms = (g_get_monotonic_time () - start) / 1000;
      if (g_str_equal (status, "thawed"))
        break;
      if (thawed_ms > 8000)
        harness_fail ("Still frozen %" G_GINT64_FORMAT " ms after a freeze with "
                      "--fsfreeze-timeout=2", thawed_ms);
      g_usleep (50 * 1000);
    }
  g_test_message ("thawed by itself after %" G_GINT64_FORMAT " ms", thawed_ms);
  g_assert_cmpint (thawed_ms, >=, 1800);
  writer_assert_done (writer, FS_WRITER_DONE_MS);
  g_assert_false (fs_root_exists (root, ROOT_MARKER));

  /* Nothing left for the host to thaw, and the gate is off. */
  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 0);
  g_assert_cmpint (root_agent_call_int (agent, GET_TIME), >, 0);

  if (!root_agent_wait_log (agent, "Thawing after 2 s without a thaw from the host (fsfreeze-timeout)", 2000))
    {
      log = root_agent_get_log (agent);
      harness_fail ("The log does not say why it thawed:\n%s", log);
    }
  root_agent_stop_cleanly (agent);
}

static void
test_sigkill_recovery (void)
{
  const char * const args[] = { HOOK_DIR_ARG, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autoptr(RootAgent) restarted = NULL;
  g_autoptr(Writer) ext4_writer = NULL;
  g_autoptr(Writer) xfs_writer = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *log = NULL;
  int status;

  write_logging_hook (root);
  agent = root_agent_start (root, args);
  g_assert_cmpint (root_agent_call_int (agent, FREEZE_BOTH), ==, 2);
  ext4_writer = writer_start (root, FS_EXT4);
  xfs_writer = writer_start (root, FS_XFS);

  status = root_agent_stop_with (agent, SIGKILL);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

  /* Nobody thawed: still frozen, and the marker says what. */
  writer_assert_blocked (ext4_writer, FS_BLOCKED_MS);
  writer_assert_blocked (xfs_writer, FS_BLOCKED_MS);
  marker = fs_root_read_file (root, ROOT_MARKER);
  if (marker == NULL || strstr (marker, FS_EXT4 "\n") == NULL || strstr (marker, FS_XFS "\n") == NULL)
    harness_fail ("The frozen marker should name " FS_EXT4 " and " FS_XFS ", it is: %s", marker);

  /* The same state directory: it thaws, says so, runs the thaw hooks. */
  restarted = root_agent_start (root, args);
  if (!root_agent_wait_log (restarted, "Found the frozen marker of an earlier run: thawed 2 filesystems",
                            HARNESS_REPLY_TIMEOUT_MS))
    {
      log = root_agent_get_log (restarted);
      harness_fail ("The restarted agent does not say it thawed:\n%s", log);
    }
  writer_assert_done (ext4_writer, FS_WRITER_DONE_MS);
  writer_assert_done (xfs_writer, FS_WRITER_DONE_MS);
  wait_marker_gone (root);
  wait_hook_log (root, "10-log freeze\n10-log thaw\n");
  root_agent_assert_status (restarted, "thawed");
  g_assert_cmpint (root_agent_call_int (restarted, THAW), ==, 0);
  g_assert_cmpint (root_agent_call_int (restarted, GET_TIME), >, 0);

  /* And it freezes again as if nothing had happened. */
  g_assert_cmpint (root_agent_call_int (restarted, FREEZE_BOTH), ==, 2);
  g_assert_cmpint (root_agent_call_int (restarted, THAW), ==, 2);
  root_agent_stop_cleanly (restarted);
}

/* A marker with nothing frozen (a crash after a thaw, before the marker
 * went): the thaw finds nothing, and the marker goes. */
static void
test_stale_marker (void)
{
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autofree char *log = NULL;

  fs_root_write_file (root, ROOT_MARKER, FS_EXT4 "\n" FS_XFS "\n", 0600);
  agent = root_agent_start (root, NULL);
  if (!root_agent_wait_log (agent, "Found the frozen marker of an earlier run: thawed 0 filesystems",
                            HARNESS_REPLY_TIMEOUT_MS))
    {
      log = root_agent_get_log (agent);
      harness_fail ("The agent does not report the stale marker:\n%s", log);
    }
  wait_marker_gone (root);
  root_agent_assert_status (agent, "thawed");
  g_assert_cmpint (root_agent_call_int (agent, FREEZE_BOTH), ==, 2);
  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 2);
  root_agent_stop_cleanly (agent);
}

static void
test_signal_thaws (gconstpointer data)
{
  int signum = GPOINTER_TO_INT (data);
  const char * const args[] = { HOOK_DIR_ARG, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autoptr(Writer) writer = NULL;
  g_autofree char *described = NULL;

  write_logging_hook (root);
  agent = root_agent_start (root, args);
  g_assert_cmpint (root_agent_call_int (agent, FREEZE_BOTH), ==, 2);
  writer = writer_start (root, FS_EXT4);
  writer_assert_blocked (writer, FS_BLOCKED_MS);

  described = harness_describe_status (root_agent_stop_with (agent, signum));
  if (!g_str_equal (described, "exit status 0"))
    {
      g_autofree char *log = root_agent_get_log (agent);

      harness_fail ("guestlinkd, frozen, on %s: %s; its output:\n%s", g_strsignal (signum),
                    described, log);
    }
  writer_assert_done (writer, FS_WRITER_DONE_MS);
  g_assert_false (fs_root_exists (root, ROOT_MARKER));
  fs_root_assert_hook_log (root, "10-log freeze\n10-log thaw\n");
}

/* A hook that records its calls and, for "freeze", takes its time. */
static void
write_slow_hook (FsRoot *root)
{
  fs_root_write_file (root, ROOT_HOOK_DIR "/10-slow",
                      "#!/bin/sh\necho \"10-slow $1\" >> " HOOK_LOG "\n"
                      "[ \"$1\" = freeze ] && sleep 2\nexit 0\n", 0755);
}

/* A SIGTERM while the freeze hooks run: the host is told the freeze
 * failed (it must not snapshot), the hooks hear "thaw", nothing stays
 * frozen, and the agent exits 0. */
static void
test_sigterm_during_hooks (void)
{
  const char * const args[] = { HOOK_DIR_ARG, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autoptr(Client) client = NULL;
  g_autoptr(Writer) writer = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *described = NULL;

  write_slow_hook (root);
  agent = root_agent_start (root, args);
  client = root_agent_connect (agent);
  client_send_str (client, FREEZE_BOTH "\n");
  if (!fs_root_wait_file_contains (root, HOOK_LOG, "10-slow freeze", HARNESS_REPLY_TIMEOUT_MS))
    harness_fail ("The freeze hook did not run");

  g_assert_cmpint (kill (root_agent_get_pid (agent), SIGTERM), ==, 0);
  reply = client_read_line (client, 3 * HARNESS_REPLY_TIMEOUT_MS);
  g_assert_nonnull (reply);
  harness_reply_assert_error (reply, "GenericError", "The agent is stopping");

  described = harness_describe_status (root_agent_stop_with (agent, SIGTERM));
  g_assert_cmpstr (described, ==, "exit status 0");
  writer = writer_start (root, FS_EXT4);
  writer_assert_done (writer, FS_WRITER_DONE_MS);
  g_assert_false (fs_root_exists (root, ROOT_MARKER));
  fs_root_assert_hook_log (root, "10-slow freeze\n10-slow thaw\n");
}

/* Killed while the freeze hooks run: nothing is frozen yet, but the
 * applications are quiesced; the marker, written before the hooks, makes
 * the next agent run their thaw. */
static void
test_sigkill_during_hooks (void)
{
  const char * const args[] = { HOOK_DIR_ARG, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;
  g_autoptr(RootAgent) restarted = NULL;
  g_autoptr(Client) client = NULL;
  int status;

  write_slow_hook (root);
  agent = root_agent_start (root, args);
  client = root_agent_connect (agent);
  client_send_str (client, FREEZE_BOTH "\n");
  if (!fs_root_wait_file_contains (root, HOOK_LOG, "10-slow freeze", HARNESS_REPLY_TIMEOUT_MS))
    harness_fail ("The freeze hook did not run");
  g_assert_true (fs_root_exists (root, ROOT_MARKER));

  status = root_agent_stop_with (agent, SIGKILL);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

  restarted = root_agent_start (root, args);
  wait_hook_log (root, "10-slow freeze\n10-slow thaw\n");
  wait_marker_gone (root);
  root_agent_assert_status (restarted, "thawed");
  root_agent_stop_cleanly (restarted);
}

/* A freeze that freezes nothing leaves the guest thawed (qemu-ga does
 * the same), so it is not cut off until a timeout; the hooks that heard
 * "freeze" hear "thaw" at the host's thaw. */
static void
test_nothing_frozen (void)
{
  const char * const args[] = { HOOK_DIR_ARG, NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;

  write_logging_hook (root);
  agent = root_agent_start (root, args);
  g_assert_cmpint (root_agent_call_int (agent, FREEZE_LIST ("[]")), ==, 0);
  root_agent_assert_status (agent, "thawed");
  g_assert_cmpint (root_agent_call_int (agent, GET_TIME), >, 0);
  g_assert_false (fs_root_exists (root, ROOT_MARKER));
  fs_root_assert_hook_log (root, "10-log freeze\n");

  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 0);
  fs_root_assert_hook_log (root, "10-log freeze\n10-log thaw\n");
  /* Once only. */
  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 0);
  fs_root_assert_hook_log (root, "10-log freeze\n10-log thaw\n");
  root_agent_stop_cleanly (agent);
}

static void
test_freeze_all (void)
{
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_BIND);
  g_autoptr(RootAgent) agent = root_agent_start (root, NULL);
  static const char * const freeze_all[] = {
    FREEZE_ALL,
    "{\"execute\":\"guest-fsfreeze-freeze-list\"}",
    "{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{}}",
  };

  /* Every local filesystem the agent sees: the two loop filesystems, the
   * bind mount not counted again, the tmpfs, proc and /dev not at all. */
  for (gsize i = 0; i < G_N_ELEMENTS (freeze_all); i++)
    {
      g_autoptr(Writer) ext4_writer = NULL;
      g_autoptr(Writer) xfs_writer = NULL;
      g_autoptr(Writer) bind_writer = NULL;

      g_test_message ("%s", freeze_all[i]);
      g_assert_cmpint (root_agent_call_int (agent, freeze_all[i]), ==, 2);
      root_agent_assert_status (agent, "frozen");
      ext4_writer = writer_start (root, FS_EXT4);
      xfs_writer = writer_start (root, FS_XFS);
      bind_writer = writer_start (root, FS_EXT4_BIND);
      writer_assert_blocked (ext4_writer, FS_BLOCKED_MS);
      writer_assert_blocked (xfs_writer, FS_BLOCKED_MS);
      writer_assert_blocked (bind_writer, FS_BLOCKED_MS);
      g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 2);
      writer_assert_done (ext4_writer, FS_WRITER_DONE_MS);
      writer_assert_done (xfs_writer, FS_WRITER_DONE_MS);
      writer_assert_done (bind_writer, FS_WRITER_DONE_MS);
      root_agent_assert_status (agent, "thawed");
    }

  /* One frozen by someone else: skipped, and left frozen by the thaw. */
  {
    g_autoptr(Writer) ext4_writer = NULL;

    fs_root_freeze_by_test (root, FS_EXT4);
    g_assert_cmpint (root_agent_call_int (agent, FREEZE_ALL), ==, 1);
    g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 1);
    ext4_writer = writer_start (root, FS_EXT4);
    writer_assert_blocked (ext4_writer, FS_BLOCKED_MS);
    fs_root_thaw_by_test (root, FS_EXT4);
    writer_assert_done (ext4_writer, FS_WRITER_DONE_MS);
  }

  root_agent_stop_cleanly (agent);
}

static gsize
file_size (FsRoot     *root,
           const char *inner)
{
  g_autofree char *path = fs_root_path (root, inner);
  struct stat st;

  if (stat (path, &st) < 0)
    return 0;
  return (gsize) st.st_size;
}

/* Messages logged while frozen reach the log file only after the thaw. */
static void
test_logs_held (void)
{
  const char * const args[] = { "-v", "-l", ROOT_LOG_DIR "/agent.log", NULL };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = root_agent_start (root, args);
  g_autofree char *during = NULL;
  gsize size;

  /* A request the agent logs with -v, and that names itself. */
  root_agent_call_error (agent, "{\"execute\":\"guest-log-probe-before\"}", "CommandNotFound",
                         "The command guest-log-probe-before has not been found");
  if (!fs_root_wait_file_contains (root, ROOT_LOG_DIR "/agent.log", "guest-log-probe-before",
                                   HARNESS_REPLY_TIMEOUT_MS))
    harness_fail ("guestlinkd -v does not log an unknown command; the test needs another probe");

  g_assert_cmpint (root_agent_call_int (agent, FREEZE_BOTH), ==, 2);
  /* Whatever the freeze itself logs is held too, from here on. */
  size = file_size (root, ROOT_LOG_DIR "/agent.log");
  root_agent_call_error (agent, "{\"execute\":\"guest-log-probe-frozen\"}", "CommandNotFound",
                         "The command guest-log-probe-frozen has not been found");
  root_agent_call_error (agent, GET_TIME, "CommandNotFound",
                         "Command guest-get-time has been disabled: the agent is in frozen state");
  g_usleep (FS_BLOCKED_MS * 1000);
  during = fs_root_read_file (root, ROOT_LOG_DIR "/agent.log");
  if (strstr (during, "guest-log-probe-frozen") != NULL ||
      file_size (root, ROOT_LOG_DIR "/agent.log") != size)
    harness_fail ("The log file grew while frozen:\n%s", during + MIN (size, strlen (during)));

  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 2);
  if (!fs_root_wait_file_contains (root, ROOT_LOG_DIR "/agent.log", "guest-log-probe-frozen",
                                   HARNESS_REPLY_TIMEOUT_MS))
    {
      g_autofree char *after = fs_root_read_file (root, ROOT_LOG_DIR "/agent.log");

      harness_fail ("What was logged while frozen is lost:\n%s", after);
    }
  root_agent_stop_cleanly (agent);
}

int
main (int    argc,
      char **argv)
{
  fsfreeze_init (&argc, &argv);

  fsfreeze_add_func ("/fsfreeze/recovery/timeout-thaw", test_timeout_thaw);
  fsfreeze_add_func ("/fsfreeze/recovery/sigkill", test_sigkill_recovery);
  fsfreeze_add_func ("/fsfreeze/recovery/stale-marker", test_stale_marker);
  fsfreeze_add_data_func ("/fsfreeze/recovery/sigterm", GINT_TO_POINTER (SIGTERM), test_signal_thaws);
  fsfreeze_add_data_func ("/fsfreeze/recovery/sigint", GINT_TO_POINTER (SIGINT), test_signal_thaws);
  fsfreeze_add_func ("/fsfreeze/recovery/sigterm-during-hooks", test_sigterm_during_hooks);
  fsfreeze_add_func ("/fsfreeze/recovery/sigkill-during-hooks", test_sigkill_during_hooks);
  fsfreeze_add_func ("/fsfreeze/recovery/nothing-frozen", test_nothing_frozen);
  fsfreeze_add_func ("/fsfreeze/recovery/freeze-all", test_freeze_all);
  fsfreeze_add_func ("/fsfreeze/recovery/logs-held", test_logs_held);

  return fsfreeze_run ();
}
