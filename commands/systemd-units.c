/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "systemd-units.h"

#include "system-bus.h"

#define SYSTEMD_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define MANAGER_INTERFACE "org.freedesktop.systemd1.Manager"

/* The ListUnitsByNames reply: name, description, load state, active
 * state, sub state, followed unit, unit path, job id, job type, job path. */
#define UNIT_INFO_LIST_TYPE "(a(ssssssouso))"

static gboolean
is_running (const char *active_state)
{
  return g_str_equal (active_state, "active") || g_str_equal (active_state, "reloading");
}

/* The ListUnitsByNames entries for @names: one per valid name, in the
 * order asked, each named by the unit's own id (an alias is answered
 * with the unit it stands for). */
static GVariant *
list_units (GDBusConnection     *bus,
            const char * const  *names,
            GCancellable        *cancellable,
            GError             **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (bus, SYSTEMD_NAME, SYSTEMD_PATH, MANAGER_INTERFACE,
                                       "ListUnitsByNames",
                                       g_variant_new ("(^as)", names),
                                       G_VARIANT_TYPE (UNIT_INFO_LIST_TYPE),
                                       G_DBUS_CALL_FLAGS_NONE, SYSTEM_BUS_CALL_TIMEOUT_MS,
                                       cancellable, error);
  if (reply == NULL)
    return NULL;
  return g_variant_get_child_value (reply, 0);
}

char *
systemd_units_find (GDBusConnection     *bus,
                    const char * const  *names,
                    gboolean             active_only,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autoptr(GVariant) units = NULL;
  g_autoptr(GError) local_error = NULL;
  GVariantIter iter;
  const char *name, *load_state, *active_state;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (bus), NULL);
  g_return_val_if_fail (names != NULL, NULL);

  units = list_units (bus, names, cancellable, &local_error);
  if (units == NULL)
    {
      g_dbus_error_strip_remote_error (local_error);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Cannot ask systemd for its units: ");
      return NULL;
    }

  g_variant_iter_init (&iter, units);
  while (g_variant_iter_next (&iter, "(&s&s&s&s&s&s&ou&s&o)", &name, NULL, &load_state,
                              &active_state, NULL, NULL, NULL, NULL, NULL, NULL))
    if (g_str_equal (load_state, "loaded") && (!active_only || is_running (active_state)))
      return g_strdup (name);
  return NULL;
}

static const char *
job_method (SystemdUnitJob job)
{
  switch (job)
    {
    case SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART:
      return "ReloadOrRestartUnit";
    case SYSTEMD_UNIT_JOB_RESTART:
      return "RestartUnit";
    default:
      g_return_val_if_reached (NULL);
    }
}

static const char *
job_description (SystemdUnitJob job)
{
  return job == SYSTEMD_UNIT_JOB_RESTART ? "Restarting" : "Reloading";
}

/* JobRemoved signals seen while waiting for ours, and why the wait ends. */
typedef struct {
  GMainContext *context;
  GHashTable *results;   /* job path -> result */
  gboolean timed_out;
  gint cancelled;        /* atomic: set from the cancelling thread */
} JobWait;

static void
on_job_removed (GDBusConnection *connection,
                const char      *sender,
                const char      *path,
                const char      *interface,
                const char      *signal,
                GVariant        *parameters,
                gpointer         user_data)
{
  JobWait *wait = user_data;
  const char *job, *result;
  guint32 id;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(uoss)")))
    return;
  g_variant_get (parameters, "(u&o&s&s)", &id, &job, NULL, &result);
  g_hash_table_replace (wait->results, g_strdup (job), g_strdup (result));
}

static gboolean
on_timeout (gpointer user_data)
{
  JobWait *wait = user_data;

  wait->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  JobWait *wait = user_data;

  g_atomic_int_set (&wait->cancelled, TRUE);
  g_main_context_wakeup (wait->context);
}

