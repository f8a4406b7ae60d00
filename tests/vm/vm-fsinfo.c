/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filesystem report checks. The guest has two filesystems on block
 * devices, both ext4: /data on IMAGES/data.img, a virtio-blk disk that
 * boot-vm opens with discard=unmap, and /scsi on a disk behind a
 * virtio-scsi controller. What the agents report is held against what
 * the host and QEMU know of those disks: data.img's size and allocation,
 * the PCI addresses QEMU gave the devices (QMP query-pci), the SCSI
 * disk's LUN and whether the data disk offers discard (QOM).
 *
 * The replies are read raw, as the agent wrote them. qemu-ga's run keeps
 * them; guestlinkd's run compares its own with them byte for byte, only
 * the figures that change from one moment to the next masked.
 *
 * Trimming is safe here: it is the guest's disk, never the host's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "qmp.h"
#include "vm-fsinfo.h"

#define MIB (1024 * 1024)
/* Of build-guest's 64 MiB ext4, metadata (inode tables, journal) takes
 * about 15 %, root's reserve 5 % and ext4's reserve for delayed
 * allocation 2 %: total-bytes (used + available, df's view) is 78.5 % of
 * the image. */
#define MIN_TOTAL_PERCENT 70

/* A raw reply, parsed. */

/* The "return" value of @command's raw reply @reply. */
static JsonNode *
reply_return (const char  *command,
              const char  *reply,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;

  if (!json_parser_load_from_data (parser, reply, -1, error))
    {
      g_prefix_error (error, "%s: ", command);
      return NULL;
    }
  root = json_parser_get_root (parser);
  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object == NULL || !json_object_has_member (object, "return"))
    {
      vm_fail (error, "%s failed: %s", command, reply);
      return NULL;
    }
  return json_node_copy (json_object_get_member (object, "return"));
}

/* The one object of @array whose string @member is @value. */
static JsonObject *
only_object_with (JsonNode    *array,
                  const char  *member,
                  const char  *value,
                  GError     **error)
{
  JsonObject *found = NULL;
  guint count = 0;

  if (array == NULL || !JSON_NODE_HOLDS_ARRAY (array))
    {
      vm_fail (error, "expected a list of objects with a \"%s\"", member);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (array)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (array), i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;

      if (object != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (object, member, NULL), value) == 0)
        {
          found = object;
          count++;
        }
    }

  if (count != 1)
    {
      vm_fail (error, "%u entries with \"%s\": \"%s\", expected one", count, member, value);
      return NULL;
    }
  return found;
}

static JsonNode *
member_node (JsonObject *object,
             const char *member)
{
  return object != NULL && json_object_has_member (object, member)
         ? json_object_get_member (object, member) : NULL;
}

