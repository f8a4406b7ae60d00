/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlink ssh-keys [list|rotate]: the guest's SSH host keys as
 * known_hosts lines, so a host can trust the guest's sshd without a
 * first-use prompt, and new keys printed the same way. The output of list
 * can be appended to known_hosts as it is: the fingerprints are comment
 * lines, as ssh-keyscan writes its own.
 *
 * The guest is not trusted with what goes into known_hosts: a key or a
 * host name that is not one plain field is left out rather than printed,
 * since a newline or a pattern in it would add entries for other hosts.
 */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "request-arguments.h"

#define GET_HOST_KEYS "__org.guestlink_ssh-get-host-keys"
#define ROTATE_HOST_KEYS "__org.guestlink_ssh-rotate-host-keys"

static gboolean
add_type (const char  *option_name,
          const char  *value,
          gpointer     data,
          GError     **error)
{
  Cli *cli = data;

  if (cli->types == NULL)
    cli->types = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  g_ptr_array_add (cli->types, g_strdup (value));
  return TRUE;
}

static gboolean
has_blank_or_control (const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    if (g_ascii_isspace (*c) || g_ascii_iscntrl (*c))
      return TRUE;
  return FALSE;
}

/* A name of the user's is theirs to choose (a pattern, "[name]:port", a
 * list), as long as it stays one field of the line. */
static gboolean
set_host (const char  *option_name,
          const char  *value,
          gpointer     data,
          GError     **error)
{
  Cli *cli = data;

  if (*value == '\0' || has_blank_or_control (value))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s '%s': a known_hosts host name has no blanks", option_name, value);
      return FALSE;
    }
  g_free (cli->host);
  cli->host = g_strdup (value);
  return TRUE;
}

const GOptionEntry cli_ssh_keys_options[] = {
  { "type", 0, 0, G_OPTION_ARG_CALLBACK, add_type,
    "rotate: only the keys of TYPE: ed25519, ecdsa or rsa (repeatable)", "TYPE" },
  { "host", 0, 0, G_OPTION_ARG_CALLBACK, set_host,
    "The host name of the known_hosts lines (default: the guest's own)", "NAME" },
  { NULL, },
};

gboolean
cli_is_plain_host_name (const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr ("-._", *c) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
is_field (const char *text,
          const char *allowed)
{
  if (*text == '\0')
    return FALSE;
  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr (allowed, *c) == NULL)
      return FALSE;
  return TRUE;
}

/* "TYPE BASE64" and nothing else. */
static gboolean
is_public_key_line (const char *line)
{
  g_auto(GStrv) fields = g_strsplit (line, " ", -1);

  return g_strv_length (fields) == 2 && is_field (fields[0], "-@._") &&
         is_field (fields[1], "+/=");
}

static const char *
or_unknown (const char *text)
{
  return text != NULL && !has_blank_or_control (text) ? text : "?";
}

void
cli_print_known_hosts (const char *host,
                       JsonArray  *keys,
                       gboolean    fingerprints)
{
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = cli_element_object (keys, i);
      const char *path = or_unknown (cli_string (key, "path"));
      const char *public_key = cli_string (key, "public-key");

      if (cli_string (key, "error") != NULL)
        {
          g_printerr ("%s: %s: %s\n", g_get_prgname (), path, cli_string (key, "error"));
          continue;
        }
      if (public_key == NULL || !is_public_key_line (public_key))
        {
          g_printerr ("%s: %s: the guest's public key is not one \"TYPE BASE64\" line; left out\n",
                      g_get_prgname (), path);
          continue;
        }
      if (fingerprints)
        g_print ("# %s %s\n", or_unknown (cli_string (key, "fingerprint")), path);
      g_print ("%s %s\n", host, public_key);
    }
}

static const char *
plural (guint count)
{
  return count == 1 ? "" : "s";
}

static const char *
reload_description (gboolean    reloaded,
                    const char *method)
{
  if (reloaded && g_strcmp0 (method, "systemd") == 0)
    return "yes, through systemd";
  if (reloaded && g_strcmp0 (method, "signal") == 0)
    return "yes, with SIGHUP";
  if (!reloaded && g_strcmp0 (method, "none") == 0)
    return "no, sshd is not running";
  return reloaded ? "yes" : "no";
}

