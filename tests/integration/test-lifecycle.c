/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting and stopping: the pid file lock that keeps a second agent off
 * the port, and a clean exit on SIGTERM that leaves nothing behind.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent-harness.h"

static void
assert_ping (const char *socket_path)
{
  g_autofree char *reply = harness_exchange (socket_path, PING);

  g_assert_cmpstr (reply, ==, PING_REPLY);
}

static char *
read_pidfile (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&contents);
}

static char *
pid_line (pid_t pid)
{
  return g_strdup_printf ("%d\n", (int) pid);
}

static void
assert_stops_cleanly (int signum)
{
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  g_autofree char *socket_path = g_strdup (test_agent_get_socket_path (agent));
  g_autofree char *pidfile = g_strdup (test_agent_get_pidfile (agent));
  g_autofree char *expected_pid = pid_line (test_agent_get_pid (agent));
  g_autofree char *written_pid = read_pidfile (pidfile);
  g_autoptr(Client) client = NULL;
  g_autoptr(Client) queued = NULL;
  g_autofree char *described = NULL;

  g_assert_cmpstr (written_pid, ==, expected_pid);
  assert_ping (socket_path);

  /* Stopped while serving a client with half a request pending, and with
   * another one waiting its turn. */
  client = client_connect (socket_path);
  client_send_str (client, "{\"execute\":\"guest-");
  queued = client_connect (socket_path);
  client_send_str (queued, PING);

  described = harness_describe_status (test_agent_stop_with (agent, signum));
  g_assert_cmpstr (described, ==, "exit status 0");
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  /* Both learn it by end of stream (or reset), not by a hang. */
  g_assert_true (client_wait_closed (client, HARNESS_REPLY_TIMEOUT_MS));
  g_assert_true (client_wait_closed (queued, HARNESS_REPLY_TIMEOUT_MS));
}

static void
test_sigterm (void)
{
  assert_stops_cleanly (SIGTERM);
}

static void
test_sigint (void)
{
  assert_stops_cleanly (SIGINT);
}

static void
test_pidfile_locked (void)
{
  g_autoptr(TestAgent) first = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  g_autofree char *dir = harness_make_dir ("second");
  g_autofree char *second_socket = g_build_filename (dir, "second.sock", NULL);
  g_autofree char *second_state = g_build_filename (dir, "state", NULL);
  const char *pidfile = test_agent_get_pidfile (first);
  const char * const argv[] = {
    harness_guestlinkd (), "-m", "unix-listen", "-p", second_socket,
    "-t", second_state, "-f", pidfile, NULL
  };
  g_autofree char *expected_message = g_strdup_printf ("%s is locked: is another agent running?",
                                                       pidfile);
  g_autofree char *errors = NULL;
  g_autofree char *expected_pid = pid_line (test_agent_get_pid (first));
  g_autofree char *pid_after = NULL;
  int status;

  status = harness_run_command (argv, HARNESS_AGENT_NONE, NULL, &errors);
  g_test_message ("second agent: %s", g_strchomp (errors));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), !=, 0);
  g_assert_nonnull (strstr (errors, expected_message));

  /* The refused agent touched nothing of the first one's. */
  g_assert_false (g_file_test (second_socket, G_FILE_TEST_EXISTS));
  pid_after = read_pidfile (pidfile);
  g_assert_cmpstr (pid_after, ==, expected_pid);
  g_assert_true (test_agent_is_running (first));
  assert_ping (test_agent_get_socket_path (first));

  test_agent_stop_cleanly (first);
}

/* Two agents must not share a state directory: the second would take
 * the first one's frozen marker for a dead agent's and thaw its freeze.
 * (No marker is made here: this runs in the machine's own namespace.) */
