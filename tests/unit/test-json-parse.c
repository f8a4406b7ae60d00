/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for transport/json-parse.c: the iterative parser that turns a
 * text the framer accepted into JsonNodes, with qemu's number rules
 * (integers that fit gint64 stay integers, all others become doubles) and
 * duplicate keys rejected.
 *
 * Results are checked through json_encode_to_string() (itself tested in
 * test-message.c) plus the exact value type, so "1" and "1.0" cannot be
 * confused.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "json-encode.h"
#include "json-parse.h"
#include "message.h"

static JsonNode *
parse (const char  *text,
       GError     **error)
{
  return json_parse_validated (text, strlen (text), error);
}

static JsonNode *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* ---- numbers ------------------------------------------------------------ */

typedef struct {
  const char *name;
  const char *text;
  GType type;
  const char *encoded;
} NumberCase;

static const NumberCase number_cases[] = {
  { "zero", "0", G_TYPE_INT64, "0" },
  { "negative-zero", "-0", G_TYPE_INT64, "0" },
  { "int", "123", G_TYPE_INT64, "123" },
  { "negative", "-42", G_TYPE_INT64, "-42" },
  { "int64-max", "9223372036854775807", G_TYPE_INT64, "9223372036854775807" },
  { "int64-min", "-9223372036854775808", G_TYPE_INT64, "-9223372036854775808" },
  /* json-glib would wrap these; qemu (and we) make them doubles. */
  { "int64-max-plus-one", "9223372036854775808", G_TYPE_DOUBLE, "9.2233720368547758e+18" },
  { "int64-min-minus-one", "-9223372036854775809", G_TYPE_DOUBLE, "-9.2233720368547758e+18" },
  { "uint64-max", "18446744073709551615", G_TYPE_DOUBLE, "1.8446744073709552e+19" },
  { "thirty-digits", "123456789012345678901234567890", G_TYPE_DOUBLE, "1.2345678901234568e+29" },
  /* A fraction or exponent makes a double even when the value is integral. */
  { "integral-double", "1.0", G_TYPE_DOUBLE, "1" },
  { "exponent", "1e2", G_TYPE_DOUBLE, "100" },
  { "exponent-upper-signed", "25E-1", G_TYPE_DOUBLE, "2.5" },
  { "fraction", "1.5e-3", G_TYPE_DOUBLE, "0.0015" },
  { "negative-zero-double", "-0.0", G_TYPE_DOUBLE, "-0" },
  { "underflow", "1e-400", G_TYPE_DOUBLE, "0" },
  { "largest-double", "1.7976931348623157e308", G_TYPE_DOUBLE, "1.7976931348623157e+308" },
};

static void
test_number (gconstpointer data)
{
  const NumberCase *test_case = data;
  g_autoptr(JsonNode) node = parse_ok (test_case->text);
  g_autofree char *encoded = json_encode_to_string (node);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpstr (g_type_name (json_node_get_value_type (node)), ==, g_type_name (test_case->type));
  g_assert_cmpstr (encoded, ==, test_case->encoded);
}

/* Infinity has no JSON spelling: an error, not a reply with "inf". */
static void
test_number_out_of_range (void)
{
  const char *texts[] = { "1e400", "-1e400", "[1,{\"a\":2e308}]", "1.8e308" };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = parse (texts[i], &error);

      g_assert_null (node);
      g_assert_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC);
      g_assert_cmpstr (error->message, ==, "JSON parse error, number out of range");
    }
}

/* ---- strings ------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *text;
  const char *decoded;
} StringCase;

static const StringCase string_cases[] = {
  { "empty", "\"\"", "" },
  { "plain", "\"guest-ping\"", "guest-ping" },
  { "escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t" },
  { "u-latin1", "\"\\u00e9\"", "\xc3\xa9" },
  { "u-upper-hex", "\"\\u00E9\\u20AC\"", "\xc3\xa9\xe2\x82\xac" },
  { "u-control", "\"\\u0001\\u001f\"", "\x01\x1f" },
  { "surrogate-pair", "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
  { "surrogate-pair-upper", "\"\\uD800\\uDC00\\uDBFF\\uDFFF\"", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf" },
  { "raw-utf8", "\"\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\"", "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80" },
  { "mixed", "\"a\\nb\xc3\xa9\\u00e9c\\\\\"", "a\nb\xc3\xa9\xc3\xa9" "c\\" },
  { "long-run", "\"0123456789012345678901234567890123456789\\t\"",
    "0123456789012345678901234567890123456789\t" },
};

static void
test_string (gconstpointer data)
{
  const StringCase *test_case = data;
  g_autoptr(JsonNode) node = parse_ok (test_case->text);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_node_get_string (node), ==, test_case->decoded);
}

/* ---- structure -------------------------------------------------------- */

