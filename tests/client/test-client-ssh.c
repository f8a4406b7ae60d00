/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The authorized-keys and host key wrappers against a scripted fake
 * agent: what they send, what they make of the replies, and that they
 * refuse replies of the wrong shape. Only the fake is used: nothing here
 * may write into a real home or make keys. */
#include "config.h"

#include <string.h>

#include <guestlink-1/guestlink.h>

#include "async-result.h"
#include "fake-agent.h"

typedef enum { OP_GET, OP_ADD, OP_ADD_RESET, OP_REMOVE, OP_HOST_KEYS, OP_ROTATE, OP_ROTATE_TYPES } Op;

static const char * const two_keys[] = { "ssh-ed25519 AAAA a", "ssh-rsa BBBB b", NULL };
static const char * const two_types[] = { "ed25519", "rsa", NULL };

/* The result as JSON: the keys as an array, success as true. */
static JsonNode *
run (GuestlinkClient  *client,
     Op                op,
     gboolean          async,
     GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(GStrv) keys = NULL;
  gboolean ok = FALSE;
  JsonNode *node;

  switch (op)
    {
    case OP_GET:
      if (async)
        {
          guestlink_client_ssh_get_authorized_keys_async (client, "alice", NULL,
                                                          async_result_store, &result);
          keys = guestlink_client_ssh_get_authorized_keys_finish (client, async_result_wait (&result),
                                                                  error);
        }
      else
        {
          keys = guestlink_client_ssh_get_authorized_keys (client, "alice", NULL, error);
        }
      if (keys == NULL)
        return NULL;
      {
        JsonArray *array = json_array_new ();

        for (gsize i = 0; keys[i] != NULL; i++)
          json_array_add_string_element (array, keys[i]);
        node = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (node, array);
        return node;
      }
    case OP_ADD:
    case OP_ADD_RESET:
      if (async)
        {
          guestlink_client_ssh_add_authorized_keys_async (client, "alice", two_keys, op == OP_ADD_RESET,
                                                          NULL, async_result_store, &result);
          ok = guestlink_client_ssh_add_authorized_keys_finish (client, async_result_wait (&result),
                                                                error);
        }
      else
        {
          ok = guestlink_client_ssh_add_authorized_keys (client, "alice", two_keys, op == OP_ADD_RESET,
                                                         NULL, error);
        }
      break;
    case OP_HOST_KEYS:
      if (async)
        {
          guestlink_client_ssh_get_host_keys_async (client, NULL, async_result_store, &result);
          return guestlink_client_ssh_get_host_keys_finish (client, async_result_wait (&result),
                                                            error);
        }
      return guestlink_client_ssh_get_host_keys (client, NULL, error);
    case OP_ROTATE:
    case OP_ROTATE_TYPES:
      {
        const char * const *types = op == OP_ROTATE_TYPES ? two_types : NULL;

        if (async)
          {
            guestlink_client_ssh_rotate_host_keys_async (client, types, NULL,
                                                         async_result_store, &result);
            return guestlink_client_ssh_rotate_host_keys_finish (client, async_result_wait (&result),
                                                                 error);
          }
        return guestlink_client_ssh_rotate_host_keys (client, types, NULL, error);
      }
    case OP_REMOVE:
      if (async)
        {
          guestlink_client_ssh_remove_authorized_keys_async (client, "alice", two_keys, NULL,
                                                             async_result_store, &result);
          ok = guestlink_client_ssh_remove_authorized_keys_finish (client, async_result_wait (&result),
                                                                   error);
        }
      else
        {
          ok = guestlink_client_ssh_remove_authorized_keys (client, "alice", two_keys, NULL, error);
        }
      break;
    }

  if (!ok)
    return NULL;
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_boolean (node, TRUE);
  return node;
}

static const struct {
  Op op;
  const char *command;
  const char *arguments;
} ops[] = {
  { OP_GET, "guest-ssh-get-authorized-keys", "{\"username\":\"alice\"}" },
  { OP_ADD, "guest-ssh-add-authorized-keys",
    "{\"username\":\"alice\",\"keys\":[\"ssh-ed25519 AAAA a\",\"ssh-rsa BBBB b\"]}" },
  { OP_ADD_RESET, "guest-ssh-add-authorized-keys",
    "{\"username\":\"alice\",\"keys\":[\"ssh-ed25519 AAAA a\",\"ssh-rsa BBBB b\"],\"reset\":true}" },
  { OP_REMOVE, "guest-ssh-remove-authorized-keys",
    "{\"username\":\"alice\",\"keys\":[\"ssh-ed25519 AAAA a\",\"ssh-rsa BBBB b\"]}" },
  { OP_HOST_KEYS, "__org.guestlink_ssh-get-host-keys", NULL },
  { OP_ROTATE, "__org.guestlink_ssh-rotate-host-keys", NULL },
  { OP_ROTATE_TYPES, "__org.guestlink_ssh-rotate-host-keys", "{\"types\":[\"ed25519\",\"rsa\"]}" },
};

