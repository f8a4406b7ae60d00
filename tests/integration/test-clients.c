/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How unix-listen treats its clients: one at a time, the next one served as
 * soon as the current one leaves, nothing of one client leaking into the
 * next, and a client that does not read its replies slowed down rather
 * than buffered without bound.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "agent-harness.h"

/* "At once" for a local socket, with room for a loaded sanitizer build. */
#define PROMPT_MS 1000

/* A guestlinkd of its own for each case (agent-harness.h). */
typedef AgentFixture Fixture;

static void
assert_ping (Client *client)
{
  g_autofree char *reply = NULL;

  client_send_str (client, PING);
  reply = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);
  g_assert_cmpstr (reply, ==, PING_REPLY);
}

static void
test_second_waits (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(Client) first = agent_fixture_connect (fixture);
  g_autoptr(Client) second = NULL;
  g_autoptr(GByteArray) early = NULL;
  g_autofree char *reply = NULL;
  gint64 closed_at;

  assert_ping (first);

  /* connect() succeeds (the backlog), but nobody reads the request yet. */
  second = agent_fixture_connect (fixture);
  client_send_str (second, "{\"execute\":\"guest-ping\",\"id\":\"second\"}");
  early = client_read_for (second, HARNESS_SILENCE_MS);
  g_assert_cmpuint (early->len, ==, 0);

  /* The first keeps its turn while it stays connected. */
  assert_ping (first);

  g_clear_pointer (&first, client_free);
  closed_at = g_get_monotonic_time ();
  reply = client_read_line (second, HARNESS_REPLY_TIMEOUT_MS);
  g_assert_cmpstr (reply, ==, "{\"return\": {}, \"id\": \"second\"}\n");
  g_test_message ("second client served %" G_GINT64_FORMAT " ms after the first left",
                  (g_get_monotonic_time () - closed_at) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - closed_at, <, PROMPT_MS * 1000);
}

static void
test_half_request (Fixture       *fixture,
                   gconstpointer  data)
{
  /* Cut at places where the rest of a well-formed request would be read
   * as something else: inside a string, after a key, inside an array. */
  static const char * const halves[] = {
    "{\"execute\":\"guest-ping\",\"id\":\"",
    "{\"execute\":\"guest-ping\",\"id\":",
    "{\"execute\":\"guest-ping\",\"id\":[1,{\"a\":",
    "{\"execute\":\"guest-ping\",\"id\":\"\\",
    "{\"execute\":\"guest-ping\",\"id\":\"\xF0\x9F",
    "{\"execute\":\"guest-ping\",\"id\":tr",
    "{\"execute\":\"guest-ping\",\"id\":12",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (halves); i++)
    {
      g_autoptr(Client) quitter = agent_fixture_connect (fixture);
      g_autoptr(Client) next = NULL;
      g_autoptr(GByteArray) rest = NULL;
      g_autofree char *reply = NULL;

      harness_message_bytes ("half request", halves[i], -1);
      client_send_str (quitter, halves[i]);
      g_clear_pointer (&quitter, client_free);

      next = agent_fixture_connect (fixture);
      client_send_str (next, "{\"execute\":\"guest-ping\",\"id\":2}");
      reply = client_read_line (next, HARNESS_REPLY_TIMEOUT_MS);
      g_assert_cmpstr (reply, ==, "{\"return\": {}, \"id\": 2}\n");
      /* Nothing else: no error about the other client's bytes. */
      rest = client_read_for (next, HARNESS_SILENCE_MS / 3);
      g_assert_cmpuint (rest->len, ==, 0);
    }
}

static void
test_connect_close (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(Client) client = NULL;
  gint64 start;

  for (guint i = 0; i < 20; i++)
    client_free (agent_fixture_connect (fixture));

  /* Clients that leave without reading their reply: the agent's write
   * fails (EPIPE) and must cost it nothing but that reply. */
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(Client) impatient = agent_fixture_connect (fixture);

      client_send_str (impatient, PING);
    }

  start = g_get_monotonic_time ();
  client = agent_fixture_connect (fixture);
  assert_ping (client);
  g_test_message ("served %" G_GINT64_FORMAT " ms after 40 short-lived clients",
                  (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, PROMPT_MS * 1000);
  g_assert_true (test_agent_is_running (fixture->agent));
}

/* Back-pressure. Replies are made long enough that all of them together
 * (about 4.5 MiB) are far more than the agent's output queue (1 MiB) and
 * the socket buffers: an agent that kept reading would have to hold them. */
#define N_PINGS 20000
#define ID_PADDING 200

typedef struct {
  Client *client;
  GString *requests;
  gboolean shut_down_after;   /* then shutdown (SHUT_WR), as socat does */
  gint done;
} Writer;

static gpointer
write_all (gpointer data)
{
  Writer *writer = data;

  client_send (writer->client, writer->requests->str, writer->requests->len);
  if (writer->shut_down_after)
    g_assert_cmpint (shutdown (client_get_fd (writer->client), SHUT_WR), ==, 0);
  g_atomic_int_set (&writer->done, TRUE);
  return NULL;
}

