/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for transport/framer.c: the strict incremental JSON lexer that
 * turns the host's byte stream into complete texts.
 *
 * Every test records what the framer reports as a list of event strings
 * ("msg TEXT" for a text, "err CODE MESSAGE" for an error) and compares the
 * whole list, so an extra or missing event fails as surely as a wrong one.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include <glib.h>

#include "framer.h"

/* A request that must come through intact after every kind of error. */
#define PING "{\"execute\":\"guest-ping\"}"
#define PING_EVENT "msg " PING

/* ---- collecting events ------------------------------------------------ */

static const char *
code_name (int code)
{
  switch ((FramerError) code)
    {
    case FRAMER_ERROR_SYNTAX: return "SYNTAX";
    case FRAMER_ERROR_DEPTH: return "DEPTH";
    case FRAMER_ERROR_SIZE: return "SIZE";
    case FRAMER_ERROR_VALUES: return "VALUES";
    case FRAMER_ERROR_RESYNC: return "RESYNC";
    default: return "UNKNOWN";
    }
}

static void
on_message (const char *text,
            gsize       length,
            gpointer    user_data)
{
  GPtrArray *events = user_data;

  /* The text is handed on as a C string and as a length: both must agree,
   * or json-glib and the logs would see different messages. */
  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), ==, length);
  g_assert_true (g_utf8_validate (text, (gssize) length, NULL));
  g_ptr_array_add (events, g_strdup_printf ("msg %s", text));
}

static void
on_error (const GError *error,
          gpointer      user_data)
{
  GPtrArray *events = user_data;

  g_assert_nonnull (error);
  g_assert_true (error->domain == FRAMER_ERROR);
  /* The message becomes the "desc" of a reply: it must be valid UTF-8. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_ptr_array_add (events, g_strdup_printf ("err %s %s", code_name (error->code),
                                            error->message));
}

static GPtrArray *
events_new (void)
{
  return g_ptr_array_new_with_free_func (g_free);
}

static Framer *
framer_new_collecting (gsize      max_message_size,
                       GPtrArray *events)
{
  return framer_new (max_message_size, on_message, on_error, events);
}

static void
feed_string (Framer     *framer,
             const char *data,
             gsize       length)
{
  framer_feed (framer, (const guint8 *) data, length);
}

/* Feeds @data in one piece and returns the events. */
static GPtrArray *
run_whole (gsize       max_message_size,
           const char *data,
           gsize       length)
{
  GPtrArray *events = events_new ();
  g_autoptr(Framer) framer = framer_new_collecting (max_message_size, events);

  feed_string (framer, data, length);
  return events;
}

/* Feeds @data one byte per framer_feed() call. */
static GPtrArray *
run_bytewise (gsize       max_message_size,
              const char *data,
              gsize       length)
{
  GPtrArray *events = events_new ();
  g_autoptr(Framer) framer = framer_new_collecting (max_message_size, events);

  for (gsize i = 0; i < length; i++)
    feed_string (framer, data + i, 1);
  return events;
}

static GPtrArray *
run_split (gsize       max_message_size,
           const char *data,
           gsize       length,
           gsize       split)
{
  GPtrArray *events = events_new ();
  g_autoptr(Framer) framer = framer_new_collecting (max_message_size, events);

  feed_string (framer, data, split);
  feed_string (framer, data + split, length - split);
  return events;
}

static char *
events_to_string (GPtrArray *events)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (out, "  [%u] %s\n", i, (const char *) events->pdata[i]);
  return g_string_free (out, FALSE);
}

/* Compares @events with the NULL-terminated @expected, printing both lists
 * when they differ so a failure shows the whole story. */
static void
assert_events (GPtrArray          *events,
               const char * const *expected)
{
  guint n_expected = g_strv_length ((char **) expected);
  gboolean same = events->len == n_expected;

  for (guint i = 0; same && i < n_expected; i++)
    same = g_str_equal (events->pdata[i], expected[i]);

  if (!same)
    {
      g_autofree char *got = events_to_string (events);
      g_autoptr(GString) want = g_string_new (NULL);

      for (guint i = 0; i < n_expected; i++)
        g_string_append_printf (want, "  [%u] %s\n", i, expected[i]);
      g_test_message ("expected events:\n%sgot:\n%s", want->str, got);
      g_test_fail_printf ("framer events differ (expected %u, got %u)",
                          n_expected, events->len);
    }
}

static void
assert_same_events (GPtrArray  *events,
                    GPtrArray  *reference,
                    const char *context)
{
  gboolean same = events->len == reference->len;

  for (guint i = 0; same && i < reference->len; i++)
    same = g_str_equal (events->pdata[i], reference->pdata[i]);

  if (!same)
    {
      g_autofree char *got = events_to_string (events);
      g_autofree char *want = events_to_string (reference);

      g_test_message ("%s\nexpected events:\n%sgot:\n%s", context, want, got);
      g_test_fail_printf ("framer events differ: %s", context);
    }
}

/* ---- splitting --------------------------------------------------------- */

