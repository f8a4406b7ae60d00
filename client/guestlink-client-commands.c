/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "guestlink-agent-info-private.h"
#include "typed-call.h"

/* Typed wrappers for the protocol's own commands, on typed-call.c like
 * every other wrapper. */

static gpointer
convert_agent_info (JsonNode    *result,
                    const char  *command,
                    GError     **error)
{
  return agent_info_new_from_json (result, error);
}

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

  result = typed_call (self, "guest-ping", typed_call_expect_object, cancellable, error);

  return result != NULL;
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
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  typed_call_async (self, "guest-ping", typed_call_expect_object,
                    (GDestroyNotify) json_node_unref, guestlink_client_ping_async,
                    cancellable, callback, user_data);
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
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  node = typed_call_finish (self, result, guestlink_client_ping_async, error);
  return node != NULL;
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
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-info", convert_agent_info, cancellable, error);
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
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  typed_call_async (self, "guest-info", convert_agent_info, g_object_unref,
                    guestlink_client_get_info_async, cancellable, callback, user_data);
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
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call_finish (self, result, guestlink_client_get_info_async, error);
}
