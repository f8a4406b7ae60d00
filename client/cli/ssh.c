/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlink authorized-keys USER [list|add|remove] [KEY...]: a guest
 * user's ~/.ssh/authorized_keys. A KEY of "-" reads key lines from
 * standard input (blank lines and comments skipped), so a .pub file can
 * be piped in; --json prints the agent's reply instead.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "request-arguments.h"

static gboolean
set_reset (const char  *option_name,
           const char  *value,
           gpointer     data,
           GError     **error)
{
  Cli *cli = data;

  cli->reset = TRUE;
  return TRUE;
}

const GOptionEntry cli_authorized_keys_options[] = {
  { "reset", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, set_reset,
    "add: the keys replace every line of the file", NULL },
  { NULL, },
};

static gboolean
read_stdin_keys (GPtrArray  *keys,
                 GError    **error)
{
  g_autoptr(GIOChannel) channel = g_io_channel_unix_new (0);
  char *line = NULL;
  GIOStatus status;

  while ((status = g_io_channel_read_line (channel, &line, NULL, NULL, error)) == G_IO_STATUS_NORMAL)
    {
      g_strstrip (line);
      if (line[0] == '\0' || line[0] == '#')
        g_free (line);
      else
        g_ptr_array_add (keys, line);
    }
  return status == G_IO_STATUS_EOF;
}

int
cli_authorized_keys (Cli   *cli,
                     char **args)
{
  const char *username = args[0];
  const char *action = args[1] != NULL ? args[1] : "list";
  g_autoptr(GPtrArray) keys = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  g_autoptr(GError) error = NULL;
  const char *command;
  gboolean ok;

  if (g_str_equal (action, "list"))
    command = "guest-ssh-get-authorized-keys";
  else if (g_str_equal (action, "add"))
    command = "guest-ssh-add-authorized-keys";
  else if (g_str_equal (action, "remove"))
    command = "guest-ssh-remove-authorized-keys";
  else
    {
      g_printerr ("%s: authorized-keys: unknown action '%s' (list, add or remove)\n",
                  g_get_prgname (), action);
      return STATUS_USAGE;
    }

  for (gsize i = 2; args[1] != NULL && args[i] != NULL; i++)
    {
      if (!g_str_equal (args[i], "-"))
        g_ptr_array_add (keys, g_strdup (args[i]));
      else if (!read_stdin_keys (keys, &error))
        {
          g_printerr ("%s: cannot read keys: %s\n", g_get_prgname (), error->message);
          return STATUS_USAGE;
        }
    }

  if (g_str_equal (action, "list"))
    {
      g_auto(GStrv) listed = NULL;

      if (keys->len > 0 || cli->reset)
        {
          g_printerr ("%s: authorized-keys: list takes no keys\n", g_get_prgname ());
          return STATUS_USAGE;
        }
      if (cli->json)
        {
          g_autoptr(JsonObject) arguments = NULL;

          arguments = request_arguments_authorized_keys (username, NULL, FALSE);

          return call_and_print (cli, command, arguments, FALSE);
        }
      listed = guestlink_client_ssh_get_authorized_keys (cli->client, username, NULL, &error);
      if (listed == NULL)
        return report_error (command, error);
      for (gsize i = 0; listed[i] != NULL; i++)
        g_print ("%s\n", listed[i]);
      return STATUS_OK;
    }

  if (keys->len == 0 && !(cli->reset && g_str_equal (action, "add")))
    {
      g_printerr ("%s: authorized-keys: %s needs at least one KEY\n", g_get_prgname (), action);
      return STATUS_USAGE;
    }
  if (cli->reset && !g_str_equal (action, "add"))
    {
      g_printerr ("%s: authorized-keys: --reset goes with add\n", g_get_prgname ());
      return STATUS_USAGE;
    }

  if (cli->json)
    {
      g_autoptr(JsonObject) arguments = NULL;

      arguments = request_arguments_authorized_keys (username, (const char * const *) keys->pdata,
                                                     cli->reset);

      return call_and_print (cli, command, arguments, FALSE);
    }

  if (g_str_equal (action, "add"))
    ok = guestlink_client_ssh_add_authorized_keys (cli->client, username,
                                                   (const char * const *) keys->pdata,
                                                   cli->reset, NULL, &error);
  else
    ok = guestlink_client_ssh_remove_authorized_keys (cli->client, username,
                                                      (const char * const *) keys->pdata,
                                                      NULL, &error);
  if (!ok)
    return report_error (command, error);
  return STATUS_OK;
}
