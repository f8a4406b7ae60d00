/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "reply-shape.h"
#include "request-arguments.h"
#include "typed-call.h"

/* Typed wrappers for the filesystem commands. The status and the counts
 * become C values; fsinfo and fstrim come back as the agent's JsonNode,
 * like the other qemu-ga structures, but checked member by member first:
 * an application reading a documented member must find it there, with its
 * documented type, whatever the guest sent. */

static const ReplyShapeMember pci_address_members[] = {
  { "domain", &reply_shape_int, FALSE },
  { "bus", &reply_shape_int, FALSE },
  { "slot", &reply_shape_int, FALSE },
  { "function", &reply_shape_int, FALSE },
  { NULL, },
};
static const ReplyShape pci_address_shape = { REPLY_SHAPE_OBJECT, pci_address_members, NULL };

static const ReplyShapeMember ccw_address_members[] = {
  { "cssid", &reply_shape_int, FALSE },
  { "ssid", &reply_shape_int, FALSE },
  { "subchno", &reply_shape_int, FALSE },
  { "devno", &reply_shape_int, FALSE },
  { NULL, },
};
static const ReplyShape ccw_address_shape = { REPLY_SHAPE_OBJECT, ccw_address_members, NULL };

/* qemu-ga's GuestDiskAddress. bus-type is an enum in the schema, and
 * grows with qemu versions: any string is taken. */
static const ReplyShapeMember disk_address_members[] = {
  { "pci-controller", &pci_address_shape, FALSE },
  { "bus-type", &reply_shape_string, FALSE },
  { "bus", &reply_shape_int, FALSE },
  { "target", &reply_shape_int, FALSE },
  { "unit", &reply_shape_int, FALSE },
  { "serial", &reply_shape_string, TRUE },
  { "dev", &reply_shape_string, TRUE },
  { "ccw-address", &ccw_address_shape, TRUE },
  { NULL, },
};
static const ReplyShape disk_address_shape = { REPLY_SHAPE_OBJECT, disk_address_members, NULL };
static const ReplyShape disk_addresses_shape = { REPLY_SHAPE_ARRAY, NULL, &disk_address_shape };

/* qemu-ga's GuestFilesystemInfo. */
static const ReplyShapeMember filesystem_members[] = {
  { "name", &reply_shape_string, FALSE },
  { "mountpoint", &reply_shape_string, FALSE },
  { "type", &reply_shape_string, FALSE },
  { "used-bytes", &reply_shape_size, TRUE },
  { "total-bytes", &reply_shape_size, TRUE },
  { "disk", &disk_addresses_shape, FALSE },
  { NULL, },
};
static const ReplyShape filesystem_shape = { REPLY_SHAPE_OBJECT, filesystem_members, NULL };
static const ReplyShape fsinfo_shape = { REPLY_SHAPE_ARRAY, NULL, &filesystem_shape };

/* qemu-ga's GuestFilesystemTrimResponse: per path, "trimmed" and
 * "minimum", or "error". */
static const ReplyShapeMember trim_result_members[] = {
  { "path", &reply_shape_string, FALSE },
  { "trimmed", &reply_shape_size, TRUE },
  { "minimum", &reply_shape_size, TRUE },
  { "error", &reply_shape_string, TRUE },
  { NULL, },
};
static const ReplyShape trim_result_shape = { REPLY_SHAPE_OBJECT, trim_result_members, NULL };
static const ReplyShape trim_results_shape = { REPLY_SHAPE_ARRAY, NULL, &trim_result_shape };
static const ReplyShapeMember fstrim_members[] = {
  { "paths", &trim_results_shape, FALSE },
  { NULL, },
};
static const ReplyShape fstrim_shape = { REPLY_SHAPE_OBJECT, fstrim_members, NULL };

static gpointer
convert_status (JsonNode    *result,
                const char  *command,
                GError     **error)
{
  GuestlinkFsfreezeStatus status;
  const char *text;

  if (!JSON_NODE_HOLDS_VALUE (result) || json_node_get_value_type (result) != G_TYPE_STRING)
    return typed_call_unexpected_reply (command, "the reply is not a string", error);

  text = json_node_get_string (result);
  if (g_str_equal (text, "thawed"))
    status = GUESTLINK_FSFREEZE_STATUS_THAWED;
  else if (g_str_equal (text, "frozen"))
    status = GUESTLINK_FSFREEZE_STATUS_FROZEN;
  else
    return typed_call_unexpected_reply (command, "the status is neither \"thawed\" nor \"frozen\"",
                                        error);

  return g_memdup2 (&status, sizeof status);
}

/* A number of filesystems: the wrappers return it as an int, with -1 for
 * an error, so anything outside 0..G_MAXINT is a broken reply. */
