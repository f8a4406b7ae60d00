/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Each command family once, under the packaged unit and its hardening,
 * and each answer held against what the guest says over ssh: a command
 * the sandbox broke would fail or answer differently here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vm-debian-checks.h"
#include "vm.h"

/* TCG's clock and the host's: a generous bound for "the same time". */
#define CLOCK_TOLERANCE_SECONDS 120

static JsonNode *
call (DebianVm    *vm,
      const char  *command,
      const char  *arguments,
      GError     **error)
{
  g_autoptr(JsonObject) object = arguments != NULL ? debian_vm_arguments (arguments) : NULL;
  JsonNode *result = guestlink_client_call (vm->client, command, object, -1, NULL, error);

  if (result == NULL)
    g_prefix_error (error, "%s: ", command);
  return result;
}

gboolean
vm_debian_check_info (DebianVm  *vm,
                      GError   **error)
{
  g_autoptr(JsonNode) info = call (vm, "guest-info", NULL, error);
  g_autofree char *package_version = NULL;
  const char *required[] = { "guest-sync-delimited", "guest-fsfreeze-freeze-list", "guest-fstrim",
                             "guest-get-fsinfo", "guest-ssh-add-authorized-keys",
                             "__org.guestlink_set-identity" };
  const char *version;
  JsonArray *commands;

  if (info == NULL)
    return FALSE;
  package_version = debian_vm_ssh_line (vm, "dpkg-query -W -f='${Version}' guestlinkd", error);
  if (package_version == NULL)
    return FALSE;
  version = json_object_get_string_member_with_default (json_node_get_object (info), "version", "");
  /* 0.1.0 in package version 0.1.0-1 */
  if (*version == '\0' || !g_str_has_prefix (package_version, version) ||
      (package_version[strlen (version)] != '-' && package_version[strlen (version)] != '\0'))
    return vm_fail (error, "the agent says version %s, the package is %s", version, package_version);

  commands = json_object_get_array_member (json_node_get_object (info), "supported_commands");
  for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
    {
      gboolean enabled = FALSE;

      for (guint j = 0; commands != NULL && j < json_array_get_length (commands); j++)
        {
          JsonObject *command = json_array_get_object_element (commands, j);

          if (g_strcmp0 (json_object_get_string_member_with_default (command, "name", NULL),
                         required[i]) == 0)
            enabled = json_object_get_boolean_member_with_default (command, "enabled", FALSE);
        }
      if (!enabled)
        return vm_fail (error, "%s is not an enabled command with the default configuration",
                        required[i]);
    }
  printf ("# agent %s, package guestlinkd %s, %u commands\n", version, package_version,
          commands != NULL ? json_array_get_length (commands) : 0);
  return TRUE;
}

gboolean
vm_debian_check_system (DebianVm  *vm,
                        GError   **error)
{
  g_autofree char *host_name = guestlink_client_get_host_name (vm->client, NULL, error);
  g_autofree char *guest_host_name = NULL;
  g_autofree char *uname = NULL;
  g_autoptr(JsonNode) osinfo = NULL;
  g_autoptr(JsonNode) users = NULL;
  JsonObject *os;
  gint64 guest_ns;
  double offset;

  if (host_name == NULL)
    return FALSE;
  guest_host_name = debian_vm_ssh_line (vm, "hostname", error);
  if (guest_host_name == NULL)
    return FALSE;
  if (!g_str_equal (host_name, guest_host_name) || !g_str_equal (host_name, DEBIAN_VM_HOST_NAME))
    return vm_fail (error, "guest-get-host-name says %s, hostname in the guest %s", host_name,
                    guest_host_name);

  if ((osinfo = guestlink_client_get_osinfo (vm->client, NULL, error)) == NULL ||
      (uname = debian_vm_ssh_line (vm, "uname -r", error)) == NULL)
    return FALSE;
  os = json_node_get_object (osinfo);
  if (g_strcmp0 (json_object_get_string_member_with_default (os, "id", NULL), "debian") != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (os, "version-id", NULL), "12") != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (os, "kernel-release", NULL), uname) != 0 ||
      !g_str_equal (uname, vm->kernel_release))
    return vm_fail (error, "guest-get-osinfo says %s %s, kernel %s; expected debian 12, kernel %s "
                    "(uname -r), the image's %s",
                    json_object_get_string_member_with_default (os, "id", "?"),
                    json_object_get_string_member_with_default (os, "version-id", "?"),
                    json_object_get_string_member_with_default (os, "kernel-release", "?"),
                    uname, vm->kernel_release);
  printf ("# %s, kernel %s\n", json_object_get_string_member_with_default (os, "pretty-name", "?"),
          uname);

  users = guestlink_client_get_users (vm->client, NULL, error);
  if (users == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (users))
    return vm_fail (error, "guest-get-users did not answer a list");

  if (!guestlink_client_get_time (vm->client, &guest_ns, NULL, error))
    return FALSE;
  offset = guest_ns / 1e9 - g_get_real_time () / 1e6;
  if (offset > CLOCK_TOLERANCE_SECONDS || offset < -CLOCK_TOLERANCE_SECONDS)
    return vm_fail (error, "guest-get-time is %.1f s off the host's clock", offset);
  printf ("# %u users logged in; the guest's clock is %.1f s off the host's\n",
          json_array_get_length (json_node_get_array (users)), offset);
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
sorted_lines (GPtrArray *lines)
{
  g_ptr_array_sort (lines, compare_strings);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("; ", (char **) lines->pdata);
}

