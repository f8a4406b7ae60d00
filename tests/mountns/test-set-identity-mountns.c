/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * __org.guestlink_set-identity as a host sees it, on a fixture machine
 * (clone-machine.h) in private mount and UTS namespaces made by
 * run-in-mountns.sh, with hostname1 and systemd1 played on a private bus
 * where every call the agent makes is checked (set-identity-session.h).
 * The machine's own files, host name and services are never touched:
 * the real /run/dbus is not even visible to the agent. There is no sshd:
 * the keys rotated are the files present, and systemd is told to reload
 * ssh.service.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "agent-harness.h"
#include "clone-machine.h"
#include "mountns-fixture.h"
#include "set-identity-session.h"

typedef struct {
  char *host_name;
  char *static_host_name;
  char *machine_id;
  char *dbus_machine_id;
  GBytes *seed_file;
  char *fingerprints[CLONE_MACHINE_N_KEY_TYPES];
} CloneState;

static void
clone_state_clear (CloneState *state)
{
  g_free (state->host_name);
  g_free (state->static_host_name);
  g_free (state->machine_id);
  g_free (state->dbus_machine_id);
  g_clear_pointer (&state->seed_file, g_bytes_unref);
  for (gsize i = 0; i < CLONE_MACHINE_N_KEY_TYPES; i++)
    g_free (state->fingerprints[i]);
}

static void
read_clone_state (CloneState *state)
{
  g_autofree char *seed = NULL;
  gsize length;

  state->host_name = clone_machine_host_name ();
  state->static_host_name = clone_machine_read_stripped ("/etc/hostname");
  state->machine_id = clone_machine_read_stripped ("/etc/machine-id");
  state->dbus_machine_id = clone_machine_read_stripped ("/var/lib/dbus/machine-id");
  g_assert_true (g_file_get_contents ("/var/lib/systemd/random-seed", &seed, &length, NULL));
  state->seed_file = g_bytes_new (seed, length);
  clone_machine_assert_host_keys_valid (state->fingerprints);
}

/* One clone of the template: set-identity with everything, no hostnamed
 * (the files and the kernel's name are the agent's to write), systemd
 * on the bus. */
static void
run_clone (Session    *session,
           const char *instance_id,
           const char *host_name,
           guint8      seed_first,
           CloneState *out_state)
{
  g_autoptr(GBytes) seed = session_make_seed (seed_first, 512);
  g_autofree char *pretty = g_strdup_printf ("Clone %s", instance_id);
  Request request = {
    .instance_id = instance_id,
    .host_name = host_name,
    .pretty_host_name = pretty,
    .regenerate_machine_id = TRUE,
    .rotate_ssh_host_keys = TRUE,
    .reset_network_state = TRUE,
    .random_seed = seed,
  };
  g_autoptr(GBytes) mixed = NULL;
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *hosts = NULL;
  g_autofree char *expected_hosts_line = NULL;
  g_autofree char *machine_info = NULL;
  JsonObject *reply, *identity;

  session_start_agent (session);
  session_send (session, &request);
  mixed = session_serve (session, &request, SERVICES_SYSTEMD, STEP_HOST_NAME, BLOCK_NONE);
  reply_node = session_read_reply (session);
  session_stop_agent (session);
  reply = json_node_get_object (reply_node);

  /* The exact bytes went into the kernel's pool, and to the seed file. */
  g_assert_true (g_bytes_equal (mixed, seed));
  session_assert_seed_file (seed);

  g_assert_cmpstr (session_member_string (reply, "instance-id"), ==, instance_id);
  g_assert_false (json_object_get_boolean_member (reply, "resumed"));
  g_assert_true (json_object_get_boolean_member (reply, "complete"));
  g_assert_true (json_object_get_boolean_member (reply, "reboot-required"));
  session_assert_step (reply, STEP_HOST_NAME, "done", NULL);
  session_assert_step (reply, STEP_HOSTS_FILE, "done", NULL);
  session_assert_step (reply, STEP_MACHINE_ID, "done", NULL);
  session_assert_step (reply, STEP_JOURNALD, "done", "systemd-journald.service restarted");
  session_assert_step (reply, STEP_SSH_HOST_KEYS, "done",
               "new ecdsa, ed25519, rsa keys; sshd reloaded through systemd");
  session_assert_step (reply, STEP_NETWORK_STATE, "done",
               "removed /var/lib/dhcp/dhclient.eth0.leases, "
               "/var/lib/NetworkManager/internal-5d0c-eth0.lease, /run/systemd/netif/leases/2, "
               "/etc/udev/rules.d/70-persistent-net.rules; NetworkManager.service restarted");
  session_assert_step (reply, STEP_RANDOM_SEED, "done",
               "512 bytes mixed into the kernel's pool and saved as /var/lib/systemd/random-seed");
  read_clone_state (out_state);
  session_assert_rotation_reply (reply, out_state->fingerprints);
  identity = json_object_get_object_member (reply, "identity");
  g_assert_cmpstr (session_member_string (identity, "host-name"), ==, host_name);
  g_assert_cmpstr (session_member_string (identity, "static-host-name"), ==, host_name);
  g_assert_cmpstr (session_member_string (identity, "pretty-host-name"), ==, pretty);
  g_assert_cmpstr (session_member_string (identity, "machine-id"), ==, out_state->machine_id);
  g_assert_cmpstr (session_member_string (identity, "dbus-machine-id"), ==, out_state->machine_id);

  g_assert_cmpstr (out_state->host_name, ==, host_name);
  g_assert_cmpstr (out_state->static_host_name, ==, host_name);
  session_assert_machine_id (out_state->machine_id);
  clone_machine_assert_leases_gone ();
  hosts = clone_machine_read_file ("/etc/hosts");
  expected_hosts_line = g_strdup_printf ("\n127.0.1.1\t%s\n", host_name);
  g_assert_nonnull (strstr (hosts, expected_hosts_line));
  g_assert_nonnull (strstr (hosts, "127.0.0.1\tlocalhost\n"));
  machine_info = clone_machine_read_file ("/etc/machine-info");
  g_assert_nonnull (strstr (machine_info, "CHASSIS=vm\n"));
}

