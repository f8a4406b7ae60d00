/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlink identity: who the guest is, as a person checks it after a
 * clone: names, machine-id, boot id, OS and the SSH host key fingerprints
 * (the lines to compare with ssh's "The authenticity of host" prompt).
 */
#include "config.h"

#include "cli.h"

static const char *
or_default (const char *value,
            const char *fallback)
{
  return value != NULL ? value : fallback;
}

static void
print_member (JsonObject *object,
              const char *member,
              const char *label)
{
  if (cli_string (object, member) != NULL)
    g_print ("%-18s %s\n", label, cli_string (object, member));
}

static void
print_machine_id (JsonObject *object,
                  const char *prefix,
                  const char *label)
{
  g_autofree char *state_member = g_strconcat (prefix, "-state", NULL);
  const char *state = cli_string (object, state_member);

  if (state != NULL && !g_str_equal (state, "valid"))
    g_print ("%-18s (%s)\n", label, state);
  else
    print_member (object, prefix, label);
}

void
cli_print_identity (JsonObject *object)
{
  JsonObject *os;
  JsonArray *keys;

  print_member (object, "host-name", "Host name");
  print_member (object, "static-host-name", "Static host name");
  print_member (object, "pretty-host-name", "Pretty host name");
  print_machine_id (object, "machine-id", "Machine ID");
  print_machine_id (object, "dbus-machine-id", "D-Bus machine ID");
  print_member (object, "boot-id", "Boot ID");
  print_member (object, "product-uuid", "Product UUID");
  os = cli_object (object, "os");
  if (os != NULL)
    g_print ("%-18s %s %s\n", "OS", or_default (cli_string (os, "id"), "?"),
             or_default (cli_string (os, "version-id"), ""));

  keys = cli_array (object, "ssh-host-keys");
  if (keys != NULL)
    {
      g_print ("SSH host keys%s\n", json_array_get_length (keys) == 0 ? "      (none)" : "");
      for (guint i = 0; i < json_array_get_length (keys); i++)
        {
          JsonObject *key = cli_element_object (keys, i);

          if (cli_string (key, "error") != NULL)
            g_print ("  %s: %s\n", or_default (cli_string (key, "path"), "?"),
                     cli_string (key, "error"));
          else
            g_print ("  %-22s %s\n", or_default (cli_string (key, "type"), "?"),
                     or_default (cli_string (key, "fingerprint"), "?"));
        }
    }
}

int
cli_identity (Cli   *cli,
              char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) identity = NULL;

  if (cli->json)
    return call_and_print (cli, "__org.guestlink_get-identity", NULL, FALSE);

  identity = guestlink_client_get_identity (cli->client, NULL, &error);
  if (identity == NULL)
    return report_error ("__org.guestlink_get-identity", error);

  cli_print_identity (json_node_get_object (identity));
  return STATUS_OK;
}
