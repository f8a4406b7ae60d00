/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "guestlink-client-private.h"

/* The asynchronous variants run the blocking calls in GTask's worker
 * threads: calls are serialised per client anyway, and the blocking path
 * already honours timeouts and cancellation through poll(). */

static void
connect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autoptr(GError) local_error = NULL;

  if (!guestlink_client_connect (GUESTLINK_CLIENT (source_object), cancellable,
                                 &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * guestlink_client_connect_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the connection is ready
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_connect(). @callback runs in
 * the thread-default main context of the calling thread.
 *
 * Since: 0.1
 */
void
guestlink_client_connect_async (GuestlinkClient     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, guestlink_client_connect_async);
  g_task_run_in_thread (task, connect_thread);
}

/**
 * guestlink_client_connect_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_connect_async().
 *
 * Returns: %TRUE on success, %FALSE with @error set otherwise
 *
 * Since: 0.1
 */
gboolean
guestlink_client_connect_finish (GuestlinkClient  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, guestlink_client_connect_async), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  Request *request;  /* (owned) */
  int timeout_msec;
} CallData;

static void
call_data_free (CallData *data)
{
  request_free (data->request);
  g_free (data);
}

static void
call_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CallData *data = task_data;
  g_autoptr(GError) local_error = NULL;
  JsonNode *result;

  result = client_call_request (GUESTLINK_CLIENT (source_object), data->request,
                                data->timeout_msec, cancellable, &local_error);
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, result, (GDestroyNotify) json_node_unref);
}

/**
 * guestlink_client_call_async:
 * @self: a #GuestlinkClient
 * @command: the command to run, for example `guest-get-host-name`
 * @arguments: (nullable): the command's arguments, or %NULL for none
 * @timeout_msec: how long to wait, in milliseconds: a negative value means
 *   #GuestlinkClient:default-timeout-msec, 0 means no timeout
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the reply is there
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_call(). @arguments is encoded
 * before this function returns, so the caller may change it afterwards.
 * @callback runs in the thread-default main context of the calling thread.
 *
 * Since: 0.1
 */
void
guestlink_client_call_async (GuestlinkClient     *self,
                             const char          *command,
                             JsonObject          *arguments,
                             int                  timeout_msec,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CallData *data;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (command != NULL && *command != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, guestlink_client_call_async);

  data = g_new0 (CallData, 1);
  data->request = request_new (command, arguments);
  data->timeout_msec = timeout_msec;
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  g_task_run_in_thread (task, call_thread);
}

/**
 * guestlink_client_call_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_call_async().
 *
 * Returns: (transfer full): the `return` member of the reply
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_call_finish (GuestlinkClient  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, guestlink_client_call_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
