/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "set-identity-session.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "clone-machine.h"
#include "mountns-fixture.h"

#define HOSTNAMED_NAME "org.freedesktop.hostname1"
#define HOSTNAMED_PATH "/org/freedesktop/hostname1"
#define HOSTNAMED_INTERFACE "org.freedesktop.hostname1"

static const char * const ssh_units[] = { "ssh.service", "sshd.service", NULL };
static const char * const ssh_unit[] = { "ssh.service", NULL };

static const char * const network_units[] = {
  "NetworkManager.service", "systemd-networkd.service", "networking.service", NULL
};

const char *
session_member_string (JsonObject *object,
                       const char *name)
{
  if (!json_object_has_member (object, name))
    harness_fail ("no member %s", name);
  return json_object_get_string_member (object, name);
}

/* ---- the mocked services ------------------------------------------------ */

static const char hostnamed_xml[] =
  "<node>"
  "  <interface name='" HOSTNAMED_INTERFACE "'>"
  "    <method name='SetStaticHostname'>"
  "      <arg type='s' name='hostname' direction='in'/>"
  "      <arg type='b' name='interactive' direction='in'/>"
  "    </method>"
  "    <method name='SetPrettyHostname'>"
  "      <arg type='s' name='hostname' direction='in'/>"
  "      <arg type='b' name='interactive' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* Pops hostnamed's @method (@value, interactive false). */
GDBusMethodInvocation *
session_expect_hostnamed (DbusMock *bus,
                          const char  *method,
                          const char  *value)
{
  g_autoptr(GVariant) parameters = g_variant_ref_sink (g_variant_new ("(sb)", value, FALSE));
  g_autofree char *text = g_variant_print (parameters, TRUE);

  return dbus_mock_pop_call (bus, HOSTNAMED_PATH, HOSTNAMED_INTERFACE, method, text);
}

void
session_answer_hostnamed (DbusMock *bus,
                          const char  *method,
                          const char  *value)
{
  GDBusMethodInvocation *call = session_expect_hostnamed (bus, method, value);

  g_dbus_method_invocation_return_value (call, NULL);
}

/* A restart systemd_units_run_job() waits for: the job, its end, and
 * the check that the unit runs. */
void
session_answer_restart (DbusMock *bus,
                        const char  *unit,
                        guint32      job_id)
{
  g_autoptr(GDBusMethodInvocation) call =
    dbus_mock_systemd_expect_job (bus, "RestartUnit", unit, job_id);
  const char * const names[] = { unit, NULL };
  const DbusMockUnit running = { unit, "loaded", "active" };

  dbus_mock_systemd_emit_job_removed (call, job_id, unit, "done");
  dbus_mock_systemd_expect_list_units (bus, names, &running, 1);
}

void
session_answer_ssh_reload (DbusMock *bus,
                           guint32   job_id)
{
  /* sshd.service is Debian's alias of ssh.service: systemd answers
   * with the unit it stands for. */
  const DbusMockUnit units[] = {
    { "ssh.service", "loaded", "active" },
    { "ssh.service", "loaded", "active" },
  };
  g_autoptr(GDBusMethodInvocation) job = NULL;

  dbus_mock_systemd_expect_list_units (bus, ssh_units, units, G_N_ELEMENTS (units));
  job = dbus_mock_systemd_expect_job (bus, "ReloadOrRestartUnit", "ssh.service", job_id);
  dbus_mock_systemd_emit_job_removed (job, job_id, "ssh.service", "done");
  dbus_mock_systemd_expect_list_units (bus, ssh_unit, units, 1);
}

void
session_answer_network_units (DbusMock *bus)
{
  const DbusMockUnit units[] = {
    { "NetworkManager.service", "loaded", "active" },
    { "systemd-networkd.service", "loaded", "inactive" },
    { "networking.service", "not-found", "inactive" },
  };

  dbus_mock_systemd_expect_list_units (bus, network_units, units, G_N_ELEMENTS (units));
}

/* ---- requests ----------------------------------------------------------- */


char *
session_request_text (const Request *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "execute");
  json_builder_add_string_value (builder, "__org.guestlink_set-identity");
  json_builder_set_member_name (builder, "arguments");
  json_builder_begin_object (builder);
