/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtio-serial and isa-serial ports.
 *
 * When the host side of a virtio-serial port is closed, read() returns EOF
 * and poll() reports POLLHUP without end, so a poll loop spins; qemu-ga
 * sleeps 100 ms and retries, ten wakeups a second in every idle guest. We
 * keep the port open and ask for SIGIO instead (O_ASYNC): the virtio
 * console driver signals when the host connects, so an idle agent never
 * wakes. SIGIO is read through a signalfd, never through a handler.
 *
 * A port that is unplugged is closed. We learn that it is back from kernel
 * uevents when we find it by name (its name arrives after its /dev node,
 * so watching /dev alone would miss it), or from inotify on the directory
 * of a configured path (udev's /dev/virtio-ports symlinks).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include <linux/netlink.h>

#include <gio/gio.h>

#include "channel-private.h"

#define VIRTIO_PORTS_SYSFS "/sys/class/virtio-ports"
#define ISA_SERIAL_DEFAULT_PATH "/dev/ttyS0"

typedef enum {
  PORT_HOST_CONNECTED,
  PORT_HOST_CLOSED,     /* the device is there, the host is not */
  PORT_GONE,            /* unplugged */
} PortState;

static void port_update (Channel *self);

static void
fail_with_errno (Channel    *self,
                 const char *what)
{
  int saved_errno = errno;

  channel_report_failure (self, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                             "%s for %s: %s", what, self->path,
                                             g_strerror (saved_errno)));
}

/* /sys/class/virtio-ports/vportNpM/name holds the name QEMU gave the port. */
static char *
find_virtio_port (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open (VIRTIO_PORTS_SYSFS, 0, NULL);
  const char *entry;

  if (dir == NULL)
    return NULL;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name_path = g_build_filename (VIRTIO_PORTS_SYSFS, entry, "name", NULL);
      g_autofree char *contents = NULL;

      if (!g_file_get_contents (name_path, &contents, NULL, NULL))
        continue;
      if (g_str_equal (g_strchomp (contents), name))
        return g_build_filename ("/dev", entry, NULL);
    }

  return NULL;
}

static gboolean
configure_serial_line (int      fd,
                       GError **error)
{
  struct termios tio;

  /* Raw bytes, no echo, no line discipline, no flow control; the speed is
   * qemu-ga's, for an emulated UART it only has to match the host's. */
  if (tcgetattr (fd, &tio) < 0)
    goto fail;
  cfmakeraw (&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  cfsetspeed (&tio, B38400);
  /* Whatever waits in the buffers predates us and is garbage now. */
  tcflush (fd, TCIOFLUSH);
  if (tcsetattr (fd, TCSANOW, &tio) < 0)
    goto fail;
  return TRUE;

fail:
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               "Cannot configure serial line: %s", g_strerror (errno));
  return FALSE;
}

static gboolean
open_device (Channel  *self,
             GError  **error)
{
  int fd;

  if (self->port_by_name)
    {
      g_autofree char *device = find_virtio_port (CHANNEL_VIRTIO_PORT_NAME);

      if (device == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "No virtio-serial port named %s (is the guest agent "
                       "channel configured for this VM?)", CHANNEL_VIRTIO_PORT_NAME);
          return FALSE;
        }
      g_free (self->path);
      self->path = g_steal_pointer (&device);
    }

  fd = open (self->path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot open %s: %s", self->path, g_strerror (saved_errno));
      return FALSE;
    }

  if (self->method == CHANNEL_METHOD_ISA_SERIAL && !configure_serial_line (fd, error))
    {
      close (fd);
      return FALSE;
    }

  self->port_fd = fd;
  g_debug ("Opened %s", self->path);
  return TRUE;
}

static void
close_device (Channel *self)
{
  fd_watch_stop (&self->sigio_watch);
  if (self->stream_fd == self->port_fd)
    channel_detach_stream (self, FALSE);
  if (self->port_fd >= 0)
    close (self->port_fd);
  self->port_fd = -1;
}

