/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fs-freeze-hooks.h"
#include "fs-freeze-ioctl.h"
#include "fs-freezer.h"
#include "fs-mounts.h"
#include "fs-private.h"

#define MARKER_NAME "fsfreeze-frozen"

typedef enum {
  OPERATION_FREEZE,
  OPERATION_THAW,
  OPERATION_RECOVER,
  OPERATION_STOP,
} OperationKind;

typedef struct {
  OperationKind kind;
  GStrv mountpoints;        /* FREEZE: NULL for all */
  GPtrArray *targets;       /* FsFreezeTarget *, mount order */
  GPtrArray *hooks;         /* paths, freeze order */
  GError *error;            /* FREEZE: why it is being undone */
  guint n_done;
} Operation;

struct _FsFreezer {
  char *marker_path;
  char *hook_dir;
  char *hook;
  guint hook_timeout_seconds;
  guint freeze_timeout_seconds;
  CommandRegistry *registry;
  FsFreezerGateFunc gate_func;
  gpointer gate_data;

  GArray *frozen;           /* FsFrozen, freeze order */
  GPtrArray *hooks_frozen;  /* the hooks that ran "freeze", freeze order */
  guint timeout_id;
  gboolean stopping;

  GTask *current;           /* the operation under way */
  GQueue waiting;           /* GTask *, in arrival order */
};

static void
operation_free (Operation *operation)
{
  g_strfreev (operation->mountpoints);
  g_clear_pointer (&operation->targets, g_ptr_array_unref);
  g_clear_pointer (&operation->hooks, g_ptr_array_unref);
  g_clear_error (&operation->error);
  g_free (operation);
}

FsFreezer *
fs_freezer_new (const FsFreezerConfig *config,
                CommandRegistry       *registry,
                FsFreezerGateFunc      gate_func,
                gpointer               gate_data)
{
  FsFreezer *self = g_new0 (FsFreezer, 1);

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->statedir != NULL, NULL);
  g_return_val_if_fail (config->hook_timeout_seconds > 0, NULL);
  g_return_val_if_fail (registry != NULL, NULL);

  self->marker_path = g_build_filename (config->statedir, MARKER_NAME, NULL);
  self->hook_dir = g_strdup (config->hook_dir);
  self->hook = g_strdup (config->hook);
  self->hook_timeout_seconds = config->hook_timeout_seconds;
  self->freeze_timeout_seconds = config->freeze_timeout_seconds;
  self->registry = registry;
  self->gate_func = gate_func;
  self->gate_data = gate_data;
  self->frozen = g_array_new (FALSE, FALSE, sizeof (FsFrozen));
  g_queue_init (&self->waiting);
  return self;
}

void
fs_freezer_free (FsFreezer *self)
{
  if (self == NULL)
    return;

  /* The daemon waits for fs_freezer_stop_async() before this. */
  g_warn_if_fail (self->current == NULL);
  g_warn_if_fail (self->frozen->len == 0);

  if (self->timeout_id != 0)
    g_source_remove (self->timeout_id);
  g_array_unref (self->frozen);
  g_clear_pointer (&self->hooks_frozen, g_ptr_array_unref);
  g_free (self->marker_path);
  g_free (self->hook_dir);
  g_free (self->hook);
  g_free (self);
}

gboolean
fs_freezer_is_frozen (FsFreezer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return command_registry_get_frozen (self->registry);
}

/* ---- the gate and the marker ---- */

/* The registry's frozen flag is the gate: only this writes it. */
static void
set_gate (FsFreezer *self,
          gboolean   closed)
{
  if (command_registry_get_frozen (self->registry) == closed)
    return;

  command_registry_set_frozen (self->registry, closed);
  if (self->gate_func != NULL)
    self->gate_func (closed, self->gate_data);
}

/* The marker is written before the first FIFREEZE, so a crash at any
 * point after it leaves the trace the next agent needs. It has to outlive
 * the process, not the machine: after a power loss nothing is frozen. So
 * it is renamed into place whole but not fsynced, which on a /run that
 * is not a tmpfs would cost ~0.8 ms of every freeze (tests/bench). */
