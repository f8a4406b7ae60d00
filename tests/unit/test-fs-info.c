/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-get-fsinfo and guest-fstrim replies over fixture mount tables and
 * sysfs trees: which mounts are listed and in what order, and the reply
 * text byte for byte. guest-fstrim is only ever pointed at mountpoints
 * that do not exist, so no FITRIM reaches this machine's filesystems;
 * real trimming is checked in a private mount namespace on loop devices.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fs-private.h"
#include "json-encode.h"
#include "sysfs-fixture.h"

#define VDA "devices/pci0000:00/0000:00:04.0/virtio1/block/vda"
#define VDA_DISK(dev) \
  "{\"bus-type\": \"virtio\", \"bus\": 0, \"unit\": 0, " \
  "\"pci-controller\": {\"bus\": 0, \"slot\": 4, \"domain\": 0, \"function\": 0}, " \
  "\"dev\": \"" dev "\", \"target\": 0}"

typedef struct {
  char *dir;
  char *mountinfo;
  char *missing;          /* a directory that is never created */
} Tables;

static void
tables_setup (Tables        *tables,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tables->dir = g_dir_make_tmp ("test-fs-info-XXXXXX", &error);
  g_assert_no_error (error);
  tables->mountinfo = g_build_filename (tables->dir, "mountinfo", NULL);
  tables->missing = g_build_filename (tables->dir, "missing", NULL);
}

static void
tables_teardown (Tables        *tables,
                 gconstpointer  data)
{
  g_unlink (tables->mountinfo);
  g_assert_cmpint (g_rmdir (tables->dir), ==, 0);
  g_free (tables->dir);
  g_free (tables->mountinfo);
  g_free (tables->missing);
}

/* Writes the mount table; "@" in @lines stands for tables->missing. */
static void
write_mountinfo (Tables     *tables,
                 const char *lines)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = g_strsplit (lines, "@", -1);
  g_autofree char *contents = g_strjoinv (tables->missing, parts);

  g_file_set_contents (tables->mountinfo, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
encode (JsonNode *node)
{
  g_autoptr(JsonNode) owned = node;

  g_assert_nonnull (owned);
  return json_encode_to_string (owned);
}

static const char mounts[] =
  "22 27 0:21 / /proc rw - proc proc rw\n"
  "27 1 254:1 / @/root rw shared:1 - ext4 /dev/vda1 rw\n"
  "30 27 254:1 /srv @/my\\040www rw - ext4 /dev/vda1 rw\n"
  "31 27 0:40 / @/tmp rw - tmpfs tmpfs rw\n"
  "32 27 7:3 / @/loop rw - xfs /dev/loop3 rw\n"
  "33 27 0:60 / @/btrfs rw - btrfs /nonexistent-guestlink/dev rw\n";

/* Every mount on a block device, the bind mount too, newest first; no
 * usage where statvfs() fails (these mountpoints do not exist); a device
 * sysfs does not show is named MAJ:MIN, with no disks. */
static void
test_fsinfo (Tables        *tables,
             gconstpointer  data)
{
  g_autoptr(SysfsFixture) sysfs = sysfs_fixture_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *expected = NULL;

  sysfs_fixture_add_pci_function (sysfs, "devices/pci0000:00/0000:00:04.0", "virtio-pci");
  sysfs_fixture_add_block (sysfs, VDA, 254, 0, TRUE);
  sysfs_fixture_add_block (sysfs, VDA "/vda1", 254, 1, TRUE);
  write_mountinfo (tables, mounts);

  reply = encode (fs_info_collect (tables->mountinfo, sysfs_fixture_get_root (sysfs),
                                   sysfs_fixture_get_udev_dir (sysfs), &error));
  g_assert_no_error (error);
  expected = g_strdup_printf (
    "[{\"name\": \"7:3\", \"mountpoint\": \"%1$s/loop\", \"disk\": [], \"type\": \"xfs\"}, "
    "{\"name\": \"vda1\", \"mountpoint\": \"%1$s/my www\", \"disk\": [" VDA_DISK ("/dev/vda1") "], "
    "\"type\": \"ext4\"}, "
    "{\"name\": \"vda1\", \"mountpoint\": \"%1$s/root\", \"disk\": [" VDA_DISK ("/dev/vda1") "], "
    "\"type\": \"ext4\"}]", tables->missing);
  g_assert_cmpstr (reply, ==, expected);
}

/* A filesystem statvfs() can read: both usage members, where qemu-ga's
 * hash order puts them, and used + available within the total. */
static void
test_fsinfo_usage (Tables        *tables,
                   gconstpointer  data)
{
  static const char * const order[] = { "name", "total-bytes", "mountpoint", "disk", "used-bytes", "type" };
  g_autoptr(SysfsFixture) sysfs = sysfs_fixture_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *line = g_strdup_printf ("27 1 254:0 / %s rw - ext4 /dev/vda rw\n", tables->dir);
  g_autoptr(GList) members = NULL;
  JsonObject *filesystem;
  GList *member;
  gsize i;

  write_mountinfo (tables, line);
  reply = fs_info_collect (tables->mountinfo, sysfs_fixture_get_root (sysfs),
                           sysfs_fixture_get_udev_dir (sysfs), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (reply)), ==, 1);
  filesystem = json_array_get_object_element (json_node_get_array (reply), 0);
  members = json_object_get_members (filesystem);
  for (member = members, i = 0; member != NULL; member = member->next, i++)
    g_assert_cmpstr (member->data, ==, order[i]);
  g_assert_cmpuint (i, ==, G_N_ELEMENTS (order));
  g_assert_cmpint (json_object_get_int_member (filesystem, "used-bytes"), >, 0);
  g_assert_cmpint (json_object_get_int_member (filesystem, "total-bytes"), >=,
                   json_object_get_int_member (filesystem, "used-bytes"));
  /* The fixture sysfs has no 254:0. */
  g_assert_cmpstr (json_object_get_string_member (filesystem, "name"), ==, "254:0");
}