/* Two clones of one template: every identity item differs from the
 * template's and from the other clone's. */
static void
test_clone_scenario (Session       *session,
                     gconstpointer  data)
{
  g_autoptr(GBytes) template_seed = g_bytes_new_static (CLONE_MACHINE_TEMPLATE_SEED, strlen (CLONE_MACHINE_TEMPLATE_SEED));
  CloneState a = { 0 }, b = { 0 };

  run_clone (session, "clone-a", "web-a", 1, &a);
  /* The second clone on a fresh copy of the template. */
  session_tear_down (session, data);
  memset (session, 0, sizeof *session);
  session_set_up (session, data);
  run_clone (session, "clone-b", "web-b", 2, &b);

  g_assert_cmpstr (a.host_name, !=, CLONE_MACHINE_TEMPLATE_NAME);
  g_assert_cmpstr (b.host_name, !=, CLONE_MACHINE_TEMPLATE_NAME);
  g_assert_cmpstr (a.host_name, !=, b.host_name);
  g_assert_cmpstr (a.machine_id, !=, CLONE_MACHINE_TEMPLATE_ID);
  g_assert_cmpstr (b.machine_id, !=, CLONE_MACHINE_TEMPLATE_ID);
  g_assert_cmpstr (a.machine_id, !=, b.machine_id);
  g_assert_cmpstr (a.dbus_machine_id, ==, a.machine_id);
  g_assert_cmpstr (b.dbus_machine_id, ==, b.machine_id);
  g_assert_false (g_bytes_equal (a.seed_file, b.seed_file));
  g_assert_false (g_bytes_equal (a.seed_file, template_seed));
  g_assert_false (g_bytes_equal (b.seed_file, template_seed));
  for (gsize i = 0; i < CLONE_MACHINE_N_KEY_TYPES; i++)
    {
      g_assert_cmpstr (a.fingerprints[i], !=, clone_machine_template_fingerprint (i));
      g_assert_cmpstr (b.fingerprints[i], !=, clone_machine_template_fingerprint (i));
      g_assert_cmpstr (a.fingerprints[i], !=, b.fingerprints[i]);
    }

  clone_state_clear (&a);
  clone_state_clear (&b);
}