static gboolean
write_marker (FsFreezer  *self,
              GPtrArray  *targets,
              GError    **error)
{
  g_autoptr(GString) contents = g_string_new (NULL);

  for (guint i = 0; i < targets->len; i++)
    g_string_append_printf (contents, "%s\n",
                            ((FsFreezeTarget *) g_ptr_array_index (targets, i))->mountpoint);

  if (!g_file_set_contents_full (self->marker_path, contents->str, (gssize) contents->len,
                                 G_FILE_SET_CONTENTS_NONE, 0600, error))
    {
      g_prefix_error (error, "Cannot record the freeze: ");
      return FALSE;
    }
  return TRUE;
}

static void
remove_marker (FsFreezer *self)
{
  if (unlink (self->marker_path) != 0 && errno != ENOENT)
    g_message ("Cannot remove %s: %s", self->marker_path, g_strerror (errno));
}

static void
log_notes (GPtrArray *notes)
{
  for (guint i = 0; i < notes->len; i++)
    g_message ("%s", (const char *) g_ptr_array_index (notes, i));
}

/* ---- which filesystems ---- */

static GPtrArray *
new_target_list (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) fs_freeze_target_free);
}

/* Mount point -> the mount seen there: the last one mounted on it. The
 * table borrows from @mounts. */
static GHashTable *
visible_mounts (GPtrArray *mounts)
{
  GHashTable *visible = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < mounts->len; i++)
    {
      FsMount *mount = g_ptr_array_index (mounts, i);
      g_hash_table_insert (visible, mount->mountpoint, mount);
    }
  return visible;
}

/* A target for each local filesystem among @candidates (FsMount *,
 * mount order), each once: its first mount stands for it, so a bind
 * mount of a filesystem already there is the same one. */
static GPtrArray *
targets_from (GPtrArray *candidates)
{
  g_autoptr(GPtrArray) local = fs_mounts_local_filesystems (candidates);
  GPtrArray *targets = new_target_list ();

  for (guint i = 0; i < local->len; i++)
    {
      const FsMount *mount = g_ptr_array_index (local, i);
      g_ptr_array_add (targets, fs_freeze_target_new (mount->mountpoint, mount->mount_id));
    }
  return targets;
}

static GPtrArray *
all_local_targets (GPtrArray *mounts)
{
  g_autoptr(GHashTable) visible = visible_mounts (mounts);
  g_autoptr(GPtrArray) reachable = g_ptr_array_new ();

  /* A mount with another on top of it cannot be opened by its path; a
   * bind mount of the same filesystem elsewhere can stand for it. */
  for (guint i = 0; i < mounts->len; i++)
    {
      FsMount *mount = g_ptr_array_index (mounts, i);

      if (g_hash_table_lookup (visible, mount->mountpoint) == mount)
        g_ptr_array_add (reachable, mount);
    }
  return targets_from (reachable);
}

/* The filesystems at @mountpoints in mount order, each once, or an error
 * for the first mount point that is not a local filesystem's. Nothing is
 * frozen unless every one is valid. */
static GPtrArray *
chosen_targets (GPtrArray           *mounts,
                const char * const  *mountpoints,
                GError             **error)
{
  g_autoptr(GHashTable) visible = visible_mounts (mounts);
  g_autoptr(GHashTable) chosen = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) chosen_mounts = g_ptr_array_new ();

  for (const char * const *path = mountpoints; *path != NULL; path++)
    {
      g_autofree char *canonical = NULL;
      const FsMount *mount;

      if (!g_path_is_absolute (*path))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Mount point '%s' is not an absolute path", *path);
          return NULL;
        }

      /* "/mnt/data/" and "/mnt//data" name /mnt/data too; symbolic links
       * are not followed: the host names mount points as the guest lists
       * them. */
      canonical = g_canonicalize_filename (*path, "/");
      mount = g_hash_table_lookup (visible, canonical);
      if (mount == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "'%s' is not a mount point", *path);
          return NULL;
        }
      if (!fs_mount_is_local (mount))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "'%s' is not a local filesystem and cannot be frozen", *path);
          return NULL;
        }
      g_hash_table_add (chosen, (gpointer) mount);
    }

  for (guint i = 0; i < mounts->len; i++)
    {
      FsMount *mount = g_ptr_array_index (mounts, i);

      if (g_hash_table_contains (chosen, mount))
        g_ptr_array_add (chosen_mounts, mount);
    }
  return targets_from (chosen_mounts);
}

