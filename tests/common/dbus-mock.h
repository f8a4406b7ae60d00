/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dbus-mock: system services played by a test on a private bus, with
 * libglib-testing's GtDBusQueue, for the unit tests (code under test on
 * the queue's own client connection, in a thread of the test) and the
 * mountns tests (an agent process connected with DBUS_SYSTEM_BUS_ADDRESS
 * set to dbus_mock_get_address()).
 *
 * gt_dbus_queue_assert_pop_message() only accepts calls from the queue's
 * own client connection, and waits forever; dbus_mock_pop_call() accepts
 * a call from any connection, checks it by hand and gives up after a
 * while, so a test that waits for a call the agent never makes fails
 * instead of hanging.
 *
 * Make the mock, and pop calls, in one thread (the test's main thread):
 * that thread's default main context is the one a call wakes up.
 */
#pragma once

#include <gio/gio.h>
#include <libglib-testing/dbus-queue.h>

G_BEGIN_DECLS

/* How long dbus_mock_pop_call() waits for a call. */
#define DBUS_MOCK_CALL_TIMEOUT_MS 20000

#define DBUS_MOCK_SYSTEMD_NAME "org.freedesktop.systemd1"
#define DBUS_MOCK_SYSTEMD_PATH "/org/freedesktop/systemd1"
#define DBUS_MOCK_SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

typedef struct _DbusMock DbusMock;

/* A new private bus (GTestDBus) with a GtDBusQueue connected to it;
 * nothing is owned or exported yet. */
DbusMock *dbus_mock_new (void);
/* Fails the test if calls are still waiting, then releases the names,
 * disconnects and takes the bus down. */
void dbus_mock_free (DbusMock *mock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbusMock, dbus_mock_free)

GtDBusQueue *dbus_mock_get_queue (DbusMock *mock);
/* The queue's client connection: for code under test in the same
 * process. */
GDBusConnection *dbus_mock_get_connection (DbusMock *mock);
/* The private bus's address, for DBUS_SYSTEM_BUS_ADDRESS. */
const char *dbus_mock_get_address (DbusMock *mock);

/* Exports every interface of @introspection_xml (a <node>) at
 * @object_path and owns @name, returning once the bus says @name is
 * owned, so that code started next finds it. Calls to those interfaces
 * wait in the queue for dbus_mock_pop_call(). For services other than
 * systemd (hostname1, ...). */
void dbus_mock_own_service (DbusMock   *mock,
                            const char *name,
                            const char *object_path,
                            const char *introspection_xml);

/* dbus_mock_own_service() for org.freedesktop.systemd1: the parts of
 * its Manager interface the agent uses (ListUnitsByNames,
 * ReloadOrRestartUnit, RestartUnit, Subscribe, the JobRemoved signal)
 * at /org/freedesktop/systemd1. */
void dbus_mock_own_systemd (DbusMock *mock);

/* The next call to the mocked services, waiting up to
 * DBUS_MOCK_CALL_TIMEOUT_MS (iterating the thread's default context).
 * Fails the test unless it is @method of @interface at @path, and, when
 * @parameters (GVariant text, as g_variant_new_parsed() reads it, e.g.
 * "('ssh.service', 'replace')") is not NULL, has those parameters.
 * Answer it with g_dbus_method_invocation_return_*(), which takes the
 * reference returned here. */
GDBusMethodInvocation *dbus_mock_pop_call (DbusMock   *mock,
                                           const char *path,
                                           const char *interface,
                                           const char *method,
                                           const char *parameters);

/* Whether a call comes within @timeout_ms; it stays in the queue. */
gboolean dbus_mock_wait_for_call (DbusMock *mock,
                                  guint     timeout_ms);

/* Fails the test, listing them, if calls are waiting in the queue. */
void dbus_mock_assert_no_calls (DbusMock *mock);

/* A unit as ListUnitsByNames tells it. */
typedef struct {
  const char *name;
  const char *load_state;     /* "loaded", "not-found", ... */
  const char *active_state;   /* "active", "inactive", "failed", ... */
} DbusMockUnit;

/* Pops a ListUnitsByNames call asking for @names (NULL-terminated),
 * exactly, and answers it with @units (@n_units of them). */
void dbus_mock_systemd_expect_list_units (DbusMock            *mock,
                                          const char * const  *names,
                                          const DbusMockUnit  *units,
                                          gsize                n_units);

/* Pops @method ("ReloadOrRestartUnit", "RestartUnit") for @unit with
 * mode "replace" and answers it with job @job_id's path. Returns the
 * call (transfer full, already answered), whose connection
 * dbus_mock_systemd_emit_job_removed() needs. */
GDBusMethodInvocation *dbus_mock_systemd_expect_job (DbusMock   *mock,
                                                     const char *method,
                                                     const char *unit,
                                                     guint32     job_id);

/* systemd's JobRemoved (id, job path, unit, result) for job @job_id,
 * sent from the connection that received @call, which owns
 * org.freedesktop.systemd1: the only sender a subscriber accepts. */
void dbus_mock_systemd_emit_job_removed (GDBusMethodInvocation *call,
                                         guint32                job_id,
                                         const char            *unit,
                                         const char            *result);

/* The object path of systemd's job @job_id. */
char *dbus_mock_systemd_job_path (guint32 job_id);

G_END_DECLS
