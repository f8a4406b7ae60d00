/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "typed-call.h"

/* Typed wrappers for the system information commands. Objects whose
 * members are qemu-ga's schema (osinfo, users) are returned as JsonNode:
 * a GObject for each would only repeat the schema. */

static gpointer
convert_host_name (JsonNode    *result,
                   const char  *command,
                   GError     **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
  JsonNode *name = object != NULL ? json_object_get_member (object, "host-name") : NULL;

  if (name == NULL || json_node_get_value_type (name) != G_TYPE_STRING)
    return typed_call_unexpected_reply (command, NULL, error);
  return g_strdup (json_node_get_string (name));
}

static gpointer
convert_time (JsonNode    *result,
              const char  *command,
              GError     **error)
{
  gint64 nanoseconds;

  if (!JSON_NODE_HOLDS_VALUE (result) || json_node_get_value_type (result) != G_TYPE_INT64)
    return typed_call_unexpected_reply (command, NULL, error);
  nanoseconds = json_node_get_int (result);
  return g_memdup2 (&nanoseconds, sizeof nanoseconds);
}

/**
 * guestlink_client_get_host_name:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-host-name: the guest kernel's host name.
 *
 * Returns: (transfer full): the host name, or %NULL with @error set
 *
 * Since: 0.1
 */
char *
guestlink_client_get_host_name (GuestlinkClient  *self,
                                GCancellable     *cancellable,
                                GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-get-host-name", convert_host_name, cancellable, error);
}

/**
 * guestlink_client_get_host_name_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_host_name().
 *
 * Since: 0.1
 */
void
guestlink_client_get_host_name_async (GuestlinkClient     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-get-host-name", convert_host_name, g_free,
                    guestlink_client_get_host_name_async, cancellable, callback, user_data);
}

/**
 * guestlink_client_get_host_name_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_host_name_async().
 *
 * Returns: (transfer full): the host name, or %NULL with @error set
 *
 * Since: 0.1
 */
char *
guestlink_client_get_host_name_finish (GuestlinkClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_host_name_async, error);
}

/**
 * guestlink_client_get_osinfo:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-osinfo: an object with qemu-ga's members, each present
 * when the guest knows it: kernel-release, kernel-version, machine, id,
 * name, pretty-name, version, version-id, variant, variant-id.
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_osinfo (GuestlinkClient  *self,
                             GCancellable     *cancellable,
                             GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-get-osinfo", typed_call_expect_object, cancellable, error);
}

/**
 * guestlink_client_get_osinfo_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_osinfo().
 *
 * Since: 0.1
 */
void
guestlink_client_get_osinfo_async (GuestlinkClient     *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-get-osinfo", typed_call_expect_object,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_osinfo_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_osinfo_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_osinfo_async().
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_osinfo_finish (GuestlinkClient  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_osinfo_async, error);
}

/**
 * guestlink_client_get_users:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-users: an array of objects with "user", "login-time"
 * (seconds since the epoch, of the user's earliest login) and, on some
 * guests, "domain".
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_users (GuestlinkClient  *self,
                            GCancellable     *cancellable,
                            GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-get-users", typed_call_expect_array, cancellable, error);
}

/**
 * guestlink_client_get_users_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_users().
 *
 * Since: 0.1
 */
void
guestlink_client_get_users_async (GuestlinkClient     *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-get-users", typed_call_expect_array,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_users_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_users_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_users_async().
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_users_finish (GuestlinkClient  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_users_async, error);
}

/**
 * guestlink_client_get_time:
 * @self: a #GuestlinkClient
 * @out_nanoseconds: (out): the guest's time, in nanoseconds since the epoch
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-time.
 *
 * Returns: %TRUE with @out_nanoseconds set, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
guestlink_client_get_time (GuestlinkClient  *self,
                           gint64           *out_nanoseconds,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_autofree gint64 *nanoseconds = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (out_nanoseconds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  nanoseconds = typed_call (self, "guest-get-time", convert_time, cancellable, error);
  if (nanoseconds == NULL)
    return FALSE;

  *out_nanoseconds = *nanoseconds;
  return TRUE;
}

/**
 * guestlink_client_get_timezone:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-timezone: "zone" (an abbreviation, when
 * known) and "offset" (seconds east of UTC).
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_timezone (GuestlinkClient  *self,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-get-timezone", typed_call_expect_object, cancellable, error);
}

/**
 * guestlink_client_get_timezone_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_timezone().
 *
 * Since: 0.1
 */
void
guestlink_client_get_timezone_async (GuestlinkClient     *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-get-timezone", typed_call_expect_object,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_timezone_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_timezone_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_timezone_async().
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_timezone_finish (GuestlinkClient  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_timezone_async, error);
}

/**
 * guestlink_client_get_load:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-load: "load1", "load5" and "load15",
 * the load averages.
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_load (GuestlinkClient  *self,
                          GCancellable     *cancellable,
                          GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-get-load", typed_call_expect_object, cancellable, error);
}

/**
 * guestlink_client_get_load_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_load().
 *
 * Since: 0.1
 */
void
guestlink_client_get_load_async (GuestlinkClient     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-get-load", typed_call_expect_object,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_load_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_load_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_load_async().
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_load_finish (GuestlinkClient  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_load_async, error);
}

/**
 * guestlink_client_get_vcpus:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-vcpus: one object per logical CPU with
 * "logical-id", "online" and "can-offline".
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_vcpus (GuestlinkClient  *self,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-get-vcpus", typed_call_expect_array, cancellable, error);
}

/**
 * guestlink_client_get_vcpus_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_vcpus().
 *
 * Since: 0.1
 */
void
guestlink_client_get_vcpus_async (GuestlinkClient     *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-get-vcpus", typed_call_expect_array,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_vcpus_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_vcpus_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_vcpus_async().
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_vcpus_finish (GuestlinkClient  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_vcpus_async, error);
}

/**
 * guestlink_client_get_cpustats:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-cpustats: per CPU, "type" ("linux"),
 * "cpu" and its times in milliseconds ("user", "nice", "system", "idle",
 * and on newer kernels "iowait", "irq", "softirq", "steal", "guest",
 * "guestnice").
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_cpustats (GuestlinkClient  *self,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-get-cpustats", typed_call_expect_array, cancellable, error);
}

/**
 * guestlink_client_get_cpustats_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_cpustats().
 *
 * Since: 0.1
 */
void
guestlink_client_get_cpustats_async (GuestlinkClient     *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-get-cpustats", typed_call_expect_array,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_cpustats_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_cpustats_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_cpustats_async().
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_cpustats_finish (GuestlinkClient  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_cpustats_async, error);
}

/**
 * guestlink_client_get_diskstats:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-diskstats: per block device, "name",
 * "major", "minor" and "stats" with the kernel's I/O counters.
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_diskstats (GuestlinkClient  *self,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-get-diskstats", typed_call_expect_array, cancellable, error);
}

/**
 * guestlink_client_get_diskstats_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_diskstats().
 *
 * Since: 0.1
 */
void
guestlink_client_get_diskstats_async (GuestlinkClient     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  typed_call_async (self, "guest-get-diskstats", typed_call_expect_array,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_diskstats_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_diskstats_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_diskstats_async().
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_diskstats_finish (GuestlinkClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return typed_call_finish (self, result, guestlink_client_get_diskstats_async, error);
}
