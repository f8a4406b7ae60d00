/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The disk address walk over fixture sysfs trees laid out as QEMU's
 * machines make them: what qemu-ga 7.2 reports for virtio-blk, virtio-scsi,
 * AHCI, IDE, device-mapper and md, behind bridges and on no PCI at all,
 * and where it reports nothing.
 */
#include "config.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs-disk-address.h"
#include "json-encode.h"
#include "sysfs-fixture.h"

#define VIRTIO_PCI "devices/pci0000:00/0000:00:04.0"
#define VDA VIRTIO_PCI "/virtio1/block/vda"

/* The expected text of one GuestDiskAddress; @serial and @dev may be NULL. */
static char *
disk_text (const char *serial,
           const char *bus_type,
           int         bus,
           int         unit,
           int         pci_domain,
           int         pci_bus,
           int         pci_slot,
           int         pci_function,
           const char *dev,
           int         target)
{
  g_autofree char *serial_member = serial != NULL ? g_strdup_printf ("\"serial\": \"%s\", ", serial) : g_strdup ("");
  g_autofree char *dev_member = dev != NULL ? g_strdup_printf ("\"dev\": \"%s\", ", dev) : g_strdup ("");

  return g_strdup_printf ("{%s\"bus-type\": \"%s\", \"bus\": %d, \"unit\": %d, "
                          "\"pci-controller\": {\"bus\": %d, \"slot\": %d, \"domain\": %d, \"function\": %d}, "
                          "%s\"target\": %d}",
                          serial_member, bus_type, bus, unit, pci_bus, pci_slot, pci_domain, pci_function,
                          dev_member, target);
}

/* The disks of MAJ:MIN as the text of a JSON array, and its name. */
static char *
lookup (SysfsFixture  *fixture,
        guint          major,
        guint          minor,
        char         **out_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) array = NULL;
  g_autofree char *name = NULL;

  g_assert_true (fs_disk_address_lookup (sysfs_fixture_get_root (fixture),
                                         sysfs_fixture_get_udev_dir (fixture),
                                         makedev (major, minor), &name, &disks, &error));
  g_assert_no_error (error);
  g_assert_nonnull (name);

  json_builder_begin_array (builder);
  for (guint i = 0; i < disks->len; i++)
    fs_disk_address_build_json (builder, g_ptr_array_index (disks, i));
  json_builder_end_array (builder);
  array = json_builder_get_root (builder);
  if (out_name != NULL)
    *out_name = g_steal_pointer (&name);
  return json_encode_to_string (array);
}

static void
assert_disks (SysfsFixture *fixture,
              guint         major,
              guint         minor,
              const char   *name,
              const char   *expected)
{
  g_autofree char *actual_name = NULL;
  g_autofree char *actual = lookup (fixture, major, minor, &actual_name);

  g_assert_cmpstr (actual_name, ==, name);
  g_assert_cmpstr (actual, ==, expected);
}

/* One expected disk, wrapped in the array. */
static void
assert_one_disk (SysfsFixture *fixture,
                 guint         major,
                 guint         minor,
                 const char   *name,
                 char         *disk)
{
  g_autofree char *owned_disk = disk;
  g_autofree char *expected = g_strconcat ("[", owned_disk, "]", NULL);

  assert_disks (fixture, major, minor, name, expected);
}

/* A partition of a virtio-blk disk: the controller is the disk's; the
 * device node and serial are the partition's own, as udev has them. */
static void
test_virtio_blk (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();

  sysfs_fixture_add_pci_function (fixture, VIRTIO_PCI, "virtio-pci");
  sysfs_fixture_add_block (fixture, VDA, 254, 0, TRUE);
  sysfs_fixture_add_block (fixture, VDA "/vda1", 254, 1, TRUE);
  sysfs_fixture_set_serial (fixture, 254, 1, "disk-serial-1");

  /* The text qemu-ga 7.2 sends for the same disk, member for member. */
  assert_disks (fixture, 254, 1, "vda1",
                "[{\"serial\": \"disk-serial-1\", \"bus-type\": \"virtio\", \"bus\": 0, \"unit\": 0, "
                "\"pci-controller\": {\"bus\": 0, \"slot\": 4, \"domain\": 0, \"function\": 0}, "
                "\"dev\": \"/dev/vda1\", \"target\": 0}]");
  /* The whole disk has no serial in udev's database here. */
  assert_one_disk (fixture, 254, 0, "vda", disk_text (NULL, "virtio", 0, 0, 0, 0, 4, 0, "/dev/vda", 0));
}

/* virtio-scsi: the unit is the LUN; qemu-ga leaves bus and target 0 for
 * a PCI virtio-scsi controller. */
