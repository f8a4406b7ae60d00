/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ssh-host-keys step: the template's host keys would let every clone
 * impersonate every other. The rotation (ssh-host-key-rotation.h) never
 * leaves the guest without working keys; its reply is kept in the
 * journal, so that a retry reports the same new fingerprints. The
 * caller holds the identity lock (identity-lock.h), as the rotation
 * expects.
 */
#include "config.h"

#include "identity-steps.h"
#include "ssh-host-key-rotation.h"

#define SSH_CONFIG_DIR "/etc/ssh"

IdentityStepStatus
identity_step_ssh_host_keys (IdentityStepContext  *context,
                             char                **out_detail,
                             GError              **error)
{
  g_autoptr(SshHostKeyRotation) rotation = NULL;
  g_autoptr(GPtrArray) types = NULL;
  g_autofree char *type_list = NULL;
  const char *reload;

  if (!context->request->rotate_ssh_host_keys)
    {
      *out_detail = g_strdup ("not asked for");
      return IDENTITY_STEP_SKIPPED;
    }

  rotation = ssh_host_keys_rotate (SSH_CONFIG_DIR, NULL, context->cancellable, error);
  if (rotation == NULL)
    return IDENTITY_STEP_FAILED;

  g_clear_pointer (&context->journal->ssh_host_keys, json_node_unref);
  context->journal->ssh_host_keys = ssh_host_key_rotation_to_json (rotation);

  types = g_ptr_array_new ();
  for (guint i = 0; i < rotation->changes->len; i++)
    g_ptr_array_add (types, ((SshHostKeyChange *) rotation->changes->pdata[i])->type);
  g_ptr_array_add (types, NULL);
  type_list = g_strjoinv (", ", (char **) types->pdata);
  switch (rotation->reload)
    {
    case SSHD_RELOAD_SYSTEMD:
      reload = "sshd reloaded through systemd";
      break;
    case SSHD_RELOAD_SIGNAL:
      reload = "sshd reloaded with SIGHUP";
      break;
    case SSHD_RELOAD_NOT_RUNNING:
    default:
      reload = "no sshd running";
      break;
    }
  *out_detail = g_strdup_printf ("new %s keys; %s", type_list, reload);
  return IDENTITY_STEP_DONE;
}
