/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity-bench: the wall time of one full __org.guestlink_set-identity
 * (host-name, regenerate-machine-id, rotate-ssh-host-keys with three key
 * types, reset-network-state, random-seed), from the request sent to the
 * reply read, with ssh-keygen's own share shown apart.
 *
 * Each round runs on a fresh copy of the template machine of the
 * set-identity namespace tests (tests/mountns/clone-machine.h: tmpfs over
 * /etc, /var/lib and /run in private mount and UTS namespaces) with a
 * fresh agent, and systemd1 (and, with --hostnamed, hostname1) played on
 * a private bus (set-identity-session.h), every call answered at once.
 * The agent's start and stop are outside the timed span. The machine's
 * own /etc, host name and services are never touched; run by hand, the
 * program runs itself again through run-in-mountns.sh.
 *
 * ssh-keygen's share comes from a timing wrapper first in the agent's
 * PATH (ssh-keygen-timer.c, read back by keygen-runs.c). The time spent
 * with the mocked services is taken on the mock's side: from the first
 * call of each exchange (a restart is RestartUnit, JobRemoved and the
 * check that the unit runs) to the last answer.
 *
 * /dev/urandom is, in the namespace, a regular file in the fixture's
 * /run filled with fresh random bytes: the seed's write costs what a
 * write to the kernel's pool costs, no more goes to this machine's pool,
 * and the file shows that the seed arrived.
 *
 * Exit status: 0 measured, 1 could not measure (no agent, a wrong reply),
 * 77 skipped (no namespaces, no ssh-keygen).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "agent-harness.h"
#include "clone-machine.h"
#include "keygen-runs.h"
#include "mountns-fixture.h"
#include "set-identity-session.h"

#define DEFAULT_ROUNDS 10
#define SEED_BYTES 512
#define SSH_KEYGEN "/usr/bin/ssh-keygen"
#define URANDOM "/dev/urandom"
#define URANDOM_STAND_IN "/run/identity-bench-urandom"
#define URANDOM_STAND_IN_BYTES 4096
#define CALIBRATION_ROUNDS 51
/* Set once the program has run itself through run-in-mountns.sh: a
 * second time would loop. */
#define REEXEC_VARIABLE "IDENTITY_BENCH_IN_MOUNTNS"

typedef struct {
  guint rounds;
  char *guestlinkd;
  char *keygen_timer;
  gboolean hostnamed;
} Settings;

/* The figures of a round, each a series over the rounds, in ns. */
typedef enum {
  METRIC_TOTAL,
  METRIC_GENERATE,
  METRIC_GENERATE_FIRST_TYPE,   /* one per clone_machine_key_types[] */
  METRIC_CHECK = METRIC_GENERATE_FIRST_TYPE + CLONE_MACHINE_N_KEY_TYPES,
  METRIC_OTHER_KEYGEN,
  METRIC_REMAINDER,
  METRIC_DBUS,
  METRIC_WRAPPER,
  METRIC_REST,
  METRIC_BETWEEN_RUNS,
  METRIC_COUNT,
} Metric;

typedef struct {
  GArray *series[METRIC_COUNT];   /* of gint64 */
  GArray *keygen_share;           /* of double, 0..1 */
  gint64 wrapper_cost;            /* per ssh-keygen run, estimated */
  guint n_checks;
  guint n_other;
  GHashTable *fingerprints;       /* every new key's, to see each is new */
} Results;

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static double
ms (gint64 ns)
{
  return (double) ns / 1e6;
}

/* ---- /dev/urandom ------------------------------------------------------- */

static void
mount_urandom_stand_in (void)
{
  guint8 bytes[URANDOM_STAND_IN_BYTES];
  g_autoptr(GError) error = NULL;

  /* Random, as whoever reads /dev/urandom in the namespace expects. */
  mountns_check (getrandom (bytes, sizeof bytes, 0) == sizeof bytes, "getrandom");
  mountns_assert_on_tmpfs ("/run");
  g_file_set_contents_full (URANDOM_STAND_IN, (const char *) bytes, sizeof bytes,
                            G_FILE_SET_CONTENTS_NONE, 0666, &error);
  g_assert_no_error (error);
  mountns_check (mount (URANDOM_STAND_IN, URANDOM, NULL, MS_BIND, NULL) == 0, URANDOM);
}