/*
 * Three requests with everything the lexer has a state for: nested arrays
 * and objects, every escape, a surrogate pair, raw 2-, 3- and 4-byte UTF-8,
 * numbers with sign, fraction and exponent, keywords, whitespace inside and
 * between messages.
 */
static const char sample_stream[] =
  "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\","
  "\"arg\":[\"-c\",\"echo \\\"hi\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00\"],"
  "\"env\":[],\"capture-output\":true,\"input-data\":null},\"id\":-0}"
  " \r\n\t"
  "{ \"execute\" : \"x\" , \"arguments\" : { \"a\" : [ 1.5e-3 , 0 , 123 , -1 ,"
  " 2E+10, {\"b\":{\"c\":[]}} ] , \"s\" : \"\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\" } ,"
  " \"id\" : \"abc\" }\n"
  "{\"execute\":\"guest-ping\",\"id\":{\"k\":[false,{},[[]]]}}";

static const char * const sample_events[] = {
  "msg {\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\","
  "\"arg\":[\"-c\",\"echo \\\"hi\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00\"],"
  "\"env\":[],\"capture-output\":true,\"input-data\":null},\"id\":-0}",
  /* Whitespace inside a message is kept (it costs nothing and keeps the
   * text identical to what the host sent); between messages it is not. */
  "msg { \"execute\" : \"x\" , \"arguments\" : { \"a\" : [ 1.5e-3 , 0 , 123 , -1 ,"
  " 2E+10, {\"b\":{\"c\":[]}} ] , \"s\" : \"\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\" } ,"
  " \"id\" : \"abc\" }",
  "msg {\"execute\":\"guest-ping\",\"id\":{\"k\":[false,{},[[]]]}}",
  NULL
};

static void
test_sample_whole (void)
{
  g_autoptr(GPtrArray) events = run_whole (4096, sample_stream, strlen (sample_stream));

  assert_events (events, sample_events);
}

/* The host may split a request anywhere, including inside an escape, a
 * \u sequence, a UTF-8 sequence or a number. */
static void
test_sample_split_everywhere (void)
{
  gsize length = strlen (sample_stream);
  g_autoptr(GPtrArray) reference = run_whole (4096, sample_stream, length);

  for (gsize split = 0; split <= length; split++)
    {
      g_autoptr(GPtrArray) events = run_split (4096, sample_stream, length, split);
      g_autofree char *context = g_strdup_printf ("split at byte %" G_GSIZE_FORMAT, split);

      assert_same_events (events, reference, context);
      if (g_test_failed ())
        return;
    }
}

static void
test_sample_bytewise (void)
{
  g_autoptr(GPtrArray) events = run_bytewise (4096, sample_stream, strlen (sample_stream));

  assert_events (events, sample_events);
}

/* Many requests in one write, with and without whitespace in between. */
static void
test_pipelining (void)
{
  static const char * const separators[] = { "", " ", "\n", "\r\n", "\t \n " };
  g_autoptr(GString) stream = g_string_new (NULL);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) events = NULL;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *request =
        g_strdup_printf ("{\"execute\":\"guest-sync\",\"arguments\":{\"id\":%u}}", i);

      g_string_append (stream, request);
      g_string_append (stream, separators[i % G_N_ELEMENTS (separators)]);
      g_ptr_array_add (expected, g_strdup_printf ("msg %s", request));
    }
  g_ptr_array_add (expected, NULL);

  events = run_whole (4096, stream->str, stream->len);
  assert_events (events, (const char * const *) expected->pdata);

  g_clear_pointer (&events, g_ptr_array_unref);
  events = run_bytewise (4096, stream->str, stream->len);
  assert_events (events, (const char * const *) expected->pdata);
}

/* ---- 0xFF resynchronisation ------------------------------------------- */

#define RESYNC_EVENT "err RESYNC JSON parse error, stray '\xEF\xBF\xBD'"

/* A request with nested containers, escapes and UTF-8, so the 0xFF lands
 * in every lexer state. */
static const char resync_request[] =
  "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":12345,\"x\":[true,null,-1.5e+2,"
  "\"a\\\"b\\u00e9\xc3\xa9\"]}}";

/* What a client does: it gives up on a partial request, sends 0xFF and a
 * fresh request. The partial request must vanish without a trace. */
static void
test_resync_truncated_everywhere (void)
{
  gsize length = strlen (resync_request);
  const char * const expected[] = { RESYNC_EVENT, PING_EVENT, NULL };

  for (gsize position = 0; position < length; position++)
    {
      g_autoptr(GString) stream = g_string_new_len (resync_request, (gssize) position);
      g_autoptr(GPtrArray) events = NULL;

      g_string_append_c (stream, '\xFF');
      g_string_append (stream, PING);

      events = run_whole (4096, stream->str, stream->len);
      assert_events (events, expected);
      g_clear_pointer (&events, g_ptr_array_unref);
      events = run_bytewise (4096, stream->str, stream->len);
      assert_events (events, expected);
      if (g_test_failed ())
        {
          g_test_message ("0xFF after %" G_GSIZE_FORMAT " bytes", position);
          return;
        }
    }
}

