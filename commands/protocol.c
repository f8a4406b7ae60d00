/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The protocol family: what a host uses to find, synchronise with and
 * interrogate the agent. All of it is allowed while frozen.
 */
#include "config.h"

#include "commands.h"
#include "registry.h"

/* guest-sync {id}: echoes id, so the host can tell its reply from stale
 * ones left by an earlier, abandoned session. */
static void
handle_sync (CommandCall *call)
{
  command_call_return (call, json_node_init_int (json_node_alloc (),
                                                 command_call_get_integer (call, "id")));
}

static void
handle_ping (CommandCall *call)
{
  command_call_return (call, NULL);
}

static void
handle_info (CommandCall *call)
{
  CommandRegistry *registry = command_call_get_registry (call);
  GPtrArray *specs = command_registry_get_all (registry);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "supported_commands");
  json_builder_begin_array (builder);
  for (guint i = 0; i < specs->len; i++)
    {
      const CommandSpec *spec = g_ptr_array_index (specs, i);

      /* Member order as qemu-ga writes it. */
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "enabled");
      json_builder_add_boolean_value (builder,
                                      command_registry_check_enabled (registry, spec, NULL));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, spec->name);
      json_builder_set_member_name (builder, "success-response");
      json_builder_add_boolean_value (builder,
                                      !(spec->flags & COMMAND_FLAG_NO_SUCCESS_RESPONSE));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  command_call_return (call, json_builder_get_root (builder));
}

static const CommandParam sync_params[] = {
  { "id", PARAM_TYPE_INTEGER, FALSE },
  { NULL }
};

const CommandSpec protocol_commands[] = {
  { "guest-sync-delimited", handle_sync, sync_params,
    COMMAND_FLAG_DELIMITED_REPLY | COMMAND_FLAG_ALLOWED_WHILE_FROZEN },
  { "guest-sync", handle_sync, sync_params, COMMAND_FLAG_ALLOWED_WHILE_FROZEN },
  { "guest-ping", handle_ping, NULL, COMMAND_FLAG_ALLOWED_WHILE_FROZEN },
  { "guest-info", handle_info, NULL, COMMAND_FLAG_ALLOWED_WHILE_FROZEN },
  { NULL }
};
