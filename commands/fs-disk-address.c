/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sysfs walk behind guest-get-fsinfo's "disk" lists. qemu-ga 7.2 reads
 * a block device's real sysfs path as text: the PCI functions after
 * "/devices/pci", the SCSI address after "/target", the ATA port or SCSI
 * host after "/ata" or "/host", and the driver bound to each PCI function.
 * This follows the same reading rule for rule, so that both agents
 * describe every disk alike, including where qemu-ga's reading gives up
 * (an unknown driver, more than eight ATA ports) and reports less.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fs-disk-address.h"
#include "message.h"
#include "small-file.h"

/* qemu-ga reads at most this many ATA ports or SCSI hosts of a PCI
 * function; a disk on a later one has no bus or unit. */
#define MAX_HOSTS 8
/* slaves/ of a device-mapper or md device lead to the devices under it;
 * the kernel makes no cycles, this bound is for a corrupt tree. */
#define MAX_STACK_DEPTH 32

typedef struct {
  const char *root;             /* the sysfs root, symlinks resolved */
  const char *udev_data_dir;
  char *name;                   /* of the first device walked */
  GPtrArray *disks;             /* FsDiskAddress*, in qemu-ga's order */
  guint depth;
} Walk;

void
fs_disk_address_free (FsDiskAddress *address)
{
  if (address == NULL)
    return;

  g_free (address->serial);
  g_free (address->dev);
  g_free (address);
}

static FsDiskAddress *
fs_disk_address_new (void)
{
  FsDiskAddress *address = g_new0 (FsDiskAddress, 1);

  address->pci_domain = -1;
  address->pci_bus = -1;
  address->pci_slot = -1;
  address->pci_function = -1;
  address->bus_type = "unknown";
  return address;
}

/* qemu-ga's wording: error_setg_errno (errp, errno, "opendir(\"%s\")"). */
static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *call,
                 const char  *path)
{
  g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
               "%s(\"%s\"): %s", call, path, g_strerror (saved_errno));
  return FALSE;
}

/* @syspath without the sysfs root, so that the path of a fixture tree
 * is read like /sys: "/devices/pci0000:00/...". */
static const char *
below_root (const Walk *walk,
            const char *syspath)
{
  gsize length = strlen (walk->root);

  if (strncmp (syspath, walk->root, length) == 0 && syspath[length] == '/')
    return syspath + length;
  return syspath;
}

/* One number of sscanf's %x or %u, as sysfs names spell them: digits only.
 * The end of the digits, or NULL when there are none. */
static const char *
scan_number (const char *p,
             guint       base,
             guint      *out)
{
  guint64 value = 0;
  const char *start = p;

  for (; base == 16 ? g_ascii_isxdigit (*p) : g_ascii_isdigit (*p); p++)
    {
      value = value * base + (guint) g_ascii_xdigit_value (*p);
      if (value > G_MAXUINT)
        return NULL;
    }
  if (p == start)
    return NULL;
  if (out != NULL)
    *out = (guint) value;
  return p;
}

/* strlen (@separators) + 1 numbers in @base, separated by the characters
 * of @separators in turn: scan_numbers (p, 16, ":", v) reads "12:ab".
 * NULL pointers in @values skip a number, like sscanf's %*x. */
static const char *
scan_numbers (const char *p,
              guint       base,
              const char *separators,
              guint      *values[])
{
  for (gsize i = 0;; i++)
    {
      p = scan_number (p, base, values[i]);
      if (p == NULL || separators[i] == '\0')
        return p;
      if (*p != separators[i])
        return NULL;
      p++;
    }
}

/* "DOMAIN:BUS:SLOT.FUNCTION", a PCI function's name. */
static const char *
scan_pci_function (const char *p,
                   guint       pci[4])
{
  guint values[4];
  guint *outs[] = { &values[0], &values[1], &values[2], &values[3] };

  p = scan_numbers (p, 16, "::.", outs);
  if (p != NULL)
    memcpy (pci, values, sizeof values);
  return p;
}

