/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The system information family: who and what the guest is, and how busy.
 * Replies follow qemu-ga's schema (qga/qapi-schema.json) member for
 * member; everything is read from /proc, /sys, utmp and os-release at
 * the time of the call, never cached, so a renamed guest reports its new
 * name at once.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "commands.h"
#include "identity.h"
#include "json-members.h"
#include "message.h"

static void
return_errno_error (CommandCall *call,
                    int          saved_errno,
                    const char  *what)
{
  command_call_return_error (call, g_error_new (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                                                "%s: %s", what, g_strerror (saved_errno)));
}

static void
handle_get_host_name (CommandCall *call)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  char name[HOST_NAME_MAX + 1] = "";

  /* Not g_get_host_name(): it caches, and set-identity renames us. */
  if (gethostname (name, sizeof name - 1) < 0)
    {
      return_errno_error (call, errno, "Cannot get the host name");
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "host-name");
  json_builder_add_string_value (builder, name);
  json_builder_end_object (builder);
  command_call_return (call, json_builder_get_root (builder));
}

static void
handle_get_osinfo (CommandCall *call)
{
  static const struct { const char *member; const char *key; } os_release_members[] = {
    { "id", "ID" },
    { "name", "NAME" },
    { "pretty-name", "PRETTY_NAME" },
    { "version", "VERSION" },
    { "version-id", "VERSION_ID" },
    { "variant", "VARIANT" },
    { "variant-id", "VARIANT_ID" },
  };
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GHashTable) os_release = identity_read_os_release ("/");
  struct utsname kernel;

  json_builder_begin_object (builder);
  if (uname (&kernel) == 0)
    {
      json_members_add_string (builder, "kernel-release", kernel.release);
      json_members_add_string (builder, "kernel-version", kernel.version);
      json_members_add_string (builder, "machine", kernel.machine);
    }
  for (gsize i = 0; os_release != NULL && i < G_N_ELEMENTS (os_release_members); i++)
    json_members_add_string (builder, os_release_members[i].member,
                         g_hash_table_lookup (os_release, os_release_members[i].key));
  json_builder_end_object (builder);

  command_call_return (call, json_builder_get_root (builder));
}

static void
handle_get_timezone (CommandCall *call)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  time_t now = time (NULL);
  struct tm local;

  /* Not GLib's local GTimeZone, which is read once and cached: tzset()
   * picks up an /etc/localtime changed since the agent started. */
  tzset ();
  if (localtime_r (&now, &local) == NULL)
    {
      return_errno_error (call, errno, "Cannot get the local time zone");
      return;
    }

  json_builder_begin_object (builder);
  json_members_add_string (builder, "zone", local.tm_zone);
  json_builder_set_member_name (builder, "offset");
  json_builder_add_int_value (builder, local.tm_gmtoff);
  json_builder_end_object (builder);
  command_call_return (call, json_builder_get_root (builder));
}

typedef struct {
  char *user;
  double login_time;
} LoggedInUser;

static void
logged_in_user_free (gpointer data)
{
  LoggedInUser *user = data;

  g_free (user->user);
  g_free (user);
}

/* getutxent() keeps its position in static state: one reader at a time. */
static GMutex utmp_lock;

/* Each user logged in (utmp USER_PROCESS), once, with the earliest login:
 * what qemu-ga reports. Runs in a worker thread: glibc waits up to ten
 * seconds for the utmp lock, and the main loop must not. */
