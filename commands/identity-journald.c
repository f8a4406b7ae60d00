/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journald step. journald files the journal under
 * /var/log/journal/MACHINE-ID and reads the id when it starts: until it
 * restarts, the new machine's logs go on in the template's directory.
 */
#include "config.h"

#include "identity-steps.h"
#include "system-bus.h"
#include "systemd-units.h"

#define JOURNALD_UNIT "systemd-journald.service"

IdentityStepStatus
identity_step_journald (IdentityStepContext  *context,
                        char                **out_detail,
                        GError              **error)
{
  const IdentityJournal *journal = context->journal;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  gboolean ok;

  if (journal->machine_id == NULL)
    {
      *out_detail = g_strdup ("no machine-id asked for");
      return IDENTITY_STEP_SKIPPED;
    }
  /* Failed rather than skipped, so that a retry, which finishes the
   * machine-id, comes back here too. */
  if (journal->steps[IDENTITY_STEP_MACHINE_ID].status != IDENTITY_STEP_DONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "Not run: the machine-id step did not complete");
      return IDENTITY_STEP_FAILED;
    }
  if (g_strcmp0 (journal->previous_machine_id, journal->machine_id) == 0)
    {
      *out_detail = g_strdup ("the machine-id did not change");
      return IDENTITY_STEP_SKIPPED;
    }

  bus = system_bus_connect (context->cancellable, &local_error);
  ok = bus != NULL &&
       systemd_units_run_job (bus, JOURNALD_UNIT, SYSTEMD_UNIT_JOB_RESTART,
                              SYSTEMD_UNITS_JOB_TIMEOUT_MS, context->cancellable, &local_error);
  if (bus != NULL)
    g_dbus_connection_close_sync (bus, NULL, NULL);
  if (ok)
    {
      *out_detail = g_strdup (JOURNALD_UNIT " restarted");
      return IDENTITY_STEP_DONE;
    }
  /* A guest without systemd has no journald either. */
  if (system_bus_error_is_absent (local_error))
    {
      *out_detail = g_strdup ("no systemd");
      return IDENTITY_STEP_SKIPPED;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return IDENTITY_STEP_FAILED;
}
