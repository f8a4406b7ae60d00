/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libguestlink against a scripted fake agent: timeouts, cancellation,
 * resynchronisation, broken replies and lost connections. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <guestlink-1/guestlink.h>

#include "async-result.h"
#include "fake-agent.h"

static GuestlinkClient *
client_for (FakeAgent *fake,
            int        timeout_msec)
{
  GuestlinkClient *client;

  client = guestlink_client_new_for_socket_path (fake_agent_get_socket_path (fake));
  guestlink_client_set_default_timeout_msec (client, timeout_msec);

  return client;
}

static gint64
elapsed_msec (gint64 start)
{
  return (g_get_monotonic_time () - start) / G_TIME_SPAN_MILLISECOND;
}

/* Answers only once the test says so. */
static void
handle_when_answering (FakeConn   *conn,
                       JsonObject *request,
                       gpointer    user_data)
{
  int *answering = user_data;

  if (g_atomic_int_get (answering))
    fake_answer (conn, request);
}

static void
test_timeout_then_rehandshake (void)
{
  int answering = FALSE;
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_when_answering, &answering);
  g_autoptr(GuestlinkClient) client = client_for (fake, 200);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* The agent accepts and never answers: the handshake times out. */
  g_assert_false (guestlink_client_ping (client, NULL, &error));
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, fake_agent_get_socket_path (fake)));
  g_assert_cmpint (elapsed_msec (start), >=, 150);
  g_assert_cmpint (elapsed_msec (start), <, 5000);
  g_clear_error (&error);
  g_assert_cmpuint (fake_agent_count (fake, "guest-ping"), ==, 0);

  /* Now it answers: the next call resynchronises on the same connection
   * before it sends its request. */
  g_atomic_int_set (&answering, TRUE);
  g_assert_true (guestlink_client_ping (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_agent_count (fake, "guest-sync-delimited"), ==, 2);
  g_assert_cmpuint (fake_agent_count (fake, "guest-ping"), ==, 1);
  g_assert_cmpuint (fake_agent_get_n_connections (fake), ==, 1);
}

typedef struct
{
  int n_pings;
  char *late_reply;  /* sent before answering the next request */
} LateState;

/* Leaves the first guest-ping unanswered, and sends its reply late, just
 * before answering the next request. */
static void
handle_late_reply (FakeConn   *conn,
                   JsonObject *request,
                   gpointer    user_data)
{
  LateState *state = user_data;
  const char *command = fake_request_get_command (request);

  if (state->late_reply != NULL)
    {
      fake_conn_send (conn, state->late_reply, -1);
      g_clear_pointer (&state->late_reply, g_free);
    }

  if (g_str_equal (command, "guest-ping") && state->n_pings++ == 0)
    {
      g_autofree char *id = fake_request_id_member (request);

      state->late_reply = g_strdup_printf ("{\"return\": \"late\"%s}\n", id);
      return;
    }

  fake_answer (conn, request);
}

static void
test_timeout_late_reply_skipped (void)
{
  LateState state = { 0, };
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_late_reply, &state);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);
  g_autoptr(JsonObject) arguments = json_object_new ();
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (guestlink_client_connect (client, NULL, &error));
  g_assert_no_error (error);

  result = guestlink_client_call (client, "guest-ping", NULL, 200, NULL, &error);
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_TIMEOUT);
  g_assert_null (result);
  g_clear_error (&error);

  /* The late "late" reply must not be taken for this call's answer. */
  json_object_set_int_member (arguments, "id", 31337);
  result = guestlink_client_call (client, "guest-sync", arguments, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (result), ==, 31337);
  g_assert_cmpuint (fake_agent_count (fake, "guest-sync-delimited"), ==, 2);

  g_free (state.late_reply);
}

