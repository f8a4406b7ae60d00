/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent in a real VM: boots the guest build-guest made (with boot-vm,
 * under QEMU TCG), with the agent on a real virtio-serial port, and checks
 * it from the host through libguestlink, as libvirt would.
 *
 *   vm-test --boot-vm PATH --images DIR --agent guestlinkd|qemu-ga [--replies DIR]
 *
 * Each check is one function in the table at the bottom; later features
 * add theirs there. qemu-ga runs the rows marked for it, for comparison;
 * some rows keep qemu-ga's raw replies in the --replies directory, where
 * guestlinkd's run, which comes after it, compares its own with them.
 * Output is TAP, so meson prints each check.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <guestlink-1/guestlink.h>

#include "qmp.h"
#include "vm-fsfreeze.h"
#include "vm-fsinfo.h"
#include "vm-identity.h"
#include "vm.h"

#define IDLE_SECONDS 10
#define RTT_ROUNDS 200

typedef gboolean (*VmCheckFunc) (Vm *vm, GError **error);

typedef struct {
  const char *name;
  VmCheckFunc func;
  gboolean for_reference_agent;  /* also run against qemu-ga */
  const char *reference_skip;    /* if not run against qemu-ga: why, as a TAP skip */
} VmCheck;

/* "guest: wakeups uptime=12.19 tasks=116:5,120:3," into @uptime and
 * @tasks (thread id -> voluntary context switches, as guint64 values). */
static gboolean
parse_wakeups (const char  *line,
               double      *uptime,
               GHashTable **tasks)
{
  const char *list = strstr (line, " tasks=");
  g_auto(GStrv) entries = NULL;

  if (sscanf (line, "guest: wakeups uptime=%lf", uptime) != 1 || list == NULL)
    return FALSE;

  *tasks = g_hash_table_new_full (g_int_hash, g_int_equal, g_free, g_free);
  entries = g_strsplit (list + strlen (" tasks="), ",", -1);
  for (char **entry = entries; *entry != NULL; entry++)
    {
      int tid;
      guint64 switches;

      if (sscanf (*entry, "%d:%" G_GUINT64_FORMAT, &tid, &switches) == 2)
        g_hash_table_insert (*tasks, g_memdup2 (&tid, sizeof tid),
                             g_memdup2 (&switches, sizeof switches));
    }
  return g_hash_table_size (*tasks) > 0;
}

/* Wakeups between two readings: the threads alive at the end, from 0 for
 * one that began in between. A thread that ended in between (a worker of
 * an earlier command, which GLib lets go after 15 s) woke only to end:
 * counted apart in @ended. */
static guint64
count_wakeups (GHashTable *start,
               GHashTable *end,
               guint      *ended)
{
  GHashTableIter iter;
  gpointer tid, switches;
  guint64 total = 0;

  g_hash_table_iter_init (&iter, end);
  while (g_hash_table_iter_next (&iter, &tid, &switches))
    {
      const guint64 *before = g_hash_table_lookup (start, tid);
      guint64 now = *(const guint64 *) switches;

      total += before != NULL && *before <= now ? now - *before : now;
    }

  *ended = 0;
  g_hash_table_iter_init (&iter, start);
  while (g_hash_table_iter_next (&iter, &tid, NULL))
    if (!g_hash_table_contains (end, tid))
      (*ended)++;
  return total;
}

/* The checks. */

static gboolean
check_sync_and_ping (Vm      *vm,
                     GError **error)
{
  /* connect() does the 0xFF + guest-sync-delimited handshake. */
  return guestlink_client_connect (vm->client, NULL, error) &&
         guestlink_client_ping (vm->client, NULL, error);
}

static gboolean
check_info (Vm      *vm,
            GError **error)
{
  g_autoptr(GuestlinkAgentInfo) info = guestlink_client_get_info (vm->client, NULL, error);
  const char *expected[] = { "guest-sync-delimited", "guest-ping", "guest-info" };

  if (info == NULL)
    return FALSE;

  printf ("# version %s, %u commands\n", guestlink_agent_info_get_version (info),
          guestlink_agent_info_get_commands (info)->len);
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GuestlinkAgentCommand *command = guestlink_agent_info_lookup_command (info, expected[i]);

      if (command == NULL || !guestlink_agent_command_get_enabled (command))
        return vm_fail (error, "%s is missing or disabled", expected[i]);
    }

  return TRUE;
}

