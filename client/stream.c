/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "stream.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include <guestlink-1/guestlink.h>

/* The byte the agent writes before a guest-sync-delimited reply. */
#define DELIMITER ((guint8) 0xFF)

/* Replies carry at most what guest-file-read returns (48 MiB, base64
 * encoded) plus framing; anything longer means the stream is garbage and
 * buffering it would only exhaust memory. */
#define MAX_LINE_LENGTH (128u * 1024u * 1024u)

#define READ_CHUNK 65536

struct _Stream
{
  int fd;
  char *address;        /* (owned): names the socket in error messages */
  GByteArray *buffer;   /* (owned): bytes received, not yet consumed */
  gsize offset;         /* bytes at the start of @buffer already consumed */
};

gint64
stream_deadline_from_timeout (int timeout_msec)
{
  if (timeout_msec <= 0)
    return -1;

  return g_get_monotonic_time () + (gint64) timeout_msec * G_TIME_SPAN_MILLISECOND;
}

static void
set_timeout_error (GError    **error,
                   const char *address)
{
  g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_TIMEOUT,
               "timed out waiting for the agent at %s", address);
}

/* Waits until @fd reports @events. The cancellable's fd is polled along
 * with it so that a cancellation from another thread ends the wait at once. */
static gboolean
wait_for_fd (int            fd,
             short          events,
             const char    *address,
             gint64         deadline,
             GCancellable  *cancellable,
             GError       **error)
{
  struct pollfd fds[2] = { { .fd = fd, .events = events } };
  nfds_t n_fds = 1;
  gboolean have_cancel_fd = FALSE;
  gboolean ready = FALSE;

  GPollFD cancel_pollfd;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &cancel_pollfd))
    {
      have_cancel_fd = TRUE;
      fds[1].fd = cancel_pollfd.fd;
      fds[1].events = POLLIN;
      n_fds = 2;
    }

  while (!ready)
    {
      int timeout = -1;
      int n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;

      if (deadline >= 0)
        {
          gint64 remaining = deadline - g_get_monotonic_time ();

          if (remaining <= 0)
            {
              set_timeout_error (error, address);
              break;
            }
          /* Round up so the last wait does not spin with a zero timeout. */
          timeout = (int) MIN ((remaining + 999) / 1000, G_MAXINT);
        }

      n = poll (fds, n_fds, timeout);
      if (n < 0 && errno != EINTR)
        {
          int saved_errno = errno;

          g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED,
                       "lost the connection to %s: %s",
                       address, g_strerror (saved_errno));
          break;
        }

      /* POLLHUP and POLLERR count as ready: the following read or write
       * reports what happened. */
      if (n > 0 && fds[0].revents != 0)
        ready = TRUE;
    }

  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);

  return ready;
}

static Stream *
stream_new (int         fd,
            const char *address)
{
  Stream *stream = g_new0 (Stream, 1);

  stream->fd = fd;
  stream->address = g_strdup (address);
  stream->buffer = g_byte_array_new ();

  return stream;
}

void
stream_free (Stream *stream)
{
  if (stream == NULL)
    return;

  if (stream->fd >= 0)
    close (stream->fd);
  g_free (stream->address);
  g_byte_array_unref (stream->buffer);
  g_free (stream);
}

const char *
stream_get_address (Stream *stream)
{
  return stream->address;
}

static void
set_connect_error (GError    **error,
                   const char *address,
                   int         errsv)
{
  g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED,
               "cannot connect to %s: %s", address, g_strerror (errsv));
}

/* A non-blocking connect, so that a vsock peer that never accepts cannot
 * hold the caller past its deadline. */
static Stream *
connect_sockaddr (int                    family,
                  const struct sockaddr *addr,
                  socklen_t              addr_len,
                  const char            *address,
                  gint64                 deadline,
                  GCancellable          *cancellable,
                  GError               **error)
{
  g_autoptr(Stream) stream = NULL;
  int fd;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  fd = socket (family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    {
      set_connect_error (error, address, errno);
      return NULL;
    }
  stream = stream_new (fd, address);

  while (connect (fd, addr, addr_len) < 0)
    {
      int soerr = 0;
      socklen_t soerr_len = sizeof (soerr);

      if (errno == EINTR)
        continue;

      if (errno != EINPROGRESS)
        {
          set_connect_error (error, address, errno);
          return NULL;
        }

      if (!wait_for_fd (fd, POLLOUT, address, deadline, cancellable, error))
        return NULL;

      if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &soerr, &soerr_len) < 0)
        soerr = errno;
      if (soerr != 0)
        {
          set_connect_error (error, address, soerr);
          return NULL;
        }
      break;
    }

  return g_steal_pointer (&stream);
}

Stream *
stream_connect_unix (const char    *path,
                     gint64         deadline,
                     GCancellable  *cancellable,
                     GError       **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  gsize path_len = strlen (path);

  if (path_len == 0 || path_len >= sizeof (addr.sun_path))
    {
      set_connect_error (error, path, ENAMETOOLONG);
      return NULL;
    }
  memcpy (addr.sun_path, path, path_len);

  return connect_sockaddr (AF_UNIX, (const struct sockaddr *) &addr,
                           (socklen_t) (offsetof (struct sockaddr_un, sun_path) + path_len + 1),
                           path, deadline, cancellable, error);
}

