/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* guestlink_client_set_identity() and its request against a scripted fake
 * agent: the arguments each request sends, what the wrapper makes of the
 * replies, and that it refuses replies of the wrong shape. Only the fake
 * is used: nothing here may change this machine's identity. */
#include "config.h"

#include <string.h>

#include <guestlink-1/guestlink.h>

#include "async-result.h"
#include "fake-agent.h"

#define SET_IDENTITY "__org.guestlink_set-identity"

typedef enum { REQUEST_MINIMAL, REQUEST_ALL, REQUEST_CLEARED, REQUEST_SEED } RequestKind;

static const struct {
  const char *name;
  const char *arguments;   /* exactly what must be sent */
} requests[] = {
  [REQUEST_MINIMAL] = { "minimal", "{\"instance-id\":\"clone-1\"}" },
  [REQUEST_ALL] = { "all",
    "{\"instance-id\":\"clone-1\",\"host-name\":\"web-2\",\"pretty-host-name\":\"Web \xe2\x80\x94 2\","
    "\"machine-id\":\"0123456789abcdef0123456789abcdef\",\"regenerate-machine-id\":true,"
    "\"rotate-ssh-host-keys\":true,\"reset-network-state\":true,\"random-seed\":\"AAEC/w==\"}" },
  /* Values set and then unset are not sent, nor are FALSE flags. */
  [REQUEST_CLEARED] = { "cleared", "{\"instance-id\":\"clone-1\"}" },
  [REQUEST_SEED] = { "seed", "{\"instance-id\":\"clone-1\",\"random-seed\":\"AAEC/w==\"}" },
};

static GuestlinkIdentityRequest *
make_request (RequestKind kind)
{
  static const guint8 seed_bytes[] = { 0, 1, 2, 255 };
  g_autoptr(GuestlinkIdentityRequest) request = guestlink_identity_request_new ("clone-1");
  g_autoptr(GBytes) seed = g_bytes_new_static (seed_bytes, sizeof seed_bytes);

  switch (kind)
    {
    case REQUEST_MINIMAL:
      break;
    case REQUEST_CLEARED:
    case REQUEST_ALL:
      guestlink_identity_request_set_host_name (request, "web-2");
      guestlink_identity_request_set_pretty_host_name (request, "Web \xe2\x80\x94 2");
      guestlink_identity_request_set_machine_id (request, "0123456789abcdef0123456789abcdef");
      guestlink_identity_request_set_regenerate_machine_id (request, TRUE);
      guestlink_identity_request_set_rotate_ssh_host_keys (request, TRUE);
      guestlink_identity_request_set_reset_network_state (request, TRUE);
      guestlink_identity_request_set_random_seed (request, seed);
      if (kind == REQUEST_ALL)
        break;
      guestlink_identity_request_set_host_name (request, NULL);
      guestlink_identity_request_set_pretty_host_name (request, NULL);
      guestlink_identity_request_set_machine_id (request, NULL);
      guestlink_identity_request_set_regenerate_machine_id (request, FALSE);
      guestlink_identity_request_set_rotate_ssh_host_keys (request, FALSE);
      guestlink_identity_request_set_reset_network_state (request, FALSE);
      guestlink_identity_request_set_random_seed (request, NULL);
      break;
    case REQUEST_SEED:
      guestlink_identity_request_set_random_seed (request, seed);
      break;
    }
  return g_steal_pointer (&request);
}

#define RETURN(value) "{\"return\": " value "@ID@}\n"
#define ERROR(desc) "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}@ID@}\n"

#define STEPS(last) \
  "[{\"name\": \"host-name\", \"status\": \"done\", \"detail\": \"through hostnamed\"}, " \
  "{\"name\": \"hosts-file\", \"status\": \"done\"}, " \
  "{\"name\": \"machine-id\", \"status\": \"done\"}, " \
  "{\"name\": \"journald\", \"status\": \"skipped\", \"detail\": \"not running\"}, " \
  "{\"name\": \"ssh-host-keys\", \"status\": \"done\"}, " \
  "{\"name\": \"network-state\", \"status\": \"done\"}, " last "]"
#define ROTATION \
  "{\"keys\": [{\"type\": \"ed25519\", \"path\": \"/etc/ssh/ssh_host_ed25519_key\", " \
  "\"public-key\": \"ssh-ed25519 AAAAnew\", \"fingerprint\": \"SHA256:new\", " \
  "\"old-fingerprint\": \"SHA256:old\"}], \"sshd-reloaded\": true, \"sshd-reload-method\": \"systemd\"}"
#define IDENTITY \
  "{\"host-name\": \"web-2\", \"machine-id-state\": \"valid\", " \
  "\"machine-id\": \"0123456789abcdef0123456789abcdef\", \"ssh-host-keys\": [" \
  "{\"type\": \"ssh-ed25519\", \"path\": \"/etc/ssh/ssh_host_ed25519_key\", " \
  "\"public-key\": \"ssh-ed25519 AAAAnew\", \"fingerprint\": \"SHA256:new\"}, " \
  "{\"path\": \"/etc/ssh/ssh_host_broken_key\", \"error\": \"Invalid base64 key\"}]}"
