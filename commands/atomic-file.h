/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * atomic-file: replacing a file so that a reader, or a machine that loses
 * power, sees the old contents or the new, never a mix or nothing
 * (DESIGN.md: "Nothing half-done"). The new file is written beside the
 * old one under a temporary name, fsynced, renamed over it, and the
 * directory fsynced so the rename itself is durable.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/* Replaces @path with @length bytes of @data, mode @mode, owned by @uid
 * and @gid (each -1 to keep ours). Whatever @path was (a file, a symlink,
 * nothing) is replaced, never followed. On failure @path is untouched
 * and no temporary file is left. */
gboolean atomic_file_replace (const char  *path,
                              const void  *data,
                              gsize        length,
                              mode_t       mode,
                              uid_t        uid,
                              gid_t        gid,
                              GError     **error);

/* The same for @name in the directory open as @dir_fd, for a caller that
 * reached that directory its own careful way; @display_path names the
 * file in errors. */
gboolean atomic_file_replace_at (int          dir_fd,
                                 const char  *name,
                                 const char  *display_path,
                                 const void  *data,
                                 gsize        length,
                                 mode_t       mode,
                                 uid_t        uid,
                                 gid_t        gid,
                                 GError     **error);

/* Makes @path a symbolic link to @target the same way. */
gboolean atomic_file_symlink (const char  *path,
                              const char  *target,
                              GError     **error);

G_END_DECLS