/*
 * A 0xFF in the middle of a request whose rest still follows: the rest is
 * garbage up to the next '{'. The request has no '{' after its first byte,
 * so the next '{' is the following request's.
 */
static void
test_resync_inserted_everywhere (void)
{
  static const char flat_request[] =
    "{\"execute\":\"guest-sync\",\"id\":[1,\"x\\\"y\",true,-2.5e3,\"\xc3\xa9\"]}";
  gsize length = strlen (flat_request);
  const char * const expected[] = { RESYNC_EVENT, PING_EVENT, NULL };

  for (gsize position = 1; position < length; position++)
    {
      g_autoptr(GString) stream = g_string_new_len (flat_request, (gssize) position);
      g_autoptr(GPtrArray) events = NULL;

      g_string_append_c (stream, '\xFF');
      g_string_append (stream, flat_request + position);
      g_string_append (stream, PING);

      events = run_whole (4096, stream->str, stream->len);
      assert_events (events, expected);
      if (g_test_failed ())
        {
          g_test_message ("0xFF inserted at %" G_GSIZE_FORMAT, position);
          return;
        }
    }
}

/*
 * Broken input never swallows the request on the next line: a skip ends at
 * a newline, and a '{' opening a line where the broken message cannot go
 * on is the next request. (qemu-ga loses the request in all of these.)
 */