/* A sysfs that cannot be read fails the command, as in qemu-ga. */
static void
test_fsinfo_error (Tables        *tables,
                   gconstpointer  data)
{
  g_autoptr(SysfsFixture) sysfs = sysfs_fixture_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *slaves = NULL;
  JsonNode *reply;

  sysfs_fixture_add_block (sysfs, "devices/virtual/block/dm-0", 253, 0, TRUE);
  slaves = g_build_filename (sysfs_fixture_get_root (sysfs), "devices/virtual/block/dm-0/slaves", NULL);
  g_assert_true (g_file_set_contents (slaves, "", 0, NULL));
  write_mountinfo (tables, "27 1 253:0 / @/root rw - ext4 /dev/dm-0 rw\n");

  reply = fs_info_collect (tables->mountinfo, sysfs_fixture_get_root (sysfs),
                           sysfs_fixture_get_udev_dir (sysfs), &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_suffix (error->message, "/slaves\"): Not a directory"));
}

static void
test_missing_table (Tables        *tables,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) trim_error = NULL;

  g_assert_null (fs_info_collect (tables->mountinfo, "/sys", "/run/udev/data", &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "failed to read the mount table: "));
  g_assert_null (fs_trim_collect (tables->mountinfo, 0, NULL, &trim_error));
  g_assert_nonnull (trim_error);
}

/* The same mounts as guest-get-fsinfo, newest first, each with its own
 * result; none of these exists, so each is an open failure. */
static void
test_fstrim_results (Tables        *tables,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *expected = NULL;

  g_assert_false (g_file_test (tables->missing, G_FILE_TEST_EXISTS));
  write_mountinfo (tables, mounts);

  reply = encode (fs_trim_collect (tables->mountinfo, 4096, NULL, &error));
  g_assert_no_error (error);
  expected = g_strdup_printf (
    "{\"paths\": ["
    "{\"path\": \"%1$s/loop\", \"error\": \"failed to open: No such file or directory\"}, "
    "{\"path\": \"%1$s/my www\", \"error\": \"failed to open: No such file or directory\"}, "
    "{\"path\": \"%1$s/root\", \"error\": \"failed to open: No such file or directory\"}]}",
    tables->missing);
  g_assert_cmpstr (reply, ==, expected);
}

static void
test_fstrim_nothing (Tables        *tables,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;

  write_mountinfo (tables, "22 27 0:21 / /proc rw - proc proc rw\n");
  reply = encode (fs_trim_collect (tables->mountinfo, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (reply, ==, "{\"paths\": []}");
}

/* A cancelled call stops before the next filesystem. */
static void
test_fstrim_cancelled (Tables        *tables,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  write_mountinfo (tables, mounts);
  g_cancellable_cancel (cancellable);
  g_assert_null (fs_trim_collect (tables->mountinfo, 0, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Tables, NULL, tables_setup, func, tables_teardown)
  ADD ("/fs-info/fsinfo", test_fsinfo);
  ADD ("/fs-info/fsinfo-usage", test_fsinfo_usage);
  ADD ("/fs-info/fsinfo-error", test_fsinfo_error);
  ADD ("/fs-info/missing-table", test_missing_table);
  ADD ("/fs-info/fstrim-results", test_fstrim_results);
  ADD ("/fs-info/fstrim-nothing", test_fstrim_nothing);
  ADD ("/fs-info/fstrim-cancelled", test_fstrim_cancelled);
#undef ADD

  return g_test_run ();
}
