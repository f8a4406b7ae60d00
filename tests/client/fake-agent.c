/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fake-agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

struct _FakeAgent
{
  char *tmpdir;
  char *socket_path;
  int listen_fd;
  int stop_pipe[2];
  GThread *thread;
  FakeHandler handler;
  gpointer user_data;
  int byte_by_byte;       /* (atomic) */

  GMutex lock;            /* protects the counters */
  GHashTable *counts;     /* command name -> count */
  GHashTable *arguments;  /* command name -> its last request's arguments (JSON) */
  guint n_connections;
};

struct _FakeConn
{
  FakeAgent *fake;
  int fd;
  gboolean closed;
};

void
fake_conn_send (FakeConn   *conn,
                const char *data,
                gssize      length)
{
  gsize len = length < 0 ? strlen (data) : (gsize) length;
  gsize step = g_atomic_int_get (&conn->fake->byte_by_byte) ? 1 : len;

  /* Write errors are ignored: the client may already have given up. */
  for (gsize done = 0; done < len && !conn->closed;)
    {
      ssize_t n = send (conn->fd, data + done, MIN (step, len - done), MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return;
      done += (gsize) n;
      if (step == 1)
        g_usleep (200);
    }
}

void
fake_conn_sendf (FakeConn   *conn,
                 const char *format,
                 ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  fake_conn_send (conn, text, -1);
}

/* Sends @reply with each "@ID@" in it replaced by the request's id member
 * (`, "id": ID`, or nothing if the request had no id). */
void
fake_conn_send_reply (FakeConn   *conn,
                      const char *reply,
                      JsonObject *request)
{
  g_autofree char *id = fake_request_id_member (request);
  g_auto(GStrv) parts = g_strsplit (reply, "@ID@", -1);
  g_autofree char *text = g_strjoinv (id, parts);

  fake_conn_send (conn, text, -1);
}

void
fake_conn_close (FakeConn *conn)
{
  conn->closed = TRUE;
}

const char *
fake_request_get_command (JsonObject *request)
{
  JsonNode *node = json_object_get_member (request, "execute");

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

/* `, "id": ID` echoing the request's id, or "" if it has none. */
char *
fake_request_id_member (JsonObject *request)
{
  JsonNode *node = json_object_get_member (request, "id");
  g_autofree char *text = NULL;

  if (node == NULL)
    return g_strdup ("");

  text = json_to_string (node, FALSE);
  return g_strdup_printf (", \"id\": %s", text);
}

static gint64
argument_int (JsonObject *request,
              const char *name)
{
  JsonNode *node = json_object_get_member (request, "arguments");
  JsonObject *arguments;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  arguments = json_node_get_object (node);
  if (!json_object_has_member (arguments, name))
    return 0;

  return json_object_get_int_member (arguments, name);
}

void
fake_answer (FakeConn   *conn,
             JsonObject *request)
{
  const char *command = fake_request_get_command (request);
  g_autofree char *id = fake_request_id_member (request);

  if (g_str_equal (command, "guest-sync-delimited"))
    fake_conn_sendf (conn, "\xff{\"return\": %" G_GINT64_FORMAT "}\n",
                     argument_int (request, "id"));
  else if (g_str_equal (command, "guest-sync"))
    fake_conn_sendf (conn, "{\"return\": %" G_GINT64_FORMAT "%s}\n",
                     argument_int (request, "id"), id);
  else if (g_str_equal (command, "guest-ping"))
    fake_conn_sendf (conn, "{\"return\": {}%s}\n", id);
  else if (g_str_equal (command, "guest-info"))
    fake_conn_sendf (conn,
                     "{\"return\": {\"version\": \"0.0-fake\", \"supported_commands\": ["
                     "{\"enabled\": true, \"name\": \"guest-ping\", \"success-response\": true}, "
                     "{\"enabled\": false, \"name\": \"guest-shutdown\", \"success-response\": false}"
                     "]}%s}\n", id);
  else
    fake_conn_sendf (conn, "{\"error\": {\"class\": \"CommandNotFound\", "
                     "\"desc\": \"The command %s has not been found\"}%s}\n",
                     command, id);
}

void
fake_answer_scripted (FakeConn   *conn,
                      JsonObject *request,
                      gpointer    user_data)
{
  const FakeReply *replies = user_data;
  const char *command = fake_request_get_command (request);

  for (gsize i = 0; replies[i].command != NULL; i++)
    {
      if (g_str_equal (command, replies[i].command))
        {
          fake_conn_send_reply (conn, replies[i].reply, request);
          return;
        }
    }

  fake_answer (conn, request);
}

static void
record_request (FakeAgent  *fake,
                JsonObject *request)
{
  const char *command = fake_request_get_command (request);
  JsonNode *arguments = json_object_get_member (request, "arguments");
  guint count;

  g_mutex_lock (&fake->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (fake->counts, command));
  g_hash_table_insert (fake->counts, g_strdup (command), GUINT_TO_POINTER (count + 1));
  g_hash_table_insert (fake->arguments, g_strdup (command),
                       arguments != NULL ? json_to_string (arguments, FALSE) : NULL);
  g_mutex_unlock (&fake->lock);
}

static void
handle_line (FakeConn   *conn,
             const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *request;

  if (!json_parser_load_from_data (parser, line, -1, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  request = json_node_get_object (root);
  record_request (conn->fake, request);
  conn->fake->handler (conn, request, conn->fake->user_data);
}

/* Returns FALSE when the fake is stopping. */
static gboolean
serve (FakeAgent *fake,
       int        fd)
{
  FakeConn conn = { .fake = fake, .fd = fd };
  g_autoptr(GString) pending = g_string_new (NULL);

  while (!conn.closed)
    {
      struct pollfd fds[2] = {
        { .fd = fd, .events = POLLIN },
        { .fd = fake->stop_pipe[0], .events = POLLIN },
      };
      char buffer[4096];
      ssize_t n;

      if (poll (fds, 2, -1) < 0)
        continue;
      if (fds[1].revents != 0)
        return FALSE;

      n = recv (fd, buffer, sizeof (buffer), 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;

      for (ssize_t i = 0; i < n && !conn.closed; i++)
        {
          if ((guint8) buffer[i] == 0xFF)
            {
              /* What qemu-ga answers to the resync byte. */
              g_string_truncate (pending, 0);
              fake_conn_send (&conn, "{\"error\": {\"class\": \"GenericError\", "
                              "\"desc\": \"JSON parse error, stray '\\uFFFD'\"}}\n", -1);
            }
          else if (buffer[i] == '\n')
            {
              handle_line (&conn, pending->str);
              g_string_truncate (pending, 0);
            }
          else
            {
              g_string_append_c (pending, buffer[i]);
            }
        }
    }

  return TRUE;
}

static gpointer
fake_thread (gpointer user_data)
{
  FakeAgent *fake = user_data;
  gboolean running = TRUE;

  while (running)
    {
      struct pollfd fds[2] = {
        { .fd = fake->listen_fd, .events = POLLIN },
        { .fd = fake->stop_pipe[0], .events = POLLIN },
      };
      int fd;

      if (poll (fds, 2, -1) < 0)
        continue;
      if (fds[1].revents != 0)
        break;

      fd = accept4 (fake->listen_fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0)
        continue;

      g_mutex_lock (&fake->lock);
      fake->n_connections++;
      g_mutex_unlock (&fake->lock);

      running = serve (fake, fd);
      close (fd);
    }

  return NULL;
}

static void
default_handler (FakeConn   *conn,
                 JsonObject *request,
                 gpointer    user_data)
{
  fake_answer (conn, request);
}

FakeAgent *
fake_agent_new (FakeHandler handler,
                gpointer    user_data)
{
  g_autoptr(GError) error = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  FakeAgent *fake = g_new0 (FakeAgent, 1);

  fake->handler = handler != NULL ? handler : default_handler;
  fake->user_data = user_data;
  g_mutex_init (&fake->lock);
  fake->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fake->arguments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  fake->tmpdir = g_dir_make_tmp ("guestlink-fake-agent-XXXXXX", &error);
  g_assert_no_error (error);
  fake->socket_path = g_build_filename (fake->tmpdir, "agent.sock", NULL);
  g_assert_cmpuint (strlen (fake->socket_path), <, sizeof (addr.sun_path));
  strncpy (addr.sun_path, fake->socket_path, sizeof (addr.sun_path) - 1);

  fake->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fake->listen_fd, >=, 0);
  g_assert_cmpint (bind (fake->listen_fd, (struct sockaddr *) &addr, sizeof (addr)), ==, 0);
  g_assert_cmpint (listen (fake->listen_fd, 4), ==, 0);
  g_assert_cmpint (pipe2 (fake->stop_pipe, O_CLOEXEC), ==, 0);

  fake->thread = g_thread_new ("fake-agent", fake_thread, fake);

  return fake;
}

void
fake_agent_free (FakeAgent *fake)
{
  if (fake == NULL)
    return;

  g_assert_cmpint (write (fake->stop_pipe[1], "x", 1), ==, 1);
  g_thread_join (fake->thread);

  close (fake->listen_fd);
  close (fake->stop_pipe[0]);
  close (fake->stop_pipe[1]);
  g_unlink (fake->socket_path);
  g_rmdir (fake->tmpdir);

  g_hash_table_unref (fake->counts);
  g_hash_table_unref (fake->arguments);
  g_mutex_clear (&fake->lock);
  g_free (fake->socket_path);
  g_free (fake->tmpdir);
  g_free (fake);
}

const char *
fake_agent_get_socket_path (FakeAgent *fake)
{
  return fake->socket_path;
}

guint
fake_agent_count (FakeAgent  *fake,
                  const char *command)
{
  guint count;

  g_mutex_lock (&fake->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (fake->counts, command));
  g_mutex_unlock (&fake->lock);

  return count;
}

char *
fake_agent_dup_last_arguments (FakeAgent  *fake,
                               const char *command)
{
  char *arguments;

  g_mutex_lock (&fake->lock);
  arguments = g_strdup (g_hash_table_lookup (fake->arguments, command));
  g_mutex_unlock (&fake->lock);

  return arguments;
}

guint
fake_agent_get_n_connections (FakeAgent *fake)
{
  guint n;

  g_mutex_lock (&fake->lock);
  n = fake->n_connections;
  g_mutex_unlock (&fake->lock);

  return n;
}

void
fake_agent_set_byte_by_byte (FakeAgent *fake,
                             gboolean   byte_by_byte)
{
  g_atomic_int_set (&fake->byte_by_byte, byte_by_byte);
}
