/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ssh-host-key-swap: the file side of host key rotation, such that at
 * every moment, a crash included, each key path holds the old key or
 * the new one and the old one can be had back.
 *
 * Two directories beside the keys (same filesystem: renames are atomic),
 * both 0700: the staging directory, where ssh-keygen writes the new
 * pairs, and the aside directory, which holds, for each file about to be
 * replaced, a hard link to the old file, or NAME.absent when there was
 * none. A new file is then renamed over the old one: no moment without
 * a key. Rolling back renames each aside file back over the new one and
 * removes the files marked absent; committing empties the aside
 * directory. Either way both directories go. An agent that died in
 * between leaves them, and the next one rolls back.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SSH_HOST_KEY_STAGING_DIR ".guestlink-rotate-new"
#define SSH_HOST_KEY_ASIDE_DIR ".guestlink-rotate-old"

/* @ssh_dir/SSH_HOST_KEY_STAGING_DIR/@name (the private key). */
char *ssh_host_key_swap_staged_path (const char *ssh_dir,
                                     const char *name);

/* Makes both directories, empty; they must not exist (roll back first). */
gboolean ssh_host_key_swap_begin (const char  *ssh_dir,
                                  GError     **error);

/* Flushes the staged pair @name, and the staging directory, to disk:
 * before any of it is renamed into place. */
gboolean ssh_host_key_swap_sync_staged (const char  *ssh_dir,
                                        const char  *name,
                                        GError     **error);

/* Keeps the pair @name (private key and .pub) aside and renames the
 * staged pair over it. */
gboolean ssh_host_key_swap_install (const char  *ssh_dir,
                                    const char  *name,
                                    GError     **error);

/* After the last install: makes the renames durable. */
gboolean ssh_host_key_swap_sync (const char  *ssh_dir,
                                 GError     **error);

/* The new pairs stay: the old ones and both directories go. */
gboolean ssh_host_key_swap_commit (const char  *ssh_dir,
                                   GError     **error);

/* The old pairs come back, new files where there were none go, and
 * both directories go. @out_restored (may be NULL): how many pairs had
 * a file changed back. Nothing to do (no directories) is a success. */
gboolean ssh_host_key_swap_roll_back (const char  *ssh_dir,
                                      guint       *out_restored,
                                      GError     **error);

G_END_DECLS