/* Unmounts it; the seed must be at its start. */
static void
unmount_urandom_stand_in (GBytes *seed)
{
  g_autofree char *contents = NULL;
  gsize length;

  mountns_check (umount2 (URANDOM, MNT_DETACH) == 0, URANDOM);
  g_assert_true (g_file_get_contents (URANDOM_STAND_IN, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, URANDOM_STAND_IN_BYTES);
  g_assert_cmpmem (contents, g_bytes_get_size (seed), g_bytes_get_data (seed, NULL),
                   g_bytes_get_size (seed));
}

/* ---- the mocked services ------------------------------------------------ */

/* Until the agent's next D-Bus call is in the mock's queue: the start of
 * an exchange. */
static gint64
wait_for_exchange (DbusMock *bus)
{
  if (!dbus_mock_wait_for_call (bus, SESSION_RUN_TIMEOUT_MS))
    harness_fail ("The agent made no D-Bus call within %u ms", SESSION_RUN_TIMEOUT_MS);
  return now_ns ();
}

/* Answers the calls of a full set-identity, in the order the agent makes
 * them, as soon as each comes. Returns the time from the first call of
 * each exchange to its last answer, summed. */
static gint64
serve (Session       *session,
       const Request *request,
       gboolean       hostnamed)
{
  DbusMock *bus = session->bus;
  gint64 spent = 0;
  gint64 start;

  if (hostnamed)
    {
      start = wait_for_exchange (bus);
      session_answer_hostnamed (bus, "SetStaticHostname", request->host_name);
      spent += now_ns () - start;
    }

  /* The new machine-id: journald restarted. */
  start = wait_for_exchange (bus);
  session_answer_restart (bus, "systemd-journald.service", 1);
  spent += now_ns () - start;

  /* The new host keys: sshd reloaded. */
  start = wait_for_exchange (bus);
  session_answer_ssh_reload (bus, 3);
  spent += now_ns () - start;

  /* The leases gone: the network manager found and restarted. */
  start = wait_for_exchange (bus);
  session_answer_network_units (bus);
  session_answer_restart (bus, "NetworkManager.service", 2);
  spent += now_ns () - start;

  return spent;
}

/* ---- a round ------------------------------------------------------------ */

static void
check_reply (const char *line,
             Results    *results)
{
  g_autoptr(JsonNode) node = harness_reply_get_return (line);
  JsonObject *reply, *rotation;
  JsonArray *keys;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    harness_fail ("Expected an object, got: %s", line);
  reply = json_node_get_object (node);
  g_assert_true (json_object_get_boolean_member (reply, "complete"));
  g_assert_false (json_object_get_boolean_member (reply, "resumed"));
  for (Step step = 0; step < STEP_COUNT; step++)
    session_assert_step (reply, step, "done", NULL);

  /* Each key really new: a rotation that made the same keys twice would
   * not be worth timing. */
  rotation = json_object_get_object_member (reply, "ssh-host-keys");
  keys = json_object_get_array_member (rotation, "keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, CLONE_MACHINE_N_KEY_TYPES);
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);
      const char *fingerprint = session_member_string (key, "fingerprint");

      g_assert_cmpstr (fingerprint, !=, session_member_string (key, "old-fingerprint"));
      if (!g_hash_table_add (results->fingerprints, g_strdup (fingerprint)))
        harness_fail ("The key %s came twice", fingerprint);
    }
}

static gint
compare_runs_by_start (gconstpointer a,
                       gconstpointer b)
{
  gint64 x = ((const KeygenRun *) a)->start_ns, y = ((const KeygenRun *) b)->start_ns;

  return (x > y) - (x < y);
}

/* The wall time during which at least one ssh-keygen ran: the sum of the
 * runs unless the agent ran some side by side. Sets @out_span to the time
 * from the first run's start to the last one's end. */
static gint64
covered_ns (GArray *runs,
            gint64 *out_span)
{
  gint64 covered = 0, end = G_MININT64;

  g_array_sort (runs, compare_runs_by_start);
  for (guint i = 0; i < runs->len; i++)
    {
      KeygenRun *run = &g_array_index (runs, KeygenRun, i);
      gint64 start = MAX (run->start_ns, end);

      if (run->end_ns > start)
        covered += run->end_ns - start;
      end = MAX (end, run->end_ns);
    }
  *out_span = runs->len > 0 ? end - g_array_index (runs, KeygenRun, 0).start_ns : 0;
  return covered;
}

