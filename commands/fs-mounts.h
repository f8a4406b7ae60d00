/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs-mounts: the mount table (/proc/self/mountinfo) as the filesystem
 * commands need it: which mounts are local filesystems that can be
 * frozen, trimmed and reported, each filesystem once.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint mount_id;
  guint parent_id;
  dev_t device;        /* the superblock's device, as mountinfo gives it:
                        * one per filesystem, btrfs subvolumes included */
  char *root;          /* the mounted directory within the filesystem */
  char *mountpoint;
  char *fstype;
  char *source;
} FsMount;

void fs_mount_free (FsMount *mount);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsMount, fs_mount_free)

/* Every mount of @mountinfo_path (normally /proc/self/mountinfo), in
 * mount order, with mountinfo's octal escapes (\040 for a space) undone.
 * Malformed lines are skipped. */
GPtrArray *fs_mounts_read (const char  *mountinfo_path,
                           GError     **error);

/* A local filesystem on a block device: device major 0 is a virtual or
 * network filesystem (proc, tmpfs, overlay, nfs...), except btrfs, whose
 * superblock has an anonymous device. */
gboolean fs_mount_is_local (const FsMount *mount);

/* The block device qemu-ga 7.2 puts @mount on (its build_fs_mount_list):
 * the mountinfo device when its major is not 0; for btrfs, whose
 * mountinfo device is anonymous, the device node its source names
 * (st_rdev). FALSE for every other mount: qemu-ga leaves those out of
 * guest-get-fsinfo and guest-fstrim. Unlike fs_mounts_local_filesystems(),
 * this keeps bind mounts and repeated mounts, as those commands do. */
gboolean fs_mount_get_block_device (const FsMount *mount,
                                    dev_t         *out_device);

/* The local mounts of @mounts (FsMount*, mount order), one per
 * filesystem: the first mount of a device stands for it, later ones
 * (bind mounts, a filesystem mounted twice) are left out. The returned
 * array borrows its elements from @mounts. */
GPtrArray *fs_mounts_local_filesystems (GPtrArray *mounts);

G_END_DECLS
