/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The packages in a real Debian 12 guest: boots the image
 * build-debian-image made, where systemd starts the packaged guestlinkd
 * through its udev rule, and checks it from the host through libguestlink
 * and the guestlink CLI, as a management stack would, and from inside the
 * guest over ssh, as root, with a key the agent itself installed.
 *
 *   vm-debian --boot-vm PATH --image DIR --cli PATH [--console-log PATH]
 *
 * Output is TAP; each check prints how long it took.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <guestlink-1/guestlink.h>

#include "debian-vm.h"
#include "vm-debian-checks.h"
#include "vm.h"

/* systemd in the guest under TCG: about 30 s to the agent. */
#define BOOT_TIMEOUT_SECONDS 300
#define SSH_WAIT_SECONDS 120

typedef gboolean (*DebianCheckFunc) (DebianVm *vm, GError **error);

typedef struct {
  const char *name;
  DebianCheckFunc func;
} DebianCheck;

/* The test's key goes in through the agent (which proves
 * guest-ssh-add-authorized-keys under the hardened unit), then every
 * other check can run commands in the guest. sshd may start after the
 * agent: the first logins are retried. */
static gboolean
check_ssh_key (DebianVm  *vm,
               GError   **error)
{
  g_autofree char *public_path = g_strconcat (vm->key_path, ".pub", NULL);
  g_autofree char *public_key = NULL;
  g_autofree char *user = NULL;
  g_auto(GStrv) keys = NULL;
  const char *add[2] = { NULL, NULL };
  gint64 deadline = g_get_monotonic_time () + SSH_WAIT_SECONDS * G_USEC_PER_SEC;

  if (!g_file_get_contents (public_path, &public_key, NULL, error))
    return FALSE;
  g_strstrip (public_key);
  add[0] = public_key;
  if (!guestlink_client_ssh_add_authorized_keys (vm->client, "root", add, FALSE, NULL, error))
    return FALSE;
  keys = guestlink_client_ssh_get_authorized_keys (vm->client, "root", NULL, error);
  if (keys == NULL)
    return FALSE;
  if (!g_strv_contains ((const char * const *) keys, public_key))
    return vm_fail (error, "guest-ssh-get-authorized-keys does not list the key just added");

  for (;;)
    {
      g_autoptr(GError) ssh_error = NULL;

      if (debian_vm_ssh (vm, "id -un", &user, &ssh_error))
        break;
      if (g_get_monotonic_time () > deadline)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&ssh_error),
                                      "no ssh login within %d s: ", SSH_WAIT_SECONDS);
          return FALSE;
        }
      g_usleep (G_USEC_PER_SEC);
    }
  g_strstrip (user);
  if (!g_str_equal (user, "root"))
    return vm_fail (error, "ssh logged in as %s, expected root", user);
  printf ("# root logs in over ssh on 127.0.0.1:%u with the key the agent installed\n",
          vm->ssh_port);
  return TRUE;
}

/* udev's rule made the port's device unit want guestlinkd.service, and
 * systemd started it as packaged: no options, the default configuration. */