/* Answers the handshake, never a guest-ping until told to. */
static void
handle_ping_when_answering (FakeConn   *conn,
                            JsonObject *request,
                            gpointer    user_data)
{
  int *answering = user_data;

  if (g_str_equal (fake_request_get_command (request), "guest-ping") &&
      !g_atomic_int_get (answering))
    return;

  fake_answer (conn, request);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

static void
test_cancel_async (void)
{
  int answering = FALSE;
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_ping_when_answering, &answering);
  g_autoptr(GuestlinkClient) client = client_for (fake, 10000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* No timeout at all: only the cancellation can end this call. It comes
   * once the agent has the request, however slow the machine is. */
  guestlink_client_call_async (client, "guest-ping", NULL, 0, cancellable,
                               async_result_store, &result);
  while (fake_agent_count (fake, "guest-ping") == 0)
    {
      g_assert_cmpint (elapsed_msec (start), <, 5000);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_timeout_add (10, cancel_cb, cancellable);

  node = guestlink_client_call_finish (client, async_result_wait (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (node);
  g_assert_cmpint (elapsed_msec (start), <, 5000);
  g_clear_error (&error);
  g_assert_cmpuint (fake_agent_count (fake, "guest-ping"), ==, 1);

  g_atomic_int_set (&answering, TRUE);
  g_assert_true (guestlink_client_ping (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_agent_count (fake, "guest-sync-delimited"), ==, 2);
}

static gpointer
cancel_later_thread (gpointer user_data)
{
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return NULL;
}

static void
test_cancel_sync (void)
{
  int answering = FALSE;
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_ping_when_answering, &answering);
  g_autoptr(GuestlinkClient) client = client_for (fake, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GThread *canceller;

  g_assert_true (guestlink_client_connect (client, NULL, &error));
  g_assert_no_error (error);

  canceller = g_thread_new ("canceller", cancel_later_thread, cancellable);
  node = guestlink_client_call (client, "guest-ping", NULL, 0, cancellable, &error);
  g_thread_join (canceller);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (node);
}

static void
test_cancel_before_call (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (guestlink_client_connect (client, NULL, &error));
  g_assert_no_error (error);

  g_cancellable_cancel (cancellable);
  g_assert_false (guestlink_client_ping (client, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (fake_agent_count (fake, "guest-ping"), ==, 0);

  g_assert_true (guestlink_client_ping (client, NULL, &error));
  g_assert_no_error (error);
}

static void
test_byte_by_byte (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);
  g_autoptr(GuestlinkClient) client = client_for (fake, 20000);
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  fake_agent_set_byte_by_byte (fake, TRUE);

  g_assert_true (guestlink_client_ping (client, NULL, &error));
  g_assert_no_error (error);

  info = guestlink_client_get_info (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (guestlink_agent_info_get_version (info), ==, "0.0-fake");
  g_assert_cmpuint (guestlink_agent_info_get_commands (info)->len, ==, 2);
}

/* Old output before the delimiter, and stale lines after it. */
static void
handle_with_garbage (FakeConn   *conn,
                     JsonObject *request,
                     gpointer    user_data)
{
  if (g_str_equal (fake_request_get_command (request), "guest-sync-delimited"))
    {
      fake_conn_send (conn, "garbage\n{\"return\": 12}\n\x01\x02 {\"partial\": ", -1);
      fake_conn_send (conn, "\xffnot json at all\n{\"return\": 5}\n", -1);
    }

  fake_answer (conn, request);
}

static void
test_garbage_before_delimiter (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_with_garbage, NULL);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);
  g_autoptr(GError) error = NULL;

  g_assert_true (guestlink_client_connect (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (guestlink_client_ping (client, NULL, &error));
  g_assert_no_error (error);
}

/* Replies to other requests come first: other ids, no id, a string id. */
static void
handle_with_stale_replies (FakeConn   *conn,
                           JsonObject *request,
                           gpointer    user_data)
{
  if (g_str_equal (fake_request_get_command (request), "guest-sync"))
    {
      gint64 id = json_object_get_int_member (request, "id");

      fake_conn_sendf (conn, "{\"return\": 1, \"id\": %" G_GINT64_FORMAT "}\n", id - 1);
      fake_conn_sendf (conn, "{\"return\": 2}\n");
      fake_conn_sendf (conn, "\n{\"return\": 3, \"id\": \"%" G_GINT64_FORMAT "\"}\n", id);
      fake_conn_sendf (conn, "{\"id\": %" G_GINT64_FORMAT ", \"error\": "
                       "{\"class\": \"GenericError\", \"desc\": \"stale\"}}\n", id + 1);
    }

  fake_answer (conn, request);
}

static void
test_stale_replies_skipped (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_with_stale_replies, NULL);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);
  g_autoptr(JsonObject) arguments = json_object_new ();
  g_autoptr(GError) error = NULL;

  json_object_set_int_member (arguments, "id", 4242);

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(JsonNode) result = NULL;

      result = guestlink_client_call (client, "guest-sync", arguments, -1, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (json_node_get_int (result), ==, 4242);
    }

  /* Skipping stale replies is not a reason to resynchronise. */
  g_assert_cmpuint (fake_agent_count (fake, "guest-sync-delimited"), ==, 1);
}

typedef struct
{
  int n_pings;
  gboolean partial;
} DropState;

/* Drops the connection on the first guest-ping, after half a reply if
 * asked to. */
static void
handle_drop (FakeConn   *conn,
             JsonObject *request,
             gpointer    user_data)
{
  DropState *state = user_data;

  if (g_str_equal (fake_request_get_command (request), "guest-ping") &&
      state->n_pings++ == 0)
    {
      if (state->partial)
        fake_conn_send (conn, "{\"return\": {", -1);
      fake_conn_close (conn);
      return;
    }

  fake_answer (conn, request);
}

static void
test_disconnect_then_reconnect (gconstpointer data)
{
  DropState state = { .partial = GPOINTER_TO_INT (data) };
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_drop, &state);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);
  g_autoptr(GError) error = NULL;

  g_assert_true (guestlink_client_connect (client, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (guestlink_client_ping (client, NULL, &error));
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (error->message, fake_agent_get_socket_path (fake)));
  g_clear_error (&error);

  g_assert_true (guestlink_client_ping (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_agent_get_n_connections (fake), ==, 2);
  g_assert_cmpuint (fake_agent_count (fake, "guest-sync-delimited"), ==, 2);
}

static void
test_close_then_call (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);
  g_autoptr(GError) error = NULL;

  g_assert_true (guestlink_client_ping (client, NULL, &error));
  g_assert_no_error (error);
  guestlink_client_close (client);
  guestlink_client_close (client);
  g_assert_true (guestlink_client_ping (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_agent_get_n_connections (fake), ==, 2);
}

/* Sends user_data as the reply to the first guest-ping. */
static void
handle_bad_reply (FakeConn   *conn,
                  JsonObject *request,
                  gpointer    user_data)
{
  const char **reply = user_data;

  if (g_str_equal (fake_request_get_command (request), "guest-ping") && *reply != NULL)
    {
      fake_conn_send_reply (conn, *reply, request);
      *reply = NULL;
      return;
    }

  fake_answer (conn, request);
}

static void
test_protocol_error (gconstpointer data)
{
  const char *reply = data;
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_bad_reply, &reply);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);
  g_autoptr(GError) error = NULL;

  g_assert_false (guestlink_client_ping (client, NULL, &error));
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, fake_agent_get_socket_path (fake)));
  g_clear_error (&error);

  /* The stream may be out of step: the next call resynchronises. */
  g_assert_true (guestlink_client_ping (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_agent_count (fake, "guest-sync-delimited"), ==, 2);
}

/* guest-err-* commands answer with the error named in the table. */
typedef struct
{
  const char *command;
  const char *reply;   /* @ID@ stands for the id member */
  GuestlinkError code;
  const char *message;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "guest-err-generic",
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'x' is unexpected\"}@ID@}\n",
    GUESTLINK_ERROR_GENERIC, "Parameter 'x' is unexpected" },
  { "guest-err-not-found",
    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command guest-err-not-found has not been found\"}@ID@}\n",
    GUESTLINK_ERROR_COMMAND_NOT_FOUND, "The command guest-err-not-found has not been found" },
  { "guest-err-disabled-7-2",
    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Command guest-err-disabled-7-2 has been disabled\"}@ID@}\n",
    GUESTLINK_ERROR_COMMAND_DISABLED, "Command guest-err-disabled-7-2 has been disabled" },
  { "guest-err-disabled-new",
    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Command guest-err-disabled-new has been disabled: the command is not allowed\"}@ID@}\n",
    GUESTLINK_ERROR_COMMAND_DISABLED, "Command guest-err-disabled-new has been disabled: the command is not allowed" },
  { "guest-err-unknown-class",
    "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"no such device\"}@ID@}\n",
    GUESTLINK_ERROR_GENERIC, "no such device" },
  { "guest-err-no-desc",
    "{\"error\": {\"class\": \"GenericError\"}@ID@}\n",
    GUESTLINK_ERROR_GENERIC, "the agent reported an error of class GenericError" },
  /* An error the agent could not give an id to (an unparseable or
   * oversized request) still ends the call. */
  { "guest-err-no-id",
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error\"}}\n",
    GUESTLINK_ERROR_GENERIC, "JSON parse error" },
};

static void
handle_error_cases (FakeConn   *conn,
                    JsonObject *request,
                    gpointer    user_data)
{
  const char *command = fake_request_get_command (request);

  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      if (g_str_equal (command, error_cases[i].command))
        {
          fake_conn_send_reply (conn, error_cases[i].reply, request);
          return;
        }
    }

  fake_answer (conn, request);
}

