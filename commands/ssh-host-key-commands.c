/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SSH host key commands (our own, under the QAPI downstream prefix):
 * what a host needs to trust the guest's sshd without a first-use prompt,
 * and new keys for a cloned guest.
 */
#include "config.h"

#include "commands.h"
#include "identity-lock.h"
#include "message.h"
#include "ssh-host-key-rotation.h"
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

static JsonNode *
rotate_in_thread (gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const char * const *types = data;
  g_autoptr(IdentityLock) lock = identity_lock_acquire ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SshHostKeyRotation) rotation = NULL;

  rotation = ssh_host_keys_rotate (SSH_CONFIG_DIR, types, cancellable, &local_error);
  if (rotation == NULL)
    {
      g_message ("Rotating the SSH host keys failed: %s", local_error->message);
      g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                   "Cannot rotate the SSH host keys: %s", local_error->message);
      return NULL;
    }
  g_message ("Rotated %u SSH host key(s)%s%s", rotation->changes->len,
             rotation->reload_target != NULL ? "; reloaded sshd: " : "; sshd is not running",
             rotation->reload_target != NULL ? rotation->reload_target : "");
  return ssh_host_key_rotation_to_json (rotation);
}

/* {types?: ["ed25519" | "ecdsa" | "rsa", ...]}: the reply is
 * ssh_host_key_rotation_to_json()'s. */
static void
handle_rotate_host_keys (CommandCall *call)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *list;
  char **types = NULL;

  if (command_call_has_argument (call, "types"))
    {
      /* The dispatcher has checked it is an array of strings. */
      list = json_object_get_array_member (command_call_get_arguments (call), "types");
      if (json_array_get_length (list) == 0)
        {
          command_call_return_error (call, g_error_new_literal (PROTOCOL_ERROR,
                                                                PROTOCOL_ERROR_GENERIC,
                                                                "Parameter 'types' is empty"));
          return;
        }
      builder = g_strv_builder_new ();
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          const char *type = json_array_get_string_element (list, i);

          if (!ssh_host_key_type_is_known (type))
            {
              g_autofree char *shown = g_utf8_make_valid (type, -1);

              command_call_return_error (call, g_error_new (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                                                            "Parameter 'types' expects "
                                                            "'ed25519', 'ecdsa' or 'rsa', "
                                                            "not '%s'", shown));
              return;
            }
          g_strv_builder_add (builder, type);
        }
      types = g_strv_builder_end (builder);
    }

  g_info ("__org.guestlink_ssh-rotate-host-keys called");
  /* ssh-keygen and sshd's reload take seconds. */
  command_call_run_in_thread (call, rotate_in_thread, types, (GDestroyNotify) g_strfreev);
}

static const CommandParam rotate_params[] = {
  { "types", PARAM_TYPE_STRING_ARRAY, TRUE },
  { NULL }
};

const CommandSpec ssh_host_key_rotate_commands[] = {
  { "__org.guestlink_ssh-rotate-host-keys", handle_rotate_host_keys, rotate_params,
    COMMAND_FLAG_EXCLUSIVE },
  { NULL }
};

static void
recover_in_thread (GTask        *task,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  g_autoptr(IdentityLock) lock = identity_lock_acquire ();
  g_autoptr(GError) error = NULL;

  if (!ssh_host_keys_recover (SSH_CONFIG_DIR, NULL, &error))
    g_warning ("%s", error->message);
  g_task_return_boolean (task, TRUE);
}

void
ssh_host_key_commands_recover (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  /* It may run sshd -T and wait for systemd: never on the main loop.
   * A rotation that comes meanwhile waits for the lock. */
  g_task_run_in_thread (task, recover_in_thread);
}