static gboolean
check_started_by_udev (DebianVm  *vm,
                       GError   **error)
{
  g_autofree char *show = NULL;
  g_autofree char *udev = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *pid_command = NULL;
  g_autofree char *conffiles = NULL;
  g_autofree char *md5 = NULL;
  g_autofree char *active_lines = NULL;
  g_autoptr(GHashTable) unit = NULL;
  g_autoptr(GHashTable) device = NULL;
  const char *wanted_by;
  const char *tags;

  if (!debian_vm_ssh (vm, "systemctl show guestlinkd.service -p ActiveState -p SubState "
                          "-p MainPID -p Type -p WantedBy -p UnitFileState -p FragmentPath",
                      &show, error) ||
      !debian_vm_ssh (vm, "udevadm info --query=property --name=" DEBIAN_VM_AGENT_PORT,
                      &udev, error))
    return FALSE;
  unit = debian_vm_parse_properties (show);
  device = debian_vm_parse_properties (udev);

  {
    g_autofree char *commented = g_strdelimit (g_strstrip (g_strdup (show)), "\n", ' ');

    printf ("# %s\n", commented);
  }
  if (g_strcmp0 (g_hash_table_lookup (unit, "ActiveState"), "active") != 0 ||
      g_strcmp0 (g_hash_table_lookup (unit, "SubState"), "running") != 0)
    return vm_fail (error, "guestlinkd.service is %s/%s, expected active/running",
                    (char *) g_hash_table_lookup (unit, "ActiveState"),
                    (char *) g_hash_table_lookup (unit, "SubState"));
  if (g_strcmp0 (g_hash_table_lookup (unit, "Type"), "notify") != 0)
    return vm_fail (error, "the unit's Type is %s, expected notify",
                    (char *) g_hash_table_lookup (unit, "Type"));
  /* No [Install] section: nothing but udev starts it. */
  if (g_strcmp0 (g_hash_table_lookup (unit, "UnitFileState"), "static") != 0)
    return vm_fail (error, "the unit file is %s, expected static (started by udev only)",
                    (char *) g_hash_table_lookup (unit, "UnitFileState"));
  wanted_by = g_hash_table_lookup (unit, "WantedBy");
  if (wanted_by == NULL || strstr (wanted_by, ".device") == NULL)
    return vm_fail (error, "no device unit wants guestlinkd.service (WantedBy=%s)", wanted_by);

  tags = g_hash_table_lookup (device, "TAGS");
  if (g_strcmp0 (g_hash_table_lookup (device, "SYSTEMD_WANTS"), "guestlinkd.service") != 0 ||
      tags == NULL || strstr (tags, ":systemd:") == NULL)
    return vm_fail (error, "udev's properties of %s: SYSTEMD_WANTS=%s TAGS=%s, expected "
                    "guestlinkd.service and the systemd tag", DEBIAN_VM_AGENT_PORT,
                    (char *) g_hash_table_lookup (device, "SYSTEMD_WANTS"), tags);
  printf ("# udev: SYSTEMD_WANTS=guestlinkd.service TAGS=%s\n", tags);

  pid_command = g_strdup_printf ("tr '\\0' '\\n' < /proc/%s/cmdline",
                                 (char *) g_hash_table_lookup (unit, "MainPID"));
  if (!debian_vm_ssh (vm, pid_command, &cmdline, error))
    return FALSE;
  g_strstrip (cmdline);
  if (!g_str_equal (cmdline, "/usr/sbin/guestlinkd"))
    return vm_fail (error, "the agent runs as \"%s\", expected /usr/sbin/guestlinkd without "
                    "options", cmdline);

  /* The configuration file is the packaged one, every key commented. */
  if (!debian_vm_ssh (vm, "dpkg-query -W -f='${Conffiles}\\n' guestlinkd | "
                          "awk '$1 == \"/etc/guestlink/guestlinkd.conf\" { print $2 }'",
                      &conffiles, error) ||
      !debian_vm_ssh (vm, "md5sum < /etc/guestlink/guestlinkd.conf | cut -d' ' -f1", &md5, error) ||
      !debian_vm_ssh (vm, "grep -Ev '^[[:space:]]*([#;[]|$)' /etc/guestlink/guestlinkd.conf || true",
                      &active_lines, error))
    return FALSE;
  g_strstrip (conffiles);
  g_strstrip (md5);
  g_strstrip (active_lines);
  if (*conffiles == '\0' || !g_str_equal (conffiles, md5))
    return vm_fail (error, "/etc/guestlink/guestlinkd.conf (md5 %s) is not the conffile "
                    "guestlinkd shipped (md5 %s)", md5, conffiles);
  if (*active_lines != '\0')
    return vm_fail (error, "the default configuration sets something: %s", active_lines);
  printf ("# /proc/%s/cmdline: %s; /etc/guestlink/guestlinkd.conf is the packaged default\n",
          (char *) g_hash_table_lookup (unit, "MainPID"), cmdline);
  return TRUE;
}

