/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * system-bus: a connection to the system D-Bus for the commands that
 * change the machine through its own services (hostnamed, systemd), as
 * DESIGN.md asks. Each operation opens a private connection and closes
 * it afterwards: the agent keeps no bus connection while idle, a bus that
 * restarts under us cannot take the agent down (a shared GDBus singleton
 * exits the process when the bus goes away), and a test points the agent
 * at a private bus with DBUS_SYSTEM_BUS_ADDRESS.
 *
 * Blocking calls: for worker threads only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How long one call to a system service may take. systemctl's own
 * default is 25 s (DBus's); a restart job may take longer and is waited
 * for separately (systemd-units.h). */
#define SYSTEM_BUS_CALL_TIMEOUT_MS 25000

/* A new private connection to the system bus. Fails with
 * G_IO_ERROR_NOT_FOUND when there is no system bus (an initramfs, a
 * container without dbus): the callers' cue to fall back to files. */
GDBusConnection *system_bus_connect (GCancellable  *cancellable,
                                     GError       **error);

/* TRUE for the errors that mean "this service is not on the bus and
 * cannot be activated" (ServiceUnknown, NameHasNoOwner, and
 * G_IO_ERROR_NOT_FOUND from system_bus_connect()), as opposed to a
 * service that is there and refused or failed. */
gboolean system_bus_error_is_absent (const GError *error);

G_END_DECLS
