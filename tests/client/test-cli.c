/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guestlink command against a real agent. The path of the command is
 * the first argument after the GTest options. */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "agent-runner.h"
#include "cli-runner.h"
#include "fake-agent.h"

static TestAgent *agent;

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
  g_auto(CliRun) run = { 0, };

  cli_run (&run, NULL, (const char *[]) { "--help", NULL });
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
      g_auto(CliRun) run = { 0, };

      cli_run (&run, socket_path (), cases[i]);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, "guestlink: "));
    }
}

static void
test_no_socket (void)
{
  g_auto(CliRun) run = { 0, };

  cli_run (&run, NULL, (const char *[]) { "ping", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "GUESTLINK_SOCKET"));
}

static void
test_ping (void)
{
  g_auto(CliRun) plain = { 0, };
  g_auto(CliRun) json = { 0, };
  g_auto(CliRun) from_env = { 0, };
  g_auto(CliRun) options_after = { 0, };

  cli_run (&plain, NULL, (const char *[]) { "--socket", socket_path (), "ping", NULL });
  g_assert_cmpint (plain.status, ==, 0);
  g_assert_nonnull (strstr (plain.out, socket_path ()));

  cli_run (&json, NULL, (const char *[]) { "--json", "--socket", socket_path (), "ping", NULL });
  g_assert_cmpint (json.status, ==, 0);
  g_assert_cmpstr (json.out, ==, "{}\n");

  cli_run (&from_env, socket_path (), (const char *[]) { "ping", NULL });
  g_assert_cmpint (from_env.status, ==, 0);

  cli_run (&options_after, NULL,
           (const char *[]) { "ping", "--socket", socket_path (), "--timeout", "5", "--json", NULL });
  g_assert_cmpint (options_after.status, ==, 0);
  g_assert_cmpstr (options_after.out, ==, "{}\n");
}

static void
test_info (void)
{
  g_auto(CliRun) plain = { 0, };
  g_auto(CliRun) json = { 0, };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  cli_run (&plain, socket_path (), (const char *[]) { "info", NULL });
  g_assert_cmpint (plain.status, ==, 0);
  g_assert_true (g_str_has_prefix (plain.out, "Agent version: "));
  g_assert_nonnull (strstr (plain.out, "COMMAND"));
  g_assert_nonnull (strstr (plain.out, "SUCCESS-RESPONSE"));
  g_assert_nonnull (strstr (plain.out, "\nguest-ping "));
  g_assert_nonnull (strstr (plain.out, "\nguest-sync-delimited "));

  cli_run (&json, socket_path (), (const char *[]) { "info", "--json", NULL });
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
  g_auto(CliRun) plain = { 0, };
  g_auto(CliRun) json = { 0, };
  g_auto(CliRun) query = { 0, };
  g_autoptr(JsonNode) root = NULL;

  cli_run (&plain, socket_path (),
           (const char *[]) { "raw", "{\"execute\": \"guest-sync\", \"arguments\": {\"id\": 77}, \"id\": \"mine\"}", NULL });
  g_assert_cmpint (plain.status, ==, 0);
  g_assert_cmpstr (plain.out, ==, "77\n");

  cli_run (&json, socket_path (),
           (const char *[]) { "--json", "raw", "{\"execute\": \"guest-ping\"}", NULL });
  g_assert_cmpint (json.status, ==, 0);
  g_assert_cmpstr (json.out, ==, "{}\n");

  cli_run (&query, socket_path (),
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
      g_auto(CliRun) run = { 0, };

      cli_run (&run, socket_path (), (const char *[]) { "raw", cases[i].request, NULL });
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, cases[i].message));
    }
}

static void
test_agent_error (void)
{
  g_auto(CliRun) not_found = { 0, };
  g_auto(CliRun) generic = { 0, };

  cli_run (&not_found, socket_path (),
           (const char *[]) { "raw", "{\"execute\": \"guest-no-such-command\"}", NULL });
  g_assert_cmpint (not_found.status, ==, 1);
  g_assert_cmpstr (not_found.out, ==, "");
  g_assert_true (g_str_has_prefix (not_found.err, "guestlink: guest-no-such-command: "));

  cli_run (&generic, socket_path (),
           (const char *[]) { "--json", "raw", "{\"execute\": \"guest-sync\", \"arguments\": {\"id\": \"x\"}}", NULL });
  g_assert_cmpint (generic.status, ==, 1);
}