static void
test_virtio_scsi (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();

  sysfs_fixture_add_pci_function (fixture, "devices/pci0000:00/0000:00:05.0", "virtio-pci");
  sysfs_fixture_add_block (fixture, "devices/pci0000:00/0000:00:05.0/virtio2/host2/target2:0:1/2:0:1:3/block/sda",
                           8, 0, TRUE);
  sysfs_fixture_set_serial (fixture, 8, 0, "0QEMU_QEMU_HARDDISK_drive-scsi0-0-1-3");

  assert_one_disk (fixture, 8, 0, "sda",
                   disk_text ("0QEMU_QEMU_HARDDISK_drive-scsi0-0-1-3", "scsi", 0, 3, 0, 0, 5, 0, "/dev/sda", 0));
}

/* AHCI: one port per disk; the unit is the port's place among the ports
 * of the controller (ata1..ata6, the disk on ata3). */
static void
test_ahci (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();
  const char *controller = "devices/pci0000:00/0000:00:1f.2";

  sysfs_fixture_add_pci_function (fixture, controller, "ahci");
  for (guint port = 1; port <= 6; port++)
    {
      g_autofree char *path = g_strdup_printf ("%s/ata%u", controller, port);

      sysfs_fixture_add_dir (fixture, path);
    }
  sysfs_fixture_add_block (fixture, "devices/pci0000:00/0000:00:1f.2/ata3/host2/target2:0:0/2:0:0:0/block/sdb",
                           8, 16, TRUE);

  assert_one_disk (fixture, 8, 16, "sdb", disk_text (NULL, "sata", 0, 2, 0, 0, 31, 2, "/dev/sdb", 0));
}

/* PIIX IDE: one ATA port per IDE bus; the unit is the SCSI target. */
static void
test_ide (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();

  sysfs_fixture_add_pci_function (fixture, "devices/pci0000:00/0000:00:01.1", "ata_piix");
  sysfs_fixture_add_dir (fixture, "devices/pci0000:00/0000:00:01.1/ata1");
  sysfs_fixture_add_block (fixture, "devices/pci0000:00/0000:00:01.1/ata2/host1/target1:0:1/1:0:1:0/block/sdc",
                           8, 32, TRUE);

  assert_one_disk (fixture, 8, 32, "sdc", disk_text (NULL, "ide", 1, 1, 0, 0, 1, 1, "/dev/sdc", 0));
}

/* device-mapper over a partition: named dm-0, described by the
 * partition under it. */
static void
test_device_mapper (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();
  const char *vdb2 = "devices/pci0000:00/0000:00:06.0/virtio3/block/vdb/vdb2";

  sysfs_fixture_add_pci_function (fixture, "devices/pci0000:00/0000:00:06.0", "virtio-pci");
  sysfs_fixture_add_block (fixture, "devices/pci0000:00/0000:00:06.0/virtio3/block/vdb", 254, 16, TRUE);
  sysfs_fixture_add_block (fixture, vdb2, 254, 18, TRUE);
  sysfs_fixture_add_block (fixture, "devices/virtual/block/dm-0", 253, 0, TRUE);
  sysfs_fixture_add_slave (fixture, "devices/virtual/block/dm-0", vdb2);

  assert_one_disk (fixture, 253, 0, "dm-0", disk_text (NULL, "virtio", 0, 0, 0, 0, 6, 0, "/dev/vdb2", 0));
}

/* dm over md over two partitions: every disk at the bottom, in the
 * reverse of the order the walk meets them (qemu-ga prepends), which
 * is directory order within each slaves/. */
static void
test_stacked (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();
  g_autofree char *slaves = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *expected_text = NULL;
  DIR *dir;
  struct dirent *entry;

  sysfs_fixture_add_pci_function (fixture, VIRTIO_PCI, "virtio-pci");
  sysfs_fixture_add_pci_function (fixture, "devices/pci0000:00/0000:00:06.0", "virtio-pci");
  sysfs_fixture_add_block (fixture, VDA, 254, 0, TRUE);
  sysfs_fixture_add_block (fixture, VDA "/vda1", 254, 1, TRUE);
  sysfs_fixture_add_block (fixture, "devices/pci0000:00/0000:00:06.0/virtio3/block/vdb", 254, 16, TRUE);
  sysfs_fixture_add_block (fixture, "devices/pci0000:00/0000:00:06.0/virtio3/block/vdb/vdb1", 254, 17, TRUE);
  sysfs_fixture_add_block (fixture, "devices/virtual/block/md0", 9, 0, TRUE);
  sysfs_fixture_add_slave (fixture, "devices/virtual/block/md0", VDA "/vda1");
  sysfs_fixture_add_slave (fixture, "devices/virtual/block/md0",
                           "devices/pci0000:00/0000:00:06.0/virtio3/block/vdb/vdb1");
  sysfs_fixture_add_block (fixture, "devices/virtual/block/dm-1", 253, 1, TRUE);
  sysfs_fixture_add_slave (fixture, "devices/virtual/block/dm-1", "devices/virtual/block/md0");

  slaves = g_build_filename (sysfs_fixture_get_root (fixture), "devices/virtual/block/md0/slaves", NULL);
  dir = opendir (slaves);
  g_assert_nonnull (dir);
  while ((entry = readdir (dir)) != NULL)
    {
      if (g_str_equal (entry->d_name, "vda1"))
        g_ptr_array_insert (expected, 0, disk_text (NULL, "virtio", 0, 0, 0, 0, 4, 0, "/dev/vda1", 0));
      else if (g_str_equal (entry->d_name, "vdb1"))
        g_ptr_array_insert (expected, 0, disk_text (NULL, "virtio", 0, 0, 0, 0, 6, 0, "/dev/vdb1", 0));
    }
  closedir (dir);
  g_assert_cmpuint (expected->len, ==, 2);
  g_ptr_array_add (expected, NULL);
  expected_text = g_strjoinv (", ", (char **) expected->pdata);

  assert_one_disk (fixture, 253, 1, "dm-1", g_steal_pointer (&expected_text));
}

