/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transports other than unix-listen that a machine without a VM can
 * still offer: a pseudo-terminal stands in for the emulated UART of
 * isa-serial, and vsock loopback for the host of vsock-listen.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "agent-harness.h"

#ifndef VMADDR_CID_LOCAL
#define VMADDR_CID_LOCAL 1
#endif

/* The three exchanges every transport must carry unchanged, the 0xFF
 * byte of guest-sync-delimited included. */
static void
assert_protocol_works (Client *client)
{
  g_autoptr(GPtrArray) lines = NULL;

  client_send_str (client, PING);
  client_send_str (client, "{\"execute\":\"guest-ping\",\"id\":\"\xC3\xA9\"}");
  client_send_str (client, "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":5}}");
  lines = client_read_lines (client, 3);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, PING_REPLY);
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "{\"return\": {}, \"id\": \"\\u00E9\"}\n");
  g_assert_cmpstr (g_ptr_array_index (lines, 2), ==, "\xFF{\"return\": 5}\n");
}

/* On Linux the master reports the slave's termios. */
static gboolean
pty_is_raw (int master)
{
  struct termios tio;

  g_assert_cmpint (tcgetattr (master, &tio), ==, 0);
  return !(tio.c_lflag & (ICANON | ECHO)) && !(tio.c_oflag & OPOST);
}

static void
test_isa_serial (void)
{
  int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  char slave[64];
  g_autoptr(TestAgent) agent = NULL;
  g_autoptr(Client) host = NULL;
  gint64 deadline;

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  g_assert_cmpint (ptsname_r (master, slave, sizeof slave), ==, 0);
  host = client_new_for_fd (master);

  {
    const char * const args[] = { "-m", "isa-serial", "-p", slave, NULL };

    agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_CUSTOM_CHANNEL, args);
  }

  /* Until the agent made the line raw, the tty would echo our request
   * back and hold it for a newline: ready means raw. */
  deadline = g_get_monotonic_time () + HARNESS_REPLY_TIMEOUT_MS * 1000;
  while (!pty_is_raw (master))
    {
      if (!test_agent_is_running (agent) || g_get_monotonic_time () > deadline)
        {
          g_autofree char *log = test_agent_get_log (agent);

          harness_fail ("guestlinkd did not set %s to raw mode; its output:\n%s", slave, log);
        }
      g_usleep (5000);
    }

  assert_protocol_works (host);

  /* Stopped first: the master closing would look like a host hang-up. */
  test_agent_stop_cleanly (agent);
}

static void
try_load_vsock_loopback (void)
{
  g_autofree char *modprobe = harness_find_program ("modprobe");
  const char *argv[] = { modprobe, "vsock_loopback", NULL };

  /* Built in, already loaded, or not available at all: all fine here; the
   * probe below decides. */
  if (modprobe != NULL)
    harness_run_command (argv, HARNESS_AGENT_NONE, NULL, NULL);
}

/* vsock loopback is there when CID 1 can be bound. */
static gboolean
vsock_loopback_available (void)
{
  struct sockaddr_vm address = {
    .svm_family = AF_VSOCK,
    .svm_cid = VMADDR_CID_LOCAL,
    .svm_port = VMADDR_PORT_ANY,
  };
  int fd = socket (AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean available;

  if (fd < 0)
    return FALSE;
  available = bind (fd, (struct sockaddr *) &address, sizeof address) == 0;
  close (fd);
  return available;
}

static int
vsock_connect (unsigned int port)
{
  struct sockaddr_vm address = {
    .svm_family = AF_VSOCK,
    .svm_cid = VMADDR_CID_LOCAL,
    .svm_port = port,
  };
  int fd = socket (AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
test_vsock_listen (void)
{
  g_autoptr(TestAgent) agent = NULL;
  g_autoptr(Client) host = NULL;
  g_autofree char *address = NULL;
  unsigned int port;
  gint64 deadline;
  int fd = -1;

  try_load_vsock_loopback ();
  if (!vsock_loopback_available ())
    {
      g_test_skip ("vsock loopback (vsock_loopback module) not available");
      return;
    }

  /* A random port: another test run may hold a fixed one. */
  port = (unsigned int) g_random_int_range (20000, 60000);
  address = g_strdup_printf ("%u:%u", VMADDR_CID_LOCAL, port);
  {
    const char * const args[] = { "-m", "vsock-listen", "-p", address, NULL };

    agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_CUSTOM_CHANNEL, args);
  }

  /* No file to watch for: the agent is ready when a connection succeeds,
   * and that connection is the client. */
  deadline = g_get_monotonic_time () + HARNESS_REPLY_TIMEOUT_MS * 1000;
  while ((fd = vsock_connect (port)) < 0)
    {
      if (!test_agent_is_running (agent) || g_get_monotonic_time () > deadline)
        {
          g_autofree char *log = test_agent_get_log (agent);

          harness_fail ("cannot connect to guestlinkd on vsock %s; its output:\n%s", address, log);
        }
      g_usleep (10000);
    }
  host = client_new_for_fd (fd);

  assert_protocol_works (host);
  test_agent_stop_cleanly (agent);
}

int
main (int    argc,
      char **argv)
{
  harness_init (&argc, &argv);

  g_test_add_func ("/channels/isa-serial", test_isa_serial);
  g_test_add_func ("/channels/vsock-listen", test_vsock_listen);

  return harness_run ();
}
