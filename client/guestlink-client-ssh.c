/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "reply-shape.h"
#include "request-arguments.h"
#include "typed-call.h"

/* Typed wrappers for a user's SSH authorized keys. The keys come back as
 * a string array; add and remove return nothing but success, like their
 * qemu-ga commands ("{}"). */

static const ReplyShape key_list_shape = { REPLY_SHAPE_ARRAY, NULL, &reply_shape_string };
/* qemu-ga's GuestAuthorizedKeys. */
static const ReplyShapeMember authorized_keys_members[] = {
  { "keys", &key_list_shape, FALSE },
  { NULL, },
};
static const ReplyShape authorized_keys_shape = { REPLY_SHAPE_OBJECT, authorized_keys_members, NULL };

static gpointer
convert_keys (JsonNode    *result,
              const char  *command,
              GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *keys;

  if (!typed_call_check_shape (result, command, &authorized_keys_shape, error))
    return NULL;

  keys = json_object_get_array_member (json_node_get_object (result), "keys");
  for (guint i = 0; i < json_array_get_length (keys); i++)
    g_strv_builder_add (builder, json_array_get_string_element (keys, i));
  return g_strv_builder_end (builder);
}

/* "{}": any object, as newer agents may add members. */
static gpointer
convert_done (JsonNode    *result,
              const char  *command,
              GError     **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (result))
    return typed_call_unexpected_reply (command, "the reply is not an object", error);
  return GINT_TO_POINTER (TRUE);
}

/**
 * guestlink_client_ssh_get_authorized_keys:
 * @self: a #GuestlinkClient
 * @username: the guest user
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-ssh-get-authorized-keys: the lines of the user's
 * `~/.ssh/authorized_keys` that are not empty or comments, stripped of
 * surrounding blanks. guestlinkd lists them in file order and answers an
 * empty array for a user without the file; qemu-ga lists them backwards
 * and fails then.
 *
 * Returns: (transfer full) (array zero-terminated=1): the keys, or %NULL
 *   with @error set
 *
 * Since: 0.1
 */
char **
guestlink_client_ssh_get_authorized_keys (GuestlinkClient  *self,
                                          const char       *username,
                                          GCancellable     *cancellable,
                                          GError          **error)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  arguments = request_arguments_authorized_keys (username, NULL, FALSE);
  return typed_call_with_arguments (self, "guest-ssh-get-authorized-keys", arguments,
                                    convert_keys, cancellable, error);
}

/**
 * guestlink_client_ssh_get_authorized_keys_async:
 * @self: a #GuestlinkClient
 * @username: the guest user
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_ssh_get_authorized_keys().
 *
 * Since: 0.1
 */
void
guestlink_client_ssh_get_authorized_keys_async (GuestlinkClient     *self,
                                                const char          *username,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  arguments = request_arguments_authorized_keys (username, NULL, FALSE);
  typed_call_with_arguments_async (self, "guest-ssh-get-authorized-keys", arguments,
                                   convert_keys, (GDestroyNotify) g_strfreev,
                                   guestlink_client_ssh_get_authorized_keys_async,
                                   cancellable, callback, user_data);
}

/**
 * guestlink_client_ssh_get_authorized_keys_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_ssh_get_authorized_keys_async().
 *
 * Returns: (transfer full) (array zero-terminated=1): the keys, or %NULL
 *   with @error set
 *
 * Since: 0.1
 */
char **
guestlink_client_ssh_get_authorized_keys_finish (GuestlinkClient  *self,
                                                 GAsyncResult     *result,
                                                 GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return typed_call_finish (self, result, guestlink_client_ssh_get_authorized_keys_async, error);
}

