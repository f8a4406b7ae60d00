/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * process: the classic daemon chores qemu-ga's options ask for: going to
 * the background (-d), a locked pid file (-f), and the state directory.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean process_daemonize (GError **error);

/* Writes our pid to @path under an exclusive lock, so a second agent
 * fails instead of fighting over the port. Returns the open fd. */
int process_write_pidfile (const char  *path,
                           GError     **error);
void process_remove_pidfile (const char *path,
                             int         fd);

gboolean process_ensure_statedir (const char  *path,
                                  GError     **error);

/* Locks @path (the state directory) for this process's life, so that no
 * second agent takes our frozen marker for a dead one's and thaws a live
 * freeze. Returns the fd to keep open. */
int process_lock_statedir (const char  *path,
                           GError     **error);

G_END_DECLS
