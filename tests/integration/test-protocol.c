/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wire protocol of guestlinkd as a host sees it: raw bytes in over the
 * unix socket, reply lines out, compared byte for byte.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "agent-harness.h"

/* A guestlinkd of its own for each case (agent-harness.h). */
typedef AgentFixture Fixture;

static void
assert_exchange (Fixture    *fixture,
                 const char *request,
                 const char *expected_reply)
{
  g_autofree char *reply = harness_exchange (test_agent_get_socket_path (fixture->agent),
                                             request);

  g_assert_cmpstr (reply, ==, expected_reply);
}

static void
test_ping (Fixture       *fixture,
           gconstpointer  data)
{
  assert_exchange (fixture, PING, PING_REPLY);
  assert_exchange (fixture, "{\"execute\":\"guest-ping\",\"arguments\":{}}", PING_REPLY);
}

/* Every JSON type as an id, and how it comes back: qemu-ga's encoding,
 * ASCII only, ", " and ": " separators, members in the sender's order. */
static const struct {
  const char *id;
  const char *echoed;
} id_cases[] = {
  { "1", "1" },
  { "-5", "-5" },
  { "0", "0" },
  { "1.5", "1.5" },
  { "0.1", "0.10000000000000001" },
  { "1e3", "1000" },
  { "1.0", "1" },
  { "-0.0", "-0" },
  { "9223372036854775807", "9223372036854775807" },
  { "-9223372036854775808", "-9223372036854775808" },
  /* Past gint64 a number is a double, as in qemu (see test-differential
   * for the [2^63, 2^64) range, where qemu keeps a uint64). */
  { "99999999999999999999999", "9.9999999999999992e+22" },
  { "\"abc\\u00e9\\n\\t/\\u0001\\u007f\"", "\"abc\\u00E9\\n\\t/\\u0001\\u007F\"" },
  { "\"\xC3\xA9\xF0\x9F\x98\x80\"", "\"\\u00E9\\uD83D\\uDE00\"" },
  { "\"\\\"\\\\\\b\\f\\r\"", "\"\\\"\\\\\\b\\f\\r\"" },
  { "'single'", "\"single\"" },
  { "\"\"", "\"\"" },
  { "null", "null" },
  { "true", "true" },
  { "false", "false" },
  { "[]", "[]" },
  { "[1,{\"a\":[]},{}]", "[1, {\"a\": []}, {}]" },
  { "{}", "{}" },
  { "{\"a\":1}", "{\"a\": 1}" },
  { "{\"zeta\":1,\"alpha\":[true,null],\"mid\":{\"x\":\"y\"}}",
    "{\"zeta\": 1, \"alpha\": [true, null], \"mid\": {\"x\": \"y\"}}" },
  { " [ 1 , 2 ] ", "[1, 2]" },
};

static void
test_id_echo (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(Client) client = agent_fixture_connect (fixture);

  for (gsize i = 0; i < G_N_ELEMENTS (id_cases); i++)
    {
      g_autofree char *request = g_strdup_printf ("{\"execute\":\"guest-ping\",\"id\":%s}",
                                                  id_cases[i].id);
      g_autofree char *expected = g_strdup_printf ("{\"return\": {}, \"id\": %s}\n",
                                                   id_cases[i].echoed);
      g_autofree char *reply = NULL;

      harness_message_bytes ("id", id_cases[i].id, -1);
      client_send_str (client, request);
      reply = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);
      g_assert_cmpstr (reply, ==, expected);
    }
}

static void
test_sync (Fixture       *fixture,
           gconstpointer  data)
{
  assert_exchange (fixture, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1234}}",
                   "{\"return\": 1234}\n");
  assert_exchange (fixture, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":-9223372036854775808}}",
                   "{\"return\": -9223372036854775808}\n");
  /* The argument is returned, the request id echoed: both, distinct. */
  assert_exchange (fixture, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":5},\"id\":\"req\"}",
                   "{\"return\": 5, \"id\": \"req\"}\n");
  assert_exchange (fixture, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1.5}}",
                   "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                   "\"Invalid parameter type for 'id', expected: integer\"}}\n");
  assert_exchange (fixture, "{\"execute\":\"guest-sync\"}",
                   "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                   "\"Parameter 'id' is missing\"}}\n");
}

static void
test_sync_delimited (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(Client) client = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  assert_exchange (fixture, "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":77}}",
                   "\xFF{\"return\": 77}\n");

  /* How libvirt uses it: a 0xFF first, to flush whatever half request an
   * earlier session left; that byte earns the error qemu-ga gives it,
   * which the host skips by reading up to the 0xFF of the reply. */
  client = agent_fixture_connect (fixture);
  client_send_str (client, "\xFF{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":4242}}");
  lines = client_read_lines (client, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==,
                   "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                   "\"JSON parse error, stray '\\uFFFD'\"}}\n");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "\xFF{\"return\": 4242}\n");
}

