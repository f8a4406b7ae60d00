/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json-parse.h"
#include "message.h"

typedef struct {
  const char *p;
  const char *end;
  GError **error;
} Cursor;

static gboolean
fail (Cursor     *cursor,
      const char *detail)
{
  g_set_error (cursor->error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
               "JSON parse error, %s", detail);
  return FALSE;
}

static void
skip_whitespace (Cursor *cursor)
{
  while (cursor->p < cursor->end &&
         (*cursor->p == ' ' || *cursor->p == '\t' || *cursor->p == '\n' || *cursor->p == '\r'))
    cursor->p++;
}

static gboolean
expect (Cursor *cursor,
        char    c)
{
  skip_whitespace (cursor);
  if (cursor->p >= cursor->end || *cursor->p != c)
    return fail (cursor, "unexpected input");
  cursor->p++;
  return TRUE;
}

/* Reads "\\uXXXX" at @p (six bytes are there); -1 when it is not one. */
static gint64
read_unicode_escape (const char *p)
{
  gint64 value = 0;

  if (p[0] != '\\' || p[1] != 'u')
    return -1;
  for (int i = 2; i < 6; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return -1;
      value = value * 16 + g_ascii_xdigit_value (p[i]);
    }
  return value;
}

/* At the opening quote; returns the decoded string. */
static char *
parse_string (Cursor *cursor)
{
  GString *out;

  if (cursor->p >= cursor->end || *cursor->p != '"')
    {
      fail (cursor, "unexpected input");
      return NULL;
    }
  cursor->p++;

  out = g_string_new (NULL);
  while (cursor->p < cursor->end && *cursor->p != '"')
    {
      const char *run = cursor->p;
      gunichar c;

      /* Plain bytes, UTF-8 included (the framer validated it), in runs. */
      while (cursor->p < cursor->end && *cursor->p != '"' && *cursor->p != '\\')
        cursor->p++;
      g_string_append_len (out, run, cursor->p - run);
      if (cursor->p >= cursor->end || *cursor->p == '"')
        break;

      if (cursor->end - cursor->p < 2)
        goto malformed;
      switch (cursor->p[1])
        {
        case '"': c = '"'; break;
        case '\\': c = '\\'; break;
        case '/': c = '/'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'u':
          {
            gint64 unit = cursor->end - cursor->p >= 6 ? read_unicode_escape (cursor->p) : -1;
            gint64 low;

            if (unit <= 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
              goto malformed;
            if (unit >= 0xD800 && unit <= 0xDBFF)
              {
                low = cursor->end - cursor->p >= 12 ? read_unicode_escape (cursor->p + 6) : -1;
                if (low < 0xDC00 || low > 0xDFFF)
                  goto malformed;
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                cursor->p += 6;
              }
            c = (gunichar) unit;
            cursor->p += 4;
            break;
          }
        default:
          goto malformed;
        }
      cursor->p += 2;
      g_string_append_unichar (out, c);
    }

  if (cursor->p >= cursor->end)
    goto malformed;
  cursor->p++; /* the closing quote */
  return g_string_free (out, FALSE);

malformed:
  g_string_free (out, TRUE);
  fail (cursor, "unexpected input");
  return NULL;
}

static JsonNode *
parse_number (Cursor *cursor)
{
  const char *start = cursor->p;
  gboolean is_integer = TRUE;
  g_autofree char *text = NULL;
  char *end;

  /* The framer checked the grammar; the first byte is all we re-check. */
  if (cursor->p >= cursor->end || (*cursor->p != '-' && !g_ascii_isdigit (*cursor->p)))
    {
      fail (cursor, "unexpected input");
      return NULL;
    }

  while (cursor->p < cursor->end &&
         (g_ascii_isdigit (*cursor->p) || *cursor->p == '+' || *cursor->p == '-' ||
          *cursor->p == '.' || *cursor->p == 'e' || *cursor->p == 'E'))
    {
      if (*cursor->p == '.' || *cursor->p == 'e' || *cursor->p == 'E')
        is_integer = FALSE;
      cursor->p++;
    }
  text = g_strndup (start, cursor->p - start);

  if (is_integer)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (text, &end, 10);
      if (errno == 0 && *end == '\0')
        return json_node_init_int (json_node_alloc (), value);
      /* Outside gint64: a double, as in qemu. */
    }

  {
    double value = g_ascii_strtod (text, &end);

    if (*end != '\0')
      {
        fail (cursor, "unexpected input");
        return NULL;
      }
    if (!isfinite (value))
      {
        fail (cursor, "number out of range");
        return NULL;
      }
    return json_node_init_double (json_node_alloc (), value);
  }
}