static JsonNode *
cli_json (DebianVm    *vm,
          const char  *command,
          GError     **error)
{
  const char *args[] = { "--json", command, NULL };
  g_autofree char *output = debian_vm_cli (vm, args, error);

  if (output == NULL)
    return NULL;
  return json_from_string (output, error);
}

/* The built CLI, the way a user runs it on the host. */
static gboolean
check_cli_identity_and_interfaces (DebianVm  *vm,
                                   GError   **error)
{
  g_autoptr(JsonNode) identity = cli_json (vm, "identity", error);
  g_autoptr(JsonNode) interfaces = NULL;
  g_autofree char *machine_id = NULL;
  g_autofree char *ip_line = NULL;
  g_auto(GStrv) ip_words = NULL;
  JsonObject *object;
  JsonArray *array;

  if (identity == NULL || !JSON_NODE_HOLDS_OBJECT (identity))
    return vm_fail (error, "guestlink identity gave no object");
  object = json_node_get_object (identity);
  if (!debian_vm_ssh (vm, "cat /etc/machine-id", &machine_id, error))
    return FALSE;
  g_strstrip (machine_id);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "host-name", NULL),
                 DEBIAN_VM_HOST_NAME) != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (object, "machine-id", NULL),
                 machine_id) != 0)
    return vm_fail (error, "guestlink identity says %s, machine-id %s; the guest is %s, %s",
                    json_object_get_string_member_with_default (object, "host-name", "?"),
                    json_object_get_string_member_with_default (object, "machine-id", "?"),
                    DEBIAN_VM_HOST_NAME, machine_id);
  printf ("# guestlink identity: %s, machine-id %s\n", DEBIAN_VM_HOST_NAME, machine_id);

  /* The interface the guest's DHCP client configured, as ip shows it. */
  if (!debian_vm_ssh (vm, "ip -o -4 addr show | grep ' " DEBIAN_VM_ADDRESS "/'", &ip_line, error))
    return FALSE;
  ip_words = g_strsplit_set (g_strstrip (ip_line), " \t", -1);
  interfaces = cli_json (vm, "interfaces", error);
  if (interfaces == NULL || !JSON_NODE_HOLDS_ARRAY (interfaces))
    return vm_fail (error, "guestlink interfaces gave no array");
  array = json_node_get_array (interfaces);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *interface = json_array_get_object_element (array, i);
      JsonArray *addresses = json_object_get_array_member (interface, "ip-addresses");

      for (guint j = 0; addresses != NULL && j < json_array_get_length (addresses); j++)
        {
          JsonObject *address = json_array_get_object_element (addresses, j);

          if (g_strcmp0 (json_object_get_string_member_with_default (address, "ip-address", NULL),
                         DEBIAN_VM_ADDRESS) != 0)
            continue;
          if (g_strcmp0 (json_object_get_string_member (interface, "name"), ip_words[1]) != 0)
            return vm_fail (error, "guestlink interfaces puts %s on %s, ip on %s", DEBIAN_VM_ADDRESS,
                            json_object_get_string_member (interface, "name"), ip_words[1]);
          printf ("# guestlink interfaces: %s %s has %s/%" G_GINT64_FORMAT " (DHCP)\n",
                  ip_words[1],
                  json_object_get_string_member_with_default (interface, "hardware-address", "-"),
                  DEBIAN_VM_ADDRESS, json_object_get_int_member (address, "prefix"));
          return TRUE;
        }
    }
  return vm_fail (error, "guestlink interfaces shows no %s (ip: %s)", DEBIAN_VM_ADDRESS, ip_line);
}

