/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plain sockets and poll(), nothing from guestlink: whatever this costs, it
 * costs the same against every agent.
 */

#include "wire.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define READ_CHUNK (256 * 1024)

G_DEFINE_QUARK (agent-bench-wire-error-quark, wire_error)

void
wire_conn_free (WireConn *conn)
{
  if (conn == NULL)
    return;
  if (conn->fd >= 0)
    close (conn->fd);
  g_free (conn->buf);
  g_string_free (conn->line, TRUE);
  g_free (conn);
}

WireConn *
wire_conn_open (const char *path, GError **error)
{
  g_autoptr(WireConn) conn = g_new0 (WireConn, 1);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };

  conn->fd = -1;
  conn->buf = g_malloc (READ_CHUNK);
  conn->line = g_string_sized_new (WIRE_LINE_PREFIX_MAX);

  if (strlen (path) >= sizeof addr.sun_path)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_USAGE,
                   "socket path too long: %s", path);
      return NULL;
    }
  memcpy (addr.sun_path, path, strlen (path) + 1);

  /* Non-blocking so that no write can stall while the agent waits for us to
   * read its replies. */
  conn->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (conn->fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "socket: %s", g_strerror (errno));
      return NULL;
    }

  /* A unix-socket connect completes or fails at once; EAGAIN means the
   * listen backlog is full, which a single-client agent should never hit. */
  if (connect (conn->fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "connect %s: %s", path, g_strerror (errno));
      return NULL;
    }

  return g_steal_pointer (&conn);
}

/* Returns bytes read, 0 on EOF, -1 when nothing is there yet, -2 on error. */
static gssize
wire_conn_read (WireConn *conn)
{
  gssize n;

  if (conn->start == conn->end)
    conn->start = conn->end = 0;
  else if (conn->end == READ_CHUNK)
    {
      memmove (conn->buf, conn->buf + conn->start, conn->end - conn->start);
      conn->end -= conn->start;
      conn->start = 0;
    }

  do
    n = read (conn->fd, conn->buf + conn->end, READ_CHUNK - conn->end);
  while (n < 0 && errno == EINTR);

  if (n > 0)
    conn->end += (gsize) n;
  else if (n < 0)
    return (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : -2;
  return n;
}

/* Moves buffered bytes into the current line; TRUE once a "\n" ends it. */
static gboolean
wire_conn_take_line (WireConn *conn)
{
  const guint8 *p = conn->buf + conn->start;
  gsize avail = conn->end - conn->start;
  const guint8 *nl;
  gsize n;

  if (conn->line_done)
    {
      g_string_truncate (conn->line, 0);
      conn->line_len = 0;
      conn->line_done = FALSE;
    }

  nl = memchr (p, '\n', avail);
  n = nl != NULL ? (gsize) (nl - p) : avail;
  if (conn->line->len < WIRE_LINE_PREFIX_MAX)
    {
      gsize room = WIRE_LINE_PREFIX_MAX - conn->line->len;
      g_string_append_len (conn->line, (const char *) p,
                           (gssize) MIN (n, room));
    }
  conn->line_len += n;

  if (nl == NULL)
    {
      conn->start = conn->end = 0;
      return FALSE;
    }
  conn->start += n + 1;
  conn->line_done = TRUE;
  return TRUE;
}

/* Drops buffered bytes up to and including a 0xFF; TRUE if one was seen.
 * 0xFF never occurs in the agent's ASCII JSON, so it is an exact marker. */
static gboolean
wire_conn_skip_to_delimiter (WireConn *conn)
{
  const guint8 *p = conn->buf + conn->start;
  const guint8 *ff = memchr (p, 0xff, conn->end - conn->start);

  g_string_truncate (conn->line, 0);
  conn->line_len = 0;
  conn->line_done = FALSE;

  if (ff == NULL)
    {
      conn->start = conn->end = 0;
      return FALSE;
    }
  conn->start += (gsize) (ff - p) + 1;
  return TRUE;
}

/* Writes OUT while reading replies, until OUT is sent and at least
 * WANT_LINES lines arrived.  Interleaving both directions through one poll()
 * is what keeps a pipelined run from deadlocking: the agent blocks on its
 * full output buffer unless we read while we still write. */
WirePumpResult
wire_pump (WireConn *conn, const char *out, gsize out_len, guint want_lines,
           int idle_timeout_ms, WireLineFunc on_line, gpointer user_data,
           guint *lines_out, gsize *sent_out, GError **error)
{
  gsize sent = 0;
  guint lines = 0;
  WirePumpResult result;

  for (;;)
    {
      struct pollfd pfd = { .fd = conn->fd };
      int r;

      /* Optimistic write first: a request that fits the socket buffer then
       * costs one send() and no extra poll(). */
      while (sent < out_len)
        {
          gssize w = send (conn->fd, out + sent, out_len - sent,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
          if (w > 0)
            sent += (gsize) w;
          else if (w < 0 && errno == EINTR)
            continue;
          else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
          else if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
            {
              g_set_error (error, WIRE_ERROR, WIRE_ERROR_CLOSED,
                           "agent closed the connection after %" G_GSIZE_FORMAT
                           " bytes and %u replies", sent, lines);
              result = WIRE_PUMP_CLOSED;
              goto out;
            }
          else
            {
              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                           "send: %s", g_strerror (errno));
              result = WIRE_PUMP_FAILED;
              goto out;
            }
        }

      while (wire_conn_take_line (conn))
        {
          if (on_line != NULL)
            on_line (conn, lines, user_data);
          lines++;
        }

      if (lines >= want_lines && sent >= out_len)
        {
          result = WIRE_PUMP_DONE;
          goto out;
        }

      pfd.events = POLLIN | (sent < out_len ? POLLOUT : 0);
      r = poll (&pfd, 1, idle_timeout_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "poll: %s", g_strerror (errno));
          result = WIRE_PUMP_FAILED;
          goto out;
        }
      if (r == 0)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_TIMEOUT,
                       "no progress for %d ms (sent %" G_GSIZE_FORMAT
                       " of %" G_GSIZE_FORMAT " bytes, %u of %u replies)",
                       idle_timeout_ms, sent, out_len, lines, want_lines);
          result = WIRE_PUMP_TIMEOUT;
          goto out;
        }

      if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
        {
          gssize n = wire_conn_read (conn);
          if (n == 0)
            {
              g_set_error (error, WIRE_ERROR, WIRE_ERROR_CLOSED,
                           "agent closed the connection after %u replies",
                           lines);
              result = WIRE_PUMP_CLOSED;
              goto out;
            }
          if (n == -2)
            {
              if (errno == ECONNRESET)
                {
                  g_set_error (error, WIRE_ERROR, WIRE_ERROR_CLOSED,
                               "agent reset the connection after %u replies",
                               lines);
                  result = WIRE_PUMP_CLOSED;
                  goto out;
                }
              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                           "read: %s", g_strerror (errno));
              result = WIRE_PUMP_FAILED;
              goto out;
            }
        }
    }