/* Without hostnamed the agent writes /etc/hostname and machine-info and
 * sets the kernel's name itself; without systemd there is no journald
 * to restart. No call reaches the bus. */
static void
test_without_services (Session       *session,
                       gconstpointer  data)
{
  Request request = {
    .instance_id = "bare",
    .host_name = "minimal.example.org",
    .pretty_host_name = "Minimal \"one\"",
    .machine_id = "00112233445566778899aabbccddeeff",
  };
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *host_name = NULL;
  g_autofree char *hostname_file = NULL;
  g_autofree char *machine_info = NULL;
  g_autofree char *hosts = NULL;
  JsonObject *reply;

  session_start_agent (session);
  session_send (session, &request);
  reply_node = session_read_reply (session);
  reply = json_node_get_object (reply_node);

  session_assert_step (reply, STEP_HOST_NAME, "done",
               "host name minimal.example.org and pretty host name \"Minimal \"one\"\" written to "
               "/etc and given to the kernel (no hostnamed)");
  session_assert_step (reply, STEP_HOSTS_FILE, "done",
               "the 127.0.1.1 line of /etc/hosts names minimal.example.org");
  session_assert_step (reply, STEP_MACHINE_ID, "done",
               "/etc/machine-id is 00112233445566778899aabbccddeeff; "
               "/var/lib/dbus/machine-id rewritten");
  session_assert_step (reply, STEP_JOURNALD, "skipped", "no systemd");
  session_assert_step (reply, STEP_SSH_HOST_KEYS, "skipped", "not asked for");
  session_assert_step (reply, STEP_NETWORK_STATE, "skipped", "not asked for");
  session_assert_step (reply, STEP_RANDOM_SEED, "skipped", "no random seed given");
  g_assert_true (json_object_get_boolean_member (reply, "complete"));
  g_assert_true (json_object_get_boolean_member (reply, "reboot-required"));

  host_name = clone_machine_host_name ();
  g_assert_cmpstr (host_name, ==, "minimal.example.org");
  hostname_file = clone_machine_read_file ("/etc/hostname");
  g_assert_cmpstr (hostname_file, ==, "minimal.example.org\n");
  machine_info = clone_machine_read_file ("/etc/machine-info");
  g_assert_cmpstr (machine_info, ==, "PRETTY_HOSTNAME=\"Minimal \\\"one\\\"\"\nCHASSIS=vm\n");
  hosts = clone_machine_read_file ("/etc/hosts");
  g_assert_nonnull (strstr (hosts, "\n127.0.1.1\tminimal.example.org\tminimal\n"));
  session_assert_machine_id ("00112233445566778899aabbccddeeff");
  /* Not asked for: still the template's. */
  g_assert_true (clone_machine_path_exists ("/var/lib/dhcp/dhclient.eth0.leases"));
}

/* With hostnamed on the bus, the host names are its to write: the
 * agent asks it, and writes no file and no kernel name itself. */
static void
test_hostnamed (Session       *session,
                gconstpointer  data)
{
  Request request = {
    .instance_id = "through-hostnamed",
    .host_name = "named",
    .pretty_host_name = "",
  };
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *host_name = NULL;
  g_autofree char *hostname_file = NULL;
  JsonObject *reply;

  session_start_agent (session);
  session_send (session, &request);
  session_serve (session, &request, SERVICES_HOSTNAMED | SERVICES_SYSTEMD, STEP_HOST_NAME, BLOCK_NONE);
  reply_node = session_read_reply (session);
  reply = json_node_get_object (reply_node);

  session_assert_step (reply, STEP_HOST_NAME, "done",
               "host name named and no pretty host name set through hostnamed");
  session_assert_step (reply, STEP_MACHINE_ID, "skipped", "no machine-id asked for");
  session_assert_step (reply, STEP_JOURNALD, "skipped", "no machine-id asked for");
  g_assert_false (json_object_get_boolean_member (reply, "reboot-required"));
  host_name = clone_machine_host_name ();
  g_assert_cmpstr (host_name, ==, CLONE_MACHINE_TEMPLATE_NAME);
  hostname_file = clone_machine_read_file ("/etc/hostname");
  g_assert_cmpstr (hostname_file, ==, CLONE_MACHINE_TEMPLATE_NAME "\n");
}

