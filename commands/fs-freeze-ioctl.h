/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs-freeze-ioctl: the FIFREEZE and FITHAW system calls over a list of
 * filesystems. These block (FIFREEZE waits for the filesystem to write
 * out its dirty data), so they are for a worker thread: they touch no
 * shared state and log nothing; what the log should say comes back as
 * notes for the main thread.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/* A filesystem to freeze, named by a mount point and the id mountinfo
 * gives that mount, which is checked after opening, so that a mount on
 * top of it, or one made since the table was read, is not frozen by
 * mistake. */
typedef struct {
  char *mountpoint;
  guint mount_id;
} FsFreezeTarget;

FsFreezeTarget *fs_freeze_target_new (const char *mountpoint,
                                      guint       mount_id);
void fs_freeze_target_free (FsFreezeTarget *target);

/* A filesystem we froze, with the descriptor we froze it through: the
 * thaw uses it too, so it reaches the same filesystem whatever happens
 * to the mount table meanwhile. */
typedef struct {
  char *mountpoint;
  int fd;
} FsFrozen;

/* Freezes @targets (given in mount order) from the last to the first, so
 * a filesystem mounted inside another freezes before it. Filesystems that
 * cannot be frozen (EOPNOTSUPP) or are frozen already by someone else
 * (EBUSY, so not ours to thaw) are left out with a note, and so is one
 * hidden under another mount unless the host @chose the targets. Any other
 * failure thaws what this call froze and sets @error naming the mount
 * point. Returns FsFrozen elements in freeze order. */
GArray *fs_freeze_ioctl_freeze (GPtrArray  *targets,
                                gboolean    chosen,
                                GPtrArray  *notes,
                                GError    **error);

/* Thaws @frozen (as returned above) in mount order, trying every one even
 * after a failure, and closes the descriptors; @frozen is emptied.
 * Returns how many were thawed. */
guint fs_freeze_ioctl_thaw (GArray    *frozen,
                            GPtrArray *notes);

/* Thaws every one of @targets that is frozen, whoever froze it: the
 * recovery after an agent died while frozen. Returns how many were. */
guint fs_freeze_ioctl_thaw_targets (GPtrArray *targets,
                                    GPtrArray *notes);

G_END_DECLS