static void
test_resync_at_next_line (void)
{
  static const struct {
    const char *prefix;
    const char *error;
  } cases[] = {
    /* brackets that never balance */
    { "[- \n", "err SYNTAX JSON parse error, invalid number" },
    /* a message left open */
    { "{\n", "err SYNTAX JSON parse error, key is not a string in object" },
    { "[1 \n", "err SYNTAX JSON parse error, expecting ',' or ']'" },
    { "{\"a\":1\n", "err SYNTAX JSON parse error, expecting ',' or '}'" },
    /* an open string */
    { "{\"a\n", "err SYNTAX JSON parse error, control character 0x0a in string" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stream = g_strconcat (cases[i].prefix, PING "\n" PING "\n", NULL);
      const char * const expected[] = { cases[i].error, PING_EVENT, PING_EVENT, NULL };
      g_autoptr(GPtrArray) events = run_whole (4096, stream, strlen (stream));

      assert_events (events, expected);
      g_clear_pointer (&events, g_ptr_array_unref);
      events = run_bytewise (4096, stream, strlen (stream));
      assert_events (events, expected);
      if (g_test_failed ())
        {
          g_test_message ("prefix %s", cases[i].prefix);
          return;
        }
    }
}

/* Between complete requests a 0xFF is just a report; nothing is lost. */
static void
test_resync_between_requests (void)
{
  const char stream[] = PING "\xFF" PING "\xFF\xFF" PING;
  const char * const expected[] = {
    PING_EVENT, RESYNC_EVENT, PING_EVENT, RESYNC_EVENT, RESYNC_EVENT, PING_EVENT, NULL
  };
  g_autoptr(GPtrArray) events = run_whole (4096, stream, strlen (stream));

  assert_events (events, expected);
}

/* ---- nesting ------------------------------------------------------------ */

/* Nesting @depth deep, alternating arrays and objects, with a number at
 * the bottom. */
static char *
make_nested (guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (text, i % 2 == 0 ? "[" : "{\"k\":");
  g_string_append_c (text, '1');
  for (guint i = depth; i > 0; i--)
    g_string_append_c (text, (i - 1) % 2 == 0 ? ']' : '}');

  return g_string_free (text, FALSE);
}

/* qemu's limit: 1024 levels are fine. */
static void
test_depth_limit_accepted (void)
{
  g_autofree char *nested = make_nested (FRAMER_MAX_DEPTH);
  g_autofree char *event = g_strdup_printf ("msg %s", nested);
  const char * const expected[] = { event, NULL };
  g_autoptr(GPtrArray) events = run_whole (1024 * 1024, nested, strlen (nested));

  assert_events (events, expected);
}

/* One level more is one error, and the stream goes on. */
static void
test_depth_limit_exceeded (void)
{
  g_autofree char *nested = make_nested (FRAMER_MAX_DEPTH + 1);
  g_autofree char *stream = g_strconcat (nested, PING, NULL);
  const char * const expected[] = {
    "err DEPTH JSON nesting depth limit exceeded", PING_EVENT, NULL
  };
  g_autoptr(GPtrArray) events = run_whole (1024 * 1024, stream, strlen (stream));

  assert_events (events, expected);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = run_bytewise (1024 * 1024, stream, strlen (stream));
  assert_events (events, expected);
}

typedef struct {
  const char *stream;
  gsize length;
  GPtrArray *events;
} DeepFeed;

static void *
deep_feed_thread (void *data)
{
  DeepFeed *feed = data;
  g_autoptr(Framer) framer = framer_new_collecting (16 * 1024 * 1024, feed->events);

  feed_string (framer, feed->stream, feed->length);
  return NULL;
}

/*
 * 100000 levels: one error, no crash. The feed runs on a thread with a
 * 256 KiB stack, far less than any parser recursing once per level would
 * need for this depth, so stack use proportional to depth would crash.
 */
static void
test_depth_huge (void)
{
  g_autofree char *nested = make_nested (100000);
  g_autofree char *stream = g_strconcat (nested, PING, NULL);
  const char * const expected[] = {
    "err DEPTH JSON nesting depth limit exceeded", PING_EVENT, NULL
  };
  g_autoptr(GPtrArray) events = events_new ();
  DeepFeed feed = { stream, strlen (stream), events };
  pthread_attr_t attr;
  pthread_t thread;

  g_assert_cmpint (pthread_attr_init (&attr), ==, 0);
  g_assert_cmpint (pthread_attr_setstacksize (&attr, 256 * 1024), ==, 0);
  g_assert_cmpint (pthread_create (&thread, &attr, deep_feed_thread, &feed), ==, 0);
  g_assert_cmpint (pthread_join (thread, NULL), ==, 0);
  pthread_attr_destroy (&attr);

  assert_events (events, expected);
}

/* ---- size --------------------------------------------------------------- */

/* An object of exactly @size bytes: {"execute":"guest-ping","id":"xxx"} */
static char *
make_sized (gsize size)
{
  const char *head = "{\"execute\":\"guest-ping\",\"id\":\"";
  const char *tail = "\"}";
  gsize fill = size - strlen (head) - strlen (tail);
  GString *text = g_string_new (head);

  g_assert_cmpuint (size, >, strlen (head) + strlen (tail));
  for (gsize i = 0; i < fill; i++)
    g_string_append_c (text, (char) ('a' + i % 26));
  g_string_append (text, tail);
  g_assert_cmpuint (text->len, ==, size);
  return g_string_free (text, FALSE);
}

/* The limit is inclusive: a message of exactly the maximum is accepted. */
static void
test_size_exact (void)
{
  g_autofree char *message = make_sized (64);
  g_autofree char *event = g_strdup_printf ("msg %s", message);
  g_autofree char *stream = g_strconcat (message, message, NULL);
  const char * const expected[] = { event, event, NULL };
  g_autoptr(GPtrArray) events = run_whole (64, stream, strlen (stream));

  assert_events (events, expected);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = run_bytewise (64, stream, strlen (stream));
  assert_events (events, expected);
}

/*
 * The same bound for a text whose end is only known at the next byte: a
 * top-level number of exactly the maximum is a complete text of exactly
 * the maximum, and the delimiter after it is not part of it.
 */
static void
test_size_exact_number (void)
{
  const char stream[] = "12345678 123456789 ";
  const char * const expected[] = {
    "msg 12345678",
    "err SIZE JSON token size limit exceeded",
    NULL
  };
  g_autoptr(GPtrArray) events = run_whole (8, stream, strlen (stream));

  assert_events (events, expected);
}

/* One byte over: one error; the rest of that message is skipped and the
 * next request works. */
static void
test_size_exceeded (void)
{
  g_autofree char *message = make_sized (65);
  g_autofree char *stream = g_strconcat (message, PING, NULL);
  const char * const expected[] = {
    "err SIZE JSON token size limit exceeded", PING_EVENT, NULL
  };
  g_autoptr(GPtrArray) events = run_whole (64, stream, strlen (stream));

  assert_events (events, expected);
}

/* The limit is hit inside a long string that contains braces and quotes:
 * the skipper must read them as string content, not as structure. */
static void
test_size_exceeded_skips_rest (void)
{
  g_autoptr(GString) stream = g_string_new ("{\"execute\":\"x\",\"id\":[\"");

  for (guint i = 0; i < 40; i++)
    g_string_append (stream, "}]{[ \\\" '");
  g_string_append (stream, "\", {\"a\":[1,2,{}]}, 'q}\\'']}");
  g_string_append (stream, PING);

  {
    const char * const expected[] = {
      "err SIZE JSON token size limit exceeded", PING_EVENT, NULL
    };
    g_autoptr(GPtrArray) events = run_whole (64, stream->str, stream->len);
    assert_events (events, expected);
    g_clear_pointer (&events, g_ptr_array_unref);
    events = run_bytewise (64, stream->str, stream->len);
    assert_events (events, expected);
  }
}

/* Large messages are fine under a large limit (1 MiB of string data with
 * the default 16 MiB), fed in the chunk size a channel reads. */
static void
test_size_huge_string (void)
{
  gsize n = 1024 * 1024;
  g_autoptr(GString) stream = g_string_new ("{\"execute\":\"x\",\"arguments\":{\"data\":\"");
  g_autoptr(GPtrArray) events = events_new ();
  g_autoptr(Framer) framer = framer_new_collecting (16 * 1024 * 1024, events);
  g_autofree char *expected_text = NULL;
  g_autofree char *expected_event = NULL;
  gsize request_length;

  for (gsize i = 0; i < n; i++)
    g_string_append_c (stream, (char) ('A' + i % 26));
  g_string_append (stream, "\"}}");
  request_length = stream->len;
  expected_text = g_strndup (stream->str, request_length);
  expected_event = g_strdup_printf ("msg %s", expected_text);
  g_string_append (stream, PING);

  for (gsize offset = 0; offset < stream->len; offset += 4096)
    feed_string (framer, stream->str + offset, MIN (4096, stream->len - offset));

  {
    const char * const expected[] = { expected_event, PING_EVENT, NULL };
    assert_events (events, expected);
  }
}

/* ---- value count ------------------------------------------------------- */

/* [0,0,...] with @n_values values in all, the array itself included. */
static char *
make_values (gsize n_values)
{
  GString *text = g_string_sized_new (n_values * 2 + 2);

  g_string_append_c (text, '[');
  for (gsize i = 1; i < n_values; i++)
    g_string_append (text, i == 1 ? "0" : ",0");
  g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

static void
test_values_limit (void)
{
  g_autofree char *at_limit = make_values (FRAMER_MAX_VALUES);
  g_autofree char *over_limit = make_values (FRAMER_MAX_VALUES + 1);
  g_autoptr(GString) stream = g_string_new (NULL);
  g_autoptr(GPtrArray) events = NULL;

  g_string_append (stream, at_limit);
  g_string_append (stream, over_limit);
  g_string_append (stream, PING);
  events = run_whole (16 * 1024 * 1024, stream->str, stream->len);

  g_assert_cmpuint (events->len, ==, 3);
  /* At the limit: accepted, intact. */
  g_assert_true (g_str_has_prefix (events->pdata[0], "msg [0,0,"));
  g_assert_cmpstr ((const char *) events->pdata[0] + strlen ("msg "), ==, at_limit);
  g_assert_cmpstr (events->pdata[1], ==, "err VALUES JSON token count limit exceeded");
  g_assert_cmpstr (events->pdata[2], ==, PING_EVENT);
}

/* ---- strictness ---------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *input;
  FramerError code;
  const char *message;   /* NULL: only the code is checked */
} StrictCase;

static const StrictCase strict_cases[] = {
  /* numbers */
  { "leading-zero", "{\"id\":01}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid number" },
  { "leading-zero-negative", "{\"id\":-01}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid number" },
  { "leading-zero-top", "01 ", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid number" },
  { "plus", "{\"id\":+1}", FRAMER_ERROR_SYNTAX, "JSON parse error, stray '+'" },
  { "bare-fraction", "{\"id\":.5}", FRAMER_ERROR_SYNTAX, "JSON parse error, stray '.'" },
  { "trailing-dot", "{\"id\":1.}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid number" },
  { "empty-exponent", "{\"id\":1e}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid number" },
  { "signed-empty-exponent", "{\"id\":1e+}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid number" },
  { "lone-minus", "{\"id\":-}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid number" },
  { "hex", "{\"id\":0x10}", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting ',' or '}'" },
  /* structure */
  { "trailing-comma-object", "{\"a\":1,}", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting value" },
  { "trailing-comma-array", "{\"a\":[1,]}", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting value" },
  { "trailing-comma-top-array", "[1,]", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting value" },
  { "missing-colon", "{\"a\" 1}", FRAMER_ERROR_SYNTAX, "JSON parse error, missing ':' in object pair" },
  { "missing-comma", "{\"a\":1 \"b\":2}", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting ',' or '}'" },
  { "missing-comma-array", "[1 2]", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting ',' or ']'" },
  { "key-not-string", "{1:2}", FRAMER_ERROR_SYNTAX, "JSON parse error, key is not a string in object" },
  { "comment", "{\"a\":1/*c*/}", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting ',' or '}'" },
  /* keywords */
  { "bare-word-top", "xyz ", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid keyword 'xyz'" },
  { "bare-word-inside", "{\"a\":xyz}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid keyword 'xyz'" },
  { "upper-case-true", "{\"a\":TRUE}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid keyword 'TRUE'" },
  { "keyword-prefix", "{\"a\":nul}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid keyword 'nul'" },
  { "keyword-suffix", "{\"a\":truex}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid keyword 'truex'" },
  { "long-word", "{\"a\":abcdefghijklmnopqrstuvwxyzabcdefghijkl}", FRAMER_ERROR_SYNTAX,
    "JSON parse error, invalid keyword 'abcdefghijklmnopqrstuvwxyzabcdef...'" },
  /* escapes */
  { "escape-x", "{\"a\":\"\\x41\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid escape sequence in string" },
  { "escape-u-bad-hex", "{\"a\":\"\\u12G4\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid escape sequence in string" },
  { "escape-u-short", "{\"a\":\"\\u12\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid escape sequence in string" },
  { "high-surrogate-then-char", "{\"a\":\"\\ud83dA\"}", FRAMER_ERROR_SYNTAX,
    "JSON parse error, \\uD83D is not a valid Unicode character" },
  { "high-surrogate-then-escape", "{\"a\":\"\\ud83d\\n\"}", FRAMER_ERROR_SYNTAX,
    "JSON parse error, \\uD83D is not a valid Unicode character" },
  { "high-surrogate-then-quote-escape", "{\"a\":\"\\ud83d\\\"\"}", FRAMER_ERROR_SYNTAX,
    "JSON parse error, \\uD83D is not a valid Unicode character" },
  { "high-surrogate-at-end", "{\"a\":\"\\ud83d\"}", FRAMER_ERROR_SYNTAX,
    "JSON parse error, \\uD83D is not a valid Unicode character" },
  { "high-surrogate-then-bmp", "{\"a\":\"\\ud83d\\u0041\"}", FRAMER_ERROR_SYNTAX,
    "JSON parse error, \\uD83D is not a valid Unicode character" },
  { "two-high-surrogates", "{\"a\":\"\\ud83d\\ud83d\"}", FRAMER_ERROR_SYNTAX,
    "JSON parse error, \\uD83D is not a valid Unicode character" },
  { "lone-low-surrogate", "{\"a\":\"\\ude00\"}", FRAMER_ERROR_SYNTAX,
    "JSON parse error, \\uDE00 is not a valid Unicode character" },
  { "nul-escape", "{\"a\":\"\\u0000\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, \\u0000 is not allowed in strings" },
  { "raw-tab", "{\"a\":\"x\ty\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, control character 0x09 in string" },
  { "raw-newline-in-key", "{\"a\nb\":1}", FRAMER_ERROR_SYNTAX, "JSON parse error, control character 0x0a in string" },
  /* UTF-8 */
  { "overlong-2", "{\"a\":\"\xc0\x80\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid UTF-8 sequence in string" },
  { "overlong-3", "{\"a\":\"\xe0\x80\xaf\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid UTF-8 sequence in string" },
  { "overlong-4", "{\"a\":\"\xf0\x8f\xbf\xbf\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid UTF-8 sequence in string" },
  { "utf8-surrogate", "{\"a\":\"\xed\xa0\x80\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid UTF-8 sequence in string" },
  { "above-10ffff", "{\"a\":\"\xf4\x90\x80\x80\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid UTF-8 sequence in string" },
  { "lead-f5", "{\"a\":\"\xf5\x80\x80\x80\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid UTF-8 sequence in string" },
  { "lone-continuation", "{\"a\":\"\x80\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid UTF-8 sequence in string" },
  { "truncated-before-quote", "{\"a\":\"\xe2\x82\"}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid UTF-8 sequence in string" },
  { "truncated-in-key", "{\"\xc3\":1}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid UTF-8 sequence in string" },
  /* stray bytes at top level */
  { "stray-close-brace", "}", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting value" },
  { "stray-close-bracket", "]", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting value" },
  { "stray-at", "@", FRAMER_ERROR_SYNTAX, "JSON parse error, stray '@'" },
  { "stray-comma", ",", FRAMER_ERROR_SYNTAX, "JSON parse error, expecting value" },
  { "stray-nul", "\x01", FRAMER_ERROR_SYNTAX, "JSON parse error, stray byte 0x01" },
  /* Only space, tab, LF and CR are JSON whitespace. */
  { "formfeed-top", "\x0c", FRAMER_ERROR_SYNTAX, "JSON parse error, stray byte 0x0c" },
  { "formfeed-inside", "{\x0c\"a\":1}", FRAMER_ERROR_SYNTAX, "JSON parse error, key is not a string in object" },
  { "stray-utf8-top", "\xc3\xa9", FRAMER_ERROR_SYNTAX, "JSON parse error, stray byte 0xc3" },
  /* the skipper after an error: strings with braces, escapes, other quotes */
  { "skip-braces-in-string", "{\"a\":01,\"b\":\"}{][\",\"c\":[{}]}", FRAMER_ERROR_SYNTAX, NULL },
  { "skip-escaped-quote", "{\"a\":01,\"b\":\"\\\"}\"}", FRAMER_ERROR_SYNTAX, NULL },
  { "skip-single-quoted", "{\"a\":01,\"b\":'}\"\\''}", FRAMER_ERROR_SYNTAX, NULL },
  { "skip-nested", "{\"a\":[{\"b\":01}],\"c\":\"]}\"}", FRAMER_ERROR_SYNTAX, NULL },
  { "error-in-single-quoted", "{'a':'\\x}'}", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid escape sequence in string" },
  { "error-in-top-string", "\"\\x\" ", FRAMER_ERROR_SYNTAX, "JSON parse error, invalid escape sequence in string" },
  { "error-in-escaped-quote", "{\"a\":\"\\ud83d\\\"}\"}", FRAMER_ERROR_SYNTAX,
    "JSON parse error, \\uD83D is not a valid Unicode character" },
};

/* Each malformed input gives exactly one error, and the request after it
 * is not swallowed, whether fed whole or a byte at a time. */
static void
test_strict (gconstpointer data)
{
  const StrictCase *test_case = data;
  g_autofree char *stream = g_strconcat (test_case->input, PING, NULL);
  g_autofree char *error_event = NULL;
  g_autoptr(GPtrArray) events = NULL;

  if (test_case->message != NULL)
    error_event = g_strdup_printf ("err %s %s", code_name (test_case->code), test_case->message);

  for (int pass = 0; pass < 2; pass++)
    {
      events = pass == 0 ? run_whole (4096, stream, strlen (stream))
                         : run_bytewise (4096, stream, strlen (stream));

      if (error_event != NULL)
        {
          const char * const expected[] = { error_event, PING_EVENT, NULL };
          assert_events (events, expected);
        }
      else
        {
          g_autofree char *prefix = g_strdup_printf ("err %s ", code_name (test_case->code));

          if (events->len != 2 || !g_str_has_prefix (events->pdata[0], prefix) ||
              !g_str_equal (events->pdata[1], PING_EVENT))
            {
              g_autofree char *got = events_to_string (events);
              g_test_fail_printf ("expected one %s error and the ping, got:\n%s",
                                  code_name (test_case->code), got);
            }
        }
      g_clear_pointer (&events, g_ptr_array_unref);
    }
}

/* NUL bytes must not end anything early: the framer works on lengths, and a
 * NUL is a stray byte outside strings and a control character inside. */
static void
test_nul_bytes (void)
{
  static const char stream[] =
    "\0" PING
    "{\"a\":\"x\0y\"}" PING
    "{\"a\":1\0}" PING;
  const char * const expected[] = {
    "err SYNTAX JSON parse error, stray byte 0x00", PING_EVENT,
    "err SYNTAX JSON parse error, control character 0x00 in string", PING_EVENT,
    "err SYNTAX JSON parse error, expecting ',' or '}'", PING_EVENT,
    NULL
  };
  g_autoptr(GPtrArray) events = run_whole (4096, stream, sizeof stream - 1);

  assert_events (events, expected);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = run_bytewise (4096, stream, sizeof stream - 1);
  assert_events (events, expected);
}

/* ---- what passes through ------------------------------------------------- */

/* Top-level scalars are JSON texts: the framer hands them on and the
 * message layer answers "QMP input must be a JSON object". */
static void
test_top_level_scalars (void)
{
  const char stream[] = "42 \"str\" true\nnull\t-1.5e3 'single'";
  const char * const expected[] = {
    "msg 42",
    "msg \"str\"",
    "msg true",
    "msg null",
    "msg -1.5e3",
    "msg \"single\"",
    NULL
  };
  g_autoptr(GPtrArray) events = run_whole (4096, stream, strlen (stream));

  assert_events (events, expected);
}

/* A number or keyword can only end at a delimiter: at the end of the input
 * the framer must wait, not emit a prefix of it. */
static void
test_number_waits_for_delimiter (void)
{
  g_autoptr(GPtrArray) events = events_new ();
  g_autoptr(Framer) framer = framer_new_collecting (4096, events);

  feed_string (framer, "12", 2);
  g_assert_cmpuint (events->len, ==, 0);
  feed_string (framer, "3", 1);
  g_assert_cmpuint (events->len, ==, 0);
  feed_string (framer, "\n", 1);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (events->pdata[0], ==, "msg 123");

  feed_string (framer, "fals", 4);
  g_assert_cmpuint (events->len, ==, 1);
  feed_string (framer, "e{", 2);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (events->pdata[1], ==, "msg false");
  feed_string (framer, "}", 1);
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpstr (events->pdata[2], ==, "msg {}");
}

/* Numbers of any magnitude are lexed, not converted: json-parse.c decides
 * between gint64 and double, so the framer must hand on every digit. */
static void
test_numbers_pass_through (void)
{
  const char stream[] =
    "{\"a\":18446744073709551615,\"b\":-9223372036854775809,"
    "\"c\":9223372036854775807,\"d\":-9223372036854775808,"
    "\"e\":123456789012345678901234567890,\"f\":[-0,0,1e30,1.5,-0.0e-0,1E+2,2e400]}"
    "18446744073709551615 ";
  const char * const expected[] = {
    "msg {\"a\":18446744073709551615,\"b\":-9223372036854775809,"
    "\"c\":9223372036854775807,\"d\":-9223372036854775808,"
    "\"e\":123456789012345678901234567890,\"f\":[-0,0,1e30,1.5,-0.0e-0,1E+2,2e400]}",
    "msg 18446744073709551615",
    NULL
  };
  g_autoptr(GPtrArray) events = run_whole (4096, stream, strlen (stream));

  assert_events (events, expected);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = run_bytewise (4096, stream, strlen (stream));
  assert_events (events, expected);
}

/* qemu accepts single-quoted strings and \' and hand-written requests use
 * them; the framer hands on strict JSON, so they are rewritten. */
static void
test_single_quotes (void)
{
  const char stream[] =
    "{'execute':'guest-ping'}"
    "{'a':'a\"b'}"
    "{'a':'\\''}"
    "{\"a\":\"\\'\"}"
    "{'a':['x\\\\', \"y'\", '\\u00e9\\n']}";
  const char * const expected[] = {
    "msg {\"execute\":\"guest-ping\"}",
    "msg {\"a\":\"a\\\"b\"}",
    "msg {\"a\":\"'\"}",
    "msg {\"a\":\"'\"}",
    "msg {\"a\":[\"x\\\\\", \"y'\", \"\\u00e9\\n\"]}",
    NULL
  };
  g_autoptr(GPtrArray) events = run_whole (4096, stream, strlen (stream));

  assert_events (events, expected);
}

/* Duplicate keys are valid syntax: the framer hands them on untouched and
 * the parser (json-parse.c) rejects them. */
static void
test_duplicate_keys_pass_through (void)
{
  const char stream[] =
    "{\"a\":1,\"a\":2,\"b\":{\"c\":1,\"c\":2}}"
    "[{\"a\":1},{\"a\":1}]";
  const char * const expected[] = {
    "msg {\"a\":1,\"a\":2,\"b\":{\"c\":1,\"c\":2}}",
    "msg [{\"a\":1},{\"a\":1}]",
    NULL
  };
  g_autoptr(GPtrArray) events = run_whole (4096, stream, strlen (stream));

  assert_events (events, expected);
}

/* A new peer must not inherit half a message, nor the skip state left by
 * the previous peer's error. */
static void
test_reset (void)
{
  g_autoptr(GPtrArray) events = events_new ();
  g_autoptr(Framer) framer = framer_new_collecting (4096, events);
  const char * const expected[] = {
    PING_EVENT,
    "err SYNTAX JSON parse error, invalid number",
    PING_EVENT,
    PING_EVENT,
    NULL
  };

  feed_string (framer, "{\"execute\":\"gue", strlen ("{\"execute\":\"gue"));
  framer_reset (framer);
  feed_string (framer, PING, strlen (PING));

  /* An error, then a reset in the middle of the skipped message. */
  feed_string (framer, "{\"a\":01,\"b\":[\"}", strlen ("{\"a\":01,\"b\":[\"}"));
  framer_reset (framer);
  feed_string (framer, PING, strlen (PING));

  /* A reset in the middle of a string with a pending high surrogate. */
  feed_string (framer, "{\"a\":\"\\ud83d", strlen ("{\"a\":\"\\ud83d"));
  framer_reset (framer);
  feed_string (framer, PING, strlen (PING));

  assert_events (events, expected);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* A failed check fails its test case and the run goes on (meson passes
   * --keep-going), so one bug does not hide the results of the others. */
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/framer/split/whole", test_sample_whole);
  g_test_add_func ("/framer/split/everywhere", test_sample_split_everywhere);
  g_test_add_func ("/framer/split/bytewise", test_sample_bytewise);
  g_test_add_func ("/framer/pipelining", test_pipelining);
  g_test_add_func ("/framer/resync/truncated-everywhere", test_resync_truncated_everywhere);
  g_test_add_func ("/framer/resync/inserted-everywhere", test_resync_inserted_everywhere);
  g_test_add_func ("/framer/resync/between-requests", test_resync_between_requests);
  g_test_add_func ("/framer/resync/at-next-line", test_resync_at_next_line);
  g_test_add_func ("/framer/depth/limit-accepted", test_depth_limit_accepted);
  g_test_add_func ("/framer/depth/limit-exceeded", test_depth_limit_exceeded);
  g_test_add_func ("/framer/depth/huge", test_depth_huge);
  g_test_add_func ("/framer/size/exact", test_size_exact);
  g_test_add_func ("/framer/size/exact-number", test_size_exact_number);
  g_test_add_func ("/framer/size/exceeded", test_size_exceeded);
  g_test_add_func ("/framer/size/exceeded-skips-rest", test_size_exceeded_skips_rest);
  g_test_add_func ("/framer/size/huge-string", test_size_huge_string);
  g_test_add_func ("/framer/values/limit", test_values_limit);
  for (gsize i = 0; i < G_N_ELEMENTS (strict_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/framer/strict/%s", strict_cases[i].name);
      g_test_add_data_func (path, &strict_cases[i], test_strict);
    }
  g_test_add_func ("/framer/nul-bytes", test_nul_bytes);
  g_test_add_func ("/framer/top-level-scalars", test_top_level_scalars);
  g_test_add_func ("/framer/number-waits-for-delimiter", test_number_waits_for_delimiter);
  g_test_add_func ("/framer/numbers-pass-through", test_numbers_pass_through);
  g_test_add_func ("/framer/single-quotes", test_single_quotes);
  g_test_add_func ("/framer/duplicate-keys-pass-through", test_duplicate_keys_pass_through);
  g_test_add_func ("/framer/reset", test_reset);

  return g_test_run ();
}