static gboolean
check_reconnects (Vm      *vm,
                  GError **error)
{
  for (int round = 0; round < 5; round++)
    {
      gint64 start;

      guestlink_client_close (vm->client);
      start = g_get_monotonic_time ();
      if (!guestlink_client_ping (vm->client, NULL, error))
        {
          g_prefix_error (error, "after reconnect %d: ", round + 1);
          return FALSE;
        }
      printf ("# reconnect %d: answered in %.1f ms\n", round + 1,
              (g_get_monotonic_time () - start) / 1000.0);
    }

  return TRUE;
}

static gboolean
check_malformed_then_good (Vm      *vm,
                           GError **error)
{
  const char request[] =
    "{\"execute\": \"guest-ping\",}"
    "{\"execute\": \"guest-ping\", \"id\": \"after\"}";
  g_autofree char *reply = NULL;
  int fd;

  fd = vm_raw_send (vm, request, error);
  if (fd < 0)
    return FALSE;
  reply = vm_raw_read_lines (fd, 2, 10000);
  close (fd);

  if (!g_str_equal (reply,
                    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, expecting value\"}}\n"
                    "{\"return\": {}, \"id\": \"after\"}\n"))
    return vm_fail (error, "unexpected replies: %s", reply);

  return TRUE;
}

static gboolean
check_blocked_by_configuration (Vm      *vm,
                                GError **error)
{
  g_autoptr(JsonObject) arguments = json_object_new ();

  json_object_set_int_member (arguments, "id", 1);
  return vm_expect_disabled (vm, VM_BLOCKED_COMMAND, arguments, NULL, error);
}

static gboolean
measure_idle_wakeups (Vm      *vm,
                      GError **error)
{
  g_autofree char *first = NULL;
  g_autoptr(GHashTable) start_tasks = NULL;
  g_autoptr(GHashTable) tasks = NULL;
  double start_uptime, uptime = 0;
  guint64 wakeups;
  guint ended;
  gint64 deadline;

  /* Host side closed: the state a VM is in whenever no management stack
   * is talking to it. */
  guestlink_client_close (vm->client);
  g_usleep (2 * G_USEC_PER_SEC);

  first = vm_console_last_line_with (vm, "guest: wakeups");
  if (first == NULL || !parse_wakeups (first, &start_uptime, &start_tasks))
    return vm_fail (error, "no wakeup report on the console");

  deadline = g_get_monotonic_time () + 4 * IDLE_SECONDS * G_USEC_PER_SEC;
  while (uptime < start_uptime + IDLE_SECONDS && g_get_monotonic_time () < deadline)
    {
      g_autofree char *line = NULL;

      g_usleep (G_USEC_PER_SEC / 2);
      g_clear_pointer (&tasks, g_hash_table_unref);
      line = vm_console_last_line_with (vm, "guest: wakeups");
      if (line == NULL || !parse_wakeups (line, &uptime, &tasks))
        return vm_fail (error, "cannot read the wakeup report");
    }
  if (uptime < start_uptime + IDLE_SECONDS)
    return vm_fail (error, "the guest stopped reporting");

  wakeups = count_wakeups (start_tasks, tasks, &ended);
  printf ("# %s: %" G_GUINT64_FORMAT " wakeups in %.1f s with the host side closed "
          "(%u worker thread%s of earlier commands ended meanwhile)\n",
          vm->agent, wakeups, uptime - start_uptime, ended, ended == 1 ? "" : "s");

  if (g_str_equal (vm->agent, "guestlinkd") && wakeups != 0)
    return vm_fail (error, "guestlinkd woke up %" G_GUINT64_FORMAT " times while idle",
                    wakeups);
  return TRUE;
}

/* Pings until the agent answers or @timeout_seconds pass. */
static gboolean
ping_until_answered (Vm      *vm,
                     int      timeout_seconds,
                     GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(GError) ping_error = NULL;

      if (guestlink_client_call (vm->client, "guest-ping", NULL, 2000, NULL, &ping_error) != NULL)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&ping_error),
                                      "no answer within %d s: ", timeout_seconds);
          return FALSE;
        }
      guestlink_client_close (vm->client);
      g_usleep (G_USEC_PER_SEC / 2);
    }
}

