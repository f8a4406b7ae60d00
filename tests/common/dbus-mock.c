/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "dbus-mock.h"

#include <stdlib.h>

/* Fails the test as g_assert() does, with a message. */
G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN
static void
fail (const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
  abort ();
}

/* The slice of org.freedesktop.systemd1.Manager the agent uses, with
 * systemd's own signatures. */
static const char systemd_manager_xml[] =
  "<node>"
  "  <interface name='" DBUS_MOCK_SYSTEMD_MANAGER "'>"
  "    <method name='ListUnitsByNames'>"
  "      <arg type='as' name='names' direction='in'/>"
  "      <arg type='a(ssssssouso)' name='units' direction='out'/>"
  "    </method>"
  "    <method name='ReloadOrRestartUnit'>"
  "      <arg type='s' name='name' direction='in'/>"
  "      <arg type='s' name='mode' direction='in'/>"
  "      <arg type='o' name='job' direction='out'/>"
  "    </method>"
  "    <method name='RestartUnit'>"
  "      <arg type='s' name='name' direction='in'/>"
  "      <arg type='s' name='mode' direction='in'/>"
  "      <arg type='o' name='job' direction='out'/>"
  "    </method>"
  "    <method name='Subscribe'/>"
  "    <signal name='JobRemoved'>"
  "      <arg type='u' name='id'/>"
  "      <arg type='o' name='job'/>"
  "      <arg type='s' name='unit'/>"
  "      <arg type='s' name='result'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

struct _DbusMock {
  GtDBusQueue *queue;
  char *address;
  GArray *name_ids;       /* of guint */
  GPtrArray *nodes;       /* of GDBusNodeInfo, exported until the end */
};

DbusMock *
dbus_mock_new (void)
{
  DbusMock *mock = g_new0 (DbusMock, 1);
  g_autoptr(GError) error = NULL;

  mock->queue = gt_dbus_queue_new ();
  gt_dbus_queue_connect (mock->queue, &error);
  g_assert_no_error (error);
  /* GTestDBus puts the address there when the bus comes up. */
  mock->address = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_assert_nonnull (mock->address);
  mock->name_ids = g_array_new (FALSE, FALSE, sizeof (guint));
  mock->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_dbus_node_info_unref);
  return mock;
}

void
dbus_mock_free (DbusMock *mock)
{
  if (mock == NULL)
    return;

  dbus_mock_assert_no_calls (mock);
  /* Released here rather than by gt_dbus_queue_disconnect(): there, the
   * NameLost that follows now and then reaches the queue's server
   * context after its thread has stopped, and gt_dbus_queue_free()
   * aborts on that pending source (libglib-testing 0.1). */
  for (guint i = 0; i < mock->name_ids->len; i++)
    gt_dbus_queue_unown_name (mock->queue, g_array_index (mock->name_ids, guint, i));
  gt_dbus_queue_disconnect (mock->queue, TRUE);
  gt_dbus_queue_free (mock->queue);
  g_array_unref (mock->name_ids);
  g_ptr_array_unref (mock->nodes);
  g_free (mock->address);
  g_free (mock);
}

GtDBusQueue *
dbus_mock_get_queue (DbusMock *mock)
{
  return mock->queue;
}

GDBusConnection *
dbus_mock_get_connection (DbusMock *mock)
{
  return gt_dbus_queue_get_client_connection (mock->queue);
}

const char *
dbus_mock_get_address (DbusMock *mock)
{
  return mock->address;
}