static const char * const protocol_commands[] = {
  "guest-sync-delimited", "guest-sync", "guest-ping", "guest-info",
};

static void
test_info (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *reply = harness_exchange (test_agent_get_socket_path (fixture->agent),
                                             "{\"execute\":\"guest-info\"}");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *version = g_strdup_printf ("{\"return\": {\"version\": \"%s\", ",
                                              harness_project_version ());
  JsonObject *info;
  JsonArray *commands;

  g_assert_true (g_str_has_prefix (reply, version));

  /* Byte-exact entries, members in qemu-ga's order. */
  for (gsize i = 0; i < G_N_ELEMENTS (protocol_commands); i++)
    {
      g_autofree char *entry = g_strdup_printf ("{\"enabled\": true, \"name\": \"%s\", "
                                                "\"success-response\": true}",
                                                protocol_commands[i]);
      g_assert_nonnull (strstr (reply, entry));
    }

  json_parser_load_from_data (parser, reply, -1, &error);
  g_assert_no_error (error);
  info = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                        "return");
  g_assert_nonnull (info);
  g_assert_cmpstr (json_object_get_string_member (info, "version"), ==,
                   harness_project_version ());
  commands = json_object_get_array_member (info, "supported_commands");
  g_assert_nonnull (commands);
  g_assert_cmpuint (json_array_get_length (commands), >=, G_N_ELEMENTS (protocol_commands));

  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      JsonObject *command = json_array_get_object_element (commands, i);
      g_autoptr(GList) members = json_object_get_members (command);

      g_assert_cmpuint (g_list_length (members), ==, 3);
      g_assert_cmpstr (g_list_nth_data (members, 0), ==, "enabled");
      g_assert_cmpstr (g_list_nth_data (members, 1), ==, "name");
      g_assert_cmpstr (g_list_nth_data (members, 2), ==, "success-response");
    }
}

static void
test_split_bytes (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(Client) client = agent_fixture_connect (fixture);
  const char *request = "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":31337},\"id\":[\"x\"]}";
  g_autofree char *all_but_last = g_strndup (request, strlen (request) - 1);
  g_autoptr(GByteArray) early = NULL;
  g_autofree char *reply = NULL;

  /* One byte per write, with pauses so that each is a read of its own. */
  client_send_bytewise (client, all_but_last, 2000);
  early = client_read_for (client, HARNESS_SILENCE_MS);
  g_assert_cmpuint (early->len, ==, 0);

  client_send_str (client, "}");
  reply = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);
  g_assert_cmpstr (reply, ==, "{\"return\": 31337, \"id\": [\"x\"]}\n");

  /* A multi-byte UTF-8 character split across reads. */
  g_clear_pointer (&reply, g_free);
  client_send_bytewise (client, "{\"execute\":\"guest-ping\",\"id\":\"\xF0\x9F\x98\x80\"}", 1000);
  reply = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);
  g_assert_cmpstr (reply, ==, "{\"return\": {}, \"id\": \"\\uD83D\\uDE00\"}\n");
}

static void
test_pipelined (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(Client) client = agent_fixture_connect (fixture);
  g_autoptr(GString) requests = g_string_new (NULL);
  g_autoptr(GPtrArray) lines = NULL;

  /* Mixed commands, so a reordering between them would show. */
  for (guint i = 0; i < 100; i++)
    {
      if (i % 2 == 0)
        g_string_append_printf (requests, "{\"execute\":\"guest-ping\",\"id\":%u}", i);
      else
        g_string_append_printf (requests, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":%u}}\n", i);
    }

  client_send (client, requests->str, requests->len);
  lines = client_read_lines (client, 100);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *expected = i % 2 == 0 ?
        g_strdup_printf ("{\"return\": {}, \"id\": %u}\n", i) :
        g_strdup_printf ("{\"return\": %u}\n", i);

      g_assert_cmpstr (g_ptr_array_index (lines, i), ==, expected);
    }
}

/* Each is one broken message: exactly one error, then the next request is
 * served as if nothing had happened. */
