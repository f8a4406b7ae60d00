/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "typed-call.h"

/* Typed wrapper for the identity report: a JsonNode, documented in the
 * README ("__org.guestlink_get-identity"). */

/**
 * guestlink_client_get_identity:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs __org.guestlink_get-identity: who the guest is: host names,
 * machine-id and its state, boot id, OS, and SSH host keys with their
 * SHA256 fingerprints (see the README for every member).
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_identity (GuestlinkClient  *self,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "__org.guestlink_get-identity", typed_call_expect_object, cancellable, error);
}

/**
 * guestlink_client_get_identity_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_identity().
 *
 * Since: 0.1
 */
void
guestlink_client_get_identity_async (GuestlinkClient     *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "__org.guestlink_get-identity", typed_call_expect_object,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_identity_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_identity_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_identity_async().
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_identity_finish (GuestlinkClient  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_identity_async, error);
}