static void
add (Results *results,
     Metric   metric,
     gint64   value)
{
  g_array_append_val (results->series[metric], value);
}

/* Sorts the round's ssh-keygen runs into the figures. */
static void
account_keygen_runs (Results *results,
                     gint64   sent,
                     gint64   received,
                     gint64   dbus_ns,
                     guint    round)
{
  g_autoptr(GArray) runs = keygen_runs_read ();
  gint64 sums[KEYGEN_OTHER + 1] = { 0 };
  gint64 per_type[CLONE_MACHINE_N_KEY_TYPES] = { 0 };
  guint counts[KEYGEN_OTHER + 1] = { 0 };
  gint64 total = received - sent;
  gint64 covered, span, remainder, wrapper, between;
  double share;

  for (guint i = 0; i < runs->len; i++)
    {
      KeygenRun *run = &g_array_index (runs, KeygenRun, i);

      if (run->status != 0)
        harness_fail ("ssh-keygen %s exited %d", run->args, run->status);
      /* The clocks are one: a run outside the request is not the agent's. */
      if (run->start_ns < sent || run->end_ns > received)
        harness_fail ("ssh-keygen %s ran outside the request", run->args);
      sums[run->kind] += run->end_ns - run->start_ns;
      counts[run->kind]++;
      if (run->kind == KEYGEN_GENERATE)
        {
          gsize t;

          for (t = 0; t < CLONE_MACHINE_N_KEY_TYPES; t++)
            if (g_str_equal (run->type, clone_machine_key_types[t]))
              break;
          if (t == CLONE_MACHINE_N_KEY_TYPES || per_type[t] != 0)
            harness_fail ("Unexpected key generation: ssh-keygen %s", run->args);
          per_type[t] = run->end_ns - run->start_ns;
        }
    }
  if (counts[KEYGEN_GENERATE] != CLONE_MACHINE_N_KEY_TYPES)
    harness_fail ("%u key generations, expected %u", counts[KEYGEN_GENERATE],
                  CLONE_MACHINE_N_KEY_TYPES);
  /* The same work in every round, or the medians mix different things. */
  if (round == 0)
    {
      results->n_checks = counts[KEYGEN_CHECK];
      results->n_other = counts[KEYGEN_OTHER];
    }
  else if (counts[KEYGEN_CHECK] != results->n_checks || counts[KEYGEN_OTHER] != results->n_other)
    harness_fail ("Round %u ran ssh-keygen -y %u times and otherwise %u times; round 1: %u and %u",
                  round + 1, counts[KEYGEN_CHECK], counts[KEYGEN_OTHER], results->n_checks,
                  results->n_other);

  covered = covered_ns (runs, &span);
  remainder = total - covered;
  wrapper = (gint64) runs->len * results->wrapper_cost;
  /* What the agent does from one run's end to the next one's start:
   * reap, read, check, spawn. One wrapper start falls in each gap. */
  between = span - covered - (gint64) (runs->len - 1) * results->wrapper_cost;
  add (results, METRIC_TOTAL, total);
  add (results, METRIC_GENERATE, sums[KEYGEN_GENERATE]);
  for (gsize t = 0; t < CLONE_MACHINE_N_KEY_TYPES; t++)
    add (results, METRIC_GENERATE_FIRST_TYPE + t, per_type[t]);
  add (results, METRIC_CHECK, sums[KEYGEN_CHECK]);
  add (results, METRIC_OTHER_KEYGEN, sums[KEYGEN_OTHER]);
  add (results, METRIC_REMAINDER, remainder);
  add (results, METRIC_DBUS, dbus_ns);
  add (results, METRIC_WRAPPER, wrapper);
  add (results, METRIC_REST, remainder - dbus_ns - wrapper);
  add (results, METRIC_BETWEEN_RUNS, between);
  share = (double) covered / (double) total;
  g_array_append_val (results->keygen_share, share);

  g_print ("  %5u %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", round + 1, ms (total),
           ms (sums[KEYGEN_GENERATE]), ms (sums[KEYGEN_CHECK]), ms (remainder), ms (dbus_ns),
           ms (remainder - dbus_ns - wrapper));
}

