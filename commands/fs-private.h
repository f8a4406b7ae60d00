/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filesystem family's collectors, apart from the handlers so that unit
 * tests can run them on fixture mount tables and sysfs trees. Each returns
 * the exact reply value qemu-ga 7.2 would send. They block (statvfs,
 * FITRIM): the handlers run them in worker threads.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "fs-mounts.h"

G_BEGIN_DECLS

#define FS_MOUNTINFO_PATH "/proc/self/mountinfo"

/* One mount's entry in a reply; NULL with @error fails the command. */
typedef JsonNode *(*FsMountFunc) (const FsMount  *mount,
                                  dev_t           device,
                                  gpointer        user_data,
                                  GError        **error);

/* @func for each mount qemu-ga's build_fs_mount_list has (every mount on
 * a block device, fs_mount_get_block_device()), in mount order, and the
 * results newest mount first, as qemu-ga prepends each to its list.
 * Checks @cancellable (may be NULL) before each mount. */
JsonArray *fs_mounts_map (const char     *mountinfo_path,
                          FsMountFunc     func,
                          gpointer        user_data,
                          GCancellable   *cancellable,
                          GError        **error);

/* guest-get-fsinfo: the array of GuestFilesystemInfo, one per mount of
 * @mountinfo_path on a block device (bind mounts too), the newest mount
 * first; disks looked up below @sysfs_root and @udev_data_dir. */
JsonNode *fs_info_collect (const char  *mountinfo_path,
                           const char  *sysfs_root,
                           const char  *udev_data_dir,
                           GError     **error);

/* guest-fstrim: FITRIM on each mount guest-get-fsinfo lists, in mount
 * order, and the GuestFilesystemTrimResponse (results newest mount
 * first). @minimum is FITRIM's minlen, 0 for none. Stops with
 * G_IO_ERROR_CANCELLED between filesystems once @cancellable is. */
JsonNode *fs_trim_collect (const char    *mountinfo_path,
                           gint64         minimum,
                           GCancellable  *cancellable,
                           GError       **error);

G_END_DECLS
