/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The mount table model over fixture mountinfo text: field parsing with
 * optional tags and escapes, which mounts are local filesystems, and one
 * entry per filesystem when bind mounts or double mounts repeat it.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <unistd.h>

#include <glib/gstdio.h>

#include "fs-mounts.h"

static GPtrArray *
read_fixture (const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("mountinfo-XXXXXX", &path, &error);
  GPtrArray *mounts;

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  mounts = fs_mounts_read (path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return mounts;
}

static const char fixture[] =
  /* a virtual filesystem: major 0 */
  "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
  /* the root filesystem, with an optional tag */
  "27 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
  /* a mountpoint with a space and a tab, escaped; two optional tags */
  "30 27 7:0 / /mnt/my\\040data\\011x rw shared:5 master:2 - xfs /dev/loop0 rw\n"
  /* a bind mount of a directory of the root filesystem */
  "31 27 254:1 /srv /var/www rw - ext4 /dev/vda1 rw\n"
  /* the loop filesystem mounted a second time */
  "32 27 7:0 / /mnt/again rw - xfs /dev/loop0 rw\n"
  /* network and overlay filesystems: major 0 */
  "33 27 0:50 / /net rw - nfs4 server:/export rw\n"
  "34 27 0:51 / /merged rw - overlay overlay rw\n"
  /* btrfs: major 0 in mountinfo, a real filesystem */
  "35 27 0:52 / /srv/pool rw - btrfs /dev/vdb rw\n"
  /* another subvolume of it: mountinfo gives the superblock's device */
  "39 27 0:52 /@home /home rw - btrfs /dev/vdb rw\n"
  /* malformed: too few fields, no separator, a bad device */
  "36 27 8:0 /\n"
  "37 27 8:0 / /x rw shared:1 ext4 /dev/sda rw\n"
  "38 27 8:x / /y rw - ext4 /dev/sda rw\n";

static void
test_parse (void)
{
  g_autoptr(GPtrArray) mounts = read_fixture (fixture);
  FsMount *escaped;

  /* The three malformed lines are skipped. */
  g_assert_cmpuint (mounts->len, ==, 9);

  escaped = g_ptr_array_index (mounts, 2);
  g_assert_cmpuint (escaped->mount_id, ==, 30);
  g_assert_cmpuint (escaped->parent_id, ==, 27);
  g_assert_cmpuint (major (escaped->device), ==, 7);
  g_assert_cmpuint (minor (escaped->device), ==, 0);
  g_assert_cmpstr (escaped->mountpoint, ==, "/mnt/my data\tx");
  g_assert_cmpstr (escaped->fstype, ==, "xfs");
  g_assert_cmpstr (escaped->source, ==, "/dev/loop0");
  g_assert_cmpstr (escaped->root, ==, "/");

  g_assert_cmpstr (((FsMount *) g_ptr_array_index (mounts, 3))->root, ==, "/srv");
}

static void
test_local (void)
{
  g_autoptr(GPtrArray) mounts = read_fixture (fixture);
  static const gboolean expected[] = { FALSE, TRUE, TRUE, TRUE, TRUE, FALSE, FALSE, TRUE, TRUE };

  for (guint i = 0; i < mounts->len; i++)
    {
      FsMount *mount = g_ptr_array_index (mounts, i);

      g_test_message ("%s (%s)", mount->mountpoint, mount->fstype);
      g_assert_cmpint (fs_mount_is_local (mount), ==, expected[i]);
    }
}

static void
test_one_per_filesystem (void)
{
  g_autoptr(GPtrArray) mounts = read_fixture (fixture);
  g_autoptr(GPtrArray) local = fs_mounts_local_filesystems (mounts);

  /* /, the loop filesystem at its first mountpoint, and btrfs at its
   * first subvolume. The bind mount, the second loop mount and the
   * second subvolume are the same filesystems (one superblock each). */
  g_assert_cmpuint (local->len, ==, 3);
  g_assert_cmpstr (((FsMount *) g_ptr_array_index (local, 0))->mountpoint, ==, "/");
  g_assert_cmpstr (((FsMount *) g_ptr_array_index (local, 1))->mountpoint, ==, "/mnt/my data\tx");
  g_assert_cmpstr (((FsMount *) g_ptr_array_index (local, 2))->mountpoint, ==, "/srv/pool");
  g_assert_true (((FsMount *) g_ptr_array_index (local, 2))->device == makedev (0, 52));
}

static gboolean
block_device_of (GPtrArray  *mounts,
                 guint       index,
                 dev_t      *device)
{
  return fs_mount_get_block_device (g_ptr_array_index (mounts, index), device);
}

/* What qemu-ga lists: every mount on a block device, bind mounts too;
 * btrfs by the block device its source names. The btrfs mountpoints do
 * not exist, so their device stays the anonymous 0:N of mountinfo. */
static void
test_block_device (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fs-mounts-XXXXXX", NULL);
  g_autofree char *node = g_build_filename (dir, "blk", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) mounts = NULL;
  gboolean have_node;
  dev_t device = 0;

  g_assert_nonnull (dir);
  /* Only root may make a device node; without one that case is skipped. */
  have_node = mknod (node, S_IFBLK | 0600, makedev (7, 200)) == 0;
  contents = g_strdup_printf (
    "27 1 254:1 / / rw - ext4 /dev/vda1 rw\n"
    "31 27 254:1 /srv /var/www rw - ext4 /dev/vda1 rw\n"
    "22 27 0:21 / /proc rw - proc proc rw\n"
    "40 27 0:60 / /nonexistent-guestlink/a rw - btrfs /nonexistent-guestlink/dev rw\n"
    "41 27 0:61 / /nonexistent-guestlink/b rw - btrfs / rw\n"
    "42 27 0:62 / /nonexistent-guestlink/c rw - btrfs /dev/null rw\n"
    "43 27 0:63 / /nonexistent-guestlink/d rw - btrfs %s rw\n", node);
  mounts = read_fixture (contents);
  g_assert_cmpuint (mounts->len, ==, 7);

  g_assert_true (block_device_of (mounts, 0, &device));
  g_assert_true (device == makedev (254, 1));
  device = 0;
  g_assert_true (block_device_of (mounts, 1, &device));
  g_assert_true (device == makedev (254, 1));
  g_assert_false (block_device_of (mounts, 2, &device));
  /* btrfs whose source is missing, a directory, a character device */
  g_assert_false (block_device_of (mounts, 3, &device));
  g_assert_false (block_device_of (mounts, 4, &device));
  g_assert_false (block_device_of (mounts, 5, &device));
  if (have_node)
    {
      g_assert_true (block_device_of (mounts, 6, &device));
      g_assert_true (device == makedev (7, 200));
      g_unlink (node);
    }
  else
    {
      g_test_message ("no block device node could be made: the btrfs case is not checked");
    }
  g_rmdir (dir);
}

static void
test_real_mountinfo (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mounts = fs_mounts_read ("/proc/self/mountinfo", &error);
  gboolean has_root = FALSE;

  g_assert_no_error (error);
  for (guint i = 0; i < mounts->len; i++)
    has_root |= g_str_equal (((FsMount *) g_ptr_array_index (mounts, i))->mountpoint, "/");
  g_assert_true (has_root);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mounts = fs_mounts_read ("/nonexistent/mountinfo", &error);

  g_assert_null (mounts);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fs-mounts/parse", test_parse);
  g_test_add_func ("/fs-mounts/local", test_local);
  g_test_add_func ("/fs-mounts/one-per-filesystem", test_one_per_filesystem);
  g_test_add_func ("/fs-mounts/block-device", test_block_device);
  g_test_add_func ("/fs-mounts/real-mountinfo", test_real_mountinfo);
  g_test_add_func ("/fs-mounts/missing-file", test_missing_file);

  return g_test_run ();
}
