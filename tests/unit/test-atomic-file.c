/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replacing files whole: new and existing files, modes, a symlink in the
 * way (replaced, its target untouched), links, and failures that leave
 * nothing behind.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "atomic-file.h"
#include "fixture-dir.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("guestlink-atomic-XXXXXX", &error);
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
assert_file (const char *path,
             const char *contents,
             mode_t      mode)
{
  g_autofree char *read = NULL;
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, mode);
  g_assert_true (g_file_get_contents (path, &read, NULL, NULL));
  g_assert_cmpstr (read, ==, contents);
}

static void
test_new_and_replaced (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "hostname", NULL);
  g_autofree char *names = NULL;

  g_assert_true (atomic_file_replace (path, "old\n", 4, 0644, -1, -1, &error));
  g_assert_no_error (error);
  assert_file (path, "old\n", 0644);

  /* The mode given, not the umask's nor the old file's. */
  g_assert_true (atomic_file_replace (path, "new\n", 4, 0600, -1, -1, &error));
  g_assert_no_error (error);
  assert_file (path, "new\n", 0600);

  g_assert_true (atomic_file_replace (path, "", 0, 0640, getuid (), getgid (), &error));
  g_assert_no_error (error);
  assert_file (path, "", 0640);

  names = fixture_dir_list (fixture->dir);
  g_assert_cmpstr (names, ==, "hostname");
}

/* A symlink planted where the file goes is replaced, and what it points
 * to is never written. */
static void
test_symlink_replaced (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "machine-id", NULL);
  g_autofree char *victim = g_build_filename (fixture->dir, "victim", NULL);

  g_assert_true (g_file_set_contents (victim, "precious\n", -1, NULL));
  g_assert_cmpint (symlink (victim, path), ==, 0);

  g_assert_true (atomic_file_replace (path, "id\n", 3, 0444, -1, -1, &error));
  g_assert_no_error (error);
  assert_file (path, "id\n", 0444);
  {
    g_autofree char *contents = NULL;
    struct stat st;

    g_assert_true (g_file_get_contents (victim, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "precious\n");
    g_assert_cmpint (lstat (victim, &st), ==, 0);
    g_assert_true (S_ISREG (st.st_mode));
  }
}

static void
test_symlink (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "dbus-machine-id", NULL);
  g_autofree char *target = NULL;
  g_autofree char *names = NULL;

  /* Over a file, then over a link. */
  g_assert_true (g_file_set_contents (path, "separate copy\n", -1, NULL));
  g_assert_true (atomic_file_symlink (path, "/etc/machine-id", &error));
  g_assert_no_error (error);
  target = g_file_read_link (path, NULL);
  g_assert_cmpstr (target, ==, "/etc/machine-id");
  g_clear_pointer (&target, g_free);

  g_assert_true (atomic_file_symlink (path, "../machine-id", &error));
  g_assert_no_error (error);
  target = g_file_read_link (path, NULL);
  g_assert_cmpstr (target, ==, "../machine-id");

  names = fixture_dir_list (fixture->dir);
  g_assert_cmpstr (names, ==, "dbus-machine-id");
}

/* Failures say which path and leave nothing behind. */
static void
test_failures (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (fixture->dir, "no-such-dir", "file", NULL);
  g_autofree char *directory = g_build_filename (fixture->dir, "a-directory", NULL);
  g_autofree char *names = NULL;

  g_assert_false (atomic_file_replace (missing, "x", 1, 0644, -1, -1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-dir"));
  g_clear_error (&error);

  g_assert_false (atomic_file_symlink (missing, "/x", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A directory in the way cannot be replaced by a file. */
  g_assert_cmpint (g_mkdir (directory, 0755), ==, 0);
  g_assert_false (atomic_file_replace (directory, "x", 1, 0644, -1, -1, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "Cannot replace "));
  g_clear_error (&error);

  names = fixture_dir_list (fixture->dir);
  g_assert_cmpstr (names, ==, "a-directory");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/atomic-file/new-and-replaced", test_new_and_replaced);
  ADD ("/atomic-file/symlink-replaced", test_symlink_replaced);
  ADD ("/atomic-file/symlink", test_symlink);
  ADD ("/atomic-file/failures", test_failures);
#undef ADD

  return g_test_run ();
}
