/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-get-fsinfo, as qemu-ga 7.2 answers it: every mount on a block
 * device, bind mounts and repeated mounts included, the newest first,
 * with its kernel device name, usage from statvfs() and the disks under
 * it (fs-disk-address). A statvfs() that fails leaves the usage out; a
 * device sysfs cannot describe has an empty disk list.
 */
#include "config.h"

#include <sys/statvfs.h>

#include "commands.h"
#include "fs-disk-address.h"
#include "fs-mounts.h"
#include "fs-private.h"
#include "message.h"

static void
add_uint (JsonBuilder *builder,
          const char  *member,
          guint64      value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, (gint64) value);
}

typedef struct {
  const char *sysfs_root;
  const char *udev_data_dir;
} SysfsRoots;

/* One GuestFilesystemInfo. Members in the order qemu-ga writes them
 * (its QDict's hash order), not the schema's. */
static JsonNode *
build_filesystem (const FsMount  *mount,
                  dev_t           device,
                  gpointer        user_data,
                  GError        **error)
{
  const SysfsRoots *roots = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GPtrArray) disks = NULL;
  g_autofree char *name = NULL;
  struct statvfs usage;
  gboolean has_usage;
  guint64 used = 0, total = 0;

  if (!fs_disk_address_lookup (roots->sysfs_root, roots->udev_data_dir, device, &name, &disks, error))
    return NULL;

  /* Used is what is allocated, total what is not reserved for root:
   * df's "Used" and "Used + Avail". */
  has_usage = statvfs (mount->mountpoint, &usage) == 0;
  if (has_usage)
    {
      guint64 used_blocks = (guint64) usage.f_blocks - usage.f_bfree;

      used = used_blocks * usage.f_frsize;
      total = (used_blocks + usage.f_bavail) * usage.f_frsize;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  if (has_usage)
    add_uint (builder, "total-bytes", total);
  json_builder_set_member_name (builder, "mountpoint");
  json_builder_add_string_value (builder, mount->mountpoint);
  json_builder_set_member_name (builder, "disk");
  json_builder_begin_array (builder);
  for (guint i = 0; i < disks->len; i++)
    fs_disk_address_build_json (builder, g_ptr_array_index (disks, i));
  json_builder_end_array (builder);
  if (has_usage)
    add_uint (builder, "used-bytes", used);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, mount->fstype);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonArray *
fs_mounts_map (const char     *mountinfo_path,
               FsMountFunc     func,
               gpointer        user_data,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autoptr(GPtrArray) mounts = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  JsonArray *array;
  GError *local_error = NULL;

  g_return_val_if_fail (mountinfo_path != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  mounts = fs_mounts_read (mountinfo_path, &local_error);
  if (mounts == NULL)
    {
      g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                   "failed to read the mount table: %s", local_error->message);
      g_error_free (local_error);
      return NULL;
    }

  /* In mount order, so that the first failure is the one qemu-ga
   * reports. */
  for (guint i = 0; i < mounts->len; i++)
    {
      const FsMount *mount = g_ptr_array_index (mounts, i);
      JsonNode *result;
      dev_t device;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!fs_mount_get_block_device (mount, &device))
        continue;
      result = func (mount, device, user_data, error);
      if (result == NULL)
        return NULL;
      g_ptr_array_add (results, result);
    }

  array = json_array_sized_new (results->len);
  for (guint i = results->len; i-- > 0;)
    json_array_add_element (array, json_node_ref (g_ptr_array_index (results, i)));
  return array;
}

JsonNode *
fs_info_collect (const char  *mountinfo_path,
                 const char  *sysfs_root,
                 const char  *udev_data_dir,
                 GError     **error)
{
  SysfsRoots roots = { sysfs_root, udev_data_dir };
  JsonArray *filesystems = fs_mounts_map (mountinfo_path, build_filesystem, &roots, NULL, error);
  JsonNode *node;

  if (filesystems == NULL)
    return NULL;
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, filesystems);
  return node;
}

static JsonNode *
collect_in_thread (gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return fs_info_collect (FS_MOUNTINFO_PATH, FS_DISK_SYSFS_ROOT, FS_DISK_UDEV_DATA_DIR, error);
}

/* statvfs() waits on a hung filesystem: never on the main loop. */
static void
handle_get_fsinfo (CommandCall *call)
{
  command_call_run_in_thread (call, collect_in_thread, NULL, NULL);
}

const CommandSpec fs_info_commands[] = {
  { "guest-get-fsinfo", handle_get_fsinfo, NULL, COMMAND_FLAG_NONE },
  { NULL }
};
