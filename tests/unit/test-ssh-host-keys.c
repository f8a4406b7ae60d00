/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for commands/ssh-host-keys.c: fingerprints must be exactly
 * what `ssh-keygen -lf` prints, since hosts compare them with known_hosts
 * and with what users paste; malformed files must never crash the agent.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "fixture-dir.h"
#include "ssh-host-keys.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-ssh-host-keys-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  fixture_dir_remove (fixture->dir);
  g_free (fixture->dir);
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static char *
run_or_fail (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s: %s", argv[0], error->message, err);
  return out;
}

/* Generates ssh_host_@type_key with ssh-keygen, or skips the test. */
static char *
generate_key (Fixture    *fixture,
              const char *type)
{
  g_autofree char *name = g_strdup_printf ("ssh_host_%s_key", type);
  char *path = g_build_filename (fixture->dir, name, NULL);
  const char *argv[] = { "ssh-keygen", "-q", "-N", "", "-C", "test@example",
                         "-t", type, "-f", path, NULL };

  g_free (run_or_fail (argv));
  return path;
}

static gboolean
have_ssh_keygen (void)
{
  g_autofree char *program = g_find_program_in_path ("ssh-keygen");

  if (program == NULL)
    g_test_skip ("ssh-keygen (openssh-client) is not installed");
  return program != NULL;
}

/* "256 SHA256:... comment (ED25519)": the second word. */
static char *
ssh_keygen_fingerprint (const char *pub_path)
{
  const char *argv[] = { "ssh-keygen", "-lf", pub_path, NULL };
  g_autofree char *out = run_or_fail (argv);
  g_auto(GStrv) words = g_strsplit (out, " ", 3);

  g_assert_cmpuint (g_strv_length (words), >=, 2);
  return g_strdup (words[1]);
}

static const char * const key_types[] = { "ed25519", "ecdsa", "rsa" };