static void
test_agent_error_classes (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_error_cases, NULL);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);

  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) error = NULL;

      result = guestlink_client_call (client, error_cases[i].command, NULL, -1, NULL, &error);
      g_assert_null (result);
      g_assert_error (error, GUESTLINK_ERROR, (int) error_cases[i].code);
      g_assert_cmpstr (error->message, ==, error_cases[i].message);
    }

  /* Agent errors leave the stream in step: no resynchronisation. */
  g_assert_true (guestlink_client_ping (client, NULL, NULL));
  g_assert_cmpuint (fake_agent_count (fake, "guest-sync-delimited"), ==, 1);
}

static void
handle_bad_info (FakeConn   *conn,
                 JsonObject *request,
                 gpointer    user_data)
{
  const char *reply = user_data;

  if (g_str_equal (fake_request_get_command (request), "guest-info"))
    {
      g_autofree char *text = g_strdup_printf ("{\"return\": %s@ID@}\n", reply);

      fake_conn_send_reply (conn, text, request);
      return;
    }

  fake_answer (conn, request);
}

static void
test_info_malformed (gconstpointer data)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (handle_bad_info, (gpointer) data);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = guestlink_client_get_info (client, NULL, &error);
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL);
  g_assert_null (info);
}

static void
test_info_async (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);
  g_autoptr(GuestlinkClient) client = client_for (fake, 5000);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GuestlinkAgentCommand *command;

  guestlink_client_get_info_async (client, NULL, async_result_store, &result);
  info = guestlink_client_get_info_finish (client, async_result_wait (&result), &error);
  g_assert_no_error (error);

  command = guestlink_agent_info_lookup_command (info, "guest-shutdown");
  g_assert_nonnull (command);
  g_assert_cmpstr (guestlink_agent_command_get_name (command), ==, "guest-shutdown");
  g_assert_false (guestlink_agent_command_get_enabled (command));
  g_assert_false (guestlink_agent_command_get_success_response (command));
  g_assert_null (guestlink_agent_info_lookup_command (info, "guest-nothing"));
}