static void
test_keywords (void)
{
  g_autoptr(JsonNode) t = parse_ok ("true");
  g_autoptr(JsonNode) f = parse_ok ("false");
  g_autoptr(JsonNode) n = parse_ok ("null");

  g_assert_cmpint (json_node_get_value_type (t), ==, G_TYPE_BOOLEAN);
  g_assert_true (json_node_get_boolean (t));
  g_assert_cmpint (json_node_get_value_type (f), ==, G_TYPE_BOOLEAN);
  g_assert_false (json_node_get_boolean (f));
  g_assert_true (JSON_NODE_HOLDS_NULL (n));
}

typedef struct {
  const char *name;
  const char *text;
  const char *encoded;
} TreeCase;

static const TreeCase tree_cases[] = {
  { "empty-object", "{}", "{}" },
  { "empty-array", "[]", "[]" },
  { "empty-with-space", "{ } ", "{}" },
  { "nested-empties", "[{},[],[[]],{\"a\":{}}]", "[{}, [], [[]], {\"a\": {}}]" },
  { "whitespace", " \t\r\n{ \"a\" :\n[ 1 , { } , [ ] ] ,\t\"b\" : null } \n",
    "{\"a\": [1, {}, []], \"b\": null}" },
  /* Members keep the sender's order (error messages name the first bad one). */
  { "member-order", "{\"z\":1,\"a\":2,\"m\":{\"y\":3,\"b\":4}}", "{\"z\": 1, \"a\": 2, \"m\": {\"y\": 3, \"b\": 4}}" },
  { "request", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":123},\"id\":[true,false,null,\"x\",-1.5]}",
    "{\"execute\": \"guest-sync\", \"arguments\": {\"id\": 123}, \"id\": [true, false, null, \"x\", -1.5]}" },
  { "closing-run", "[[[[1]]],2]", "[[[[1]]], 2]" },
  { "object-after-array", "{\"a\":[1,2],\"b\":[3]}", "{\"a\": [1, 2], \"b\": [3]}" },
  /* Keys are decoded like any string. */
  { "escaped-key", "{\"\\u0061\\n\":1}", "{\"a\\n\": 1}" },
};

static void
test_tree (gconstpointer data)
{
  const TreeCase *test_case = data;
  g_autoptr(JsonNode) node = parse_ok (test_case->text);
  g_autofree char *encoded = json_encode_to_string (node);

  g_assert_cmpstr (encoded, ==, test_case->encoded);
}

/* The framer's depth limit is 1024; the parser must take that without
 * recursing (it is iterative) and give back the same tree. */
static void
test_deep (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *encoded = NULL;

  for (guint i = 0; i < 1024; i++)
    {
      g_string_append (text, i % 2 == 0 ? "[" : "{\"k\":");
      g_string_append (expected, i % 2 == 0 ? "[" : "{\"k\": ");
    }
  g_string_append_c (text, '0');
  g_string_append_c (expected, '0');
  for (guint i = 1024; i > 0; i--)
    {
      g_string_append_c (text, (i - 1) % 2 == 0 ? ']' : '}');
      g_string_append_c (expected, (i - 1) % 2 == 0 ? ']' : '}');
    }

  node = json_parse_validated (text->str, text->len, NULL);
  g_assert_nonnull (node);
  encoded = json_encode_to_string (node);
  g_assert_cmpstr (encoded, ==, expected->str);
}

/* The length is authoritative: the text need not end at it. */
static void
test_length (void)
{
  const char *text = "[1,2]garbage";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_parse_validated (text, 5, &error);
  g_autofree char *encoded = NULL;

  g_assert_no_error (error);
  encoded = json_encode_to_string (node);
  g_assert_cmpstr (encoded, ==, "[1, 2]");
}

