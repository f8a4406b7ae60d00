/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guestlink command against a real agent. The path of the command is
 * the first argument after the GTest options. */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "agent-runner.h"
#include "fake-agent.h"

static const char *cli_path;
static TestAgent *agent;

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs the command with @args; GUESTLINK_SOCKET is set to @env_socket, or
 * removed if that is NULL. */
static void
run_cli (Run               *run,
         const char        *env_socket,
         const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) cli_path);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (env_socket != NULL)
    g_subprocess_launcher_setenv (launcher, "GUESTLINK_SOCKET", env_socket, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "GUESTLINK_SOCKET");

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);

  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

static const char *
socket_path (void)
{
  return test_agent_get_socket_path (agent);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static void
test_help (void)
{
  g_auto(Run) run = { 0, };

  run_cli (&run, NULL, (const char *[]) { "--help", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "ping"));
  g_assert_nonnull (strstr (run.out, "info"));
  g_assert_nonnull (strstr (run.out, "raw REQUEST"));
  g_assert_nonnull (strstr (run.out, "--socket"));
  g_assert_nonnull (strstr (run.out, "GUESTLINK_SOCKET"));
  g_assert_nonnull (strstr (run.out, "Exit status"));
}

static void
test_usage_errors (void)
{
  const char * const *cases[] = {
    (const char *[]) { NULL },
    (const char *[]) { "frobnicate", NULL },
    (const char *[]) { "ping", "extra", NULL },
    (const char *[]) { "raw", NULL },
    (const char *[]) { "--no-such-option", "ping", NULL },
    (const char *[]) { "--timeout", "soon", "ping", NULL },
    (const char *[]) { "--timeout", "-1", "ping", NULL },
    (const char *[]) { "--vsock", "3", "ping", NULL },
    (const char *[]) { "--vsock", "3:x", "ping", NULL },
    (const char *[]) { "--vsock", "3:1", "--socket", "/x", "ping", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0, };

      run_cli (&run, socket_path (), cases[i]);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, "guestlink: "));
    }
}

static void
test_no_socket (void)
{
  g_auto(Run) run = { 0, };

  run_cli (&run, NULL, (const char *[]) { "ping", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "GUESTLINK_SOCKET"));
}

static void
test_ping (void)
{
  g_auto(Run) plain = { 0, };
  g_auto(Run) json = { 0, };
  g_auto(Run) from_env = { 0, };
  g_auto(Run) options_after = { 0, };

  run_cli (&plain, NULL, (const char *[]) { "--socket", socket_path (), "ping", NULL });
  g_assert_cmpint (plain.status, ==, 0);
  g_assert_nonnull (strstr (plain.out, socket_path ()));

  run_cli (&json, NULL, (const char *[]) { "--json", "--socket", socket_path (), "ping", NULL });
  g_assert_cmpint (json.status, ==, 0);
  g_assert_cmpstr (json.out, ==, "{}\n");

  run_cli (&from_env, socket_path (), (const char *[]) { "ping", NULL });
  g_assert_cmpint (from_env.status, ==, 0);

  run_cli (&options_after, NULL,
           (const char *[]) { "ping", "--socket", socket_path (), "--timeout", "5", "--json", NULL });
  g_assert_cmpint (options_after.status, ==, 0);
  g_assert_cmpstr (options_after.out, ==, "{}\n");
}

static void
test_info (void)
{
  g_auto(Run) plain = { 0, };
  g_auto(Run) json = { 0, };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  run_cli (&plain, socket_path (), (const char *[]) { "info", NULL });
  g_assert_cmpint (plain.status, ==, 0);
  g_assert_true (g_str_has_prefix (plain.out, "Agent version: "));
  g_assert_nonnull (strstr (plain.out, "COMMAND"));
  g_assert_nonnull (strstr (plain.out, "SUCCESS-RESPONSE"));
  g_assert_nonnull (strstr (plain.out, "\nguest-ping "));
  g_assert_nonnull (strstr (plain.out, "\nguest-sync-delimited "));

  run_cli (&json, socket_path (), (const char *[]) { "info", "--json", NULL });
  g_assert_cmpint (json.status, ==, 0);
  root = parse_json (json.out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  g_assert_true (json_object_has_member (object, "version"));
  g_assert_true (json_object_has_member (object, "supported_commands"));
}

static void
test_raw (void)
{
  g_auto(Run) plain = { 0, };
  g_auto(Run) json = { 0, };
  g_auto(Run) query = { 0, };
  g_autoptr(JsonNode) root = NULL;

  run_cli (&plain, socket_path (),
           (const char *[]) { "raw", "{\"execute\": \"guest-sync\", \"arguments\": {\"id\": 77}, \"id\": \"mine\"}", NULL });
  g_assert_cmpint (plain.status, ==, 0);
  g_assert_cmpstr (plain.out, ==, "77\n");

  run_cli (&json, socket_path (),
           (const char *[]) { "--json", "raw", "{\"execute\": \"guest-ping\"}", NULL });
  g_assert_cmpint (json.status, ==, 0);
  g_assert_cmpstr (json.out, ==, "{}\n");

  run_cli (&query, socket_path (),
           (const char *[]) { "raw", "{\"execute\": \"guest-info\", \"arguments\": {}}", NULL });
  g_assert_cmpint (query.status, ==, 0);
  /* Pretty-printed without --json. */
  g_assert_nonnull (strstr (query.out, "\n  \"version\""));
  root = parse_json (query.out);
  g_assert_true (json_object_has_member (json_node_get_object (root), "supported_commands"));
}

static void
test_raw_bad_request (void)
{
  const struct
  {
    const char *request;
    const char *message;
  } cases[] = {
    { "{\"execute\": \"guest-ping\"", "not valid JSON" },
    { "not json", "not valid JSON" },
    { "[\"guest-ping\"]", "must be a JSON object" },
    { "", "must be a JSON object" },
    { "{\"arguments\": {}}", "no 'execute'" },
    { "{\"execute\": 3}", "'execute'" },
    { "{\"execute\": \"guest-ping\", \"arguments\": []}", "'arguments'" },
    { "{\"execute\": \"guest-ping\", \"extra\": 1}", "'extra'" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0, };

      run_cli (&run, socket_path (), (const char *[]) { "raw", cases[i].request, NULL });
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, cases[i].message));
    }
}