static void
test_unreachable (void)
{
  g_autofree char *dir = g_dir_make_tmp ("guestlink-cli-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "missing.sock", NULL);
  g_autofree char *expected = g_strdup_printf ("guestlink: cannot connect to %s: ", path);
  g_auto(CliRun) run = { 0, };

  cli_run (&run, NULL, (const char *[]) { "--socket", path, "info", NULL });
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
      g_auto(CliRun) run = { 0 };

      cli_run (&run, fake_agent_get_socket_path (fake), (const char *[]) { commands[i], NULL });
      g_assert_cmpint (run.status, ==, 0);
      g_assert_null (strstr (run.out, "(null)"));
      g_assert_null (strstr (run.err, "CRITICAL"));
    }
}

/* The filesystem commands. Everything that could change a filesystem
 * runs against the fake only: through a real agent it would freeze or
 * trim this machine. */
#define RETURN(value) "{\"return\": " value "@ID@}\n"
#define ERROR(class, desc) "{\"error\": {\"class\": \"" class "\", \"desc\": \"" desc "\"}@ID@}\n"

#define FSTRIM_REPLY \
  "{\"paths\": [{\"path\": \"/\", \"trimmed\": 4096000, \"minimum\": 0}, " \
  "{\"path\": \"/boot\", \"error\": \"trim not supported\"}]}"

#define FSINFO_REPLY \
  "[{\"name\": \"vda1\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"used-bytes\": 1846034432, " \
  "\"total-bytes\": 10213466112, \"disk\": [{\"bus-type\": \"virtio\", \"bus\": 0, \"target\": 0, " \
  "\"unit\": 0, \"serial\": \"abc\", \"dev\": \"/dev/vda1\", \"pci-controller\": " \
  "{\"domain\": 0, \"bus\": 0, \"slot\": 5, \"function\": 0}}]}, " \
  "{\"name\": \"dm-0\", \"mountpoint\": \"/srv/d\u00e9p\u00f4t\", \"type\": \"xfs\", \"disk\": [" \
  "{\"bus-type\": \"scsi\", \"bus\": 0, \"target\": 1, \"unit\": 2, \"pci-controller\": " \
  "{\"domain\": -1, \"bus\": -1, \"slot\": -1, \"function\": -1}}, " \
  "{\"bus-type\": \"sata\", \"bus\": 1, \"target\": 0, \"unit\": 0, \"pci-controller\": " \
  "{\"domain\": 0, \"bus\": 0, \"slot\": 31, \"function\": 2}}]}, " \
  "{\"name\": \"sdb\", \"mountpoint\": \"/mnt\", \"type\": \"vfat\", \"disk\": []}]"

typedef struct
{
  const char *args[8];
  const char *command;    /* what it must send */
  const char *reply;      /* what the fake answers */
  int status;
  const char *out;        /* all of stdout */
  const char *err;        /* (nullable): part of stderr */
  const char *arguments;  /* the arguments it must send, or NULL for none */
} FilesystemCase;

