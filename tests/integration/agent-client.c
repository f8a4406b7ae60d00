/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host's end of a connection to an agent: raw bytes out, reply lines
 * in, every wait bounded by a timeout.
 */
#include "config.h"

#include "agent-harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#define READ_CHUNK (64 * 1024)

struct _Client {
  int fd;
  GByteArray *buffer;
  gsize start;          /* bytes before this were handed out already */
  gboolean closed;      /* the agent closed the stream */
};

Client *
client_new_for_fd (int fd)
{
  Client *client = g_new0 (Client, 1);
  int flags = fcntl (fd, F_GETFL);

  /* Non-blocking, so that every wait has a timeout (see client_send). */
  g_assert_cmpint (flags, >=, 0);
  g_assert_cmpint (fcntl (fd, F_SETFL, flags | O_NONBLOCK), ==, 0);
  client->fd = fd;
  client->buffer = g_byte_array_new ();
  return client;
}

Client *
client_try_connect (const char  *socket_path,
                    GError     **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  g_assert_cmpuint (strlen (socket_path), <, sizeof address.sun_path);
  strcpy (address.sun_path, socket_path);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot connect to %s: %s", socket_path, g_strerror (saved_errno));
      close (fd);
      return NULL;
    }

  return client_new_for_fd (fd);
}

Client *
client_connect (const char *socket_path)
{
  g_autoptr(GError) error = NULL;
  Client *client = client_try_connect (socket_path, &error);

  g_assert_no_error (error);
  return client;
}

int
client_get_fd (Client *client)
{
  return client->fd;
}

void
client_send (Client     *client,
             const void *data,
             gsize       length)
{
  const guint8 *bytes = data;

  while (length > 0)
    {
      struct pollfd pfd = { .fd = client->fd, .events = POLLOUT };
      gssize n;
      int ready;

      /* An agent that stopped reading for good must fail the test, not
       * hang it until meson's timeout. */
      do
        ready = poll (&pfd, 1, HARNESS_PROCESS_TIMEOUT_MS);
      while (ready < 0 && errno == EINTR);
      if (ready == 0)
        harness_fail ("The agent read nothing for %d ms (%" G_GSIZE_FORMAT " bytes left to send)",
                      HARNESS_PROCESS_TIMEOUT_MS, length);

      n = write (client->fd, bytes, length);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        harness_fail ("Cannot send to the agent: %s", n < 0 ? g_strerror (errno) : "short write");
      bytes += n;
      length -= (gsize) n;
    }
}

void
client_send_str (Client     *client,
                 const char *text)
{
  client_send (client, text, strlen (text));
}

void
client_send_bytewise (Client     *client,
                      const char *text,
                      gulong      pause_us)
{
  for (const char *byte = text; *byte != '\0'; byte++)
    {
      client_send (client, byte, 1);
      g_usleep (pause_us);
    }
}

static guint
remaining_ms (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();

  return left > 0 ? (guint) ((left + 999) / 1000) : 0;
}

/* FALSE when nothing came before @deadline or the stream ended. */
static gboolean
receive_more (Client *client,
              gint64  deadline)
{
  struct pollfd pfd = { .fd = client->fd, .events = POLLIN };
  guint8 chunk[READ_CHUNK];
  gssize n;
  int ready;

  if (client->closed)
    return FALSE;

  do
    {
      do
        ready = poll (&pfd, 1, (int) remaining_ms (deadline));
      while (ready < 0 && errno == EINTR);
      g_assert_cmpint (ready, >=, 0);
      if (ready == 0)
        return FALSE;

      n = read (client->fd, chunk, sizeof chunk);
    }
  while (n < 0 && (errno == EINTR || errno == EAGAIN));

  /* A pty master reads EIO once the agent closed its side. */
  if (n <= 0)
    {
      client->closed = TRUE;
      return FALSE;
    }

  /* Compact now and then rather than shifting the buffer per line. */
  if (client->start > 0 && client->start >= client->buffer->len / 2)
    {
      g_byte_array_remove_range (client->buffer, 0, (guint) client->start);
      client->start = 0;
    }
  g_byte_array_append (client->buffer, chunk, (guint) n);
  return TRUE;
}

char *
client_read_line (Client *client,
                  guint   timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gsize scanned = 0;   /* bytes after client->start known to hold no '\n' */

  for (;;)
    {
      const guint8 *pending = client->buffer->data + client->start;
      gsize length = client->buffer->len - client->start;
      const guint8 *newline = NULL;

      if (scanned < length)
        newline = memchr (pending + scanned, '\n', length - scanned);

      if (newline != NULL)
        {
          gsize line_length = (gsize) (newline - pending) + 1;
          char *line = g_strndup ((const char *) pending, line_length);

          /* Replies are ASCII JSON: a NUL would be a bug, and would cut
           * the line short here. */
          g_assert_cmpuint (strlen (line), ==, line_length);
          client->start += line_length;
          return line;
        }

      scanned = length;
      if (!receive_more (client, deadline))
        return NULL;
    }
}

