/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libguestlink against a real agent (qemu-ga, or GUESTLINK_TEST_AGENT).
 * Only harmless commands are sent: guest-ping, guest-info, guest-sync,
 * guest-sync-delimited and read-only queries (guest-get-*,
 * guest-fsfreeze-status). The agent runs on this machine: never freeze,
 * thaw or trim from here; test-client-filesystem does that on a fake. */
#include "config.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <string.h>

#include <guestlink-1/guestlink.h>

#include "agent-runner.h"
#include "async-result.h"

typedef struct
{
  TestAgent *agent;
  GuestlinkClient *client;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->agent = test_agent_start ();
  fixture->client = guestlink_client_new_for_socket_path (test_agent_get_socket_path (fixture->agent));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->agent, test_agent_free);
}

static JsonObject *
sync_arguments (gint64 id)
{
  JsonObject *arguments = json_object_new ();

  json_object_set_int_member (arguments, "id", id);
  return arguments;
}

static void
test_connect (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (guestlink_client_connect (fixture->client, NULL, &error));
  g_assert_no_error (error);
  /* Connected and in step: nothing to do. */
  g_assert_true (guestlink_client_connect (fixture->client, NULL, &error));
  g_assert_no_error (error);

  guestlink_client_close (fixture->client);
  g_assert_true (guestlink_client_connect (fixture->client, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (guestlink_client_ping (fixture->client, NULL, &error));
  g_assert_no_error (error);
}

static void
test_ping (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Not connected yet: the call connects by itself. */
  g_assert_true (guestlink_client_ping (fixture->client, NULL, &error));
  g_assert_no_error (error);

  result = guestlink_client_call (fixture->client, "guest-ping", NULL, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  g_assert_cmpuint (json_object_get_size (json_node_get_object (result)), ==, 0);
}

static void
assert_has_enabled_command (GuestlinkAgentInfo *info,
                            const char         *name)
{
  GuestlinkAgentCommand *command = guestlink_agent_info_lookup_command (info, name);

  g_assert_nonnull (command);
  g_assert_cmpstr (guestlink_agent_command_get_name (command), ==, name);
  g_assert_true (guestlink_agent_command_get_enabled (command));
  g_assert_true (guestlink_agent_command_get_success_response (command));
}

static void
test_info (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  info = guestlink_client_get_info (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);

  g_assert_nonnull (guestlink_agent_info_get_version (info));
  g_assert_cmpstr (guestlink_agent_info_get_version (info), !=, "");
  g_object_get (info, "version", &version, NULL);
  g_assert_cmpstr (version, ==, guestlink_agent_info_get_version (info));

  g_assert_cmpuint (guestlink_agent_info_get_commands (info)->len, >=, 4);
  assert_has_enabled_command (info, "guest-ping");
  assert_has_enabled_command (info, "guest-info");
  assert_has_enabled_command (info, "guest-sync");
  assert_has_enabled_command (info, "guest-sync-delimited");
  g_assert_null (guestlink_agent_info_lookup_command (info, "guest-no-such-command"));
}

static void
test_call_arguments (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) arguments = sync_arguments (G_GINT64_CONSTANT (1234567890123));
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = guestlink_client_call (fixture->client, "guest-sync", arguments, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (result), ==, G_GINT64_CONSTANT (1234567890123));
}

static void
test_call_read_only_query (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  GuestlinkAgentCommand *command;
  JsonObject *object;

  info = guestlink_client_get_info (fixture->client, NULL, &error);
  g_assert_no_error (error);
  command = guestlink_agent_info_lookup_command (info, "guest-get-host-name");
  if (command == NULL || !guestlink_agent_command_get_enabled (command))
    {
      g_test_skip ("the agent does not offer guest-get-host-name");
      return;
    }

  result = guestlink_client_call (fixture->client, "guest-get-host-name", NULL, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  object = json_node_get_object (result);
  g_assert_true (json_object_has_member (object, "host-name"));
}

static void
test_sequence (Fixture       *fixture,
               gconstpointer  data)
{
  for (gint64 i = 1; i <= 50; i++)
    {
      g_autoptr(JsonObject) arguments = sync_arguments (i);
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) error = NULL;

      result = guestlink_client_call (fixture->client, "guest-sync", arguments, -1, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (json_node_get_int (result), ==, i);
    }
}

static void
test_generic_error (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) bad_type = json_object_new ();
  g_autoptr(JsonObject) unexpected = json_object_new ();
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (bad_type, "id", "not a number");
  result = guestlink_client_call (fixture->client, "guest-sync", bad_type, -1, NULL, &error);
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_GENERIC);
  g_assert_nonnull (strstr (error->message, "id"));
  g_assert_null (result);
  g_clear_error (&error);

  json_object_set_int_member (unexpected, "no-such-parameter", 1);
  result = guestlink_client_call (fixture->client, "guest-ping", unexpected, -1, NULL, &error);
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_GENERIC);
  g_assert_nonnull (strstr (error->message, "no-such-parameter"));
  g_clear_error (&error);

  /* The connection is still fine. */
  g_assert_true (guestlink_client_ping (fixture->client, NULL, &error));
  g_assert_no_error (error);
}

