/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The checks of what a host may send for a new identity: every edge of
 * each rule, on both sides.
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "identity-validate.h"

typedef gboolean (*ValidateFunc) (const char *value, GError **error);

static void
assert_valid (ValidateFunc  func,
              const char   *value)
{
  g_autoptr(GError) error = NULL;

  g_test_message ("valid: %s", value);
  g_assert_true (func (value, &error));
  g_assert_no_error (error);
}

static void
assert_invalid (ValidateFunc  func,
                const char   *value,
                const char   *reason)
{
  g_autoptr(GError) error = NULL;

  g_test_message ("invalid: %s", value);
  g_assert_false (func (value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, reason);
}

static char *
repeat (char  c,
        gsize n)
{
  char *text = g_malloc (n + 1);

  memset (text, c, n);
  text[n] = '\0';
  return text;
}

static void
test_host_name (void)
{
  g_autofree char *label63 = repeat ('a', 63);
  g_autofree char *label64 = repeat ('a', 64);
  g_autofree char *name253 = g_strjoin (".", label63, label63, label63,
                                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
  g_autofree char *name254 = g_strconcat (name253, "a", NULL);

  assert_valid (identity_validate_host_name, "a");
  assert_valid (identity_validate_host_name, "web-01");
  assert_valid (identity_validate_host_name, "web-01.example.org");
  assert_valid (identity_validate_host_name, "0123");
  assert_valid (identity_validate_host_name, label63);
  g_assert_cmpuint (strlen (name253), ==, 253);
  assert_valid (identity_validate_host_name, name253);

  assert_invalid (identity_validate_host_name, "", "it is empty");
  assert_invalid (identity_validate_host_name, name254, "it is 254 characters long, more than 253");
  assert_invalid (identity_validate_host_name, label64, "a label is 64 characters long, more than 63");
  assert_invalid (identity_validate_host_name, "Web", "character 1 is not one of a-z, 0-9, '-' and '.'");
  assert_invalid (identity_validate_host_name, "web_01", "character 4 is not one of a-z, 0-9, '-' and '.'");
  assert_invalid (identity_validate_host_name, "a b", "character 2 is not one of a-z, 0-9, '-' and '.'");
  assert_invalid (identity_validate_host_name, "a\nb", "character 2 is not one of a-z, 0-9, '-' and '.'");
  assert_invalid (identity_validate_host_name, "h\xc3\xa9", "character 2 is not one of a-z, 0-9, '-' and '.'");
  assert_invalid (identity_validate_host_name, "-web", "a label starts or ends with '-'");
  assert_invalid (identity_validate_host_name, "web-", "a label starts or ends with '-'");
  assert_invalid (identity_validate_host_name, "a.-b.c", "a label starts or ends with '-'");
  assert_invalid (identity_validate_host_name, ".web", "it has an empty label");
  assert_invalid (identity_validate_host_name, "web.", "it has an empty label");
  assert_invalid (identity_validate_host_name, "a..b", "it has an empty label");
}

static void
test_pretty_host_name (void)
{
  g_autofree char *name255 = repeat ('p', 255);
  g_autofree char *name256 = repeat ('p', 256);

  assert_valid (identity_validate_pretty_host_name, "");
  assert_valid (identity_validate_pretty_host_name, "Web server #1 (Zürich) \"blue\" $HOME `x`");
  assert_valid (identity_validate_pretty_host_name, name255);

  assert_invalid (identity_validate_pretty_host_name, name256, "it is 256 bytes long, more than 255");
  /* Not through assert_invalid(): its message would not be UTF-8 either,
   * which TAP output must be. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (identity_validate_pretty_host_name ("caf\xc3", &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_cmpstr (error->message, ==, "it is not UTF-8");
  }
  assert_invalid (identity_validate_pretty_host_name, "a\nb", "character 2 is a control character");
  assert_invalid (identity_validate_pretty_host_name, "Zür\tich", "character 4 is a control character");
  assert_invalid (identity_validate_pretty_host_name, "a\x7f", "character 2 is a control character");
  /* C1 controls are control characters too. */
  assert_invalid (identity_validate_pretty_host_name, "a\xc2\x85", "character 2 is a control character");
}

static void
test_machine_id (void)
{
  assert_valid (identity_validate_machine_id, "0123456789abcdef0123456789abcdef");
  assert_valid (identity_validate_machine_id, "00000000000000000000000000000001");

  assert_invalid (identity_validate_machine_id, "", "it is not 32 hexadecimal digits");
  assert_invalid (identity_validate_machine_id, "0123456789abcdef0123456789abcde",
                  "it is not 32 hexadecimal digits");
  assert_invalid (identity_validate_machine_id, "0123456789abcdef0123456789abcdef0",
                  "it is not 32 hexadecimal digits");
  assert_invalid (identity_validate_machine_id, "0123456789ABCDEF0123456789abcdef",
                  "it is not 32 lowercase hexadecimal digits");
  assert_invalid (identity_validate_machine_id, "0123456789abcdef0123456789abcdeg",
                  "it is not 32 lowercase hexadecimal digits");
  assert_invalid (identity_validate_machine_id, "01234567-89ab-cdef-0123-456789ab",
                  "it is not 32 lowercase hexadecimal digits");
  assert_invalid (identity_validate_machine_id, "00000000000000000000000000000000",
                  "it is all zeros");
}

static void
test_instance_id (void)
{
  g_autofree char *id128 = repeat ('i', 128);
  g_autofree char *id129 = repeat ('i', 129);

  assert_valid (identity_validate_instance_id, "i-0123456789abcdef");
  assert_valid (identity_validate_instance_id, "clone 7 of template \"web\" ~!");
  assert_valid (identity_validate_instance_id, id128);

  assert_invalid (identity_validate_instance_id, "", "it is empty");
  assert_invalid (identity_validate_instance_id, id129, "it is 129 bytes long, more than 128");
  assert_invalid (identity_validate_instance_id, "a\tb", "byte 2 is not printable ASCII");
  assert_invalid (identity_validate_instance_id, "ab\n", "byte 3 is not printable ASCII");
  assert_invalid (identity_validate_instance_id, "\xc3\xa9", "byte 1 is not printable ASCII");
  assert_invalid (identity_validate_instance_id, "a\x7f", "byte 2 is not printable ASCII");
}

static void
assert_seed_invalid (const char *base64,
                     const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) seed = identity_decode_random_seed (base64, &error);

  g_test_message ("invalid seed: %.40s", base64);
  g_assert_null (seed);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, reason);
}