/* hostnamed refusing is a failed step, not a reason to write the files
 * behind its back; the other steps still run. */
static void
test_hostnamed_refuses (Session       *session,
                        gconstpointer  data)
{
  Request request = {
    .instance_id = "refused",
    .host_name = "refused",
    .machine_id = "00112233445566778899aabbccddeeff",
  };
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *hostname_file = NULL;
  g_autofree char *hosts = NULL;
  GDBusMethodInvocation *call;
  JsonObject *reply, *step;

  session_start_agent (session);
  session_send (session, &request);
  call = session_expect_hostnamed (session->bus, "SetStaticHostname", "refused");
  g_dbus_method_invocation_return_dbus_error (call, "org.freedesktop.DBus.Error.AccessDenied",
                                              "Not today");
  session_answer_restart (session->bus, "systemd-journald.service", 1);
  reply_node = session_read_reply (session);
  reply = json_node_get_object (reply_node);

  step = session_reply_step (reply, STEP_HOST_NAME);
  g_assert_cmpstr (session_member_string (step, "status"), ==, "failed");
  g_assert_cmpstr (session_member_string (step, "error"), ==, "hostnamed SetStaticHostname failed: Not today");
  g_assert_false (json_object_get_boolean_member (reply, "complete"));
  /* /etc/hosts follows the host name, so it waits for it. */
  step = session_reply_step (reply, STEP_HOSTS_FILE);
  g_assert_cmpstr (session_member_string (step, "status"), ==, "failed");
  g_assert_cmpstr (session_member_string (step, "error"), ==, "Not run: the host-name step did not complete");
  session_assert_step (reply, STEP_MACHINE_ID, "done", NULL);
  session_assert_step (reply, STEP_JOURNALD, "done", NULL);
  hostname_file = clone_machine_read_file ("/etc/hostname");
  g_assert_cmpstr (hostname_file, ==, CLONE_MACHINE_TEMPLATE_NAME "\n");
  hosts = clone_machine_read_file ("/etc/hosts");
  g_assert_nonnull (strstr (hosts, "\n127.0.1.1\t" CLONE_MACHINE_TEMPLATE_NAME ".example.org\t" CLONE_MACHINE_TEMPLATE_NAME "\n"));

  /* The retry runs the failed steps only. */
  session_send (session, &request);
  session_answer_hostnamed (session->bus, "SetStaticHostname", "refused");
  g_clear_pointer (&reply_node, json_node_unref);
  reply_node = session_read_reply (session);
  reply = json_node_get_object (reply_node);
  g_assert_true (json_object_get_boolean_member (reply, "resumed"));
  g_assert_true (json_object_get_boolean_member (reply, "complete"));
  session_assert_step (reply, STEP_HOST_NAME, "done", NULL);
  session_assert_step (reply, STEP_HOSTS_FILE, "done", NULL);
  g_clear_pointer (&hosts, g_free);
  hosts = clone_machine_read_file ("/etc/hosts");
  g_assert_nonnull (strstr (hosts, "\n127.0.1.1\trefused\n"));
}

/* A full run, then the same request again: nothing is redone (no call
 * reaches the services) and the reply is the same but for "resumed". */
static void
test_retry_after_success (Session       *session,
                          gconstpointer  data)
{
  g_autoptr(GBytes) seed = session_make_seed (7, 64);
  Request request = {
    .instance_id = "retry",
    .host_name = "retry",
    .regenerate_machine_id = TRUE,
    .rotate_ssh_host_keys = TRUE,
    .reset_network_state = TRUE,
    .random_seed = seed,
  };
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(GBytes) mixed = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *again = NULL;
  JsonObject *first_object, *second_object;

  session_start_agent (session);
  session_send (session, &request);
  mixed = session_serve (session, &request, SERVICES_HOSTNAMED | SERVICES_SYSTEMD, STEP_HOST_NAME,
                     BLOCK_NONE);
  first = session_read_reply (session);
  checksum = clone_machine_checksum ();

  /* From another agent, as after a timeout and a restart. */
  session_stop_agent (session);
  session_start_agent (session);
  session_send (session, &request);
  second = session_read_reply (session);
  again = clone_machine_checksum ();
  dbus_mock_assert_no_calls (session->bus);
  g_assert_cmpstr (again, ==, checksum);

  first_object = json_node_get_object (first);
  second_object = json_node_get_object (second);
  g_assert_true (json_object_has_member (first_object, "ssh-host-keys"));
  g_assert_false (json_object_get_boolean_member (first_object, "resumed"));
  g_assert_true (json_object_get_boolean_member (second_object, "resumed"));
  json_object_remove_member (first_object, "resumed");
  json_object_remove_member (second_object, "resumed");
  if (!json_node_equal (first, second))
    {
      g_autofree char *a = json_to_string (first, TRUE);
      g_autofree char *b = json_to_string (second, TRUE);

      harness_fail ("The replies differ:\n%s\n%s", a, b);
    }
}

