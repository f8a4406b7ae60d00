/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "qmp.h"

struct _Qmp {
  GSocketConnection *connection;
  GDataInputStream *input;
  GPtrArray *events;          /* event names seen while waiting for replies */
};

void
qmp_free (Qmp *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->input);
  g_clear_object (&self->connection);
  g_ptr_array_unref (self->events);
  g_free (self);
}

/* The next message, or NULL at @deadline (monotonic). */
static JsonObject *
read_message (Qmp     *self,
              gint64   deadline,
              GError **error)
{
  GSocket *socket = g_socket_connection_get_socket (self->connection);
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  /* QMP is one JSON object per line. */
  g_socket_set_timeout (socket, MAX (1, (deadline - g_get_monotonic_time ()) / G_USEC_PER_SEC));
  line = g_data_input_stream_read_line (self->input, NULL, NULL, error);
  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "QMP connection closed");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, line, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Unexpected QMP message: %s", line);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

JsonNode *
qmp_query (Qmp         *self,
           const char  *command,
           GError     **error)
{
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  if (!g_output_stream_write_all (output, command, strlen (command), NULL, NULL, error) ||
      !g_output_stream_write_all (output, "\n", 1, NULL, NULL, error))
    return NULL;

  for (;;)
    {
      g_autoptr(JsonObject) message = read_message (self, deadline, error);

      if (message == NULL)
        return NULL;
      if (json_object_has_member (message, "return"))
        return json_node_copy (json_object_get_member (message, "return"));
      if (json_object_has_member (message, "error"))
        {
          JsonObject *details = json_object_get_object_member (message, "error");
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "QMP: %s",
                       json_object_get_string_member_with_default (details, "desc", "error"));
          return NULL;
        }
      if (json_object_has_member (message, "event"))
        g_ptr_array_add (self->events, g_strdup (json_object_get_string_member (message, "event")));
    }
}

gboolean
qmp_execute (Qmp         *self,
             const char  *command,
             GError     **error)
{
  g_autoptr(JsonNode) result = qmp_query (self, command, error);

  return result != NULL;
}

gboolean
qmp_wait_event (Qmp         *self,
                const char  *event,
                int          timeout_seconds,
                GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;

  for (guint i = 0; i < self->events->len; i++)
    if (g_str_equal (g_ptr_array_index (self->events, i), event))
      {
        g_ptr_array_remove_index (self->events, i);
        return TRUE;
      }

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(JsonObject) message = read_message (self, deadline, error);

      if (message == NULL)
        return FALSE;
      if (json_object_has_member (message, "event") &&
          g_str_equal (json_object_get_string_member (message, "event"), event))
        return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "No %s event within %d s",
               event, timeout_seconds);
  return FALSE;
}

Qmp *
qmp_connect (const char  *socket_path,
             GError     **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr(Qmp) self = g_new0 (Qmp, 1);
  g_autoptr(JsonObject) greeting = NULL;

  self->events = g_ptr_array_new_with_free_func (g_free);
  self->connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, error);
  if (self->connection == NULL)
    return NULL;
  self->input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)));

  greeting = read_message (self, g_get_monotonic_time () + 10 * G_USEC_PER_SEC, error);
  if (greeting == NULL || !qmp_execute (self, "{\"execute\": \"qmp_capabilities\"}", error))
    return NULL;

  return g_steal_pointer (&self);
}