#define STRING(name, value) \
  if ((value) != NULL) \
    { \
      json_builder_set_member_name (builder, name); \
      json_builder_add_string_value (builder, value); \
    }
#define BOOLEAN(name, value) \
  if (value) \
    { \
      json_builder_set_member_name (builder, name); \
      json_builder_add_boolean_value (builder, TRUE); \
    }
  STRING ("instance-id", request->instance_id);
  STRING ("host-name", request->host_name);
  STRING ("pretty-host-name", request->pretty_host_name);
  STRING ("machine-id", request->machine_id);
  BOOLEAN ("regenerate-machine-id", request->regenerate_machine_id);
  BOOLEAN ("rotate-ssh-host-keys", request->rotate_ssh_host_keys);
  BOOLEAN ("reset-network-state", request->reset_network_state);
#undef STRING
#undef BOOLEAN
  if (request->random_seed != NULL)
    {
      g_autofree char *seed = g_base64_encode (g_bytes_get_data (request->random_seed, NULL),
                                               g_bytes_get_size (request->random_seed));

      json_builder_set_member_name (builder, "random-seed");
      json_builder_add_string_value (builder, seed);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

GBytes *
session_make_seed (guint8 first,
                   gsize  length)
{
  guint8 *bytes = g_malloc (length);

  for (gsize i = 0; i < length; i++)
    bytes[i] = (guint8) (first + i * 13);
  return g_bytes_new_take (bytes, length);
}

/* ---- the session -------------------------------------------------------- */




void
session_start_agent (Session *session)
{
  const char * const args[] = { "--identity-journal", SESSION_JOURNAL, NULL };

  g_assert_null (session->agent);
  session->agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, args);
}

void
session_stop_agent (Session *session)
{
  g_clear_pointer (&session->client, client_free);
  test_agent_stop_cleanly (session->agent);
  g_clear_pointer (&session->agent, test_agent_free);
}

/* SIGKILL: no clean-up of any kind, as a power cut would leave it. */
void
session_kill_agent (Session *session)
{
  int status = test_agent_stop_with (session->agent, SIGKILL);

  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  g_clear_pointer (&session->client, client_free);
  g_clear_pointer (&session->agent, test_agent_free);
  if (session->unanswered != NULL)
    g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&session->unanswered),
                                                "org.freedesktop.DBus.Error.NoReply",
                                                "the caller was killed");
}

void
session_set_up (Session       *session,
                gconstpointer  data)
{
  Services services = GPOINTER_TO_UINT (data);

  clone_machine_mount ();

  session->bus = dbus_mock_new ();
  if (services & SERVICES_HOSTNAMED)
    dbus_mock_own_service (session->bus, HOSTNAMED_NAME, HOSTNAMED_PATH, hostnamed_xml);
  if (services & SERVICES_SYSTEMD)
    dbus_mock_own_systemd (session->bus);
  /* The agent's system bus is the test's. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", dbus_mock_get_address (session->bus), TRUE);
  session->fifo_dir = harness_make_dir ("fifo");
}

void
session_restore_urandom (Session *session)
{
  g_clear_pointer (&session->urandom, urandom_fifo_free);
}

void
session_tear_down (Session       *session,
                   gconstpointer  data)
{
  session_restore_urandom (session);
  g_clear_pointer (&session->client, client_free);
  if (session->agent != NULL)
    session_stop_agent (session);
  g_clear_pointer (&session->bus, dbus_mock_free);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  clone_machine_unmount ();
  g_free (session->fifo_dir);
}

gboolean
session_init (int    *argc,
              char ***argv)
{
  mountns_require_private ();
  if (!g_file_test ("/usr/bin/ssh-keygen", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("SKIP: ssh-keygen (openssh-client) is not installed\n");
      return FALSE;
    }
  harness_init (argc, argv);
  clone_machine_init ();
  return TRUE;
}

void
session_add_case (const char *suite,
                  const char *name,
                  Services    services,
                  void      (*func) (Session *, gconstpointer))
{
  g_autofree char *path = g_strconcat ("/", suite, "/", name, NULL);

  g_test_add (path, Session, GUINT_TO_POINTER (services), session_set_up, func, session_tear_down);
}

int
session_run (void)
{
  int status = harness_run ();

  clone_machine_cleanup ();
  return status;
}

void
session_send (Session       *session,
              const Request *request)
{
  g_autofree char *text = session_request_text (request);

  g_clear_pointer (&session->client, client_free);
  session->client = client_connect (test_agent_get_socket_path (session->agent));
  client_send_str (session->client, text);
}

char *
session_read_reply_line (Session *session)
{
  char *line = client_read_line (session->client, SESSION_RUN_TIMEOUT_MS);

  if (line == NULL)
    {
      g_autofree char *log = test_agent_get_log (session->agent);

      harness_fail ("No reply from the agent; its log:\n%s", log);
    }
  harness_message_bytes ("reply", line, -1);
  return line;
}

JsonNode *
session_read_reply (Session *session)
{
  g_autofree char *line = session_read_reply_line (session);
  JsonNode *reply;

  /* The run is over: /dev/urandom is the machine's again. */
  session_restore_urandom (session);
  reply = harness_reply_get_return (line);

  if (!JSON_NODE_HOLDS_OBJECT (reply))
    harness_fail ("Expected an object, got: %s", line);
  return reply;
}