static GPtrArray *
resolve_targets (const char * const  *mountpoints,
                 GError             **error)
{
  g_autoptr(GPtrArray) mounts = fs_mounts_read (FS_MOUNTINFO_PATH, error);

  if (mounts == NULL)
    return NULL;
  if (mountpoints == NULL)
    return all_local_targets (mounts);
  return chosen_targets (mounts, mountpoints, error);
}

/* ---- running one operation at a time ---- */

static void start_operation (FsFreezer *self,
                             GTask     *task);

static void
run_next (FsFreezer *self)
{
  if (self->current != NULL || g_queue_is_empty (&self->waiting))
    return;

  self->current = g_queue_pop_head (&self->waiting);
  start_operation (self, self->current);
}

static void
enqueue (FsFreezer           *self,
         OperationKind        kind,
         const char * const  *mountpoints,
         gpointer             source_tag,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  Operation *operation = g_new0 (Operation, 1);

  operation->kind = kind;
  operation->mountpoints = g_strdupv ((char **) mountpoints);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, operation, (GDestroyNotify) operation_free);
  g_queue_push_tail (&self->waiting, task);
  run_next (self);
}

/* Ends the current operation; the next one starts before its caller
 * hears back, so a caller that queues more keeps its place. */
static GTask *
finish_current (FsFreezer *self)
{
  GTask *task = g_steal_pointer (&self->current);

  run_next (self);
  return task;
}

static void
return_count (FsFreezer *self,
              guint      count)
{
  g_autoptr(GTask) task = finish_current (self);

  g_task_return_int (task, count);
}

static void
return_error (FsFreezer *self,
              GError    *error)
{
  g_autoptr(GTask) task = finish_current (self);

  g_task_return_error (task, error);
}

static Operation *
current_operation (FsFreezer *self)
{
  return g_task_get_task_data (self->current);
}

/* Answers the current operation: its error, or how many it did. */
static void
return_result (FsFreezer *self)
{
  Operation *operation = current_operation (self);

  if (operation->error != NULL)
    return_error (self, g_steal_pointer (&operation->error));
  else
    return_count (self, operation->n_done);
}

/* ---- thawing ---- */

static void
on_thaw_hooks_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  FsFreezer *self = user_data;
  g_autoptr(GError) error = NULL;

  /* The filesystems are thawed whatever a thaw hook says; the host must
   * not be told otherwise. The hook's failure is in the log. */
  fs_freeze_hooks_run_finish (result, NULL, &error);
  return_result (self);
}

/* The operation's hooks hear "thaw", if it has any; then it answers. */
static void
finish_with_thaw_hooks (FsFreezer *self)
{
  Operation *operation = current_operation (self);

  if (operation->hooks == NULL || operation->hooks->len == 0)
    {
      return_result (self);
      return;
    }
  fs_freeze_hooks_run_async (operation->hooks, FS_FREEZE_HOOK_THAW, self->hook_timeout_seconds,
                             on_thaw_hooks_done, self);
}

/* After the filesystems: the marker goes, the gate opens (the held log
 * is written), then the hooks hear "thaw". @summary (may be NULL) is
 * logged once thawed, so it is not held. */