static void
run_round (const Settings *settings,
           Results        *results,
           guint           round)
{
  Services services = SERVICES_SYSTEMD | (settings->hostnamed ? SERVICES_HOSTNAMED : 0);
  g_autofree char *instance_id = g_strdup_printf ("identity-bench-%u", round + 1);
  g_autofree char *host_name = g_strdup_printf ("bench-clone-%u", round + 1);
  g_autoptr(GBytes) seed = session_make_seed ((guint8) round, SEED_BYTES);
  Request request = {
    .instance_id = instance_id,
    .host_name = host_name,
    .regenerate_machine_id = TRUE,
    .rotate_ssh_host_keys = TRUE,
    .reset_network_state = TRUE,
    .random_seed = seed,
  };
  g_autofree char *text = session_request_text (&request);
  g_autofree char *line = NULL;
  Session session = { 0 };
  gint64 sent, received, dbus_ns;

  /* A fresh template machine, bus and agent: nothing of this is timed. */
  session_set_up (&session, GUINT_TO_POINTER (services));
  mount_urandom_stand_in ();
  keygen_runs_reset ();
  session_start_agent (&session);
  session.client = client_connect (test_agent_get_socket_path (session.agent));

  sent = now_ns ();
  client_send_str (session.client, text);
  dbus_ns = serve (&session, &request, settings->hostnamed);
  line = client_read_line (session.client, SESSION_RUN_TIMEOUT_MS);
  received = now_ns ();

  if (line == NULL)
    {
      g_autofree char *log = test_agent_get_log (session.agent);

      harness_fail ("No reply from the agent; its log:\n%s", log);
    }
  session_stop_agent (&session);
  check_reply (line, results);
  account_keygen_runs (results, sent, received, dbus_ns, round);
  unmount_urandom_stand_in (seed);
  session_tear_down (&session, GUINT_TO_POINTER (services));
}

/* ---- the table ---------------------------------------------------------- */

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gint
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
print_row (const char *label,
           GArray     *series)
{
  g_autoptr(GArray) sorted = g_array_copy (series);
  guint n = sorted->len;
  double median;

  g_array_sort (sorted, compare_gint64);
  median = n % 2 ? ms (g_array_index (sorted, gint64, n / 2))
                 : (ms (g_array_index (sorted, gint64, n / 2 - 1)) +
                    ms (g_array_index (sorted, gint64, n / 2))) / 2;
  g_print ("  %-44s %9.1f %9.1f %9.1f\n", label, median, ms (g_array_index (sorted, gint64, 0)),
           ms (g_array_index (sorted, gint64, n - 1)));
}

static double
median_share (GArray *shares)
{
  g_autoptr(GArray) sorted = g_array_copy (shares);
  guint n = sorted->len;

  g_array_sort (sorted, compare_double);
  return n % 2 ? g_array_index (sorted, double, n / 2)
               : (g_array_index (sorted, double, n / 2 - 1) +
                  g_array_index (sorted, double, n / 2)) / 2;
}

static void
print_table (const Results *results)
{
  g_autofree char *generate = g_strdup_printf ("ssh-keygen -t, %u key generations",
                                               CLONE_MACHINE_N_KEY_TYPES);
  g_autofree char *check = g_strdup_printf ("ssh-keygen -y, %u checks", results->n_checks);
  g_autofree char *other = g_strdup_printf ("ssh-keygen, %u other runs", results->n_other);
  g_autofree char *wrapper =
    g_strdup_printf ("    timing wrapper, %u x %.2f (estimate)",
                     CLONE_MACHINE_N_KEY_TYPES + results->n_checks + results->n_other,
                     ms (results->wrapper_cost));
  g_autofree char *between =
    g_strdup_printf ("      of which in the %u gaps between runs",
                     CLONE_MACHINE_N_KEY_TYPES + results->n_checks + results->n_other - 1);

  g_print ("\n  %-44s %9s %9s %9s\n", "(ms)", "median", "min", "max");
  print_row ("total: request sent to reply read", results->series[METRIC_TOTAL]);
  print_row (generate, results->series[METRIC_GENERATE]);
  for (gsize t = 0; t < CLONE_MACHINE_N_KEY_TYPES; t++)
    {
      g_autofree char *label = g_strdup_printf ("    %s", clone_machine_key_types[t]);

      print_row (label, results->series[METRIC_GENERATE_FIRST_TYPE + t]);
    }
  print_row (check, results->series[METRIC_CHECK]);
  if (results->n_other > 0)
    print_row (other, results->series[METRIC_OTHER_KEYGEN]);
  print_row ("remainder: the agent's own work", results->series[METRIC_REMAINDER]);
  print_row ("    D-Bus exchanges with the mocks", results->series[METRIC_DBUS]);
  print_row (wrapper, results->series[METRIC_WRAPPER]);
  print_row ("    the rest: files, fsyncs, renames, spawns", results->series[METRIC_REST]);
  print_row (between, results->series[METRIC_BETWEEN_RUNS]);
  g_print ("\n  ssh-keygen's share of the total: %.0f%% (median of the rounds)\n",
           100 * median_share (results->keygen_share));
}

