/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "guestlink-identity-request-private.h"
#include "ssh-host-key-shapes.h"
#include "typed-call.h"

/* Typed wrappers for the identity report and the change of identity:
 * JsonNode, documented in the README ("__org.guestlink_get-identity",
 * "__org.guestlink_set-identity"). */

static const ReplyShapeMember step_members[] = {
  { "name", &reply_shape_string, FALSE },
  { "status", &reply_shape_string, FALSE },
  { "detail", &reply_shape_string, TRUE },
  { "error", &reply_shape_string, TRUE },
  { NULL, },
};
static const ReplyShape step_shape = { REPLY_SHAPE_OBJECT, step_members, NULL };
static const ReplyShape step_list_shape = { REPLY_SHAPE_ARRAY, NULL, &step_shape };

/* The new identity is get-identity's reply, whose members the README
 * documents; only its host keys are checked, as a host turns them into
 * known_hosts lines. */
static const ReplyShapeMember new_identity_members[] = {
  { "ssh-host-keys", &ssh_host_key_list_shape, TRUE },
  { NULL, },
};
static const ReplyShape new_identity_shape = { REPLY_SHAPE_OBJECT, new_identity_members, NULL };

static const ReplyShapeMember set_identity_members[] = {
  { "instance-id", &reply_shape_string, FALSE },
  { "resumed", &reply_shape_boolean, FALSE },
  { "complete", &reply_shape_boolean, FALSE },
  { "steps", &step_list_shape, FALSE },
  { "ssh-host-keys", &ssh_host_key_rotation_shape, TRUE },
  { "reboot-required", &reply_shape_boolean, FALSE },
  { "identity", &new_identity_shape, FALSE },
  { NULL, },
};
static const ReplyShape set_identity_shape = { REPLY_SHAPE_OBJECT, set_identity_members, NULL };

static gpointer
convert_set_identity (JsonNode    *result,
                      const char  *command,
                      GError     **error)
{
  if (!typed_call_check_shape (result, command, &set_identity_shape, error))
    return NULL;
  return json_node_ref (result);
}

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

/**
 * guestlink_client_set_identity:
 * @self: a #GuestlinkClient
 * @request: what to change
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs __org.guestlink_set-identity (guestlinkd only): gives a cloned guest
 * an identity of its own in one call. The guest checks every value first
 * and fails with %GUESTLINK_ERROR_GENERIC, naming the parameter and
 * changing nothing, when one is invalid; it also fails when the
 * instance-id was already used for a different request.
 *
 * Otherwise it runs its steps and answers even when one of them failed:
 * the reply is an object with "instance-id"; "resumed" (an earlier call
 * with this request had begun, and its done steps were not redone);
 * "complete" (%FALSE when a step failed: send the same request again to
 * retry the rest); "steps", every step in order, each with "name",
 * "status" (`done`, `skipped` or `failed`) and an optional "detail", and
 * "error" when it failed; "ssh-host-keys", the
 * guestlink_client_ssh_rotate_host_keys() reply when the keys were
 * rotated; "reboot-required", %TRUE when the machine-id changed; and
 * "identity", the guestlink_client_get_identity() reply read afterwards.
 * Those members are checked before the reply is returned.
 *
 * The steps restart services and may generate keys: a client with a
 * short #GuestlinkClient:default-timeout-msec can time out while the
 * guest goes on, and the same request sent again then returns the
 * result.
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_set_identity (GuestlinkClient           *self,
                               GuestlinkIdentityRequest  *request,
                               GCancellable              *cancellable,
                               GError                   **error)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  arguments = identity_request_to_arguments (request);
  return typed_call_with_arguments (self, "__org.guestlink_set-identity", arguments,
                                    convert_set_identity, cancellable, error);
}

/**
 * guestlink_client_set_identity_async:
 * @self: a #GuestlinkClient
 * @request: what to change
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_set_identity(). @request may be
 * changed or freed as soon as this returns.
 *
 * Since: 0.1
 */
void
guestlink_client_set_identity_async (GuestlinkClient           *self,
                                     GuestlinkIdentityRequest  *request,
                                     GCancellable              *cancellable,
                                     GAsyncReadyCallback        callback,
                                     gpointer                   user_data)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  arguments = identity_request_to_arguments (request);
  typed_call_with_arguments_async (self, "__org.guestlink_set-identity", arguments,
                                   convert_set_identity, (GDestroyNotify) json_node_unref,
                                   guestlink_client_set_identity_async,
                                   cancellable, callback, user_data);
}

/**
 * guestlink_client_set_identity_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_set_identity_async().
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_set_identity_finish (GuestlinkClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call_finish (self, result, guestlink_client_set_identity_async, error);
}
