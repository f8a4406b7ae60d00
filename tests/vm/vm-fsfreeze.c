/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The freeze checks. The guest's root is an initramfs, which is no local
 * filesystem to either agent, so its disks' filesystems, /data and /scsi,
 * are all there is to freeze: freezing is safe here, and plain
 * guest-fsfreeze-freeze freezes exactly those two.
 *
 * Whether writes stop is seen without the agent: guest-init's writer
 * appends and syncs a line on /data every ~100 ms and only then reports
 * "guest: writer n=N uptime=U" on the serial console.
 */
#include "config.h"

#include <stdio.h>

#include "vm-fsfreeze.h"

/* A report already past its append when the freeze starts may still come;
 * after that, the writer is watched for a while. Both together stay well
 * within the agent's VM_FSFREEZE_TIMEOUT_SECONDS. */
#define FROZEN_SETTLE_USEC (G_USEC_PER_SEC / 2)
#define FROZEN_WATCH_USEC (3 * G_USEC_PER_SEC / 2)
#define WRITER_TIMEOUT_SECONDS 10
/* guest-init's tail polls the agent's log once a second. */
#define AGENT_LOG_TIMEOUT_SECONDS 5
#define ROUND_TRIP_ROUNDS 50

static gboolean
is_guestlinkd (Vm *vm)
{
  return g_str_equal (vm->agent, "guestlinkd");
}

/* The writer on /data, as its console reports show it. */

typedef struct {
  guint n;
  double uptime;   /* the guest's, once the line was synced */
} WriterReport;

static gboolean
writer_last_report (Vm           *vm,
                    WriterReport *report,
                    GError      **error)
{
  g_autofree char *line = vm_console_last_line_with (vm, "guest: writer ");

  if (line == NULL ||
      sscanf (line, "guest: writer n=%u uptime=%lf", &report->n, &report->uptime) != 2)
    return vm_fail (error, "no report from the writer on /data on the console");
  return TRUE;
}

/* Waits for a report past @after. */
static gboolean
writer_wait_past (Vm                 *vm,
                  const WriterReport *after,
                  WriterReport       *report,
                  GError            **error)
{
  gint64 deadline = g_get_monotonic_time () + WRITER_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  for (;;)
    {
      if (!writer_last_report (vm, report, error))
        return FALSE;
      if (report->n > after->n)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return vm_fail (error, "the writer on /data made no progress in %d s (n=%u)",
                        WRITER_TIMEOUT_SECONDS, report->n);
      g_usleep (G_USEC_PER_SEC / 20);
    }
}

/* Without a writer that moves, a stopped one would prove nothing. */
static gboolean
writer_wait_running (Vm           *vm,
                     WriterReport *report,
                     GError      **error)
{
  WriterReport first;

  return writer_last_report (vm, &first, error) &&
         writer_wait_past (vm, &first, report, error);
}

/* Waits until the agent's log on the console has more than @count lines
 * containing @text. */
static gboolean
agent_log_wait_past (Vm          *vm,
                     const char  *text,
                     guint        count,
                     GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + AGENT_LOG_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  while (vm_console_count_lines (vm, VM_AGENT_LOG, text) <= count)
    {
      if (g_get_monotonic_time () > deadline)
        return vm_fail (error, "the agent did not log \"%s\" within %d s", text,
                        AGENT_LOG_TIMEOUT_SECONDS);
      g_usleep (G_USEC_PER_SEC / 5);
    }

  return TRUE;
}

/* The calls, through the generic call of libguestlink. */

/* Runs @command, which returns a count, and checks the count is
 * @expected; @milliseconds (optional) gets the round trip. */
static gboolean
call_count (Vm          *vm,
            const char  *command,
            JsonObject  *arguments,
            gint64       expected,
            double      *milliseconds,
            GError     **error)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(JsonNode) result = guestlink_client_call (vm->client, command, arguments, -1, NULL, error);
  g_autofree char *text = NULL;

  if (result == NULL)
    {
      g_prefix_error (error, "%s: ", command);
      return FALSE;
    }
  if (milliseconds != NULL)
    *milliseconds = (g_get_monotonic_time () - start) / 1000.0;

  if (JSON_NODE_HOLDS_VALUE (result) && json_node_get_value_type (result) == G_TYPE_INT64 &&
      json_node_get_int (result) == expected)
    return TRUE;

  text = json_to_string (result, FALSE);
  return vm_fail (error, "%s returned %s, expected %" G_GINT64_FORMAT, command, text, expected);
}