Stream *
stream_connect_vsock (guint32        cid,
                      guint32        port,
                      const char    *address,
                      gint64         deadline,
                      GCancellable  *cancellable,
                      GError       **error)
{
  struct sockaddr_vm addr = {
    .svm_family = AF_VSOCK,
    .svm_cid = cid,
    .svm_port = port,
  };

  return connect_sockaddr (AF_VSOCK, (const struct sockaddr *) &addr,
                           sizeof (addr), address, deadline, cancellable,
                           error);
}

static void
set_lost_error (GError    **error,
                const char *address,
                int         errsv)
{
  g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED,
               "lost the connection to %s: %s", address, g_strerror (errsv));
}

gboolean
stream_write_all (Stream        *stream,
                  const char    *data,
                  gsize          length,
                  gint64         deadline,
                  GCancellable  *cancellable,
                  GError       **error)
{
  gsize written = 0;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  while (written < length)
    {
      /* MSG_NOSIGNAL: a peer that went away must be an error, not SIGPIPE
       * killing the application that uses the library. */
      ssize_t n = send (stream->fd, data + written, length - written, MSG_NOSIGNAL);

      if (n >= 0)
        {
          written += (gsize) n;
          continue;
        }

      if (errno == EINTR)
        continue;

      if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          if (!wait_for_fd (stream->fd, POLLOUT, stream->address, deadline,
                            cancellable, error))
            return FALSE;
          continue;
        }

      set_lost_error (error, stream->address, errno);
      return FALSE;
    }

  return TRUE;
}

/* Reads whatever is available, waiting for at least one byte. */
static gboolean
stream_fill (Stream        *stream,
             gint64         deadline,
             GCancellable  *cancellable,
             GError       **error)
{
  /* Drop consumed bytes before growing, so that a long session does not
   * keep every reply it ever read. */
  if (stream->offset > 0)
    {
      g_byte_array_remove_range (stream->buffer, 0, (guint) stream->offset);
      stream->offset = 0;
    }

  for (;;)
    {
      guint old_len = stream->buffer->len;
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      /* A peer that floods us with stale lines must not keep the call alive
       * past its deadline. */
      if (deadline >= 0 && g_get_monotonic_time () >= deadline)
        {
          set_timeout_error (error, stream->address);
          return FALSE;
        }

      g_byte_array_set_size (stream->buffer, old_len + READ_CHUNK);
      n = recv (stream->fd, stream->buffer->data + old_len, READ_CHUNK, 0);
      g_byte_array_set_size (stream->buffer, old_len + (guint) MAX (n, 0));

      if (n > 0)
        return TRUE;

      if (n == 0)
        {
          g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED,
                       "the agent at %s closed the connection", stream->address);
          return FALSE;
        }

      if (errno == EINTR)
        continue;

      if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          if (!wait_for_fd (stream->fd, POLLIN, stream->address, deadline,
                            cancellable, error))
            return FALSE;
          continue;
        }

      set_lost_error (error, stream->address, errno);
      return FALSE;
    }
}

/* The received bytes not consumed yet, or NULL if there are none: an
 * empty GByteArray may have no storage at all. */
static const guint8 *
pending_bytes (Stream *stream,
               gsize  *out_length)
{
  *out_length = stream->buffer->len - stream->offset;

  return *out_length > 0 ? stream->buffer->data + stream->offset : NULL;
}

gboolean
stream_skip_past_delimiter (Stream        *stream,
                            gint64         deadline,
                            GCancellable  *cancellable,
                            GError       **error)
{
  for (;;)
    {
      gsize available;
      const guint8 *start = pending_bytes (stream, &available);
      const guint8 *delimiter = start != NULL ? memchr (start, DELIMITER, available) : NULL;

      if (delimiter != NULL)
        {
          stream->offset += (gsize) (delimiter - start) + 1;
          return TRUE;
        }

      stream->offset = stream->buffer->len;
      if (!stream_fill (stream, deadline, cancellable, error))
        return FALSE;
    }
}

char *
stream_read_line (Stream        *stream,
                  gint64         deadline,
                  GCancellable  *cancellable,
                  GError       **error)
{
  gsize searched = 0;

  for (;;)
    {
      gsize available;
      const guint8 *start = pending_bytes (stream, &available);
      const guint8 *newline = NULL;

      if (start != NULL && available > searched)
        newline = memchr (start + searched, '\n', available - searched);

      if (newline != NULL)
        {
          const guint8 *line = start;
          gsize length = (gsize) (newline - start);
          const guint8 *delimiter;

          stream->offset += length + 1;

          /* A delimiter inside a line means the agent threw away what came
           * before it (a resync), so only the part after it is a reply. */
          while ((delimiter = memchr (line, DELIMITER, length)) != NULL)
            {
              length -= (gsize) (delimiter - line) + 1;
              line = delimiter + 1;
            }
          if (length > 0 && line[length - 1] == '\r')
            length--;

          return g_strndup ((const char *) line, length);
        }

      searched = available;
      if (available > MAX_LINE_LENGTH)
        {
          g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL,
                       "a reply from the agent at %s is longer than %u bytes",
                       stream->address, MAX_LINE_LENGTH);
          return NULL;
        }

      if (!stream_fill (stream, deadline, cancellable, error))
        return NULL;
    }
}
