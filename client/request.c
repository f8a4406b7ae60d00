/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "request.h"

struct _Request
{
  char *command_json;    /* (owned): @command as a JSON string literal */
  char *arguments_json;  /* (owned) (nullable) */
};

static char *
node_to_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

Request *
request_new (const char *command,
             JsonObject *arguments)
{
  Request *request = g_new0 (Request, 1);
  g_autoptr(JsonNode) command_node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (command_node, command);
  request->command_json = node_to_text (command_node);

  if (arguments != NULL)
    {
      g_autoptr(JsonNode) arguments_node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (arguments_node, arguments);
      request->arguments_json = node_to_text (arguments_node);
    }

  return request;
}

void
request_free (Request *request)
{
  if (request == NULL)
    return;

  g_free (request->command_json);
  g_free (request->arguments_json);
  g_free (request);
}

/* The trailing newline is not needed by the agent's parser, but it keeps
 * line-oriented tools (socat, logs, test fakes) readable. */
char *
request_encode (const Request *request,
                gint64         id)
{
  if (request->arguments_json != NULL)
    return g_strdup_printf ("{\"execute\": %s, \"arguments\": %s, \"id\": %" G_GINT64_FORMAT "}\n",
                            request->command_json, request->arguments_json, id);

  return g_strdup_printf ("{\"execute\": %s, \"id\": %" G_GINT64_FORMAT "}\n",
                          request->command_json, id);
}
