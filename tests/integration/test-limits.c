/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Input limits: a request past the size, nesting or token limits gets one
 * error, costs no lasting memory, and the agent keeps serving the same
 * connection.
 */
#include "config.h"

#include <string.h>

#include "agent-harness.h"

#define ERROR_REPLY(desc) "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}}\n"
#define SIZE_ERROR ERROR_REPLY ("JSON token size limit exceeded")
#define DEPTH_ERROR ERROR_REPLY ("JSON nesting depth limit exceeded")

/* Allowed RSS growth across one rejected huge message: the framer may keep
 * a small buffer, but never the message. */
#define RSS_TOLERANCE_KIB 1024

/* {"execute":"guest-ping","id":"xxx..."} of exactly @length bytes. */
static GString *
request_of_length (gsize length)
{
  const char *head = "{\"execute\":\"guest-ping\",\"id\":\"";
  const char *tail = "\"}";
  GString *request = g_string_sized_new (length + 1);

  g_assert_cmpuint (length, >, strlen (head) + strlen (tail));
  g_string_append (request, head);
  while (request->len < length - strlen (tail))
    g_string_append_c (request, 'x');
  g_string_append (request, tail);
  g_assert_cmpuint (request->len, ==, length);
  return request;
}

/* Sends @input, then a ping, and returns every line up to the ping's
 * reply: the ping shows the connection still works, and whatever came
 * before it is all that @input caused. */
static GPtrArray *
send_then_ping (Client     *client,
                const char *input,
                gsize       length)
{
  client_send (client, input, length);
  client_send_str (client, PING);
  return client_read_lines_until (client, PING_REPLY);
}

static void
test_token_size (void)
{
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  g_autoptr(Client) client = client_connect (test_agent_get_socket_path (agent));
  g_autoptr(GString) huge = request_of_length (32 * 1024 * 1024);
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *reply = NULL;
  guint64 rss_before, rss_after;

  client_send_str (client, PING);
  reply = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);
  g_assert_cmpstr (reply, ==, PING_REPLY);
  rss_before = harness_read_status_kib (test_agent_get_pid (agent), "VmRSS");

  /* One string of 32 MiB, twice the default limit: one error, not one
   * per chunk read, and the rest of the string is skipped. */
  lines = send_then_ping (client, huge->str, huge->len);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, SIZE_ERROR);

  rss_after = harness_read_status_kib (test_agent_get_pid (agent), "VmRSS");
  g_test_message ("VmRSS after start and ping: %" G_GUINT64_FORMAT " KiB; after the "
                  "rejected 32 MiB message and a ping: %" G_GUINT64_FORMAT " KiB",
                  rss_before, rss_after);
  /* A regression guard, not a benchmark. Under ASan the freed buffer sits
   * in the allocator's quarantine, so the figure says nothing there. */
  if (harness_is_sanitized ())
    g_test_message ("sanitizer build: RSS growth not asserted");
  else
    g_assert_cmpuint (rss_after, <=, rss_before + RSS_TOLERANCE_KIB);

  test_agent_stop_cleanly (agent);
}

static void
test_max_message_size (void)
{
  const char * const args[] = { "--max-message-size", "4096", NULL };
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, args);
  g_autoptr(Client) client = client_connect (test_agent_get_socket_path (agent));
  const gsize accepted[] = { 4000, 4096 };
  const gsize rejected[] = { 4097, 5000 };

  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GString) request = request_of_length (accepted[i]);
      g_autoptr(GPtrArray) lines = NULL;

      g_test_message ("%" G_GSIZE_FORMAT " bytes: accepted", accepted[i]);
      lines = send_then_ping (client, request->str, request->len);
      g_assert_cmpuint (lines->len, ==, 2);
      g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, 0),
                                       "{\"return\": {}, \"id\": \"xxx"));
    }

  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_autoptr(GString) request = request_of_length (rejected[i]);
      g_autoptr(GPtrArray) lines = NULL;

      g_test_message ("%" G_GSIZE_FORMAT " bytes: rejected", rejected[i]);
      lines = send_then_ping (client, request->str, request->len);
      g_assert_cmpuint (lines->len, ==, 2);
      g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, SIZE_ERROR);
    }

  test_agent_stop_cleanly (agent);
}

static void
test_nesting_limit (void)
{
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  g_autoptr(Client) client = client_connect (test_agent_get_socket_path (agent));
  g_autofree char *deepest_allowed = harness_ping_of_depth (1024);
  g_autofree char *too_deep = harness_ping_of_depth (1025);
  g_autoptr(GPtrArray) lines = NULL;

  /* 1024 levels, qemu's limit, are still a request. */
  lines = send_then_ping (client, deepest_allowed, strlen (deepest_allowed));
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, 0), "{\"return\": {}, \"id\": [[[["));
  g_clear_pointer (&lines, g_ptr_array_unref);

  lines = send_then_ping (client, too_deep, strlen (too_deep));
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, DEPTH_ERROR);

  test_agent_stop_cleanly (agent);
}

static void
test_nesting_hostile (void)
{
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  g_autoptr(Client) client = client_connect (test_agent_get_socket_path (agent));
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GPtrArray) lines = NULL;
  const guint depth = 100000;

  /* Deep enough to overflow the stack of a recursive parser. */
  for (guint i = 0; i < depth; i++)
    g_string_append_c (input, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (input, ']');

  lines = send_then_ping (client, input->str, input->len);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, DEPTH_ERROR);
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* Never closed: only a 0xFF ends the skipping. */
  g_string_truncate (input, depth);
  g_string_append_c (input, '\xFF');
  lines = send_then_ping (client, input->str, input->len);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, DEPTH_ERROR);
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, ERROR_REPLY ("JSON parse error, stray '\\uFFFD'"));

  g_assert_true (test_agent_is_running (agent));
  test_agent_stop_cleanly (agent);
}

static void
test_token_count (void)
{
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  g_autoptr(Client) client = client_connect (test_agent_get_socket_path (agent));
  g_autoptr(GString) input = g_string_new ("{\"execute\":\"guest-ping\",\"id\":[");
  g_autoptr(GPtrArray) lines = NULL;

  /* 2^20 values fit in a few MiB, well below the size limit: this limit
   * protects the parser's per-value allocations, not the buffer. */
  for (guint i = 0; i < (1u << 20); i++)
    g_string_append (input, "0,");
  g_string_append (input, "0]}");

  lines = send_then_ping (client, input->str, input->len);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, ERROR_REPLY ("JSON token count limit exceeded"));

  test_agent_stop_cleanly (agent);
}

int
main (int    argc,
      char **argv)
{
  harness_init (&argc, &argv);

  g_test_add_func ("/limits/token-size-32mib", test_token_size);
  g_test_add_func ("/limits/max-message-size", test_max_message_size);
  g_test_add_func ("/limits/nesting-1025", test_nesting_limit);
  g_test_add_func ("/limits/nesting-100000", test_nesting_hostile);
  g_test_add_func ("/limits/token-count", test_token_count);

  return harness_run ();
}