static void
after_thaw (FsFreezer  *self,
            GPtrArray  *notes,
            const char *summary)
{
  remove_marker (self);
  set_gate (self, FALSE);
  log_notes (notes);
  if (summary != NULL)
    g_message ("%s", summary);
  finish_with_thaw_hooks (self);
}

typedef struct {
  GArray *frozen;       /* FsFrozen; emptied by the thaw */
  GPtrArray *targets;   /* or these, for the recovery */
  GPtrArray *notes;
  guint n_thawed;
} ThawWork;

static void
thaw_work_free (ThawWork *work)
{
  g_clear_pointer (&work->frozen, g_array_unref);
  g_clear_pointer (&work->targets, g_ptr_array_unref);
  g_ptr_array_unref (work->notes);
  g_free (work);
}

static void
thaw_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ThawWork *work = task_data;

  if (work->frozen != NULL)
    work->n_thawed = fs_freeze_ioctl_thaw (work->frozen, work->notes);
  else
    work->n_thawed = fs_freeze_ioctl_thaw_targets (work->targets, work->notes);
  g_task_return_boolean (task, TRUE);
}

static void
on_thawed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  FsFreezer *self = user_data;
  ThawWork *work = g_task_get_task_data (G_TASK (result));
  Operation *operation = current_operation (self);
  g_autofree char *summary = NULL;

  operation->n_done = work->n_thawed;
  if (operation->kind == OPERATION_RECOVER)
    summary = g_strdup_printf ("Found the frozen marker of an earlier run: thawed %u filesystem%s",
                               work->n_thawed, work->n_thawed == 1 ? "" : "s");
  else
    summary = g_strdup_printf ("Thawed %u filesystem%s", work->n_thawed,
                               work->n_thawed == 1 ? "" : "s");
  after_thaw (self, work->notes, summary);
}

/* Thaws in a worker: the fds we froze through, or for the recovery every
 * local filesystem. */
static void
thaw_filesystems (FsFreezer *self,
                  GPtrArray *recovery_targets)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_thawed, self);
  ThawWork *work = g_new0 (ThawWork, 1);

  work->notes = g_ptr_array_new_with_free_func (g_free);
  if (recovery_targets != NULL)
    work->targets = g_ptr_array_ref (recovery_targets);
  else
    {
      work->frozen = self->frozen;
      self->frozen = g_array_new (FALSE, FALSE, sizeof (FsFrozen));
    }
  g_task_set_task_data (task, work, (GDestroyNotify) thaw_work_free);
  g_task_run_in_thread (task, thaw_in_thread);
}

static void
start_thaw (FsFreezer *self)
{
  Operation *operation = current_operation (self);

  operation->hooks = g_steal_pointer (&self->hooks_frozen);
  if (!command_registry_get_frozen (self->registry))
    {
      /* Nothing frozen: 0, as qemu-ga. Hooks that heard "freeze" from a
       * freeze that froze nothing hear "thaw" now. */
      finish_with_thaw_hooks (self);
      return;
    }

  if (self->timeout_id != 0)
    g_source_remove (self->timeout_id);
  self->timeout_id = 0;
  thaw_filesystems (self, NULL);
}