/*
 * The agent's port is hot-unplugged and plugged back (QMP device_del,
 * device_add), as a management stack does when it reconfigures the
 * channel: the agent notices, waits without spinning, and serves the new
 * port, which it finds by name again.
 */
static gboolean
check_port_replug (Vm      *vm,
                   GError **error)
{
  g_autofree char *qmp_path = g_strconcat (vm->socket_path, ".qmp", NULL);
  g_autoptr(Qmp) qmp = qmp_connect (qmp_path, error);
  gint64 start;

  if (qmp == NULL)
    return FALSE;

  for (int round = 1; round <= 3; round++)
    {
      guestlink_client_close (vm->client);
      if (!qmp_execute (qmp, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"agentport\"}}", error) ||
          !qmp_wait_event (qmp, "DEVICE_DELETED", 30, error) ||
          !qmp_execute (qmp, "{\"execute\": \"device_add\", \"arguments\": {"
                             "\"driver\": \"virtserialport\", \"chardev\": \"qga0\", "
                             "\"name\": \"org.qemu.guest_agent.0\", \"id\": \"agentport\"}}", error))
        {
          g_prefix_error (error, "round %d: ", round);
          return FALSE;
        }

      start = g_get_monotonic_time ();
      if (!ping_until_answered (vm, 30, error))
        {
          g_prefix_error (error, "after replug %d: ", round);
          return FALSE;
        }
      printf ("# replug %d: the agent answered %.1f s after the port came back\n", round,
              (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
    }

  return TRUE;
}

static gboolean
check_host_name (Vm      *vm,
                 GError **error)
{
  g_autofree char *name = guestlink_client_get_host_name (vm->client, NULL, error);

  if (name == NULL)
    return FALSE;
  printf ("# host name: %s\n", name);
  if (!g_str_equal (name, VM_HOST_NAME))
    return vm_fail (error, "host name %s, the guest set %s", name, VM_HOST_NAME);
  return TRUE;
}

static gboolean
check_osinfo (Vm      *vm,
              GError **error)
{
  g_autoptr(JsonNode) info = guestlink_client_get_osinfo (vm->client, NULL, error);
  g_autofree char *release_path = g_build_filename (vm->images, "kernel-release", NULL);
  g_autofree char *release = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  if (info == NULL || !g_file_get_contents (release_path, &release, NULL, error))
    return FALSE;
  g_strstrip (release);

  object = json_node_get_object (info);
  text = json_to_string (info, FALSE);
  printf ("# %s\n", text);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "id", NULL), "guestlink-test") != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (object, "kernel-release", NULL), release) != 0)
    return vm_fail (error, "expected id guestlink-test and kernel %s", release);
  return TRUE;
}

/* The NIC's static address, as guest-init configures it. */
static gboolean
check_interfaces (Vm      *vm,
                  GError **error)
{
  g_autoptr(JsonNode) interfaces = guestlink_client_get_interfaces (vm->client, NULL, error);
  JsonArray *array;

  if (interfaces == NULL)
    return FALSE;

  array = json_node_get_array (interfaces);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *interface = json_array_get_object_element (array, i);
      JsonArray *addresses;

      if (!json_object_has_member (interface, "ip-addresses"))
        continue;
      addresses = json_object_get_array_member (interface, "ip-addresses");
      for (guint j = 0; j < json_array_get_length (addresses); j++)
        {
          JsonObject *address = json_array_get_object_element (addresses, j);

          if (g_str_equal (json_object_get_string_member (address, "ip-address"), VM_ADDRESS) &&
              json_object_get_int_member (address, "prefix") == VM_PREFIX)
            {
              printf ("# %s %s has %s/%d\n", json_object_get_string_member (interface, "name"),
                      json_object_get_string_member_with_default (interface, "hardware-address", "-"),
                      VM_ADDRESS, VM_PREFIX);
              return TRUE;
            }
        }
    }

  return vm_fail (error, "no interface has %s/%d", VM_ADDRESS, VM_PREFIX);
}