static JsonObject *
data_mountpoints (void)
{
  JsonObject *arguments = json_object_new ();
  JsonArray *mountpoints = json_array_new ();

  json_array_add_string_element (mountpoints, VM_DATA_MOUNTPOINT);
  json_object_set_array_member (arguments, "mountpoints", mountpoints);
  return arguments;
}

static gboolean
freeze_data (Vm      *vm,
             double  *milliseconds,
             GError **error)
{
  g_autoptr(JsonObject) arguments = data_mountpoints ();

  return call_count (vm, "guest-fsfreeze-freeze-list", arguments, 1, milliseconds, error);
}

static gboolean
thaw (Vm      *vm,
      gint64   expected,
      double  *milliseconds,
      GError **error)
{
  return call_count (vm, "guest-fsfreeze-thaw", NULL, expected, milliseconds, error);
}

static char *
fsfreeze_status (Vm      *vm,
                 GError **error)
{
  g_autoptr(JsonNode) result = guestlink_client_call (vm->client, "guest-fsfreeze-status",
                                                      NULL, -1, NULL, error);
  g_autofree char *text = NULL;

  if (result == NULL)
    {
      g_prefix_error (error, "guest-fsfreeze-status: ");
      return NULL;
    }
  if (JSON_NODE_HOLDS_VALUE (result) && json_node_get_value_type (result) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (result));

  text = json_to_string (result, FALSE);
  vm_fail (error, "guest-fsfreeze-status returned %s, not a string", text);
  return NULL;
}

static gboolean
expect_status (Vm         *vm,
               const char *expected,
               GError    **error)
{
  g_autofree char *status = fsfreeze_status (vm, error);

  if (status == NULL)
    return FALSE;
  if (!g_str_equal (status, expected))
    return vm_fail (error, "guest-fsfreeze-status is \"%s\", expected \"%s\"", status, expected);
  return TRUE;
}

/* A check that failed may have left /data frozen; the checks after it
 * want a thawed guest. */
static gboolean
thawed_after (Vm       *vm,
              gboolean  ok)
{
  g_autoptr(GError) thaw_error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *text = NULL;

  if (ok)
    return TRUE;

  result = guestlink_client_call (vm->client, "guest-fsfreeze-thaw", NULL, -1, NULL, &thaw_error);
  if (result == NULL)
    printf ("# after the failure, guest-fsfreeze-thaw failed: %s\n", thaw_error->message);
  else
    {
      text = json_to_string (result, FALSE);
      printf ("# after the failure, guest-fsfreeze-thaw returned %s\n", text);
    }
  return FALSE;
}

/* The checks. */

static gboolean
writer_stops (Vm      *vm,
              GError **error)
{
  WriterReport before, frozen, still, resumed;
  guint froze_logged = vm_console_count_lines (vm, VM_AGENT_LOG, "Froze ");
  double freeze_ms, thaw_ms;
  gint64 thawed_at;

  if (!writer_wait_running (vm, &before, error) ||
      !freeze_data (vm, &freeze_ms, error) ||
      !expect_status (vm, "frozen", error))
    return FALSE;

  g_usleep (FROZEN_SETTLE_USEC);
  if (!writer_last_report (vm, &frozen, error))
    return FALSE;
  g_usleep (FROZEN_WATCH_USEC);
  if (!writer_last_report (vm, &still, error))
    return FALSE;
  if (still.n != frozen.n)
    return vm_fail (error, "the writer went on while /data was frozen: n=%u, %.1f s later n=%u",
                    frozen.n, FROZEN_WATCH_USEC / (double) G_USEC_PER_SEC, still.n);
  /* Nothing is written while frozen, the agent's log included. */
  if (is_guestlinkd (vm) && vm_console_count_lines (vm, VM_AGENT_LOG, "Froze ") != froze_logged)
    return vm_fail (error, "the agent's log came out while it was frozen");

  if (!thaw (vm, 1, &thaw_ms, error))
    return FALSE;
  thawed_at = g_get_monotonic_time ();
  if (!expect_status (vm, "thawed", error))
    return FALSE;
  if (!writer_wait_past (vm, &still, &resumed, error))
    {
      g_prefix_error (error, "after the thaw: ");
      return FALSE;
    }

  printf ("# %s: freeze-list /data %.1f ms, thaw %.1f ms; the writer stood at n=%u while "
          "frozen, went on %.2f s after the thaw, %.1f s between its lines (guest clock)\n",
          vm->agent, freeze_ms, thaw_ms, still.n,
          (g_get_monotonic_time () - thawed_at) / (double) G_USEC_PER_SEC,
          resumed.uptime - still.uptime);

  /* The log held while frozen comes out after the thaw. */
  return !is_guestlinkd (vm) || agent_log_wait_past (vm, "Froze ", froze_logged, error);
}