static JsonObject *
member_object (JsonObject *object,
               const char *member)
{
  JsonNode *node = member_node (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* @reply with the figures of @member replaced by N. */
static char *
mask_figures (const char *reply,
              const char *member)
{
  g_autofree char *pattern = g_strdup_printf ("(\"%s\": )[0-9]+", member);
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, NULL);

  return g_regex_replace (regex, reply, -1, 0, "\\1N", G_REGEX_MATCH_DEFAULT, NULL);
}

/* The agent's reply to @command against qemu-ga's from the reference
 * run: byte for byte, but for the figures of @masked_member. */
static gboolean
same_as_reference (Vm          *vm,
                   const char  *command,
                   const char  *masked_member,
                   GError     **error)
{
  g_autofree char *reference = vm_reply_load_reference (vm, command, error);
  g_autofree char *reply = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *masked_reference = NULL;

  if (reference == NULL)
    return FALSE;
  reply = vm_raw_call (vm, command, error);
  if (reply == NULL)
    return FALSE;

  masked = mask_figures (reply, masked_member);
  masked_reference = mask_figures (reference, masked_member);
  if (!g_str_equal (masked, masked_reference))
    {
      printf ("# %s: %s\n# qemu-ga:    %s\n", vm->agent, masked, masked_reference);
      return vm_fail (error, "the replies differ (\"%s\" masked)", masked_member);
    }

  printf ("# %s: %s\n# the same as qemu-ga's, %zu bytes, \"%s\" masked\n",
          vm->agent, masked, strlen (masked), masked_member);
  return TRUE;
}

/* What the host and QEMU know of the disks. */

static gboolean
data_image_stat (Vm          *vm,
                 struct stat *image,
                 GError     **error)
{
  g_autofree char *path = g_build_filename (vm->images, VM_DATA_IMAGE, NULL);

  if (stat (path, image) < 0)
    return vm_fail (error, "stat %s: %s", path, g_strerror (errno));
  return TRUE;
}

/* The device with the QEMU id @id among @devices and behind their
 * bridges. */
static JsonObject *
find_pci_device (JsonArray  *devices,
                 const char *id)
{
  for (guint i = 0; devices != NULL && i < json_array_get_length (devices); i++)
    {
      JsonObject *device = json_array_get_object_element (devices, i);
      JsonNode *behind = member_node (member_object (device, "pci_bridge"), "devices");
      JsonObject *found;

      if (g_strcmp0 (json_object_get_string_member_with_default (device, "qdev_id", NULL), id) == 0)
        return device;
      found = behind != NULL && JSON_NODE_HOLDS_ARRAY (behind)
              ? find_pci_device (json_node_get_array (behind), id) : NULL;
      if (found != NULL)
        return found;
    }

  return NULL;
}

typedef struct {
  gint64 domain, bus, slot, function;
} PciAddress;

static Qmp *
qemu_monitor (Vm      *vm,
              GError **error)
{
  g_autofree char *qmp_path = g_strconcat (vm->socket_path, ".qmp", NULL);

  return qmp_connect (qmp_path, error);
}

/* Where QEMU put the device @id. */
static gboolean
qemu_pci_address (Vm          *vm,
                  const char  *id,
                  PciAddress  *address,
                  GError     **error)
{
  g_autoptr(Qmp) qmp = qemu_monitor (vm, error);
  g_autoptr(JsonNode) buses = NULL;
  JsonObject *device = NULL;

  if (qmp == NULL)
    return FALSE;
  buses = qmp_query (qmp, "{\"execute\": \"query-pci\"}", error);
  if (buses == NULL)
    return FALSE;

  for (guint i = 0; JSON_NODE_HOLDS_ARRAY (buses) && device == NULL &&
                    i < json_array_get_length (json_node_get_array (buses)); i++)
    {
      JsonObject *bus = json_array_get_object_element (json_node_get_array (buses), i);
      JsonNode *devices = member_node (bus, "devices");

      if (devices != NULL && JSON_NODE_HOLDS_ARRAY (devices))
        device = find_pci_device (json_node_get_array (devices), id);
    }
  if (device == NULL)
    return vm_fail (error, "query-pci lists no device %s", id);

  /* query-pci has no domain: QEMU's PC has one PCI host bridge, domain 0. */
  address->domain = 0;
  address->bus = json_object_get_int_member_with_default (device, "bus", -1);
  address->slot = json_object_get_int_member_with_default (device, "slot", -1);
  address->function = json_object_get_int_member_with_default (device, "function", -1);
  return TRUE;
}

/* The QOM property @property of the object at @path: a number, string or
 * boolean. */
static JsonNode *
qemu_property (Vm          *vm,
               const char  *path,
               const char  *property,
               GError     **error)
{
  g_autoptr(Qmp) qmp = qemu_monitor (vm, error);
  g_autofree char *qom_get = NULL;
  JsonNode *value;

  if (qmp == NULL)
    return NULL;
  qom_get = g_strdup_printf ("{\"execute\": \"qom-get\", \"arguments\": {"
                             "\"path\": \"%s\", \"property\": \"%s\"}}", path, property);
  value = qmp_query (qmp, qom_get, error);
  if (value != NULL && !JSON_NODE_HOLDS_VALUE (value))
    {
      vm_fail (error, "%s's %s is not a plain value", path, property);
      g_clear_pointer (&value, json_node_unref);
    }
  return value;
}

/* guest-get-fsinfo. */

#define PCI_FORMAT "%04" G_GINT64_MODIFIER "x:%02" G_GINT64_MODIFIER "x:%02" \
                   G_GINT64_MODIFIER "x.%" G_GINT64_MODIFIER "x"
#define PCI_ARGS(a) (a).domain, (a).bus, (a).slot, (a).function

/* What a disk under a filesystem must be. */
typedef struct {
  const char *bus_type;
  const char *device;      /* the guest's name: /dev/DEVICE */
  PciAddress controller;   /* as QEMU reports it */
  gint64 unit;             /* or -1: not checked */
} ExpectedDisk;

/* The filesystem the agent reports on @mountpoint, which must be ext4 on
 * the device @expected names, the one disk under it as @expected
 * describes. Keeps the raw reply for the comparison. */
static JsonObject *
fsinfo_ext4_on (Vm                  *vm,
                const char          *mountpoint,
                const ExpectedDisk  *expected,
                GError             **error)
{
  g_autofree char *reply = vm_raw_call (vm, "guest-get-fsinfo", error);
  g_autofree char *dev = g_strconcat ("/dev/", expected->device, NULL);
  g_autoptr(JsonNode) filesystems = NULL;
  JsonObject *filesystem;
  JsonNode *disks;
  JsonObject *disk, *pci;
  PciAddress agent;
  const char *bus_type;

  if (reply == NULL || !vm_reply_save (vm, "guest-get-fsinfo", reply, error))
    return NULL;
  filesystems = reply_return ("guest-get-fsinfo", reply, error);
  filesystem = filesystems != NULL
               ? only_object_with (filesystems, "mountpoint", mountpoint, error) : NULL;
  if (filesystem == NULL)
    return NULL;
  if (g_strcmp0 (json_object_get_string_member_with_default (filesystem, "name", NULL), expected->device) != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (filesystem, "type", NULL), "ext4") != 0)
    {
      vm_fail (error, "%s is not ext4 on %s", mountpoint, expected->device);
      return NULL;
    }

  disks = member_node (filesystem, "disk");
  if (disks == NULL || !JSON_NODE_HOLDS_ARRAY (disks) ||
      json_array_get_length (json_node_get_array (disks)) != 1)
    {
      vm_fail (error, "expected one disk under %s", mountpoint);
      return NULL;
    }
  disk = json_array_get_object_element (json_node_get_array (disks), 0);

  bus_type = json_object_get_string_member_with_default (disk, "bus-type", NULL);
  if (g_strcmp0 (bus_type, expected->bus_type) != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (disk, "dev", NULL), dev) != 0)
    {
      vm_fail (error, "%s's disk: expected bus-type %s, dev %s", mountpoint, expected->bus_type, dev);
      return NULL;
    }
  if (expected->unit >= 0 && json_object_get_int_member_with_default (disk, "unit", -1) != expected->unit)
    {
      vm_fail (error, "%s's disk: expected unit %" G_GINT64_FORMAT, mountpoint, expected->unit);
      return NULL;
    }

  pci = member_object (disk, "pci-controller");
  if (pci == NULL)
    {
      vm_fail (error, "%s's disk has no pci-controller", mountpoint);
      return NULL;
    }
  agent.domain = json_object_get_int_member_with_default (pci, "domain", -1);
  agent.bus = json_object_get_int_member_with_default (pci, "bus", -1);
  agent.slot = json_object_get_int_member_with_default (pci, "slot", -1);
  agent.function = json_object_get_int_member_with_default (pci, "function", -1);
  if (memcmp (&agent, &expected->controller, sizeof agent) != 0)
    {
      vm_fail (error, "the agent puts %s's controller at PCI " PCI_FORMAT ", QEMU at " PCI_FORMAT,
               mountpoint, PCI_ARGS (agent), PCI_ARGS (expected->controller));
      return NULL;
    }

  return json_object_ref (filesystem);
}