#define RETURN(value) "{\"return\": " value "@ID@}\n"
#define ERROR(desc) "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}@ID@}\n"

#define ED25519_KEY \
  "{\"type\": \"ssh-ed25519\", \"path\": \"/etc/ssh/ssh_host_ed25519_key\", " \
  "\"public-key\": \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID68\", \"fingerprint\": \"SHA256:QyAX\"}"
#define BROKEN_KEY \
  "{\"path\": \"/etc/ssh/ssh_host_broken_key\", \"error\": \"Invalid base64 key\"}"
#define ROTATION \
  "{\"keys\": [{\"type\": \"ed25519\", \"path\": \"/etc/ssh/ssh_host_ed25519_key\", " \
  "\"public-key\": \"ssh-ed25519 AAAAnew\", \"fingerprint\": \"SHA256:new\", " \
  "\"old-fingerprint\": \"SHA256:old\"}, {\"type\": \"rsa\", \"path\": \"/etc/ssh/ssh_host_rsa_key\", " \
  "\"public-key\": \"ssh-rsa AAAAnew\", \"fingerprint\": \"SHA256:rsa\"}], " \
  "\"sshd-reloaded\": true, \"sshd-reload-method\": \"systemd\"}"

typedef struct
{
  const char *name;
  Op op;
  const char *reply;
  const char *expected;   /* NULL: fails with @code and @message */
  GuestlinkError code;
  const char *message;
} Case;

