/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The freeze commands: qemu-ga's names, arguments and replies, over the
 * freezer (fs-freezer.h), which is this family's shared state.
 */
#include "config.h"

#include "commands.h"
#include "fs-freezer.h"
#include "message.h"

static FsFreezer *
call_freezer (CommandCall *call)
{
  return command_call_get_family_data (call);
}

static void
guest_fsfreeze_status (CommandCall *call)
{
  gboolean frozen = fs_freezer_is_frozen (call_freezer (call));
  JsonNode *status = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (status, frozen ? "frozen" : "thawed");
  command_call_return (call, status);
}

/* Freeze, freeze-list and thaw answer alike: how many filesystems. */
static void
on_freezer_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CommandCall) call = user_data;
  FsFreezer *freezer = call_freezer (call);
  g_autoptr(GError) error = NULL;
  GError *generic_error = NULL;
  gint count = g_async_result_is_tagged (result, fs_freezer_freeze_async)
               ? fs_freezer_freeze_finish (freezer, result, &error)
               : fs_freezer_thaw_finish (freezer, result, &error);

  /* Every freezer failure is a GenericError to the host, in words that
   * name the mount point or hook at fault. */
  if (error != NULL)
    generic_error = g_error_new_literal (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC, error->message);
  command_call_return_result (call, json_node_init_int (json_node_alloc (), count),
                              generic_error);
}

static void
guest_fsfreeze_freeze (CommandCall *call)
{
  fs_freezer_freeze_async (call_freezer (call), NULL, on_freezer_done, command_call_ref (call));
}

static void
guest_fsfreeze_freeze_list (CommandCall *call)
{
  JsonObject *arguments = command_call_get_arguments (call);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) mountpoints = NULL;
  JsonArray *list;

  /* Without the list, every filesystem, as qemu-ga. The dispatcher has
   * checked it is an array of strings. */
  if (!command_call_has_argument (call, "mountpoints"))
    {
      guest_fsfreeze_freeze (call);
      return;
    }

  list = json_object_get_array_member (arguments, "mountpoints");
  for (guint i = 0; i < json_array_get_length (list); i++)
    g_strv_builder_add (builder, json_array_get_string_element (list, i));
  mountpoints = g_strv_builder_end (builder);

  fs_freezer_freeze_async (call_freezer (call), (const char * const *) mountpoints,
                           on_freezer_done, command_call_ref (call));
}

static void
guest_fsfreeze_thaw (CommandCall *call)
{
  fs_freezer_thaw_async (call_freezer (call), on_freezer_done, command_call_ref (call));
}

static const CommandParam freeze_list_params[] = {
  { "mountpoints", PARAM_TYPE_STRING_ARRAY, TRUE },
  { NULL }
};

const CommandSpec fs_freeze_commands[] = {
  { "guest-fsfreeze-status", guest_fsfreeze_status, NULL, COMMAND_FLAG_ALLOWED_WHILE_FROZEN },
  { "guest-fsfreeze-freeze", guest_fsfreeze_freeze, NULL, COMMAND_FLAG_EXCLUSIVE },
  { "guest-fsfreeze-freeze-list", guest_fsfreeze_freeze_list, freeze_list_params,
    COMMAND_FLAG_EXCLUSIVE },
  { "guest-fsfreeze-thaw", guest_fsfreeze_thaw, NULL,
    COMMAND_FLAG_ALLOWED_WHILE_FROZEN | COMMAND_FLAG_EXCLUSIVE },
  { NULL }
};
