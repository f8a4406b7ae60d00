/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "guestlink-agent-info-private.h"
#include "guestlink-client-private.h"

/* Typed wrappers for the protocol's own commands. They are built on the
 * public call API only; the asynchronous ones chain on
 * guestlink_client_call_async() instead of taking a thread of their own. */

/**
 * guestlink_client_ping:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-ping, waiting at most #GuestlinkClient:default-timeout-msec.
 * Errors are those of guestlink_client_call().
 *
 * Returns: %TRUE if the agent answered, %FALSE with @error set otherwise
 *
 * Since: 0.1
 */
gboolean
guestlink_client_ping (GuestlinkClient  *self,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_autoptr(JsonNode) result = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result = guestlink_client_call (self, "guest-ping", NULL, -1, cancellable, error);

  return result != NULL;
}

static void
ping_called (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;

  node = guestlink_client_call_finish (GUESTLINK_CLIENT (source_object), result,
                                       &local_error);
  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * guestlink_client_ping_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_ping().
 *
 * Since: 0.1
 */
void
guestlink_client_ping_async (GuestlinkClient     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, guestlink_client_ping_async);

  guestlink_client_call_async (self, "guest-ping", NULL, -1, cancellable,
                               ping_called, g_steal_pointer (&task));
}

/**
 * guestlink_client_ping_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_ping_async().
 *
 * Returns: %TRUE if the agent answered, %FALSE with @error set otherwise
 *
 * Since: 0.1
 */
gboolean
guestlink_client_ping_finish (GuestlinkClient  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, guestlink_client_ping_async), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * guestlink_client_get_info:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-info, waiting at most #GuestlinkClient:default-timeout-msec.
 * Errors are those of guestlink_client_call(); a reply that does not have
 * the documented shape is %GUESTLINK_ERROR_PROTOCOL.
 *
 * Returns: (transfer full): the agent's version and commands
 *
 * Since: 0.1
 */
GuestlinkAgentInfo *
guestlink_client_get_info (GuestlinkClient  *self,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_autoptr(JsonNode) result = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = guestlink_client_call (self, "guest-info", NULL, -1, cancellable, error);
  if (result == NULL)
    return NULL;

  return agent_info_new_from_json (result, error);
}

static void
get_info_called (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  GuestlinkAgentInfo *info;

  node = guestlink_client_call_finish (GUESTLINK_CLIENT (source_object), result,
                                       &local_error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  info = agent_info_new_from_json (node, &local_error);
  if (info == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, info, g_object_unref);
}

/**
 * guestlink_client_get_info_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_info().
 *
 * Since: 0.1
 */
void
guestlink_client_get_info_async (GuestlinkClient     *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, guestlink_client_get_info_async);

  guestlink_client_call_async (self, "guest-info", NULL, -1, cancellable,
                               get_info_called, g_steal_pointer (&task));
}

/**
 * guestlink_client_get_info_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_info_async().
 *
 * Returns: (transfer full): the agent's version and commands
 *
 * Since: 0.1
 */
GuestlinkAgentInfo *
guestlink_client_get_info_finish (GuestlinkClient  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, guestlink_client_get_info_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
