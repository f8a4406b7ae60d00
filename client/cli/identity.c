/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlink identity: who the guest is, as a person checks it after a
 * clone: names, machine-id, boot id, OS and the SSH host key fingerprints
 * (the lines to compare with ssh's "The authenticity of host" prompt).
 */
#include "config.h"

#include "cli.h"

static void
print_member (JsonObject *object,
              const char *member,
              const char *label)
{
  if (json_object_has_member (object, member) &&
      json_node_get_value_type (json_object_get_member (object, member)) == G_TYPE_STRING)
    g_print ("%-18s %s\n", label, json_object_get_string_member (object, member));
}

static void
print_machine_id (JsonObject *object,
                  const char *prefix,
                  const char *label)
{
  g_autofree char *state_member = g_strconcat (prefix, "-state", NULL);
  const char *state = json_object_get_string_member_with_default (object, state_member, NULL);

  if (state != NULL && !g_str_equal (state, "valid"))
    g_print ("%-18s (%s)\n", label, state);
  else
    print_member (object, prefix, label);
}

int
cli_identity (Cli   *cli,
              char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) identity = NULL;
  JsonObject *object;

  if (cli->json)
    return call_and_print (cli, "__org.guestlink_get-identity", NULL, FALSE);

  identity = guestlink_client_get_identity (cli->client, NULL, &error);
  if (identity == NULL)
    return report_error ("__org.guestlink_get-identity", error);

  object = json_node_get_object (identity);
  print_member (object, "host-name", "Host name");
  print_member (object, "static-host-name", "Static host name");
  print_member (object, "pretty-host-name", "Pretty host name");
  print_machine_id (object, "machine-id", "Machine ID");
  print_machine_id (object, "dbus-machine-id", "D-Bus machine ID");
  print_member (object, "boot-id", "Boot ID");
  print_member (object, "product-uuid", "Product UUID");
  if (json_object_has_member (object, "os"))
    {
      JsonObject *os = json_object_get_object_member (object, "os");
      g_print ("%-18s %s %s\n", "OS",
               json_object_get_string_member_with_default (os, "id", "?"),
               json_object_get_string_member_with_default (os, "version-id", ""));
    }

  if (json_object_has_member (object, "ssh-host-keys"))
    {
      JsonArray *keys = json_object_get_array_member (object, "ssh-host-keys");

      g_print ("SSH host keys%s\n", json_array_get_length (keys) == 0 ? "      (none)" : "");
      for (guint i = 0; i < json_array_get_length (keys); i++)
        {
          JsonObject *key = json_array_get_object_element (keys, i);

          if (json_object_has_member (key, "error"))
            g_print ("  %s: %s\n", json_object_get_string_member_with_default (key, "path", "?"),
                     json_object_get_string_member (key, "error"));
          else
            g_print ("  %-22s %s\n", json_object_get_string_member_with_default (key, "type", "?"),
                     json_object_get_string_member_with_default (key, "fingerprint", "?"));
        }
    }
  return STATUS_OK;
}