/* guest-init gives the guest a machine-id and SSH host keys. */
static gboolean
check_identity (Vm      *vm,
                GError **error)
{
  g_autoptr(JsonNode) identity = guestlink_client_get_identity (vm->client, NULL, error);
  JsonObject *object;
  JsonArray *keys;

  if (identity == NULL)
    return FALSE;

  object = json_node_get_object (identity);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "machine-id-state", NULL), "valid") != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (object, "host-name", NULL), VM_HOST_NAME) != 0)
    return vm_fail (error, "expected a valid machine-id and host name %s", VM_HOST_NAME);

  keys = json_object_get_array_member (object, "ssh-host-keys");
  if (keys == NULL || json_array_get_length (keys) == 0)
    return vm_fail (error, "no SSH host keys reported");
  printf ("# machine-id %s\n", json_object_get_string_member (object, "machine-id"));
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);
      const char *fingerprint = json_object_get_string_member_with_default (key, "fingerprint", "");

      if (!g_str_has_prefix (fingerprint, "SHA256:"))
        return vm_fail (error, "host key %s has no fingerprint",
                        json_object_get_string_member_with_default (key, "path", "?"));
      printf ("# %s %s\n", json_object_get_string_member (key, "type"), fingerprint);
    }
  return TRUE;
}

static gboolean
measure_ping_round_trip (Vm      *vm,
                         GError **error)
{
  g_autoptr(GArray) times = g_array_sized_new (FALSE, FALSE, sizeof (double), RTT_ROUNDS);

  if (!guestlink_client_ping (vm->client, NULL, error))  /* connects, warms up */
    return FALSE;

  for (int i = 0; i < RTT_ROUNDS; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double elapsed;

      if (!guestlink_client_ping (vm->client, NULL, error))
        return FALSE;
      elapsed = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, elapsed);
    }

  printf ("# %s: guest-ping round trip through virtio-serial (TCG): "
          "p50 %.3f ms, p99 %.3f ms over %d pings\n", vm->agent,
          vm_percentile (times, 50), vm_percentile (times, 99), RTT_ROUNDS);
  return TRUE;
}

/* Under the sanitizer build the agent in the guest is instrumented too,
 * and UBSan reports and goes on: only the agent's log tells. */
static gboolean
check_agent_log_clean (Vm      *vm,
                       GError **error)
{
  const char *marks[] = { "runtime error:", "Sanitizer" };
  g_autoptr(GPtrArray) log = NULL;
  guint reports = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (marks); i++)
    reports += vm_console_count_lines (vm, VM_AGENT_LOG, marks[i]);
  if (reports == 0)
    return TRUE;

  log = vm_console_lines_with (vm, VM_AGENT_LOG, NULL);
  for (guint i = 0; i < log->len; i++)
    printf ("# %s\n", (const char *) g_ptr_array_index (log, i));
  return vm_fail (error, "%u sanitizer report lines in the agent's log", reports);
}