static JsonNode *
collect_users (gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (logged_in_user_free);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&utmp_lock);
  struct utmpx *entry;

  setutxent ();
  while ((entry = getutxent ()) != NULL)
    {
      g_autofree char *name = NULL;
      double login_time;
      LoggedInUser *user;

      if (entry->ut_type != USER_PROCESS)
        continue;

      /* ut_user is a fixed array, not always NUL-terminated. */
      name = g_strndup (entry->ut_user, sizeof entry->ut_user);
      login_time = entry->ut_tv.tv_sec + entry->ut_tv.tv_usec / (double) G_USEC_PER_SEC;
      user = g_hash_table_lookup (by_name, name);
      if (user != NULL)
        {
          user->login_time = MIN (user->login_time, login_time);
          continue;
        }

      user = g_new0 (LoggedInUser, 1);
      user->user = g_steal_pointer (&name);
      user->login_time = login_time;
      g_ptr_array_add (users, user);
      g_hash_table_insert (by_name, user->user, user);
    }
  endutxent ();
  g_clear_pointer (&locker, g_mutex_locker_free);

  json_builder_begin_array (builder);
  for (guint i = 0; i < users->len; i++)
    {
      LoggedInUser *user = g_ptr_array_index (users, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "user");
      json_builder_add_string_value (builder, user->user);
      json_builder_set_member_name (builder, "login-time");
      json_builder_add_double_value (builder, user->login_time);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

static void
handle_get_users (CommandCall *call)
{
  command_call_run_in_thread (call, collect_users, NULL, NULL);
}

static void
handle_get_time (CommandCall *call)
{
  /* Nanoseconds since the epoch, at microsecond resolution as qemu-ga. */
  command_call_return (call, json_node_init_int (json_node_alloc (), g_get_real_time () * 1000));
}

static void
handle_get_load (CommandCall *call)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  double load[3];

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, &error) ||
      sscanf (contents, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
    {
      command_call_return_error (call, g_error_new (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                                                    "Cannot read /proc/loadavg%s%s",
                                                    error != NULL ? ": " : "",
                                                    error != NULL ? error->message : ""));
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "load1");
  json_builder_add_double_value (builder, load[0]);
  json_builder_set_member_name (builder, "load5");
  json_builder_add_double_value (builder, load[1]);
  json_builder_set_member_name (builder, "load15");
  json_builder_add_double_value (builder, load[2]);
  json_builder_end_object (builder);
  command_call_return (call, json_builder_get_root (builder));
}

static int
compare_cpu_ids (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* /sys/devices/system/cpu/cpuN: online unless its "online" file says 0;
 * only CPUs with that file can be taken offline (cpu0 often cannot). */
static void
handle_get_vcpus (CommandCall *call)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  const char *entry;

  dir = g_dir_open ("/sys/devices/system/cpu", 0, &error);
  if (dir == NULL)
    {
      command_call_return_error (call, g_steal_pointer (&error));
      return;
    }

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      guint64 id;

      if (g_str_has_prefix (entry, "cpu") &&
          g_ascii_string_to_unsigned (entry + 3, 10, 0, G_MAXINT64, &id, NULL))
        {
          gint64 value = (gint64) id;
          g_array_append_val (ids, value);
        }
    }
  g_array_sort (ids, compare_cpu_ids);

  json_builder_begin_array (builder);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autofree char *online_path = g_strdup_printf ("/sys/devices/system/cpu/cpu%" G_GINT64_FORMAT "/online", id);
      g_autofree char *online = NULL;
      gboolean has_online_file = g_file_get_contents (online_path, &online, NULL, NULL);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "logical-id");
      json_builder_add_int_value (builder, id);
      json_builder_set_member_name (builder, "online");
      json_builder_add_boolean_value (builder, !has_online_file || g_str_has_prefix (online, "1"));
      json_builder_set_member_name (builder, "can-offline");
      json_builder_add_boolean_value (builder, has_online_file);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  command_call_return (call, json_builder_get_root (builder));
}

/* /proc/stat "cpuN" lines, in milliseconds (qemu-ga converts the kernel's
 * USER_HZ ticks the same way). Older kernels have fewer columns; those
 * members are then left out. */