static char *
padded_id (guint i)
{
  g_autofree char *padding = g_strnfill (ID_PADDING, 'p');

  return g_strdup_printf ("\"%05u-%s\"", i, padding);
}

static void
test_back_pressure (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(Client) client = agent_fixture_connect (fixture);
  g_autoptr(GString) requests = g_string_new (NULL);
  Writer writer = { client, requests, FALSE, FALSE };
  GThread *thread;
  pid_t pid = test_agent_get_pid (fixture->agent);
  guint64 rss_idle, rss_paused;
  gboolean done_while_not_reading;

  for (guint i = 0; i < N_PINGS; i++)
    {
      g_autofree char *id = padded_id (i);

      g_string_append_printf (requests, "{\"execute\":\"guest-ping\",\"id\":%s}", id);
    }

  assert_ping (client);
  rss_idle = harness_read_status_kib (pid, "VmRSS");

  /* The sends block once the agent stops reading: they need a thread of
   * their own while this one does not read. */
  thread = g_thread_new ("writer", write_all, &writer);
  g_usleep (G_USEC_PER_SEC);
  done_while_not_reading = g_atomic_int_get (&writer.done);
  rss_paused = harness_read_status_kib (pid, "VmRSS");
  g_test_message ("%u requests of %" G_GSIZE_FORMAT " bytes in all; after 1 s without "
                  "reading, the writer had %s; VmRSS idle %" G_GUINT64_FORMAT " KiB, "
                  "paused %" G_GUINT64_FORMAT " KiB",
                  N_PINGS, requests->len, done_while_not_reading ? "finished" : "blocked",
                  rss_idle, rss_paused);
  /* The agent stopped reading: it did not take all requests and queue
   * all replies for a peer that does not read them. */
  g_assert_false (done_while_not_reading);

  for (guint i = 0; i < N_PINGS; i++)
    {
      g_autofree char *id = padded_id (i);
      g_autofree char *expected = g_strdup_printf ("{\"return\": {}, \"id\": %s}\n", id);
      g_autofree char *reply = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);

      if (g_strcmp0 (reply, expected) != 0)
        harness_fail ("reply %u of %u: expected %s, got %s", i, N_PINGS, expected,
                      reply != NULL ? reply : "nothing");
    }

  g_thread_join (thread);
  g_assert_true (g_atomic_int_get (&writer.done));

  /* The connection is in a normal state again. */
  assert_ping (client);
}

/*
 * A client that sends all its requests, shuts down its writing side and
 * then reads (socat, "nc -N", any script that closes stdin) is still
 * waiting for its replies: the end of its input is not the end of the
 * connection. qemu-ga answers all of them.
 *
 * The replies (about 900 KiB) are more than the socket buffers hold, so
 * some are still queued in guestlinkd when it reads the end of input, and
 * less than its 1 MiB queue, so it reads all requests without waiting for
 * the client. qemu-ga, which writes each reply before reading on, makes
 * the writer wait instead: hence the thread.
 */
#define N_HALF_CLOSE 4000

static void
test_half_close (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(Client) client = agent_fixture_connect (fixture);
  g_autoptr(GString) requests = g_string_new (NULL);
  Writer writer = { client, requests, TRUE, FALSE };
  GThread *thread;
  guint received = 0;

  for (guint i = 0; i < N_HALF_CLOSE; i++)
    {
      g_autofree char *id = padded_id (i);

      g_string_append_printf (requests, "{\"execute\":\"guest-ping\",\"id\":%s}", id);
    }

  thread = g_thread_new ("writer", write_all, &writer);
  /* Long enough for all requests and the end of input to arrive first. */
  g_usleep (G_USEC_PER_SEC / 2);

  for (; received < N_HALF_CLOSE; received++)
    {
      g_autofree char *id = padded_id (received);
      g_autofree char *expected = g_strdup_printf ("{\"return\": {}, \"id\": %s}\n", id);
      g_autofree char *reply = client_read_line (client, HARNESS_REPLY_TIMEOUT_MS);

      if (reply == NULL)
        break;
      g_assert_cmpstr (reply, ==, expected);
    }

  g_thread_join (thread);
  g_test_message ("%u of %u replies before the agent closed the connection",
                  received, N_HALF_CLOSE);
  g_assert_cmpuint (received, ==, N_HALF_CLOSE);
  /* Then the agent closes: the client said it has nothing more. */
  g_assert_true (client_wait_closed (client, HARNESS_REPLY_TIMEOUT_MS));
}

int
main (int    argc,
      char **argv)
{
  harness_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, agent_fixture_set_up, func, agent_fixture_tear_down)
  ADD ("/clients/second-waits", test_second_waits);
  ADD ("/clients/half-request", test_half_request);
  ADD ("/clients/connect-close", test_connect_close);
  ADD ("/clients/back-pressure", test_back_pressure);
  /* Last: it fails on a known guestlinkd bug, and a failure ends the run. */
  ADD ("/clients/half-close", test_half_close);
#undef ADD

  return harness_run ();
}