static gpointer
convert_count (JsonNode    *result,
               const char  *command,
               GError     **error)
{
  gint64 count;
  int value;

  if (!JSON_NODE_HOLDS_VALUE (result) || json_node_get_value_type (result) != G_TYPE_INT64)
    return typed_call_unexpected_reply (command, "the reply is not an integer", error);

  count = json_node_get_int (result);
  if (count < 0 || count > G_MAXINT)
    return typed_call_unexpected_reply (command, "the count of filesystems is out of range", error);

  value = (int) count;
  return g_memdup2 (&value, sizeof value);
}

static gpointer
convert_fstrim (JsonNode    *result,
                const char  *command,
                GError     **error)
{
  if (!typed_call_check_shape (result, command, &fstrim_shape, error))
    return NULL;
  return json_node_ref (result);
}

static gpointer
convert_fsinfo (JsonNode    *result,
                const char  *command,
                GError     **error)
{
  if (!typed_call_check_shape (result, command, &fsinfo_shape, error))
    return NULL;
  return json_node_ref (result);
}

/* The boxed int of convert_count(), as the wrappers return it. */
static int
take_count (int *count)
{
  int value = count != NULL ? *count : -1;

  g_free (count);
  return value;
}

static gboolean
take_status (GuestlinkFsfreezeStatus *status,
             GuestlinkFsfreezeStatus *out_status)
{
  if (status == NULL)
    return FALSE;

  *out_status = *status;
  g_free (status);
  return TRUE;
}

/**
 * guestlink_client_fsfreeze_get_status:
 * @self: a #GuestlinkClient
 * @out_status: (out): where to store the status
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-fsfreeze-status: whether the agent has filesystems frozen.
 * The agent runs it while frozen, when most other commands are disabled.
 *
 * Returns: %TRUE with @out_status set, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
guestlink_client_fsfreeze_get_status (GuestlinkClient          *self,
                                      GuestlinkFsfreezeStatus  *out_status,
                                      GCancellable             *cancellable,
                                      GError                  **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (out_status != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return take_status (typed_call (self, "guest-fsfreeze-status", convert_status,
                                  cancellable, error),
                      out_status);
}

/**
 * guestlink_client_fsfreeze_get_status_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_fsfreeze_get_status().
 *
 * Since: 0.1
 */
void
guestlink_client_fsfreeze_get_status_async (GuestlinkClient     *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  typed_call_async (self, "guest-fsfreeze-status", convert_status, g_free,
                    guestlink_client_fsfreeze_get_status_async, cancellable, callback, user_data);
}

/**
 * guestlink_client_fsfreeze_get_status_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @out_status: (out): where to store the status
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_fsfreeze_get_status_async().
 *
 * Returns: %TRUE with @out_status set, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
guestlink_client_fsfreeze_get_status_finish (GuestlinkClient          *self,
                                             GAsyncResult             *result,
                                             GuestlinkFsfreezeStatus  *out_status,
                                             GError                  **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (out_status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return take_status (typed_call_finish (self, result,
                                         guestlink_client_fsfreeze_get_status_async, error),
                      out_status);
}

/**
 * guestlink_client_fsfreeze_freeze:
 * @self: a #GuestlinkClient
 * @mountpoints: (array zero-terminated=1) (nullable): the mount points of
 *   the filesystems to freeze, or %NULL for every local filesystem
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Freezes guest filesystems, for a consistent disk snapshot: runs
 * guest-fsfreeze-freeze when @mountpoints is %NULL, and
 * guest-fsfreeze-freeze-list with @mountpoints otherwise. An empty array
 * is sent as it is (qemu-ga then freezes nothing).
 *
 * Until guestlink_client_fsfreeze_thaw(), the agent disables every command
 * but guest-ping, guest-info, guest-sync, guest-sync-delimited,
 * guest-fsfreeze-status and guest-fsfreeze-thaw. When the freeze fails,
 * the agent thaws what it had frozen before it answers.
 *
 * The call waits at most #GuestlinkClient:default-timeout-msec; the guest
 * syncs and runs its freeze hooks first, which can take longer. After
 * %GUESTLINK_ERROR_TIMEOUT or a cancellation the agent may still freeze:
 * check guestlink_client_fsfreeze_get_status() and thaw.
 *
 * Returns: the number of filesystems this call froze, or -1 with @error set
 *
 * Since: 0.1
 */
int
guestlink_client_fsfreeze_freeze (GuestlinkClient     *self,
                                  const char * const  *mountpoints,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), -1);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  arguments = request_arguments_freeze (mountpoints);
  return take_count (typed_call_with_arguments (self,
                                                request_arguments_freeze_command (mountpoints),
                                                arguments, convert_count, cancellable, error));
}

/**
 * guestlink_client_fsfreeze_freeze_async:
 * @self: a #GuestlinkClient
 * @mountpoints: (array zero-terminated=1) (nullable): the mount points of
 *   the filesystems to freeze, or %NULL for every local filesystem
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_fsfreeze_freeze(). @mountpoints
 * is copied before this function returns.
 *
 * Since: 0.1
 */