static gboolean
on_freeze_timeout (gpointer user_data)
{
  FsFreezer *self = user_data;

  self->timeout_id = 0;
  g_message ("Thawing after %u s without a thaw from the host (fsfreeze-timeout)",
             self->freeze_timeout_seconds);
  fs_freezer_thaw_async (self, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* ---- freezing ---- */

typedef struct {
  GPtrArray *targets;
  gboolean chosen;          /* by the host, rather than "all" */
  GPtrArray *notes;
  GArray *frozen;
} FreezeWork;

static void
freeze_work_free (FreezeWork *work)
{
  g_ptr_array_unref (work->targets);
  g_ptr_array_unref (work->notes);
  /* Handed over to the freezer on success, thawed already on failure. */
  g_warn_if_fail (work->frozen == NULL);
  g_free (work);
}

static void
freeze_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  FreezeWork *work = task_data;
  GError *error = NULL;

  work->frozen = fs_freeze_ioctl_freeze (work->targets, work->chosen, work->notes, &error);
  if (work->frozen == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
undo_freeze_hooks (FsFreezer *self,
                   GError    *error)
{
  Operation *operation = current_operation (self);

  remove_marker (self);
  operation->error = error;
  finish_with_thaw_hooks (self);
}

static void
on_frozen (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  FsFreezer *self = user_data;
  FreezeWork *work = g_task_get_task_data (G_TASK (result));
  Operation *operation = current_operation (self);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* What this call froze is thawed already; open up and tell. */
      g_autofree char *summary = g_strdup_printf ("Freeze failed, everything is thawed "
                                                  "again: %s", error->message);

      operation->error = error;
      after_thaw (self, work->notes, summary);
      return;
    }

  g_array_append_vals (self->frozen, work->frozen->data, work->frozen->len);
  g_clear_pointer (&work->frozen, g_array_unref);
  /* A freeze that froze nothing may have left its hooks waiting for a
   * thaw that never came; they have heard "freeze" again now. */
  g_clear_pointer (&self->hooks_frozen, g_ptr_array_unref);
  self->hooks_frozen = g_steal_pointer (&operation->hooks);
  log_notes (work->notes);

  /* A SIGTERM came while we froze: the agent is about to thaw and exit,
   * and the host must not be told it may snapshot. */
  if (self->stopping)
    {
      operation->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                              "The agent is stopping");
      operation->hooks = g_steal_pointer (&self->hooks_frozen);
      thaw_filesystems (self, NULL);
      return;
    }

  /* Nothing frozen (all skipped): as qemu-ga, not frozen either, so the
   * guest goes on; the hooks that heard "freeze" hear "thaw" at the
   * host's thaw. */
  if (self->frozen->len == 0)
    {
      remove_marker (self);
      set_gate (self, FALSE);
      g_message ("Froze no filesystem");
      return_count (self, 0);
      return;
    }

  g_message ("Froze %u filesystem%s", self->frozen->len, self->frozen->len == 1 ? "" : "s");

  /* Not g_timeout_add_seconds(), which may fire up to a second early. */
  if (self->freeze_timeout_seconds > 0)
    self->timeout_id = g_timeout_add (self->freeze_timeout_seconds * 1000,
                                      on_freeze_timeout, self);
  return_count (self, self->frozen->len);
}

static void
on_freeze_hooks_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  FsFreezer *self = user_data;
  Operation *operation = current_operation (self);
  g_autoptr(GTask) work_task = NULL;
  FreezeWork *work;
  GError *error = NULL;
  guint n_started = 0;

  if (!fs_freeze_hooks_run_finish (result, &n_started, &error))
    {
      /* Only the hooks that heard "freeze" hear "thaw". */
      g_ptr_array_set_size (operation->hooks, n_started);
      undo_freeze_hooks (self, error);
      return;
    }

  if (self->stopping)
    {
      undo_freeze_hooks (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                    "The agent is stopping"));
      return;
    }

  set_gate (self, TRUE);

  work = g_new0 (FreezeWork, 1);
  work->targets = g_steal_pointer (&operation->targets);
  work->chosen = operation->mountpoints != NULL;
  work->notes = g_ptr_array_new_with_free_func (g_free);
  work_task = g_task_new (NULL, NULL, on_frozen, self);
  g_task_set_task_data (work_task, work, (GDestroyNotify) freeze_work_free);
  g_task_run_in_thread (work_task, freeze_in_thread);
}