static void
handle_get_cpustats (CommandCall *call)
{
  static const char * const columns[] = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guestnice",
  };
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  long ticks_per_second = sysconf (_SC_CLK_TCK);

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, &error))
    {
      command_call_return_error (call, g_steal_pointer (&error));
      return;
    }
  if (ticks_per_second <= 0)
    ticks_per_second = 100;

  json_builder_begin_array (builder);
  lines = g_strsplit (contents, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto(GStrv) words = NULL;
      guint64 cpu;

      if (!g_str_has_prefix (*line, "cpu") || !g_ascii_isdigit ((*line)[3]))
        continue;  /* the "cpu " total, or not a CPU line */
      words = g_strsplit_set (*line, " ", -1);
      /* user, nice, system and idle are required members; a line without
       * them is not one qemu-ga's schema can describe. */
      if (g_strv_length (words) < 5 ||
          !g_ascii_string_to_unsigned (words[0] + 3, 10, 0, G_MAXINT64, &cpu, NULL))
        continue;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "linux");
      json_builder_set_member_name (builder, "cpu");
      json_builder_add_int_value (builder, (gint64) cpu);
      for (gsize i = 0; i < G_N_ELEMENTS (columns) && words[i + 1] != NULL; i++)
        {
          guint64 ticks;

          if (!g_ascii_string_to_unsigned (words[i + 1], 10, 0, G_MAXINT64 / 1000, &ticks, NULL))
            break;
          json_builder_set_member_name (builder, columns[i]);
          json_builder_add_int_value (builder, (gint64) (ticks * 1000 / (guint64) ticks_per_second));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  command_call_return (call, json_builder_get_root (builder));
}

/* /proc/diskstats: "major minor name" and up to 17 counters, depending on
 * the kernel (Documentation/admin-guide/iostats.rst). */
static void
handle_get_diskstats (CommandCall *call)
{
  static const char * const counters[] = {
    "read-ios", "read-merges", "read-sectors", "read-ticks",
    "write-ios", "write-merges", "write-sectors", "write-ticks",
    "ios-pgr", "total-ticks", "weight-ticks",
    "discard-ios", "discard-merges", "discard-sectors", "discard-ticks",
    "flush-ios", "flush-ticks",
  };
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/diskstats", &contents, NULL, &error))
    {
      command_call_return_error (call, g_steal_pointer (&error));
      return;
    }

  json_builder_begin_array (builder);
  lines = g_strsplit (contents, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (*line), " \t", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();
      guint64 major, minor;

      for (char **word = words; *word != NULL; word++)
        if (**word != '\0')
          g_ptr_array_add (fields, *word);
      if (fields->len < 4 ||
          !g_ascii_string_to_unsigned (fields->pdata[0], 10, 0, G_MAXINT64, &major, NULL) ||
          !g_ascii_string_to_unsigned (fields->pdata[1], 10, 0, G_MAXINT64, &minor, NULL))
        continue;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, fields->pdata[2]);
      json_builder_set_member_name (builder, "major");
      json_builder_add_int_value (builder, (gint64) major);
      json_builder_set_member_name (builder, "minor");
      json_builder_add_int_value (builder, (gint64) minor);
      json_builder_set_member_name (builder, "stats");
      json_builder_begin_object (builder);
      for (guint i = 0; i < G_N_ELEMENTS (counters) && i + 3 < fields->len; i++)
        {
          guint64 value;

          if (!g_ascii_string_to_unsigned (fields->pdata[i + 3], 10, 0, G_MAXINT64, &value, NULL))
            break;
          json_builder_set_member_name (builder, counters[i]);
          json_builder_add_int_value (builder, (gint64) value);
        }
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  command_call_return (call, json_builder_get_root (builder));
}

const CommandSpec sysinfo_commands[] = {
  { "guest-get-host-name", handle_get_host_name, NULL, COMMAND_FLAG_NONE },
  { "guest-get-osinfo", handle_get_osinfo, NULL, COMMAND_FLAG_NONE },
  { "guest-get-timezone", handle_get_timezone, NULL, COMMAND_FLAG_NONE },
  { "guest-get-users", handle_get_users, NULL, COMMAND_FLAG_NONE },
  { "guest-get-time", handle_get_time, NULL, COMMAND_FLAG_NONE },
  { "guest-get-load", handle_get_load, NULL, COMMAND_FLAG_NONE },
  { "guest-get-vcpus", handle_get_vcpus, NULL, COMMAND_FLAG_NONE },
  { "guest-get-cpustats", handle_get_cpustats, NULL, COMMAND_FLAG_NONE },
  { "guest-get-diskstats", handle_get_diskstats, NULL, COMMAND_FLAG_NONE },
  { NULL }
};
