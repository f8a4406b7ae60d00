/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What changes the Debian guest, in the order vm-debian runs it: a clone's
 * set-identity (through hostnamed, with sshd reloaded by systemd), a
 * freeze of the data disk and a stop of the unit while frozen, the port
 * unplugged and plugged back, then the packages purged and installed
 * again.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "qmp.h"
#include "ssh-keyscan.h"
#include "vm-debian-checks.h"
#include "vm.h"

#define NEW_HOST_NAME "debian-clone-1"
#define KEYSCAN_ATTEMPTS 5
#define RESTART_TIMEOUT_SECONDS 60
/* How long a writer on a frozen /data is given to get through. */
#define WRITER_SECONDS "3"

static const char *
step_member (JsonObject *reply,
             const char *name,
             const char *member)
{
  JsonArray *steps = json_object_get_array_member (reply, "steps");

  for (guint i = 0; steps != NULL && i < json_array_get_length (steps); i++)
    {
      JsonObject *step = json_array_get_object_element (steps, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (step, "name", NULL), name) == 0)
        return json_object_get_string_member_with_default (step, member, NULL);
    }
  return NULL;
}

gboolean
vm_debian_check_set_identity (DebianVm  *vm,
                              GError   **error)
{
  g_autoptr(JsonObject) arguments = debian_vm_arguments (
    "{\"instance-id\": \"vm-debian-clone-1\", \"host-name\": \"" NEW_HOST_NAME "\", "
    "\"regenerate-machine-id\": true, \"rotate-ssh-host-keys\": true}");
  const char *done_steps[] = { "host-name", "machine-id", "ssh-host-keys" };
  g_autofree char *old_machine_id = debian_vm_ssh_line (vm, "cat /etc/machine-id", error);
  g_autofree char *machine_id = NULL;
  g_autofree char *hostnamectl = NULL;
  g_autofree char *static_name = NULL;
  g_autoptr(JsonObject) reply = NULL;
  JsonObject *identity;
  JsonObject *rotation;
  const char *detail;
  gint64 start;

  if (old_machine_id == NULL)
    return FALSE;
  start = g_get_monotonic_time ();
  reply = debian_vm_call_object (vm, "__org.guestlink_set-identity", arguments, error);
  if (reply == NULL)
    return FALSE;
  printf ("# set-identity took %.1f s (TCG)\n",
          (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  {
    JsonArray *steps = json_object_get_array_member (reply, "steps");

    for (guint i = 0; steps != NULL && i < json_array_get_length (steps); i++)
      {
        JsonObject *step = json_array_get_object_element (steps, i);

        printf ("#   %s: %s %s%s\n", json_object_get_string_member_with_default (step, "name", "?"),
                json_object_get_string_member_with_default (step, "status", "?"),
                json_object_get_string_member_with_default (step, "detail", ""),
                json_object_get_string_member_with_default (step, "error", ""));
      }
  }
  if (!json_object_get_boolean_member_with_default (reply, "complete", FALSE))
    return vm_fail (error, "set-identity is not complete");
  for (gsize i = 0; i < G_N_ELEMENTS (done_steps); i++)
    if (g_strcmp0 (step_member (reply, done_steps[i], "status"), "done") != 0)
      return vm_fail (error, "step %s: %s, expected done", done_steps[i],
                      step_member (reply, done_steps[i], "status"));
  detail = step_member (reply, "host-name", "detail");
  if (detail == NULL || strstr (detail, "hostnamed") == NULL || strstr (detail, "no hostnamed") != NULL)
    return vm_fail (error, "the host name did not go through hostnamed: %s", detail);

  /* The guest agrees. */
  if ((hostnamectl = debian_vm_ssh_line (vm, "hostnamectl hostname", error)) == NULL ||
      (static_name = debian_vm_ssh_line (vm, "hostnamectl --static", error)) == NULL ||
      (machine_id = debian_vm_ssh_line (vm, "cat /etc/machine-id", error)) == NULL)
    return FALSE;
  if (!g_str_equal (hostnamectl, NEW_HOST_NAME) || !g_str_equal (static_name, NEW_HOST_NAME))
    return vm_fail (error, "hostnamectl says %s (static %s), expected %s", hostnamectl, static_name,
                    NEW_HOST_NAME);
  identity = json_object_get_object_member (reply, "identity");
  if (identity == NULL || g_str_equal (machine_id, old_machine_id) ||
      g_strcmp0 (json_object_get_string_member_with_default (identity, "machine-id", NULL),
                 machine_id) != 0)
    return vm_fail (error, "/etc/machine-id went from %s to %s; the agent says %s", old_machine_id,
                    machine_id, identity != NULL ? json_object_get_string_member_with_default (
                                   identity, "machine-id", "?") : "nothing");
  printf ("# hostnamectl: %s; /etc/machine-id %s -> %s\n", hostnamectl, old_machine_id, machine_id);

  rotation = json_object_get_object_member (reply, "ssh-host-keys");
  if (rotation == NULL || json_object_get_array_member (rotation, "keys") == NULL)
    return vm_fail (error, "the reply has no ssh-host-keys");
  if (!json_object_get_boolean_member_with_default (rotation, "sshd-reloaded", FALSE) ||
      g_strcmp0 (json_object_get_string_member_with_default (rotation, "sshd-reload-method", NULL),
                 "systemd") != 0)
    return vm_fail (error, "sshd was not reloaded through systemd (method %s)",
                    json_object_get_string_member_with_default (rotation, "sshd-reload-method", "none"));
  return ssh_keyscan_check_serves (vm->ssh_port, json_object_get_array_member (rotation, "keys"),
                                   KEYSCAN_ATTEMPTS, error);
}

static gboolean
expect_status (DebianVm    *vm,
               const char  *expected,
               GError     **error)
{
  g_autoptr(JsonNode) status = guestlink_client_call (vm->client, "guest-fsfreeze-status", NULL,
                                                      -1, NULL, error);

  if (status == NULL)
    return FALSE;
  if (g_strcmp0 (json_node_get_string (status), expected) != 0)
    return vm_fail (error, "guest-fsfreeze-status is %s, expected %s", json_node_get_string (status),
                    expected);
  return TRUE;
}

static gboolean
freeze_data (DebianVm  *vm,
             GError   **error)
{
  g_autoptr(JsonObject) arguments = debian_vm_arguments ("{\"mountpoints\": [\"/data\"]}");
  g_autoptr(JsonNode) count = guestlink_client_call (vm->client, "guest-fsfreeze-freeze-list",
                                                     arguments, -1, NULL, error);

  if (count == NULL)
    return FALSE;
  if (json_node_get_int (count) != 1)
    return vm_fail (error, "guest-fsfreeze-freeze-list froze %" G_GINT64_FORMAT
                    " filesystems, expected /data alone", json_node_get_int (count));
  return expect_status (vm, "frozen", error);
}

/* Starts a writer of @file (a new name: even rm -f of a missing file
 * blocks on a frozen filesystem) on /data in a session of its own (ssh
 * must not wait for it: it blocks while /data is frozen), waits, and
 * says whether the file is there yet. */
static gboolean
writer_gets_through (DebianVm    *vm,
                     const char  *file,
                     gboolean    *out_written,
                     GError     **error)
{
  g_autofree char *command = g_strdup_printf (
    "setsid -f touch /data/%s </dev/null >/dev/null 2>&1; "
    "for i in $(seq 1 " WRITER_SECONDS "0); do [ -e /data/%s ] && echo written && exit; "
    "sleep 0.1; done; echo blocked", file, file);
  g_autofree char *answer = debian_vm_ssh_line (vm, command, error);

  if (answer == NULL)
    return FALSE;
  *out_written = g_str_equal (answer, "written");
  return TRUE;
}

static gboolean
wait_for_file (DebianVm    *vm,
               const char  *file,
               GError     **error)
{
  g_autofree char *command = g_strdup_printf (
    "for i in $(seq 1 100); do [ -e /data/%s ] && exit; sleep 0.1; done; exit 1", file);

  return debian_vm_ssh (vm, command, NULL, error);
}

/* A failed check leaves /data thawed for the ones after it. */
static void
thaw_anyway (DebianVm *vm)
{
  g_autoptr(JsonNode) thawed = guestlink_client_call (vm->client, "guest-fsfreeze-thaw", NULL, -1,
                                                      NULL, NULL);

  if (thawed == NULL)
    debian_vm_ssh (vm, "fsfreeze --unfreeze /data", NULL, NULL);
}

gboolean
vm_debian_check_freeze_thaw (DebianVm  *vm,
                             GError   **error)
{
  g_autoptr(JsonNode) thawed = NULL;
  gboolean written;

  if (!writer_gets_through (vm, "before-freeze", &written, error))
    return FALSE;
  if (!written)
    return vm_fail (error, "a write to /data blocks before any freeze");
  if (!freeze_data (vm, error) || !writer_gets_through (vm, "during-freeze", &written, error))
    {
      thaw_anyway (vm);
      return FALSE;
    }
  if (written)
    {
      thaw_anyway (vm);
      return vm_fail (error, "a writer created /data/during-freeze while /data was frozen");
    }
  printf ("# a writer on /data blocks while it is frozen\n");

  thawed = guestlink_client_call (vm->client, "guest-fsfreeze-thaw", NULL, -1, NULL, error);
  if (thawed == NULL)
    {
      thaw_anyway (vm);
      return FALSE;
    }
  if (json_node_get_int (thawed) != 1)
    return vm_fail (error, "guest-fsfreeze-thaw thawed %" G_GINT64_FORMAT ", expected 1",
                    json_node_get_int (thawed));
  if (!expect_status (vm, "thawed", error))
    return FALSE;
  if (!wait_for_file (vm, "during-freeze", error))
    {
      g_prefix_error (error, "the blocked writer did not finish after the thaw: ");
      return FALSE;
    }
  printf ("# thawed: the blocked writer finished\n");
  return TRUE;
}

static char *
unit_state (DebianVm  *vm,
            GError   **error)
{
  return debian_vm_ssh_line (vm, "systemctl show -p ActiveState --value guestlinkd.service", error);
}

gboolean
vm_debian_check_stop_thaws (DebianVm  *vm,
                            GError   **error)
{
  g_autofree char *stopped = NULL;
  g_autofree char *started = NULL;
  gboolean written;
  gint64 start;

  if (!freeze_data (vm, error))
    {
      thaw_anyway (vm);
      return FALSE;
    }
  if (!writer_gets_through (vm, "before-stop", &written, error) || written)
    {
      thaw_anyway (vm);
      return written ? vm_fail (error, "a writer created /data/before-stop while /data was frozen")
                     : FALSE;
    }
  guestlink_client_close (vm->client);
  /* / is not frozen: ssh and systemctl work. */
  if (!debian_vm_ssh (vm, "systemctl stop guestlinkd.service", NULL, error) ||
      (stopped = unit_state (vm, error)) == NULL)
    {
      debian_vm_ssh (vm, "fsfreeze --unfreeze /data", NULL, NULL);
      return FALSE;
    }
  if (!g_str_equal (stopped, "inactive"))
    {
      debian_vm_ssh (vm, "fsfreeze --unfreeze /data", NULL, NULL);
      return vm_fail (error, "after systemctl stop the unit is %s", stopped);
    }
  if (!writer_gets_through (vm, "after-stop", &written, error))
    return FALSE;
  if (!written)
    {
      debian_vm_ssh (vm, "fsfreeze --unfreeze /data", NULL, NULL);
      return vm_fail (error, "/data is still frozen after the agent stopped");
    }
  if (!wait_for_file (vm, "before-stop", error))
    {
      g_prefix_error (error, "the writer blocked before the stop did not finish: ");
      return FALSE;
    }
  printf ("# the agent stopped: /data took a new write and the blocked one finished\n");

  start = g_get_monotonic_time ();
  if (!debian_vm_ssh (vm, "systemctl start guestlinkd.service", NULL, error) ||
      !debian_vm_wait_for_agent (vm, RESTART_TIMEOUT_SECONDS, error) ||
      !expect_status (vm, "thawed", error))
    return FALSE;
  started = unit_state (vm, error);
  if (started == NULL)
    return FALSE;
  if (!g_str_equal (started, "active"))
    return vm_fail (error, "after systemctl start the unit is %s", started);
  printf ("# started again: it answered %.1f s later, status thawed\n",
          (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  return TRUE;
}

/* The port goes away (QMP device_del, as a management stack does when it
 * reconfigures the channel): BindsTo= must stop the unit. A new port
 * (device_add): the udev rule must start it again. */
gboolean
vm_debian_check_port_replug (DebianVm  *vm,
                             GError   **error)
{
  g_autofree char *qmp_path = g_strconcat (vm->socket_path, ".qmp", NULL);
  g_autoptr(Qmp) qmp = qmp_connect (qmp_path, error);
  g_autofree char *old_pid = NULL;
  g_autofree char *new_pid = NULL;
  g_autofree char *state = NULL;
  const char *main_pid = "systemctl show -p MainPID --value guestlinkd.service";
  gint64 start;

  if (qmp == NULL || (old_pid = debian_vm_ssh_line (vm, main_pid, error)) == NULL)
    return FALSE;

  guestlink_client_close (vm->client);
  start = g_get_monotonic_time ();
  if (!qmp_execute (qmp, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"agentport\"}}",
                    error) ||
      !qmp_wait_event (qmp, "DEVICE_DELETED", 30, error))
    return FALSE;
  for (int i = 0; i < RESTART_TIMEOUT_SECONDS * 2; i++)
    {
      g_free (state);
      state = unit_state (vm, error);
      if (state == NULL)
        return FALSE;
      if (g_str_equal (state, "inactive"))
        break;
      g_usleep (G_USEC_PER_SEC / 2);
    }
  if (!g_str_equal (state, "inactive"))
    return vm_fail (error, "the port is gone, but guestlinkd.service is %s", state);
  printf ("# port unplugged: the unit stopped %.1f s later (BindsTo=)\n",
          (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  start = g_get_monotonic_time ();
  if (!qmp_execute (qmp, "{\"execute\": \"device_add\", \"arguments\": {"
                         "\"driver\": \"virtserialport\", \"chardev\": \"qga0\", "
                         "\"name\": \"org.qemu.guest_agent.0\", \"id\": \"agentport\"}}", error) ||
      !debian_vm_wait_for_agent (vm, RESTART_TIMEOUT_SECONDS, error) ||
      (new_pid = debian_vm_ssh_line (vm, main_pid, error)) == NULL)
    return FALSE;
  if (g_str_equal (new_pid, "0") || g_str_equal (new_pid, old_pid))
    return vm_fail (error, "after the port came back the agent's pid is %s (before: %s)",
                    new_pid, old_pid);
  printf ("# port plugged back: udev started the agent (pid %s, was %s), answering %.1f s later\n",
          new_pid, old_pid, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  return TRUE;
}

static char *
package_list (DebianVm *vm)
{
  return g_strjoinv (" ", vm->packages);
}

gboolean
vm_debian_check_purge (DebianVm  *vm,
                       GError   **error)
{
  g_autofree char *packages = package_list (vm);
  g_autofree char *list_files = g_strdup_printf (
    "dpkg -L %s | while read -r f; do "
    "if [ ! -d \"$f\" ] && { [ -f \"$f\" ] || [ -L \"$f\" ]; }; then echo \"$f\"; fi; done",
    packages);
  g_autofree char *files = NULL;
  g_autofree char *purge = g_strdup_printf ("dpkg --purge %s", packages);
  g_autofree char *status = NULL;
  g_autofree char *status_command = g_strdup_printf (
    "dpkg-query -W -f='${Package} ${db:Status-Status}\\n' %s 2>/dev/null || true", packages);
  g_autofree char *left = NULL;
  g_autofree char *left_command = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *unit = NULL;
  g_autofree char *processes = NULL;
  g_autoptr(GError) ping_error = NULL;
  g_autoptr(JsonNode) pong = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) properties = NULL;

  /* What the packages put on the disk, and what the agent made. */
  if (!debian_vm_ssh (vm, list_files, &files, error))
    return FALSE;
  state_dir = debian_vm_ssh_line (vm, "ls -d /etc/guestlink /var/lib/guestlink 2>&1 || true", error);
  if (state_dir == NULL)
    return FALSE;
  g_strdelimit (state_dir, "\n", ' ');
  printf ("# before the purge: %s\n", state_dir);
  g_strdelimit (files, "\n", ' ');
  if (strstr (files, "guestlinkd.service") == NULL || strstr (files, "rules.d/") == NULL)
    return vm_fail (error, "the packages hold no unit or no udev rule: %s", files);

  guestlink_client_close (vm->client);
  if (!debian_vm_ssh (vm, purge, NULL, error) || !debian_vm_ssh (vm, status_command, &status, error))
    return FALSE;
  lines = g_strsplit (status, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    if (g_str_has_suffix (*line, " installed") || g_str_has_suffix (*line, " config-files"))
      return vm_fail (error, "after the purge: %s", *line);

  left_command = g_strdup_printf ("for f in %s /etc/guestlink /var/lib/guestlink; do "
                                  "if [ -e \"$f\" ] || [ -L \"$f\" ]; then echo \"$f\"; fi; done",
                                  files);
  left = debian_vm_ssh_line (vm, left_command, error);
  if (left == NULL)
    return FALSE;
  if (*left != '\0')
    return vm_fail (error, "left after the purge: %s", left);

  if ((unit = debian_vm_ssh_line (vm, "systemctl show -p LoadState -p ActiveState guestlinkd.service",
                        error)) == NULL ||
      (processes = debian_vm_ssh_line (vm, "grep -lx guestlinkd /proc/[0-9]*/comm 2>/dev/null || true",
                             error)) == NULL)
    return FALSE;
  properties = debian_vm_parse_properties (unit);
  if (g_strcmp0 (g_hash_table_lookup (properties, "LoadState"), "not-found") != 0 ||
      g_strcmp0 (g_hash_table_lookup (properties, "ActiveState"), "inactive") != 0)
    return vm_fail (error, "systemd still knows guestlinkd.service: %s", unit);
  if (*processes != '\0')
    return vm_fail (error, "a guestlinkd process is still running: %s", processes);

  /* Nothing answers on the channel. */
  pong = guestlink_client_call (vm->client, "guest-ping", NULL, 3000, NULL, &ping_error);
  guestlink_client_close (vm->client);
  if (pong != NULL)
    return vm_fail (error, "something still answers guest-ping on the agent's port");
  printf ("# purged %s: no file, unit or process left; the port is silent\n", packages);
  return TRUE;
}

gboolean
vm_debian_check_reinstall (DebianVm  *vm,
                           GError   **error)
{
  g_autofree char *state = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!debian_vm_ssh (vm, "dpkg -i " DEBIAN_VM_DEBS_DIR "/*.deb", NULL, error) ||
      !debian_vm_wait_for_agent (vm, RESTART_TIMEOUT_SECONDS, error))
    return FALSE;
  state = unit_state (vm, error);
  if (state == NULL)
    return FALSE;
  if (!g_str_equal (state, "active"))
    return vm_fail (error, "after dpkg -i the unit is %s", state);
  printf ("# the agent answered %.1f s after dpkg -i began\n",
          (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  return guestlink_client_ping (vm->client, NULL, error);
}