static char *
describe_lines (GPtrArray *lines)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (text, "  %s", (const char *) g_ptr_array_index (lines, i));
  return g_string_free (text, FALSE);
}

GPtrArray *
client_read_lines (Client *client,
                   guint   n)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  while (lines->len < n)
    {
      char *line = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);

      if (line == NULL)
        {
          g_autofree char *got = describe_lines (lines);

          harness_fail ("Expected %u reply lines, got %u%s:\n%s", n, lines->len,
                        client->closed ? " before the agent closed the stream" : "", got);
        }
      g_ptr_array_add (lines, line);
    }

  return lines;
}

GPtrArray *
client_read_lines_until (Client     *client,
                         const char *last)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      char *line = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);

      if (line == NULL)
        {
          g_autofree char *got = describe_lines (lines);

          harness_fail ("Expected a reply line %s, got only:\n%s", last, got);
        }
      g_ptr_array_add (lines, line);
      if (g_str_equal (line, last))
        return lines;
    }
}

GByteArray *
client_read_for (Client *client,
                 guint   silence_ms)
{
  GByteArray *received = g_byte_array_new ();

  while (receive_more (client, g_get_monotonic_time () + (gint64) silence_ms * 1000))
    ;

  g_byte_array_append (received, client->buffer->data + client->start,
                       (guint) (client->buffer->len - client->start));
  client->start = client->buffer->len;
  return received;
}

gboolean
client_wait_closed (Client *client,
                    guint   timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (receive_more (client, deadline))
    ;
  return client->closed;
}

void
client_free (Client *client)
{
  if (client == NULL)
    return;

  if (client->fd >= 0)
    close (client->fd);
  g_byte_array_unref (client->buffer);
  g_free (client);
}

char *
harness_exchange (const char *socket_path,
                  const char *request)
{
  g_autoptr(Client) client = client_connect (socket_path);
  char *line;

  client_send_str (client, request);
  line = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);
  if (line == NULL)
    harness_fail ("No reply to %s", request);
  return line;
}

char *
harness_ping_of_depth (guint depth)
{
  GString *request = g_string_new ("{\"execute\":\"guest-ping\",\"id\":");

  for (guint i = 1; i < depth; i++)
    g_string_append_c (request, '[');
  for (guint i = 1; i < depth; i++)
    g_string_append_c (request, ']');
  g_string_append_c (request, '}');
  return g_string_free (request, FALSE);
}

static char *
reply_error_member (const char *line,
                    const char *member)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *error;

  if (!json_parser_load_from_data (parser, line, -1, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  error = json_object_get_object_member (json_node_get_object (root), "error");
  if (error == NULL || !json_object_has_member (error, member))
    return NULL;

  return g_strdup (json_object_get_string_member (error, member));
}

char *
harness_reply_error_class (const char *line)
{
  return reply_error_member (line, "class");
}

char *
harness_reply_error_desc (const char *line)
{
  return reply_error_member (line, "desc");
}

static JsonNode *
parse_reply (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (line == NULL)
    harness_fail ("No reply");
  json_parser_load_from_data (parser, line, -1, &error);
  if (error != NULL)
    harness_fail ("Reply is not JSON (%s): %s", error->message, line);
  root = json_parser_steal_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    harness_fail ("Reply is not an object: %s", line);
  return root;
}

JsonNode *
harness_reply_get_return (const char *line)
{
  g_autoptr(JsonNode) root = parse_reply (line);
  JsonObject *object = json_node_get_object (root);

  if (!json_object_has_member (object, "return"))
    harness_fail ("Expected a return value, got: %s", line);
  return json_node_copy (json_object_get_member (object, "return"));
}

gint64
harness_reply_get_int (const char *line)
{
  g_autoptr(JsonNode) value = harness_reply_get_return (line);

  if (json_node_get_value_type (value) != G_TYPE_INT64)
    harness_fail ("Expected an integer, got: %s", line);
  return json_node_get_int (value);
}

char *
harness_reply_get_string (const char *line)
{
  g_autoptr(JsonNode) value = harness_reply_get_return (line);

  if (json_node_get_value_type (value) != G_TYPE_STRING)
    harness_fail ("Expected a string, got: %s", line);
  return json_node_dup_string (value);
}

void
harness_reply_assert_error (const char *line,
                            const char *error_class,
                            const char *error_desc)
{
  g_autofree char *got_class = harness_reply_error_class (line);
  g_autofree char *got_desc = harness_reply_error_desc (line);

  if (got_class == NULL || !g_str_equal (got_class, error_class) ||
      got_desc == NULL || !g_str_equal (got_desc, error_desc))
    harness_fail ("Expected the error %s \"%s\", got: %s", error_class, error_desc, line);
}
