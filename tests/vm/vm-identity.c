/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The identity checks: host key rotation and a whole set-identity in the
 * guest, as a clone workflow runs them. The guest runs a real sshd (from
 * Debian's openssh-server, started by guest-init) whose port 22 QEMU
 * forwards to a loopback port of the host, so what the agent says about
 * the keys is held against what sshd itself serves (ssh-keyscan).
 *
 * The guest is an initramfs: no systemd, no hostnamed, no D-Bus. The
 * agent takes its fallbacks there: sethostname() and /etc/hostname,
 * SIGHUP to sshd. These checks change the guest's identity, so they run
 * after every check that expects the one guest-init gave it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "vm-identity.h"

#include "ssh-keyscan.h"

/* ssh-keygen under TCG: an RSA 3072 key alone takes seconds. */
#define ROTATE_TIMEOUT_MS 180000
#define NEW_HOST_NAME "guestlink-clone-1"
#define INSTANCE_ID "vm-test-clone-1"
#define KEYSCAN_ATTEMPTS 3

static JsonObject *
call_object (Vm          *vm,
             const char  *command,
             JsonObject  *arguments,
             GError     **error)
{
  g_autoptr(JsonNode) result = guestlink_client_call (vm->client, command, arguments,
                                                      ROTATE_TIMEOUT_MS, NULL, error);

  if (result == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (result))
    {
      vm_fail (error, "%s: the reply is not an object", command);
      return NULL;
    }
  return json_object_ref (json_node_get_object (result));
}

/* path -> fingerprint of __org.guestlink_ssh-get-host-keys. */
static GHashTable *
host_key_fingerprints (Vm      *vm,
                       GError **error)
{
  g_autoptr(JsonObject) reply = call_object (vm, "__org.guestlink_ssh-get-host-keys", NULL, error);
  g_autoptr(GHashTable) fingerprints = NULL;
  JsonArray *keys;

  if (reply == NULL)
    return NULL;
  keys = json_object_get_array_member (reply, "keys");
  fingerprints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; keys != NULL && i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);
      const char *fingerprint = json_object_get_string_member_with_default (key, "fingerprint", NULL);

      if (fingerprint == NULL)
        {
          vm_fail (error, "host key %s: %s",
                   json_object_get_string_member_with_default (key, "path", "?"),
                   json_object_get_string_member_with_default (key, "error", "no fingerprint"));
          return NULL;
        }
      g_hash_table_insert (fingerprints,
                           g_strdup (json_object_get_string_member (key, "path")),
                           g_strdup (fingerprint));
    }
  if (g_hash_table_size (fingerprints) == 0)
    {
      vm_fail (error, "the guest has no SSH host keys");
      return NULL;
    }
  return g_steal_pointer (&fingerprints);
}

/* The checks against what sshd serves need an sshd: build-guest gives
 * the guest one only when it could fetch openssh-server. */
static gboolean
sshd_reachable (Vm      *vm,
                GError **error)
{
  g_autofree char *sshd_started = vm_console_last_line_with (vm, "guest: sshd started");

  if (vm->ssh_port == 0)
    return vm_skip (error, "no port is forwarded to the guest's sshd");
  if (sshd_started == NULL)
    return vm_skip (error, "the guest has no sshd (build-guest could not fetch openssh-server)");
  return TRUE;
}

/* Fails unless sshd serves exactly the "public-key" members of @keys. */
static gboolean
check_sshd_serves (Vm         *vm,
                   JsonArray  *keys,
                   GError    **error)
{
  return sshd_reachable (vm, error) &&
         ssh_keyscan_check_serves (vm->ssh_port, keys, KEYSCAN_ATTEMPTS, error);
}

/* Each rotated key: old-fingerprint is the key that was at its path
 * before (@before), the new fingerprint is another one and is what the
 * agent now reports for that path (@after). */
static gboolean
check_rotated_keys (JsonArray   *keys,
                    GHashTable  *before,
                    GHashTable  *after,
                    GError     **error)
{
  if (json_array_get_length (keys) != g_hash_table_size (before))
    return vm_fail (error, "%u keys rotated of the %u the guest had",
                    json_array_get_length (keys), g_hash_table_size (before));

  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);
      const char *path = json_object_get_string_member (key, "path");
      const char *old = json_object_get_string_member_with_default (key, "old-fingerprint", "");
      const char *new = json_object_get_string_member (key, "fingerprint");

      if (g_strcmp0 (g_hash_table_lookup (before, path), old) != 0)
        return vm_fail (error, "%s: old-fingerprint %s, but the key was %s", path, old,
                        (const char *) g_hash_table_lookup (before, path));
      if (g_str_equal (old, new))
        return vm_fail (error, "%s: the fingerprint did not change", path);
      if (g_strcmp0 (g_hash_table_lookup (after, path), new) != 0)
        return vm_fail (error, "%s: rotated to %s, but the agent now reports %s", path, new,
                        (const char *) g_hash_table_lookup (after, path));
      printf ("# %s: %s -> %s\n", path, old, new);
    }
  return TRUE;
}