static void
print_header (const Settings *settings,
              gint64          wrapper_cost)
{
  g_print ("identity-bench: one full __org.guestlink_set-identity in the namespace fixture\n");
  g_print ("  guestlinkd  %s\n", settings->guestlinkd);
  g_print ("  request     host-name, regenerate-machine-id, rotate-ssh-host-keys (%s, %s, %s),\n"
           "              reset-network-state, random-seed (%u bytes)\n",
           clone_machine_key_types[0], clone_machine_key_types[1], clone_machine_key_types[2],
           SEED_BYTES);
  g_print ("  services    %s on a private bus, each call answered at once\n",
           settings->hostnamed ? "hostname1 and systemd1"
                               : "systemd1 (no hostname1: the agent writes /etc/hostname)");
  g_print ("  fixture     tmpfs over /etc, /var/lib and /run: fsync costs nothing there\n");
  g_print ("  rounds      %u, each on a fresh fixture and agent; agent start and stop not timed\n",
           settings->rounds);
  g_print ("  ssh-keygen  timed by a wrapper first in the agent's PATH, which adds about %.2f ms\n"
           "              to each run outside what it times (the least of %u spawns of it with\n"
           "              /bin/true as the real program, less the least of /bin/true's)\n\n",
           ms (wrapper_cost), CALIBRATION_ROUNDS);
  g_print ("  %5s %9s %9s %9s %9s %9s %9s   (ms)\n", "round", "total", "keygen-t", "keygen-y",
           "remainder", "D-Bus", "rest");
}

static void
run_bench (gconstpointer data)
{
  const Settings *settings = data;
  Results results = { 0 };

  for (guint m = 0; m < METRIC_COUNT; m++)
    results.series[m] = g_array_new (FALSE, FALSE, sizeof (gint64));
  results.keygen_share = g_array_new (FALSE, FALSE, sizeof (double));
  results.fingerprints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  results.wrapper_cost = keygen_runs_wrapper_cost_ns (CALIBRATION_ROUNDS);
  print_header (settings, results.wrapper_cost);
  for (guint round = 0; round < settings->rounds; round++)
    run_round (settings, &results, round);
  print_table (&results);

  for (guint m = 0; m < METRIC_COUNT; m++)
    g_array_unref (results.series[m]);
  g_array_unref (results.keygen_share);
  g_hash_table_unref (results.fingerprints);
}

/* ---- main --------------------------------------------------------------- */

static GLogFunc test_log_handler;

/* GTest prints every debug message as a TAP comment, and the D-Bus
 * queue's (each message it sees, in full) would bury the table. */
static void
drop_debug_messages (const char     *log_domain,
                     GLogLevelFlags  log_level,
                     const char     *message,
                     gpointer        user_data)
{
  if ((log_level & G_LOG_LEVEL_MASK) != G_LOG_LEVEL_DEBUG)
    test_log_handler (log_domain, log_level, message, user_data);
}

/* Run by hand, outside the namespaces: again, through run-in-mountns.sh,
 * which makes them or exits 77 saying why not. */