static const FilesystemCase filesystem_cases[] = {
  { { "freeze" }, "guest-fsfreeze-freeze", RETURN ("3"), 0, "Froze 3 filesystems\n" },
  { { "freeze", "--mountpoint", "/", "-m", "/boot" }, "guest-fsfreeze-freeze-list", RETURN ("2"),
    0, "Froze 2 filesystems\n", NULL, "{\"mountpoints\":[\"/\",\"/boot\"]}" },
  { { "freeze", "-m", "/srv/d\xc3\xa9p\xc3\xb4t" }, "guest-fsfreeze-freeze-list", RETURN ("1"),
    0, "Froze 1 filesystem\n", NULL, "{\"mountpoints\":[\"/srv/d\xc3\xa9p\xc3\xb4t\"]}" },
  { { "--json", "freeze", "-m", "/srv" }, "guest-fsfreeze-freeze-list", RETURN ("1"),
    0, "1\n", NULL, "{\"mountpoints\":[\"/srv\"]}" },
  { { "freeze", "--json" }, "guest-fsfreeze-freeze", RETURN ("0"), 0, "0\n" },
  { { "freeze", "-m", "/p" }, "guest-fsfreeze-freeze-list",
    ERROR ("GenericError", "'/p' is not a mount point"), 1, "",
    "guestlink: guest-fsfreeze-freeze-list: '/p' is not a mount point\n",
    "{\"mountpoints\":[\"/p\"]}" },
  { { "freeze" }, "guest-fsfreeze-freeze",
    ERROR ("CommandNotFound", "Command guest-fsfreeze-freeze has been disabled: the agent is in frozen state"),
    1, "", "has been disabled" },
  /* The agent may have frozen whatever its reply says: the user is told. */
  { { "freeze" }, "guest-fsfreeze-freeze", RETURN ("-2"), 3, "", "'guestlink thaw'" },
  { { "thaw" }, "guest-fsfreeze-thaw", RETURN ("2"), 0, "Thawed 2 filesystems\n" },
  { { "thaw" }, "guest-fsfreeze-thaw", RETURN ("0"), 0, "Thawed 0 filesystems\n" },
  { { "--json", "thaw" }, "guest-fsfreeze-thaw", RETURN ("2"), 0, "2\n" },
  { { "thaw" }, "guest-fsfreeze-thaw", RETURN ("\"2\""), 3, "", "unexpected shape" },
  { { "freeze-status" }, "guest-fsfreeze-status", RETURN ("\"frozen\""), 0, "frozen\n" },
  { { "freeze-status" }, "guest-fsfreeze-status", RETURN ("\"thawed\""), 0, "thawed\n" },
  { { "freeze-status", "--json" }, "guest-fsfreeze-status", RETURN ("\"frozen\""), 0, "\"frozen\"\n" },
  { { "freeze-status" }, "guest-fsfreeze-status", RETURN ("\"weird\""), 3, "", "neither" },
  { { "fstrim" }, "guest-fstrim", RETURN (FSTRIM_REPLY), 0,
    "PATH   TRIMMED  MINIMUM  ERROR\n"
    "/      3.9 MiB  0 bytes\n"
    "/boot  -        -        trim not supported\n" },
  { { "fstrim", "--minimum", "4096" }, "guest-fstrim", RETURN ("{\"paths\": []}"), 0,
    "The agent trimmed no filesystem.\n", NULL, "{\"minimum\":4096}" },
  { { "--json", "fstrim", "--minimum=0" }, "guest-fstrim", RETURN (FSTRIM_REPLY), 0,
    "{\"paths\":[{\"path\":\"/\",\"trimmed\":4096000,\"minimum\":0},"
    "{\"path\":\"/boot\",\"error\":\"trim not supported\"}]}\n", NULL, "{\"minimum\":0}" },
  { { "fstrim" }, "guest-fstrim", RETURN ("{\"paths\": [{\"trimmed\": 1}]}"), 3, "",
    "paths[0].path is missing" },
  { { "fsinfo" }, "guest-get-fsinfo", RETURN (FSINFO_REPLY), 0,
    "MOUNTPOINT  TYPE  USED     TOTAL    DEVICE  DISK\n"
    "/           ext4  1.7 GiB  9.5 GiB  vda1    virtio 0000:00:05.0 0:0:0\n"
    "/srv/d\xc3\xa9p\xc3\xb4t  xfs   -        -        dm-0    scsi - 0:1:2, sata 0000:00:1f.2 1:0:0\n"
    "/mnt        vfat  -        -        sdb     -\n" },
  { { "fsinfo" }, "guest-get-fsinfo", RETURN ("[]"), 0, "The agent reports no local filesystem.\n" },
  /* authorized-keys: writes into a guest home, so the fake only too. */
  { { "authorized-keys", "alice" }, "guest-ssh-get-authorized-keys",
    RETURN ("{\"keys\": [\"ssh-ed25519 AAAA a\", \"ssh-rsa BBBB\"]}"), 0,
    "ssh-ed25519 AAAA a\nssh-rsa BBBB\n", NULL, "{\"username\":\"alice\"}" },
  { { "--json", "authorized-keys", "alice", "list" }, "guest-ssh-get-authorized-keys",
    RETURN ("{\"keys\": []}"), 0, "{\"keys\":[]}\n", NULL, "{\"username\":\"alice\"}" },
  { { "authorized-keys", "alice", "add", "ssh-ed25519 AAAA a", "ssh-rsa BBBB" },
    "guest-ssh-add-authorized-keys", RETURN ("{}"), 0, "", NULL,
    "{\"username\":\"alice\",\"keys\":[\"ssh-ed25519 AAAA a\",\"ssh-rsa BBBB\"]}" },
  { { "authorized-keys", "alice", "add", "--reset", "ssh-rsa BBBB" },
    "guest-ssh-add-authorized-keys", RETURN ("{}"), 0, "", NULL,
    "{\"username\":\"alice\",\"keys\":[\"ssh-rsa BBBB\"],\"reset\":true}" },
  { { "authorized-keys", "bob", "remove", "ssh-rsa BBBB" }, "guest-ssh-remove-authorized-keys",
    ERROR ("GenericError", "failed to lookup user 'bob': No such user"), 1, "",
    "guestlink: guest-ssh-remove-authorized-keys: failed to lookup user 'bob'",
    "{\"username\":\"bob\",\"keys\":[\"ssh-rsa BBBB\"]}" },
  { { "fsinfo", "--json" }, "guest-get-fsinfo", RETURN ("[{\"name\": \"a\", \"new\": 1}]"), 0,
    "[{\"name\":\"a\",\"new\":1}]\n" },
  { { "fsinfo" }, "guest-get-fsinfo", RETURN ("[{\"name\": \"a\"}]"), 3, "", "[0].mountpoint is missing" },
};