static const struct {
  const char *input;
  const char *desc;
} malformed_cases[] = {
  { "{\"execute\":\"guest-ping\",}", "JSON parse error, expecting value" },
  { "{\"execute\":\"guest-ping\",\"id\":[1,]}", "JSON parse error, expecting value" },
  { "{\"execute\":\"guest-ping\",\"execute\":\"guest-ping\"}", "JSON parse error, duplicate key" },
  { "{1:2}", "JSON parse error, key is not a string in object" },
  { "@", "JSON parse error, stray '@'" },
  { "xyz", "JSON parse error, invalid keyword 'xyz'" },
  { "}", "JSON parse error, expecting value" },
  { "]", "JSON parse error, expecting value" },
  { "{\"execute\":\"guest-ping\",\"id\":\"\\x\"}", "JSON parse error, invalid escape sequence in string" },
  { "{\"execute\":\"guest-ping\",\"id\":\"\xC3\"}", "JSON parse error, invalid UTF-8 sequence in string" },
  { "{\"execute\":\"guest-ping\",\"id\":tru}", "JSON parse error, invalid keyword 'tru'" },
  { "[[[[}}}}", "JSON parse error, expecting value" },
  { "[1]", "QMP input must be a JSON object" },
  { "\"str\"", "QMP input must be a JSON object" },
  { "{\"execute\":1}", "QMP input member 'execute' must be a string" },
  { "{}", "QMP input lacks member 'execute'" },
  { "{\"execute\":\"guest-ping\",\"foo\":1}", "QMP input member 'foo' is unexpected" },
};

static void
test_malformed_then_good (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(Client) client = agent_fixture_connect (fixture);

  for (gsize i = 0; i < G_N_ELEMENTS (malformed_cases); i++)
    {
      const char *good_reply = "{\"return\": {}, \"id\": \"good\"}\n";
      g_autofree char *expected = g_strdup_printf ("{\"error\": {\"class\": \"GenericError\", "
                                                   "\"desc\": \"%s\"}}\n",
                                                   malformed_cases[i].desc);
      g_autoptr(GPtrArray) lines = NULL;

      harness_message_bytes ("input", malformed_cases[i].input, -1);
      client_send_str (client, malformed_cases[i].input);
      client_send_str (client, "{\"execute\":\"guest-ping\",\"id\":\"good\"}");
      lines = client_read_lines_until (client, good_reply);
      g_assert_cmpuint (lines->len, ==, 2);
      g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, expected);
    }
}

static void
test_resync (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const interrupted[] = {
    "{\"execute\":\"guest-ping\",\"id\":",          /* between tokens */
    "{\"execute\":\"guest-ping\",\"id\":\"ab",      /* inside a string */
    "{\"execute\":\"guest-ping\",\"id\":[{\"a\":[", /* deep inside */
    "{\"execute\":\"guest-ping\",\"id\":12",        /* inside a number */
  };
  g_autoptr(Client) client = agent_fixture_connect (fixture);

  for (gsize i = 0; i < G_N_ELEMENTS (interrupted); i++)
    {
      const char *resync_error = "{\"error\": {\"class\": \"GenericError\", "
                                 "\"desc\": \"JSON parse error, stray '\\uFFFD'\"}}\n";
      g_autofree char *input = g_strconcat (interrupted[i], "\xFF",
                                            "{\"execute\":\"guest-ping\",\"id\":2}", NULL);
      g_autoptr(GPtrArray) lines = NULL;

      /* The 0xFF drops the partial message: its rest can never complete
       * it, and the request after the 0xFF is served. */
      harness_message_bytes ("interrupted", interrupted[i], -1);
      client_send_str (client, input);
      lines = client_read_lines (client, 2);
      g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, resync_error);
      g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "{\"return\": {}, \"id\": 2}\n");
    }

  /* Garbage left of an interrupted message is skipped up to the next '{'. */
  client_send_str (client, "{\"execute\":\"guest-ping\",\"id\":\"ab\xFF" "cd\"}, 7]"
                           "{\"execute\":\"guest-ping\",\"id\":3}");
  {
    g_autoptr(GPtrArray) lines = client_read_lines_until (client, "{\"return\": {}, \"id\": 3}\n");

    g_assert_cmpuint (lines->len, ==, 2);
  }
}

int
main (int    argc,
      char **argv)
{
  harness_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, agent_fixture_set_up, func, agent_fixture_tear_down)
  ADD ("/protocol/ping", test_ping);
  ADD ("/protocol/id-echo", test_id_echo);
  ADD ("/protocol/sync", test_sync);
  ADD ("/protocol/sync-delimited", test_sync_delimited);
  ADD ("/protocol/info", test_info);
  ADD ("/protocol/split-bytes", test_split_bytes);
  ADD ("/protocol/pipelined", test_pipelined);
  ADD ("/protocol/malformed-then-good", test_malformed_then_good);
  ADD ("/protocol/resync", test_resync);
#undef ADD

  return harness_run ();
}