/* q35: the disk's controller is behind a PCIe root port, whose driver
 * (pcieport) is not a storage driver: the address is the controller's. */
static void
test_bridge (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();

  sysfs_fixture_add_pci_function (fixture, "devices/pci0000:00/0000:00:1c.0", "pcieport");
  sysfs_fixture_add_pci_function (fixture, "devices/pci0000:00/0000:00:1c.0/0000:01:00.0", "virtio-pci");
  sysfs_fixture_add_block (fixture, "devices/pci0000:00/0000:00:1c.0/0000:01:00.0/virtio4/block/vdc",
                           254, 32, TRUE);

  assert_one_disk (fixture, 254, 32, "vdc", disk_text (NULL, "virtio", 0, 0, 0, 1, 0, 0, "/dev/vdc", 0));
}

/* No storage driver anywhere on the PCI path (USB storage behind xHCI):
 * qemu-ga gives up before taking the PCI address; udev's node remains. */
static void
test_unknown_pci_driver (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();

  sysfs_fixture_add_pci_function (fixture, "devices/pci0000:00/0000:00:07.0", "xhci_hcd");
  sysfs_fixture_add_block (fixture, "devices/pci0000:00/0000:00:07.0/usb2/2-1/2-1:1.0/host5/"
                           "target5:0:0/5:0:0:0/block/sdd", 8, 48, TRUE);

  assert_one_disk (fixture, 8, 48, "sdd", disk_text (NULL, "unknown", 0, 0, -1, -1, -1, -1, "/dev/sdd", 0));
}

/* An AHCI path without a SCSI target: the PCI address is taken, the bus
 * type is not. */
static void
test_ahci_without_target (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();

  sysfs_fixture_add_pci_function (fixture, "devices/pci0000:00/0000:00:1f.2", "ahci");
  sysfs_fixture_add_block (fixture, "devices/pci0000:00/0000:00:1f.2/ata4/host3/block/sde", 8, 64, TRUE);

  assert_one_disk (fixture, 8, 64, "sde", disk_text (NULL, "unknown", 0, 0, 0, 0, 31, 2, "/dev/sde", 0));
}

/* virtio-mmio (ARM virt) and s390x channel I/O: no PCI address. */
static void
test_not_pci (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();

  sysfs_fixture_add_block (fixture, "devices/platform/a003e00.virtio_mmio/virtio5/block/vdd", 254, 48, TRUE);
  sysfs_fixture_add_block (fixture, "devices/css0/0.0.0002/0.0.0003/virtio6/block/vde", 254, 64, TRUE);
  sysfs_fixture_add_block (fixture, "devices/platform/soc/mmc0/mmc0:0001/block/mmcblk0", 179, 0, TRUE);

  assert_one_disk (fixture, 254, 48, "vdd", disk_text (NULL, "virtio", 0, 0, -1, -1, -1, -1, "/dev/vdd", 0));
  assert_disks (fixture, 254, 64, "vde",
                "[{\"ccw-address\": {\"cssid\": 0, \"ssid\": 0, \"subchno\": 2, \"devno\": 3}, "
                "\"bus-type\": \"virtio\", \"bus\": 0, \"unit\": 0, "
                "\"pci-controller\": {\"bus\": -1, \"slot\": -1, \"domain\": -1, \"function\": -1}, "
                "\"dev\": \"/dev/vde\", \"target\": 0}]");
  /* An unknown kind of device is still listed for its device node. */
  assert_one_disk (fixture, 179, 0, "mmcblk0", disk_text (NULL, "unknown", 0, 0, -1, -1, -1, -1, "/dev/mmcblk0", 0));
}