/* The bind mounts some hardening options would add show up in the
 * agent's mountinfo as more mounts of the guest's disks: this compares
 * the agent's view with the guest's own. */
gboolean
vm_debian_check_fsinfo (DebianVm  *vm,
                        GError   **error)
{
  g_autoptr(JsonNode) fsinfo = call (vm, "guest-get-fsinfo", NULL, error);
  g_autofree char *findmnt = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) agent = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) guest = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *agent_text = NULL;
  g_autofree char *guest_text = NULL;
  JsonArray *array;

  if (fsinfo == NULL || !debian_vm_ssh (vm, "findmnt -rn -o TARGET,FSTYPE,SOURCE", &findmnt, error))
    return FALSE;

  /* Real disks: a source under /dev. */
  lines = g_strsplit (findmnt, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto(GStrv) words = g_strsplit (*line, " ", 3);

      if (g_strv_length (words) == 3 && g_str_has_prefix (words[2], "/dev/"))
        g_ptr_array_add (guest, g_strdup_printf ("%s %s %s", words[0], words[1], words[2] + 5));
    }

  array = json_node_get_array (fsinfo);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *filesystem = json_array_get_object_element (array, i);

      g_ptr_array_add (agent, g_strdup_printf (
                         "%s %s %s",
                         json_object_get_string_member_with_default (filesystem, "mountpoint", "?"),
                         json_object_get_string_member_with_default (filesystem, "type", "?"),
                         json_object_get_string_member_with_default (filesystem, "name", "?")));
    }

  agent_text = sorted_lines (agent);
  guest_text = sorted_lines (guest);
  if (!g_str_equal (agent_text, guest_text))
    return vm_fail (error, "guest-get-fsinfo lists %s; findmnt in the guest %s", agent_text,
                    guest_text);
  if (strstr (guest_text, DEBIAN_VM_DATA_MOUNTPOINT " ") == NULL)
    return vm_fail (error, "the data disk is not mounted on " DEBIAN_VM_DATA_MOUNTPOINT ": %s",
                    guest_text);
  printf ("# both list: %s\n", agent_text);
  return TRUE;
}

gboolean
vm_debian_check_fstrim (DebianVm  *vm,
                        GError   **error)
{
  g_autoptr(JsonNode) reply = call (vm, "guest-fstrim", NULL, error);
  JsonArray *paths;

  if (reply == NULL)
    return FALSE;
  paths = json_object_get_array_member (json_node_get_object (reply), "paths");
  for (guint i = 0; paths != NULL && i < json_array_get_length (paths); i++)
    {
      JsonObject *path = json_array_get_object_element (paths, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (path, "path", NULL),
                     DEBIAN_VM_DATA_MOUNTPOINT) != 0)
        continue;
      if (json_object_has_member (path, "error"))
        return vm_fail (error, "guest-fstrim of /data: %s",
                        json_object_get_string_member (path, "error"));
      printf ("# /data: %" G_GINT64_FORMAT " bytes trimmed\n",
              json_object_get_int_member_with_default (path, "trimmed", -1));
      return TRUE;
    }
  return vm_fail (error, "guest-fstrim's reply has no entry for /data");
}

gboolean
vm_debian_check_host_keys (DebianVm  *vm,
                           GError   **error)
{
  g_autoptr(JsonNode) reply = call (vm, "__org.guestlink_ssh-get-host-keys", NULL, error);
  g_autofree char *keygen = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) agent = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) guest = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *agent_text = NULL;
  g_autofree char *guest_text = NULL;
  JsonArray *keys;

  if (reply == NULL ||
      !debian_vm_ssh (vm, "for key in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf \"$key\"; done",
                      &keygen, error))
    return FALSE;

  /* "256 SHA256:... root@debian-template (ED25519)" */
  lines = g_strsplit (keygen, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto(GStrv) words = g_strsplit (*line, " ", 3);

      if (g_strv_length (words) == 3)
        g_ptr_array_add (guest, g_strdup (words[1]));
    }
  keys = json_object_get_array_member (json_node_get_object (reply), "keys");
  for (guint i = 0; keys != NULL && i < json_array_get_length (keys); i++)
    g_ptr_array_add (agent, g_strdup (json_object_get_string_member_with_default (
                       json_array_get_object_element (keys, i), "fingerprint", "none")));

  agent_text = sorted_lines (agent);
  guest_text = sorted_lines (guest);
  if (agent->len == 1 || !g_str_equal (agent_text, guest_text))
    return vm_fail (error, "the agent reports %s; ssh-keygen -l in the guest %s", agent_text,
                    guest_text);
  printf ("# %u host keys: %s\n", agent->len - 1, agent_text);
  return TRUE;
}