static gboolean
queue_job (GDBusConnection  *bus,
           const char       *unit,
           SystemdUnitJob    job,
           char            **out_job_path,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) local_error = NULL;

  reply = g_dbus_connection_call_sync (bus, SYSTEMD_NAME, SYSTEMD_PATH, MANAGER_INTERFACE,
                                       job_method (job),
                                       g_variant_new ("(ss)", unit, "replace"),
                                       G_VARIANT_TYPE ("(o)"),
                                       G_DBUS_CALL_FLAGS_NONE, SYSTEM_BUS_CALL_TIMEOUT_MS,
                                       cancellable, &local_error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (local_error);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "systemd refused %s %s: ",
                                  job == SYSTEMD_UNIT_JOB_RESTART ? "to restart" : "to reload",
                                  unit);
      return FALSE;
    }
  g_variant_get (reply, "(o)", out_job_path);
  return TRUE;
}

/* Iterates the thread's context until @job_path's JobRemoved has come,
 * the time is up or @cancellable fires; returns the job's result. */
static char *
wait_for_job (GMainContext  *context,
              JobWait       *wait,
              const char    *job_path,
              guint          timeout_ms,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  gulong cancel_id = 0;
  const char *result;

  g_source_set_callback (timeout, on_timeout, wait, NULL);
  g_source_attach (timeout, context);
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), wait, NULL);

  while ((result = g_hash_table_lookup (wait->results, job_path)) == NULL &&
         !wait->timed_out && !g_atomic_int_get (&wait->cancelled))
    g_main_context_iteration (context, TRUE);

  g_cancellable_disconnect (cancellable, cancel_id);
  g_source_destroy (timeout);

  if (result != NULL)
    return g_strdup (result);
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "its job %s did not finish in %.3g s", job_path, timeout_ms / 1000.0);
  return NULL;
}

gboolean
systemd_units_run_job (GDBusConnection  *bus,
                       const char       *unit,
                       SystemdUnitJob    job,
                       guint             timeout_ms,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GHashTable) results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *job_path = NULL;
  g_autofree char *result = NULL;
  g_autofree char *active = NULL;
  const char * const names[] = { unit, NULL };
  JobWait wait = { context, results, FALSE, FALSE };
  guint subscription;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (bus), FALSE);
  g_return_val_if_fail (unit != NULL, FALSE);

  /* The signal is delivered to the context that is the thread's default
   * when subscribing: ours, iterated only here, never the agent's.
   * Subscribed before the job exists, so its end cannot be missed. No
   * Subscribe() call: systemd sends a job's signals to the client that
   * queued it anyway. */
  g_main_context_push_thread_default (context);
  subscription = g_dbus_connection_signal_subscribe (bus, SYSTEMD_NAME, MANAGER_INTERFACE,
                                                     "JobRemoved", SYSTEMD_PATH, NULL,
                                                     G_DBUS_SIGNAL_FLAGS_NONE,
                                                     on_job_removed, &wait, NULL);
  if (queue_job (bus, unit, job, &job_path, cancellable, &local_error))
    result = wait_for_job (context, &wait, job_path, timeout_ms, cancellable, &local_error);
  g_dbus_connection_signal_unsubscribe (bus, subscription);
  g_main_context_pop_thread_default (context);
  /* Runs what unsubscribing left for the context, so nothing refers to
   * @wait once we return. */
  while (g_main_context_iteration (context, FALSE))
    ;

  if (job_path != NULL && result == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s %s failed: ",
                                  job_description (job), unit);
      return FALSE;
    }
  if (result == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!g_str_equal (result, "done"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s failed: systemd's job ended with '%s'",
                   job_description (job), unit, result);
      return FALSE;
    }

  /* A reload that made the daemon exit is a "done" job too. */
  active = systemd_units_find (bus, names, TRUE, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (active == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s %s failed: the unit is no longer running afterwards",
                   job_description (job), unit);
      return FALSE;
    }
  return TRUE;
}
