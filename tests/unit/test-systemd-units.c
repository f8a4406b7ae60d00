/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * systemd-units and system-bus against a systemd1 played by the test on
 * a private bus (tests/common/dbus-mock.h). The code under test blocks,
 * as it does in the agent's worker threads, so it runs in a thread of
 * its own while the main thread answers its calls.
 */
#include "config.h"

#include <string.h>

#include "dbus-mock.h"
#include "system-bus.h"
#include "systemd-units.h"

#define ABSENT "absent"

typedef struct {
  DbusMock *mock;
  GDBusConnection *bus;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->mock = dbus_mock_new ();
  if (g_strcmp0 (data, ABSENT) != 0)
    dbus_mock_own_systemd (fixture->mock);
  fixture->bus = dbus_mock_get_connection (fixture->mock);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->mock, dbus_mock_free);
}

/* One blocking call of the code under test, in a thread. */
typedef struct {
  GDBusConnection *bus;
  const char * const *names;   /* find */
  gboolean active_only;
  const char *unit;            /* run_job */
  SystemdUnitJob job;
  guint timeout_ms;
  GCancellable *cancellable;
  gboolean ok;
  char *found;
  GError *error;
  GThread *thread;
} Call;

static void
call_clear (Call *call)
{
  g_free (call->found);
  g_clear_error (&call->error);
}

static gpointer
find_in_thread (gpointer data)
{
  Call *call = data;

  call->found = systemd_units_find (call->bus, call->names, call->active_only,
                                    call->cancellable, &call->error);
  call->ok = call->error == NULL;
  return NULL;
}

static gpointer
run_job_in_thread (gpointer data)
{
  Call *call = data;

  call->ok = systemd_units_run_job (call->bus, call->unit, call->job, call->timeout_ms,
                                    call->cancellable, &call->error);
  return NULL;
}

static void
call_start (Call         *call,
            GThreadFunc   func)
{
  call->thread = g_thread_new ("under-test", func, call);
}

static void
call_join (Call *call)
{
  g_thread_join (g_steal_pointer (&call->thread));
}

static const char * const ssh_names[] = { "ssh.service", "sshd.service", NULL };
static const char * const ssh_only[] = { "ssh.service", NULL };

/* Runs systemd_units_find() for @call's names against a systemd whose
 * ListUnitsByNames answers @units. */
static void
find_with_units (Fixture            *fixture,
                 Call               *call,
                 const DbusMockUnit *units,
                 gsize               n_units)
{
  call_start (call, find_in_thread);
  dbus_mock_systemd_expect_list_units (fixture->mock, call->names, units, n_units);
  call_join (call);
}

static void
test_find_first_loaded (Fixture       *fixture,
                        gconstpointer  data)
{
  static const DbusMockUnit units[] = {
    { "ssh.service", "not-found", "inactive" },
    { "sshd.service", "loaded", "active" },
  };
  Call call = { .bus = fixture->bus, .names = ssh_names, .active_only = TRUE };

  find_with_units (fixture, &call, units, G_N_ELEMENTS (units));
  g_assert_no_error (call.error);
  g_assert_cmpstr (call.found, ==, "sshd.service");
  call_clear (&call);
}

/* Debian's sshd.service is an alias of ssh.service: systemd answers
 * both names with the unit itself. */
static void
test_find_alias (Fixture       *fixture,
                 gconstpointer  data)
{
  static const DbusMockUnit units[] = {
    { "ssh.service", "loaded", "active" },
    { "ssh.service", "loaded", "active" },
  };
  Call call = { .bus = fixture->bus, .names = ssh_names, .active_only = TRUE };

  find_with_units (fixture, &call, units, G_N_ELEMENTS (units));
  g_assert_no_error (call.error);
  g_assert_cmpstr (call.found, ==, "ssh.service");
  call_clear (&call);
}

static void
test_find_active_only (Fixture       *fixture,
                       gconstpointer  data)
{
  static const DbusMockUnit units[] = {
    { "ssh.service", "loaded", "inactive" },
    { "sshd.service", "loaded", "failed" },
  };
  Call active = { .bus = fixture->bus, .names = ssh_names, .active_only = TRUE };
  Call loaded = { .bus = fixture->bus, .names = ssh_names, .active_only = FALSE };

  /* None running: no unit, and no error. */
  find_with_units (fixture, &active, units, G_N_ELEMENTS (units));
  g_assert_no_error (active.error);
  g_assert_null (active.found);

  find_with_units (fixture, &loaded, units, G_N_ELEMENTS (units));
  g_assert_no_error (loaded.error);
  g_assert_cmpstr (loaded.found, ==, "ssh.service");

  call_clear (&active);
  call_clear (&loaded);
}

