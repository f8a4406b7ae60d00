/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fixture-dir.h"
#include "sysfs-fixture.h"

struct _SysfsFixture {
  char *dir;
  char *root;
  char *udev_dir;
};

SysfsFixture *
sysfs_fixture_new (void)
{
  g_autoptr(GError) error = NULL;
  SysfsFixture *fixture = g_new0 (SysfsFixture, 1);

  fixture->dir = g_dir_make_tmp ("sysfs-fixture-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->root = g_build_filename (fixture->dir, "sys", NULL);
  fixture->udev_dir = g_build_filename (fixture->dir, "udev", NULL);
  g_assert_cmpint (g_mkdir (fixture->root, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (fixture->udev_dir, 0755), ==, 0);
  return fixture;
}

void
sysfs_fixture_free (SysfsFixture *fixture)
{
  if (fixture == NULL)
    return;

  fixture_dir_remove (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->root);
  g_free (fixture->udev_dir);
  g_free (fixture);
}

const char *
sysfs_fixture_get_root (SysfsFixture *fixture)
{
  return fixture->root;
}

const char *
sysfs_fixture_get_udev_dir (SysfsFixture *fixture)
{
  return fixture->udev_dir;
}

void
sysfs_fixture_add_dir (SysfsFixture *fixture,
                       const char   *path)
{
  g_autofree char *full = g_build_filename (fixture->root, path, NULL);

  g_assert_cmpint (g_mkdir_with_parents (full, 0755), ==, 0);
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A relative symlink at @link_path to @target_path, both relative to the
 * root, as sysfs makes them ("../../devices/..."). */
static void
add_link (SysfsFixture *fixture,
          const char   *link_path,
          const char   *target_path)
{
  g_autofree char *link_dir = g_path_get_dirname (link_path);
  g_autofree char *full_link = g_build_filename (fixture->root, link_path, NULL);
  GString *target = g_string_new (NULL);
  g_autofree char *target_text = NULL;

  sysfs_fixture_add_dir (fixture, link_dir);
  if (!g_str_equal (link_dir, "."))
    {
      g_auto(GStrv) parts = g_strsplit (link_dir, "/", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        g_string_append (target, "../");
    }
  g_string_append (target, target_path);
  target_text = g_string_free (target, FALSE);
  g_assert_cmpint (symlink (target_text, full_link), ==, 0);
}

void
sysfs_fixture_add_pci_function (SysfsFixture *fixture,
                                const char   *path,
                                const char   *driver)
{
  g_autofree char *driver_dir = NULL;
  g_autofree char *driver_link = NULL;

  sysfs_fixture_add_dir (fixture, path);
  if (driver == NULL)
    return;

  driver_dir = g_build_filename ("bus/pci/drivers", driver, NULL);
  sysfs_fixture_add_dir (fixture, driver_dir);
  driver_link = g_build_filename (path, "driver", NULL);
  add_link (fixture, driver_link, driver_dir);
}

void
sysfs_fixture_add_block (SysfsFixture *fixture,
                         const char   *path,
                         guint         major,
                         guint         minor,
                         gboolean      uevent)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *dev_link = g_strdup_printf ("dev/block/%u:%u", major, minor);

  sysfs_fixture_add_dir (fixture, path);
  add_link (fixture, dev_link, path);
  if (uevent)
    {
      g_autofree char *uevent_path = g_build_filename (fixture->root, path, "uevent", NULL);
      /* A partition's directory is inside its disk's. */
      g_autofree char *parent_path = g_path_get_dirname (path);
      g_autofree char *parent = g_path_get_basename (parent_path);
      gboolean partition = g_str_has_prefix (name, parent) && !g_str_equal (parent, "block");
      g_autofree char *contents = g_strdup_printf ("MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=%s\n",
                                                   major, minor, name,
                                                   partition ? "partition" : "disk");

      write_file (uevent_path, contents);
    }
}

void
sysfs_fixture_set_serial (SysfsFixture *fixture,
                          guint         major,
                          guint         minor,
                          const char   *serial)
{
  g_autofree char *name = g_strdup_printf ("b%u:%u", major, minor);
  g_autofree char *path = g_build_filename (fixture->udev_dir, name, NULL);
  g_autofree char *contents = g_strdup_printf ("S:disk/by-id/x\nI:123456\nE:ID_BUS=x\n"
                                               "E:ID_SERIAL=%s\nG:systemd\n", serial);

  write_file (path, contents);
}

void
sysfs_fixture_add_slave (SysfsFixture *fixture,
                         const char   *holder_path,
                         const char   *device_path)
{
  g_autofree char *name = g_path_get_basename (device_path);
  g_autofree char *link = g_build_filename (holder_path, "slaves", name, NULL);

  add_link (fixture, link, device_path);
}
