/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for transport/message.c and transport/json-encode.c: requests
 * in, reply lines out, byte for byte as qemu-ga writes them. Clients (and
 * libvirt's tests) compare replies textually, so every expectation here is
 * an exact string.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "framer.h"
#include "json-encode.h"
#include "message.h"

/* ---- helpers ------------------------------------------------------------- */

typedef struct {
  char *text;
  guint n_messages;
} FramedText;

static void
on_framed (const char *text,
           gsize       length,
           gpointer    user_data)
{
  FramedText *framed = user_data;

  g_free (framed->text);
  framed->text = g_strndup (text, length);
  framed->n_messages++;
}

static void
on_framing_error (const GError *error,
                  gpointer      user_data)
{
  g_error ("unexpected framing error: %s", error->message);
}

/* Runs @input through the framer, as the agent does, so that the text is
 * the real one (single quotes rewritten). A trailing space ends a
 * top-level number. */
static char *
frame (const char *input)
{
  FramedText framed = { NULL, 0 };
  g_autoptr(Framer) framer = framer_new (1024 * 1024, on_framed, on_framing_error, &framed);

  framer_feed (framer, (const guint8 *) input, strlen (input));
  framer_feed (framer, (const guint8 *) " ", 1);
  g_assert_cmpuint (framed.n_messages, ==, 1);
  return framed.text;
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_assert_null (memchr (data, '\0', length));
  return g_strndup (data, length);
}

static char *
encode_node (JsonNode *node)
{
  return json_encode_to_string (node);
}

/* Parses @json (strict JSON, no framer rewriting) into a node. */
static JsonNode *
node_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* ---- parsing: errors ----------------------------------------------------- */

typedef struct {
  const char *name;
  const char *input;
  const char *message;
  const char *id;            /* the echoed id as encoded, or NULL for none */
} ParseErrorCase;

static const ParseErrorCase parse_error_cases[] = {
  { "number", "42", "QMP input must be a JSON object", NULL },
  { "string", "\"guest-ping\"", "QMP input must be a JSON object", NULL },
  { "array", "[{\"execute\":\"guest-ping\",\"id\":1}]", "QMP input must be a JSON object", NULL },
  { "null", "null", "QMP input must be a JSON object", NULL },
  { "true", "true", "QMP input must be a JSON object", NULL },
  /* The id is known by the time a member is rejected, and qemu-ga echoes it. */
  { "unexpected-member", "{\"execute\":\"guest-ping\",\"foo\":1,\"id\":5}",
    "QMP input member 'foo' is unexpected", "5" },
  { "unexpected-member-first", "{\"foo\":1,\"execute\":\"guest-ping\"}",
    "QMP input member 'foo' is unexpected", NULL },
  { "execute-number", "{\"id\":\"abc\",\"execute\":1}",
    "QMP input member 'execute' must be a string", "\"abc\"" },
  { "execute-null", "{\"execute\":null}", "QMP input member 'execute' must be a string", NULL },
  { "execute-object", "{\"execute\":{}}", "QMP input member 'execute' must be a string", NULL },
  { "arguments-array", "{\"execute\":\"x\",\"arguments\":[],\"id\":[1]}",
    "QMP input member 'arguments' must be an object", "[1]" },
  { "arguments-null", "{\"execute\":\"x\",\"arguments\":null}",
    "QMP input member 'arguments' must be an object", NULL },
  { "arguments-string", "{\"execute\":\"x\",\"arguments\":\"{}\"}",
    "QMP input member 'arguments' must be an object", NULL },
  { "lacks-execute", "{\"id\":1}", "QMP input lacks member 'execute'", "1" },
  { "lacks-execute-empty", "{}", "QMP input lacks member 'execute'", NULL },
  { "lacks-execute-arguments", "{\"arguments\":{}}", "QMP input lacks member 'execute'", NULL },
  /* The guest agent has no out-of-band execution. */
  { "exec-oob", "{\"exec-oob\":\"guest-ping\"}", "QMP input member 'exec-oob' is unexpected", NULL },
  { "exec-oob-with-execute", "{\"execute\":\"guest-ping\",\"exec-oob\":\"guest-ping\",\"id\":2}",
    "QMP input member 'exec-oob' is unexpected", "2" },
  /* qemu rejects duplicate keys (a later "execute" must not win silently). */
  { "duplicate-execute", "{\"execute\":\"guest-ping\",\"execute\":\"guest-shutdown\"}",
    "JSON parse error, duplicate key", NULL },
  { "duplicate-in-arguments", "{\"execute\":\"x\",\"arguments\":{\"a\":1,\"a\":2}}",
    "JSON parse error, duplicate key", NULL },
  { "duplicate-deep", "{\"execute\":\"x\",\"id\":[{\"a\":{\"b\":1,\"b\":1}}]}",
    "JSON parse error, duplicate key", NULL },
  /* Keys are compared decoded, as qemu does. */
  { "duplicate-escaped-key", "{\"execute\":\"x\",\"\\u0065xecute\":\"y\"}",
    "JSON parse error, duplicate key", NULL },
  { "duplicate-id", "{\"execute\":\"x\",\"id\":1,\"id\":2}", "JSON parse error, duplicate key", NULL },
  /* Too large for a double: no reply could spell infinity. */
  { "number-out-of-range", "{\"execute\":\"x\",\"arguments\":{\"n\":1e400}}",
    "JSON parse error, number out of range", NULL },
  { "negative-out-of-range", "{\"execute\":\"x\",\"id\":[-1e400]}",
    "JSON parse error, number out of range", NULL },
  { "huge-integer", "{\"execute\":\"x\",\"arguments\":{\"n\":"
    "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "}}", "JSON parse error, number out of range", NULL },
};