static void
test_find_absent (Fixture       *fixture,
                  gconstpointer  data)
{
  Call call = { .bus = fixture->bus, .names = ssh_names, .active_only = TRUE };

  /* The bus answers itself: nobody owns org.freedesktop.systemd1. */
  call_start (&call, find_in_thread);
  call_join (&call);
  g_assert_nonnull (call.error);
  g_assert_true (system_bus_error_is_absent (call.error));
  g_assert_null (call.found);
  call_clear (&call);
}

static Call
job_call (Fixture        *fixture,
          SystemdUnitJob  job,
          guint           timeout_ms)
{
  return (Call) { .bus = fixture->bus, .unit = "ssh.service", .job = job,
                  .timeout_ms = timeout_ms };
}

static void
expect_still_running (Fixture    *fixture,
                      const char *active_state)
{
  const DbusMockUnit unit = { "ssh.service", "loaded", active_state };

  dbus_mock_systemd_expect_list_units (fixture->mock, ssh_only, &unit, 1);
}

static void
test_job_done (Fixture       *fixture,
               gconstpointer  data)
{
  Call call = job_call (fixture, SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART, 5000);
  g_autoptr(GDBusMethodInvocation) job = NULL;

  call_start (&call, run_job_in_thread);
  job = dbus_mock_systemd_expect_job (fixture->mock, "ReloadOrRestartUnit", "ssh.service", 7);
  /* Another client's job ends first: not ours. */
  dbus_mock_systemd_emit_job_removed (job, 6, "ssh.service", "failed");
  dbus_mock_systemd_emit_job_removed (job, 7, "ssh.service", "done");
  expect_still_running (fixture, "active");
  call_join (&call);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  call_clear (&call);
}

static void
test_job_restart (Fixture       *fixture,
                  gconstpointer  data)
{
  Call call = job_call (fixture, SYSTEMD_UNIT_JOB_RESTART, 5000);
  g_autoptr(GDBusMethodInvocation) job = NULL;

  call_start (&call, run_job_in_thread);
  job = dbus_mock_systemd_expect_job (fixture->mock, "RestartUnit", "ssh.service", 1);
  dbus_mock_systemd_emit_job_removed (job, 1, "ssh.service", "done");
  expect_still_running (fixture, "active");
  call_join (&call);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  call_clear (&call);
}

/* A job that ends at once: its JobRemoved may come before the reply
 * that names it. */
static void
test_job_removed_before_reply (Fixture       *fixture,
                               gconstpointer  data)
{
  Call call = job_call (fixture, SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART, 5000);
  g_autoptr(GDBusMethodInvocation) job = NULL;
  g_autofree char *job_path = dbus_mock_systemd_job_path (9);

  call_start (&call, run_job_in_thread);
  job = dbus_mock_pop_call (fixture->mock, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                            "ReloadOrRestartUnit", "('ssh.service', 'replace')");
  dbus_mock_systemd_emit_job_removed (job, 9, "ssh.service", "done");
  g_dbus_method_invocation_return_value (g_object_ref (job), g_variant_new ("(o)", job_path));
  expect_still_running (fixture, "reloading");
  call_join (&call);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  call_clear (&call);
}

static void
test_job_failed (Fixture       *fixture,
                 gconstpointer  data)
{
  Call call = job_call (fixture, SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART, 5000);
  g_autoptr(GDBusMethodInvocation) job = NULL;

  call_start (&call, run_job_in_thread);
  job = dbus_mock_systemd_expect_job (fixture->mock, "ReloadOrRestartUnit", "ssh.service", 3);
  dbus_mock_systemd_emit_job_removed (job, 3, "ssh.service", "failed");
  call_join (&call);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_false (call.ok);
  g_assert_nonnull (strstr (call.error->message, "Reloading ssh.service failed"));
  g_assert_nonnull (strstr (call.error->message, "'failed'"));
  call_clear (&call);
}

static void
test_job_unit_stopped (Fixture       *fixture,
                       gconstpointer  data)
{
  Call call = job_call (fixture, SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART, 5000);
  g_autoptr(GDBusMethodInvocation) job = NULL;

  call_start (&call, run_job_in_thread);
  job = dbus_mock_systemd_expect_job (fixture->mock, "ReloadOrRestartUnit", "ssh.service", 4);
  dbus_mock_systemd_emit_job_removed (job, 4, "ssh.service", "done");
  expect_still_running (fixture, "failed");
  call_join (&call);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (call.error->message, "no longer running"));
  call_clear (&call);
}

