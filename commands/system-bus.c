/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "system-bus.h"

GDBusConnection *
system_bus_connect (GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *address = NULL;
  GDBusConnection *bus;

  /* DBUS_SYSTEM_BUS_ADDRESS when set, else the well-known socket. */
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SYSTEM, cancellable, &local_error);
  if (address == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Cannot find the system bus: ");
      return NULL;
    }

  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, cancellable, &local_error);
  if (bus == NULL)
    {
      /* No socket, or nobody listening on it: there is no bus here, which
       * the callers treat like a service that is not on it. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "No system bus at %s: %s", address, local_error->message);
          return NULL;
        }
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Cannot connect to the system bus at %s: ", address);
      return NULL;
    }

  /* A private connection: its end must not end the agent. */
  g_dbus_connection_set_exit_on_close (bus, FALSE);
  return bus;
}

gboolean
system_bus_error_is_absent (const GError *error)
{
  g_return_val_if_fail (error != NULL, FALSE);

  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}
