/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SSH host key commands (our own, under the QAPI downstream prefix):
 * what a host needs to trust the guest's sshd without a first-use prompt.
 */
#include "config.h"

#include "commands.h"
#include "message.h"
#include "ssh-host-keys.h"

#define SSH_CONFIG_DIR "/etc/ssh"

/* {"keys": [{"type", "path", "public-key", "fingerprint"} or
 * {"path", "error"}]}, sorted by path: an object, so that more members
 * can come without breaking a host. */
static void
handle_get_host_keys (CommandCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = ssh_host_keys_list (SSH_CONFIG_DIR, &error);
  g_autoptr(JsonBuilder) builder = NULL;

  if (keys == NULL)
    {
      command_call_return_error (call, g_error_new (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                                                    "Cannot read the SSH host keys: %s",
                                                    error->message));
      return;
    }

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "keys");
  json_builder_add_value (builder, ssh_host_keys_to_json (keys));
  json_builder_end_object (builder);
  command_call_return (call, json_builder_get_root (builder));
}

const CommandSpec ssh_host_key_commands[] = {
  { "__org.guestlink_ssh-get-host-keys", handle_get_host_keys, NULL, COMMAND_FLAG_NONE },
  { NULL }
};