void
guestlink_client_fsfreeze_freeze_async (GuestlinkClient     *self,
                                        const char * const  *mountpoints,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  arguments = request_arguments_freeze (mountpoints);
  typed_call_with_arguments_async (self, request_arguments_freeze_command (mountpoints), arguments,
                                   convert_count, g_free, guestlink_client_fsfreeze_freeze_async,
                                   cancellable, callback, user_data);
}

/**
 * guestlink_client_fsfreeze_freeze_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_fsfreeze_freeze_async().
 *
 * Returns: the number of filesystems the call froze, or -1 with @error set
 *
 * Since: 0.1
 */
int
guestlink_client_fsfreeze_freeze_finish (GuestlinkClient  *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return take_count (typed_call_finish (self, result, guestlink_client_fsfreeze_freeze_async,
                                        error));
}

/**
 * guestlink_client_fsfreeze_thaw:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-fsfreeze-thaw: thaws the filesystems the agent froze, and
 * enables its other commands again.
 *
 * Returns: the number of filesystems thawed (0 when none was frozen), or
 *   -1 with @error set
 *
 * Since: 0.1
 */
int
guestlink_client_fsfreeze_thaw (GuestlinkClient  *self,
                                GCancellable     *cancellable,
                                GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), -1);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return take_count (typed_call (self, "guest-fsfreeze-thaw", convert_count, cancellable, error));
}

/**
 * guestlink_client_fsfreeze_thaw_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_fsfreeze_thaw().
 *
 * Since: 0.1
 */
void
guestlink_client_fsfreeze_thaw_async (GuestlinkClient     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  typed_call_async (self, "guest-fsfreeze-thaw", convert_count, g_free,
                    guestlink_client_fsfreeze_thaw_async, cancellable, callback, user_data);
}

/**
 * guestlink_client_fsfreeze_thaw_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_fsfreeze_thaw_async().
 *
 * Returns: the number of filesystems thawed, or -1 with @error set
 *
 * Since: 0.1
 */
int
guestlink_client_fsfreeze_thaw_finish (GuestlinkClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return take_count (typed_call_finish (self, result, guestlink_client_fsfreeze_thaw_async,
                                        error));
}

/**
 * guestlink_client_fstrim:
 * @self: a #GuestlinkClient
 * @minimum: the smallest free range to discard, in bytes, or a negative
 *   value to leave it to the agent (which discards every free block)
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-fstrim: discards the unused blocks of the guest's
 * filesystems. The result is an object with "paths", an array with one
 * object per filesystem: its "path", and either "trimmed" and "minimum"
 * (bytes) or "error" when that filesystem could not be trimmed.
 *
 * Trimming a large filesystem can take longer than
 * #GuestlinkClient:default-timeout-msec.
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_fstrim (GuestlinkClient  *self,
                         gint64            minimum,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  arguments = request_arguments_fstrim (minimum);
  return typed_call_with_arguments (self, "guest-fstrim", arguments, convert_fstrim,
                                    cancellable, error);
}

/**
 * guestlink_client_fstrim_async:
 * @self: a #GuestlinkClient
 * @minimum: the smallest free range to discard, in bytes, or a negative
 *   value to leave it to the agent
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_fstrim().
 *
 * Since: 0.1
 */
void
guestlink_client_fstrim_async (GuestlinkClient     *self,
                               gint64               minimum,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  arguments = request_arguments_fstrim (minimum);
  typed_call_with_arguments_async (self, "guest-fstrim", arguments, convert_fstrim,
                                   (GDestroyNotify) json_node_unref, guestlink_client_fstrim_async,
                                   cancellable, callback, user_data);
}

/**
 * guestlink_client_fstrim_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_fstrim_async().
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_fstrim_finish (GuestlinkClient  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call_finish (self, result, guestlink_client_fstrim_async, error);
}

/**
 * guestlink_client_get_fsinfo:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-get-fsinfo: one object per mounted local filesystem, with
 * "name" (the device, for example `sda1` or `dm-0`), "mountpoint", "type",
 * "used-bytes" and "total-bytes" when the guest knows them, and "disk", an
 * array of the disks under it: "bus-type", "bus", "target", "unit",
 * "pci-controller" ("domain", "bus", "slot", "function", each -1 when
 * unknown) and, when known, "serial", "dev" and "ccw-address".
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_fsinfo (GuestlinkClient  *self,
                             GCancellable     *cancellable,
                             GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "guest-get-fsinfo", convert_fsinfo, cancellable, error);
}

/**
 * guestlink_client_get_fsinfo_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_get_fsinfo().
 *
 * Since: 0.1
 */
void
guestlink_client_get_fsinfo_async (GuestlinkClient     *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  typed_call_async (self, "guest-get-fsinfo", convert_fsinfo,
                    (GDestroyNotify) json_node_unref, guestlink_client_get_fsinfo_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_get_fsinfo_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_get_fsinfo_async().
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_get_fsinfo_finish (GuestlinkClient  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call_finish (self, result, guestlink_client_get_fsinfo_async, error);
}