gboolean
vm_fsfreeze_check_writer_stops (Vm      *vm,
                                GError **error)
{
  return thawed_after (vm, writer_stops (vm, error));
}

/* What a management stack does during a backup: it pings, reconnects and
 * synchronises (guest-sync-delimited), asks for the status and the
 * commands; everything else waits for the thaw. */
static gboolean
while_frozen (Vm      *vm,
              GError **error)
{
  g_autoptr(JsonObject) sync_arguments = json_object_new ();
  g_autoptr(JsonObject) freeze_arguments = data_mountpoints ();
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autofree char *host_name = NULL;
  GuestlinkAgentCommand *command;
  gint64 start;
  double ping_ms;

  json_object_set_int_member (sync_arguments, "id", 1);
  if (!freeze_data (vm, NULL, error))
    return FALSE;

  start = g_get_monotonic_time ();
  if (!guestlink_client_ping (vm->client, NULL, error))
    {
      g_prefix_error (error, "guest-ping: ");
      return FALSE;
    }
  ping_ms = (g_get_monotonic_time () - start) / 1000.0;
  guestlink_client_close (vm->client);
  if (!guestlink_client_connect (vm->client, NULL, error))
    {
      g_prefix_error (error, "reconnecting (guest-sync-delimited): ");
      return FALSE;
    }
  if (!expect_status (vm, "frozen", error))
    return FALSE;

  info = guestlink_client_get_info (vm->client, NULL, error);
  if (info == NULL)
    return FALSE;
  command = guestlink_agent_info_lookup_command (info, "guest-fsfreeze-thaw");
  if (command == NULL || !guestlink_agent_command_get_enabled (command))
    return vm_fail (error, "guest-info lists guest-fsfreeze-thaw as disabled while frozen");
  command = guestlink_agent_info_lookup_command (info, "guest-get-host-name");
  if (command == NULL || guestlink_agent_command_get_enabled (command))
    return vm_fail (error, "guest-info lists guest-get-host-name as enabled while frozen");

  if (!vm_expect_disabled (vm, "guest-get-host-name", NULL,
                           is_guestlinkd (vm) ? "Command guest-get-host-name has been "
                                                "disabled: the agent is in frozen state" : NULL,
                           error) ||
      !vm_expect_disabled (vm, "guest-fsfreeze-freeze-list", freeze_arguments,
                           is_guestlinkd (vm) ? "Command guest-fsfreeze-freeze-list has been "
                                                "disabled: the agent is in frozen state" : NULL,
                           error) ||
      /* Allowed while frozen, but the configuration blocks it. */
      !vm_expect_disabled (vm, VM_BLOCKED_COMMAND, sync_arguments, NULL, error) ||
      !thaw (vm, 1, NULL, error))
    return FALSE;

  /* The thaw enables what the freeze disabled, and nothing more. */
  host_name = guestlink_client_get_host_name (vm->client, NULL, error);
  if (host_name == NULL)
    {
      g_prefix_error (error, "after the thaw: ");
      return FALSE;
    }
  if (!vm_expect_disabled (vm, VM_BLOCKED_COMMAND, sync_arguments, NULL, error))
    {
      g_prefix_error (error, "after the thaw: ");
      return FALSE;
    }

  printf ("# %s: guest-ping while frozen answered in %.1f ms\n", vm->agent, ping_ms);
  return TRUE;
}

gboolean
vm_fsfreeze_check_while_frozen (Vm      *vm,
                                GError **error)
{
  return thawed_after (vm, while_frozen (vm, error));
}

static gboolean
freeze_all (Vm      *vm,
            GError **error)
{
  g_autoptr(JsonObject) no_list = json_object_new ();

  /* freeze-list without a list is plain freeze. */
  return call_count (vm, "guest-fsfreeze-freeze", NULL, VM_LOCAL_FILESYSTEMS, NULL, error) &&
         expect_status (vm, "frozen", error) &&
         thaw (vm, VM_LOCAL_FILESYSTEMS, NULL, error) &&
         call_count (vm, "guest-fsfreeze-freeze-list", no_list, VM_LOCAL_FILESYSTEMS, NULL, error) &&
         thaw (vm, VM_LOCAL_FILESYSTEMS, NULL, error) &&
         expect_status (vm, "thawed", error);
}

gboolean
vm_fsfreeze_check_freeze_all (Vm      *vm,
                              GError **error)
{
  return thawed_after (vm, freeze_all (vm, error));
}

