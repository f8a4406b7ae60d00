/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The file side of host key rotation in a temporary directory: new pairs
 * in place with the old ones kept aside, committed or rolled back, and a
 * rotation cut short at each point (what an agent that died leaves)
 * rolled back to the old keys. Also which keys sshd_config_read() takes
 * without an sshd_config (the files present, else the defaults).
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "fixture-dir.h"
#include "ssh-host-key-config.h"
#include "ssh-host-key-swap.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("guestlink-swap-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  fixture_dir_remove (fixture->dir);
  g_free (fixture->dir);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
assert_file (const char *dir,
             const char *name,
             const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *read = NULL;

  if (contents == NULL)
    {
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      return;
    }
  g_assert_true (g_file_get_contents (path, &read, NULL, NULL));
  g_assert_cmpstr (read, ==, contents);
}

/* The old rsa pair, no ed25519 pair; new ones of both staged. */
static void
stage_two_pairs (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *staging = g_build_filename (fixture->dir, SSH_HOST_KEY_STAGING_DIR, NULL);
  g_autofree char *aside = g_build_filename (fixture->dir, SSH_HOST_KEY_ASIDE_DIR, NULL);
  struct stat st;

  write_file (fixture->dir, "ssh_host_rsa_key", "old rsa");
  write_file (fixture->dir, "ssh_host_rsa_key.pub", "old rsa pub");
  g_assert_true (ssh_host_key_swap_begin (fixture->dir, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (staging, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (stat (aside, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);

  write_file (staging, "ssh_host_rsa_key", "new rsa");
  write_file (staging, "ssh_host_rsa_key.pub", "new rsa pub");
  write_file (staging, "ssh_host_ed25519_key", "new ed25519");
  write_file (staging, "ssh_host_ed25519_key.pub", "new ed25519 pub");
  g_assert_true (ssh_host_key_swap_sync_staged (fixture->dir, "ssh_host_rsa_key", &error));
  g_assert_true (ssh_host_key_swap_sync_staged (fixture->dir, "ssh_host_ed25519_key", &error));
  g_assert_no_error (error);
}

static void
install_both (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ssh_host_key_swap_install (fixture->dir, "ssh_host_rsa_key", &error));
  g_assert_true (ssh_host_key_swap_install (fixture->dir, "ssh_host_ed25519_key", &error));
  g_assert_true (ssh_host_key_swap_sync (fixture->dir, &error));
  g_assert_no_error (error);
}

static void
assert_old_keys (Fixture *fixture)
{
  g_autofree char *names = fixture_dir_list (fixture->dir);

  g_assert_cmpstr (names, ==, "ssh_host_rsa_key ssh_host_rsa_key.pub");
  assert_file (fixture->dir, "ssh_host_rsa_key", "old rsa");
  assert_file (fixture->dir, "ssh_host_rsa_key.pub", "old rsa pub");
}

static void
test_commit (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  g_autofree char *aside_names = NULL;
  g_autofree char *aside = g_build_filename (fixture->dir, SSH_HOST_KEY_ASIDE_DIR, NULL);

  stage_two_pairs (fixture);
  install_both (fixture);
  assert_file (fixture->dir, "ssh_host_rsa_key", "new rsa");
  assert_file (fixture->dir, "ssh_host_ed25519_key.pub", "new ed25519 pub");
  /* The old files by hard link, the missing ones marked. */
  aside_names = fixture_dir_list (aside);
  g_assert_cmpstr (aside_names, ==,
                   "ssh_host_ed25519_key.absent ssh_host_ed25519_key.pub.absent "
                   "ssh_host_rsa_key ssh_host_rsa_key.pub");
  assert_file (aside, "ssh_host_rsa_key", "old rsa");

  g_assert_true (ssh_host_key_swap_commit (fixture->dir, &error));
  g_assert_no_error (error);
  names = fixture_dir_list (fixture->dir);
  g_assert_cmpstr (names, ==, "ssh_host_ed25519_key ssh_host_ed25519_key.pub "
                              "ssh_host_rsa_key ssh_host_rsa_key.pub");
  assert_file (fixture->dir, "ssh_host_rsa_key.pub", "new rsa pub");
}

static void
test_roll_back_all (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint restored = 0;

  stage_two_pairs (fixture);
  install_both (fixture);
  g_assert_true (ssh_host_key_swap_roll_back (fixture->dir, &restored, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (restored, ==, 2);
  assert_old_keys (fixture);

  /* Again: nothing left to do. */
  g_assert_true (ssh_host_key_swap_roll_back (fixture->dir, &restored, &error));
  g_assert_cmpuint (restored, ==, 0);
  assert_old_keys (fixture);
}

/* Cut short after @n_steps of: begin, stage, keep rsa aside and rename
 * its private key (done by hand below for the halfway points), the rest
 * of the rsa install, the ed25519 install. */
static void
test_interrupted (Fixture       *fixture,
                  gconstpointer  data)
{
  guint n_steps = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *aside = g_build_filename (fixture->dir, SSH_HOST_KEY_ASIDE_DIR, NULL);
  g_autofree char *kept = g_build_filename (aside, "ssh_host_rsa_key", NULL);
  g_autofree char *kept_pub = g_build_filename (aside, "ssh_host_rsa_key.pub", NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "ssh_host_rsa_key", NULL);
  g_autofree char *pub_path = g_build_filename (fixture->dir, "ssh_host_rsa_key.pub", NULL);
  g_autofree char *staged = ssh_host_key_swap_staged_path (fixture->dir, "ssh_host_rsa_key");
  guint restored = 0;

  stage_two_pairs (fixture);
  if (n_steps >= 1)
    {
      /* The old rsa pair aside, its new private key in place. */
      g_assert_cmpint (link (path, kept), ==, 0);
      g_assert_cmpint (link (pub_path, kept_pub), ==, 0);
      g_assert_cmpint (rename (staged, path), ==, 0);
    }
  if (n_steps >= 2)
    {
      g_autofree char *staged_pub = g_strconcat (staged, ".pub", NULL);

      g_assert_cmpint (rename (staged_pub, pub_path), ==, 0);
      g_assert_true (ssh_host_key_swap_install (fixture->dir, "ssh_host_ed25519_key", &error));
      g_assert_no_error (error);
    }

  g_assert_true (ssh_host_key_swap_roll_back (fixture->dir, &restored, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (restored, ==, n_steps);
  assert_old_keys (fixture);
}

static void
test_begin_twice (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  g_assert_true (ssh_host_key_swap_begin (fixture->dir, &error));
  g_assert_false (ssh_host_key_swap_begin (fixture->dir, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_true (ssh_host_key_swap_roll_back (fixture->dir, NULL, NULL));
  names = fixture_dir_list (fixture->dir);
  g_assert_cmpstr (names, ==, "");
}

static const char *
key_type_at (const SshdConfig *config,
             guint             index)
{
  return ((const SshHostKeyFile *) g_ptr_array_index (config->keys, index))->type;
}

static const char *
key_path_at (const SshdConfig *config,
             guint             index)
{
  return ((const SshHostKeyFile *) g_ptr_array_index (config->keys, index))->path;
}

static void
test_config_without_sshd_config (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SshdConfig) defaults = NULL;
  g_autoptr(SshdConfig) present = NULL;
  g_autofree char *expected = g_build_filename (fixture->dir, "ssh_host_ed25519_key", NULL);
  g_autofree char *ecdsa_path = g_build_filename (fixture->dir, "ssh_host_ecdsa_key", NULL);
  g_autofree char *custom_path = g_build_filename (fixture->dir, "ssh_host_custom_key", NULL);

  defaults = sshd_config_read (fixture->dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (defaults->source, ==, SSH_HOST_KEY_SOURCE_DEFAULTS);
  g_assert_cmpstr (defaults->pidfile, ==, SSHD_DEFAULT_PIDFILE);
  g_assert_cmpuint (defaults->keys->len, ==, 3);
  g_assert_cmpstr (key_path_at (defaults, 0), ==, expected);
  g_assert_cmpstr (key_type_at (defaults, 0), ==, "ed25519");
  g_assert_cmpstr (key_type_at (defaults, 1), ==, "ecdsa");
  g_assert_cmpstr (key_type_at (defaults, 2), ==, "rsa");

  /* The type of a key whose name does not tell comes from its .pub. */
  write_file (fixture->dir, "ssh_host_ecdsa_key", "private");
  write_file (fixture->dir, "ssh_host_custom_key", "private");
  write_file (fixture->dir, "ssh_host_custom_key.pub",
              "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x\n");
  write_file (fixture->dir, "ssh_host_dsa_key", "private");
  write_file (fixture->dir, "ssh_known_hosts", "");
  present = sshd_config_read (fixture->dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (present->source, ==, SSH_HOST_KEY_SOURCE_FILES);
  g_assert_cmpuint (present->keys->len, ==, 3);
  g_assert_cmpstr (key_path_at (present, 0), ==, custom_path);
  g_assert_cmpstr (key_type_at (present, 0), ==, "ed25519");
  /* A DSA key is a key, but not one we make. */
  g_assert_null (key_type_at (present, 1));
  g_assert_cmpstr (key_path_at (present, 2), ==, ecdsa_path);
  g_assert_cmpstr (key_type_at (present, 2), ==, "ecdsa");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("/ssh-host-key-swap/commit", test_commit, NULL);
  ADD ("/ssh-host-key-swap/roll-back-all", test_roll_back_all, NULL);
  ADD ("/ssh-host-key-swap/interrupted/staged", test_interrupted, GUINT_TO_POINTER (0));
  ADD ("/ssh-host-key-swap/interrupted/half-a-pair", test_interrupted, GUINT_TO_POINTER (1));
  ADD ("/ssh-host-key-swap/interrupted/installed", test_interrupted, GUINT_TO_POINTER (2));
  ADD ("/ssh-host-key-swap/begin-twice", test_begin_twice, NULL);
  ADD ("/ssh-host-key-config/without-sshd-config", test_config_without_sshd_config, NULL);

#undef ADD

  return g_test_run ();
}
