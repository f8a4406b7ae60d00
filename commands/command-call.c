/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "command.h"
#include "message.h"
#include "registry.h"

struct _CommandCall {
  gatomicrefcount ref_count;
  const CommandSpec *spec;
  JsonObject *arguments;        /* NULL until asked for, when there were none */
  CommandRegistry *registry;
  GCancellable *cancellable;
  CommandCallDoneFunc done_func;
  gpointer done_data;
  GDestroyNotify done_data_free;
  gboolean completed;
};

CommandCall *
command_call_new (const CommandSpec   *spec,
                  JsonObject          *arguments,
                  CommandRegistry     *registry,
                  GCancellable        *cancellable,
                  CommandCallDoneFunc  done_func,
                  gpointer             done_data,
                  GDestroyNotify       done_data_free)
{
  CommandCall *call;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (done_func != NULL, NULL);

  call = g_new0 (CommandCall, 1);
  g_atomic_ref_count_init (&call->ref_count);
  call->spec = spec;
  /* Most requests have no arguments; an empty object costs a hash table. */
  call->arguments = arguments != NULL ? json_object_ref (arguments) : NULL;
  call->registry = registry;
  call->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  call->done_func = done_func;
  call->done_data = done_data;
  call->done_data_free = done_data_free;
  return call;
}

CommandCall *
command_call_ref (CommandCall *call)
{
  g_return_val_if_fail (call != NULL, NULL);

  g_atomic_ref_count_inc (&call->ref_count);
  return call;
}

void
command_call_unref (CommandCall *call)
{
  g_return_if_fail (call != NULL);

  if (!g_atomic_ref_count_dec (&call->ref_count))
    return;

  /* A handler that forgot to answer would stall every later reply behind
   * this one; answer for it, loudly. */
  if (!call->completed)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                             "Command %s ended without a result",
                                             call->spec->name);
      g_critical ("%s", error->message);
      call->completed = TRUE;
      call->done_func (call, NULL, error, call->done_data);
    }

  if (call->done_data_free != NULL)
    call->done_data_free (call->done_data);
  g_clear_pointer (&call->arguments, json_object_unref);
  g_object_unref (call->cancellable);
  g_free (call);
}

const CommandSpec *
command_call_get_spec (CommandCall *call)
{
  g_return_val_if_fail (call != NULL, NULL);
  return call->spec;
}

JsonObject *
command_call_get_arguments (CommandCall *call)
{
  g_return_val_if_fail (call != NULL, NULL);

  if (call->arguments == NULL)
    call->arguments = json_object_new ();
  return call->arguments;
}

gboolean
command_call_has_argument (CommandCall *call,
                           const char  *name)
{
  g_return_val_if_fail (call != NULL, FALSE);
  return call->arguments != NULL && json_object_has_member (call->arguments, name);
}

const char *
command_call_get_string (CommandCall *call,
                         const char  *name)
{
  g_return_val_if_fail (call != NULL, NULL);

  if (!command_call_has_argument (call, name))
    return NULL;
  return json_object_get_string_member (call->arguments, name);
}

gint64
command_call_get_integer (CommandCall *call,
                          const char  *name)
{
  g_return_val_if_fail (call != NULL, 0);
  g_return_val_if_fail (command_call_has_argument (call, name), 0);

  return json_object_get_int_member (call->arguments, name);
}

gboolean
command_call_get_boolean (CommandCall *call,
                          const char  *name,
                          gboolean     default_value)
{
  g_return_val_if_fail (call != NULL, default_value);

  if (!command_call_has_argument (call, name))
    return default_value;
  return json_object_get_boolean_member (call->arguments, name);
}

CommandRegistry *
command_call_get_registry (CommandCall *call)
{
  g_return_val_if_fail (call != NULL, NULL);
  return call->registry;
}

gpointer
command_call_get_family_data (CommandCall *call)
{
  g_return_val_if_fail (call != NULL, NULL);
  return command_registry_get_family_data (call->registry, call->spec);
}

GCancellable *
command_call_get_cancellable (CommandCall *call)
{
  g_return_val_if_fail (call != NULL, NULL);
  return call->cancellable;
}

void
command_call_return (CommandCall *call,
                     JsonNode    *value)
{
  g_autoptr(JsonNode) owned_value = value;

  g_return_if_fail (call != NULL);
  g_return_if_fail (!call->completed);

  call->completed = TRUE;
  call->done_func (call, owned_value, NULL, call->done_data);
}

void
command_call_return_error (CommandCall *call,
                           GError      *error)
{
  g_autoptr(GError) owned_error = error;

  g_return_if_fail (call != NULL);
  g_return_if_fail (error != NULL);
  g_return_if_fail (!call->completed);

  call->completed = TRUE;
  call->done_func (call, NULL, owned_error, call->done_data);
}

void
command_call_return_result (CommandCall *call,
                            JsonNode    *value,
                            GError      *error)
{
  if (error != NULL)
    {
      g_clear_pointer (&value, json_node_unref);
      command_call_return_error (call, error);
    }
  else
    command_call_return (call, value);
}

typedef struct {
  CommandThreadFunc func;
  gpointer data;
  GDestroyNotify data_free;
  GCancellable *cancellable;
} ThreadWork;

static void
thread_work_free (gpointer data)
{
  ThreadWork *work = data;

  if (work->data_free != NULL)
    work->data_free (work->data);
  g_object_unref (work->cancellable);
  g_free (work);
}

static void
run_thread_work (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ThreadWork *work = task_data;
  GError *error = NULL;
  JsonNode *value = work->func (work->data, work->cancellable, &error);

  if (error != NULL)
    {
      g_clear_pointer (&value, json_node_unref);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, value, (GDestroyNotify) json_node_unref);
}

static void
thread_work_done (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CommandCall) call = user_data;
  GError *error = NULL;
  JsonNode *value = g_task_propagate_pointer (G_TASK (result), &error);

  command_call_return_result (call, value, error);
}

void
command_call_run_in_thread (CommandCall       *call,
                            CommandThreadFunc  func,
                            gpointer           data,
                            GDestroyNotify     data_free)
{
  g_autoptr(GTask) task = NULL;
  ThreadWork *work;

  g_return_if_fail (call != NULL);
  g_return_if_fail (func != NULL);

  work = g_new0 (ThreadWork, 1);
  work->func = func;
  work->data = data;
  work->data_free = data_free;
  work->cancellable = g_object_ref (call->cancellable);
  /* The call's cancellable is @func's, not the task's: @func decides
   * where it may stop, and the call is always completed. */
  task = g_task_new (NULL, NULL, thread_work_done, command_call_ref (call));
  g_task_set_task_data (task, work, thread_work_free);
  g_task_run_in_thread (task, run_thread_work);
}

gpointer
command_set_generic_error (GError     **error,
                           const char  *format,
                           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                                                format, args));
  va_end (args);
  return NULL;
}
