/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * set-identity's arguments: each invalid one refused with its name, and
 * the digest that tells a retry from a different request.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "identity-request.h"
#include "message.h"

#define INSTANCE "clone-7"
#define ID_A "0123456789abcdef0123456789abcdef"

static JsonObject *
parse_arguments (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static IdentityRequest *
request_ok (const char *json)
{
  g_autoptr(JsonObject) arguments = parse_arguments (json);
  g_autoptr(GError) error = NULL;
  IdentityRequest *request = identity_request_new (arguments, &error);

  g_assert_no_error (error);
  g_assert_nonnull (request);
  return request;
}

static void
test_valid (void)
{
  g_autoptr(IdentityRequest) minimal = request_ok ("{\"instance-id\": \"" INSTANCE "\"}");
  g_autoptr(IdentityRequest) full = request_ok (
    "{\"instance-id\": \"" INSTANCE "\", \"host-name\": \"web-1.example.org\","
    " \"pretty-host-name\": \"Web 1\", \"machine-id\": \"" ID_A "\","
    " \"regenerate-machine-id\": true, \"rotate-ssh-host-keys\": true,"
    " \"reset-network-state\": true, \"random-seed\": \"AAEC/w==\"}");

  g_assert_cmpstr (minimal->instance_id, ==, INSTANCE);
  g_assert_null (minimal->host_name);
  g_assert_null (minimal->pretty_host_name);
  g_assert_null (minimal->machine_id);
  g_assert_null (minimal->random_seed);
  g_assert_false (minimal->regenerate_machine_id);
  g_assert_false (minimal->rotate_ssh_host_keys);
  g_assert_false (minimal->reset_network_state);

  g_assert_cmpstr (full->host_name, ==, "web-1.example.org");
  g_assert_cmpstr (full->pretty_host_name, ==, "Web 1");
  g_assert_cmpstr (full->machine_id, ==, ID_A);
  g_assert_true (full->regenerate_machine_id);
  g_assert_true (full->rotate_ssh_host_keys);
  g_assert_true (full->reset_network_state);
  g_assert_cmpmem (g_bytes_get_data (full->random_seed, NULL), g_bytes_get_size (full->random_seed),
                   "\x00\x01\x02\xff", 4);
}

typedef struct {
  const char *arguments;
  const char *message;
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "{}", "Parameter 'instance-id' is missing" },
  { "{\"instance-id\": \"\"}", "Parameter 'instance-id' is invalid: it is empty" },
  { "{\"instance-id\": \"a\\tb\"}", "Parameter 'instance-id' is invalid: byte 2 is not printable ASCII" },
  { "{\"instance-id\": \"x\", \"host-name\": \"Web\"}",
    "Parameter 'host-name' is invalid: character 1 is not one of a-z, 0-9, '-' and '.'" },
  { "{\"instance-id\": \"x\", \"host-name\": \"\"}", "Parameter 'host-name' is invalid: it is empty" },
  { "{\"instance-id\": \"x\", \"host-name\": \"a..b\"}",
    "Parameter 'host-name' is invalid: it has an empty label" },
  { "{\"instance-id\": \"x\", \"pretty-host-name\": \"a\\nb\"}",
    "Parameter 'pretty-host-name' is invalid: character 2 is a control character" },
  { "{\"instance-id\": \"x\", \"machine-id\": \"00000000000000000000000000000000\"}",
    "Parameter 'machine-id' is invalid: it is all zeros" },
  { "{\"instance-id\": \"x\", \"machine-id\": \"0123\"}",
    "Parameter 'machine-id' is invalid: it is not 32 hexadecimal digits" },
  { "{\"instance-id\": \"x\", \"random-seed\": \"not base64!\"}",
    "Parameter 'random-seed' is invalid: it is not base64" },
  { "{\"instance-id\": \"x\", \"random-seed\": \"\"}",
    "Parameter 'random-seed' is invalid: it is not base64" },
};

static void
test_invalid (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autoptr(JsonObject) arguments = parse_arguments (invalid_cases[i].arguments);
      g_autoptr(GError) error = NULL;
      g_autoptr(IdentityRequest) request = identity_request_new (arguments, &error);

      g_test_message ("%s", invalid_cases[i].arguments);
      g_assert_null (request);
      g_assert_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC);
      g_assert_cmpstr (error->message, ==, invalid_cases[i].message);
    }
}

