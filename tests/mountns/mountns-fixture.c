/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "mountns-fixture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <glib/gstdio.h>

#include "agent-harness.h"

#define MARKER ".guestlink-mountns-fixture"

static gboolean
same_namespace_as_parent (const char *kind)
{
  g_autofree char *self_path = g_strdup_printf ("/proc/self/ns/%s", kind);
  g_autofree char *parent_path = g_strdup_printf ("/proc/%d/ns/%s", (int) getppid (), kind);
  g_autofree char *self_ns = g_file_read_link (self_path, NULL);
  g_autofree char *parent_ns = g_file_read_link (parent_path, NULL);

  return self_ns == NULL || parent_ns == NULL || g_str_equal (self_ns, parent_ns);
}

/* "shared:N" in mountinfo: a mount made here would propagate back. */
static gboolean
no_shared_mounts (void)
{
  g_autofree char *mountinfo = NULL;

  return g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL) &&
         strstr (mountinfo, " shared:") == NULL;
}

gboolean
mountns_is_private (void)
{
  return !same_namespace_as_parent ("mnt") && !same_namespace_as_parent ("uts") &&
         no_shared_mounts ();
}

void
mountns_require_private (void)
{
  if (!mountns_is_private ())
    {
      g_print ("SKIP: not in private mount and UTS namespaces; run through run-in-mountns.sh\n");
      exit (HARNESS_EXIT_SKIP);
    }
}

void
mountns_check (gboolean    ok,
               const char *what)
{
  if (!ok)
    harness_fail ("%s: %s", what, g_strerror (errno));
}

void
mountns_mount_tmpfs (const char *dir)
{
  g_autofree char *marker = g_build_filename (dir, MARKER, NULL);

  mountns_check (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0, dir);
  g_assert_true (g_file_set_contents (marker, "", 0, NULL));
}

void
mountns_assert_on_tmpfs (const char *dir)
{
  g_autofree char *marker = g_build_filename (dir, MARKER, NULL);
  struct statfs st;

  mountns_check (statfs (dir, &st) == 0, dir);
  if (st.f_type != TMPFS_MAGIC || !g_file_test (marker, G_FILE_TEST_EXISTS))
    harness_fail ("%s is not the test's tmpfs; refusing to write there", dir);
}

char *
mountns_stage (const char *dir)
{
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *template = g_strdup_printf ("guestlink-mountns-%s-XXXXXX", base);
  g_autoptr(GError) error = NULL;
  char *staging = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  mountns_check (mount (dir, staging, NULL, MS_BIND, NULL) == 0, staging);
  mountns_check (mount (NULL, staging, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0,
                 staging);
  return staging;
}

void
mountns_unstage (const char *staging)
{
  mountns_check (umount2 (staging, MNT_DETACH) == 0, staging);
  mountns_check (g_rmdir (staging) == 0, staging);
}

void
mountns_mount_overlay (const char         *dir,
                       const char         *staging,
                       const char * const *controlled)
{
  g_autoptr(GDir) entries = NULL;
  const char *name;

  mountns_mount_tmpfs (dir);
  entries = g_dir_open (staging, 0, NULL);
  g_assert_nonnull (entries);
  while ((name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *target = g_build_filename (staging, name, NULL);
      g_autofree char *link_path = g_build_filename (dir, name, NULL);

      if (!g_strv_contains (controlled, name))
        mountns_check (symlink (target, link_path) == 0, link_path);
    }
}