/* The same instance-id with another request: refused, nothing changed. */
static void
test_instance_id_reused (Session       *session,
                         gconstpointer  data)
{
  Request request = { .instance_id = "once", .host_name = "once" };
  Request other = { .instance_id = "once", .host_name = "twice" };
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *after = NULL;
  g_autofree char *line = NULL;

  session_start_agent (session);
  session_send (session, &request);
  session_serve (session, &request, SERVICES_HOSTNAMED | SERVICES_SYSTEMD, STEP_HOST_NAME, BLOCK_NONE);
  reply = session_read_reply (session);
  checksum = clone_machine_checksum ();

  session_send (session, &other);
  line = session_read_reply_line (session);
  harness_reply_assert_error (line, "GenericError",
                              "instance-id once was already used for a different request");
  after = clone_machine_checksum ();
  g_assert_cmpstr (after, ==, checksum);
}

/* Every invalid argument is refused with its name, before anything. */
static const struct {
  const char *arguments;
  const char *desc;
} invalid_requests[] = {
  { "{}", "Parameter 'instance-id' is missing" },
  { "{\"instance-id\": 7}", "Invalid parameter type for 'instance-id', expected: string" },
  { "{\"instance-id\": \"\"}", "Parameter 'instance-id' is invalid: it is empty" },
  { "{\"instance-id\": \"a\\u0007\"}",
    "Parameter 'instance-id' is invalid: byte 2 is not printable ASCII" },
  { "{\"instance-id\": \"x\", \"host-name\": \"Bad_Name\"}",
    "Parameter 'host-name' is invalid: character 1 is not one of a-z, 0-9, '-' and '.'" },
  { "{\"instance-id\": \"x\", \"host-name\": \"-dash\"}",
    "Parameter 'host-name' is invalid: a label starts or ends with '-'" },
  { "{\"instance-id\": \"x\", \"host-name\": "
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
    "Parameter 'host-name' is invalid: a label is 67 characters long, more than 63" },
  { "{\"instance-id\": \"x\", \"host-name\": "
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaa\"}",
    "Parameter 'host-name' is invalid: it is 67 characters long, more than the kernel's 64" },
  { "{\"instance-id\": \"x\", \"host-name\": true}",
    "Invalid parameter type for 'host-name', expected: string" },
  { "{\"instance-id\": \"x\", \"pretty-host-name\": \"two\\nlines\"}",
    "Parameter 'pretty-host-name' is invalid: character 4 is a control character" },
  { "{\"instance-id\": \"x\", \"machine-id\": \"0123456789ABCDEF0123456789abcdef\"}",
    "Parameter 'machine-id' is invalid: it is not 32 lowercase hexadecimal digits" },
  { "{\"instance-id\": \"x\", \"machine-id\": \"00000000000000000000000000000000\"}",
    "Parameter 'machine-id' is invalid: it is all zeros" },
  { "{\"instance-id\": \"x\", \"regenerate-machine-id\": \"yes\"}",
    "Invalid parameter type for 'regenerate-machine-id', expected: boolean" },
  { "{\"instance-id\": \"x\", \"rotate-ssh-host-keys\": 1}",
    "Invalid parameter type for 'rotate-ssh-host-keys', expected: boolean" },
  { "{\"instance-id\": \"x\", \"reset-network-state\": null}",
    "Invalid parameter type for 'reset-network-state', expected: boolean" },
  { "{\"instance-id\": \"x\", \"random-seed\": \"!!!!\"}",
    "Parameter 'random-seed' is invalid: it is not base64" },
  { "{\"instance-id\": \"x\", \"new-ssh-host-keys\": true}", "Parameter 'new-ssh-host-keys' is unexpected" },
  { "{\"instance-id\": \"x\", \"host-name\": \"\"}", "Parameter 'host-name' is invalid: it is empty" },
  { "{\"instance-id\": \"x\", \"machine-id\": \"0123456789abcdef\"}",
    "Parameter 'machine-id' is invalid: it is not 32 hexadecimal digits" },
  { "{\"instance-id\": \"x\", \"random-seed\": \"\"}", "Parameter 'random-seed' is invalid: it is not base64" },
  { "{\"instance-id\": \"x\", \"random-seed\": [1]}",
    "Invalid parameter type for 'random-seed', expected: string" },
};