/* RFC 1123 allows 253 characters; the kernel and hostnamed take 64. */
static void
test_host_name_kernel_limit (void)
{
  g_autofree char *label = g_strnfill (30, 'a');
  g_autofree char *name64 = g_strdup_printf ("%s.%s.aa", label, label);
  g_autofree char *name65 = g_strdup_printf ("%s.%s.aaa", label, label);
  g_autofree char *ok_json = g_strdup_printf ("{\"instance-id\": \"x\", \"host-name\": \"%s\"}", name64);
  g_autofree char *long_json = g_strdup_printf ("{\"instance-id\": \"x\", \"host-name\": \"%s\"}", name65);
  g_autoptr(IdentityRequest) ok = request_ok (ok_json);
  g_autoptr(JsonObject) arguments = parse_arguments (long_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(IdentityRequest) too_long = identity_request_new (arguments, &error);

  g_assert_cmpuint (strlen (name64), ==, 64);
  g_assert_cmpstr (ok->host_name, ==, name64);
  g_assert_null (too_long);
  g_assert_cmpstr (error->message, ==,
                   "Parameter 'host-name' is invalid: it is 65 characters long, more than the kernel's 64");
}

static char *
digest_of (const char *json)
{
  g_autoptr(IdentityRequest) request = request_ok (json);
  char *digest = identity_request_digest (request);

  g_assert_cmpuint (strlen (digest), ==, 64);
  return digest;
}

static void
test_digest (void)
{
  const char *base = "{\"instance-id\": \"x\", \"host-name\": \"web\", \"random-seed\": \"AAEC\"}";
  const char *different[] = {
    "{\"instance-id\": \"y\", \"host-name\": \"web\", \"random-seed\": \"AAEC\"}",
    "{\"instance-id\": \"x\", \"host-name\": \"web2\", \"random-seed\": \"AAEC\"}",
    "{\"instance-id\": \"x\", \"random-seed\": \"AAEC\"}",
    "{\"instance-id\": \"x\", \"host-name\": \"web\"}",
    "{\"instance-id\": \"x\", \"host-name\": \"web\", \"random-seed\": \"AAEC\", \"pretty-host-name\": \"\"}",
    "{\"instance-id\": \"x\", \"host-name\": \"web\", \"random-seed\": \"AAEC\", \"machine-id\": \"" ID_A "\"}",
    "{\"instance-id\": \"x\", \"host-name\": \"web\", \"random-seed\": \"AAEC\", \"regenerate-machine-id\": true}",
    "{\"instance-id\": \"x\", \"host-name\": \"web\", \"random-seed\": \"AAEC\", \"rotate-ssh-host-keys\": true}",
    "{\"instance-id\": \"x\", \"host-name\": \"web\", \"random-seed\": \"AAEC\", \"reset-network-state\": true}",
  };
  g_autofree char *base_digest = digest_of (base);
  g_autofree char *again = digest_of (base);
  /* The same request in another order, with defaults spelled out. */
  g_autofree char *reordered = digest_of (
    "{\"random-seed\": \"AAEC\", \"reset-network-state\": false, \"host-name\": \"web\","
    " \"rotate-ssh-host-keys\": false, \"regenerate-machine-id\": false, \"instance-id\": \"x\"}");
  /* A retry with fresh randomness in the seed is the same request. */
  g_autofree char *other_seed = digest_of (
    "{\"instance-id\": \"x\", \"host-name\": \"web\", \"random-seed\": \"AAED\"}");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpstr (again, ==, base_digest);
  g_assert_cmpstr (reordered, ==, base_digest);
  g_assert_cmpstr (other_seed, ==, base_digest);
  g_hash_table_add (seen, g_strdup (base_digest));
  for (gsize i = 0; i < G_N_ELEMENTS (different); i++)
    {
      char *digest = digest_of (different[i]);

      g_test_message ("%s: %s", different[i], digest);
      g_assert_false (g_hash_table_contains (seen, digest));
      g_hash_table_add (seen, digest);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/identity-request/valid", test_valid);
  g_test_add_func ("/identity-request/invalid", test_invalid);
  g_test_add_func ("/identity-request/host-name-kernel-limit", test_host_name_kernel_limit);
  g_test_add_func ("/identity-request/digest", test_digest);
  return g_test_run ();
}