#define COMPLETE \
  "{\"instance-id\": \"clone-1\", \"resumed\": false, \"complete\": true, " \
  "\"steps\": " STEPS ("{\"name\": \"random-seed\", \"status\": \"done\"}") ", " \
  "\"ssh-host-keys\": " ROTATION ", \"reboot-required\": true, \"identity\": " IDENTITY "}"
#define INCOMPLETE \
  "{\"instance-id\": \"clone-1\", \"resumed\": true, \"complete\": false, " \
  "\"steps\": " STEPS ("{\"name\": \"random-seed\", \"status\": \"failed\", \"error\": \"EIO\"}") ", " \
  "\"reboot-required\": false, \"identity\": {}}"
/* A complete reply with the members in @before (each followed by ", ")
 * and @identity as its new identity. */
#define REPLY_WITH(before, identity) \
  "{\"instance-id\": \"clone-1\", \"resumed\": false, \"complete\": true, " before \
  "\"reboot-required\": true, \"identity\": " identity "}"

typedef struct
{
  const char *name;
  RequestKind request;
  const char *reply;
  const char *expected;   /* NULL: fails with @code and @message */
  GuestlinkError code;
  const char *message;
} Case;

static const Case cases[] = {
  { "complete", REQUEST_ALL, RETURN (COMPLETE), COMPLETE },
  { "complete", REQUEST_MINIMAL, RETURN (COMPLETE), COMPLETE },
  { "complete", REQUEST_CLEARED, RETURN (COMPLETE), COMPLETE },
  { "complete", REQUEST_SEED, RETURN (COMPLETE), COMPLETE },
  /* A failed step is the guest's answer, not an error of the call. */
  { "incomplete", REQUEST_ALL, RETURN (INCOMPLETE), INCOMPLETE },
  { "newer-members", REQUEST_MINIMAL,
    RETURN (REPLY_WITH ("\"steps\": [{\"name\": \"n\", \"status\": \"s\", \"new\": 1}], \"new\": [], ",
                        "{\"new\": 2}")),
    REPLY_WITH ("\"steps\": [{\"name\": \"n\", \"status\": \"s\", \"new\": 1}], \"new\": [], ", "{\"new\": 2}") },
  { "bad-host-name", REQUEST_ALL, ERROR ("Parameter 'host-name' is not a valid host name"), NULL,
    GUESTLINK_ERROR_GENERIC, "Parameter 'host-name'" },
  { "instance-id-used", REQUEST_MINIMAL,
    ERROR ("instance-id clone-1 was already used for a different request"), NULL,
    GUESTLINK_ERROR_GENERIC, "already used" },
  { "array", REQUEST_MINIMAL, RETURN ("[]"), NULL, GUESTLINK_ERROR_PROTOCOL, "the reply is not an object" },
  { "no-complete", REQUEST_MINIMAL,
    RETURN ("{\"instance-id\": \"clone-1\", \"resumed\": false, \"steps\": [], "
            "\"reboot-required\": true, \"identity\": {}}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "complete is missing" },
  { "resumed-string", REQUEST_MINIMAL,
    RETURN ("{\"instance-id\": \"clone-1\", \"resumed\": \"no\", \"complete\": true, \"steps\": [], "
            "\"reboot-required\": true, \"identity\": {}}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "resumed is not a boolean" },
  { "instance-id-number", REQUEST_MINIMAL,
    RETURN ("{\"instance-id\": 1, \"resumed\": false, \"complete\": true, \"steps\": [], "
            "\"reboot-required\": true, \"identity\": {}}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "instance-id is not a string" },
  { "steps-object", REQUEST_MINIMAL, RETURN (REPLY_WITH ("\"steps\": {}, ", "{}")), NULL,
    GUESTLINK_ERROR_PROTOCOL, "steps is not an array" },
  { "step-without-status", REQUEST_MINIMAL,
    RETURN (REPLY_WITH ("\"steps\": [{\"name\": \"host-name\", \"status\": \"done\"}, {\"name\": \"x\"}], ", "{}")),
    NULL, GUESTLINK_ERROR_PROTOCOL, "steps[1].status is missing" },
  { "step-error-number", REQUEST_MINIMAL,
    RETURN (REPLY_WITH ("\"steps\": [{\"name\": \"x\", \"status\": \"failed\", \"error\": 5}], ", "{}")),
    NULL, GUESTLINK_ERROR_PROTOCOL, "steps[0].error is not a string" },
  { "step-detail-null", REQUEST_MINIMAL,
    RETURN (REPLY_WITH ("\"steps\": [{\"name\": \"x\", \"status\": \"done\", \"detail\": null}], ", "{}")),
    NULL, GUESTLINK_ERROR_PROTOCOL, "steps[0].detail is not a string" },
  { "rotation-without-reloaded", REQUEST_MINIMAL,
    RETURN (REPLY_WITH ("\"steps\": [], \"ssh-host-keys\": {\"keys\": [], \"sshd-reload-method\": \"none\"}, ",
                        "{}")),
    NULL, GUESTLINK_ERROR_PROTOCOL, "ssh-host-keys.sshd-reloaded is missing" },
  { "identity-string", REQUEST_MINIMAL, RETURN (REPLY_WITH ("\"steps\": [], ", "\"web-2\"")), NULL,
    GUESTLINK_ERROR_PROTOCOL, "identity is not an object" },
  { "identity-key-fingerprint-number", REQUEST_MINIMAL,
    RETURN (REPLY_WITH ("\"steps\": [], ",
                        "{\"ssh-host-keys\": [{\"type\": \"t\", \"path\": \"p\", \"public-key\": \"k\", "
                        "\"fingerprint\": 3}]}")),
    NULL, GUESTLINK_ERROR_PROTOCOL, "identity.ssh-host-keys[0].fingerprint is not a string" },
  { "no-reboot-required", REQUEST_MINIMAL,
    RETURN ("{\"instance-id\": \"clone-1\", \"resumed\": false, \"complete\": true, \"steps\": [], "
            "\"identity\": {}}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "reboot-required is missing" },
};

static JsonNode *
run (GuestlinkClient  *client,
     RequestKind       kind,
     gboolean          async,
     GError          **error)
{
  g_autoptr(GuestlinkIdentityRequest) request = make_request (kind);
  g_autoptr(GAsyncResult) result = NULL;

  if (!async)
    return guestlink_client_set_identity (client, request, NULL, error);

  guestlink_client_set_identity_async (client, request, NULL, async_result_store, &result);
  /* The request is encoded by then: the caller may drop it at once. */
  g_clear_pointer (&request, guestlink_identity_request_unref);
  return guestlink_client_set_identity_finish (client, async_result_wait (&result), error);
}

static void
test_case (gconstpointer data)
{
  const Case *test = data;
  const FakeReply replies[] = { { SET_IDENTITY, test->reply }, { NULL, } };
  g_autoptr(FakeAgent) fake = fake_agent_new (fake_answer_scripted, (gpointer) replies);
  g_autoptr(GuestlinkClient) client = NULL;

  client = guestlink_client_new_for_socket_path (fake_agent_get_socket_path (fake));
  for (int async = FALSE; async <= TRUE; async++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = run (client, test->request, async, &error);
      g_autofree char *arguments = NULL;

      if (test->expected != NULL)
        {
          g_autoptr(JsonNode) expected = json_from_string (test->expected, NULL);

          g_assert_no_error (error);
          g_assert_nonnull (expected);
          g_assert_true (json_node_equal (result, expected));
        }
      else
        {
          g_assert_null (result);
          g_assert_error (error, GUESTLINK_ERROR, (int) test->code);
          g_test_message ("error: %s", error->message);
          g_assert_nonnull (strstr (error->message, test->message));
        }
      g_assert_cmpuint (fake_agent_count (fake, SET_IDENTITY), ==, async ? 2 : 1);
      arguments = fake_agent_dup_last_arguments (fake, SET_IDENTITY);
      g_assert_cmpstr (arguments, ==, requests[test->request].arguments);
    }
}

static void
test_request (void)
{
  g_autoptr(GuestlinkIdentityRequest) request = guestlink_identity_request_new ("clone-1");
  GuestlinkIdentityRequest *second = guestlink_identity_request_ref (request);

  g_assert_true (second == request);
  g_assert_cmpstr (guestlink_identity_request_get_instance_id (request), ==, "clone-1");
  guestlink_identity_request_unref (second);
  g_assert_cmpstr (guestlink_identity_request_get_instance_id (request), ==, "clone-1");
  g_assert_true (G_TYPE_IS_BOXED (GUESTLINK_TYPE_IDENTITY_REQUEST));
}

/* Programming errors are caught before anything is sent. */
static void
test_preconditions (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);
  g_autoptr(GuestlinkClient) client = NULL;
  GuestlinkIdentityRequest *request;
  JsonNode *result;

  client = guestlink_client_new_for_socket_path (fake_agent_get_socket_path (fake));

  g_test_expect_message ("libguestlink", G_LOG_LEVEL_CRITICAL, "*instance_id != NULL*");
  request = guestlink_identity_request_new (NULL);
  g_test_assert_expected_messages ();
  g_assert_null (request);

  g_test_expect_message ("libguestlink", G_LOG_LEVEL_CRITICAL, "*request != NULL*");
  result = guestlink_client_set_identity (client, NULL, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (result);

  g_assert_cmpuint (fake_agent_get_n_connections (fake), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/client/set-identity/%s/%s",
                                               requests[cases[i].request].name, cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/client/set-identity/request", test_request);
  g_test_add_func ("/client/set-identity/preconditions", test_preconditions);
  return g_test_run ();
}
