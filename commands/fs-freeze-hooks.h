/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs-freeze-hooks: the programs that quiesce applications around a
 * freeze (flush a database, pause a queue). Each runs with "freeze"
 * before the filesystems are frozen and with "thaw" after they are
 * thawed, as a GSubprocess so the main loop goes on, with its output
 * sent to the log and a time limit after which it is killed.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  FS_FREEZE_HOOK_FREEZE,
  FS_FREEZE_HOOK_THAW,
} FsFreezeHookAction;

/* The hooks in freeze order: the executables of @dir whose names
 * run-parts would accept, sorted, then qemu-ga's single @hook. Either may
 * be NULL; a missing @dir has no hooks. Fails when @hook cannot be run or
 * @dir cannot be read: a freeze without the administrator's hooks would
 * not be the consistent snapshot they asked for. */
GPtrArray *fs_freeze_hooks_list (const char  *dir,
                                 const char  *hook,
                                 GError     **error);

/* Runs @hooks (paths) one at a time: for FREEZE in order, stopping at the
 * first that fails; for THAW in reverse order, all of them. A hook still
 * running after @timeout_seconds is killed with its process group. */
void fs_freeze_hooks_run_async (GPtrArray           *hooks,
                                FsFreezeHookAction   action,
                                guint                timeout_seconds,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
/* @out_n_started: how many hooks were started, the failing one included,
 * so a failed freeze can thaw exactly those. The error is the first
 * hook's failure. */
gboolean fs_freeze_hooks_run_finish (GAsyncResult  *result,
                                     guint         *out_n_started,
                                     GError       **error);

G_END_DECLS
