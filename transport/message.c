/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "json-encode.h"
#include "json-parse.h"
#include "message.h"

G_DEFINE_QUARK (protocol-error-quark, protocol_error)

const char *
protocol_error_class_name (const GError *error)
{
  if (error->domain == PROTOCOL_ERROR && error->code == PROTOCOL_ERROR_COMMAND_NOT_FOUND)
    return "CommandNotFound";

  return "GenericError";
}

void
request_free (Request *request)
{
  if (request == NULL)
    return;

  g_free (request->command);
  g_clear_pointer (&request->arguments, json_object_unref);
  g_free (request);
}

gboolean
message_parse_request (const char  *text,
                       gsize        length,
                       Request    **out_request,
                       JsonNode   **out_id,
                       GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(Request) request = NULL;
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  const char *command = NULL;
  JsonObject *arguments = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_request != NULL && out_id != NULL, FALSE);

  *out_request = NULL;
  *out_id = NULL;

  root = json_parse_validated (text, length, error);
  if (root == NULL)
    return FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                           "QMP input must be a JSON object");
      return FALSE;
    }

  object = json_node_get_object (root);
  if (json_object_has_member (object, "id"))
    *out_id = json_node_copy (json_object_get_member (object, "id"));

  /* Members in the order the host wrote them, so the first offending one
   * is named. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (g_str_equal (name, "execute"))
        {
          if (!JSON_NODE_HOLDS_VALUE (member) ||
              json_node_get_value_type (member) != G_TYPE_STRING)
            {
              g_set_error_literal (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                                   "QMP input member 'execute' must be a string");
              return FALSE;
            }
          command = json_node_get_string (member);
        }
      else if (g_str_equal (name, "arguments"))
        {
          if (!JSON_NODE_HOLDS_OBJECT (member))
            {
              g_set_error_literal (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                                   "QMP input member 'arguments' must be an object");
              return FALSE;
            }
          arguments = json_node_get_object (member);
        }
      else if (!g_str_equal (name, "id"))
        {
          /* This includes "exec-oob": the guest agent has no out-of-band
           * execution, and qemu-ga rejects it the same way. */
          g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                       "QMP input member '%s' is unexpected", name);
          return FALSE;
        }
    }

  if (command == NULL)
    {
      g_set_error_literal (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                           "QMP input lacks member 'execute'");
      return FALSE;
    }

  request = g_new0 (Request, 1);
  request->command = g_strdup (command);
  request->arguments = arguments != NULL ? json_object_ref (arguments) : NULL;

  *out_request = g_steal_pointer (&request);
  return TRUE;
}

static GBytes *
finish_line (GString *line)
{
  g_string_append_c (line, '\n');
  return g_string_free_to_bytes (line);
}

GBytes *
message_encode_return (JsonNode *value,
                       JsonNode *id)
{
  GString *line = g_string_sized_new (64);

  g_string_append (line, "{\"return\": ");
  if (value != NULL)
    json_encode_append (line, value);
  else
    g_string_append (line, "{}");

  if (id != NULL)
    {
      g_string_append (line, ", \"id\": ");
      json_encode_append (line, id);
    }
  g_string_append_c (line, '}');

  return finish_line (line);
}

GBytes *
message_encode_error (const GError *error,
                      JsonNode     *id)
{
  GString *line = g_string_sized_new (128);

  g_return_val_if_fail (error != NULL, NULL);

  /* qemu-ga puts the id first in error replies and last in returns. */
  g_string_append_c (line, '{');
  if (id != NULL)
    {
      g_string_append (line, "\"id\": ");
      json_encode_append (line, id);
      g_string_append (line, ", ");
    }
  g_string_append (line, "\"error\": {\"class\": ");
  json_encode_append_string (line, protocol_error_class_name (error));
  g_string_append (line, ", \"desc\": ");
  json_encode_append_string (line, error->message);
  g_string_append (line, "}}");

  return finish_line (line);
}
