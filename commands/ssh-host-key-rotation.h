/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ssh-host-key-rotation: new SSH host keys for a guest, never leaving it
 * without working ones (__org.guestlink_ssh-rotate-host-keys, and the
 * rotate step of set-identity).
 *
 * Which keys: those sshd is configured with (`sshd -T` when sshd exists),
 * else the ssh_host_*_key files present, else ed25519, ecdsa and rsa.
 * New pairs are made by ssh-keygen in a staging directory beside the keys
 * (same filesystem, so renames are atomic), checked (ssh-keygen -y gives
 * the .pub; `sshd -t` loads them when sshd exists), fsynced, and renamed
 * into place pair by pair while the old pairs wait in an aside
 * directory. sshd is reloaded (systemd over D-Bus, else SIGHUP); only
 * once it has reloaded and still runs are the old pairs removed. Any
 * failure puts the old pairs back (and reloads sshd again if it had
 * already been reloaded).
 *
 * Blocking: for worker threads only. One rotation at a time: callers
 * hold identity_lock() (identity-lock.h) around these calls.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char *type;              /* ssh-keygen's -t name: "ed25519", "ecdsa", "rsa" */
  char *path;              /* the private key; the public one is path + ".pub" */
  char *old_fingerprint;   /* "SHA256:..."; NULL when there was no key */
  char *public_key;        /* the new key: "TYPE BASE64" */
  char *fingerprint;       /* the new key's "SHA256:..." */
} SshHostKeyChange;

void ssh_host_key_change_free (SshHostKeyChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SshHostKeyChange, ssh_host_key_change_free)

typedef enum {
  SSHD_RELOAD_NOT_RUNNING,   /* no sshd to reload: the keys are simply in place */
  SSHD_RELOAD_SYSTEMD,       /* ReloadOrRestartUnit of ssh.service or sshd.service */
  SSHD_RELOAD_SIGNAL,        /* SIGHUP to the pid in sshd's PidFile */
} SshdReloadMethod;

typedef struct {
  GPtrArray *changes;        /* of SshHostKeyChange, in the order rotated */
  SshdReloadMethod reload;
  char *reload_target;       /* the unit, or the pid as text; NULL when not running */
} SshHostKeyRotation;

void ssh_host_key_rotation_free (SshHostKeyRotation *rotation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SshHostKeyRotation, ssh_host_key_rotation_free)

/* TRUE for the types a host may ask for: "ed25519", "ecdsa", "rsa". */
gboolean ssh_host_key_type_is_known (const char *type);

/* Rotates the host keys below @ssh_dir ("/etc/ssh"): @types (NULL: the
 * configured ones, as above) at their configured paths, or at
 * @ssh_dir/ssh_host_TYPE_key for a type not configured. Keys configured
 * outside @ssh_dir are refused (the staging and aside directories live
 * there). Starts with ssh_host_keys_recover(). On failure the old keys
 * are in place and @error says what failed and then where the keys
 * are: "...; the host keys were not changed" (before any was touched),
 * "...; the old host keys are back in place [and sshd was reloaded with
 * them]", or what went wrong putting them back. */
SshHostKeyRotation *ssh_host_keys_rotate (const char          *ssh_dir,
                                          const char * const  *types,
                                          GCancellable        *cancellable,
                                          GError             **error);

/* Finishes a rotation an earlier agent left behind when it died: the
 * staging directory is removed, pairs in the aside directory are put
 * back, and sshd reloaded if anything was put back. Called at start-up
 * and before every rotation. Sets @out_restored to the pairs put back. */
gboolean ssh_host_keys_recover (const char  *ssh_dir,
                                guint       *out_restored,
                                GError     **error);

/* {"keys": [{"type", "path", "public-key", "fingerprint",
 *            "old-fingerprint"?}],
 *  "sshd-reloaded": bool, "sshd-reload-method": "systemd"|"signal"|"none"} */
JsonNode *ssh_host_key_rotation_to_json (const SshHostKeyRotation *rotation);

G_END_DECLS