static void
test_command_not_found (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = guestlink_client_call (fixture->client, "guest-no-such-command", NULL, -1, NULL, &error);
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_COMMAND_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "guest-no-such-command"));
  g_assert_null (result);
}

/* Only a disabled read-only query is tried: qemu-ga 7.2 on Linux reports
 * guest-get-devices as disabled. */
static void
test_command_disabled (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *commands;
  const char *disabled = NULL;

  info = guestlink_client_get_info (fixture->client, NULL, &error);
  g_assert_no_error (error);

  commands = guestlink_agent_info_get_commands (info);
  for (guint i = 0; disabled == NULL && i < commands->len; i++)
    {
      GuestlinkAgentCommand *command = g_ptr_array_index (commands, i);
      const char *name = guestlink_agent_command_get_name (command);

      if (!guestlink_agent_command_get_enabled (command) &&
          g_str_has_prefix (name, "guest-get-"))
        disabled = name;
    }

  if (disabled == NULL)
    {
      g_test_skip ("the agent reports no disabled guest-get-* command");
      return;
    }

  result = guestlink_client_call (fixture->client, disabled, NULL, -1, NULL, &error);
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_COMMAND_DISABLED);
  g_assert_null (result);
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JsonObject) arguments = sync_arguments (77);
  g_autoptr(GAsyncResult) connect_result = NULL;
  g_autoptr(GAsyncResult) call_result = NULL;
  g_autoptr(GAsyncResult) ping_result = NULL;
  g_autoptr(GAsyncResult) info_result = NULL;
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  guestlink_client_connect_async (fixture->client, NULL, async_result_store, &connect_result);
  g_assert_true (guestlink_client_connect_finish (fixture->client,
                                                  async_result_wait (&connect_result),
                                                  &error));
  g_assert_no_error (error);

  guestlink_client_call_async (fixture->client, "guest-sync", arguments, -1, NULL,
                               async_result_store, &call_result);
  /* The arguments were encoded already; changing them has no effect. */
  json_object_set_int_member (arguments, "id", 78);
  node = guestlink_client_call_finish (fixture->client, async_result_wait (&call_result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (node), ==, 77);

  guestlink_client_ping_async (fixture->client, NULL, async_result_store, &ping_result);
  g_assert_true (guestlink_client_ping_finish (fixture->client, async_result_wait (&ping_result),
                                               &error));
  g_assert_no_error (error);

  guestlink_client_get_info_async (fixture->client, NULL, async_result_store, &info_result);
  info = guestlink_client_get_info_finish (fixture->client, async_result_wait (&info_result),
                                           &error);
  g_assert_no_error (error);
  g_assert_nonnull (guestlink_agent_info_lookup_command (info, "guest-ping"));
}

static void
test_async_error (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  guestlink_client_call_async (fixture->client, "guest-no-such-command", NULL, -1, NULL,
                               async_result_store, &result);
  node = guestlink_client_call_finish (fixture->client, async_result_wait (&result), &error);
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_COMMAND_NOT_FOUND);
  g_assert_null (node);
}

