/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "json-encode.h"

static void
append_escaped_unit (GString  *out,
                     gunichar  unit)
{
  g_string_append_printf (out, "\\u%04X", unit);
}

void
json_encode_append_string (GString    *out,
                           const char *text)
{
  const guchar *p = (const guchar *) text;

  g_string_append_c (out, '"');
  while (*p != '\0')
    {
      gunichar c;
      const char *next;

      if (*p < 0x80)
        {
          switch (*p)
            {
            case '"':  g_string_append (out, "\\\""); break;
            case '\\': g_string_append (out, "\\\\"); break;
            case '\b': g_string_append (out, "\\b"); break;
            case '\f': g_string_append (out, "\\f"); break;
            case '\n': g_string_append (out, "\\n"); break;
            case '\r': g_string_append (out, "\\r"); break;
            case '\t': g_string_append (out, "\\t"); break;
            default:
              if (*p < 0x20 || *p == 0x7F)
                append_escaped_unit (out, *p);
              else
                g_string_append_c (out, (char) *p);
            }
          p++;
          continue;
        }

      c = g_utf8_get_char_validated ((const char *) p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Command output comes from the guest (file names, utmp), not
           * always valid UTF-8; the reply must stay valid JSON. */
          append_escaped_unit (out, 0xFFFD);
          p++;
          continue;
        }

      if (c >= 0x10000)
        {
          gunichar v = c - 0x10000;
          append_escaped_unit (out, 0xD800 + (v >> 10));
          append_escaped_unit (out, 0xDC00 + (v & 0x3FF));
        }
      else
        {
          append_escaped_unit (out, c);
        }

      next = g_utf8_next_char (p);
      p = (const guchar *) next;
    }
  g_string_append_c (out, '"');
}

static void
append_double (GString *out,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* The framer and parser never produce these; a handler must not either,
   * and JSON has no spelling for them. */
  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.17g", value));
}

static void
append_value (GString  *out,
              JsonNode *node)
{
  GType type = json_node_get_value_type (node);

  if (type == G_TYPE_INT64)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    append_double (out, json_node_get_double (node));
  else if (type == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else if (type == G_TYPE_STRING)
    json_encode_append_string (out, json_node_get_string (node));
  else
    g_return_if_reached ();
}

static void
append_object (GString    *out,
               JsonObject *object)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!first)
        g_string_append (out, ", ");
      first = FALSE;
      json_encode_append_string (out, name);
      g_string_append (out, ": ");
      json_encode_append (out, member);
    }
  g_string_append_c (out, '}');
}

static void
append_array (GString   *out,
              JsonArray *array)
{
  guint length = json_array_get_length (array);

  g_string_append_c (out, '[');
  for (guint i = 0; i < length; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      json_encode_append (out, json_array_get_element (array, i));
    }
  g_string_append_c (out, ']');
}

void
json_encode_append (GString  *out,
                    JsonNode *node)
{
  g_return_if_fail (out != NULL);

  if (node == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      append_object (out, json_node_get_object (node));
      break;
    case JSON_NODE_ARRAY:
      append_array (out, json_node_get_array (node));
      break;
    case JSON_NODE_VALUE:
      append_value (out, node);
      break;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    default:
      g_return_if_reached ();
    }
}

char *
json_encode_to_string (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  json_encode_append (out, node);
  return g_string_free (out, FALSE);
}
