/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * authorized_keys text handling: which lines are keys, when two lines hold
 * the same key, and that add, reset and remove leave every other line as
 * it was.
 */
#include "config.h"

#include "authorized-keys.h"

#define K1 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF/1UXQuSKCA6pSMn0exm02Snc5UMOqsBOHp16kGr0zs"
#define K2 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAk7UrzcoixcIDajLi0UknI7KpSe9eEbZCfHeiAwazeZ"
#define K3 "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNA8C6yqRPaJKtfPFlb3nrlTBokjKoEMATgmMio1BA62e+mHp2Zog+E+RfwV50fhrJrtxizpYjuAEeCGBzTxlPY="

static void
test_valid_lines (void)
{
  static const char * const valid[] = {
    K1,
    K1 " k1@host",
    "  " K3 " a comment with spaces\t",
    "restrict " K1,
    "from=\"10.0.0.0/8,192.168.1.1\",no-pty " K2 " c",
    "command=\"echo \\\"hi there\\\"\" " K1,
    "environment=\"A=b c\"\t" K1,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *identity = authorized_keys_line_identity (valid[i], &error);

      g_test_message ("%s", valid[i]);
      g_assert_no_error (error);
      g_assert_nonnull (identity);
    }
}

static void
test_invalid_lines (void)
{
  static const struct { const char *line; const char *reason; } invalid[] = {
    { "", "The line is empty" },
    { "   ", "The line is empty" },
    { "# " K1, "The line is a comment" },
    { K1 "\n" K2, "The line has a control character" },
    { K1 "\r", "The line has a control character" },
    { "algo key1 comments", "The key's type does not match its line" },
    { "ssh-ed25519 AAAA!!!!", "Invalid base64 key" },
    { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF/1UXQuSKCA6pSMn0exm02Snc5UMOqsBOHp16kGr0z", NULL },
    { "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIF/1UXQuSKCA6pSMn0exm02Snc5UMOqsBOHp16kGr0zs",
      "The key's type does not match its line" },
    { "from=\"10.0.0.1 " K1, "Unterminated quote in the options" },
    { "restrict ssh-ed25519 AAAA", NULL },
    { "restrict", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *identity = authorized_keys_line_identity (invalid[i].line, &error);

      g_test_message ("%s", invalid[i].line);
      g_assert_null (identity);
      g_assert_nonnull (error);
      if (invalid[i].reason != NULL)
        g_assert_cmpstr (error->message, ==, invalid[i].reason);
    }
}

static void
test_identity (void)
{
  g_autofree char *a = authorized_keys_line_identity (K1 " one", NULL);
  g_autofree char *b = authorized_keys_line_identity ("  " K1 "   other comment", NULL);
  g_autofree char *c = authorized_keys_line_identity ("restrict " K1 " one", NULL);
  g_autofree char *d = authorized_keys_line_identity (K2 " one", NULL);

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpstr (a, !=, d);
}

static void
assert_edit (const char          *contents,
             AuthorizedKeysEdit   edit,
             const char * const  *keys,
             const char          *expected,
             gboolean             expected_changed)
{
  gboolean changed = !expected_changed;
  g_autofree char *result = authorized_keys_edit (contents, edit, keys, &changed);

  g_assert_cmpstr (result, ==, expected);
  g_assert_cmpint (changed, ==, expected_changed);
}

static void
test_add (void)
{
  const char * const k2[] = { K2 " k2", NULL };
  const char * const k1_k2[] = { K1 " k1", "  " K2 " again  ", NULL };
  const char * const twice[] = { K1 " a", K1 " b", NULL };
  const char * const none[] = { NULL };

  assert_edit (NULL, AUTHORIZED_KEYS_ADD, k2, K2 " k2\n", TRUE);
  /* K2 is there under another comment: only K1 is added, stripped. */
  assert_edit ("# mine\n" K2 " k2\n\ngarbage line", AUTHORIZED_KEYS_ADD, k1_k2,
               "# mine\n" K2 " k2\n\ngarbage line\n" K1 " k1\n", TRUE);
  assert_edit ("", AUTHORIZED_KEYS_ADD, twice, K1 " a\n", TRUE);
  assert_edit (K2 " k2\n", AUTHORIZED_KEYS_ADD, k2, K2 " k2\n", FALSE);
  assert_edit (K2 " k2\n", AUTHORIZED_KEYS_ADD, none, K2 " k2\n", FALSE);
  /* No file yet: an empty one is written, as qemu-ga does. */
  assert_edit (NULL, AUTHORIZED_KEYS_ADD, none, "", TRUE);
  /* With options, the same key is another entry. */
  assert_edit ("restrict " K2 "\n", AUTHORIZED_KEYS_ADD, k2, "restrict " K2 "\n" K2 " k2\n", TRUE);
}

static void
test_reset (void)
{
  const char * const k1_k2[] = { K1, K2, NULL };
  const char * const none[] = { NULL };

  assert_edit ("# mine\n" K3 "\n", AUTHORIZED_KEYS_RESET, k1_k2, K1 "\n" K2 "\n", TRUE);
  assert_edit (K3 "\n", AUTHORIZED_KEYS_RESET, none, "", TRUE);
}

static void
test_remove (void)
{
  const char * const k1[] = { K1 " whatever", NULL };
  const char * const k3[] = { K3, NULL };

  assert_edit (K1 " a\n" K1 " a\n# a commented line\n" K2 " keep\r\n  " K1 "\n",
               AUTHORIZED_KEYS_REMOVE, k1, "# a commented line\n" K2 " keep\r\n", TRUE);
  assert_edit ("# only\n" K2, AUTHORIZED_KEYS_REMOVE, k3, "# only\n" K2 "\n", FALSE);
  assert_edit ("restrict " K1 "\n", AUTHORIZED_KEYS_REMOVE, k1, "restrict " K1 "\n", FALSE);
}

static void
test_list (void)
{
  g_autoptr(GPtrArray) keys = authorized_keys_list ("  " K1 " a  \n\n# c\n  # d\nnot a key\n" K2);

  g_assert_cmpuint (keys->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (keys, 0), ==, K1 " a");
  g_assert_cmpstr (g_ptr_array_index (keys, 1), ==, "not a key");
  g_assert_cmpstr (g_ptr_array_index (keys, 2), ==, K2);
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = authorized_keys_list (NULL);
  g_assert_cmpuint (keys->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/authorized-keys/valid-lines", test_valid_lines);
  g_test_add_func ("/authorized-keys/invalid-lines", test_invalid_lines);
  g_test_add_func ("/authorized-keys/identity", test_identity);
  g_test_add_func ("/authorized-keys/add", test_add);
  g_test_add_func ("/authorized-keys/reset", test_reset);
  g_test_add_func ("/authorized-keys/remove", test_remove);
  g_test_add_func ("/authorized-keys/list", test_list);
  return g_test_run ();
}
