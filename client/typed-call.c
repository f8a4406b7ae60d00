/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "guestlink-error.h"
#include "typed-call.h"

typedef struct {
  char *command;
  TypedCallConvert convert;
  GDestroyNotify value_free;
} TypedCallData;

static void
typed_call_data_free (gpointer data)
{
  TypedCallData *call = data;

  g_free (call->command);
  g_free (call);
}

gpointer
typed_call_with_arguments (GuestlinkClient   *self,
                           const char        *command,
                           JsonObject        *arguments,
                           TypedCallConvert   convert,
                           GCancellable      *cancellable,
                           GError           **error)
{
  g_autoptr(JsonNode) result = NULL;

  result = guestlink_client_call (self, command, arguments, -1, cancellable, error);
  return result != NULL ? convert (result, command, error) : NULL;
}

gpointer
typed_call (GuestlinkClient   *self,
            const char        *command,
            TypedCallConvert   convert,
            GCancellable      *cancellable,
            GError           **error)
{
  return typed_call_with_arguments (self, command, NULL, convert, cancellable, error);
}

static void
typed_call_done (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TypedCallData *call = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gpointer value;

  node = guestlink_client_call_finish (GUESTLINK_CLIENT (source_object), result, &error);
  value = node != NULL ? call->convert (node, call->command, &error) : NULL;
  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, call->value_free);
}

void
typed_call_with_arguments_async (GuestlinkClient     *self,
                                 const char          *command,
                                 JsonObject          *arguments,
                                 TypedCallConvert     convert,
                                 GDestroyNotify       value_free,
                                 gpointer             source_tag,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TypedCallData *call = g_new0 (TypedCallData, 1);

  call->command = g_strdup (command);
  call->convert = convert;
  call->value_free = value_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, typed_call_data_free);

  guestlink_client_call_async (self, command, arguments, -1, cancellable,
                               typed_call_done, g_steal_pointer (&task));
}

void
typed_call_async (GuestlinkClient     *self,
                  const char          *command,
                  TypedCallConvert     convert,
                  GDestroyNotify       value_free,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  typed_call_with_arguments_async (self, command, NULL, convert, value_free, source_tag,
                                   cancellable, callback, user_data);
}

gpointer
typed_call_finish (GuestlinkClient  *self,
                   GAsyncResult     *result,
                   gpointer          source_tag,
                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gpointer
typed_call_unexpected_reply (const char  *command,
                             const char  *detail,
                             GError     **error)
{
  if (detail != NULL)
    g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL,
                 "%s returned a reply of an unexpected shape: %s", command, detail);
  else
    g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL,
                 "%s returned a reply of an unexpected shape", command);
  return NULL;
}

gboolean
typed_call_check_shape (JsonNode          *result,
                        const char        *command,
                        const ReplyShape  *shape,
                        GError           **error)
{
  g_autofree char *detail = NULL;

  if (reply_shape_check (result, shape, &detail))
    return TRUE;
  typed_call_unexpected_reply (command, detail, error);
  return FALSE;
}

gpointer
typed_call_expect_object (JsonNode    *result,
                          const char  *command,
                          GError     **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (result))
    return typed_call_unexpected_reply (command, NULL, error);
  return json_node_ref (result);
}

gpointer
typed_call_expect_array (JsonNode    *result,
                         const char  *command,
                         GError     **error)
{
  if (!JSON_NODE_HOLDS_ARRAY (result))
    return typed_call_unexpected_reply (command, NULL, error);
  return json_node_ref (result);
}