static void
enter_namespaces (char **original_argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autofree char *self = NULL;

  if (mountns_is_private ())
    return;
  if (g_getenv (REEXEC_VARIABLE) != NULL)
    mountns_require_private ();

  self = g_file_read_link ("/proc/self/exe", NULL);
  if (self == NULL)
    {
      g_print ("SKIP: cannot read /proc/self/exe to run again in namespaces\n");
      exit (HARNESS_EXIT_SKIP);
    }
  args = g_ptr_array_new ();
  g_ptr_array_add (args, (gpointer) IDENTITY_BENCH_RUNNER);
  g_ptr_array_add (args, self);
  for (guint i = 1; original_argv[i] != NULL; i++)
    g_ptr_array_add (args, original_argv[i]);
  g_ptr_array_add (args, NULL);
  g_setenv (REEXEC_VARIABLE, "1", TRUE);
  execv (IDENTITY_BENCH_RUNNER, (char **) args->pdata);
  g_print ("SKIP: cannot run %s: %s\n", IDENTITY_BENCH_RUNNER, g_strerror (errno));
  exit (HARNESS_EXIT_SKIP);
}

static gboolean
is_executable (const char *path,
               const char *what)
{
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  g_printerr ("identity-bench: %s %s is not an executable file\n", what, path);
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  g_auto(GStrv) original_argv = g_strdupv (argv);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *guestlinkd = NULL;
  g_autofree char *keygen_timer = NULL;
  int rounds = DEFAULT_ROUNDS;
  gboolean hostnamed = FALSE;
  Settings settings = { 0 };
  int status;
  GOptionEntry entries[] = {
    { "rounds", 'n', 0, G_OPTION_ARG_INT, &rounds, "Timed rounds (10)", "N" },
    { "guestlinkd", 0, 0, G_OPTION_ARG_FILENAME, &guestlinkd,
      "The agent (default: $GUESTLINKD, else this build's)", "PATH" },
    { "hostnamed", 0, 0, G_OPTION_ARG_NONE, &hostnamed,
      "Play hostname1 too: the agent sets the host name through it, not in /etc", NULL },
    { "keygen-timer", 0, 0, G_OPTION_ARG_FILENAME, &keygen_timer,
      "The ssh-keygen timing wrapper (default: this build's)", "PATH" },
    { NULL }
  };

  context = g_option_context_new ("- time a full set-identity in the namespace fixture");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("identity-bench: %s\n", error->message);
      return 2;
    }
  if (rounds < 1 || argc > 1)
    {
      g_printerr ("identity-bench: --rounds must be at least 1, and there are no arguments\n");
      return 2;
    }

  enter_namespaces (original_argv);
  mountns_require_private ();
  g_unsetenv (REEXEC_VARIABLE);
  if (!g_file_test (SSH_KEYGEN, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("SKIP: " SSH_KEYGEN " (openssh-client) is not installed\n");
      return HARNESS_EXIT_SKIP;
    }

  settings.rounds = (guint) rounds;
  settings.hostnamed = hostnamed;
  if (guestlinkd != NULL)
    settings.guestlinkd = g_steal_pointer (&guestlinkd);
  else if (g_getenv ("GUESTLINKD") != NULL)
    settings.guestlinkd = g_strdup (g_getenv ("GUESTLINKD"));
  else
    settings.guestlinkd = g_strdup (IDENTITY_BENCH_GUESTLINKD);
  settings.keygen_timer = keygen_timer != NULL ? g_steal_pointer (&keygen_timer)
                                               : g_strdup (IDENTITY_BENCH_KEYGEN_TIMER);
  if (!is_executable (settings.guestlinkd, "guestlinkd") ||
      !is_executable (settings.keygen_timer, "the ssh-keygen timing wrapper"))
    return EXIT_FAILURE;
  /* harness_guestlinkd() reads it. */
  g_setenv ("GUESTLINKD", settings.guestlinkd, TRUE);

  harness_init (&argc, &argv);
  test_log_handler = g_log_set_default_handler (drop_debug_messages, NULL);
  clone_machine_init ();
  keygen_runs_init (settings.keygen_timer);
  g_test_add_data_func ("/identity-bench/set-identity", &settings, run_bench);
  status = harness_run ();
  clone_machine_cleanup ();

  g_free (settings.guestlinkd);
  g_free (settings.keygen_timer);
  return status;
}