static void
test_fingerprint_matches_ssh_keygen (Fixture       *fixture,
                                     gconstpointer  data)
{
  static const char * const expected_types[] = {
    "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa",
  };

  if (!have_ssh_keygen ())
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_autofree char *path = generate_key (fixture, key_types[i]);
      g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
      g_autofree char *contents = NULL;
      g_autofree char *type = NULL;
      g_autofree char *fingerprint = NULL;
      g_autofree char *expected = ssh_keygen_fingerprint (pub_path);
      g_autoptr(GBytes) blob = NULL;
      g_autoptr(GError) error = NULL;

      g_file_get_contents (pub_path, &contents, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (ssh_public_key_parse (contents, &type, &blob, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (type, ==, expected_types[i]);
      fingerprint = ssh_public_key_fingerprint (blob);
      g_test_message ("%s: %s", key_types[i], fingerprint);
      g_assert_cmpstr (fingerprint, ==, expected);
    }
}

static void
test_list (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_ssh_keygen ())
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    g_free (generate_key (fixture, key_types[i]));
  /* Neither is a host key of its own. */
  g_free (write_file (fixture, "ssh_host_ed25519_key-cert.pub", "garbage\n"));
  g_free (write_file (fixture, "ssh_config", "Host *\n"));

  keys = ssh_host_keys_list (fixture->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 3);
  for (guint i = 0; i < keys->len; i++)
    {
      const SshHostKey *key = g_ptr_array_index (keys, i);
      /* Sorted by path: ecdsa, ed25519, rsa. */
      static const char * const sorted[] = { "ecdsa", "ed25519", "rsa" };
      g_autofree char *name = g_strdup_printf ("ssh_host_%s_key", sorted[i]);
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
      g_autofree char *expected = ssh_keygen_fingerprint (pub_path);
      g_autofree char *contents = NULL;

      g_assert_null (key->error);
      g_assert_cmpstr (key->path, ==, path);
      g_assert_cmpstr (key->fingerprint, ==, expected);
      g_assert_true (g_file_get_contents (pub_path, &contents, NULL, NULL));
      /* The line without its comment. */
      g_assert_true (g_str_has_prefix (contents, key->public_key));
      g_assert_cmpstr (contents + strlen (key->public_key), ==, " test@example\n");
      g_assert_true (g_str_has_prefix (key->public_key, key->type));
    }
}

#define ED25519_LINE \
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID68KvblsEq1rWiEa/Bm4pLHzX568CuF7BerA28QiuuN"
/* As `ssh-keygen -lf` printed it for ED25519_LINE. */
#define ED25519_FINGERPRINT "SHA256:QyAXEEDTlGVl5Vy6aq/N/OeYDZCqsxfc+UhwLEX2sHE"

static void
test_parse_tolerated (void)
{
  static const char * const texts[] = {
    ED25519_LINE,
    ED25519_LINE "\n",
    ED25519_LINE " a comment with spaces\n",
    "  \n# a comment first\n\t" ED25519_LINE "\tcomment\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) blob = NULL;
      g_autofree char *type = NULL;
      g_autofree char *fingerprint = NULL;

      g_assert_true (ssh_public_key_parse (texts[i], &type, &blob, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (type, ==, "ssh-ed25519");
      fingerprint = ssh_public_key_fingerprint (blob);
      g_assert_cmpstr (fingerprint, ==, ED25519_FINGERPRINT);
    }
}

static void
test_parse_malformed (void)
{
  static const char * const texts[] = {
    "",
    "\n\n# only a comment\n",
    "ssh-ed25519",
    "ssh-ed25519 !!!!",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID68KvblsEq1rWiEa/Bm4pLHzX568CuF7BerA28Qiuu",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID68KvblsEq1rWiEa/Bm4pLHzX568CuF7BerA28QiuuN=",
    "ssh-ed25519 AAAAC3Nz=C1lZDI1NTE5AAAAID68KvblsEq1rWiEa/Bm4pLHzX568CuF7BerA28QiuuN",
    /* The blob says ssh-ed25519. */
    "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAID68KvblsEq1rWiEa/Bm4pLHzX568CuF7BerA28QiuuN",
    "ssh$rsa AAAAC3NzaC1lZDI1NTE5AAAAID68KvblsEq1rWiEa/Bm4pLHzX568CuF7BerA28QiuuN",
    /* Shorter than a length field, then a length past the end. */
    "ssh-ed25519 AAAA",
    "ssh-ed25519 AAAAQHNzaC1lZDI1NTE5",
    "\xff\xfe binary",
    /* Well-formed base64 of a key that is not whole: ssh-keygen -lf
     * refuses each of these, so no fingerprint may vouch for them. */
    /* type only */
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5",
    /* claims 32 bytes, has none */
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==",
    /* key of 31 bytes */
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAHwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    /* trailing data */
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fAA==",
    /* an extra field */
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fAAAAAXg=",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) blob = NULL;
      g_autofree char *type = NULL;

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_false (ssh_public_key_parse (texts[i], &type, &blob, &error));
      g_assert_error (error, SSH_HOST_KEYS_ERROR, SSH_HOST_KEYS_ERROR_MALFORMED);
      g_assert_null (type);
      g_assert_null (blob);
    }
}

static void
test_list_malformed (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *json = NULL;
  g_autofree char *directory = g_build_filename (fixture->dir, "ssh_host_dir_key.pub", NULL);
  g_autofree char *expected = NULL;
  const SshHostKey *key;

  g_free (write_file (fixture, "ssh_host_bad_key.pub", "not a key\n"));
  g_free (write_file (fixture, "ssh_host_ed25519_key.pub", ED25519_LINE " c\n"));
  g_assert_cmpint (g_mkdir (directory, 0700), ==, 0);

  keys = ssh_host_keys_list (fixture->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 3);

  key = g_ptr_array_index (keys, 0);
  g_assert_true (g_str_has_suffix (key->path, "/ssh_host_bad_key"));
  g_assert_cmpstr (key->error, ==, "ssh_host_bad_key.pub: Invalid base64 key");
  g_assert_null (key->fingerprint);
  key = g_ptr_array_index (keys, 1);
  g_assert_true (g_str_has_suffix (key->path, "/ssh_host_dir_key"));
  g_assert_nonnull (key->error);
  key = g_ptr_array_index (keys, 2);
  g_assert_null (key->error);
  g_assert_cmpstr (key->fingerprint, ==, ED25519_FINGERPRINT);
  g_assert_cmpstr (key->public_key, ==, ED25519_LINE);

  node = ssh_host_keys_to_json (keys);
  json_generator_set_root (generator, node);
  json = json_generator_to_data (generator, NULL);
  expected = g_strdup_printf ("[{\"path\":\"%s/ssh_host_bad_key\","
                              "\"error\":\"ssh_host_bad_key.pub: Invalid base64 key\"},"
                              "{\"path\":\"%s/ssh_host_dir_key\","
                              "\"error\":\"%s\"},"
                              "{\"type\":\"ssh-ed25519\",\"path\":\"%s/ssh_host_ed25519_key\","
                              "\"public-key\":\"" ED25519_LINE "\","
                              "\"fingerprint\":\"" ED25519_FINGERPRINT "\"}]",
                              fixture->dir, fixture->dir,
                              ((const SshHostKey *) g_ptr_array_index (keys, 1))->error,
                              fixture->dir);
  g_assert_cmpstr (json, ==, expected);
}

static void
test_list_missing_dir (void)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = ssh_host_keys_list ("/nonexistent/guestlink/ssh", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ssh-host-keys/fingerprint-matches-ssh-keygen", Fixture, NULL,
              fixture_setup, test_fingerprint_matches_ssh_keygen, fixture_teardown);
  g_test_add ("/ssh-host-keys/list", Fixture, NULL,
              fixture_setup, test_list, fixture_teardown);
  g_test_add ("/ssh-host-keys/list-malformed", Fixture, NULL,
              fixture_setup, test_list_malformed, fixture_teardown);
  g_test_add_func ("/ssh-host-keys/parse-tolerated", test_parse_tolerated);
  g_test_add_func ("/ssh-host-keys/parse-malformed", test_parse_malformed);
  g_test_add_func ("/ssh-host-keys/list-missing-dir", test_list_missing_dir);

  return g_test_run ();
}