static void
test_statedir_locked (void)
{
  g_autoptr(TestAgent) first = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  g_autofree char *dir = harness_make_dir ("second-state");
  g_autofree char *second_socket = g_build_filename (dir, "second.sock", NULL);
  g_autofree char *second_pidfile = g_build_filename (dir, "second.pid", NULL);
  g_autofree char *statedir = g_build_filename (test_agent_get_dir (first), "state", NULL);
  const char * const argv[] = {
    harness_guestlinkd (), "-m", "unix-listen", "-p", second_socket,
    "-t", statedir, "-f", second_pidfile, NULL
  };
  g_autofree char *expected_message = g_strdup_printf ("Another guestlinkd uses the state "
                                                       "directory %s", statedir);
  g_autofree char *errors = NULL;
  int status;

  g_assert_true (g_file_test (statedir, G_FILE_TEST_IS_DIR));
  status = harness_run_command (argv, HARNESS_AGENT_NONE, NULL, &errors);
  g_test_message ("second agent: %s", g_strchomp (errors));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), !=, 0);
  g_assert_nonnull (strstr (errors, expected_message));
  g_assert_false (g_file_test (second_socket, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (second_pidfile, G_FILE_TEST_EXISTS));
  assert_ping (test_agent_get_socket_path (first));

  test_agent_stop_cleanly (first);
}

static void
test_stale_pidfile (void)
{
  g_autofree char *dir = harness_make_dir ("stale");
  g_autofree char *pidfile = g_build_filename (dir, "stale.pid", NULL);
  const char * const args[] = { "-f", pidfile, NULL };
  g_autoptr(TestAgent) agent = NULL;
  g_autofree char *expected_pid = NULL;
  g_autofree char *written_pid = NULL;

  /* Left by an agent that crashed: not locked, so it is taken over. A
   * longer stale content checks that the file is truncated. */
  g_assert_true (g_file_set_contents (pidfile, "99999999\ngarbage\n", -1, NULL));
  agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, args);
  expected_pid = pid_line (test_agent_get_pid (agent));
  written_pid = read_pidfile (pidfile);
  g_assert_cmpstr (written_pid, ==, expected_pid);
  assert_ping (test_agent_get_socket_path (agent));

  test_agent_stop_cleanly (agent);
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
}

static void
test_socket_mode (void)
{
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  struct stat st;

  /* Whoever can connect can freeze the guest's filesystems: root only,
   * whatever the umask. */
  g_assert_cmpint (lstat (test_agent_get_socket_path (agent), &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);

  test_agent_stop_cleanly (agent);
}

/* A socket file left behind (the agent was killed) is replaced; anything
 * else at the path is not the agent's to remove. */
static void
test_path_taken (void)
{
  g_autofree char *dir = harness_make_dir ("taken");
  g_autofree char *stale = g_build_filename (dir, "stale.sock", NULL);
  g_autofree char *regular = g_build_filename (dir, "regular.sock", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *pidfile = g_build_filename (dir, "agent.pid", NULL);
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  const char * const stale_args[] = { "-m", "unix-listen", "-p", stale, NULL };
  const char * const regular_argv[] = {
    harness_guestlinkd (), "-m", "unix-listen", "-p", regular, "-t", state, "-f", pidfile, NULL
  };
  g_autoptr(TestAgent) agent = NULL;
  g_autofree char *errors = NULL;
  g_autofree char *contents = NULL;
  int fd, status;

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (stale), <, sizeof address.sun_path);
  strcpy (address.sun_path, stale);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  close (fd);

  agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_CUSTOM_CHANNEL, stale_args);
  test_agent_wait_listening (agent, stale);
  assert_ping (stale);
  test_agent_stop_cleanly (agent);

  g_assert_true (g_file_set_contents (regular, "not a socket", -1, NULL));
  status = harness_run_command (regular_argv, HARNESS_AGENT_NONE, NULL, &errors);
  g_test_message ("agent on a regular file: %s", g_strchomp (errors));
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) != 0);
  g_assert_nonnull (strstr (errors, regular));
  g_assert_true (g_file_get_contents (regular, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "not a socket");
}