static PortState
port_state (Channel *self)
{
  struct pollfd pfd = { .fd = self->port_fd, .events = POLLIN };

  if (poll (&pfd, 1, 0) < 0 || (pfd.revents & (POLLERR | POLLNVAL)))
    return PORT_GONE;
  if (!(pfd.revents & POLLHUP))
    return PORT_HOST_CONNECTED;

  /* virtio_console reports POLLHUP alone once the port is unplugged, and
   * POLLIN with it (reads return EOF) while only the host side is closed.
   * A serial line hangs up without going away. */
  if (self->method == CHANNEL_METHOD_VIRTIO_SERIAL && !(pfd.revents & POLLIN))
    return PORT_GONE;
  return PORT_HOST_CLOSED;
}

static gboolean
set_async (Channel  *self,
           gboolean  enabled)
{
  struct f_owner_ex owner = { .type = F_OWNER_TID, .pid = gettid () };
  int flags = fcntl (self->port_fd, F_GETFL);

  if (flags < 0)
    return FALSE;

  /* Directed at this thread, which blocks SIGIO and reads the signalfd:
   * no other thread can receive it and die of the default action. */
  if (enabled && fcntl (self->port_fd, F_SETOWN_EX, &owner) < 0)
    return FALSE;

  flags = enabled ? (flags | O_ASYNC) : (flags & ~O_ASYNC);
  return fcntl (self->port_fd, F_SETFL, flags) == 0;
}

static gboolean
on_sigio (Channel      *self,
          GIOCondition  condition)
{
  struct signalfd_siginfo info;

  while (read (self->sigio_fd, &info, sizeof info) == sizeof info)
    ;

  if (self->port_fd >= 0 && self->stream_fd < 0)
    port_update (self);
  return G_SOURCE_CONTINUE;
}

/* Waiting for the device to come back. */

static void
stop_watching_for_device (Channel *self)
{
  fd_watch_stop (&self->device_watch);
  if (self->device_watch_fd >= 0)
    close (self->device_watch_fd);
  self->device_watch_fd = -1;
  self->inotify_wd = -1;
  g_clear_pointer (&self->inotify_dir, g_free);
}

static char *
nearest_existing_directory (const char *path)
{
  g_autofree char *directory = g_path_get_dirname (path);

  while (!g_file_test (directory, G_FILE_TEST_IS_DIR))
    {
      char *parent = g_path_get_dirname (directory);
      g_free (directory);
      directory = parent;
    }

  return g_steal_pointer (&directory);
}

/* Watches the deepest directory of the path that exists: a missing
 * /dev/virtio-ports is created by udev together with the link. */
static gboolean
watch_path_directory (Channel *self)
{
  g_autofree char *directory = nearest_existing_directory (self->path);

  if (self->inotify_dir != NULL && g_str_equal (directory, self->inotify_dir))
    return TRUE;

  if (self->inotify_wd >= 0)
    inotify_rm_watch (self->device_watch_fd, self->inotify_wd);
  self->inotify_wd = inotify_add_watch (self->device_watch_fd, directory,
                                        IN_CREATE | IN_MOVED_TO | IN_ATTRIB);
  if (self->inotify_wd < 0)
    return FALSE;

  g_free (self->inotify_dir);
  self->inotify_dir = g_steal_pointer (&directory);
  return TRUE;
}

