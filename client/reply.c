/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "reply.h"

#include <string.h>

#include <guestlink-1/guestlink.h>

/* Member lookups that check the type first: json-glib's typed getters
 * complain (fatally, under G_DEBUG=fatal-warnings) when the agent sent
 * another type, and the agent is not trusted to send the right one. */
static gboolean
node_holds (JsonNode *node,
            GType     value_type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == value_type;
}

static const char *
object_get_string (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node_holds (node, G_TYPE_STRING) ? json_node_get_string (node) : NULL;
}

JsonObject *
reply_parse (const char  *line,
             const char  *address,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, line, -1, &local_error))
    {
      g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL,
                   "unparseable reply from the agent at %s: %s",
                   address, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL,
                   "a reply from the agent at %s is not a JSON object",
                   address);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

gboolean
reply_has_id (JsonObject *reply,
              gint64      id)
{
  JsonNode *node = json_object_get_member (reply, "id");

  return node_holds (node, G_TYPE_INT64) && json_node_get_int (node) == id;
}

gboolean
reply_returns_int (JsonObject *reply,
                   gint64      value)
{
  JsonNode *node = json_object_get_member (reply, "return");

  return node_holds (node, G_TYPE_INT64) && json_node_get_int (node) == value;
}

/* The agent's error classes, mapped into GUESTLINK_ERROR. qemu-ga reports a
 * disabled command with class CommandNotFound; only the description tells
 * it apart ("Command X has been disabled" in 7.2, with ": the command is
 * not allowed" appended in later versions). */
static GError *
agent_error_to_gerror (JsonObject *agent_error)
{
  const char *klass = object_get_string (agent_error, "class");
  const char *desc = object_get_string (agent_error, "desc");
  GuestlinkError code = GUESTLINK_ERROR_GENERIC;

  if (g_strcmp0 (klass, "CommandNotFound") == 0)
    {
      if (desc != NULL && strstr (desc, "has been disabled") != NULL)
        code = GUESTLINK_ERROR_COMMAND_DISABLED;
      else
        code = GUESTLINK_ERROR_COMMAND_NOT_FOUND;
    }

  if (desc != NULL)
    return g_error_new_literal (GUESTLINK_ERROR, code, desc);

  return g_error_new (GUESTLINK_ERROR, code,
                      "the agent reported an error of class %s",
                      klass != NULL ? klass : "(none)");
}

JsonNode *
reply_get_result (JsonObject  *reply,
                  const char  *address,
                  GError     **error)
{
  JsonNode *node;

  node = json_object_get_member (reply, "return");
  if (node != NULL)
    return json_node_copy (node);

  node = json_object_get_member (reply, "error");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_propagate_error (error, agent_error_to_gerror (json_node_get_object (node)));
      return NULL;
    }

  g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL,
               "a reply from the agent at %s has neither a return value nor an error",
               address);
  return NULL;
}