gboolean
vm_identity_check_rotate_host_keys (Vm      *vm,
                                    GError **error)
{
  g_autoptr(GHashTable) before = host_key_fingerprints (vm, error);
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GPtrArray) served_before = NULL;
  gint64 start;

  if (before == NULL)
    return FALSE;
  if (!sshd_reachable (vm, error))
    return FALSE;
  served_before = ssh_keyscan_loopback (vm->ssh_port, error);
  if (served_before == NULL)
    return FALSE;

  start = g_get_monotonic_time ();
  reply = call_object (vm, "__org.guestlink_ssh-rotate-host-keys", NULL, error);
  if (reply == NULL)
    return FALSE;
  printf ("# rotated in %.1f s (TCG)\n", (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  /* No systemd in the guest: sshd hears SIGHUP. */
  if (!json_object_get_boolean_member_with_default (reply, "sshd-reloaded", FALSE) ||
      g_strcmp0 (json_object_get_string_member_with_default (reply, "sshd-reload-method", NULL),
                 "signal") != 0)
    return vm_fail (error, "expected sshd reloaded by signal, got sshd-reloaded %s, method %s",
                    json_object_get_boolean_member_with_default (reply, "sshd-reloaded", FALSE)
                    ? "true" : "false",
                    json_object_get_string_member_with_default (reply, "sshd-reload-method", "none"));

  after = host_key_fingerprints (vm, error);
  return after != NULL &&
         check_rotated_keys (json_object_get_array_member (reply, "keys"), before, after, error) &&
         check_sshd_serves (vm, json_object_get_array_member (reply, "keys"), error);
}

/* The status of step @name in a set-identity reply, or NULL. */
static const char *
step_status (JsonObject *reply,
             const char *name)
{
  JsonArray *steps = json_object_get_array_member (reply, "steps");

  for (guint i = 0; steps != NULL && i < json_array_get_length (steps); i++)
    {
      JsonObject *step = json_array_get_object_element (steps, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (step, "name", NULL), name) == 0)
        return json_object_get_string_member_with_default (step, "status", NULL);
    }
  return NULL;
}

static void
print_steps (JsonObject *reply)
{
  JsonArray *steps = json_object_get_array_member (reply, "steps");

  for (guint i = 0; steps != NULL && i < json_array_get_length (steps); i++)
    {
      JsonObject *step = json_array_get_object_element (steps, i);

      printf ("#   %s: %s%s%s%s%s\n",
              json_object_get_string_member_with_default (step, "name", "?"),
              json_object_get_string_member_with_default (step, "status", "?"),
              json_object_has_member (step, "detail") ? " - " : "",
              json_object_get_string_member_with_default (step, "detail", ""),
              json_object_has_member (step, "error") ? "; error: " : "",
              json_object_get_string_member_with_default (step, "error", ""));
    }
}

static JsonObject *
set_identity_arguments (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint8 seed[64];
  g_autofree char *seed_base64 = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert (getrandom (seed, sizeof seed, 0) == sizeof seed);
  seed_base64 = g_base64_encode (seed, sizeof seed);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "instance-id");
  json_builder_add_string_value (builder, INSTANCE_ID);
  json_builder_set_member_name (builder, "host-name");
  json_builder_add_string_value (builder, NEW_HOST_NAME);
  json_builder_set_member_name (builder, "regenerate-machine-id");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "rotate-ssh-host-keys");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "reset-network-state");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "random-seed");
  json_builder_add_string_value (builder, seed_base64);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_object_ref (json_node_get_object (root));
}