static void
test_random_seed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) seed = NULL;
  guint8 max[4096];
  guint8 over[4097];
  g_autofree char *max_text = NULL;
  g_autofree char *over_text = NULL;

  seed = identity_decode_random_seed ("AAEC/w==", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (seed, NULL), g_bytes_get_size (seed), "\x00\x01\x02\xff", 4);
  g_clear_pointer (&seed, g_bytes_unref);

  for (gsize i = 0; i < sizeof max; i++)
    max[i] = (guint8) (i * 7);
  max_text = g_base64_encode (max, sizeof max);
  seed = identity_decode_random_seed (max_text, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (seed, NULL), g_bytes_get_size (seed), max, sizeof max);

  memset (over, 1, sizeof over);
  over_text = g_base64_encode (over, sizeof over);
  assert_seed_invalid (over_text, "it is more than 4096 bytes");
  assert_seed_invalid ("", "it is not base64");
  assert_seed_invalid ("AAE", "it is not base64");
  assert_seed_invalid ("AA E", "it is not base64");
  assert_seed_invalid ("AA\nE", "it is not base64");
  assert_seed_invalid ("AA*E", "it is not base64");
  assert_seed_invalid ("====", "it is not base64");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/identity-validate/host-name", test_host_name);
  g_test_add_func ("/identity-validate/pretty-host-name", test_pretty_host_name);
  g_test_add_func ("/identity-validate/machine-id", test_machine_id);
  g_test_add_func ("/identity-validate/instance-id", test_instance_id);
  g_test_add_func ("/identity-validate/random-seed", test_random_seed);

  return g_test_run ();
}
