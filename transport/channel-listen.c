/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unix-listen and vsock-listen: one client at a time. Further clients wait
 * in the backlog until the current one leaves or hangs up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include <gio/gio.h>

#include "channel-private.h"

#define LISTEN_BACKLOG 4

static gboolean
parse_vsock_address (const char          *text,
                     struct sockaddr_vm  *address,
                     GError             **error)
{
  g_auto(GStrv) parts = NULL;
  gint64 cid;
  guint64 port;

  if (text == NULL)
    goto invalid;

  parts = g_strsplit (text, ":", -1);
  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_signed (parts[0], 10, -1, G_MAXUINT32, &cid, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT32, &port, NULL))
    goto invalid;

  memset (address, 0, sizeof *address);
  address->svm_family = AF_VSOCK;
  address->svm_cid = cid < 0 ? VMADDR_CID_ANY : (unsigned int) cid;
  address->svm_port = (unsigned int) port;
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Invalid vsock address '%s' (expected CID:PORT, CID -1 for any)",
               text != NULL ? text : "");
  return FALSE;
}

static int
bind_unix_socket (const char  *path,
                  GError     **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  struct stat st;
  gboolean bound = FALSE;
  int saved_errno;
  int fd;

  if (path == NULL || strlen (path) >= sizeof address.sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid unix socket path '%s'", path != NULL ? path : "");
      return -1;
    }
  strcpy (address.sun_path, path);

  /* A socket left by an earlier run would make bind() fail; anything that
   * is not a socket is not ours to remove. */
  if (lstat (path, &st) == 0 && S_ISSOCK (st.st_mode))
    unlink (path);

  /* Whoever can connect can freeze the guest: the mode set on the socket
   * before bind() is the mode the file is created with, so there is no
   * moment when it is open to others (a chmod after bind would also
   * follow a symlink swapped in meanwhile). */
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || fchmod (fd, 0600) < 0)
    goto fail;
  if (bind (fd, (struct sockaddr *) &address, sizeof address) < 0)
    goto fail;
  bound = TRUE;
  if (listen (fd, LISTEN_BACKLOG) < 0)
    goto fail;

  return fd;

fail:
  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "Cannot listen on %s: %s", path, g_strerror (saved_errno));
  if (bound)
    unlink (path);
  if (fd >= 0)
    close (fd);
  return -1;
}

static int
bind_vsock_socket (const char  *path,
                   GError     **error)
{
  struct sockaddr_vm address;
  int fd;

  if (!parse_vsock_address (path, &address, error))
    return -1;

  fd = socket (AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 ||
      bind (fd, (struct sockaddr *) &address, sizeof address) < 0 ||
      listen (fd, LISTEN_BACKLOG) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot listen on vsock %s: %s", path, g_strerror (saved_errno));
      if (fd >= 0)
        close (fd);
      return -1;
    }

  return fd;
}

/* A socket from systemd: whatever -m said, its family decides. */
static gboolean
adopt_activated_socket (Channel  *self,
                        int       fd,
                        GError  **error)
{
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  int flags;

  if (getsockname (fd, (struct sockaddr *) &address, &length) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Activation socket: %s", g_strerror (saved_errno));
      return FALSE;
    }

  if (address.ss_family == AF_UNIX)
    self->method = CHANNEL_METHOD_UNIX_LISTEN;
  else if (address.ss_family == AF_VSOCK)
    self->method = CHANNEL_METHOD_VSOCK_LISTEN;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "Activation socket has address family %d; only unix and "
                   "vsock stream sockets are supported", address.ss_family);
      return FALSE;
    }

  flags = fcntl (fd, F_GETFL);
  if (flags < 0 || fcntl (fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
      fcntl (fd, F_SETFD, FD_CLOEXEC) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Activation socket: %s", g_strerror (saved_errno));
      return FALSE;
    }

  if (self->path == NULL)
    self->path = g_strdup_printf ("socket activated fd %d", fd);
  return TRUE;
}

static gboolean
on_accept_retry (gpointer user_data)
{
  Channel *self = user_data;

  self->listen_retry_id = 0;
  if (self->stream_fd < 0)
    fd_watch_set_condition (&self->listen_watch, G_IO_IN);
  return G_SOURCE_REMOVE;
}

static gboolean
on_listen_ready (Channel      *self,
                 GIOCondition  condition)
{
  int fd;

  /* Busy: the newcomer waits in the backlog until the peer leaves, which
   * the stream's own watch sees (a client that dies hangs up). */
  if (self->stream_fd >= 0)
    {
      fd_watch_set_condition (&self->listen_watch, 0);
      return G_SOURCE_CONTINUE;
    }

  fd = accept4 (self->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0)
    {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
        {
          /* The connection stays queued and the socket readable: retry in
           * a second rather than spin. */
          g_warning ("Cannot accept a client on %s: %s", self->path, g_strerror (errno));
          fd_watch_set_condition (&self->listen_watch, 0);
          if (self->listen_retry_id == 0)
            self->listen_retry_id = g_timeout_add_seconds (1, on_accept_retry, self);
        }
      else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
        {
          g_warning ("Cannot accept a client on %s: %s", self->path, g_strerror (errno));
        }
      return G_SOURCE_CONTINUE;
    }

  g_debug ("Client connected on %s", self->path);
  channel_attach_stream (self, fd);
  self->callbacks.peer_connected (self->user_data);
  return G_SOURCE_CONTINUE;
}

gboolean
channel_listen_open (Channel  *self,
                     int       activated_fd,
                     GError  **error)
{
  if (activated_fd >= 0)
    {
      if (!adopt_activated_socket (self, activated_fd, error))
        return FALSE;
      self->listen_fd = activated_fd;
    }
  else if (self->method == CHANNEL_METHOD_UNIX_LISTEN)
    {
      self->listen_fd = bind_unix_socket (self->path, error);
      self->owns_socket_path = self->listen_fd >= 0;
    }
  else
    {
      self->listen_fd = bind_vsock_socket (self->path, error);
    }

  if (self->listen_fd < 0)
    return FALSE;

  fd_watch_start (&self->listen_watch, self, self->listen_fd, G_IO_IN, on_listen_ready);
  return TRUE;
}

void
channel_listen_peer_gone (Channel *self)
{
  g_debug ("Client left %s", self->path);
  fd_watch_set_condition (&self->listen_watch, G_IO_IN);
}

void
channel_listen_close (Channel *self)
{
  g_clear_handle_id (&self->listen_retry_id, g_source_remove);
  fd_watch_stop (&self->listen_watch);
  if (self->listen_fd >= 0)
    close (self->listen_fd);
  self->listen_fd = -1;

  if (self->owns_socket_path)
    unlink (self->path);
  self->owns_socket_path = FALSE;
}
