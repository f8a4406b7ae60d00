/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hostnamed.h"

#include "system-bus.h"

#define HOSTNAMED_NAME "org.freedesktop.hostname1"
#define HOSTNAMED_PATH "/org/freedesktop/hostname1"
#define HOSTNAMED_INTERFACE "org.freedesktop.hostname1"

/* Calls @method (@value); fails with the bus's own error. */
static gboolean
call_setter (GDBusConnection  *bus,
             const char       *method,
             const char       *value,
             GCancellable     *cancellable,
             GError          **error)
{
  g_autoptr(GVariant) reply = NULL;

  /* interactive=false: there is nobody to answer a polkit prompt, and
   * root needs none. */
  reply = g_dbus_connection_call_sync (bus, HOSTNAMED_NAME, HOSTNAMED_PATH, HOSTNAMED_INTERFACE,
                                       method, g_variant_new ("(sb)", value, FALSE),
                                       G_VARIANT_TYPE ("()"), G_DBUS_CALL_FLAGS_NONE,
                                       SYSTEM_BUS_CALL_TIMEOUT_MS, cancellable, error);
  return reply != NULL;
}

gboolean
hostnamed_set_host_names (const char    *static_name,
                          const char    *pretty_name,
                          GCancellable  *cancellable,
                          GError       **error)
{
  const struct {
    const char *method;
    const char *value;
  } calls[] = {
    { "SetStaticHostname", static_name },
    { "SetPrettyHostname", pretty_name },
  };
  g_autoptr(GDBusConnection) bus = NULL;
  gboolean changed = FALSE;

  g_return_val_if_fail (static_name != NULL || pretty_name != NULL, FALSE);

  bus = system_bus_connect (cancellable, error);
  if (bus == NULL)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (calls[i].value == NULL)
        continue;
      if (!call_setter (bus, calls[i].method, calls[i].value, cancellable, &local_error))
        {
          /* Absent stays recognisable only while nothing has changed:
           * after that, writing the files instead would do half of it
           * twice. */
          if (!changed && system_bus_error_is_absent (local_error))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            {
              g_dbus_error_strip_remote_error (local_error);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "hostnamed %s failed: %s",
                           calls[i].method, local_error->message);
            }
          g_dbus_connection_close_sync (bus, NULL, NULL);
          return FALSE;
        }
      changed = TRUE;
    }

  g_dbus_connection_close_sync (bus, NULL, NULL);
  return TRUE;
}