static void
test_filesystem_fake (gconstpointer data)
{
  const FilesystemCase *test = data;
  const FakeReply replies[] = { { test->command, test->reply }, { NULL, } };
  g_autoptr(FakeAgent) fake = fake_agent_new (fake_answer_scripted, (gpointer) replies);
  g_autofree char *arguments = NULL;
  g_auto(CliRun) run = { 0, };

  cli_run (&run, fake_agent_get_socket_path (fake), test->args);
  g_assert_cmpint (run.status, ==, test->status);
  g_assert_cmpstr (run.out, ==, test->out);
  if (test->err != NULL)
    g_assert_nonnull (strstr (run.err, test->err));
  else
    g_assert_cmpstr (run.err, ==, "");

  g_assert_cmpuint (fake_agent_count (fake, test->command), ==, 1);
  arguments = fake_agent_dup_last_arguments (fake, test->command);
  g_assert_cmpstr (arguments, ==, test->arguments);
}

/* Wrong use must stop before anything is sent, so even these run against
 * the fake, which must not see a connection. */
static void
test_filesystem_usage_errors (void)
{
  const char * const *cases[] = {
    (const char *[]) { "freeze", "extra", NULL },
    (const char *[]) { "freeze", "--mountpoint", NULL },
    (const char *[]) { "freeze", "-m", "/srv/\xff", NULL },
    (const char *[]) { "freeze", "--minimum", "5", NULL },
    (const char *[]) { "--mountpoint", "/", "freeze", NULL },
    (const char *[]) { "thaw", "--mountpoint", "/", NULL },
    (const char *[]) { "thaw", "now", NULL },
    (const char *[]) { "freeze-status", "x", NULL },
    (const char *[]) { "fstrim", "--minimum", NULL },
    (const char *[]) { "fstrim", "--minimum", "-1", NULL },
    (const char *[]) { "fstrim", "--minimum", "4k", NULL },
    (const char *[]) { "fstrim", "--minimum", "", NULL },
    (const char *[]) { "fstrim", "--minimum", "9223372036854775808", NULL },
    (const char *[]) { "fstrim", "/", NULL },
    (const char *[]) { "fsinfo", "--minimum", "1", NULL },
    (const char *[]) { "ping", "--mountpoint", "/", NULL },
  };
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(CliRun) run = { 0, };

      cli_run (&run, fake_agent_get_socket_path (fake), cases[i]);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, "guestlink: "));
    }
  g_assert_cmpuint (fake_agent_get_n_connections (fake), ==, 0);
}

