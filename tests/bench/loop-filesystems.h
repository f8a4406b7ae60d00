/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * loop-filesystems: the filesystems fsfreeze-bench freezes, and the only
 * ones it may.  Sparse images attached to loop devices and mounted inside
 * a private mount namespace of this process; a guard process that thaws
 * them should the benchmark be killed outright; and the teardown that
 * thaws, unmounts, detaches and removes them on every other way out.
 */

#pragma once

#include <sys/ioctl.h>
#include <sys/types.h>

#include <glib.h>

/* From <linux/fs.h>, which clashes with <sys/mount.h> on glibc 2.36. */
#ifndef FIFREEZE
#define FIFREEZE _IOWR ('X', 119, int)
#define FITHAW _IOWR ('X', 120, int)
#endif

#define LOOP_FS_MAX 8
/* The smallest filesystem mkfs.xfs will make. */
#define LOOP_FS_XFS_MIN_MIB 300

typedef struct {
  char *image;
  char *fstype;
  char *mountpoint;
  char *loopdev;
  int loop_fd;          /* held until mounted: autoclear detaches on last close */
  dev_t device;         /* the loop device's number = st_dev of the mount */
  gboolean mounted;
  int raw_fd;           /* >= 0 while the raw sequence holds it frozen */
} LoopFs;

typedef struct {
  /* settings */
  guint image_mib;
  guint n_xfs;          /* the last n_xfs of the LOOP_FS_MAX are xfs */
  gboolean images_on_disk;
  guint dirty_kib;

  /* what exists, for loop_filesystems_tear_down () */
  char *work;
  dev_t work_device;
  char *ram;            /* tmpfs in our namespace */
  gboolean ram_mounted;
  GPtrArray *disk_dirs; /* the caller's directories in work, on disk */
  LoopFs fs[LOOP_FS_MAX];
  guint n_fs;
  pid_t guard_pid;
  int guard_pipe;       /* write end; closing it tells the guard to thaw */
  char *dirty;
} LoopFilesystems;

#define LOOP_FILESYSTEMS_INIT { .guard_pipe = -1 }

/* Enters a private mount namespace, makes a work directory in $TMPDIR with
 * a tmpfs in it, and there LOOP_FS_MAX filesystems on loop devices, then
 * starts the guard.  EXIT_SUCCESS, FSBENCH_EXIT_SKIP for what this machine
 * cannot do or EXIT_FAILURE, having said why; whatever part was done,
 * loop_filesystems_tear_down () undoes. */
int loop_filesystems_set_up (LoopFilesystems *set);

/* A path for a directory of the caller's, beside the images: in the tmpfs,
 * or with @on_disk in the work directory on the disk of $TMPDIR.  The
 * caller makes it; the teardown removes it with the rest. */
char *loop_filesystems_scratch_dir (LoopFilesystems *set,
                                    const char      *name,
                                    gboolean         on_disk);

/* Opens the root of @fs, and nothing but our own filesystem there. */
int loop_fs_open_root (const LoopFs *fs);

/* Dirty pages for the next freeze to write: @set->dirty_kib rewritten in
 * one file on each of the first @n filesystems, without fsync. */
gboolean loop_filesystems_dirty (LoopFilesystems  *set,
                                 guint             n,
                                 guint             round,
                                 GError          **error);

/* FITHAW on every raw_fd held and every mounted filesystem of ours. */
void loop_filesystems_thaw_all (LoopFilesystems *set);

/* Thaws everything again, stops the guard, unmounts, lets the loop devices
 * go and removes what it made. */
void loop_filesystems_tear_down (LoopFilesystems *set);

/* Frees what @set holds; after the teardown. */
void loop_filesystems_clear (LoopFilesystems *set);