/* Nothing to report is no error: an empty list. */
static void
test_nothing_known (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();

  /* A loop device: virtual, nothing under it. */
  sysfs_fixture_add_block (fixture, "devices/virtual/block/loop0", 7, 0, TRUE);
  sysfs_fixture_add_dir (fixture, "devices/virtual/block/loop0/slaves");
  /* A device-mapper device whose slaves/ is missing. */
  sysfs_fixture_add_block (fixture, "devices/virtual/block/dm-3", 253, 3, TRUE);
  /* Not on PCI and unknown to udev (no uevent file). */
  sysfs_fixture_add_block (fixture, "devices/platform/foo/block/xyz", 240, 0, FALSE);

  assert_disks (fixture, 7, 0, "loop0", "[]");
  assert_disks (fixture, 253, 3, "dm-3", "[]");
  assert_disks (fixture, 240, 0, "xyz", "[]");
  /* Not in sysfs at all (a container's view): named MAJ:MIN. */
  assert_disks (fixture, 7, 99, "7:99", "[]");
}

/* A slaves/ that cannot be read fails the lookup, as it fails qemu-ga's
 * guest-get-fsinfo. */
static void
test_unreadable_slaves (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autofree char *name = NULL;
  g_autofree char *slaves = NULL;

  sysfs_fixture_add_block (fixture, "devices/virtual/block/dm-4", 253, 4, TRUE);
  slaves = g_build_filename (sysfs_fixture_get_root (fixture), "devices/virtual/block/dm-4/slaves", NULL);
  /* A file where the directory should be. */
  g_assert_true (g_file_set_contents (slaves, "", 0, NULL));

  g_assert_false (fs_disk_address_lookup (sysfs_fixture_get_root (fixture),
                                          sysfs_fixture_get_udev_dir (fixture),
                                          makedev (253, 4), &name, &disks, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "opendir(\""));
  g_assert_true (g_str_has_suffix (error->message, "/slaves\"): Not a directory"));
  g_assert_null (name);
  g_assert_null (disks);
}

/* The path form: /sys/class/block/NAME leads to the same device. */
static void
test_lookup_path (void)
{
  g_autoptr(SysfsFixture) fixture = sysfs_fixture_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  sysfs_fixture_add_pci_function (fixture, VIRTIO_PCI, "virtio-pci");
  sysfs_fixture_add_block (fixture, VDA, 254, 0, TRUE);
  path = g_build_filename (sysfs_fixture_get_root (fixture), "dev/block/254:0", NULL);

  g_assert_true (fs_disk_address_lookup_path (sysfs_fixture_get_root (fixture),
                                              sysfs_fixture_get_udev_dir (fixture),
                                              path, &name, &disks, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "vda");
  g_assert_cmpuint (disks->len, ==, 1);
  g_assert_cmpstr (((FsDiskAddress *) g_ptr_array_index (disks, 0))->bus_type, ==, "virtio");
  g_assert_cmpint (((FsDiskAddress *) g_ptr_array_index (disks, 0))->pci_slot, ==, 4);
}

/* The machine's own root filesystem: whatever it is on, the walk works. */
static void
test_real_sysfs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autofree char *name = NULL;
  struct stat st;

  g_assert_cmpint (stat ("/", &st), ==, 0);
  if (!fs_disk_address_lookup (FS_DISK_SYSFS_ROOT, FS_DISK_UDEV_DATA_DIR, st.st_dev, &name, &disks, &error))
    g_test_message ("lookup of / failed: %s", error->message);
  else
    g_test_message ("/ is on %s, %u disk(s)", name, disks->len);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fs-disk-address/virtio-blk", test_virtio_blk);
  g_test_add_func ("/fs-disk-address/virtio-scsi", test_virtio_scsi);
  g_test_add_func ("/fs-disk-address/ahci", test_ahci);
  g_test_add_func ("/fs-disk-address/ide", test_ide);
  g_test_add_func ("/fs-disk-address/device-mapper", test_device_mapper);
  g_test_add_func ("/fs-disk-address/stacked", test_stacked);
  g_test_add_func ("/fs-disk-address/bridge", test_bridge);
  g_test_add_func ("/fs-disk-address/unknown-pci-driver", test_unknown_pci_driver);
  g_test_add_func ("/fs-disk-address/ahci-without-target", test_ahci_without_target);
  g_test_add_func ("/fs-disk-address/not-pci", test_not_pci);
  g_test_add_func ("/fs-disk-address/nothing-known", test_nothing_known);
  g_test_add_func ("/fs-disk-address/unreadable-slaves", test_unreadable_slaves);
  g_test_add_func ("/fs-disk-address/lookup-path", test_lookup_path);
  g_test_add_func ("/fs-disk-address/real-sysfs", test_real_sysfs);

  return g_test_run ();
}
