/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "request-arguments.h"
#include "ssh-host-key-shapes.h"
#include "typed-call.h"

/* Typed wrappers for the guest's SSH host keys (guestlinkd's own
 * commands). The keys come back as JsonNode, checked member by member:
 * an entry is either a key or the reason its file could not be read, a
 * union GObject properties would only blur. */

static const ReplyShapeMember host_keys_members[] = {
  { "keys", &ssh_host_key_list_shape, FALSE },
  { NULL, },
};
static const ReplyShape host_keys_shape = { REPLY_SHAPE_OBJECT, host_keys_members, NULL };

/* The "keys" array alone: the object around it is there only so that
 * members can be added without breaking a host. */
static gpointer
convert_host_keys (JsonNode    *result,
                   const char  *command,
                   GError     **error)
{
  if (!typed_call_check_shape (result, command, &host_keys_shape, error))
    return NULL;
  return json_node_ref (json_object_get_member (json_node_get_object (result), "keys"));
}

static gpointer
convert_rotation (JsonNode    *result,
                  const char  *command,
                  GError     **error)
{
  if (!typed_call_check_shape (result, command, &ssh_host_key_rotation_shape, error))
    return NULL;
  return json_node_ref (result);
}

/**
 * guestlink_client_ssh_get_host_keys:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs __org.guestlink_ssh-get-host-keys (guestlinkd only): the guest's
 * SSH host keys, from its `/etc/ssh/ssh_host_*_key.pub` files, sorted by
 * path. Each element is an object with "type" (for example
 * `ssh-ed25519`), "path" (the private key's), "public-key" (`TYPE
 * BASE64`, a known_hosts line without its host names) and "fingerprint"
 * (`SHA256:...`, as `ssh-keygen -l` prints it); or, for a key file that
 * could not be read, "path" and "error" only. Every member is checked to
 * be a string before the array is returned.
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_ssh_get_host_keys (GuestlinkClient  *self,
                                    GCancellable     *cancellable,
                                    GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call (self, "__org.guestlink_ssh-get-host-keys", convert_host_keys,
                     cancellable, error);
}

/**
 * guestlink_client_ssh_get_host_keys_async:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_ssh_get_host_keys().
 *
 * Since: 0.1
 */
void
guestlink_client_ssh_get_host_keys_async (GuestlinkClient     *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  typed_call_async (self, "__org.guestlink_ssh-get-host-keys", convert_host_keys,
                    (GDestroyNotify) json_node_unref, guestlink_client_ssh_get_host_keys_async,
                    cancellable, callback, user_data);
}

/**
 * guestlink_client_ssh_get_host_keys_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_ssh_get_host_keys_async().
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_ssh_get_host_keys_finish (GuestlinkClient  *self,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call_finish (self, result, guestlink_client_ssh_get_host_keys_async, error);
}

/**
 * guestlink_client_ssh_rotate_host_keys:
 * @self: a #GuestlinkClient
 * @types: (nullable) (array zero-terminated=1): the key types to rotate,
 *   as ssh-keygen's `-t` names them (`ed25519`, `ecdsa`, `rsa`), or %NULL
 *   for every key sshd is configured with
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs __org.guestlink_ssh-rotate-host-keys (guestlinkd only): the guest
 * makes new host keys, puts them in place and reloads sshd; on any failure
 * it puts the old keys back and the call fails with
 * %GUESTLINK_ERROR_GENERIC saying what failed.
 *
 * The reply is an object with "keys", an array of objects with "type",
 * "path", "public-key" and "fingerprint" of each new key and
 * "old-fingerprint" (absent when there was no key of that type before);
 * "sshd-reloaded", a boolean; and "sshd-reload-method": `systemd`,
 * `signal` or `none` (sshd was not running). Those members are checked
 * before the reply is returned.
 *
 * Generating keys takes time (an RSA key seconds on a slow guest): a
 * client with a short #GuestlinkClient:default-timeout-msec can time out
 * while the guest still finishes the rotation.
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_ssh_rotate_host_keys (GuestlinkClient     *self,
                                       const char * const  *types,
                                       GCancellable        *cancellable,
                                       GError             **error)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  arguments = request_arguments_rotate_host_keys (types);
  return typed_call_with_arguments (self, "__org.guestlink_ssh-rotate-host-keys", arguments,
                                    convert_rotation, cancellable, error);
}

/**
 * guestlink_client_ssh_rotate_host_keys_async:
 * @self: a #GuestlinkClient
 * @types: (nullable) (array zero-terminated=1): the key types to rotate,
 *   or %NULL for every key sshd is configured with
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_ssh_rotate_host_keys().
 *
 * Since: 0.1
 */
void
guestlink_client_ssh_rotate_host_keys_async (GuestlinkClient     *self,
                                             const char * const  *types,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  arguments = request_arguments_rotate_host_keys (types);
  typed_call_with_arguments_async (self, "__org.guestlink_ssh-rotate-host-keys", arguments,
                                   convert_rotation, (GDestroyNotify) json_node_unref,
                                   guestlink_client_ssh_rotate_host_keys_async,
                                   cancellable, callback, user_data);
}

/**
 * guestlink_client_ssh_rotate_host_keys_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_ssh_rotate_host_keys_async().
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_ssh_rotate_host_keys_finish (GuestlinkClient  *self,
                                              GAsyncResult     *result,
                                              GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call_finish (self, result, guestlink_client_ssh_rotate_host_keys_async, error);
}
