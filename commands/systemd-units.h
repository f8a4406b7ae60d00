/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * systemd-units: what the identity commands ask of systemd's manager
 * (org.freedesktop.systemd1 on the system bus): which of a few units it
 * has, and to reload or restart one, waiting until the job is over and
 * checking the unit is still running afterwards, as `systemctl reload`
 * does. Blocking: for worker threads only (system-bus.h).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A restart of sshd, journald or a network manager is seconds; past
 * this the unit is taken as failed. */
#define SYSTEMD_UNITS_JOB_TIMEOUT_MS 90000

typedef enum {
  SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART,   /* ReloadOrRestartUnit */
  SYSTEMD_UNIT_JOB_RESTART,             /* RestartUnit */
} SystemdUnitJob;

/* The first of @names (NULL-terminated, in order of preference) that
 * systemd has loaded (LoadState "loaded"); with @active_only, the first
 * whose ActiveState is also "active" or "reloading". NULL, without
 * error, when none is. The unit's own name is returned: systemd answers
 * an alias (Debian's sshd.service) with the unit it stands for
 * (ssh.service). One ListUnitsByNames call. Errors come from the bus;
 * system_bus_error_is_absent() tells "no systemd" apart. */
char *systemd_units_find (GDBusConnection     *bus,
                          const char * const  *names,
                          gboolean             active_only,
                          GCancellable        *cancellable,
                          GError             **error);

/* Queues @job for @unit (mode "replace"), waits for its JobRemoved
 * signal (subscribed before the call, so it cannot be missed; no
 * Subscribe() needed, systemd signals a job to the client that queued
 * it) for at most @timeout_ms, and fails unless the job's result is
 * "done" and the unit is then active (a second ListUnitsByNames): a
 * reload that killed sshd is a failure. G_IO_ERROR_TIMED_OUT when the
 * job did not end in time; the job is left to systemd. */
gboolean systemd_units_run_job (GDBusConnection  *bus,
                                const char       *unit,
                                SystemdUnitJob    job,
                                guint             timeout_ms,
                                GCancellable     *cancellable,
                                GError          **error);

G_END_DECLS