/* ---- errors ------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *text;
  const char *message;   /* NULL: any "JSON parse error, ..." */
} ErrorCase;

static const ErrorCase error_cases[] = {
  /* What the framer lets through and the parser must catch. */
  { "duplicate-key", "{\"a\":1,\"a\":1}", "JSON parse error, duplicate key" },
  { "duplicate-key-nested", "[{\"x\":{\"a\":1,\"b\":2,\"a\":3}}]", "JSON parse error, duplicate key" },
  { "duplicate-key-after-value", "{\"a\":[1,{}],\"b\":2,\"a\":{}}", "JSON parse error, duplicate key" },
  /* The same key spelled two ways is the same key. */
  { "duplicate-key-escaped", "{\"a\":1,\"\\u0061\":2}", "JSON parse error, duplicate key" },
  { "empty", "", "JSON parse error, expecting value" },
  { "whitespace-only", " \n\t", "JSON parse error, expecting value" },
  /* Malformed text never comes from the framer; json-parse.h promises an
   * error for it all the same (a last line of defence, not a crash or a
   * made-up value). */
  { "unclosed-array", "[1,2", NULL },
  { "unclosed-object", "{\"a\":1", NULL },
  { "missing-value", "{\"a\":", NULL },
  { "missing-colon", "{\"a\" 1}", NULL },
  { "missing-comma", "[1 2]", NULL },
  { "trailing-text", "{} {}", NULL },
  { "truncated-keyword", "tru", NULL },
  { "bad-keyword", "nul", NULL },
  { "bad-escape", "\"\\x\"", NULL },
  { "short-unicode-escape", "\"\\u12\"", NULL },
  { "unterminated-string", "\"abc", NULL },
  { "bare-minus", "[-]", NULL },
  { "leading-comma", "[,1]", NULL },
  { "trailing-comma", "[1,]", NULL },
  { "empty-member-value", "{\"a\":}", NULL },
  { "backslash-at-end", "\"abc\\", NULL },
};

static void
test_error (gconstpointer data)
{
  const ErrorCase *test_case = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = parse (test_case->text, &error);

  if (node != NULL)
    {
      g_autofree char *encoded = json_encode_to_string (node);
      g_test_fail_printf ("'%s' parsed as %s instead of failing", test_case->text, encoded);
      return;
    }
  g_assert_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC);
  if (test_case->message != NULL)
    g_assert_cmpstr (error->message, ==, test_case->message);
  else
    g_assert_true (g_str_has_prefix (error->message, "JSON parse error, "));
}

/* A NULL error pointer is allowed on failure too. */
static void
test_error_ignored (void)
{
  g_assert_null (json_parse_validated ("{\"a\":1,\"a\":2}", strlen ("{\"a\":1,\"a\":2}"), NULL));
  g_assert_null (json_parse_validated ("1e999", 5, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* A failed check fails its test case and the run goes on (meson passes
   * --keep-going), so one bug does not hide the results of the others. */
  g_test_set_nonfatal_assertions ();

  for (gsize i = 0; i < G_N_ELEMENTS (number_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json-parse/number/%s", number_cases[i].name);
      g_test_add_data_func (path, &number_cases[i], test_number);
    }
  g_test_add_func ("/json-parse/number-out-of-range", test_number_out_of_range);
  for (gsize i = 0; i < G_N_ELEMENTS (string_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json-parse/string/%s", string_cases[i].name);
      g_test_add_data_func (path, &string_cases[i], test_string);
    }
  g_test_add_func ("/json-parse/keywords", test_keywords);
  for (gsize i = 0; i < G_N_ELEMENTS (tree_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json-parse/tree/%s", tree_cases[i].name);
      g_test_add_data_func (path, &tree_cases[i], test_tree);
    }
  g_test_add_func ("/json-parse/deep", test_deep);
  g_test_add_func ("/json-parse/length", test_length);
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json-parse/error/%s", error_cases[i].name);
      g_test_add_data_func (path, &error_cases[i], test_error);
    }
  g_test_add_func ("/json-parse/error-ignored", test_error_ignored);

  return g_test_run ();
}