void
cli_print_rotation (JsonObject *rotation)
{
  JsonArray *keys = cli_array (rotation, "keys");
  guint n_keys = keys != NULL ? json_array_get_length (keys) : 0;
  JsonNode *reloaded = json_object_get_member (rotation, "sshd-reloaded");
  int width = 0;

  for (guint i = 0; i < n_keys; i++)
    width = MAX (width, (int) strlen (or_unknown (cli_string (cli_element_object (keys, i), "type"))));

  g_print ("Rotated %u SSH host key%s:\n", n_keys, plural (n_keys));
  for (guint i = 0; i < n_keys; i++)
    {
      JsonObject *key = cli_element_object (keys, i);
      const char *old = cli_string (key, "old-fingerprint");

      g_print ("  %-*s  %s -> %s\n", width, or_unknown (cli_string (key, "type")),
               old != NULL ? or_unknown (old) : "(no key before)",
               or_unknown (cli_string (key, "fingerprint")));
    }
  g_print ("sshd reloaded: %s\n",
           reload_description (reloaded != NULL && JSON_NODE_HOLDS_VALUE (reloaded) &&
                               json_node_get_value_type (reloaded) == G_TYPE_BOOLEAN &&
                               json_node_get_boolean (reloaded),
                               cli_string (rotation, "sshd-reload-method")));
}

/* --host, else the guest's name, asked before anything changes. */
static int
resolve_host (Cli   *cli,
              char **out_host)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (cli->host != NULL)
    {
      *out_host = g_strdup (cli->host);
      return STATUS_OK;
    }

  name = guestlink_client_get_host_name (cli->client, NULL, &error);
  if (name == NULL)
    return report_error ("guest-get-host-name", error);
  if (!cli_is_plain_host_name (name))
    {
      g_printerr ("%s: ssh-keys: the guest's host name is not a plain host name; "
                  "give the one to use with --host NAME\n", g_get_prgname ());
      return STATUS_AGENT_ERROR;
    }
  *out_host = g_steal_pointer (&name);
  return STATUS_OK;
}

static int
list_keys (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) keys = NULL;
  g_autofree char *host = NULL;
  int status;

  if (cli->json)
    return call_and_print (cli, GET_HOST_KEYS, NULL, FALSE);

  status = resolve_host (cli, &host);
  if (status != STATUS_OK)
    return status;

  keys = guestlink_client_ssh_get_host_keys (cli->client, NULL, &error);
  if (keys == NULL)
    return report_error (GET_HOST_KEYS, error);

  if (json_array_get_length (json_node_get_array (keys)) == 0)
    g_printerr ("%s: the guest has no SSH host keys\n", g_get_prgname ());
  cli_print_known_hosts (host, json_node_get_array (keys), TRUE);
  return STATUS_OK;
}

static int
rotate_keys (Cli *cli)
{
  const char * const *types = cli->types != NULL ? (const char * const *) cli->types->pdata : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) rotation = NULL;
  g_autofree char *host = NULL;
  int status;

  if (cli->json)
    {
      g_autoptr(JsonObject) arguments = request_arguments_rotate_host_keys (types);

      return call_and_print (cli, ROTATE_HOST_KEYS, arguments, FALSE);
    }

  status = resolve_host (cli, &host);
  if (status != STATUS_OK)
    return status;

  rotation = guestlink_client_ssh_rotate_host_keys (cli->client, types, NULL, &error);
  if (rotation == NULL)
    return report_error (ROTATE_HOST_KEYS, error);

  cli_print_rotation (json_node_get_object (rotation));
  g_print ("\nNew known_hosts lines:\n");
  cli_print_known_hosts (host, cli_array (json_node_get_object (rotation), "keys"), FALSE);
  return STATUS_OK;
}

int
cli_ssh_keys (Cli   *cli,
              char **args)
{
  const char *action = args[0] != NULL ? args[0] : "list";

  if (args[0] != NULL && args[1] != NULL)
    return usage_error ("ssh-keys: unexpected argument '%s'", args[1]);

  if (g_str_equal (action, "list"))
    {
      if (cli->types != NULL)
        return usage_error ("ssh-keys: --type goes with rotate");
      return list_keys (cli);
    }
  if (g_str_equal (action, "rotate"))
    return rotate_keys (cli);

  return usage_error ("ssh-keys: unknown action '%s' (list or rotate)", action);
}
