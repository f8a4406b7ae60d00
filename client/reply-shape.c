/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "reply-shape.h"

const ReplyShape reply_shape_string = { REPLY_SHAPE_STRING, NULL, NULL };
const ReplyShape reply_shape_int = { REPLY_SHAPE_INT, NULL, NULL };
const ReplyShape reply_shape_size = { REPLY_SHAPE_SIZE, NULL, NULL };
const ReplyShape reply_shape_boolean = { REPLY_SHAPE_BOOLEAN, NULL, NULL };

static const char *
kind_description (ReplyShapeKind kind)
{
  switch (kind)
    {
    case REPLY_SHAPE_STRING:
      return "a string";
    case REPLY_SHAPE_INT:
      return "an integer";
    case REPLY_SHAPE_SIZE:
      return "a non-negative integer";
    case REPLY_SHAPE_BOOLEAN:
      return "a boolean";
    case REPLY_SHAPE_OBJECT:
      return "an object";
    case REPLY_SHAPE_ARRAY:
      return "an array";
    }

  g_assert_not_reached ();
}

static gboolean
holds_value (JsonNode *node,
             GType     value_type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == value_type;
}

static gboolean
holds_kind (JsonNode       *node,
            ReplyShapeKind  kind)
{
  switch (kind)
    {
    case REPLY_SHAPE_STRING:
      return holds_value (node, G_TYPE_STRING);
    case REPLY_SHAPE_INT:
      return holds_value (node, G_TYPE_INT64);
    case REPLY_SHAPE_SIZE:
      return holds_value (node, G_TYPE_INT64) && json_node_get_int (node) >= 0;
    case REPLY_SHAPE_BOOLEAN:
      return holds_value (node, G_TYPE_BOOLEAN);
    case REPLY_SHAPE_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case REPLY_SHAPE_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node);
    }

  g_assert_not_reached ();
}

/* @path names @node for the detail: "" for the reply itself, then
 * ".member" and "[index]" appended on the way down. */
static gboolean
check (JsonNode          *node,
       const ReplyShape  *shape,
       GString           *path,
       char             **out_detail)
{
  gsize path_len = path->len;

  if (!holds_kind (node, shape->kind))
    {
      *out_detail = g_strdup_printf ("%s is not %s",
                                     path->len > 0 ? path->str : "the reply",
                                     kind_description (shape->kind));
      return FALSE;
    }

  if (shape->kind == REPLY_SHAPE_OBJECT && shape->failure_member != NULL &&
      json_object_has_member (json_node_get_object (node), shape->failure_member))
    return check (node, shape->failure_shape, path, out_detail);

  if (shape->kind == REPLY_SHAPE_OBJECT)
    {
      JsonObject *object = json_node_get_object (node);

      for (const ReplyShapeMember *member = shape->members; member->name != NULL; member++)
        {
          JsonNode *value = json_object_get_member (object, member->name);

          g_string_append_printf (path, "%s%s", path->len > 0 ? "." : "", member->name);
          if (value == NULL && !member->optional)
            {
              *out_detail = g_strdup_printf ("%s is missing", path->str);
              return FALSE;
            }
          if (value != NULL && !check (value, member->shape, path, out_detail))
            return FALSE;
          g_string_truncate (path, path_len);
        }
    }
  else if (shape->kind == REPLY_SHAPE_ARRAY)
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_string_append_printf (path, "[%u]", i);
          if (!check (json_array_get_element (array, i), shape->element, path, out_detail))
            return FALSE;
          g_string_truncate (path, path_len);
        }
    }

  return TRUE;
}

gboolean
reply_shape_check (JsonNode          *node,
                   const ReplyShape  *shape,
                   char             **out_detail)
{
  g_autoptr(GString) path = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (shape != NULL, FALSE);
  g_return_val_if_fail (out_detail != NULL && *out_detail == NULL, FALSE);

  return check (node, shape, path, out_detail);
}
