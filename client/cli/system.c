/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlink hostname, osinfo, users, time: the guest's system information
 * as a person reads it; --json prints the agent's reply instead.
 */
#include "config.h"

#include "cli.h"

int
cli_hostname (Cli   *cli,
              char **args)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (cli->json)
    return call_and_print (cli, "guest-get-host-name", NULL, FALSE);

  name = guestlink_client_get_host_name (cli->client, NULL, &error);
  if (name == NULL)
    return report_error ("guest-get-host-name", error);

  g_print ("%s\n", name);
  return STATUS_OK;
}

int
cli_osinfo (Cli   *cli,
            char **args)
{
  static const struct { const char *member; const char *label; } rows[] = {
    { "pretty-name", "Operating system" },
    { "id", "ID" },
    { "version-id", "Version" },
    { "variant", "Variant" },
    { "kernel-release", "Kernel" },
    { "kernel-version", "Kernel build" },
    { "machine", "Architecture" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) info = NULL;
  JsonObject *object;

  if (cli->json)
    return call_and_print (cli, "guest-get-osinfo", NULL, FALSE);

  info = guestlink_client_get_osinfo (cli->client, NULL, &error);
  if (info == NULL)
    return report_error ("guest-get-osinfo", error);

  object = json_node_get_object (info);
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    if (cli_string (object, rows[i].member) != NULL)
      g_print ("%-17s %s\n", rows[i].label, cli_string (object, rows[i].member));
  return STATUS_OK;
}

int
cli_users (Cli   *cli,
           char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) users = NULL;
  JsonArray *array;

  if (cli->json)
    return call_and_print (cli, "guest-get-users", NULL, FALSE);

  users = guestlink_client_get_users (cli->client, NULL, &error);
  if (users == NULL)
    return report_error ("guest-get-users", error);

  array = json_node_get_array (users);
  if (json_array_get_length (array) == 0)
    {
      g_print ("Nobody is logged in.\n");
      return STATUS_OK;
    }

  g_print ("%-20s %s\n", "USER", "LOGGED IN SINCE");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *user = cli_element_object (array, i);
      double login = cli_number (user, "login-time", -1);
      /* Checked before the cast: a double out of gint64's range is
       * undefined behaviour, and GDateTime ends at year 9999. */
      g_autoptr(GDateTime) since = login >= 0 && login < 253402300800.0
                                   ? g_date_time_new_from_unix_local ((gint64) login) : NULL;
      g_autofree char *when = since != NULL ? g_date_time_format (since, "%F %T") : g_strdup ("?");
      const char *name = cli_string (user, "user");

      g_print ("%-20s %s\n", name != NULL ? name : "?", when);
    }
  return STATUS_OK;
}

int
cli_time (Cli   *cli,
          char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) guest_time = NULL;
  g_autofree char *text = NULL;
  gint64 nanoseconds;
  gint64 host_before, host_after;

  if (cli->json)
    return call_and_print (cli, "guest-get-time", NULL, FALSE);

  host_before = g_get_real_time ();
  if (!guestlink_client_get_time (cli->client, &nanoseconds, NULL, &error))
    return report_error ("guest-get-time", error);
  host_after = g_get_real_time ();

  guest_time = g_date_time_new_from_unix_utc (nanoseconds / 1000000000);
  text = g_date_time_format (guest_time, "%F %T UTC");
  g_print ("Guest time  %s\n", text);
  /* Against the middle of the round trip, which the guest's reading
   * happened somewhere within. */
  g_print ("Offset      %+.3f s from this host (round trip %.1f ms)\n",
           (nanoseconds / 1000.0 - (host_before + host_after) / 2.0) / G_USEC_PER_SEC,
           (host_after - host_before) / 1000.0);
  return STATUS_OK;
}