static const VmCheck checks[] = {
  { "delimited sync and ping", check_sync_and_ping, TRUE },
  { "guest-info lists the protocol commands", check_info, FALSE },
  { "the host closes and reopens the socket five times", check_reconnects, TRUE },
  { "a malformed request, then a good one", check_malformed_then_good, FALSE },
  { "a command the guest's configuration blocks", check_blocked_by_configuration, FALSE },
  { "the agent's port is unplugged and plugged back", check_port_replug, FALSE },
  { "the guest's host name", check_host_name, TRUE },
  { "the guest's operating system", check_osinfo, TRUE },
  { "the guest's interfaces: the NIC's address", check_interfaces, TRUE },
  { "the guest's identity", check_identity, FALSE },
  { "guest-get-fsinfo: /data is ext4 on vda, sized like its image, on the virtio disk "
    "at the PCI address QEMU gave it", vm_fsinfo_check_data, TRUE },
  { "guest-get-fsinfo: /scsi is ext4 on sda, at its LUN behind the virtio-scsi controller "
    "at the PCI address QEMU gave it", vm_fsinfo_check_scsi, TRUE },
  { "guest-get-fsinfo's reply is qemu-ga's, byte for byte but for used-bytes",
    vm_fsinfo_check_same_as_reference, FALSE, "qemu-ga is the reference" },
  /* The first trim since boot. */
  { "guest-fstrim trims /data: the file deleted after the boot's trim, down to data.img",
    vm_fstrim_check_data, TRUE },
  { "guest-fstrim's reply is qemu-ga's, byte for byte but for trimmed",
    vm_fstrim_check_same_as_reference, FALSE, "qemu-ga is the reference" },
  /* Before the idle measurement, which a timer left behind would fail. */
  { "a freeze of the data disk stops a writer in the guest, thaw resumes it",
    vm_fsfreeze_check_writer_stops, TRUE },
  { "while frozen: ping, sync, status and info answer, other commands are disabled",
    vm_fsfreeze_check_while_frozen, TRUE },
  { "guest-fsfreeze-freeze freezes the guest's two local filesystems, /data and /scsi",
    vm_fsfreeze_check_freeze_all, TRUE },
  { "a guest whose host never thaws is thawed by the timeout",
    vm_fsfreeze_check_timeout, FALSE, "qemu-ga has no guest-side freeze timeout" },
  { "idle wakeups with the host side closed", measure_idle_wakeups, TRUE },
  { "ping round trip", measure_ping_round_trip, TRUE },
  { "freeze and thaw round trip", vm_fsfreeze_measure_round_trip, TRUE },
  /* These two change the guest's identity: after every check of it. */
  { "SSH host key rotation: new keys in place, sshd reloaded by SIGHUP and serving them",
    vm_identity_check_rotate_host_keys, FALSE, "qemu-ga has no host key rotation" },
  { "set-identity: new host name, machine-id and host keys; reboot-required; a retry resumes",
    vm_identity_check_set_identity, FALSE, "qemu-ga has no set-identity" },
  { "no sanitizer report in the agent's log", check_agent_log_clean, FALSE },
};

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- the agent in a VM");
  g_autoptr(GError) error = NULL;
  g_autofree char *boot_vm = NULL;
  g_autofree char *images = NULL;
  g_autofree char *agent = NULL;
  g_autofree char *replies = NULL;
  Vm vm = { 0 };
  const GOptionEntry entries[] = {
    { "boot-vm", 0, 0, G_OPTION_ARG_FILENAME, &boot_vm, "The boot-vm script", "PATH" },
    { "images", 0, 0, G_OPTION_ARG_FILENAME, &images, "What build-guest made", "DIR" },
    { "agent", 0, 0, G_OPTION_ARG_STRING, &agent, "guestlinkd or qemu-ga", "NAME" },
    { "replies", 0, 0, G_OPTION_ARG_FILENAME, &replies, "Where the runs keep raw replies", "DIR" },
    { NULL }
  };
  gboolean reference;
  guint number = 0, failed = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      boot_vm == NULL || images == NULL || agent == NULL)
    {
      g_printerr ("vm-test: %s\n", error != NULL ? error->message
                                                 : "--boot-vm, --images and --agent are required");
      return 2;
    }
  vm.boot_vm = boot_vm;
  vm.images = images;
  vm.agent = agent;
  vm.replies = replies;
  reference = g_str_equal (agent, "qemu-ga");

  if (!vm_boot (&vm, &error))
    {
      printf ("not ok 1 - %s: boot the VM: %s\n1..1\n", agent, error->message);
      vm_stop (&vm);
      return 1;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_autoptr(GError) check_error = NULL;
      gint64 start = g_get_monotonic_time ();

      if (reference && !checks[i].for_reference_agent)
        {
          if (checks[i].reference_skip != NULL)
            printf ("ok %u - %s: %s # SKIP %s\n", ++number, agent, checks[i].name,
                    checks[i].reference_skip);
          continue;
        }

      number++;
      if (checks[i].func (&vm, &check_error))
        printf ("ok %u - %s: %s (%.1f s)\n", number, agent, checks[i].name,
                (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
      else if (g_error_matches (check_error, VM_SKIP_ERROR, 0))
        printf ("ok %u - %s: %s # SKIP %s\n", number, agent, checks[i].name, check_error->message);
      else
        {
          failed++;
          printf ("not ok %u - %s: %s: %s\n", number, agent, checks[i].name, check_error->message);
        }
      fflush (stdout);
    }

  printf ("1..%u\n", number);
  vm_stop (&vm);
  return failed == 0 ? 0 : 1;
}
