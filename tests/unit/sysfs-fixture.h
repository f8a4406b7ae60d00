/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysfs-fixture: fake /sys trees (and a udev database beside them) in a
 * temporary directory, laid out like the kernel's: real device
 * directories under devices/, dev/block/MAJ:MIN and slaves/ entries as
 * relative symlinks, uevent files, PCI functions' driver links.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SysfsFixture SysfsFixture;

SysfsFixture *sysfs_fixture_new (void);
/* Removes the whole tree. */
void sysfs_fixture_free (SysfsFixture *fixture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SysfsFixture, sysfs_fixture_free)

/* The directory that stands for /sys, and for /run/udev/data. */
const char *sysfs_fixture_get_root (SysfsFixture *fixture);
const char *sysfs_fixture_get_udev_dir (SysfsFixture *fixture);

/* Paths are relative to the root ("devices/pci0000:00/0000:00:04.0"). */
void sysfs_fixture_add_dir (SysfsFixture *fixture,
                            const char   *path);

/* A PCI function with @driver bound (NULL: none). */
void sysfs_fixture_add_pci_function (SysfsFixture *fixture,
                                     const char   *path,
                                     const char   *driver);

/* A block device: its directory, a uevent file (MAJOR, MINOR, DEVNAME
 * from the last component, DEVTYPE) and dev/block/MAJ:MIN. With
 * @uevent FALSE there is no uevent file: udev does not know it. */
void sysfs_fixture_add_block (SysfsFixture *fixture,
                              const char   *path,
                              guint         major,
                              guint         minor,
                              gboolean      uevent);

/* udev's database entry of MAJ:MIN with E:ID_SERIAL=@serial. */
void sysfs_fixture_set_serial (SysfsFixture *fixture,
                               guint         major,
                               guint         minor,
                               const char   *serial);

/* @holder_path/slaves/NAME -> @device_path, NAME being its last part. */
void sysfs_fixture_add_slave (SysfsFixture *fixture,
                              const char   *holder_path,
                              const char   *device_path);

G_END_DECLS
