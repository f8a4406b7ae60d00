/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <gio/gio.h>

#include "logging.h"

/* While filesystems are frozen, a write to a log file (or by journald,
 * whose socket then fills) would block us: messages wait in memory,
 * a bounded number of bounded size. The oldest go first: the last words
 * (why the agent thawed) matter most. */
#define HELD_MESSAGES_MAX 1000
#define HELD_MESSAGE_MAX_BYTES 4096

typedef struct {
  GLogLevelFlags level;
  GDateTime *time;
  char *domain;
  char *message;
} HeldMessage;

static gboolean log_verbose;
static FILE *log_file;
static gboolean logging_to_file;
static GMutex file_lock;      /* log_file, written from any thread */
static GMutex held_lock;
static gboolean holding;
static GQueue held_messages = G_QUEUE_INIT;
static guint held_dropped;

static void
held_message_free (HeldMessage *held)
{
  g_date_time_unref (held->time);
  g_free (held->domain);
  g_free (held->message);
  g_free (held);
}

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

static const char *
level_priority (GLogLevelFlags level)
{
  /* syslog priorities, as GLib's own writers use them. */
  if (level & G_LOG_LEVEL_ERROR)
    return "3";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "4";
  if (level & G_LOG_LEVEL_WARNING)
    return "4";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "5";
  if (level & G_LOG_LEVEL_INFO)
    return "6";
  return "7";
}

static GLogWriterOutput
write_out (GLogLevelFlags   level,
           GDateTime       *time,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  if (logging_to_file)
    {
      g_autofree char *timestamp = g_date_time_format_iso8601 (time);
      const char *message = field_value (fields, n_fields, "MESSAGE");

      /* A worker thread may log while logging_shutdown() closes it. */
      g_mutex_lock (&file_lock);
      if (log_file != NULL)
        {
          fprintf (log_file, "%s %s: %s\n", timestamp, level_name (level),
                   message != NULL ? message : "");
          fflush (log_file);
        }
      g_mutex_unlock (&file_lock);
      return G_LOG_WRITER_HANDLED;
    }

  /* GLib's default writer picks the journal when stderr is one. Debug
   * messages were filtered above; tell it not to filter them again. */
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* Under held_lock. */
static void
hold_message (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields)
{
  const char *message = field_value (fields, n_fields, "MESSAGE");
  HeldMessage *held;

  if (g_queue_get_length (&held_messages) >= HELD_MESSAGES_MAX)
    {
      held_message_free (g_queue_pop_head (&held_messages));
      held_dropped++;
    }

  held = g_new0 (HeldMessage, 1);
  held->level = level;
  held->time = g_date_time_new_now_local ();
  held->domain = g_strdup (field_value (fields, n_fields, "GLIB_DOMAIN"));
  held->message = g_strndup (message != NULL ? message : "", HELD_MESSAGE_MAX_BYTES);
  g_queue_push_tail (&held_messages, held);
}

static void
write_held (HeldMessage *held)
{
  g_autofree char *time = g_date_time_format (held->time, "%T.%f");
  /* The log file stamps each line with held->time; the journal and
   * stderr stamp it now, so the message says when it happened. */
  g_autofree char *message = logging_to_file
    ? g_strdup (held->message != NULL ? held->message : "")
    : g_strdup_printf ("%s (at %.12s, held while frozen)",
                       held->message != NULL ? held->message : "", time);
  const GLogField fields[] = {
    { "MESSAGE", message, -1 },
    { "PRIORITY", level_priority (held->level), -1 },
    { "GLIB_DOMAIN", held->domain != NULL ? held->domain : "guestlinkd", -1 },
  };

  write_out (held->level, held->time, fields, G_N_ELEMENTS (fields), NULL);
}

static GLogWriterOutput
write_log (GLogLevelFlags   level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  g_autoptr(GDateTime) now = NULL;

  if ((level & G_LOG_LEVEL_DEBUG) && !log_verbose)
    return G_LOG_WRITER_HANDLED;

  g_mutex_lock (&held_lock);
  if (holding)
    {
      hold_message (level, fields, n_fields);
      g_mutex_unlock (&held_lock);
      return G_LOG_WRITER_HANDLED;
    }
  g_mutex_unlock (&held_lock);

  now = g_date_time_new_now_local ();
  return write_out (level, now, fields, n_fields, user_data);
}

void
logging_hold (gboolean hold)
{
  GQueue messages = G_QUEUE_INIT;
  guint dropped;

  g_mutex_lock (&held_lock);
  holding = hold;
  if (!hold)
    {
      messages = held_messages;
      g_queue_init (&held_messages);
    }
  dropped = held_dropped;
  if (!hold)
    held_dropped = 0;
  g_mutex_unlock (&held_lock);

  if (hold)
    return;

  while (!g_queue_is_empty (&messages))
    {
      HeldMessage *held = g_queue_pop_head (&messages);

      write_held (held);
      held_message_free (held);
    }
  if (dropped > 0)
    g_message ("%u earlier log messages were dropped while the filesystems were frozen",
               dropped);
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
      logging_to_file = TRUE;
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
  logging_hold (FALSE);
  g_mutex_lock (&file_lock);
  if (log_file != NULL)
    fclose (log_file);
  log_file = NULL;
  g_mutex_unlock (&file_lock);
}