static void
test_invalid_arguments (Session       *session,
                        gconstpointer  data)
{
  g_autofree char *checksum = clone_machine_checksum ();
  g_autofree char *too_big = NULL;
  g_autoptr(GBytes) big_seed = session_make_seed (0, 4097);

  session_start_agent (session);
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_requests); i++)
    {
      g_autofree char *request = g_strdup_printf ("{\"execute\": \"__org.guestlink_set-identity\", "
                                                  "\"arguments\": %s}", invalid_requests[i].arguments);
      g_autofree char *line = harness_exchange (test_agent_get_socket_path (session->agent), request);
      g_autofree char *after = NULL;

      g_test_message ("%s", invalid_requests[i].arguments);
      harness_reply_assert_error (line, "GenericError", invalid_requests[i].desc);
      after = clone_machine_checksum ();
      g_assert_cmpstr (after, ==, checksum);
    }

  /* Too long: an instance-id of 129 bytes, a pretty name of 256. */
  {
    g_autofree char *long_id = g_strnfill (129, 'i');
    g_autofree char *long_pretty = g_strnfill (256, 'p');
    Request long_instance = { .instance_id = long_id };
    Request long_name = { .instance_id = "x", .pretty_host_name = long_pretty };
    g_autofree char *text = session_request_text (&long_instance);
    g_autofree char *line = harness_exchange (test_agent_get_socket_path (session->agent), text);
    g_autofree char *name_text = session_request_text (&long_name);
    g_autofree char *name_line = harness_exchange (test_agent_get_socket_path (session->agent),
                                                   name_text);

    harness_reply_assert_error (line, "GenericError",
                                "Parameter 'instance-id' is invalid: it is 129 bytes long, more than 128");
    harness_reply_assert_error (name_line, "GenericError",
                                "Parameter 'pretty-host-name' is invalid: it is 256 bytes long, more than 255");
  }

  /* One seed byte too many. */
  {
    Request request = { .instance_id = "x", .host_name = "fine", .random_seed = big_seed };
    g_autofree char *text = session_request_text (&request);
    g_autofree char *line = harness_exchange (test_agent_get_socket_path (session->agent), text);

    harness_reply_assert_error (line, "GenericError",
                                "Parameter 'random-seed' is invalid: it is more than 4096 bytes");
    too_big = clone_machine_checksum ();
    g_assert_cmpstr (too_big, ==, checksum);
  }
  g_assert_false (clone_machine_path_exists (SESSION_JOURNAL));
}

int
main (int    argc,
      char **argv)
{
  const char *suite = "set-identity-mountns";
  const Services all = SERVICES_HOSTNAMED | SERVICES_SYSTEMD;

  if (!session_init (&argc, &argv))
    return HARNESS_EXIT_SKIP;

  session_add_case (suite, "clone-scenario", SERVICES_SYSTEMD, test_clone_scenario);
  session_add_case (suite, "without-services", SERVICES_NONE, test_without_services);
  session_add_case (suite, "hostnamed", all, test_hostnamed);
  session_add_case (suite, "hostnamed-refuses", all, test_hostnamed_refuses);
  session_add_case (suite, "retry-after-success", all, test_retry_after_success);
  session_add_case (suite, "instance-id-reused", all, test_instance_id_reused);
  session_add_case (suite, "invalid-arguments", all, test_invalid_arguments);

  return session_run ();
}
