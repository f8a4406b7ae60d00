/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlink freeze, thaw, freeze-status, fstrim, fsinfo: the guest's
 * filesystems, as a backup script or a person around a snapshot needs
 * them; --json prints the agent's reply instead.
 */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "request-arguments.h"

static gboolean
add_mountpoint (const char  *option_name,
                const char  *value,
                gpointer     data,
                GError     **error)
{
  Cli *cli = data;

  /* Taken as bytes (G_OPTION_FLAG_FILENAME) rather than converted from
   * the locale, which fails for non-ASCII paths under LC_ALL=C; the
   * protocol is JSON, so UTF-8 is what the agent can be sent. */
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: the path is not valid UTF-8", option_name);
      return FALSE;
    }

  if (cli->mountpoints == NULL)
    cli->mountpoints = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  g_ptr_array_add (cli->mountpoints, g_strdup (value));
  return TRUE;
}

static gboolean
set_minimum (const char  *option_name,
             const char  *value,
             gpointer     data,
             GError     **error)
{
  Cli *cli = data;
  guint64 minimum;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &minimum, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "invalid %s '%s': expected a number of bytes", option_name, value);
      return FALSE;
    }

  cli->minimum = (gint64) minimum;
  return TRUE;
}

const GOptionEntry cli_freeze_options[] = {
  { "mountpoint", 'm', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, add_mountpoint,
    "Freeze only the filesystem mounted at PATH in the guest (repeatable)", "PATH" },
  { NULL, },
};

const GOptionEntry cli_fstrim_options[] = {
  { "minimum", 0, 0, G_OPTION_ARG_CALLBACK, set_minimum,
    "Skip free ranges smaller than BYTES", "BYTES" },
  { NULL, },
};

static const char *
plural (int count)
{
  return count == 1 ? "" : "s";
}

int
cli_freeze (Cli   *cli,
            char **args)
{
  const char * const *mountpoints = NULL;
  const char *command;
  g_autoptr(GError) error = NULL;
  int count;

  if (cli->mountpoints != NULL)
    mountpoints = (const char * const *) cli->mountpoints->pdata;
  command = request_arguments_freeze_command (mountpoints);

  if (cli->json)
    {
      g_autoptr(JsonObject) arguments = request_arguments_freeze (mountpoints);

      return call_and_print (cli, command, arguments, FALSE);
    }

  count = guestlink_client_fsfreeze_freeze (cli->client, mountpoints, NULL, &error);
  if (count < 0)
    {
      int status = report_error (command, error);

      /* The agent may have frozen all the same: leaving the guest frozen
       * unnoticed is the one outcome a snapshot script must not miss. */
      if (g_error_matches (error, GUESTLINK_ERROR, GUESTLINK_ERROR_TIMEOUT) ||
          g_error_matches (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL))
        g_printerr ("%s: the guest may be frozen all the same: check with "
                    "'guestlink freeze-status', undo with 'guestlink thaw'\n",
                    g_get_prgname ());
      return status;
    }

  g_print ("Froze %d filesystem%s\n", count, plural (count));
  return STATUS_OK;
}

int
cli_thaw (Cli   *cli,
          char **args)
{
  g_autoptr(GError) error = NULL;
  int count;

  if (cli->json)
    return call_and_print (cli, "guest-fsfreeze-thaw", NULL, FALSE);

  count = guestlink_client_fsfreeze_thaw (cli->client, NULL, &error);
  if (count < 0)
    return report_error ("guest-fsfreeze-thaw", error);

  g_print ("Thawed %d filesystem%s\n", count, plural (count));
  return STATUS_OK;
}

int
cli_freeze_status (Cli   *cli,
                   char **args)
{
  g_autoptr(GError) error = NULL;
  GuestlinkFsfreezeStatus status;

  if (cli->json)
    return call_and_print (cli, "guest-fsfreeze-status", NULL, FALSE);

  if (!guestlink_client_fsfreeze_get_status (cli->client, &status, NULL, &error))
    return report_error ("guest-fsfreeze-status", error);

  g_print ("%s\n", status == GUESTLINK_FSFREEZE_STATUS_FROZEN ? "frozen" : "thawed");
  return STATUS_OK;
}

/* "1.7 GiB", with a plain space: g_format_size() puts a no-break space
 * there, which tools reading the table would not take for a blank. */
static char *
format_size (JsonObject *object,
             const char *member)
{
  gint64 bytes = cli_int (object, member, -1);
  g_autofree char *size = NULL;
  g_autoptr(GString) text = NULL;

  if (bytes < 0)
    return g_strdup ("-");

  size = g_format_size_full ((guint64) bytes, G_FORMAT_SIZE_IEC_UNITS);
  text = g_string_new (size);
  g_string_replace (text, "\u00a0", " ", 0);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A table whose columns are as wide as their widest cell, without blanks
 * at the ends of lines. */
typedef struct
{
  guint n_columns;
  GPtrArray *cells;  /* (element-type utf8): row after row, headings first */
} Table;

static Table *
table_new (const char * const *headings)
{
  Table *table = g_new0 (Table, 1);

  table->n_columns = g_strv_length ((char **) headings);
  table->cells = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < table->n_columns; i++)
    g_ptr_array_add (table->cells, g_strdup (headings[i]));
  return table;
}

