/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlink interfaces: the guest's interfaces as `ip -brief addr` shows
 * them, with traffic counters on request (--counters).
 */
#include "config.h"

#include "cli.h"

static char *
addresses_of (JsonObject *interface)
{
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *addresses = cli_array (interface, "ip-addresses");

  for (guint i = 0; addresses != NULL && i < json_array_get_length (addresses); i++)
    {
      JsonObject *address = cli_element_object (addresses, i);
      const char *ip = cli_string (address, "ip-address");

      g_string_append_printf (text, "%s%s/%" G_GINT64_FORMAT, text->len > 0 ? " " : "",
                              ip != NULL ? ip : "?", cli_int (address, "prefix", 0));
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : g_strdup ("-");
}

static gint64
counter (JsonObject *interface,
         const char *name)
{
  return cli_int (cli_object (interface, "statistics"), name, 0);
}

int
cli_interfaces (Cli   *cli,
                char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) interfaces = NULL;
  JsonArray *array;

  if (cli->json)
    return call_and_print (cli, "guest-network-get-interfaces", NULL, FALSE);

  interfaces = guestlink_client_get_interfaces (cli->client, NULL, &error);
  if (interfaces == NULL)
    return report_error ("guest-network-get-interfaces", error);

  array = json_node_get_array (interfaces);
  if (cli->counters)
    g_print ("%-16s %-18s %14s %10s %14s %10s  %s\n", "NAME", "MAC", "RX BYTES", "RX PKTS",
             "TX BYTES", "TX PKTS", "ADDRESSES");
  else
    g_print ("%-16s %-18s %s\n", "NAME", "MAC", "ADDRESSES");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *interface = cli_element_object (array, i);
      const char *name = cli_string (interface, "name");
      const char *mac = cli_string (interface, "hardware-address");
      g_autofree char *addresses = addresses_of (interface);

      if (cli->counters)
        g_print ("%-16s %-18s %14" G_GINT64_FORMAT " %10" G_GINT64_FORMAT " %14" G_GINT64_FORMAT
                 " %10" G_GINT64_FORMAT "  %s\n", name != NULL ? name : "?", mac != NULL ? mac : "-",
                 counter (interface, "rx-bytes"), counter (interface, "rx-packets"),
                 counter (interface, "tx-bytes"), counter (interface, "tx-packets"), addresses);
      else
        g_print ("%-16s %-18s %s\n", name != NULL ? name : "?", mac != NULL ? mac : "-", addresses);
    }
  return STATUS_OK;
}
