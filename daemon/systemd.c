/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <sys/socket.h>

#include <gio/gio.h>
#include <systemd/sd-daemon.h>

#include "systemd.h"

int
systemd_take_activated_socket (GError **error)
{
  int n = sd_listen_fds (TRUE);

  if (n < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-n),
                   "Socket activation: %s", g_strerror (-n));
      return -1;
    }
  if (n == 0)
    return -1;
  if (n > 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Socket activation passed %d sockets; guestlinkd serves one", n);
      return -1;
    }
  if (sd_is_socket (SD_LISTEN_FDS_START, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Socket activation passed something other than a "
                           "listening stream socket");
      return -1;
    }

  return SD_LISTEN_FDS_START;
}

void
systemd_notify_ready (const char *status)
{
  sd_notifyf (FALSE, "READY=1\nSTATUS=%s", status);
}

void
systemd_notify_stopping (void)
{
  sd_notify (FALSE, "STOPPING=1\nSTATUS=Stopping");
}

static gboolean
on_watchdog_timeout (gpointer user_data)
{
  sd_notify (FALSE, "WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

guint
systemd_watchdog_start (void)
{
  guint64 usec = 0;

  if (sd_watchdog_enabled (FALSE, &usec) <= 0 || usec == 0)
    return 0;

  /* Half the interval, as sd_watchdog_enabled(3) recommends. These are
   * the only timed wakeups an idle agent has, and only when asked. */
  sd_notify (FALSE, "WATCHDOG=1");
  return g_timeout_add (MAX (usec / 2000, 1), on_watchdog_timeout, NULL);
}