static const DebianCheck checks[] = {
  { "guest-ssh-add-authorized-keys installs the test's key; root logs in over ssh with it",
    check_ssh_key },
  { "systemd started the agent through the udev rule: no options, the packaged configuration",
    check_started_by_udev },
  { "guestlink identity and guestlink interfaces (the CLI): the guest's names and DHCP address",
    check_cli_identity_and_interfaces },
  { "guest-info: the packaged version, the commands enabled", vm_debian_check_info },
  { "guest-get-host-name, -osinfo (Debian 12), -users, -time", vm_debian_check_system },
  { "guest-get-fsinfo lists exactly the real disks findmnt lists", vm_debian_check_fsinfo },
  { "guest-fstrim trims /data", vm_debian_check_fstrim },
  { "SSH host keys: the agent reports the fingerprints ssh-keygen computes in the guest",
    vm_debian_check_host_keys },
  { "set-identity: the host name through hostnamed, a new machine-id, host keys sshd serves",
    vm_debian_check_set_identity },
  { "freeze of /data blocks a writer in the guest; thaw lets it finish",
    vm_debian_check_freeze_thaw },
  { "systemctl stop of the agent while /data is frozen thaws it; start, and it answers",
    vm_debian_check_stop_thaws },
  { "port unplugged: BindsTo= stops the agent; plugged back: udev starts it again",
    vm_debian_check_port_replug },
  { "dpkg --purge leaves nothing: no unit, udev rule, /etc/guestlink, /var/lib/guestlink, agent",
    vm_debian_check_purge },
  { "dpkg -i again: postinst starts the agent and it answers", vm_debian_check_reinstall },
};

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- the packages in a Debian guest");
  g_autoptr(GError) error = NULL;
  g_autofree char *boot_vm = NULL;
  g_autofree char *image = NULL;
  g_autofree char *cli = NULL;
  g_autofree char *console_log = NULL;
  DebianVm vm = { 0 };
  const GOptionEntry entries[] = {
    { "boot-vm", 0, 0, G_OPTION_ARG_FILENAME, &boot_vm, "The boot-debian-vm script", "PATH" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image, "What build-debian-image made", "DIR" },
    { "cli", 0, 0, G_OPTION_ARG_FILENAME, &cli, "The guestlink CLI", "PATH" },
    { "console-log", 0, 0, G_OPTION_ARG_FILENAME, &console_log, "Where to keep the console", "PATH" },
    { NULL }
  };
  guint number = 0, failed = 0;
  gint64 start;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      boot_vm == NULL || image == NULL || cli == NULL)
    {
      g_printerr ("vm-debian: %s\n", error != NULL ? error->message
                                                  : "--boot-vm, --image and --cli are required");
      return 2;
    }
  vm.boot_script = boot_vm;
  vm.image = image;
  vm.cli = cli;

  if (!debian_vm_load_image (&vm, &error))
    {
      g_printerr ("vm-debian: %s\n", error->message);
      return 2;
    }
  if (g_strv_length (vm.packages) == 0)
    {
      printf ("1..0 # SKIP the image has no guestlink packages installed\n");
      debian_vm_stop (&vm, NULL);
      return 77;
    }

  start = g_get_monotonic_time ();
  if (!debian_vm_boot (&vm, &error) ||
      !debian_vm_wait_for_agent (&vm, BOOT_TIMEOUT_SECONDS, &error))
    {
      printf ("not ok 1 - boot the Debian guest and reach its agent: %s\n1..1\n", error->message);
      fflush (stdout);
      debian_vm_stop (&vm, console_log);
      return 1;
    }
  printf ("# boot to the agent's first reply: %.1f s (TCG)\n",
          (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  for (gsize i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_autoptr(GError) check_error = NULL;
      gint64 check_start = g_get_monotonic_time ();

      number++;
      if (checks[i].func (&vm, &check_error))
        printf ("ok %u - %s (%.1f s)\n", number, checks[i].name,
                (g_get_monotonic_time () - check_start) / (double) G_USEC_PER_SEC);
      else if (g_error_matches (check_error, VM_SKIP_ERROR, 0))
        printf ("ok %u - %s # SKIP %s\n", number, checks[i].name, check_error->message);
      else
        {
          failed++;
          printf ("not ok %u - %s: %s (%.1f s)\n", number, checks[i].name, check_error->message,
                  (g_get_monotonic_time () - check_start) / (double) G_USEC_PER_SEC);
        }
      fflush (stdout);
    }

  printf ("1..%u\n", number);
  debian_vm_stop (&vm, console_log);
  return failed == 0 ? 0 : 1;
}