/* ---- host keys ---------------------------------------------------------- */

/* The reply's "ssh-host-keys" names the keys now in /etc/ssh, each new,
 * each with the template's as its old fingerprint. */
void
session_assert_rotation_reply (JsonObject *reply,
                               char      **fingerprints)
{
  JsonObject *rotation = json_object_get_object_member (reply, "ssh-host-keys");
  JsonArray *keys;

  g_assert_nonnull (rotation);
  g_assert_true (json_object_get_boolean_member (rotation, "sshd-reloaded"));
  g_assert_cmpstr (session_member_string (rotation, "sshd-reload-method"), ==, "systemd");
  keys = json_object_get_array_member (rotation, "keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, CLONE_MACHINE_N_KEY_TYPES);
  for (guint k = 0; k < json_array_get_length (keys); k++)
    {
      JsonObject *key = json_array_get_object_element (keys, k);
      const char *type = session_member_string (key, "type");
      gsize i;

      for (i = 0; i < CLONE_MACHINE_N_KEY_TYPES && !g_str_equal (clone_machine_key_types[i], type); i++)
        ;
      g_assert_cmpuint (i, <, CLONE_MACHINE_N_KEY_TYPES);
      g_assert_cmpstr (session_member_string (key, "fingerprint"), ==, fingerprints[i]);
      g_assert_cmpstr (session_member_string (key, "old-fingerprint"), ==, clone_machine_template_fingerprint (i));
      g_assert_cmpstr (fingerprints[i], !=, clone_machine_template_fingerprint (i));
    }
}

/* ---- serving a run ------------------------------------------------------ */



static const char * const step_names[] = {
  "host-name", "hosts-file", "machine-id", "journald", "ssh-host-keys", "network-state",
  "random-seed",
};

/* Plays the services for @request's steps from @first on, as the agent
 * must call them with @services on the bus, and stops at @block (the
 * agent then waits there). With a random seed to write, /dev/urandom is
 * a FIFO until the reply is read, and the seed read from it is returned. */
GBytes *
session_serve (Session       *session,
               const Request *request,
               Services       services,
               Step           first,
               BlockAt        block)
{
  DbusMock *bus = session->bus;
  gboolean sets_machine_id = request->machine_id != NULL || request->regenerate_machine_id;
  gboolean fifo = request->random_seed != NULL && first <= STEP_RANDOM_SEED;

  /* The random-seed step's write waits there until the test reads. */
  if (fifo)
    session->urandom = urandom_fifo_new (session->fifo_dir);

  if (first <= STEP_HOST_NAME && (services & SERVICES_HOSTNAMED) &&
      (request->host_name != NULL || request->pretty_host_name != NULL))
    {
      if (block == BLOCK_SET_STATIC_HOSTNAME)
        {
          /* Taken and not answered. */
          session->unanswered = session_expect_hostnamed (bus, "SetStaticHostname", request->host_name);
          return NULL;
        }
      if (request->host_name != NULL)
        session_answer_hostnamed (bus, "SetStaticHostname", request->host_name);
      if (request->pretty_host_name != NULL)
        session_answer_hostnamed (bus, "SetPrettyHostname", request->pretty_host_name);
    }

  if (first <= STEP_JOURNALD && (services & SERVICES_SYSTEMD) && sets_machine_id)
    {
      if (block == BLOCK_RESTART_JOURNALD)
        {
          session->unanswered =
            dbus_mock_pop_call (bus, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                                "RestartUnit", "('systemd-journald.service', 'replace')");
          return NULL;
        }
      session_answer_restart (bus, "systemd-journald.service", 1);
    }

  if (first <= STEP_SSH_HOST_KEYS && request->rotate_ssh_host_keys)
    {
      if (block == BLOCK_SSH_KEYGEN)
        {
          clone_machine_wait_for_blocked_keygen (SESSION_RUN_TIMEOUT_MS);
          return NULL;
        }
      if (services & SERVICES_SYSTEMD)
        {
          const DbusMockUnit units[] = {
            { "ssh.service", "loaded", "active" },
            { "ssh.service", "loaded", "active" },
          };

          if (block != BLOCK_RELOAD_SSH)
            session_answer_ssh_reload (bus, 3);
          else
            {
              dbus_mock_systemd_expect_list_units (bus, ssh_units, units, G_N_ELEMENTS (units));
              session->unanswered =
                dbus_mock_pop_call (bus, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                                    "ReloadOrRestartUnit", "('ssh.service', 'replace')");
              return NULL;
            }
        }
    }

  if (first <= STEP_NETWORK_STATE && (services & SERVICES_SYSTEMD) && request->reset_network_state)
    {
      session_answer_network_units (bus);
      if (block == BLOCK_RESTART_NETWORK)
        {
          session->unanswered =
            dbus_mock_pop_call (bus, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                                "RestartUnit", "('NetworkManager.service', 'replace')");
          return NULL;
        }
      session_answer_restart (bus, "NetworkManager.service", 2);
    }

  if (fifo)
    {
      urandom_fifo_wait_for_writer (session->urandom, test_agent_get_pid (session->agent),
                                    SESSION_RUN_TIMEOUT_MS);
      if (block == BLOCK_RANDOM_SEED)
        return NULL;
      return urandom_fifo_read (session->urandom);
    }
  return NULL;
}

/* ---- checks ------------------------------------------------------------- */

JsonObject *
session_reply_step (JsonObject *reply,
                    Step        step)
{
  JsonArray *steps = json_object_get_array_member (reply, "steps");
  JsonObject *object;

  g_assert_cmpuint (json_array_get_length (steps), ==, STEP_COUNT);
  object = json_array_get_object_element (steps, step);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, step_names[step]);
  return object;
}