static gboolean
on_device_event (Channel      *self,
                 GIOCondition  condition)
{
  char buffer[8192] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  g_autoptr(GError) error = NULL;
  gboolean relevant = !self->port_by_name;
  gssize n;

  /* uevents are "action@devpath\0KEY=value\0..."; only virtio ports matter
   * (their name attribute arrives with a "change" uevent). */
  while ((n = read (self->device_watch_fd, buffer, sizeof buffer - 1)) > 0)
    if (self->port_by_name &&
        memmem (buffer, (gsize) n, "SUBSYSTEM=virtio-ports", strlen ("SUBSYSTEM=virtio-ports")) != NULL)
      relevant = TRUE;

  if (!relevant)
    return G_SOURCE_CONTINUE;

  if (!open_device (self, &error))
    {
      g_debug ("Still waiting: %s", error->message);
      /* A missing parent directory may have appeared: watch deeper. */
      if (!self->port_by_name && !watch_path_directory (self))
        fail_with_errno (self, "Cannot watch for the device");
      return G_SOURCE_CONTINUE;
    }

  /* The watch stays until the port proves alive: its node can outlive an
   * unplug for a moment. */
  port_update (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
open_device_watch (Channel *self)
{
  if (self->port_by_name)
    {
      struct sockaddr_nl address = { .nl_family = AF_NETLINK, .nl_groups = 1 };

      /* Group 1: the kernel's own uevents, no udev needed. */
      self->device_watch_fd = socket (AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                      NETLINK_KOBJECT_UEVENT);
      if (self->device_watch_fd < 0 ||
          bind (self->device_watch_fd, (struct sockaddr *) &address, sizeof address) < 0)
        return FALSE;
    }
  else
    {
      self->device_watch_fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
      if (self->device_watch_fd < 0 || !watch_path_directory (self))
        return FALSE;
    }

  fd_watch_start (&self->device_watch, self, self->device_watch_fd, G_IO_IN, on_device_event);
  return TRUE;
}

static void
port_wait_for_device (Channel *self)
{
  close_device (self);
  if (self->device_watch_fd >= 0)
    return;

  if (!open_device_watch (self))
    {
      fail_with_errno (self, "Cannot watch for the device");
      stop_watching_for_device (self);
      return;
    }

  /* It may have come back before the watch was in place. */
  if (open_device (self, NULL))
    {
      if (port_state (self) == PORT_GONE)
        close_device (self);
      else
        port_update (self);
    }
}

/* Connects the stream when the host is there, waits for SIGIO when only
 * the host is away, and for the device when it is gone. */
static void
port_update (Channel *self)
{
  PortState state;

  if (!set_async (self, TRUE))
    {
      if (errno == ENODEV || errno == EBADF)
        port_wait_for_device (self);
      else
        fail_with_errno (self, "Cannot ask for SIGIO");
      return;
    }

  /* Checked after O_ASYNC is on, so a host that connects in between is
   * either seen here or signalled. */
  state = port_state (self);
  if (state == PORT_GONE)
    {
      g_message ("%s went away; waiting for it to come back", self->path);
      port_wait_for_device (self);
      return;
    }

  if (self->device_watch_fd >= 0)
    {
      g_message ("%s is back", self->path);
      stop_watching_for_device (self);
    }

  if (state == PORT_HOST_CLOSED)
    {
      if (self->sigio_watch.source == NULL)
        {
          g_debug ("Host side of %s is closed; waiting for SIGIO", self->path);
          fd_watch_start (&self->sigio_watch, self, self->sigio_fd, G_IO_IN, on_sigio);
        }
      return;
    }

  /* Data now wakes us through poll(), not SIGIO. */
  fd_watch_stop (&self->sigio_watch);
  set_async (self, FALSE);
  g_debug ("Host connected to %s", self->path);
  channel_attach_stream (self, self->port_fd);
  self->callbacks.peer_connected (self->user_data);
}

gboolean
channel_port_open (Channel  *self,
                   gboolean  retry_path,
                   GError  **error)
{
  sigset_t mask;
  g_autoptr(GError) local_error = NULL;

  self->port_by_name = self->method == CHANNEL_METHOD_VIRTIO_SERIAL && self->path == NULL;
  if (self->method == CHANNEL_METHOD_ISA_SERIAL && self->path == NULL)
    self->path = g_strdup (ISA_SERIAL_DEFAULT_PATH);
  if (self->port_by_name)
    self->path = g_strdup ("the virtio-serial port " CHANNEL_VIRTIO_PORT_NAME);

  /* The daemon blocks SIGIO before it starts any thread; doing it again
   * here covers this thread in programs that did not. */
  sigemptyset (&mask);
  sigaddset (&mask, SIGIO);
  pthread_sigmask (SIG_BLOCK, &mask, NULL);
  self->sigio_fd = signalfd (-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (self->sigio_fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "signalfd: %s", g_strerror (saved_errno));
      return FALSE;
    }

  if (!open_device (self, &local_error))
    {
      if (!retry_path)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_message ("%s; waiting for it to appear", local_error->message);
      port_wait_for_device (self);
      return TRUE;
    }

  port_update (self);
  return TRUE;
}

void
channel_port_peer_gone (Channel  *self,
                        gboolean  device_failed)
{
  if (device_failed)
    {
      g_message ("%s failed; waiting for it to come back", self->path);
      port_wait_for_device (self);
      return;
    }

  port_update (self);
}

void
channel_port_close (Channel *self)
{
  close_device (self);
  stop_watching_for_device (self);
  if (self->sigio_fd >= 0)
    close (self->sigio_fd);
  self->sigio_fd = -1;
}
