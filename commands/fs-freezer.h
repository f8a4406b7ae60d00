/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs-freezer: freezes and thaws the guest's filesystems for a consistent
 * disk snapshot, and makes sure none is left frozen.
 *
 * One operation runs at a time (freeze, thaw, the recovery at start, the
 * thaw before exit); others wait their turn, so a thaw that arrives during
 * a freeze thaws what that freeze froze. The ioctls run in a worker thread
 * (FIFREEZE waits for the filesystem to sync) and hooks in subprocesses,
 * so the main loop keeps answering.
 *
 * While frozen, the registry lets only COMMAND_FLAG_ALLOWED_WHILE_FROZEN
 * commands run, and the gate callback tells the daemon to hold its log.
 * A marker file in the state directory (on /run) says filesystems may be
 * frozen; an agent that starts and finds it thaws everything.
 */
#pragma once

#include <gio/gio.h>

#include "registry.h"

G_BEGIN_DECLS

typedef struct _FsFreezer FsFreezer;

typedef struct {
  const char *statedir;         /* where the frozen marker lives */
  const char *hook_dir;         /* NULL: none */
  const char *hook;             /* qemu-ga's -F hook; NULL: none */
  guint hook_timeout_seconds;
  guint freeze_timeout_seconds; /* 0: wait for the host forever */
} FsFreezerConfig;

/* @closed: filesystems are (or may be) frozen from now on, until called
 * again with FALSE, after the thaw. */
typedef void (*FsFreezerGateFunc) (gboolean closed,
                                   gpointer user_data);

FsFreezer *fs_freezer_new (const FsFreezerConfig *config,
                           CommandRegistry       *registry,
                           FsFreezerGateFunc      gate_func,
                           gpointer               gate_data);
void fs_freezer_free (FsFreezer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsFreezer, fs_freezer_free)

/* TRUE from the start of a freeze until its thaw has finished. */
gboolean fs_freezer_is_frozen (FsFreezer *self);

/* Freezes the local filesystems mounted at @mountpoints, or all of them
 * when NULL. The result is how many this call froze. */
void fs_freezer_freeze_async (FsFreezer           *self,
                              const char * const  *mountpoints,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
gint fs_freezer_freeze_finish (FsFreezer     *self,
                               GAsyncResult  *result,
                               GError       **error);

/* Thaws what is frozen; the result is how many were thawed (0 when
 * nothing was frozen). */
void fs_freezer_thaw_async (FsFreezer           *self,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
gint fs_freezer_thaw_finish (FsFreezer     *self,
                             GAsyncResult  *result,
                             GError       **error);

/* At start: when an earlier agent died with filesystems frozen, thaws
 * every local filesystem and runs the thaw hooks. What it did is in the
 * log; @callback may be NULL. */
void fs_freezer_recover_async (FsFreezer           *self,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);

/* Before exit: refuses new freezes, waits for the operation under way and
 * thaws whatever is frozen. */
void fs_freezer_stop_async (FsFreezer           *self,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
void fs_freezer_stop_finish (FsFreezer    *self,
                             GAsyncResult *result);

G_END_DECLS
