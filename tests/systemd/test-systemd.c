/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlinkd under systemd's protocols, without systemd: a datagram socket
 * stands in for NOTIFY_SOCKET (as bolt's watchdog test does), and
 * systemd-socket-activate hands over a listening socket the way a .socket
 * unit would.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>

#include "fixture-dir.h"

typedef struct {
  char *dir;
  char *notify_path;
  int notify_fd;
  GSubprocess *agent;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("guestlink-systemd-XXXXXX", &error);
  g_assert_no_error (error);

  fixture->notify_path = g_build_filename (fixture->dir, "notify", NULL);
  g_assert_cmpuint (strlen (fixture->notify_path), <, sizeof address.sun_path);
  strcpy (address.sun_path, fixture->notify_path);
  fixture->notify_fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fixture->notify_fd, >=, 0);
  g_assert_cmpint (bind (fixture->notify_fd, (struct sockaddr *) &address, sizeof address), ==, 0);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->agent != NULL)
    {
      g_subprocess_force_exit (fixture->agent);
      g_subprocess_wait (fixture->agent, NULL, NULL);
      g_clear_object (&fixture->agent);
    }
  close (fixture->notify_fd);
  g_free (fixture->notify_path);
  /* The agents' state directories are in there too. */
  fixture_dir_remove (fixture->dir);
  g_free (fixture->dir);
}

/* Returns the next notification, or NULL after @timeout_ms. */
static char *
receive_notification (Fixture *fixture,
                      int      timeout_ms)
{
  char buffer[4096];
  GPollFD pfd = { .fd = fixture->notify_fd, .events = G_IO_IN };
  gssize n;

  if (g_poll (&pfd, 1, timeout_ms) <= 0)
    return NULL;

  n = recv (fixture->notify_fd, buffer, sizeof buffer - 1, 0);
  g_assert_cmpint (n, >, 0);
  buffer[n] = '\0';
  return g_strdup (buffer);
}

static const char *
agent_path (void)
{
  const char *path = g_getenv ("GUESTLINKD");

  g_assert_nonnull (path);
  return path;
}

static GSubprocess *
spawn (Fixture            *fixture,
       const char * const *environment,
       const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  for (const char * const *variable = environment; *variable != NULL; variable += 2)
    g_subprocess_launcher_setenv (launcher, variable[0], variable[1], TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LISTEN_FDS");
  g_subprocess_launcher_unsetenv (launcher, "LISTEN_PID");
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

static void
test_notify_and_watchdog (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *socket_path = g_build_filename (fixture->dir, "agent.sock", NULL);
  g_autofree char *state = g_build_filename (fixture->dir, "state", NULL);
  g_autofree char *pidfile = g_build_filename (fixture->dir, "pid", NULL);
  const char *environment[] = {
    "NOTIFY_SOCKET", fixture->notify_path,
    "WATCHDOG_USEC", "200000",
    NULL
  };
  const char *argv[] = {
    agent_path (), "-m", "unix-listen", "-p", socket_path, "-t", state, "-f", pidfile, NULL
  };
  g_autofree char *ready = NULL;
  g_autoptr(GError) error = NULL;
  guint watchdog_pings = 0;
  gint64 deadline;
  char *message;

  fixture->agent = spawn (fixture, environment, argv);

  /* The first ping comes as the watchdog starts, after READY. */
  ready = receive_notification (fixture, 5000);
  g_assert_nonnull (ready);
  g_assert_true (g_str_has_prefix (ready, "READY=1\nSTATUS=Serving on "));
  g_assert_nonnull (strstr (ready, socket_path));

  /* WatchdogSec=0.2 s: pings every 0.1 s. */
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline &&
         (message = receive_notification (fixture, 500)) != NULL)
    {
      g_assert_cmpstr (message, ==, "WATCHDOG=1");
      watchdog_pings++;
      g_free (message);
    }
  g_assert_cmpuint (watchdog_pings, >=, 5);

  g_subprocess_send_signal (fixture->agent, SIGTERM);
  while ((message = receive_notification (fixture, 5000)) != NULL &&
         g_str_equal (message, "WATCHDOG=1"))
    g_free (message);
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "STOPPING=1"));
  g_free (message);

  g_subprocess_wait_check (fixture->agent, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
}

static char *
ping_over (const char *socket_path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  const char request[] = "{\"execute\": \"guest-ping\", \"id\": \"activated\"}";
  char *line;

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);

  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  line = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_no_error (error);
  return line;
}

static void
test_socket_activation (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *socket_path = g_build_filename (fixture->dir, "activated.sock", NULL);
  g_autofree char *state = g_build_filename (fixture->dir, "state", NULL);
  g_autofree char *activator = g_find_program_in_path ("systemd-socket-activate");
  const char *environment[] = { NULL };

  if (activator == NULL)
    {
      g_test_skip ("systemd-socket-activate (package systemd) is not installed");
      return;
    }

  {
    /* -m virtio-serial on purpose: an activated socket decides the method. */
    const char *argv[] = {
      activator, "-l", socket_path, "--", agent_path (),
      "-m", "virtio-serial", "-t", state, "-f", "", NULL
    };
    for (int i = 0; i < 50 && !g_file_test (socket_path, G_FILE_TEST_EXISTS); i++)
      {
        if (fixture->agent == NULL)
          fixture->agent = spawn (fixture, environment, argv);
        g_usleep (G_USEC_PER_SEC / 10);
      }
  }
  g_assert_true (g_file_test (socket_path, G_FILE_TEST_EXISTS));

  /* The first connection starts the agent; the second proves it kept
   * listening on the socket it was given. */
  for (int round = 0; round < 2; round++)
    {
      g_autofree char *reply = ping_over (socket_path);
      g_assert_cmpstr (reply, ==, "{\"return\": {}, \"id\": \"activated\"}");
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/systemd/notify-and-watchdog", Fixture, NULL,
              fixture_setup, test_notify_and_watchdog, fixture_teardown);
  g_test_add ("/systemd/socket-activation", Fixture, NULL,
              fixture_setup, test_socket_activation, fixture_teardown);

  return g_test_run ();
}
