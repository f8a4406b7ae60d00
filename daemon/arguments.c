/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "arguments.h"
#include "message.h"

/* The names QAPI's input visitor uses in "expected: %s". */
static const char *
param_type_name (ParamType type)
{
  switch (type)
    {
    case PARAM_TYPE_INTEGER: return "integer";
    case PARAM_TYPE_NUMBER: return "number";
    case PARAM_TYPE_BOOLEAN: return "boolean";
    case PARAM_TYPE_STRING: return "string";
    case PARAM_TYPE_OBJECT: return "object";
    case PARAM_TYPE_STRING_ARRAY: return "array";
    case PARAM_TYPE_ANY: return "any";
    default: g_return_val_if_reached ("any");
    }
}

static gboolean
node_is_value_of (JsonNode *node,
                  GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
node_has_type (JsonNode  *node,
               ParamType  type)
{
  switch (type)
    {
    case PARAM_TYPE_INTEGER:
      return node_is_value_of (node, G_TYPE_INT64);
    case PARAM_TYPE_NUMBER:
      return node_is_value_of (node, G_TYPE_INT64) || node_is_value_of (node, G_TYPE_DOUBLE);
    case PARAM_TYPE_BOOLEAN:
      return node_is_value_of (node, G_TYPE_BOOLEAN);
    case PARAM_TYPE_STRING:
      return node_is_value_of (node, G_TYPE_STRING);
    case PARAM_TYPE_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case PARAM_TYPE_STRING_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node);
    case PARAM_TYPE_ANY:
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

static gboolean
set_type_error (GError     **error,
                const char  *name,
                const char  *expected)
{
  g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
               "Invalid parameter type for '%s', expected: %s", name, expected);
  return FALSE;
}

static gboolean
check_param (const CommandParam  *param,
             JsonObject          *arguments,
             GError             **error)
{
  JsonNode *node = arguments != NULL ? json_object_get_member (arguments, param->name) : NULL;

  if (node == NULL)
    {
      if (param->optional)
        return TRUE;
      g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                   "Parameter '%s' is missing", param->name);
      return FALSE;
    }

  if (!node_has_type (node, param->type))
    return set_type_error (error, param->name, param_type_name (param->type));

  if (param->type == PARAM_TYPE_STRING_ARRAY)
    {
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);

      for (guint i = 0; i < length; i++)
        if (!node_has_type (json_array_get_element (array, i), PARAM_TYPE_STRING))
          {
            g_autofree char *element = g_strdup_printf ("%s[%u]", param->name, i);
            return set_type_error (error, element, "string");
          }
    }

  return TRUE;
}

static gboolean
is_declared (const CommandSpec *spec,
             const char        *name)
{
  for (const CommandParam *param = spec->params; param != NULL && param->name != NULL; param++)
    if (g_str_equal (param->name, name))
      return TRUE;

  return FALSE;
}

gboolean
arguments_check (const CommandSpec  *spec,
                 JsonObject         *arguments,
                 GError            **error)
{
  JsonObjectIter iter;
  const char *name;

  g_return_val_if_fail (spec != NULL, FALSE);

  for (const CommandParam *param = spec->params; param != NULL && param->name != NULL; param++)
    if (!check_param (param, arguments, error))
      return FALSE;

  if (arguments == NULL)
    return TRUE;

  json_object_iter_init_ordered (&iter, arguments);
  while (json_object_iter_next_ordered (&iter, &name, NULL))
    if (!is_declared (spec, name))
      {
        g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                     "Parameter '%s' is unexpected", name);
        return FALSE;
      }

  return TRUE;
}