static const Case cases[] = {
  { "keys", OP_GET, RETURN ("{\"keys\": [\"ssh-rsa BBBB b\", \"ssh-ed25519 AAAA a\"]}"),
    "[\"ssh-rsa BBBB b\", \"ssh-ed25519 AAAA a\"]" },
  { "no-keys", OP_GET, RETURN ("{\"keys\": []}"), "[]" },
  { "newer-member", OP_GET, RETURN ("{\"keys\": [\"k\"], \"extra\": 1}"), "[\"k\"]" },
  { "no-keys-member", OP_GET, RETURN ("{}"), NULL, GUESTLINK_ERROR_PROTOCOL, "keys is missing" },
  { "key-number", OP_GET, RETURN ("{\"keys\": [1]}"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "keys[0] is not a string" },
  { "array", OP_GET, RETURN ("[]"), NULL, GUESTLINK_ERROR_PROTOCOL, "not an object" },
  { "unknown-user", OP_GET, ERROR ("failed to lookup user 'alice': Success"), NULL,
    GUESTLINK_ERROR_GENERIC, "failed to lookup user 'alice'" },
  { "done", OP_ADD, RETURN ("{}"), "true" },
  { "reset", OP_ADD_RESET, RETURN ("{}"), "true" },
  { "not-object", OP_ADD, RETURN ("null"), NULL, GUESTLINK_ERROR_PROTOCOL, "not an object" },
  { "bad-key", OP_ADD, ERROR ("keys[1] is not a valid public key: Invalid base64 key"), NULL,
    GUESTLINK_ERROR_GENERIC, "keys[1] is not a valid public key" },
  { "done", OP_REMOVE, RETURN ("{}"), "true" },
  { "string", OP_REMOVE, RETURN ("\"ok\""), NULL, GUESTLINK_ERROR_PROTOCOL, "not an object" },

  /* Host keys: the "keys" array, keys and unreadable files side by side. */
  { "keys", OP_HOST_KEYS, RETURN ("{\"keys\": [" ED25519_KEY ", " BROKEN_KEY "], \"new\": 1}"),
    "[" ED25519_KEY ", " BROKEN_KEY "]" },
  { "no-keys", OP_HOST_KEYS, RETURN ("{\"keys\": []}"), "[]" },
  { "newer-key-member", OP_HOST_KEYS,
    RETURN ("{\"keys\": [{\"type\": \"t\", \"path\": \"p\", \"public-key\": \"k\", "
            "\"fingerprint\": \"f\", \"bits\": 256}]}"),
    "[{\"type\": \"t\", \"path\": \"p\", \"public-key\": \"k\", \"fingerprint\": \"f\", \"bits\": 256}]" },
  { "no-keys-member", OP_HOST_KEYS, RETURN ("{\"key\": []}"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "keys is missing" },
  { "keys-object", OP_HOST_KEYS, RETURN ("{\"keys\": {}}"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "keys is not an array" },
  { "array", OP_HOST_KEYS, RETURN ("[" ED25519_KEY "]"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "the reply is not an object" },
  { "key-string", OP_HOST_KEYS, RETURN ("{\"keys\": [\"ssh-ed25519 AAAA\"]}"), NULL,
    GUESTLINK_ERROR_PROTOCOL, "keys[0] is not an object" },
  { "no-fingerprint", OP_HOST_KEYS,
    RETURN ("{\"keys\": [" ED25519_KEY ", {\"type\": \"t\", \"path\": \"p\", \"public-key\": \"k\"}]}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "keys[1].fingerprint is missing" },
  { "public-key-number", OP_HOST_KEYS,
    RETURN ("{\"keys\": [{\"type\": \"t\", \"path\": \"p\", \"public-key\": 1, \"fingerprint\": \"f\"}]}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "keys[0].public-key is not a string" },
  { "error-number", OP_HOST_KEYS, RETURN ("{\"keys\": [{\"path\": \"p\", \"error\": 2}]}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "keys[0].error is not a string" },
  { "error-without-path", OP_HOST_KEYS, RETURN ("{\"keys\": [{\"error\": \"e\"}]}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "keys[0].path is missing" },
  { "unreadable-dir", OP_HOST_KEYS, ERROR ("Cannot read the SSH host keys: Permission denied"), NULL,
    GUESTLINK_ERROR_GENERIC, "Cannot read the SSH host keys" },

  /* Rotation: the whole reply, old fingerprints where there were keys. */
  { "rotated", OP_ROTATE, RETURN (ROTATION), ROTATION },
  { "rotated", OP_ROTATE_TYPES, RETURN (ROTATION), ROTATION },
  { "no-sshd-reloaded", OP_ROTATE,
    RETURN ("{\"keys\": [], \"sshd-reload-method\": \"none\"}"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "sshd-reloaded is missing" },
  { "sshd-reloaded-string", OP_ROTATE,
    RETURN ("{\"keys\": [], \"sshd-reloaded\": \"yes\", \"sshd-reload-method\": \"none\"}"), NULL,
    GUESTLINK_ERROR_PROTOCOL, "sshd-reloaded is not a boolean" },
  { "no-method", OP_ROTATE, RETURN ("{\"keys\": [], \"sshd-reloaded\": false}"), NULL,
    GUESTLINK_ERROR_PROTOCOL, "sshd-reload-method is missing" },
  { "old-fingerprint-null", OP_ROTATE,
    RETURN ("{\"keys\": [{\"type\": \"rsa\", \"path\": \"p\", \"public-key\": \"k\", "
            "\"fingerprint\": \"f\", \"old-fingerprint\": null}], \"sshd-reloaded\": false, "
            "\"sshd-reload-method\": \"none\"}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "keys[0].old-fingerprint is not a string" },
  /* A rotation fails as a whole: an entry in place of a key is wrong. */
  { "key-error", OP_ROTATE,
    RETURN ("{\"keys\": [{\"path\": \"p\", \"error\": \"e\"}], \"sshd-reloaded\": false, "
            "\"sshd-reload-method\": \"none\"}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "keys[0].type is missing" },
  { "bad-type", OP_ROTATE_TYPES, ERROR ("Parameter 'types' expects ed25519, ecdsa or rsa"), NULL,
    GUESTLINK_ERROR_GENERIC, "Parameter 'types'" },
};

static void
test_case (gconstpointer data)
{
  const Case *test = data;
  const char *command = ops[test->op].command;
  const FakeReply replies[] = { { command, test->reply }, { NULL, } };
  g_autoptr(FakeAgent) fake = fake_agent_new (fake_answer_scripted, (gpointer) replies);
  g_autoptr(GuestlinkClient) client = NULL;

  client = guestlink_client_new_for_socket_path (fake_agent_get_socket_path (fake));
  for (int async = FALSE; async <= TRUE; async++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = run (client, test->op, async, &error);
      g_autofree char *arguments = NULL;

      if (test->expected != NULL)
        {
          g_autoptr(JsonNode) expected = json_from_string (test->expected, NULL);

          g_assert_no_error (error);
          g_assert_true (json_node_equal (result, expected));
        }
      else
        {
          g_assert_null (result);
          g_assert_error (error, GUESTLINK_ERROR, (int) test->code);
          g_test_message ("error: %s", error->message);
          g_assert_nonnull (strstr (error->message, test->message));
        }
      g_assert_cmpuint (fake_agent_count (fake, command), ==, async ? 2 : 1);
      arguments = fake_agent_dup_last_arguments (fake, command);
      g_assert_cmpstr (arguments, ==, ops[test->op].arguments);
    }
}

int
main (int    argc,
      char **argv)
{
  static const char * const op_names[] = {
    "get", "add", "add-reset", "remove", "host-keys", "rotate", "rotate-types",
  };

  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/client/ssh/%s/%s", op_names[cases[i].op],
                                               cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  return g_test_run ();
}