#define N_CONCURRENT 16

typedef struct
{
  GuestlinkClient *client;
  guint n_done;
} Concurrent;

static void
concurrent_done (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Concurrent *concurrent = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = guestlink_client_call_finish (concurrent->client, result, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  concurrent->n_done++;
}

/* Calls started together are serialised; each gets its own reply. */
static void
test_concurrent_async (Fixture       *fixture,
                       gconstpointer  data)
{
  Concurrent concurrent = { fixture->client, 0 };

  for (gint64 i = 0; i < N_CONCURRENT; i++)
    {
      g_autoptr(JsonObject) arguments = sync_arguments (1000 + i);

      guestlink_client_call_async (fixture->client, "guest-sync", arguments, -1, NULL,
                                   concurrent_done, &concurrent);
    }

  while (concurrent.n_done < N_CONCURRENT)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_reconnect (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (guestlink_client_ping (fixture->client, NULL, &error));
  g_assert_no_error (error);

  /* The agent goes away under the client and comes back. */
  test_agent_restart (fixture->agent);

  g_assert_false (guestlink_client_ping (fixture->client, NULL, &error));
  g_assert_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (error->message, test_agent_get_socket_path (fixture->agent)));
  g_clear_error (&error);

  g_assert_true (guestlink_client_ping (fixture->client, NULL, &error));
  g_assert_no_error (error);
}

/* The system information wrappers, checked against this machine (the
 * agent under test runs here). */
static void
test_system_info (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr(JsonNode) osinfo = NULL;
  g_autoptr(JsonNode) users = NULL;
  g_autoptr(GAsyncResult) name_result = NULL;
  g_autofree char *async_name = NULL;
  struct utsname kernel;
  char host_name[256] = "";
  gint64 before, after, nanoseconds = 0;

  g_assert_cmpint (gethostname (host_name, sizeof host_name - 1), ==, 0);
  g_assert_cmpint (uname (&kernel), ==, 0);

  name = guestlink_client_get_host_name (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, host_name);

  guestlink_client_get_host_name_async (fixture->client, NULL, async_result_store, &name_result);
  async_name = guestlink_client_get_host_name_finish (fixture->client,
                                                      async_result_wait (&name_result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (async_name, ==, host_name);

  osinfo = guestlink_client_get_osinfo (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (osinfo), "kernel-release"),
                   ==, kernel.release);

  users = guestlink_client_get_users (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (users));

  before = g_get_real_time () * 1000;
  g_assert_true (guestlink_client_get_time (fixture->client, &nanoseconds, NULL, &error));
  after = g_get_real_time () * 1000;
  g_assert_no_error (error);
  g_assert_cmpint (nanoseconds, >=, before);
  g_assert_cmpint (nanoseconds, <=, after);
}

/* Interfaces as this machine lists them; identity where the agent has
 * it (qemu-ga has no __org.guestlink_get-identity). */
static void
test_network_and_identity (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) interfaces = NULL;
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(JsonNode) identity = NULL;
  JsonArray *array;
  gboolean has_loopback = FALSE;
  char host_name[256] = "";

  interfaces = guestlink_client_get_interfaces (fixture->client, NULL, &error);
  g_assert_no_error (error);
  array = json_node_get_array (interfaces);
  for (guint i = 0; i < json_array_get_length (array); i++)
    has_loopback |= g_str_equal (json_object_get_string_member (json_array_get_object_element (array, i),
                                                                "name"), "lo");
  g_assert_true (has_loopback);

  info = guestlink_client_get_info (fixture->client, NULL, &error);
  g_assert_no_error (error);
  if (guestlink_agent_info_lookup_command (info, "__org.guestlink_get-identity") == NULL)
    {
      g_test_skip ("this agent has no __org.guestlink_get-identity");
      return;
    }

  identity = guestlink_client_get_identity (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gethostname (host_name, sizeof host_name - 1), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (identity), "host-name"),
                   ==, host_name);
}