static JsonNode *
parse_keyword (Cursor *cursor)
{
  static const struct { const char *word; gsize length; } keywords[] = {
    { "true", 4 }, { "false", 5 }, { "null", 4 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (keywords); i++)
    if ((gsize) (cursor->end - cursor->p) >= keywords[i].length &&
        memcmp (cursor->p, keywords[i].word, keywords[i].length) == 0)
      {
        cursor->p += keywords[i].length;
        if (i == 2)
          return json_node_init_null (json_node_alloc ());
        return json_node_init_boolean (json_node_alloc (), i == 0);
      }

  fail (cursor, "unexpected input");
  return NULL;
}

/* One open container: the node, and for objects the key of the member
 * being parsed. */
typedef struct {
  JsonNode *node;
  char *key;
} Frame;

static void
frame_clear (gpointer data)
{
  Frame *frame = data;

  g_clear_pointer (&frame->node, json_node_unref);
  g_clear_pointer (&frame->key, g_free);
}

/* Adds @value to the innermost container; FALSE on a duplicate key. */
static gboolean
add_to_frame (Cursor   *cursor,
              Frame    *frame,
              JsonNode *value)
{
  if (JSON_NODE_HOLDS_ARRAY (frame->node))
    {
      json_array_add_element (json_node_get_array (frame->node), value);
      return TRUE;
    }

  if (json_object_has_member (json_node_get_object (frame->node), frame->key))
    {
      json_node_unref (value);
      return fail (cursor, "duplicate key");
    }
  json_object_set_member (json_node_get_object (frame->node), frame->key, value);
  g_clear_pointer (&frame->key, g_free);
  return TRUE;
}

/* Reads an object key and its colon into @frame. */
static gboolean
read_key (Cursor *cursor,
          Frame  *frame)
{
  skip_whitespace (cursor);
  frame->key = parse_string (cursor);
  return frame->key != NULL && expect (cursor, ':');
}

JsonNode *
json_parse_validated (const char  *text,
                      gsize        length,
                      GError     **error)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  Cursor cursor = { text, text + length, error };
  JsonNode *root = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  g_array_set_clear_func (stack, frame_clear);

  for (;;)
    {
      JsonNode *value = NULL;

      /* A value starts here. */
      skip_whitespace (&cursor);
      if (cursor.p >= cursor.end)
        {
          fail (&cursor, "expecting value");
          return NULL;
        }

      switch (*cursor.p)
        {
        case '{':
        case '[':
          {
            gboolean is_object = *cursor.p == '{';
            Frame frame = { NULL, NULL };

            cursor.p++;
            frame.node = json_node_init (json_node_alloc (),
                                         is_object ? JSON_NODE_OBJECT : JSON_NODE_ARRAY);
            if (is_object)
              json_node_take_object (frame.node, json_object_new ());
            else
              json_node_take_array (frame.node, json_array_new ());
            g_array_append_val (stack, frame);
            skip_whitespace (&cursor);
            if (cursor.p < cursor.end && *cursor.p == (is_object ? '}' : ']'))
              {
                /* Empty: close it right away, as a finished value. */
                cursor.p++;
                value = json_node_ref (frame.node);
                g_array_set_size (stack, stack->len - 1);
                break;
              }
            if (is_object && !read_key (&cursor, &g_array_index (stack, Frame, stack->len - 1)))
              return NULL;
            continue;
          }
        case '"':
          {
            g_autofree char *string = parse_string (&cursor);
            if (string == NULL)
              return NULL;
            value = json_node_init_string (json_node_alloc (), string);
            break;
          }
        case 't': case 'f': case 'n':
          value = parse_keyword (&cursor);
          break;
        default:
          value = parse_number (&cursor);
          break;
        }

      if (value == NULL)
        return NULL;

      /* A value is complete: add it to its container, and close every
       * container that ends here. */
      for (;;)
        {
          Frame *top;

          if (stack->len == 0)
            {
              root = value;
              skip_whitespace (&cursor);
              if (cursor.p != cursor.end)
                {
                  json_node_unref (root);
                  fail (&cursor, "unexpected input");
                  return NULL;
                }
              return root;
            }

          top = &g_array_index (stack, Frame, stack->len - 1);
          if (!add_to_frame (&cursor, top, value))
            return NULL;

          skip_whitespace (&cursor);
          if (cursor.p < cursor.end && *cursor.p == ',')
            {
              cursor.p++;
              if (JSON_NODE_HOLDS_OBJECT (top->node) && !read_key (&cursor, top))
                return NULL;
              break;   /* the next member's value */
            }
          if (cursor.p < cursor.end &&
              *cursor.p == (JSON_NODE_HOLDS_OBJECT (top->node) ? '}' : ']'))
            {
              cursor.p++;
              value = json_node_ref (top->node);
              g_array_set_size (stack, stack->len - 1);
              continue; /* the closed container is itself a finished value */
            }

          fail (&cursor, "unexpected input");
          return NULL;
        }
    }
}