/* The same for authorized-keys: what the command itself refuses. */
static void
test_authorized_keys_usage_errors (void)
{
  const struct
  {
    const char *args[8];
    const char *message;
  } cases[] = {
    { { "authorized-keys", "alice", "frobnicate" },
      "guestlink: authorized-keys: unknown action 'frobnicate' (list, add or remove)\n" },
    { { "authorized-keys", "alice", "list", "ssh-rsa BBBB" },
      "guestlink: authorized-keys: list takes no keys\n" },
    { { "authorized-keys", "alice", "list", "--reset" },
      "guestlink: authorized-keys: list takes no keys\n" },
    { { "authorized-keys", "alice", "remove", "--reset", "ssh-rsa BBBB" },
      "guestlink: authorized-keys: --reset goes with add\n" },
    { { "authorized-keys", "alice", "add" },
      "guestlink: authorized-keys: add needs at least one KEY\n" },
    { { "authorized-keys", "alice", "remove" },
      "guestlink: authorized-keys: remove needs at least one KEY\n" },
    { { "authorized-keys", "alice", "remove", "--reset" },
      "guestlink: authorized-keys: remove needs at least one KEY\n" },
  };
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(CliRun) run = { 0, };

      cli_run (&run, fake_agent_get_socket_path (fake), cases[i].args);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_cmpstr (run.err, ==, cases[i].message);
    }
  g_assert_cmpuint (fake_agent_get_n_connections (fake), ==, 0);
}

static void
test_filesystem_help (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);
  g_auto(CliRun) main_help = { 0, };
  g_auto(CliRun) freeze_help = { 0, };
  g_auto(CliRun) fstrim_help = { 0, };

  cli_run (&main_help, fake_agent_get_socket_path (fake), (const char *[]) { "--help", NULL });
  g_assert_cmpint (main_help.status, ==, 0);
  g_assert_nonnull (strstr (main_help.out, "freeze [--mountpoint PATH]..."));
  g_assert_nonnull (strstr (main_help.out, "fstrim [--minimum BYTES]"));
  g_assert_nonnull (strstr (main_help.out, "\n  freeze-status "));
  g_assert_nonnull (strstr (main_help.out, "\n  fsinfo "));
  g_assert_nonnull (strstr (main_help.out, "\n  thaw "));

  cli_run (&freeze_help, fake_agent_get_socket_path (fake), (const char *[]) { "freeze", "--help", NULL });
  g_assert_cmpint (freeze_help.status, ==, 0);
  g_assert_nonnull (strstr (freeze_help.out, "--mountpoint=PATH"));
  g_assert_nonnull (strstr (freeze_help.out, "--socket"));
  g_assert_null (strstr (freeze_help.out, "--minimum"));

  cli_run (&fstrim_help, fake_agent_get_socket_path (fake), (const char *[]) { "fstrim", "-h", NULL });
  g_assert_cmpint (fstrim_help.status, ==, 0);
  g_assert_nonnull (strstr (fstrim_help.out, "--minimum=BYTES"));

  g_assert_cmpuint (fake_agent_get_n_connections (fake), ==, 0);
}

/* The read-only pair against the real agent: a fresh agent has nothing
 * frozen. */
static void
test_filesystem_read_only (void)
{
  g_auto(CliRun) status = { 0, };
  g_auto(CliRun) fsinfo = { 0, };

  cli_run (&status, socket_path (), (const char *[]) { "freeze-status", NULL });
  g_assert_cmpint (status.status, ==, 0);
  g_assert_cmpstr (status.out, ==, "thawed\n");

  cli_run (&fsinfo, socket_path (), (const char *[]) { "fsinfo", NULL });
  g_assert_cmpint (fsinfo.status, ==, 0);
  g_assert_true (g_str_has_prefix (fsinfo.out, "MOUNTPOINT  TYPE ") ||
                 g_str_equal (fsinfo.out, "The agent reports no local filesystem.\n"));
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
  cli_runner_set_path (argv[1]);

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
  for (gsize i = 0; i < G_N_ELEMENTS (filesystem_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/filesystem/fake/%" G_GSIZE_FORMAT "-%s",
                                               i, filesystem_cases[i].args[0]);

      g_test_add_data_func (path, &filesystem_cases[i], test_filesystem_fake);
    }
  g_test_add_func ("/cli/filesystem/usage-errors", test_filesystem_usage_errors);
  g_test_add_func ("/cli/authorized-keys/usage-errors", test_authorized_keys_usage_errors);
  g_test_add_func ("/cli/filesystem/help", test_filesystem_help);
  g_test_add_func ("/cli/filesystem/read-only", test_filesystem_read_only);

  /* One agent for the whole program: each run of the command is a fresh
   * client anyway. */
  agent = test_agent_start ();
  status = g_test_run ();
  g_clear_pointer (&agent, test_agent_free);

  return status;
}