/**
 * guestlink_client_ssh_add_authorized_keys:
 * @self: a #GuestlinkClient
 * @username: the guest user
 * @keys: (array zero-terminated=1): public key lines, "TYPE BASE64
 *   [COMMENT]" (guestlinkd also takes sshd's options before the type)
 * @reset: whether @keys replace the whole file
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-ssh-add-authorized-keys: adds the keys the user's
 * `~/.ssh/authorized_keys` does not hold yet, creating the file (and
 * `~/.ssh`) when needed; with @reset, the file becomes exactly @keys.
 *
 * Returns: %TRUE, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
guestlink_client_ssh_add_authorized_keys (GuestlinkClient     *self,
                                          const char          *username,
                                          const char * const  *keys,
                                          gboolean             reset,
                                          GCancellable        *cancellable,
                                          GError             **error)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  arguments = request_arguments_authorized_keys (username, keys, reset);
  return typed_call_with_arguments (self, "guest-ssh-add-authorized-keys", arguments,
                                    convert_done, cancellable, error) != NULL;
}

/**
 * guestlink_client_ssh_add_authorized_keys_async:
 * @self: a #GuestlinkClient
 * @username: the guest user
 * @keys: (array zero-terminated=1): public key lines
 * @reset: whether @keys replace the whole file
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_ssh_add_authorized_keys().
 *
 * Since: 0.1
 */
void
guestlink_client_ssh_add_authorized_keys_async (GuestlinkClient     *self,
                                                const char          *username,
                                                const char * const  *keys,
                                                gboolean             reset,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (keys != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  arguments = request_arguments_authorized_keys (username, keys, reset);
  typed_call_with_arguments_async (self, "guest-ssh-add-authorized-keys", arguments,
                                   convert_done, NULL,
                                   guestlink_client_ssh_add_authorized_keys_async,
                                   cancellable, callback, user_data);
}

/**
 * guestlink_client_ssh_add_authorized_keys_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_ssh_add_authorized_keys_async().
 *
 * Returns: %TRUE, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
guestlink_client_ssh_add_authorized_keys_finish (GuestlinkClient  *self,
                                                 GAsyncResult     *result,
                                                 GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return typed_call_finish (self, result, guestlink_client_ssh_add_authorized_keys_async,
                            error) != NULL;
}

/**
 * guestlink_client_ssh_remove_authorized_keys:
 * @self: a #GuestlinkClient
 * @username: the guest user
 * @keys: (array zero-terminated=1): public key lines to remove
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs guest-ssh-remove-authorized-keys: removes the lines of the user's
 * `~/.ssh/authorized_keys` that hold one of @keys (guestlinkd: the same
 * options and key, whatever the comment; qemu-ga: the same line). A user
 * without the file is not an error.
 *
 * Returns: %TRUE, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
guestlink_client_ssh_remove_authorized_keys (GuestlinkClient     *self,
                                             const char          *username,
                                             const char * const  *keys,
                                             GCancellable        *cancellable,
                                             GError             **error)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  arguments = request_arguments_authorized_keys (username, keys, FALSE);
  return typed_call_with_arguments (self, "guest-ssh-remove-authorized-keys", arguments,
                                    convert_done, cancellable, error) != NULL;
}

/**
 * guestlink_client_ssh_remove_authorized_keys_async:
 * @self: a #GuestlinkClient
 * @username: the guest user
 * @keys: (array zero-terminated=1): public key lines to remove
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: a #GAsyncReadyCallback to call when the agent has answered
 * @user_data: data to pass to @callback
 *
 * Asynchronous version of guestlink_client_ssh_remove_authorized_keys().
 *
 * Since: 0.1
 */
void
guestlink_client_ssh_remove_authorized_keys_async (GuestlinkClient     *self,
                                                   const char          *username,
                                                   const char * const  *keys,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data)
{
  g_autoptr(JsonObject) arguments = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (keys != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  arguments = request_arguments_authorized_keys (username, keys, FALSE);
  typed_call_with_arguments_async (self, "guest-ssh-remove-authorized-keys", arguments,
                                   convert_done, NULL,
                                   guestlink_client_ssh_remove_authorized_keys_async,
                                   cancellable, callback, user_data);
}

/**
 * guestlink_client_ssh_remove_authorized_keys_finish:
 * @self: a #GuestlinkClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes guestlink_client_ssh_remove_authorized_keys_async().
 *
 * Returns: %TRUE, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
guestlink_client_ssh_remove_authorized_keys_finish (GuestlinkClient  *self,
                                                    GAsyncResult     *result,
                                                    GError          **error)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return typed_call_finish (self, result, guestlink_client_ssh_remove_authorized_keys_async,
                            error) != NULL;
}