static gboolean
name_has_owner (DbusMock   *mock,
                const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean has_owner = FALSE;

  reply = g_dbus_connection_call_sync (dbus_mock_get_connection (mock), "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &has_owner);
  return has_owner;
}

void
dbus_mock_own_service (DbusMock   *mock,
                       const char *name,
                       const char *object_path,
                       const char *introspection_xml)
{
  g_autoptr(GError) error = NULL;
  GDBusNodeInfo *node;
  guint id;

  node = g_dbus_node_info_new_for_xml (introspection_xml, &error);
  g_assert_no_error (error);
  /* The exported objects refer to it until the queue disconnects. */
  g_ptr_array_add (mock->nodes, node);
  for (guint i = 0; node->interfaces[i] != NULL; i++)
    {
      gt_dbus_queue_export_object (mock->queue, object_path, node->interfaces[i], &error);
      g_assert_no_error (error);
    }
  id = gt_dbus_queue_own_name (mock->queue, name);
  g_array_append_val (mock->name_ids, id);

  /* Owning is asynchronous. */
  for (guint waited = 0; !name_has_owner (mock, name); waited += 10)
    {
      g_assert_cmpuint (waited, <, DBUS_MOCK_CALL_TIMEOUT_MS);
      g_usleep (10 * 1000);
    }
}

void
dbus_mock_own_systemd (DbusMock *mock)
{
  dbus_mock_own_service (mock, DBUS_MOCK_SYSTEMD_NAME, DBUS_MOCK_SYSTEMD_PATH,
                         systemd_manager_xml);
}

static gboolean
on_pop_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
dbus_mock_wait_for_call (DbusMock *mock,
                         guint     timeout_ms)
{
  GtDBusQueue *queue = mock->queue;
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  gboolean timed_out = FALSE;

  g_source_set_callback (timeout, on_pop_timeout, &timed_out, NULL);
  g_source_attach (timeout, g_main_context_get_thread_default ());
  while (gt_dbus_queue_get_n_messages (queue) == 0 && !timed_out)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_destroy (timeout);
  return gt_dbus_queue_get_n_messages (queue) > 0;
}

static char *
describe (const char *path,
          const char *interface,
          const char *method,
          const char *parameters)
{
  return g_strdup_printf ("%s.%s at %s with %s", interface, method, path,
                          parameters != NULL ? parameters : "any parameters");
}

GDBusMethodInvocation *
dbus_mock_pop_call (DbusMock   *mock,
                    const char *path,
                    const char *interface,
                    const char *method,
                    const char *parameters)
{
  GtDBusQueue *queue = mock->queue;
  g_autoptr(GDBusMethodInvocation) call = NULL;
  g_autoptr(GVariant) expected = NULL;
  g_autofree char *wanted = describe (path, interface, method, parameters);
  g_autofree char *seen = NULL;

  if (!dbus_mock_wait_for_call (mock, DBUS_MOCK_CALL_TIMEOUT_MS))
    fail ("Expected a call to %s, but none came in %u ms", wanted, DBUS_MOCK_CALL_TIMEOUT_MS);
  /* Not gt_dbus_queue_try_pop_message(): in libglib-testing 0.1 it never pops. */
  g_assert_true (gt_dbus_queue_pop_message (queue, &call));

  if (parameters != NULL)
    expected = g_variant_ref_sink (g_variant_new_parsed (parameters));
  if (g_str_equal (g_dbus_method_invocation_get_object_path (call), path) &&
      g_str_equal (g_dbus_method_invocation_get_interface_name (call), interface) &&
      g_str_equal (g_dbus_method_invocation_get_method_name (call), method) &&
      (expected == NULL ||
       g_variant_equal (g_dbus_method_invocation_get_parameters (call), expected)))
    return g_steal_pointer (&call);

  seen = gt_dbus_queue_format_message (call);
  fail ("Expected a call to %s, but saw:\n%s", wanted, seen);
}

void
dbus_mock_assert_no_calls (DbusMock *mock)
{
  if (gt_dbus_queue_get_n_messages (mock->queue) > 0)
    {
      g_autofree char *calls = gt_dbus_queue_format_messages (mock->queue);

      fail ("Expected no more calls, but saw:\n%s", calls);
    }
}

void
dbus_mock_systemd_expect_list_units (DbusMock            *mock,
                                     const char * const  *names,
                                     const DbusMockUnit  *units,
                                     gsize                n_units)
{
  g_autoptr(GDBusMethodInvocation) call = NULL;
  g_autoptr(GVariant) asked = g_variant_ref_sink (g_variant_new ("(^as)", names));
  g_autofree char *parameters = g_variant_print (asked, TRUE);
  GVariantBuilder reply;

  call = dbus_mock_pop_call (mock, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                             "ListUnitsByNames", parameters);
  g_variant_builder_init (&reply, G_VARIANT_TYPE ("a(ssssssouso)"));
  for (gsize i = 0; i < n_units; i++)
    {
      g_autofree char *unit_path = g_strdup_printf ("%s/unit/%u", DBUS_MOCK_SYSTEMD_PATH, (guint) i);

      g_variant_builder_add (&reply, "(ssssssouso)", units[i].name, "", units[i].load_state,
                             units[i].active_state,
                             g_str_equal (units[i].active_state, "active") ? "running" : "dead",
                             "", unit_path, (guint32) 0, "", "/");
    }
  g_dbus_method_invocation_return_value (g_steal_pointer (&call),
                                         g_variant_new ("(a(ssssssouso))", &reply));
}

char *
dbus_mock_systemd_job_path (guint32 job_id)
{
  return g_strdup_printf ("%s/job/%u", DBUS_MOCK_SYSTEMD_PATH, job_id);
}

GDBusMethodInvocation *
dbus_mock_systemd_expect_job (DbusMock   *mock,
                              const char *method,
                              const char *unit,
                              guint32     job_id)
{
  g_autoptr(GVariant) asked = g_variant_ref_sink (g_variant_new ("(ss)", unit, "replace"));
  g_autofree char *parameters = g_variant_print (asked, TRUE);
  g_autofree char *job_path = dbus_mock_systemd_job_path (job_id);
  GDBusMethodInvocation *call;

  call = dbus_mock_pop_call (mock, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                             method, parameters);
  /* Returning consumes a reference; the caller keeps one. */
  g_dbus_method_invocation_return_value (g_object_ref (call),
                                         g_variant_new ("(o)", job_path));
  return call;
}

void
dbus_mock_systemd_emit_job_removed (GDBusMethodInvocation *call,
                                    guint32                job_id,
                                    const char            *unit,
                                    const char            *result)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *job_path = dbus_mock_systemd_job_path (job_id);

  g_dbus_connection_emit_signal (g_dbus_method_invocation_get_connection (call), NULL,
                                 DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                                 "JobRemoved",
                                 g_variant_new ("(uoss)", job_id, job_path, unit, result),
                                 &error);
  g_assert_no_error (error);
}