static void
test_unreachable_missing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("guestlink-client-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "no-such.sock", NULL);
  g_autoptr(GuestlinkClient) client = guestlink_client_new_for_socket_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (guestlink_client_connect (client, NULL, &error));
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
  g_clear_error (&error);

  /* A call connects by itself and fails the same way. */
  g_assert_false (guestlink_client_ping (client, NULL, &error));
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED);

  g_rmdir (dir);
}

static void
test_unreachable_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("guestlink-client-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "stale.sock", NULL);
  g_autoptr(GuestlinkClient) client = guestlink_client_new_for_socket_path (path);
  g_autoptr(GError) error = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  /* A socket file nobody listens on, as a crashed agent leaves behind. */
  strncpy (addr.sun_path, path, sizeof (addr.sun_path) - 1);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof (addr)), ==, 0);
  close (fd);

  g_assert_false (guestlink_client_connect (client, NULL, &error));
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, g_strerror (ECONNREFUSED)));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_vsock_unreachable (void)
{
  /* Nothing listens there; depending on the kernel the connect fails at
   * once or never completes, and either way the address is named. */
  g_autoptr(GuestlinkClient) client = guestlink_client_new_for_vsock (1, 0x7fff1234);
  g_autoptr(GError) error = NULL;

  guestlink_client_set_default_timeout_msec (client, 500);
  g_assert_cmpstr (guestlink_client_get_address (client), ==, "vsock:1:2147422772");

  g_assert_false (guestlink_client_connect (client, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED) ||
                 g_error_matches (error, GUESTLINK_ERROR, GUESTLINK_ERROR_TIMEOUT));
  g_assert_nonnull (strstr (error->message, "vsock:1:2147422772"));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_properties (void)
{
  g_autoptr(GuestlinkClient) client = guestlink_client_new_for_socket_path ("/nonexistent/agent.sock");
  g_autoptr(GuestlinkClient) vsock = guestlink_client_new_for_vsock (3, 1234);
  g_autofree char *path = NULL;
  guint notifications = 0;
  guint cid;
  guint port;

  g_assert_cmpint (guestlink_client_get_default_timeout_msec (client), ==,
                   GUESTLINK_CLIENT_DEFAULT_TIMEOUT_MSEC);
  g_assert_cmpint (GUESTLINK_CLIENT_DEFAULT_TIMEOUT_MSEC, ==, 10000);
  g_assert_cmpstr (guestlink_client_get_address (client), ==, "/nonexistent/agent.sock");
  g_assert_cmpstr (guestlink_client_get_address (vsock), ==, "vsock:3:1234");

  g_object_get (vsock, "socket-path", &path, "vsock-cid", &cid, "vsock-port", &port, NULL);
  g_assert_null (path);
  g_assert_cmpuint (cid, ==, 3);
  g_assert_cmpuint (port, ==, 1234);

  g_signal_connect (client, "notify::default-timeout-msec",
                    G_CALLBACK (count_notify), &notifications);
  guestlink_client_set_default_timeout_msec (client, 500);
  guestlink_client_set_default_timeout_msec (client, 500);
  g_object_set (client, "default-timeout-msec", 0, NULL);
  g_assert_cmpint (guestlink_client_get_default_timeout_msec (client), ==, 0);
  g_assert_cmpuint (notifications, ==, 2);
}

static void
test_error_enum (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (GUESTLINK_TYPE_ERROR);
  GEnumValue *value = g_enum_get_value (klass, GUESTLINK_ERROR_COMMAND_DISABLED);

  g_assert_cmpstr (value->value_nick, ==, "command-disabled");
  g_assert_cmpstr (g_quark_to_string (GUESTLINK_ERROR), ==, "guestlink-error-quark");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/fake/timeout-then-rehandshake", test_timeout_then_rehandshake);
  g_test_add_func ("/client/fake/timeout-late-reply-skipped", test_timeout_late_reply_skipped);
  g_test_add_func ("/client/fake/cancel-async", test_cancel_async);
  g_test_add_func ("/client/fake/cancel-sync", test_cancel_sync);
  g_test_add_func ("/client/fake/cancel-before-call", test_cancel_before_call);
  g_test_add_func ("/client/fake/byte-by-byte", test_byte_by_byte);
  g_test_add_func ("/client/fake/garbage-before-delimiter", test_garbage_before_delimiter);
  g_test_add_func ("/client/fake/stale-replies-skipped", test_stale_replies_skipped);
  g_test_add_data_func ("/client/fake/disconnect/between-replies",
                        GINT_TO_POINTER (FALSE), test_disconnect_then_reconnect);
  g_test_add_data_func ("/client/fake/disconnect/mid-reply",
                        GINT_TO_POINTER (TRUE), test_disconnect_then_reconnect);
  g_test_add_func ("/client/fake/close-then-call", test_close_then_call);
  g_test_add_data_func ("/client/fake/protocol/not-json",
                        "this is not JSON\n", test_protocol_error);
  g_test_add_data_func ("/client/fake/protocol/not-an-object",
                        "[1, 2, 3]\n", test_protocol_error);
  g_test_add_data_func ("/client/fake/protocol/no-result",
                        "{\"result\": 1@ID@}\n", test_protocol_error);
  g_test_add_func ("/client/fake/agent-error-classes", test_agent_error_classes);
  g_test_add_data_func ("/client/fake/info/not-an-object", "[]", test_info_malformed);
  g_test_add_data_func ("/client/fake/info/no-version",
                        "{\"supported_commands\": []}", test_info_malformed);
  g_test_add_data_func ("/client/fake/info/bad-command",
                        "{\"version\": \"1\", \"supported_commands\": [{\"name\": \"x\", \"enabled\": 1}]}",
                        test_info_malformed);
  g_test_add_func ("/client/fake/info-async", test_info_async);
  g_test_add_func ("/client/fake/unreachable/missing", test_unreachable_missing);
  g_test_add_func ("/client/fake/unreachable/refused", test_unreachable_refused);
  g_test_add_func ("/client/fake/unreachable/vsock", test_vsock_unreachable);
  g_test_add_func ("/client/fake/properties", test_properties);
  g_test_add_func ("/client/fake/error-enum", test_error_enum);

  return g_test_run ();
}