static void
test_agent_error (void)
{
  g_auto(Run) not_found = { 0, };
  g_auto(Run) generic = { 0, };

  run_cli (&not_found, socket_path (),
           (const char *[]) { "raw", "{\"execute\": \"guest-no-such-command\"}", NULL });
  g_assert_cmpint (not_found.status, ==, 1);
  g_assert_cmpstr (not_found.out, ==, "");
  g_assert_true (g_str_has_prefix (not_found.err, "guestlink: guest-no-such-command: "));

  run_cli (&generic, socket_path (),
           (const char *[]) { "--json", "raw", "{\"execute\": \"guest-sync\", \"arguments\": {\"id\": \"x\"}}", NULL });
  g_assert_cmpint (generic.status, ==, 1);
}

static void
test_unreachable (void)
{
  g_autofree char *dir = g_dir_make_tmp ("guestlink-cli-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "missing.sock", NULL);
  g_autofree char *expected = g_strdup_printf ("guestlink: cannot connect to %s: ", path);
  g_auto(Run) run = { 0, };

  run_cli (&run, NULL, (const char *[]) { "--socket", path, "info", NULL });
  g_assert_cmpint (run.status, ==, 3);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, expected));

  g_rmdir (dir);
}

/* A guest is not trusted: replies with members of the wrong types must
 * not crash the CLI (it runs with fatal-warnings here, so a json-glib
 * critical would), only show as unknown. */
static void
answer_with_wrong_types (FakeConn   *conn,
                         JsonObject *request,
                         gpointer    user_data)
{
  const char *command = fake_request_get_command (request);

  if (g_str_equal (command, "guest-get-osinfo"))
    fake_conn_send_reply (conn, "{\"return\": {\"pretty-name\": 7, \"id\": [], \"machine\": \"x\"}@ID@}\n", request);
  else if (g_str_equal (command, "guest-get-users"))
    fake_conn_send_reply (conn, "{\"return\": [3, {\"user\": {}, \"login-time\": 1e300},"
                                " {\"user\": \"u\", \"login-time\": \"x\"}]@ID@}\n", request);
  else if (g_str_equal (command, "guest-network-get-interfaces"))
    fake_conn_send_reply (conn, "{\"return\": [\"eth0\", {\"name\": 1, \"ip-addresses\": {},"
                                " \"statistics\": []}, {\"name\": \"n\", \"ip-addresses\": [1,"
                                " {\"ip-address\": 2, \"prefix\": \"24\"}]}]@ID@}\n", request);
  else if (g_str_equal (command, "__org.guestlink_get-identity"))
    fake_conn_send_reply (conn, "{\"return\": {\"host-name\": 5, \"machine-id-state\": [],"
                                " \"os\": \"debian\", \"ssh-host-keys\": [null, {\"error\": 1}]}@ID@}\n",
                          request);
  else
    fake_answer (conn, request);
}

static void
test_untrusted_shapes (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (answer_with_wrong_types, NULL);
  const char * const commands[] = { "osinfo", "users", "interfaces", "identity", NULL };

  for (gsize i = 0; commands[i] != NULL; i++)
    {
      g_auto(Run) run = { 0 };

      run_cli (&run, fake_agent_get_socket_path (fake), (const char *[]) { commands[i], NULL });
      g_assert_cmpint (run.status, ==, 0);
      g_assert_null (strstr (run.out, "(null)"));
      g_assert_null (strstr (run.err, "CRITICAL"));
    }
}

int
main (int    argc,
      char **argv)
{
  int skip;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (argc < 2)
    g_error ("usage: %s PATH-OF-GUESTLINK", argv[0]);
  cli_path = argv[1];

  skip = test_agent_skip_unavailable ();
  if (skip != 0)
    return skip;

  g_test_add_func ("/client/cli/untrusted-shapes", test_untrusted_shapes);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/no-socket", test_no_socket);
  g_test_add_func ("/cli/ping", test_ping);
  g_test_add_func ("/cli/info", test_info);
  g_test_add_func ("/cli/raw", test_raw);
  g_test_add_func ("/cli/raw-bad-request", test_raw_bad_request);
  g_test_add_func ("/cli/agent-error", test_agent_error);
  g_test_add_func ("/cli/unreachable", test_unreachable);

  /* One agent for the whole program: each run of the command is a fresh
   * client anyway. */
  agent = test_agent_start ();
  status = g_test_run ();
  g_clear_pointer (&agent, test_agent_free);

  return status;
}