out:
  if (lines_out != NULL)
    *lines_out = lines;
  if (sent_out != NULL)
    *sent_out = sent;
  return result;
}

/* Parses `{"return": N}` with any spacing; FALSE for anything else. */
gboolean
wire_parse_return_int (const char *line, guint64 *value)
{
  const char *p = line;
  char *end = NULL;

  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != '{')
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  if (!g_str_has_prefix (p, "\"return\""))
    return FALSE;
  p += strlen ("\"return\"");
  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != ':')
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  errno = 0;
  *value = g_ascii_strtoull (p, &end, 10);
  if (errno != 0)
    return FALSE;
  p = end;
  while (g_ascii_isspace (*p))
    p++;
  return *p == '}';
}

/* A success reply starts with the "return" member: we never send "id", so
 * nothing can precede it. */
gboolean
wire_is_return (const char *line)
{
  const char *p = line;

  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != '{')
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  return g_str_has_prefix (p, "\"return\"");
}

/* Writes a short request without reading anything, so that no reply is
 * consumed before the caller looks for it; a request this small never
 * fills the socket buffer, so not reading cannot deadlock. */
static gboolean
wire_send_all (WireConn *conn, const char *data, gsize len, int timeout_ms,
               GError **error)
{
  gsize sent = 0;

  while (sent < len)
    {
      struct pollfd pfd = { .fd = conn->fd, .events = POLLOUT };
      gssize w = send (conn->fd, data + sent, len - sent,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
      int r;

      if (w > 0)
        {
          sent += (gsize) w;
          continue;
        }
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_CLOSED, "send: %s",
                       g_strerror (errno));
          return FALSE;
        }
      r = poll (&pfd, 1, timeout_ms);
      if (r == 0)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_TIMEOUT,
                       "agent did not read %" G_GSIZE_FORMAT " bytes within "
                       "%d ms", len, timeout_ms);
          return FALSE;
        }
      if (r < 0 && errno != EINTR)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "poll: %s", g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

/* Sync as a management stack does: a 0xFF flushes whatever state the agent's
 * parser is in, and guest-sync-delimited puts a 0xFF before its reply so
 * everything older on the wire can be dropped without parsing it.  The agent
 * answers our own 0xFF with an error line; it comes before the delimiter and
 * goes with the rest. */
gboolean
wire_handshake (WireConn *conn, guint64 id, int timeout_ms, GError **error)
{
  g_autofree char *req = g_strdup_printf (
      "\xff{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":%"
      G_GUINT64_FORMAT "}}", id);
  gboolean seen_delimiter = FALSE;

  if (!wire_send_all (conn, req, strlen (req), timeout_ms, error))
    {
      g_prefix_error (error, "handshake: ");
      return FALSE;
    }

  for (;;)
    {
      struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
      gssize n;
      int r;

      if (!seen_delimiter)
        seen_delimiter = wire_conn_skip_to_delimiter (conn);
      while (seen_delimiter && wire_conn_take_line (conn))
        {
          guint64 value;
          if (wire_parse_return_int (conn->line->str, &value) && value == id)
            return TRUE;
        }

      r = poll (&pfd, 1, timeout_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_TIMEOUT,
                       "handshake: no reply to guest-sync-delimited within "
                       "%d ms", timeout_ms);
          return FALSE;
        }
      n = wire_conn_read (conn);
      if (n == 0 || n == -2)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_CLOSED,
                       "handshake: agent closed the connection");
          return FALSE;
        }
    }
}
