/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * __org.guestlink_set-identity killed half way: on the fixture machine
 * of test-set-identity-mountns (clone-machine.h, set-identity-session.h),
 * the agent is killed with SIGKILL where it waits on something the test
 * controls (a D-Bus call it does not answer, an ssh-keygen that waits on
 * a FIFO, a FIFO over /dev/urandom), started again and asked again. The
 * end must be the one without the crash, with the machine-id chosen
 * before it, and the host keys must be valid at every point.
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

/* Crashes: the agent is killed where it waits, started again and asked
 * again; the end is the same as without the crash, with the machine-id
 * chosen before it. */
typedef struct {
  const char *name;
  BlockAt block;
  Step resume_from;     /* the step that was under way */
} CrashCase;

static const CrashCase crash_cases[] = {
  { "host-name", BLOCK_SET_STATIC_HOSTNAME, STEP_HOST_NAME },
  { "journald", BLOCK_RESTART_JOURNALD, STEP_JOURNALD },
  { "ssh-keygen", BLOCK_SSH_KEYGEN, STEP_SSH_HOST_KEYS },
  { "sshd-reload", BLOCK_RELOAD_SSH, STEP_SSH_HOST_KEYS },
  { "network-state", BLOCK_RESTART_NETWORK, STEP_NETWORK_STATE },
  { "random-seed", BLOCK_RANDOM_SEED, STEP_RANDOM_SEED },
};

static void
test_crash (Session       *session,
            gconstpointer  data)
{
  const CrashCase *crash = NULL;
  g_autoptr(GBytes) seed = session_make_seed (42, 512);
  Request request = {
    .instance_id = "crash",
    .host_name = "survivor.example.org",
    .pretty_host_name = "Survivor",
    .regenerate_machine_id = TRUE,
    .rotate_ssh_host_keys = TRUE,
    .reset_network_state = TRUE,
    .random_seed = seed,
  };
  g_autofree char *chosen = NULL;
  g_autofree char *etc_machine_id = NULL;
  char *fingerprints[CLONE_MACHINE_N_KEY_TYPES] = { NULL };
  g_autoptr(GBytes) mixed = NULL;
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *hosts = NULL;
  Services services = SERVICES_HOSTNAMED | SERVICES_SYSTEMD;
  const char *name = g_test_get_path () + strlen ("/set-identity-crash-mountns/");
  JsonObject *reply;

  for (gsize i = 0; i < G_N_ELEMENTS (crash_cases); i++)
    if (g_str_equal (name, crash_cases[i].name))
      crash = &crash_cases[i];
  g_assert_nonnull (crash);

  session_start_agent (session);
  clone_machine_block_keygen (crash->block == BLOCK_SSH_KEYGEN);
  session_send (session, &request);
  session_serve (session, &request, services, STEP_HOST_NAME, crash->block);
  chosen = session_journal_machine_id ();
  session_kill_agent (session);
  clone_machine_kill_blocked_keygen ();
  session_restore_urandom (session);
  /* Never a machine without working host keys. */
  clone_machine_assert_host_keys_valid (NULL);

  /* The steps before the crash are done; the one under way is not. */
  etc_machine_id = clone_machine_read_stripped ("/etc/machine-id");
  g_assert_cmpstr (etc_machine_id, ==,
                   crash->resume_from > STEP_MACHINE_ID ? chosen : CLONE_MACHINE_TEMPLATE_ID);

  session_start_agent (session);
  if (crash->block == BLOCK_RELOAD_SSH)
    {
      /* Killed with the new keys in place and the old ones aside: the
       * agent puts the old ones back as it starts, and has sshd load
       * them, before anything else. */
      session_answer_ssh_reload (session->bus, 9);
      for (guint waited = 0; clone_machine_path_exists (SESSION_ROTATE_ASIDE); waited += 10)
        {
          g_assert_cmpuint (waited, <, SESSION_RUN_TIMEOUT_MS);
          g_usleep (10 * 1000);
        }
      clone_machine_assert_host_keys_valid (fingerprints);
      for (gsize i = 0; i < CLONE_MACHINE_N_KEY_TYPES; i++)
        {
          g_assert_cmpstr (fingerprints[i], ==, clone_machine_template_fingerprint (i));
          g_clear_pointer (&fingerprints[i], g_free);
        }
    }
  session_send (session, &request);
  mixed = session_serve (session, &request, services, crash->resume_from, BLOCK_NONE);
  reply_node = session_read_reply (session);
  reply = json_node_get_object (reply_node);

  g_assert_true (json_object_get_boolean_member (reply, "resumed"));
  g_assert_true (json_object_get_boolean_member (reply, "complete"));
  g_assert_true (json_object_get_boolean_member (reply, "reboot-required"));
  for (Step step = 0; step < STEP_COUNT; step++)
    session_assert_step (reply, step, "done", NULL);
  clone_machine_assert_host_keys_valid (fingerprints);
  session_assert_rotation_reply (reply, fingerprints);
  g_assert_false (clone_machine_path_exists (SESSION_ROTATE_ASIDE));
  g_assert_cmpstr (session_member_string (json_object_get_object_member (reply, "identity"), "machine-id"),
                   ==, chosen);
  session_assert_machine_id (chosen);
  clone_machine_assert_leases_gone ();
  g_assert_true (g_bytes_equal (mixed, seed));
  session_assert_seed_file (seed);
  hosts = clone_machine_read_file ("/etc/hosts");
  g_assert_nonnull (strstr (hosts, "\n127.0.1.1\tsurvivor.example.org\tsurvivor\n"));
  for (gsize i = 0; i < CLONE_MACHINE_N_KEY_TYPES; i++)
    g_free (fingerprints[i]);
}

int
main (int    argc,
      char **argv)
{
  if (!session_init (&argc, &argv))
    return HARNESS_EXIT_SKIP;

  for (gsize i = 0; i < G_N_ELEMENTS (crash_cases); i++)
    session_add_case ("set-identity-crash-mountns", crash_cases[i].name,
                      SERVICES_HOSTNAMED | SERVICES_SYSTEMD, test_crash);

  return session_run ();
}