void
session_assert_step (JsonObject *reply,
                     Step        step,
                     const char *status,
                     const char *detail)
{
  JsonObject *object = session_reply_step (reply, step);

  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, status);
  if (detail != NULL)
    g_assert_cmpstr (json_object_get_string_member (object, "detail"), ==, detail);
}

/* The chosen machine-id the journal holds. */
char *
session_journal_machine_id (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *journal;

  json_parser_load_from_file (parser, SESSION_JOURNAL, &error);
  g_assert_no_error (error);
  journal = json_node_get_object (json_parser_get_root (parser));
  return g_strdup (session_member_string (journal, "machine-id"));
}

void
session_assert_seed_file (GBytes *seed)
{
  g_autofree char *contents = NULL;
  gsize length;
  struct stat st;

  g_assert_true (g_file_get_contents ("/var/lib/systemd/random-seed", &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (seed, NULL), g_bytes_get_size (seed));
  g_assert_cmpint (stat ("/var/lib/systemd/random-seed", &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
}

/* The machine-id files agree on @machine_id, D-Bus's as a link. */
void
session_assert_machine_id (const char *machine_id)
{
  g_autofree char *etc = clone_machine_read_file ("/etc/machine-id");
  g_autofree char *dbus = clone_machine_read_file ("/var/lib/dbus/machine-id");
  g_autofree char *expected = g_strconcat (machine_id, "\n", NULL);
  g_autofree char *link = NULL;
  struct stat st;

  g_assert_cmpstr (etc, ==, expected);
  g_assert_cmpstr (dbus, ==, expected);
  g_assert_cmpint (stat ("/etc/machine-id", &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0444);
  /* The template's copy of its own was rewritten, not turned into a link. */
  g_assert_cmpint (lstat ("/var/lib/dbus/machine-id", &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
}