/* What must hold of a set-identity reply in this guest. */
static gboolean
check_set_identity_reply (JsonObject  *reply,
                          const char  *old_machine_id,
                          GError     **error)
{
  const char *done_steps[] = { "host-name", "machine-id", "ssh-host-keys", "random-seed" };
  JsonObject *identity = json_object_get_object_member (reply, "identity");
  const char *machine_id;

  print_steps (reply);
  if (!json_object_get_boolean_member_with_default (reply, "complete", FALSE))
    return vm_fail (error, "set-identity is not complete");
  for (gsize i = 0; i < G_N_ELEMENTS (done_steps); i++)
    if (g_strcmp0 (step_status (reply, done_steps[i]), "done") != 0)
      return vm_fail (error, "step %s: %s, expected done", done_steps[i],
                      step_status (reply, done_steps[i]));
  /* No systemd in an initramfs: nothing to restart. */
  if (g_strcmp0 (step_status (reply, "journald"), "skipped") != 0)
    return vm_fail (error, "step journald: %s, expected skipped (no systemd in the guest)",
                    step_status (reply, "journald"));
  if (!json_object_get_boolean_member_with_default (reply, "reboot-required", FALSE))
    return vm_fail (error, "the machine-id changed but reboot-required is not true");
  if (identity == NULL)
    return vm_fail (error, "the reply has no identity");

  machine_id = json_object_get_string_member_with_default (identity, "machine-id", "");
  if (g_strcmp0 (json_object_get_string_member_with_default (identity, "host-name", NULL),
                 NEW_HOST_NAME) != 0)
    return vm_fail (error, "identity's host-name is %s, expected %s",
                    json_object_get_string_member_with_default (identity, "host-name", "?"),
                    NEW_HOST_NAME);
  if (g_str_equal (machine_id, old_machine_id) ||
      g_strcmp0 (json_object_get_string_member_with_default (identity, "machine-id-state", NULL),
                 "valid") != 0)
    return vm_fail (error, "the machine-id did not change to a valid new one (%s)", machine_id);
  return TRUE;
}

gboolean
vm_identity_check_set_identity (Vm      *vm,
                                GError **error)
{
  g_autoptr(JsonNode) old_identity = guestlink_client_get_identity (vm->client, NULL, error);
  g_autoptr(JsonObject) arguments = set_identity_arguments ();
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonNode) new_identity = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autofree char *host_name = NULL;
  g_autofree char *old_machine_id = NULL;
  JsonObject *rotation;
  gint64 start;

  if (old_identity == NULL)
    return FALSE;
  old_machine_id = g_strdup (json_object_get_string_member (json_node_get_object (old_identity),
                                                            "machine-id"));
  before = host_key_fingerprints (vm, error);
  if (before == NULL)
    return FALSE;

  start = g_get_monotonic_time ();
  reply = call_object (vm, "__org.guestlink_set-identity", arguments, error);
  if (reply == NULL)
    return FALSE;
  printf ("# set-identity took %.1f s (TCG)\n",
          (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  if (!check_set_identity_reply (reply, old_machine_id, error))
    return FALSE;

  rotation = json_object_get_object_member (reply, "ssh-host-keys");
  after = host_key_fingerprints (vm, error);
  if (rotation == NULL)
    return vm_fail (error, "the reply has no ssh-host-keys");
  if (after == NULL ||
      !check_rotated_keys (json_object_get_array_member (rotation, "keys"), before, after, error) ||
      !check_sshd_serves (vm, json_object_get_array_member (rotation, "keys"), error))
    return FALSE;

  /* What a host sees afterwards: the agent's usual reports agree. */
  host_name = guestlink_client_get_host_name (vm->client, NULL, error);
  if (host_name == NULL)
    return FALSE;
  if (!g_str_equal (host_name, NEW_HOST_NAME))
    return vm_fail (error, "guest-get-host-name says %s, expected %s", host_name, NEW_HOST_NAME);
  new_identity = guestlink_client_get_identity (vm->client, NULL, error);
  if (new_identity == NULL)
    return FALSE;
  if (!json_node_equal (new_identity, json_object_get_member (reply, "identity")))
    return vm_fail (error, "get-identity differs from the identity set-identity returned");

  /* A host that timed out calls again: the same identity, not a third. */
  again = call_object (vm, "__org.guestlink_set-identity", arguments, error);
  if (again == NULL)
    return FALSE;
  if (!json_object_get_boolean_member_with_default (again, "resumed", FALSE))
    return vm_fail (error, "the repeated call does not say it resumed");
  if (!json_node_equal (json_object_get_member (again, "identity"), json_object_get_member (reply, "identity")) ||
      !json_node_equal (json_object_get_member (again, "steps"), json_object_get_member (reply, "steps")))
    return vm_fail (error, "the repeated call gave another result");
  printf ("# new identity: %s, machine-id %s -> %s\n", host_name, old_machine_id,
          json_object_get_string_member (json_node_get_object (new_identity), "machine-id"));
  return TRUE;
}