static void
test_job_timeout (Fixture       *fixture,
                  gconstpointer  data)
{
  Call call = job_call (fixture, SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART, 300);
  g_autoptr(GDBusMethodInvocation) job = NULL;
  gint64 start = g_get_monotonic_time ();

  call_start (&call, run_job_in_thread);
  job = dbus_mock_systemd_expect_job (fixture->mock, "ReloadOrRestartUnit", "ssh.service", 5);
  call_join (&call);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (call.error->message, "did not finish in 0.3 s"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
  call_clear (&call);
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (100 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_job_cancelled (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Call call = job_call (fixture, SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART, 60000);
  g_autoptr(GDBusMethodInvocation) job = NULL;
  GThread *canceller;

  call.cancellable = cancellable;
  call_start (&call, run_job_in_thread);
  job = dbus_mock_systemd_expect_job (fixture->mock, "ReloadOrRestartUnit", "ssh.service", 5);
  /* From a third thread, while the worker waits for JobRemoved. */
  canceller = g_thread_new ("canceller", cancel_soon, cancellable);
  call_join (&call);
  g_thread_join (canceller);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  call_clear (&call);
}

static void
test_job_refused (Fixture       *fixture,
                  gconstpointer  data)
{
  Call call = job_call (fixture, SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART, 5000);
  GDBusMethodInvocation *job;

  call_start (&call, run_job_in_thread);
  job = dbus_mock_pop_call (fixture->mock, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                            "ReloadOrRestartUnit", NULL);
  g_dbus_method_invocation_return_dbus_error (job, "org.freedesktop.systemd1.NoSuchUnit",
                                              "Unit ssh.service not found.");
  call_join (&call);
  g_assert_nonnull (call.error);
  g_assert_false (system_bus_error_is_absent (call.error));
  g_assert_cmpstr (call.error->message, ==,
                   "systemd refused to reload ssh.service: Unit ssh.service not found.");
  call_clear (&call);
}

static void
test_job_absent (Fixture       *fixture,
                 gconstpointer  data)
{
  Call call = job_call (fixture, SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART, 5000);

  call_start (&call, run_job_in_thread);
  call_join (&call);
  g_assert_nonnull (call.error);
  g_assert_true (system_bus_error_is_absent (call.error));
  call_clear (&call);
}

static void
test_connect_no_bus (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("DBUS_SYSTEM_BUS_ADDRESS"));

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/guestlink/system_bus_socket", TRUE);
  bus = system_bus_connect (NULL, &error);
  if (saved != NULL)
    g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", saved, TRUE);
  else
    g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");

  g_assert_null (bus);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (system_bus_error_is_absent (error));
}

/* The agent's own connection: a client of the bus other than the
 * queue's, which dbus-mock accepts calls from too. */
static void
test_connect_private (Fixture       *fixture,
                      gconstpointer  data)
{
  static const DbusMockUnit units[] = { { "ssh.service", "loaded", "active" } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  Call call = { .names = ssh_only, .active_only = TRUE };

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", dbus_mock_get_address (fixture->mock), TRUE);
  bus = system_bus_connect (NULL, &error);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  g_assert_no_error (error);
  g_assert_true (g_dbus_connection_get_unique_name (bus) != NULL);
  g_assert_cmpstr (g_dbus_connection_get_unique_name (bus), !=,
                   g_dbus_connection_get_unique_name (fixture->bus));

  call.bus = bus;
  find_with_units (fixture, &call, units, 1);
  g_assert_no_error (call.error);
  g_assert_cmpstr (call.found, ==, "ssh.service");
  call_clear (&call);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("/systemd-units/find/first-loaded", test_find_first_loaded, NULL);
  ADD ("/systemd-units/find/alias", test_find_alias, NULL);
  ADD ("/systemd-units/find/active-only", test_find_active_only, NULL);
  ADD ("/systemd-units/find/absent", test_find_absent, ABSENT);
  ADD ("/systemd-units/job/done", test_job_done, NULL);
  ADD ("/systemd-units/job/restart", test_job_restart, NULL);
  ADD ("/systemd-units/job/removed-before-reply", test_job_removed_before_reply, NULL);
  ADD ("/systemd-units/job/failed", test_job_failed, NULL);
  ADD ("/systemd-units/job/unit-stopped", test_job_unit_stopped, NULL);
  ADD ("/systemd-units/job/timeout", test_job_timeout, NULL);
  ADD ("/systemd-units/job/cancelled", test_job_cancelled, NULL);
  ADD ("/systemd-units/job/refused", test_job_refused, NULL);
  ADD ("/systemd-units/job/absent", test_job_absent, ABSENT);
  ADD ("/system-bus/connect/private", test_connect_private, NULL);
  g_test_add_func ("/system-bus/connect/no-bus", test_connect_no_bus);

#undef ADD

  return g_test_run ();
}
