/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "typed-call.h"

/* Typed wrappers for the network commands. Interfaces come back as the
 * agent's JsonNode: qemu-ga's schema, with optional members, is the
 * documentation a struct would only repeat. */

/**
 * guestlink_client_get_interfaces:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-network-get-interfaces: an array of interfaces, each with "name",
 * "hardware-address", "ip-addresses" ("ip-address", "ip-address-type",
 * "prefix") and "statistics" as qemu-ga reports them.
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_interfaces (GuestlinkClient  *self,
                                GCancellable     *cancellable,
                                GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-network-get-interfaces", typed_call_expect_array, cancellable, error);
}

/**
 * guestlink_client_get_interfaces_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_interfaces().
 *
 * Since: 0.1
 */
void
guestlink_client_get_interfaces_async (GuestlinkClient     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-network-get-interfaces", typed_call_expect_array,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_interfaces_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_interfaces_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_interfaces_async().
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_interfaces_finish (GuestlinkClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_interfaces_async, error);
}

/**
 * guestlink_client_get_routes:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-network-get-route: the guest's IPv4 and IPv6 routes,
 * each with "iface", "destination", "metric", "version" and the optional
 * members of qemu-ga's GuestNetworkRoute.
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_routes (GuestlinkClient  *self,
                            GCancellable     *cancellable,
                            GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-network-get-route", typed_call_expect_array, cancellable, error);
}

/**
 * guestlink_client_get_routes_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_routes().
 *
 * Since: 0.1
 */
void
guestlink_client_get_routes_async (GuestlinkClient     *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-network-get-route", typed_call_expect_array,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_routes_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_routes_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_routes_async().
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_routes_finish (GuestlinkClient  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_routes_async, error);
}