static void
start_freeze (FsFreezer *self)
{
  Operation *operation = current_operation (self);
  GError *error = NULL;

  if (self->stopping)
    {
      return_error (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                               "The agent is stopping"));
      return;
    }
  if (command_registry_get_frozen (self->registry))
    {
      return_error (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY,
                                               "The filesystems are frozen already"));
      return;
    }

  operation->targets = resolve_targets ((const char * const *) operation->mountpoints, &error);
  if (operation->targets != NULL)
    operation->hooks = fs_freeze_hooks_list (self->hook_dir, self->hook, &error);
  if (operation->hooks == NULL)
    {
      return_error (self, error);
      return;
    }

  /* Before the hooks: an agent killed while they run leaves applications
   * quiesced, and the next one must run their thaw. */
  if (!write_marker (self, operation->targets, &error))
    {
      return_error (self, error);
      return;
    }

  fs_freeze_hooks_run_async (operation->hooks, FS_FREEZE_HOOK_FREEZE,
                             self->hook_timeout_seconds, on_freeze_hooks_done, self);
}

/* ---- recovery at start ---- */

static void
start_recover (FsFreezer *self)
{
  Operation *operation = current_operation (self);
  g_autoptr(GPtrArray) mounts = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (self->marker_path, G_FILE_TEST_EXISTS))
    {
      return_count (self, 0);
      return;
    }

  /* Which filesystems the dead agent had frozen is not to be trusted (it
   * may have died between two of them): thaw them all. */
  set_gate (self, TRUE);
  mounts = fs_mounts_read (FS_MOUNTINFO_PATH, &error);
  operation->targets = mounts != NULL ? all_local_targets (mounts) : new_target_list ();
  if (mounts == NULL)
    g_message ("Cannot read the mount table to thaw: %s", error->message);
  g_clear_error (&error);

  /* Whatever hooks can run, run: a missing -F hook must not cost the
   * directory's their thaw. */
  operation->hooks = fs_freeze_hooks_list (self->hook_dir, self->hook, &error);
  if (operation->hooks == NULL)
    {
      g_message ("Thawing without some hooks: %s", error->message);
      g_clear_error (&error);
      operation->hooks = fs_freeze_hooks_list (self->hook_dir, NULL, &error);
      if (operation->hooks == NULL)
        g_message ("Thawing without hooks: %s", error->message);
    }

  thaw_filesystems (self, operation->targets);
}

static void
start_operation (FsFreezer *self,
                 GTask     *task)
{
  Operation *operation = g_task_get_task_data (task);

  switch (operation->kind)
    {
    case OPERATION_FREEZE:
      start_freeze (self);
      break;
    case OPERATION_THAW:
    case OPERATION_STOP:
      start_thaw (self);
      break;
    case OPERATION_RECOVER:
      start_recover (self);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- the public face ---- */

void
fs_freezer_freeze_async (FsFreezer           *self,
                         const char * const  *mountpoints,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (self != NULL);

  enqueue (self, OPERATION_FREEZE, mountpoints, fs_freezer_freeze_async, callback, user_data);
}

gint
fs_freezer_freeze_finish (FsFreezer     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fs_freezer_freeze_async, -1);

  return (gint) g_task_propagate_int (G_TASK (result), error);
}

void
fs_freezer_thaw_async (FsFreezer           *self,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (self != NULL);

  enqueue (self, OPERATION_THAW, NULL, fs_freezer_thaw_async, callback, user_data);
}

gint
fs_freezer_thaw_finish (FsFreezer     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fs_freezer_thaw_async, -1);

  return (gint) g_task_propagate_int (G_TASK (result), error);
}

void
fs_freezer_recover_async (FsFreezer           *self,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (self != NULL);

  enqueue (self, OPERATION_RECOVER, NULL, fs_freezer_recover_async, callback, user_data);
}

void
fs_freezer_stop_async (FsFreezer           *self,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (self != NULL);

  self->stopping = TRUE;
  enqueue (self, OPERATION_STOP, NULL, fs_freezer_stop_async, callback, user_data);
}

void
fs_freezer_stop_finish (FsFreezer    *self,
                        GAsyncResult *result)
{
  g_return_if_fail (g_task_get_source_tag (G_TASK (result)) == fs_freezer_stop_async);

  g_task_propagate_int (G_TASK (result), NULL);
}