/* After "/target": "H:C:T/H:C:T:L"; @tgt gets C, T and L. */
static gboolean
scan_target (const char *p,
             guint       tgt[3])
{
  guint *outs[] = { NULL, NULL, NULL, NULL, &tgt[0], &tgt[1], &tgt[2] };

  return scan_numbers (p, 10, "::/:::", outs) != NULL;
}

/* The name of the driver bound to the device at the first @length bytes
 * of @syspath, or NULL. */
static char *
read_driver (const char *syspath,
             gsize       length)
{
  g_autofree char *device = g_strndup (syspath, length);
  g_autofree char *link = g_build_filename (device, "driver", NULL);
  g_autofree char *target = g_file_read_link (link, NULL);

  return target != NULL ? g_path_get_basename (target) : NULL;
}

static gboolean
is_storage_driver (const char *driver)
{
  static const char * const drivers[] = { "ata_piix", "sym53c8xx", "virtio-pci", "ahci", "nvme" };

  for (gsize i = 0; i < G_N_ELEMENTS (drivers); i++)
    if (g_str_equal (driver, drivers[i]))
      return TRUE;
  return FALSE;
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* The numbers of the "ataN" (or "hostN") entries of the directory at the
 * first @length bytes of @syspath: the first MAX_HOSTS in directory
 * order, sorted. A disk's bus or unit is its port's place among them. */
static gboolean
list_hosts (const char  *syspath,
            gsize        length,
            gboolean     ata,
            guint        hosts[MAX_HOSTS],
            guint       *n_hosts,
            GError     **error)
{
  g_autofree char *path = g_strndup (syspath, length);
  const char *prefix = ata ? "ata" : "host";
  struct dirent *entry;
  DIR *dir = opendir (path);

  if (dir == NULL)
    return set_errno_error (error, errno, "opendir", path);

  *n_hosts = 0;
  while (*n_hosts < MAX_HOSTS && (entry = readdir (dir)) != NULL)
    if (g_str_has_prefix (entry->d_name, prefix) &&
        scan_number (entry->d_name + strlen (prefix), 10, &hosts[*n_hosts]) != NULL)
      (*n_hosts)++;
  closedir (dir);

  qsort (hosts, *n_hosts, sizeof hosts[0], compare_uint);
  return TRUE;
}

/* The place of @host among @hosts, or -1. */
static gint64
host_index (const guint hosts[],
            guint       n_hosts,
            guint       host)
{
  for (guint i = 0; i < n_hosts; i++)
    if (hosts[i] == host)
      return i;
  return -1;
}

/* A disk behind a PCI storage controller. FALSE when the path or the
 * driver is not one qemu-ga knows; the PCI address is filled in once the
 * controller is found, even if its bus or unit then cannot be told. */
static gboolean
fill_pci (const char     *syspath,
          const char     *rel,
          FsDiskAddress  *disk,
          GError        **error)
{
  guint pci[4], tgt[3], host = 0, hosts[MAX_HOSTS];
  guint *root_bus[] = { NULL, NULL };
  guint n_hosts = 0;
  gboolean has_tgt, has_host = FALSE, has_ata = FALSE;
  g_autofree char *driver = NULL;
  const char *p = strstr (rel, "/devices/pci");
  const char *number = NULL;
  gint64 place;

  /* "/devices/pciDDDD:BB/DDDD:BB:SS.F" */
  p = scan_numbers (p + strlen ("/devices/pci"), 16, ":", root_bus);
  p = p != NULL && *p == '/' ? scan_pci_function (p + 1, pci) : NULL;
  if (p == NULL)
    {
      g_debug ("Not a PCI device path: %s", syspath);
      return FALSE;
    }

  /* Down through bridges to the function whose driver runs the disk. */
  for (;;)
    {
      const char *next;

      driver = read_driver (syspath, (gsize) (p - syspath));
      if (driver != NULL && is_storage_driver (driver))
        break;
      g_clear_pointer (&driver, g_free);
      if (*p == '/' && (next = scan_pci_function (p + 1, pci)) != NULL)
        {
          p = next;
          continue;
        }
      g_debug ("No storage driver on the PCI path %s", syspath);
      return FALSE;
    }

  p = strstr (rel, "/target");
  has_tgt = p != NULL && scan_target (p + strlen ("/target"), tgt);

  p = strstr (rel, "/ata");
  if (p != NULL)
    {
      has_ata = TRUE;
      number = p + strlen ("/ata");
    }
  else if ((p = strstr (rel, "/host")) != NULL)
    {
      number = p + strlen ("/host");
    }
  if (number != NULL && scan_number (number, 10, &host) != NULL)
    {
      has_host = TRUE;
      if (!list_hosts (syspath, (gsize) (p - syspath), has_ata, hosts, &n_hosts, error))
        return FALSE;
    }

  disk->pci_domain = pci[0];
  disk->pci_bus = pci[1];
  disk->pci_slot = pci[2];
  disk->pci_function = pci[3];

  if (g_str_equal (driver, "ata_piix"))
    {
      /* One SCSI host per IDE bus; the unit is the target. */
      place = has_host && has_tgt ? host_index (hosts, n_hosts, host) : -1;
      if (place < 0)
        return FALSE;
      disk->bus_type = "ide";
      disk->bus = place;
      disk->unit = tgt[1];
    }
  else if (g_str_equal (driver, "sym53c8xx"))
    {
      if (!has_tgt)
        return FALSE;
      disk->bus_type = "scsi";
      disk->unit = tgt[1];
    }
  else if (g_str_equal (driver, "virtio-pci"))
    {
      /* virtio-scsi puts the unit in the LUN; virtio-blk is one disk
       * per device. qemu-ga leaves bus and target 0 here. */
      disk->bus_type = has_tgt ? "scsi" : "virtio";
      if (has_tgt)
        disk->unit = tgt[2];
    }
  else if (g_str_equal (driver, "ahci"))
    {
      /* One port per disk: the unit is the port's place. */
      place = has_host && has_tgt ? host_index (hosts, n_hosts, host) : -1;
      if (place < 0)
        return FALSE;
      disk->bus_type = "sata";
      disk->unit = place;
    }
  else
    {
      disk->bus_type = "nvme";
    }
  return TRUE;
}

/* virtio not behind PCI (virtio-mmio, s390x channel I/O). */
static gboolean
fill_virtio (const char    *rel,
             FsDiskAddress *disk)
{
  const char *p;
  guint tgt[3];

  if (strstr (rel, "/virtio") == NULL || strstr (rel, "/block") == NULL)
    return FALSE;

  p = strstr (rel, "/target");
  if (p != NULL && scan_target (p + strlen ("/target"), tgt))
    {
      disk->bus_type = "scsi";
      disk->bus = tgt[0];
      disk->target = tgt[1];
      disk->unit = tgt[2];
    }
  else
    {
      disk->bus_type = "virtio";
    }
  return TRUE;
}

/* "/devices/cssN/C.S.SUBCH/C.S.DEVNO/" on s390x. */
static gboolean
fill_ccw (const char    *rel,
          FsDiskAddress *disk)
{
  const char *p = strstr (rel, "/devices/css");
  guint cssid, ssid, subchno, devno;
  guint *outs[] = { NULL, &cssid, &ssid, &subchno, NULL, NULL, &devno };

  if (scan_numbers (p + strlen ("/devices/css"), 16, "/../..", outs) == NULL)
    return FALSE;

  disk->has_ccw = TRUE;
  disk->ccw_cssid = cssid;
  disk->ccw_ssid = ssid;
  disk->ccw_subchno = subchno;
  disk->ccw_devno = devno;
  if (strstr (p, "/virtio") != NULL)
    fill_virtio (rel, disk);
  return TRUE;
}

/* KEY=VALUE lines of a uevent file or, after @prefix, of a udev
 * database file ("E:ID_SERIAL=..."), into @table. */
static void
parse_properties (GHashTable *table,
                  char       *contents,
                  const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (char **line = lines; *line != NULL; line++)
    {
      const char *text = *line;
      const char *equals;

      if (!g_str_has_prefix (text, prefix))
        continue;
      text += strlen (prefix);
      equals = strchr (text, '=');
      if (equals != NULL && equals != text)
        g_hash_table_insert (table, g_strndup (text, (gsize) (equals - text)), g_strdup (equals + 1));
    }
}

/* What qemu-ga asks libudev: the device node (from the kernel's DEVNAME)
 * and ID_SERIAL, which udev's rules put in its database. Without a
 * uevent file libudev knows no device: neither then. */
static void
fill_from_udev (const Walk    *walk,
                const char    *syspath,
                FsDiskAddress *disk)
{
  g_autoptr(GHashTable) properties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *uevent_path = g_build_filename (syspath, "uevent", NULL);
  g_autofree char *contents = NULL;
  const char *devname, *major_text, *minor_text, *serial;

  if (!small_file_read (uevent_path, SMALL_FILE_MAX_SIZE, &contents, NULL, NULL))
    return;
  parse_properties (properties, contents, "");
  g_clear_pointer (&contents, g_free);

  major_text = g_hash_table_lookup (properties, "MAJOR");
  minor_text = g_hash_table_lookup (properties, "MINOR");
  if (major_text != NULL && minor_text != NULL)
    {
      g_autofree char *id = g_strdup_printf ("b%s:%s", major_text, minor_text);
      g_autofree char *db_path = g_build_filename (walk->udev_data_dir, id, NULL);

      /* No database (no udevd, as in containers): no serial. */
      if (small_file_read (db_path, SMALL_FILE_MAX_SIZE, &contents, NULL, NULL))
        parse_properties (properties, contents, "E:");
    }

  devname = g_hash_table_lookup (properties, "DEVNAME");
  if (devname != NULL && *devname != '\0')
    disk->dev = devname[0] == '/' ? g_strdup (devname) : g_strconcat ("/dev/", devname, NULL);
  serial = g_hash_table_lookup (properties, "ID_SERIAL");
  if (serial != NULL && *serial != '\0')
    disk->serial = g_strdup (serial);
}

static gboolean walk_device (Walk        *walk,
                             const char  *device_path,
                             GError     **error);

/* A disk, or a partition of one: its address is its controller's. */
static gboolean
walk_real (Walk        *walk,
           const char  *syspath,
           GError     **error)
{
  g_autoptr(FsDiskAddress) disk = fs_disk_address_new ();
  const char *rel = below_root (walk, syspath);
  GError *local_error = NULL;
  gboolean has_hardware;

  fill_from_udev (walk, syspath, disk);
  if (strstr (rel, "/devices/pci") != NULL)
    has_hardware = fill_pci (syspath, rel, disk, &local_error);
  else if (strstr (rel, "/devices/css") != NULL)
    has_hardware = fill_ccw (rel, disk);
  else if (strstr (rel, "/virtio") != NULL)
    has_hardware = fill_virtio (rel, disk);
  else
    has_hardware = FALSE;

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  /* Kept when anything at all is known of it; qemu-ga prepends. */
  if (has_hardware || disk->dev != NULL || disk->serial != NULL)
    g_ptr_array_insert (walk->disks, 0, g_steal_pointer (&disk));
  return TRUE;
}

/* device-mapper, md, loop: the devices under it, in directory order. */
static gboolean
walk_virtual (Walk        *walk,
              const char  *syspath,
              GError     **error)
{
  g_autofree char *slaves = g_build_filename (syspath, "slaves", NULL);
  gboolean ok = TRUE;
  DIR *dir;

  if (walk->depth >= MAX_STACK_DEPTH)
    return TRUE;

  dir = opendir (slaves);
  if (dir == NULL)
    return errno == ENOENT ? TRUE : set_errno_error (error, errno, "opendir", slaves);

  walk->depth++;
  for (;;)
    {
      g_autofree char *path = NULL;
      struct dirent *entry;

      errno = 0;
      entry = readdir (dir);
      if (entry == NULL)
        {
          if (errno != 0)
            ok = set_errno_error (error, errno, "readdir", slaves);
          break;
        }
      if (entry->d_type != DT_LNK)
        continue;

      path = g_build_filename (slaves, entry->d_name, NULL);
      if (!walk_device (walk, path, error))
        {
          ok = FALSE;
          break;
        }
    }
  walk->depth--;
  closedir (dir);
  return ok;
}

static gboolean
walk_device (Walk        *walk,
             const char  *device_path,
             GError     **error)
{
  g_autofree char *syspath = realpath (device_path, NULL);

  if (syspath == NULL)
    {
      if (errno != ENOENT)
        return set_errno_error (error, errno, "realpath", device_path);
      /* Not in this sysfs (a container's): named by the path asked. */
      if (walk->name == NULL)
        walk->name = g_path_get_basename (device_path);
      return TRUE;
    }

  if (walk->name == NULL)
    walk->name = g_path_get_basename (syspath);

  if (strstr (below_root (walk, syspath), "/devices/virtual/block/") != NULL)
    return walk_virtual (walk, syspath, error);
  return walk_real (walk, syspath, error);
}

gboolean
fs_disk_address_lookup_path (const char  *sysfs_root,
                             const char  *udev_data_dir,
                             const char  *device_path,
                             char       **out_name,
                             GPtrArray  **out_disks,
                             GError     **error)
{
  g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func ((GDestroyNotify) fs_disk_address_free);
  g_autofree char *root = NULL;
  Walk walk = { NULL };
  gboolean ok;

  g_return_val_if_fail (sysfs_root != NULL, FALSE);
  g_return_val_if_fail (udev_data_dir != NULL, FALSE);
  g_return_val_if_fail (device_path != NULL, FALSE);
  g_return_val_if_fail (out_name != NULL, FALSE);
  g_return_val_if_fail (out_disks != NULL, FALSE);

  root = realpath (sysfs_root, NULL);
  walk.root = root != NULL ? root : sysfs_root;
  walk.udev_data_dir = udev_data_dir;
  walk.disks = disks;
  ok = walk_device (&walk, device_path, error);
  if (!ok)
    {
      g_free (walk.name);
      return FALSE;
    }

  *out_name = walk.name;
  *out_disks = g_steal_pointer (&disks);
  return TRUE;
}

gboolean
fs_disk_address_lookup (const char  *sysfs_root,
                        const char  *udev_data_dir,
                        dev_t        device,
                        char       **out_name,
                        GPtrArray  **out_disks,
                        GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (sysfs_root != NULL, FALSE);

  path = g_strdup_printf ("%s/dev/block/%u:%u", sysfs_root, major (device), minor (device));
  return fs_disk_address_lookup_path (sysfs_root, udev_data_dir, path, out_name, out_disks, error);
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

/* Members in the order qemu-ga writes them: its QDict iterates hash
 * buckets, so the names fix the order, not the schema. An absent
 * member leaves the others where they are. */
void
fs_disk_address_build_json (JsonBuilder         *builder,
                            const FsDiskAddress *address)
{
  g_return_if_fail (JSON_IS_BUILDER (builder));
  g_return_if_fail (address != NULL);

  json_builder_begin_object (builder);
  if (address->has_ccw)
    {
      json_builder_set_member_name (builder, "ccw-address");
      json_builder_begin_object (builder);
      add_int (builder, "cssid", address->ccw_cssid);
      add_int (builder, "ssid", address->ccw_ssid);
      add_int (builder, "subchno", address->ccw_subchno);
      add_int (builder, "devno", address->ccw_devno);
      json_builder_end_object (builder);
    }
  if (address->serial != NULL)
    {
      json_builder_set_member_name (builder, "serial");
      json_builder_add_string_value (builder, address->serial);
    }
  json_builder_set_member_name (builder, "bus-type");
  json_builder_add_string_value (builder, address->bus_type);
  add_int (builder, "bus", address->bus);
  add_int (builder, "unit", address->unit);
  json_builder_set_member_name (builder, "pci-controller");
  json_builder_begin_object (builder);
  add_int (builder, "bus", address->pci_bus);
  add_int (builder, "slot", address->pci_slot);
  add_int (builder, "domain", address->pci_domain);
  add_int (builder, "function", address->pci_function);
  json_builder_end_object (builder);
  if (address->dev != NULL)
    {
      json_builder_set_member_name (builder, "dev");
      json_builder_add_string_value (builder, address->dev);
    }
  add_int (builder, "target", address->target);
  json_builder_end_object (builder);
}