static void
test_parse_error (gconstpointer data)
{
  const ParseErrorCase *test_case = data;
  g_autoptr(Request) request = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = frame (test_case->input);
  gboolean ok;

  ok = message_parse_request (text, strlen (text), &request, &id, &error);

  g_assert_false (ok);
  g_assert_null (request);
  g_assert_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC);
  g_assert_cmpstr (error->message, ==, test_case->message);
  if (test_case->id == NULL)
    {
      g_assert_null (id);
    }
  else
    {
      g_autofree char *encoded = NULL;

      g_assert_nonnull (id);
      encoded = encode_node (id);
      g_assert_cmpstr (encoded, ==, test_case->id);
    }
}

/* ---- parsing: success ---------------------------------------------------- */

static void
test_parse_minimal (void)
{
  g_autoptr(Request) request = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = "{\"execute\":\"guest-ping\"}";

  g_assert_true (message_parse_request (text, strlen (text), &request, &id, &error));
  g_assert_no_error (error);
  g_assert_nonnull (request);
  g_assert_cmpstr (request->command, ==, "guest-ping");
  /* Absent arguments stay absent: no empty object is built for the many
   * requests without any (CommandCall makes one if a handler asks). */
  g_assert_null (request->arguments);
  g_assert_null (id);
}

/* Member names are matched decoded: an escaped "execute" is "execute". */
static void
test_parse_escaped_names (void)
{
  g_autoptr(Request) request = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = "{\"\\u0065xecute\":\"guest-\\u0070ing\",\"i\\u0064\":3}";
  g_autofree char *encoded_id = NULL;

  g_assert_true (message_parse_request (text, strlen (text), &request, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (request->command, ==, "guest-ping");
  encoded_id = json_encode_to_string (id);
  g_assert_cmpstr (encoded_id, ==, "3");
}

/* The length is authoritative: whatever follows it is not parsed. */
static void
test_parse_length (void)
{
  g_autoptr(Request) request = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = "{\"execute\":\"guest-ping\"}{\"execute\":\"guest-info\"}";

  g_assert_true (message_parse_request (text, strlen ("{\"execute\":\"guest-ping\"}"),
                                        &request, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (request->command, ==, "guest-ping");
}

static void
test_parse_full (void)
{
  g_autoptr(Request) request = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = frame ("{'arguments':{'z':1,'a':[true,null],'m':{'k':'v'}},"
                                 "'id':{'b':1,'a':2},'execute':'guest-x'}");
  g_autoptr(JsonNode) arguments = NULL;
  g_autofree char *encoded_arguments = NULL;
  g_autofree char *encoded_id = NULL;

  g_assert_true (message_parse_request (text, strlen (text), &request, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (request->command, ==, "guest-x");

  /* Arguments keep the sender's member order. */
  arguments = json_node_init_object (json_node_alloc (), request->arguments);
  encoded_arguments = encode_node (arguments);
  g_assert_cmpstr (encoded_arguments, ==, "{\"z\": 1, \"a\": [true, null], \"m\": {\"k\": \"v\"}}");

  g_assert_nonnull (id);
  encoded_id = encode_node (id);
  g_assert_cmpstr (encoded_id, ==, "{\"b\": 1, \"a\": 2}");
}

/* ---- ids ------------------------------------------------------------------ */

typedef struct {
  const char *name;
  const char *id;          /* as the host sends it */
  const char *encoded;     /* as qemu-ga echoes it */
} IdCase;

static const IdCase id_cases[] = {
  { "int", "1", "1" },
  { "negative", "-5", "-5" },
  { "zero", "0", "0" },
  { "int64-max", "9223372036854775807", "9223372036854775807" },
  { "int64-min", "-9223372036854775808", "-9223372036854775808" },
  { "uint64-max", "18446744073709551615", "1.8446744073709552e+19" },
  { "double", "1.5", "1.5" },
  { "double-tenth", "0.1", "0.10000000000000001" },
  { "double-exponent", "1e3", "1000" },
  { "double-negative-zero", "-0.0", "-0" },
  { "string", "\"abc\"", "\"abc\"" },
  { "string-escapes", "\"a\\\"b\\\\c\\/d\\u00e9\\ud83d\\ude00\\n\"", "\"a\\\"b\\\\c/d\\u00E9\\uD83D\\uDE00\\n\"" },
  { "string-empty", "\"\"", "\"\"" },
  { "true", "true", "true" },
  { "false", "false", "false" },
  { "null", "null", "null" },
  { "empty-array", "[]", "[]" },
  { "empty-object", "{}", "{}" },
  { "array", "[1,\"a\",null,[true]]", "[1, \"a\", null, [true]]" },
  { "object-order", "{\"z\":1,\"a\":[2,{\"y\":true,\"b\":null}],\"m\":\"x\"}",
    "{\"z\": 1, \"a\": [2, {\"y\": true, \"b\": null}], \"m\": \"x\"}" },
};

/* Any JSON value is a valid id and comes back as sent (in qemu's
 * spelling), in return and in error replies alike. */
static void
test_id_round_trip (gconstpointer data)
{
  const IdCase *test_case = data;
  g_autofree char *input = g_strdup_printf ("{\"execute\":\"guest-ping\",\"id\":%s}", test_case->id);
  g_autofree char *text = frame (input);
  g_autoptr(Request) request = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) return_line = NULL;
  g_autoptr(GBytes) error_line = NULL;
  g_autoptr(GError) reply_error = g_error_new_literal (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC, "x");
  g_autofree char *return_text = NULL;
  g_autofree char *error_text = NULL;
  g_autofree char *expected_return = NULL;
  g_autofree char *expected_error = NULL;

  g_assert_true (message_parse_request (text, strlen (text), &request, &id, &error));
  g_assert_no_error (error);
  g_assert_nonnull (id);

  return_line = message_encode_return (NULL, id);
  return_text = bytes_to_string (return_line);
  expected_return = g_strdup_printf ("{\"return\": {}, \"id\": %s}\n", test_case->encoded);
  g_assert_cmpstr (return_text, ==, expected_return);

  error_line = message_encode_error (reply_error, id);
  error_text = bytes_to_string (error_line);
  expected_error = g_strdup_printf ("{\"id\": %s, \"error\": {\"class\": \"GenericError\", "
                                    "\"desc\": \"x\"}}\n", test_case->encoded);
  g_assert_cmpstr (error_text, ==, expected_error);
}

/* ---- reply lines ---------------------------------------------------------- */

static void
test_encode_return (void)
{
  g_autoptr(JsonNode) id = node_from_json ("1");
  g_autoptr(JsonNode) value = node_from_json ("{\"b\":[1,2.5,true,null,\"x\"],\"a\":{}}");
  g_autoptr(JsonNode) scalar = node_from_json ("\"ok\"");
  struct {
    JsonNode *value;
    JsonNode *id;
    const char *expected;
  } cases[] = {
    /* A command without a result answers {} */
    { NULL, NULL, "{\"return\": {}}\n" },
    { NULL, id, "{\"return\": {}, \"id\": 1}\n" },
    { value, NULL, "{\"return\": {\"b\": [1, 2.5, true, null, \"x\"], \"a\": {}}}\n" },
    { value, id, "{\"return\": {\"b\": [1, 2.5, true, null, \"x\"], \"a\": {}}, \"id\": 1}\n" },
    { scalar, id, "{\"return\": \"ok\", \"id\": 1}\n" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) line = message_encode_return (cases[i].value, cases[i].id);
      g_autofree char *text = bytes_to_string (line);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

/* qemu-ga puts the id first in error replies (and last in returns). */
static void
test_encode_error (void)
{
  g_autoptr(JsonNode) id = node_from_json ("\"req-1\"");
  g_autoptr(GError) generic = g_error_new_literal (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC, "boom");
  g_autoptr(GError) not_found = g_error_new_literal (PROTOCOL_ERROR, PROTOCOL_ERROR_COMMAND_NOT_FOUND,
                                                     "The command nope has not been found");
  g_autoptr(GError) foreign = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No such file");
  g_autoptr(GError) escapes = g_error_new_literal (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                                                   "a\"b\\c/d\n\t\x01\x7f \xc3\xa9 \xf0\x9f\x98\x80 \xff");
  struct {
    GError *error;
    JsonNode *id;
    const char *expected;
  } cases[] = {
    { generic, NULL, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"boom\"}}\n" },
    { generic, id, "{\"id\": \"req-1\", \"error\": {\"class\": \"GenericError\", \"desc\": \"boom\"}}\n" },
    { not_found, id, "{\"id\": \"req-1\", \"error\": {\"class\": \"CommandNotFound\", "
                     "\"desc\": \"The command nope has not been found\"}}\n" },
    /* Errors of other domains are GenericError with their message. */
    { foreign, NULL, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"No such file\"}}\n" },
    /* The desc is escaped like any string; the line stays ASCII. */
    { escapes, NULL, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                     "\"a\\\"b\\\\c/d\\n\\t\\u0001\\u007F \\u00E9 \\uD83D\\uDE00 \\uFFFD\"}}\n" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) line = message_encode_error (cases[i].error, cases[i].id);
      g_autofree char *text = bytes_to_string (line);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_error_class_name (void)
{
  g_autoptr(GError) generic = g_error_new_literal (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC, "x");
  g_autoptr(GError) not_found = g_error_new_literal (PROTOCOL_ERROR, PROTOCOL_ERROR_COMMAND_NOT_FOUND, "x");
  /* CommandNotFound's code in another domain is not CommandNotFound. */
  g_autoptr(GError) foreign = g_error_new_literal (G_IO_ERROR, PROTOCOL_ERROR_COMMAND_NOT_FOUND, "x");

  g_assert_cmpstr (protocol_error_class_name (generic), ==, "GenericError");
  g_assert_cmpstr (protocol_error_class_name (not_found), ==, "CommandNotFound");
  g_assert_cmpstr (protocol_error_class_name (foreign), ==, "GenericError");
}

/* ---- json-encode: strings --------------------------------------------- */

typedef struct {
  const char *name;
  const char *input;
  const char *expected;
} StringCase;

static const StringCase string_cases[] = {
  { "empty", "", "\"\"" },
  { "ascii", "guest-ping 123", "\"guest-ping 123\"" },
  { "quote-backslash", "a\"b\\c", "\"a\\\"b\\\\c\"" },
  /* qemu does not escape '/'. */
  { "slash", "/dev/vda1", "\"/dev/vda1\"" },
  { "short-escapes", "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
  { "control", "\x01\x02\x0b\x1b\x1f", "\"\\u0001\\u0002\\u000B\\u001B\\u001F\"" },
  { "delete", "\x7f", "\"\\u007F\"" },
  { "printable-edges", " ~", "\" ~\"" },
  /* Non-ASCII as upper-case \uXXXX, beyond the BMP as a surrogate pair. */
  { "latin1", "\xc3\xa9", "\"\\u00E9\"" },
  { "u0080", "\xc2\x80", "\"\\u0080\"" },
  { "euro", "\xe2\x82\xac", "\"\\u20AC\"" },
  { "bmp-last", "\xef\xbf\xbf", "\"\\uFFFF\"" },
  { "emoji", "\xf0\x9f\x98\x80", "\"\\uD83D\\uDE00\"" },
  { "u10000", "\xf0\x90\x80\x80", "\"\\uD800\\uDC00\"" },
  { "u10ffff", "\xf4\x8f\xbf\xbf", "\"\\uDBFF\\uDFFF\"" },
  { "mixed", "x\xc3\xa9y\xf0\x9f\x98\x80z", "\"x\\u00E9y\\uD83D\\uDE00z\"" },
  /* Guest data (file names, utmp) is not always UTF-8; the reply must
   * stay valid JSON, so a bad byte becomes U+FFFD. */
  { "invalid-ff", "a\xff" "b", "\"a\\uFFFDb\"" },
  { "invalid-fe", "\xfe", "\"\\uFFFD\"" },
  { "invalid-continuation", "a\x80" "b", "\"a\\uFFFDb\"" },
  { "invalid-lead-then-ascii", "\xc3(", "\"\\uFFFD(\"" },
  { "invalid-f5", "\xf5" "a", "\"\\uFFFDa\"" },
};

static void
test_encode_string (gconstpointer data)
{
  const StringCase *test_case = data;
  g_autoptr(GString) out = g_string_new ("prefix:");

  /* Appends, never replaces. */
  json_encode_append_string (out, test_case->input);
  g_assert_true (g_str_has_prefix (out->str, "prefix:"));
  g_assert_cmpstr (out->str + strlen ("prefix:"), ==, test_case->expected);
}

/* Whatever the input, the output is printable ASCII (qemu-ga's replies
 * are), with exactly one U+FFFD per byte that cannot start a character. */
static void
test_encode_string_ascii_only (void)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint byte = 1; byte < 256; byte++)
    g_string_append_c (input, (char) byte);
  json_encode_append_string (out, input->str);

  g_autoptr(GString) expected_tail = g_string_new ("~\\u007F");

  for (gsize i = 0; i < out->len; i++)
    g_assert_true (out->str[i] >= 0x20 && out->str[i] < 0x7F);
  /* 0x80..0xFF in this order: no two of them make a character. */
  for (guint byte = 0x80; byte < 0x100; byte++)
    g_string_append (expected_tail, "\\uFFFD");
  g_string_append_c (expected_tail, '"');
  g_assert_true (g_str_has_suffix (out->str, expected_tail->str));
}

/* ---- json-encode: numbers and other values ---------------------------- */

typedef struct {
  const char *name;
  double value;
  const char *expected;
} DoubleCase;

static const DoubleCase double_cases[] = {
  /* qemu-ga prints doubles with "%.17g". */
  { "tenth", 0.1, "0.10000000000000001" },
  { "one", 1.0, "1" },
  { "thousand", 1e3, "1000" },
  { "negative-zero", -0.0, "-0" },
  { "zero", 0.0, "0" },
  { "one-and-a-half", 1.5, "1.5" },
  { "negative", -2.25, "-2.25" },
  { "large", 1e20, "1e+20" },
  { "huge", 1e300, "1.0000000000000001e+300" },
  { "small", 1.5e-3, "0.0015" },
  { "tiny", 1e-7, "9.9999999999999995e-08" },
  { "denormal", 5e-324, "4.9406564584124654e-324" },
  { "two-pow-64", 18446744073709551616.0, "1.8446744073709552e+19" },
};

static void
test_encode_double (gconstpointer data)
{
  const DoubleCase *test_case = data;
  g_autoptr(JsonNode) node = json_node_init_double (json_node_alloc (), test_case->value);
  g_autofree char *text = encode_node (node);

  g_assert_cmpstr (text, ==, test_case->expected);
}

/* JSON cannot spell them; the encoder must still produce valid JSON. */
static void
test_encode_non_finite (void)
{
  const double values[] = { INFINITY, -INFINITY, NAN };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(JsonNode) node = json_node_init_double (json_node_alloc (), values[i]);
      g_autofree char *text = encode_node (node);

      g_assert_cmpstr (text, ==, "null");
    }
}

static void
test_encode_scalars (void)
{
  struct {
    JsonNode *node;
    const char *expected;
  } cases[] = {
    { json_node_init_int (json_node_alloc (), 0), "0" },
    { json_node_init_int (json_node_alloc (), -1), "-1" },
    { json_node_init_int (json_node_alloc (), G_MAXINT64), "9223372036854775807" },
    { json_node_init_int (json_node_alloc (), G_MININT64), "-9223372036854775808" },
    { json_node_init_boolean (json_node_alloc (), TRUE), "true" },
    { json_node_init_boolean (json_node_alloc (), FALSE), "false" },
    { json_node_init_null (json_node_alloc ()), "null" },
    { json_node_init_string (json_node_alloc (), "s"), "\"s\"" },
  };
  g_autofree char *null_text = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = encode_node (cases[i].node);

      g_assert_cmpstr (text, ==, cases[i].expected);
      json_node_unref (cases[i].node);
    }

  /* A missing node is JSON null, not a crash. */
  null_text = encode_node (NULL);
  g_assert_cmpstr (null_text, ==, "null");
}

/* Members in insertion order with ", " and ": ", keys escaped like values. */
static void
test_encode_containers (void)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonObject) inner = json_object_new ();
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonArray) empty_array = json_array_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  json_array_add_int_element (array, 1);
  json_array_add_double_element (array, 0.5);
  json_array_add_string_element (array, "\xc3\xa9");
  json_array_add_null_element (array);
  json_array_add_array_element (array, json_array_ref (empty_array));
  json_object_set_int_member (inner, "q", 7);

  json_object_set_int_member (object, "zeta", 1);
  json_object_set_array_member (object, "alpha", json_array_ref (array));
  json_object_set_object_member (object, "\xc3\xa9\"k", json_object_ref (inner));
  json_object_set_object_member (object, "empty", json_object_new ());
  json_object_set_boolean_member (object, "m", FALSE);

  node = json_node_init_object (json_node_alloc (), object);
  text = encode_node (node);
  g_assert_cmpstr (text, ==,
                   "{\"zeta\": 1, \"alpha\": [1, 0.5, \"\\u00E9\", null, []], "
                   "\"\\u00E9\\\"k\": {\"q\": 7}, \"empty\": {}, \"m\": false}");
}

/* json_encode_append appends to what is there. */
static void
test_encode_append (void)
{
  g_autoptr(GString) out = g_string_new ("[");
  g_autoptr(JsonNode) node = node_from_json ("{\"a\":[]}");

  json_encode_append (out, node);
  g_string_append_c (out, ']');
  g_assert_cmpstr (out->str, ==, "[{\"a\": []}]");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* A failed check fails its test case and the run goes on (meson passes
   * --keep-going), so one bug does not hide the results of the others. */
  g_test_set_nonfatal_assertions ();

  for (gsize i = 0; i < G_N_ELEMENTS (parse_error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/message/parse/error/%s", parse_error_cases[i].name);
      g_test_add_data_func (path, &parse_error_cases[i], test_parse_error);
    }
  g_test_add_func ("/message/parse/minimal", test_parse_minimal);
  g_test_add_func ("/message/parse/escaped-names", test_parse_escaped_names);
  g_test_add_func ("/message/parse/length", test_parse_length);
  g_test_add_func ("/message/parse/full", test_parse_full);
  for (gsize i = 0; i < G_N_ELEMENTS (id_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/message/id/%s", id_cases[i].name);
      g_test_add_data_func (path, &id_cases[i], test_id_round_trip);
    }
  g_test_add_func ("/message/encode/return", test_encode_return);
  g_test_add_func ("/message/encode/error", test_encode_error);
  g_test_add_func ("/message/encode/error-class-name", test_error_class_name);
  for (gsize i = 0; i < G_N_ELEMENTS (string_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json-encode/string/%s", string_cases[i].name);
      g_test_add_data_func (path, &string_cases[i], test_encode_string);
    }
  g_test_add_func ("/json-encode/string-ascii-only", test_encode_string_ascii_only);
  for (gsize i = 0; i < G_N_ELEMENTS (double_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json-encode/double/%s", double_cases[i].name);
      g_test_add_data_func (path, &double_cases[i], test_encode_double);
    }
  g_test_add_func ("/json-encode/non-finite", test_encode_non_finite);
  g_test_add_func ("/json-encode/scalars", test_encode_scalars);
  g_test_add_func ("/json-encode/containers", test_encode_containers);
  g_test_add_func ("/json-encode/append", test_encode_append);

  return g_test_run ();
}
