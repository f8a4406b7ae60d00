/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs-disk-address: which disks a block device lies on, as qemu-ga 7.2
 * describes them (GuestDiskAddress): a partition by the controller of its
 * disk, a device-mapper or md device by the devices under it (slaves/,
 * recursively), each with its PCI (or CCW) address, bus type, bus, target
 * and unit, and udev's device node and serial.
 *
 * Everything is read below a sysfs root and a udev database directory
 * given by the caller, /sys and /run/udev/data on a running system, so
 * tests can build fixture trees. Reads only; call from a worker thread.
 */
#pragma once

#include <sys/types.h>

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FS_DISK_SYSFS_ROOT "/sys"
#define FS_DISK_UDEV_DATA_DIR "/run/udev/data"

typedef struct {
  /* The controller's PCI address; -1 each when there is none. */
  gint64 pci_domain;
  gint64 pci_bus;
  gint64 pci_slot;
  gint64 pci_function;
  const char *bus_type;     /* a GuestDiskBusType name: "virtio", "scsi"... */
  gint64 bus;
  gint64 target;
  gint64 unit;
  char *serial;             /* udev's ID_SERIAL; NULL: none */
  char *dev;                /* the device node; NULL: none */
  gboolean has_ccw;         /* s390x channel I/O */
  gint64 ccw_cssid;
  gint64 ccw_ssid;
  gint64 ccw_subchno;
  gint64 ccw_devno;
} FsDiskAddress;

void fs_disk_address_free (FsDiskAddress *address);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsDiskAddress, fs_disk_address_free)

/*
 * What qemu-ga reports for the block device @device: @out_name gets the
 * kernel's name ("vda1", "dm-0"; "MAJ:MIN" when sysfs does not know the
 * device) and @out_disks the FsDiskAddress of each disk under it, in
 * qemu-ga's order; empty when none can be told (a loop device, an
 * unknown controller), which is not an error. FALSE with @error only
 * where qemu-ga fails the whole command: sysfs could not be read.
 */
gboolean fs_disk_address_lookup (const char  *sysfs_root,
                                 const char  *udev_data_dir,
                                 dev_t        device,
                                 char       **out_name,
                                 GPtrArray  **out_disks,
                                 GError     **error);

/* The same for a sysfs path of a block device below @sysfs_root:
 * ROOT/dev/block/MAJ:MIN, ROOT/class/block/NAME or its real path. */
gboolean fs_disk_address_lookup_path (const char  *sysfs_root,
                                      const char  *udev_data_dir,
                                      const char  *device_path,
                                      char       **out_name,
                                      GPtrArray  **out_disks,
                                      GError     **error);

/* @address as a GuestDiskAddress object, members in qemu-ga's order. */
void fs_disk_address_build_json (JsonBuilder         *builder,
                                 const FsDiskAddress *address);

G_END_DECLS
