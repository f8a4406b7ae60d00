/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <gio/gio.h>

#include "logging.h"

static gboolean log_verbose;
static FILE *log_file;

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "error";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "critical";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "message";
  if (level & G_LOG_LEVEL_INFO)
    return "info";
  return "debug";
}

static const char *
field_value (const GLogField *fields,
             gsize            n_fields,
             const char      *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, key))
      return fields[i].value;
  return NULL;
}

static GLogWriterOutput
write_log (GLogLevelFlags   level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  if ((level & G_LOG_LEVEL_DEBUG) && !log_verbose)
    return G_LOG_WRITER_HANDLED;

  if (log_file != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *timestamp = g_date_time_format_iso8601 (now);
      const char *message = field_value (fields, n_fields, "MESSAGE");

      fprintf (log_file, "%s %s: %s\n", timestamp, level_name (level),
               message != NULL ? message : "");
      fflush (log_file);
      return G_LOG_WRITER_HANDLED;
    }

  /* GLib's default writer picks the journal when stderr is one. Debug
   * messages were filtered above; tell it not to filter them again. */
  return g_log_writer_default (level, fields, n_fields, user_data);
}

gboolean
logging_init (gboolean     verbose,
              const char  *logfile,
              GError     **error)
{
  log_verbose = verbose;
  if (verbose)
    g_log_set_debug_enabled (TRUE);

  if (logfile != NULL)
    {
      log_file = fopen (logfile, "ae");
      if (log_file == NULL)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot open log file %s: %s", logfile, g_strerror (saved_errno));
          return FALSE;
        }
    }

  g_log_set_writer_func (write_log, NULL, NULL);
  return TRUE;
}

void
logging_shutdown (void)
{
  if (log_file != NULL)
    fclose (log_file);
  log_file = NULL;
}