static void
table_free (Table *table)
{
  g_ptr_array_unref (table->cells);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

/* Takes the cells, one per column. */
static void
table_add_row (Table *table,
               ...)
{
  va_list args;

  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    g_ptr_array_add (table->cells, va_arg (args, char *));
  va_end (args);
}

static void
table_print (Table *table)
{
  g_autofree int *widths = g_new0 (int, table->n_columns);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; i < table->cells->len; i++)
    widths[i % table->n_columns] = MAX (widths[i % table->n_columns],
                                        (int) g_utf8_strlen (g_ptr_array_index (table->cells, i), -1));

  for (guint i = 0; i < table->cells->len; i++)
    {
      const char *cell = g_ptr_array_index (table->cells, i);
      guint column = i % table->n_columns;

      /* Padded by characters, not bytes: mount points need not be ASCII. */
      g_string_append_printf (line, "%s%*s  ", cell, widths[column] - (int) g_utf8_strlen (cell, -1), "");
      if (column + 1 == table->n_columns)
        {
          g_print ("%s\n", g_strchomp (line->str));
          g_string_truncate (line, 0);
        }
    }
}

int
cli_fstrim (Cli   *cli,
            char **args)
{
  static const char * const headings[] = { "PATH", "TRIMMED", "MINIMUM", "ERROR", NULL };
  g_autoptr(JsonNode) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Table) table = NULL;
  JsonArray *paths;

  if (cli->json)
    {
      g_autoptr(JsonObject) arguments = request_arguments_fstrim (cli->minimum);

      return call_and_print (cli, "guest-fstrim", arguments, FALSE);
    }

  response = guestlink_client_fstrim (cli->client, cli->minimum, NULL, &error);
  if (response == NULL)
    return report_error ("guest-fstrim", error);

  paths = cli_array (json_node_get_object (response), "paths");
  if (json_array_get_length (paths) == 0)
    {
      g_print ("The agent trimmed no filesystem.\n");
      return STATUS_OK;
    }

  /* A filesystem that cannot be trimmed (qemu-ga: "trim not supported")
   * is a row, not a failure of the command. */
  table = table_new (headings);
  for (guint i = 0; i < json_array_get_length (paths); i++)
    {
      JsonObject *path = cli_element_object (paths, i);
      const char *failure = cli_string (path, "error");

      table_add_row (table, g_strdup (cli_string (path, "path")), format_size (path, "trimmed"),
                     format_size (path, "minimum"), g_strdup (failure != NULL ? failure : ""));
    }
  table_print (table);
  return STATUS_OK;
}

/* "virtio 0000:00:05.0 0:0:0": the bus type, the controller's PCI address
 * ("-" when the guest reports it as -1) and bus:target:unit. */
static char *
describe_disk (JsonObject *disk)
{
  JsonObject *pci = cli_object (disk, "pci-controller");
  gint64 domain = cli_int (pci, "domain", -1);
  gint64 bus = cli_int (pci, "bus", -1);
  gint64 slot = cli_int (pci, "slot", -1);
  gint64 function = cli_int (pci, "function", -1);
  g_autofree char *address = NULL;

  if (domain >= 0 && bus >= 0 && slot >= 0 && function >= 0)
    address = g_strdup_printf ("%04" G_GINT64_MODIFIER "x:%02" G_GINT64_MODIFIER "x:%02"
                               G_GINT64_MODIFIER "x.%" G_GINT64_MODIFIER "x",
                               domain, bus, slot, function);

  return g_strdup_printf ("%s %s %" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                          cli_string (disk, "bus-type"), address != NULL ? address : "-",
                          cli_int (disk, "bus", 0), cli_int (disk, "target", 0),
                          cli_int (disk, "unit", 0));
}

static char *
describe_disks (JsonObject *filesystem)
{
  JsonArray *disks = cli_array (filesystem, "disk");
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (disks); i++)
    {
      g_autofree char *disk = describe_disk (cli_element_object (disks, i));

      g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "", disk);
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : g_strdup ("-");
}

int
cli_fsinfo (Cli   *cli,
            char **args)
{
  static const char * const headings[] = {
    "MOUNTPOINT", "TYPE", "USED", "TOTAL", "DEVICE", "DISK", NULL,
  };
  g_autoptr(JsonNode) filesystems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Table) table = NULL;
  JsonArray *array;

  if (cli->json)
    return call_and_print (cli, "guest-get-fsinfo", NULL, FALSE);

  /* The library has checked every member read here. */
  filesystems = guestlink_client_get_fsinfo (cli->client, NULL, &error);
  if (filesystems == NULL)
    return report_error ("guest-get-fsinfo", error);

  array = json_node_get_array (filesystems);
  if (json_array_get_length (array) == 0)
    {
      g_print ("The agent reports no local filesystem.\n");
      return STATUS_OK;
    }

  table = table_new (headings);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *filesystem = cli_element_object (array, i);

      table_add_row (table, g_strdup (cli_string (filesystem, "mountpoint")),
                     g_strdup (cli_string (filesystem, "type")),
                     format_size (filesystem, "used-bytes"), format_size (filesystem, "total-bytes"),
                     g_strdup (cli_string (filesystem, "name")), describe_disks (filesystem));
    }
  table_print (table);
  return STATUS_OK;
}