/* Each JSON-returning wrapper, for its shape; where the agent lacks the
 * command (qemu-ga 7.2 has no guest-get-load or network-get-route), the
 * wrapper must report that, not crash or return nonsense. */
static void
test_json_wrappers (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct {
    const char *command;
    JsonNode *(*call) (GuestlinkClient *, GCancellable *, GError **);
    gboolean is_array;
  } wrappers[] = {
    { "guest-get-timezone", guestlink_client_get_timezone, FALSE },
    { "guest-get-load", guestlink_client_get_load, FALSE },
    { "guest-get-vcpus", guestlink_client_get_vcpus, TRUE },
    { "guest-get-cpustats", guestlink_client_get_cpustats, TRUE },
    { "guest-get-diskstats", guestlink_client_get_diskstats, TRUE },
    { "guest-network-get-route", guestlink_client_get_routes, TRUE },
  };
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = guestlink_client_get_info (fixture->client, NULL, &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (wrappers); i++)
    {
      g_autoptr(GError) call_error = NULL;
      g_autoptr(JsonNode) result = wrappers[i].call (fixture->client, NULL, &call_error);

      if (guestlink_agent_info_lookup_command (info, wrappers[i].command) == NULL)
        {
          g_assert_error (call_error, GUESTLINK_ERROR, GUESTLINK_ERROR_COMMAND_NOT_FOUND);
          continue;
        }
      g_assert_no_error (call_error);
      g_assert_true (wrappers[i].is_array ? JSON_NODE_HOLDS_ARRAY (result)
                                          : JSON_NODE_HOLDS_OBJECT (result));
    }
}

/* The read-only half of the filesystem family. A freshly started agent
 * has nothing frozen. */
static void
test_filesystem_read_only (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) fsinfo = NULL;
  g_autoptr(GError) error = NULL;
  GuestlinkFsfreezeStatus status = GUESTLINK_FSFREEZE_STATUS_FROZEN;

  g_assert_true (guestlink_client_fsfreeze_get_status (fixture->client, &status, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, GUESTLINK_FSFREEZE_STATUS_THAWED);

  status = GUESTLINK_FSFREEZE_STATUS_FROZEN;
  guestlink_client_fsfreeze_get_status_async (fixture->client, NULL, async_result_store, &result);
  g_assert_true (guestlink_client_fsfreeze_get_status_finish (fixture->client,
                                                              async_result_wait (&result),
                                                              &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, GUESTLINK_FSFREEZE_STATUS_THAWED);

  /* Whatever this machine mounts, the reply must pass the wrapper's
   * checks of qemu-ga's shape. */
  fsinfo = guestlink_client_get_fsinfo (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (fsinfo));
}

static void
add_test (const char *path,
          void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  int skip;

  g_test_init (&argc, &argv, NULL);

  skip = test_agent_skip_unavailable ();
  if (skip != 0)
    return skip;

  add_test ("/client/agent/connect", test_connect);
  add_test ("/client/agent/ping", test_ping);
  add_test ("/client/agent/info", test_info);
  add_test ("/client/agent/call-arguments", test_call_arguments);
  add_test ("/client/agent/call-read-only-query", test_call_read_only_query);
  add_test ("/client/agent/sequence", test_sequence);
  add_test ("/client/agent/generic-error", test_generic_error);
  add_test ("/client/agent/command-not-found", test_command_not_found);
  add_test ("/client/agent/command-disabled", test_command_disabled);
  add_test ("/client/agent/async", test_async);
  add_test ("/client/agent/async-error", test_async_error);
  add_test ("/client/agent/concurrent-async", test_concurrent_async);
  add_test ("/client/agent/reconnect", test_reconnect);
  add_test ("/client/agent/system-info", test_system_info);
  add_test ("/client/agent/network-and-identity", test_network_and_identity);
  add_test ("/client/agent/json-wrappers", test_json_wrappers);
  add_test ("/client/agent/filesystem-read-only", test_filesystem_read_only);

  return g_test_run ();
}
