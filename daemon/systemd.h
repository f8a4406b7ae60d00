/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * systemd: readiness and status notifications, the watchdog, and socket
 * activation. Each is a no-op when systemd did not ask for it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The listening socket systemd passed, -1 when none. More than one is an
 * error: the agent serves exactly one channel. */
int systemd_take_activated_socket (GError **error);

void systemd_notify_ready (const char *status);
void systemd_notify_stopping (void);

/* Starts pinging the watchdog at half of WatchdogSec; returns the source
 * id, 0 when the unit has no watchdog. */
guint systemd_watchdog_start (void);

G_END_DECLS