/*
 * Stopped the moment it listens, as "systemctl restart" or a host's
 * shutdown may do: an agent that is serving must handle SIGTERM, exit 0
 * and clean up, even in the moment after it starts listening. Polled
 * without a pause to hit that window; a few rounds make a miss unlikely.
 */
static void
test_sigterm_at_start (void)
{
  for (guint round = 0; round < 20; round++)
    {
      g_autofree char *dir = harness_make_dir ("early");
      g_autofree char *socket_path = g_build_filename (dir, "early.sock", NULL);
      const char * const args[] = { "-m", "unix-listen", "-p", socket_path, NULL };
      g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (),
                                                     HARNESS_AGENT_CUSTOM_CHANNEL, args);
      gint64 deadline = g_get_monotonic_time () + HARNESS_REPLY_TIMEOUT_MS * 1000;
      g_autofree char *described = NULL;

      while (!harness_unix_socket_is_listening (socket_path))
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);

      described = harness_describe_status (test_agent_stop (agent));
      g_test_message ("round %u: %s", round, described);
      g_assert_cmpstr (described, ==, "exit status 0");
      g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (test_agent_get_pidfile (agent), G_FILE_TEST_EXISTS));
    }
}

/* /proc/PID/status's State, or NULL once the process is gone. */
static char *
process_state (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *status = NULL;
  const char *state;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return NULL;
  state = strstr (status, "State:\t");
  return state != NULL ? g_strndup (state + 7, 1) : NULL;
}

/*
 * -d, as SysV init scripts written for qemu-ga use it: the agent goes to
 * the background, serves, and a SIGTERM to the pid in its pid file stops
 * it cleanly. (GLib delivers signals through a thread, which a fork does
 * not keep: the agent must fork before it sets up its signal handling.)
 */
static void
test_daemonize (void)
{
  g_autofree char *dir = harness_make_dir ("daemon");
  g_autofree char *socket_path = g_build_filename (dir, "daemon.sock", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *pidfile = g_build_filename (dir, "daemon.pid", NULL);
  const char * const argv[] = {
    harness_guestlinkd (), "-d", "-m", "unix-listen", "-p", socket_path,
    "-t", state, "-f", pidfile, NULL
  };
  g_autofree char *pid = NULL;
  gint64 deadline;
  int status;

  /* The foreground process exits at once; the daemon stays. */
  status = harness_run_command (argv, HARNESS_AGENT_NONE, NULL, NULL);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  deadline = g_get_monotonic_time () + HARNESS_REPLY_TIMEOUT_MS * 1000;
  while (!harness_unix_socket_is_listening (socket_path) ||
         !g_file_test (pidfile, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
  pid = g_strchomp (read_pidfile (pidfile));
  assert_ping (socket_path);

  g_assert_cmpint (kill (atoi (pid), SIGTERM), ==, 0);
  /* It is init's child now: gone, or a zombie waiting to be reaped. */
  for (;;)
    {
      g_autofree char *process = process_state (pid);

      if (process == NULL || g_str_equal (process, "Z"))
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline + 5 * G_USEC_PER_SEC);
      g_usleep (10 * 1000);
    }
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  harness_init (&argc, &argv);

  g_test_add_func ("/lifecycle/sigterm", test_sigterm);
  g_test_add_func ("/lifecycle/sigint", test_sigint);
  g_test_add_func ("/lifecycle/pidfile-locked", test_pidfile_locked);
  g_test_add_func ("/lifecycle/statedir-locked", test_statedir_locked);
  g_test_add_func ("/lifecycle/stale-pidfile", test_stale_pidfile);
  g_test_add_func ("/lifecycle/socket-mode", test_socket_mode);
  g_test_add_func ("/lifecycle/path-taken", test_path_taken);
  /* Last: it fails on a known guestlinkd bug, and a failure ends the run. */
  g_test_add_func ("/lifecycle/sigterm-at-start", test_sigterm_at_start);
  g_test_add_func ("/lifecycle/daemonize", test_daemonize);

  return harness_run ();
}