/* The host freezes and is never heard of again. */
static gboolean
timeout_thaws (Vm      *vm,
               GError **error)
{
  const char *logged_text = "(fsfreeze-timeout)";
  guint logged = vm_console_count_lines (vm, VM_AGENT_LOG, logged_text);
  WriterReport before, stopped, resumed;
  gint64 frozen_at, deadline;
  double elapsed, stalled;

  if (!writer_wait_running (vm, &before, error) || !freeze_data (vm, NULL, error))
    return FALSE;
  frozen_at = g_get_monotonic_time ();
  deadline = frozen_at + (VM_FSFREEZE_TIMEOUT_SECONDS + 5) * G_USEC_PER_SEC;

  g_usleep (FROZEN_SETTLE_USEC);
  if (!writer_last_report (vm, &stopped, error))
    return FALSE;

  for (;;)
    {
      g_autofree char *status = fsfreeze_status (vm, error);

      if (status == NULL)
        return FALSE;
      if (g_str_equal (status, "thawed"))
        break;
      if (g_get_monotonic_time () > deadline)
        return vm_fail (error, "still %s %d s after the freeze, with a %d s fsfreeze-timeout",
                        status, VM_FSFREEZE_TIMEOUT_SECONDS + 5, VM_FSFREEZE_TIMEOUT_SECONDS);
      g_usleep (G_USEC_PER_SEC / 5);
    }
  elapsed = (g_get_monotonic_time () - frozen_at) / (double) G_USEC_PER_SEC;
  /* GLib's timers in seconds may fire up to a quarter of one early. */
  if (elapsed < VM_FSFREEZE_TIMEOUT_SECONDS - 1)
    return vm_fail (error, "thawed %.1f s after the freeze, before the %d s fsfreeze-timeout",
                    elapsed, VM_FSFREEZE_TIMEOUT_SECONDS);

  if (!writer_wait_past (vm, &stopped, &resumed, error))
    {
      g_prefix_error (error, "after the agent's thaw: ");
      return FALSE;
    }
  stalled = resumed.uptime - stopped.uptime;
  if (stalled < VM_FSFREEZE_TIMEOUT_SECONDS - 1)
    return vm_fail (error, "the writer stalled only %.1f s, with a %d s fsfreeze-timeout",
                    stalled, VM_FSFREEZE_TIMEOUT_SECONDS);

  /* Nothing is left frozen for the host's late thaw, and the agent said
   * why it thawed. */
  if (!thaw (vm, 0, NULL, error) ||
      !agent_log_wait_past (vm, logged_text, logged, error))
    return FALSE;

  printf ("# the agent thawed by itself %.1f s after the freeze (fsfreeze-timeout=%d); "
          "the writer stalled %.1f s (guest clock)\n",
          elapsed, VM_FSFREEZE_TIMEOUT_SECONDS, stalled);
  return TRUE;
}

gboolean
vm_fsfreeze_check_timeout (Vm      *vm,
                           GError **error)
{
  return thawed_after (vm, timeout_thaws (vm, error));
}

static gboolean
round_trip (Vm      *vm,
            GError **error)
{
  g_autoptr(GArray) freezes = g_array_sized_new (FALSE, FALSE, sizeof (double), ROUND_TRIP_ROUNDS);
  g_autoptr(GArray) thaws = g_array_sized_new (FALSE, FALSE, sizeof (double), ROUND_TRIP_ROUNDS);

  for (int i = 0; i < ROUND_TRIP_ROUNDS; i++)
    {
      double freeze_ms, thaw_ms;

      if (!freeze_data (vm, &freeze_ms, error) || !thaw (vm, 1, &thaw_ms, error))
        return FALSE;
      g_array_append_val (freezes, freeze_ms);
      g_array_append_val (thaws, thaw_ms);
    }

  /* FIFREEZE syncs what the writer wrote since the last round, so the
   * figures have two modes: the agent's own cost, and that plus a sync. */
  printf ("# %s: round trip through virtio-serial (TCG), over %d rounds back to back, "
          "the writer running: freeze-list /data min %.1f, p50 %.1f, p90 %.1f, max %.1f ms; "
          "thaw min %.1f, p50 %.1f, p90 %.1f, max %.1f ms\n",
          vm->agent, ROUND_TRIP_ROUNDS,
          vm_percentile (freezes, 0), vm_percentile (freezes, 50),
          vm_percentile (freezes, 90), vm_percentile (freezes, 100),
          vm_percentile (thaws, 0), vm_percentile (thaws, 50),
          vm_percentile (thaws, 90), vm_percentile (thaws, 100));
  return TRUE;
}

gboolean
vm_fsfreeze_measure_round_trip (Vm      *vm,
                                GError **error)
{
  return thawed_after (vm, round_trip (vm, error));
}