gboolean
vm_fsinfo_check_data (Vm      *vm,
                      GError **error)
{
  ExpectedDisk expected = { "virtio", VM_DATA_DEVICE, { 0 }, -1 };
  g_autoptr(JsonObject) data = NULL;
  struct stat image;
  gint64 total, used;

  if (!data_image_stat (vm, &image, error) ||
      !qemu_pci_address (vm, VM_DATA_DISK_ID, &expected.controller, error))
    return FALSE;
  data = fsinfo_ext4_on (vm, VM_DATA_MOUNTPOINT, &expected, error);
  if (data == NULL)
    return FALSE;

  total = json_object_get_int_member_with_default (data, "total-bytes", -1);
  used = json_object_get_int_member_with_default (data, "used-bytes", -1);
  if (total > image.st_size || total < image.st_size / 100 * MIN_TOTAL_PERCENT)
    return vm_fail (error, "total-bytes %" G_GINT64_FORMAT " for an image of %" G_GINT64_FORMAT
                    " bytes, expected %d to 100 %% of it",
                    total, (gint64) image.st_size, MIN_TOTAL_PERCENT);
  if (used <= 0 || used > total)
    return vm_fail (error, "used-bytes %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT, used, total);

  printf ("# %s: " VM_DATA_MOUNTPOINT " is ext4 on " VM_DATA_DEVICE ", %" G_GINT64_FORMAT
          " of %" G_GINT64_FORMAT " bytes used, %.1f %% of the image; on virtio at PCI "
          PCI_FORMAT ", where QEMU put " VM_DATA_DISK_ID "\n",
          vm->agent, used, total, 100.0 * total / image.st_size, PCI_ARGS (expected.controller));
  return TRUE;
}

/* virtio-scsi: qemu-ga reads the unit from the LUN, not the target. */
gboolean
vm_fsinfo_check_scsi (Vm      *vm,
                      GError **error)
{
  ExpectedDisk expected = { "scsi", VM_SCSI_DEVICE, { 0 }, -1 };
  g_autoptr(JsonNode) lun = NULL;
  g_autoptr(JsonObject) scsi = NULL;

  if (!qemu_pci_address (vm, VM_SCSI_CONTROLLER_ID, &expected.controller, error))
    return FALSE;
  lun = qemu_property (vm, "/machine/peripheral/" VM_SCSI_DISK_ID, "lun", error);
  if (lun == NULL)
    return FALSE;
  expected.unit = json_node_get_int (lun);
  scsi = fsinfo_ext4_on (vm, VM_SCSI_MOUNTPOINT, &expected, error);
  if (scsi == NULL)
    return FALSE;

  printf ("# %s: " VM_SCSI_MOUNTPOINT " is ext4 on " VM_SCSI_DEVICE ", on scsi unit %"
          G_GINT64_FORMAT " (QEMU's LUN for " VM_SCSI_DISK_ID ") behind PCI " PCI_FORMAT
          ", where QEMU put " VM_SCSI_CONTROLLER_ID "\n",
          vm->agent, expected.unit, PCI_ARGS (expected.controller));
  return TRUE;
}

gboolean
vm_fsinfo_check_same_as_reference (Vm      *vm,
                                   GError **error)
{
  return same_as_reference (vm, "guest-get-fsinfo", "used-bytes", error);
}

/* guest-fstrim. */

/* /data's result in @reply: trimmed and minimum, or the error. */
static gboolean
data_trim_result (const char  *reply,
                  gint64      *trimmed,
                  gint64      *minimum,
                  char       **failure,
                  GError     **error)
{
  g_autoptr(JsonNode) result = reply_return ("guest-fstrim", reply, error);
  JsonObject *data;

  if (result == NULL)
    return FALSE;
  data = only_object_with (JSON_NODE_HOLDS_OBJECT (result)
                           ? member_node (json_node_get_object (result), "paths") : NULL,
                           "path", VM_DATA_MOUNTPOINT, error);
  if (data == NULL)
    return FALSE;

  *trimmed = json_object_get_int_member_with_default (data, "trimmed", -1);
  *minimum = json_object_get_int_member_with_default (data, "minimum", -1);
  *failure = g_strdup (json_object_get_string_member_with_default (data, "error", NULL));
  if ((*failure == NULL) == (*trimmed < 0 || *minimum < 0))
    return vm_fail (error, "expected trimmed and minimum, or an error: %s", reply);
  return TRUE;
}

/* The first trim since boot (no row before this one trims). guest-init
 * trimmed all of /data at boot, then wrote and deleted a file: ext4 trims
 * again only the block groups where blocks were freed since, so this trim
 * finds at least that file, QEMU (discard=unmap) punches it out of
 * data.img, and a second trim finds nothing, as nothing in the guest
 * deletes anything (the writer only appends). */
gboolean
vm_fstrim_check_data (Vm      *vm,
                      GError **error)
{
  const gint64 file_bytes = (gint64) VM_TRIM_FILE_MIB * MIB;
  g_autofree char *boot_trim = vm_console_last_line_with (vm, "guest: boot trim: ");
  g_autofree char *reply = NULL;
  g_autofree char *again = NULL;
  g_autofree char *failure = NULL;
  g_autofree char *failure_again = NULL;
  /* Whether the device offers the guest discard; virtio-blk-pci's device
   * proper is its child "virtio-backend". */
  g_autoptr(JsonNode) discard = qemu_property (vm, "/machine/peripheral/" VM_DATA_DISK_ID
                                               "/virtio-backend", "discard", error);
  struct stat before, after;
  gint64 trimmed, minimum, trimmed_again, minimum_again, released;

  if (discard == NULL || !data_image_stat (vm, &before, error))
    return FALSE;
  reply = vm_raw_call (vm, "guest-fstrim", error);
  if (reply == NULL || !vm_reply_save (vm, "guest-fstrim", reply, error) ||
      !data_image_stat (vm, &after, error) ||
      !data_trim_result (reply, &trimmed, &minimum, &failure, error))
    return FALSE;

  /* Without discard on the device the kernel refuses FITRIM
   * (EOPNOTSUPP), in qemu-ga's words. */
  if (!json_node_get_boolean (discard))
    {
      if (g_strcmp0 (failure, "trim not supported") != 0)
        return vm_fail (error, "the disk offers no discard, expected \"trim not supported\": %s", reply);
      printf ("# %s: the disk offers no discard: %s\n", vm->agent, failure);
      return TRUE;
    }
  if (failure != NULL)
    return vm_fail (error, "the disk offers discard, and: %s", failure);

  if (trimmed < file_bytes)
    return vm_fail (error, "trimmed %" G_GINT64_FORMAT " bytes, less than the %d MiB "
                    "file guest-init deleted", trimmed, VM_TRIM_FILE_MIB);
  /* The writer may have had the host allocate a few blocks meanwhile. */
  released = ((gint64) before.st_blocks - (gint64) after.st_blocks) * 512;
  if (released < file_bytes / 4 * 3)
    return vm_fail (error, "data.img gave back %" G_GINT64_FORMAT " bytes to the host, "
                    "not the %d MiB file guest-init deleted", released, VM_TRIM_FILE_MIB);

  again = vm_raw_call (vm, "guest-fstrim", error);
  if (again == NULL ||
      !data_trim_result (again, &trimmed_again, &minimum_again, &failure_again, error))
    return FALSE;
  if (failure_again != NULL || trimmed_again != 0)
    return vm_fail (error, "a second trim, with nothing deleted since: %s", again);

  printf ("# %s\n# %s: trimmed %" G_GINT64_FORMAT " bytes (minimum %" G_GINT64_FORMAT "), "
          "data.img gave back %" G_GINT64_FORMAT " bytes to the host; a second trim: %"
          G_GINT64_FORMAT " bytes\n", boot_trim != NULL ? boot_trim : "guest: no boot trim",
          vm->agent, trimmed, minimum, released, trimmed_again);
  return TRUE;
}

gboolean
vm_fstrim_check_same_as_reference (Vm      *vm,
                                   GError **error)
{
  return same_as_reference (vm, "guest-fstrim", "trimmed", error);
}
