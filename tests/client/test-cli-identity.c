/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* guestlink ssh-keys and set-identity against a scripted fake agent: the
 * requests each combination of options sends, the output (known_hosts
 * lines above all, which a host appends to its trust store), exit
 * statuses and usage errors. Only the fake is used: through a real agent
 * these would change this machine's keys and identity. The path of the
 * command is the first argument after the GTest options. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cli-runner.h"
#include "fake-agent.h"

#define GET_HOST_NAME "guest-get-host-name"
#define GET_HOST_KEYS "__org.guestlink_ssh-get-host-keys"
#define ROTATE "__org.guestlink_ssh-rotate-host-keys"
#define SET_IDENTITY "__org.guestlink_set-identity"

#define RETURN(value) "{\"return\": " value "@ID@}\n"
#define ERROR(desc) "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}@ID@}\n"

#define HOST_NAME(name) { GET_HOST_NAME, RETURN ("{\"host-name\": \"" name "\"}") }

#define ED25519 \
  "{\"type\": \"ssh-ed25519\", \"path\": \"/etc/ssh/ssh_host_ed25519_key\", " \
  "\"public-key\": \"ssh-ed25519 AAAAC3Nz+/=\", \"fingerprint\": \"SHA256:ed\"}"
#define ECDSA \
  "{\"type\": \"ecdsa-sha2-nistp256\", \"path\": \"/etc/ssh/ssh_host_ecdsa_key\", " \
  "\"public-key\": \"ecdsa-sha2-nistp256 AAAAE2V\", \"fingerprint\": \"SHA256:ec\"}"
#define BROKEN \
  "{\"path\": \"/etc/ssh/ssh_host_broken_key\", \"error\": \"Invalid base64 key\"}"
#define HOST_KEYS "{\"keys\": [" ED25519 ", " BROKEN ", " ECDSA "]}"

#define ROTATION(method, reloaded) \
  "{\"keys\": [{\"type\": \"ed25519\", \"path\": \"/etc/ssh/ssh_host_ed25519_key\", " \
  "\"public-key\": \"ssh-ed25519 AAAAnew\", \"fingerprint\": \"SHA256:new\", " \
  "\"old-fingerprint\": \"SHA256:old\"}, {\"type\": \"rsa\", \"path\": \"/etc/ssh/ssh_host_rsa_key\", " \
  "\"public-key\": \"ssh-rsa AAAArsa\", \"fingerprint\": \"SHA256:rsa\"}], " \
  "\"sshd-reloaded\": " reloaded ", \"sshd-reload-method\": \"" method "\"}"

#define STEPS(seed_step) \
  "[{\"name\": \"host-name\", \"status\": \"done\", \"detail\": \"web-2, through hostnamed\"}, " \
  "{\"name\": \"hosts-file\", \"status\": \"done\"}, " \
  "{\"name\": \"machine-id\", \"status\": \"done\", \"detail\": \"0123456789abcdef0123456789abcdef\"}, " \
  "{\"name\": \"journald\", \"status\": \"skipped\", \"detail\": \"not running\"}, " \
  "{\"name\": \"ssh-host-keys\", \"status\": \"done\"}, " \
  "{\"name\": \"network-state\", \"status\": \"skipped\"}, " seed_step "]"
#define NEW_IDENTITY \
  "{\"host-name\": \"web-2\", \"static-host-name\": \"web-2\", \"machine-id-state\": \"valid\", " \
  "\"machine-id\": \"0123456789abcdef0123456789abcdef\", \"ssh-host-keys\": [" \
  "{\"type\": \"ssh-ed25519\", \"path\": \"/etc/ssh/ssh_host_ed25519_key\", " \
  "\"public-key\": \"ssh-ed25519 AAAAnew\", \"fingerprint\": \"SHA256:new\"}, " \
  "{\"type\": \"ssh-rsa\", \"path\": \"/etc/ssh/ssh_host_rsa_key\", " \
  "\"public-key\": \"ssh-rsa AAAArsa\", \"fingerprint\": \"SHA256:rsa\"}]}"
#define COMPLETE \
  "{\"instance-id\": \"clone-1\", \"resumed\": false, \"complete\": true, " \
  "\"steps\": " STEPS ("{\"name\": \"random-seed\", \"status\": \"skipped\"}") ", " \
  "\"ssh-host-keys\": " ROTATION ("systemd", "true") ", \"reboot-required\": true, " \
  "\"identity\": " NEW_IDENTITY "}"
#define INCOMPLETE \
  "{\"instance-id\": \"clone-1\", \"resumed\": true, \"complete\": false, " \
  "\"steps\": " STEPS ("{\"name\": \"random-seed\", \"status\": \"failed\", \"detail\": \"" \
                       "/var/lib/systemd/random-seed\", \"error\": \"No space left on device\"}") ", " \
  "\"reboot-required\": false, \"identity\": {\"host-name\": \"web-2\"}}"

#define COMPLETE_OUT \
  "Instance ID: clone-1\n" \
  "Steps:\n" \
  "  host-name      done     web-2, through hostnamed\n" \
  "  hosts-file     done\n" \
  "  machine-id     done     0123456789abcdef0123456789abcdef\n" \
  "  journald       skipped  not running\n" \
  "  ssh-host-keys  done\n" \
  "  network-state  skipped\n" \
  "  random-seed    skipped\n" \
  "Rotated 2 SSH host keys:\n" \
  "  ed25519  SHA256:old -> SHA256:new\n" \
  "  rsa      (no key before) -> SHA256:rsa\n" \
  "sshd reloaded: yes, through systemd\n" \
  "Reboot required: yes (the machine-id changed: PID 1 and D-Bus keep the old one until a reboot)\n" \
  "\n" \
  "New identity:\n" \
  "Host name          web-2\n" \
  "Static host name   web-2\n" \
  "Machine ID         0123456789abcdef0123456789abcdef\n" \
  "SSH host keys\n" \
  "  ssh-ed25519            SHA256:new\n" \
  "  ssh-rsa                SHA256:rsa\n" \
  "\n" \
  "known_hosts:\n" \
  "web-2 ssh-ed25519 AAAAnew\n" \
  "web-2 ssh-rsa AAAArsa\n"

typedef struct
{
  const char *args[16];
  FakeReply replies[4];   /* ends with a NULL command */
  const char *command;    /* the command whose arguments are checked */
  const char *arguments;  /* exactly what it must have been sent, or NULL for none */
  guint host_name_calls;  /* guest-get-host-name requests */
  int status;
  const char *out;        /* all of stdout */
  const char *err;        /* all of stderr */
} Case;

static const Case cases[] = {
  /* ssh-keys list: known_hosts lines under the guest's name, the
   * fingerprints as comments, unreadable keys on stderr. */
  { { "ssh-keys" }, { HOST_NAME ("web-1"), { GET_HOST_KEYS, RETURN (HOST_KEYS) } },
    GET_HOST_KEYS, NULL, 1, 0,
    "# SHA256:ed /etc/ssh/ssh_host_ed25519_key\n"
    "web-1 ssh-ed25519 AAAAC3Nz+/=\n"
    "# SHA256:ec /etc/ssh/ssh_host_ecdsa_key\n"
    "web-1 ecdsa-sha2-nistp256 AAAAE2V\n",
    "guestlink: /etc/ssh/ssh_host_broken_key: Invalid base64 key\n" },
  { { "ssh-keys", "list", "--host", "[web-1.example.com]:2222,192.0.2.7" },
    { { GET_HOST_KEYS, RETURN ("{\"keys\": [" ECDSA "]}") } },
    GET_HOST_KEYS, NULL, 0, 0,
    "# SHA256:ec /etc/ssh/ssh_host_ecdsa_key\n"
    "[web-1.example.com]:2222,192.0.2.7 ecdsa-sha2-nistp256 AAAAE2V\n", "" },
  { { "--json", "ssh-keys" }, { { GET_HOST_KEYS, RETURN ("{\"keys\": [" BROKEN "], \"new\": 1}") } },
    GET_HOST_KEYS, NULL, 0, 0,
    "{\"keys\":[{\"path\":\"/etc/ssh/ssh_host_broken_key\",\"error\":\"Invalid base64 key\"}],\"new\":1}\n", "" },
  { { "ssh-keys" }, { HOST_NAME ("web-1"), { GET_HOST_KEYS, RETURN ("{\"keys\": []}") } },
    GET_HOST_KEYS, NULL, 1, 0, "", "guestlink: the guest has no SSH host keys\n" },
  /* What the guest sends is not trusted into known_hosts: an extra line
   * hidden in a key, or a comment line broken by a newline. */
  { { "ssh-keys" },
    { HOST_NAME ("web-1"),
      { GET_HOST_KEYS, RETURN ("{\"keys\": [{\"type\": \"t\", \"path\": \"/k\", "
                               "\"public-key\": \"ssh-ed25519 AAAA\\n* ssh-rsa EVIL\", \"fingerprint\": \"f\"}, "
                               "{\"type\": \"t\", \"path\": \"/etc/ssh/x\\n* ssh-rsa EVIL\", "
                               "\"public-key\": \"ssh-rsa AAAA\", \"fingerprint\": \"SHA256:x\"}, "
                               "{\"type\": \"t\", \"path\": \"/l\", \"public-key\": \"ssh-rsa AAAA comment\", "
                               "\"fingerprint\": \"f\"}]}") } },
    GET_HOST_KEYS, NULL, 1, 0,
    "# SHA256:x ?\n"
    "web-1 ssh-rsa AAAA\n",
    "guestlink: /k: the guest's public key is not one \"TYPE BASE64\" line; left out\n"
    "guestlink: /l: the guest's public key is not one \"TYPE BASE64\" line; left out\n" },
  /* ... nor a host name that is more than one: the keys are not asked. */
  { { "ssh-keys" }, { HOST_NAME ("web-1 *"), { GET_HOST_KEYS, RETURN (HOST_KEYS) } },
    GET_HOST_NAME, NULL, 1, 1, "",
    "guestlink: ssh-keys: the guest's host name is not a plain host name; "
    "give the one to use with --host NAME\n" },
  { { "ssh-keys" }, { HOST_NAME ("web-1"),
                      { GET_HOST_KEYS, ERROR ("Cannot read the SSH host keys: Permission denied") } },
    GET_HOST_KEYS, NULL, 1, 1, "",
    "guestlink: __org.guestlink_ssh-get-host-keys: Cannot read the SSH host keys: Permission denied\n" },
  { { "ssh-keys" }, { HOST_NAME ("web-1"), { GET_HOST_KEYS, RETURN ("{\"keys\": [{\"path\": 1}]}") } },
    GET_HOST_KEYS, NULL, 1, 3, "",
    "guestlink: __org.guestlink_ssh-get-host-keys returned a reply of an unexpected shape: "
    "keys[0].type is missing\n" },

  /* ssh-keys rotate: the name is asked before anything changes. */
  { { "ssh-keys", "rotate" }, { HOST_NAME ("web-1"), { ROTATE, RETURN (ROTATION ("systemd", "true")) } },
    ROTATE, NULL, 1, 0,
    "Rotated 2 SSH host keys:\n"
    "  ed25519  SHA256:old -> SHA256:new\n"
    "  rsa      (no key before) -> SHA256:rsa\n"
    "sshd reloaded: yes, through systemd\n"
    "\n"
    "New known_hosts lines:\n"
    "web-1 ssh-ed25519 AAAAnew\n"
    "web-1 ssh-rsa AAAArsa\n", "" },
  { { "ssh-keys", "rotate", "--type", "ed25519", "--type=rsa", "--host", "h" },
    { { ROTATE, RETURN (ROTATION ("signal", "true")) } },
    ROTATE, "{\"types\":[\"ed25519\",\"rsa\"]}", 0, 0,
    "Rotated 2 SSH host keys:\n"
    "  ed25519  SHA256:old -> SHA256:new\n"
    "  rsa      (no key before) -> SHA256:rsa\n"
    "sshd reloaded: yes, with SIGHUP\n"
    "\n"
    "New known_hosts lines:\n"
    "h ssh-ed25519 AAAAnew\n"
    "h ssh-rsa AAAArsa\n", "" },
  { { "ssh-keys", "rotate", "--host", "h" }, { { ROTATE, RETURN (ROTATION ("none", "false")) } },
    ROTATE, NULL, 0, 0,
    "Rotated 2 SSH host keys:\n"
    "  ed25519  SHA256:old -> SHA256:new\n"
    "  rsa      (no key before) -> SHA256:rsa\n"
    "sshd reloaded: no, sshd is not running\n"
    "\n"
    "New known_hosts lines:\n"
    "h ssh-ed25519 AAAAnew\n"
    "h ssh-rsa AAAArsa\n", "" },
  { { "ssh-keys", "rotate", "--json", "--type", "ecdsa" },
    { { ROTATE, RETURN ("{\"keys\": [], \"sshd-reloaded\": false, \"sshd-reload-method\": \"none\"}") } },
    ROTATE, "{\"types\":[\"ecdsa\"]}", 0, 0,
    "{\"keys\":[],\"sshd-reloaded\":false,\"sshd-reload-method\":\"none\"}\n", "" },
  { { "ssh-keys", "rotate", "--type", "dsa" },
    { HOST_NAME ("web-1"), { ROTATE, ERROR ("Parameter 'types' expects ed25519, ecdsa or rsa") } },
    ROTATE, "{\"types\":[\"dsa\"]}", 1, 1, "",
    "guestlink: __org.guestlink_ssh-rotate-host-keys: Parameter 'types' expects ed25519, ecdsa or rsa\n" },
  { { "ssh-keys", "rotate" }, { HOST_NAME ("web-1"), { ROTATE, RETURN ("{\"keys\": []}") } },
    ROTATE, NULL, 1, 3, "",
    "guestlink: __org.guestlink_ssh-rotate-host-keys returned a reply of an unexpected shape: "
    "sshd-reloaded is missing\n" },

  /* set-identity: each option's member, nothing more. */
  { { "set-identity", "--instance-id", "clone-1" }, { { SET_IDENTITY, RETURN (COMPLETE) } },
    SET_IDENTITY, "{\"instance-id\":\"clone-1\"}", 0, 0, COMPLETE_OUT, "" },
  { { "set-identity", "--instance-id", "clone-1", "--hostname", "web-2", "--pretty-hostname",
      "Web \xe2\x80\x94 2", "--machine-id", "0123456789abcdef0123456789abcdef", "--rotate-ssh-keys",
      "--reset-network" },
    { { SET_IDENTITY, RETURN (COMPLETE) } },
    SET_IDENTITY,
    "{\"instance-id\":\"clone-1\",\"host-name\":\"web-2\",\"pretty-host-name\":\"Web \xe2\x80\x94 2\","
    "\"machine-id\":\"0123456789abcdef0123456789abcdef\",\"rotate-ssh-host-keys\":true,"
    "\"reset-network-state\":true}", 0, 0, COMPLETE_OUT, "" },
  { { "set-identity", "--new-machine-id", "--instance-id=clone-1", "--hostname=web-2" },
    { { SET_IDENTITY, RETURN (COMPLETE) } },
    SET_IDENTITY, "{\"instance-id\":\"clone-1\",\"host-name\":\"web-2\",\"regenerate-machine-id\":true}",
    0, 0, COMPLETE_OUT, "" },
  /* The values are the guest's to check. */
  { { "set-identity", "--instance-id", "", "--hostname", "-x-" },
    { { SET_IDENTITY, ERROR ("Parameter 'instance-id' must be 1 to 128 printable characters") } },
    SET_IDENTITY, "{\"instance-id\":\"\",\"host-name\":\"-x-\"}", 0, 1, "",
    "guestlink: __org.guestlink_set-identity: Parameter 'instance-id' must be 1 to 128 printable characters\n" },
  { { "set-identity", "--instance-id", "clone-1", "--reset-network" },
    { { SET_IDENTITY, RETURN (INCOMPLETE) } },
    SET_IDENTITY, "{\"instance-id\":\"clone-1\",\"reset-network-state\":true}", 0, 1,
    "Instance ID: clone-1 (resumed: steps done before were kept)\n"
    "Steps:\n"
    "  host-name      done     web-2, through hostnamed\n"
    "  hosts-file     done\n"
    "  machine-id     done     0123456789abcdef0123456789abcdef\n"
    "  journald       skipped  not running\n"
    "  ssh-host-keys  done\n"
    "  network-state  skipped\n"
    "  random-seed    failed   /var/lib/systemd/random-seed: No space left on device\n"
    "Reboot required: no\n"
    "\n"
    "New identity:\n"
    "Host name          web-2\n",
    "guestlink: set-identity: not complete (1 failed step): the same command again retries "
    "the steps not done\n" },
  { { "--json", "set-identity", "--instance-id", "clone-1" },
    { { SET_IDENTITY, RETURN ("{\"complete\": true, \"new\": 1}") } },
    SET_IDENTITY, "{\"instance-id\":\"clone-1\"}", 0, 0, "{\"complete\":true,\"new\":1}\n", "" },
  { { "set-identity", "--instance-id", "clone-1", "--json" },
    { { SET_IDENTITY, RETURN ("{\"complete\": false}") } },
    SET_IDENTITY, "{\"instance-id\":\"clone-1\"}", 0, 1, "{\"complete\":false}\n", "" },
  { { "set-identity", "--instance-id", "clone-1" },
    { { SET_IDENTITY, RETURN ("{\"complete\": true}") } },
    SET_IDENTITY, "{\"instance-id\":\"clone-1\"}", 0, 3, "",
    "guestlink: __org.guestlink_set-identity returned a reply of an unexpected shape: "
    "instance-id is missing\n" },
  /* known_hosts lines only under a name that can be one. */
  { { "set-identity", "--instance-id", "clone-1" },
    { { SET_IDENTITY, RETURN ("{\"instance-id\": \"clone-1\", \"resumed\": false, \"complete\": true, "
                              "\"steps\": [], \"reboot-required\": false, \"identity\": {\"host-name\": \"a,b\", "
                              "\"ssh-host-keys\": [" ED25519 "]}}") } },
    SET_IDENTITY, "{\"instance-id\":\"clone-1\"}", 0, 0,
    "Instance ID: clone-1\n"
    "Steps:\n"
    "Reboot required: no\n"
    "\n"
    "New identity:\n"
    "Host name          a,b\n"
    "SSH host keys\n"
    "  ssh-ed25519            SHA256:ed\n",
    "guestlink: set-identity: the guest's host name is not a plain host name; "
    "'guestlink ssh-keys --host NAME' prints its known_hosts lines\n" },
};

static void
test_case (gconstpointer data)
{
  const Case *test = data;
  g_autoptr(FakeAgent) fake = fake_agent_new (fake_answer_scripted, (gpointer) test->replies);
  g_autofree char *arguments = NULL;
  g_auto(CliRun) run = { 0, };

  cli_run (&run, fake_agent_get_socket_path (fake), test->args);
  g_assert_cmpstr (run.out, ==, test->out);
  g_assert_cmpstr (run.err, ==, test->err);
  g_assert_cmpint (run.status, ==, test->status);

  g_assert_cmpuint (fake_agent_count (fake, GET_HOST_NAME), ==, test->host_name_calls);
  g_assert_cmpuint (fake_agent_count (fake, test->command), ==, 1);
  arguments = fake_agent_dup_last_arguments (fake, test->command);
  g_assert_cmpstr (arguments, ==, test->arguments);
}

/* --seed-from-host: 512 fresh bytes each time, beside the other members. */
static void
test_seed_from_host (void)
{
  const FakeReply replies[] = { { SET_IDENTITY, RETURN (COMPLETE) }, { NULL, } };
  g_autoptr(FakeAgent) fake = fake_agent_new (fake_answer_scripted, (gpointer) replies);
  g_autofree char *first_seed = NULL;

  for (int i = 0; i < 2; i++)
    {
      g_auto(CliRun) run = { 0, };
      g_autofree char *arguments = NULL;
      g_autofree char *rest = NULL;
      g_autofree guchar *seed = NULL;
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object;
      gsize seed_size = 0;

      cli_run (&run, fake_agent_get_socket_path (fake),
               (const char *[]) { "set-identity", "--seed-from-host", "--instance-id", "clone-1",
                                  "--rotate-ssh-keys", NULL });
      g_assert_cmpint (run.status, ==, 0);
      g_assert_cmpstr (run.out, ==, COMPLETE_OUT);

      arguments = fake_agent_dup_last_arguments (fake, SET_IDENTITY);
      node = json_from_string (arguments, NULL);
      g_assert_nonnull (node);
      object = json_node_get_object (node);
      seed = g_base64_decode (json_object_get_string_member (object, "random-seed"), &seed_size);
      g_assert_cmpuint (seed_size, ==, 512);
      if (first_seed == NULL)
        first_seed = g_strdup (json_object_get_string_member (object, "random-seed"));
      else
        g_assert_cmpstr (first_seed, !=, json_object_get_string_member (object, "random-seed"));

      json_object_remove_member (object, "random-seed");
      rest = json_to_string (node, FALSE);
      g_assert_cmpstr (rest, ==, "{\"instance-id\":\"clone-1\",\"rotate-ssh-host-keys\":true}");
    }
}

/* Wrong use stops before anything is sent: the fake sees no connection. */
static void
test_usage_errors (void)
{
  const struct
  {
    const char *args[10];
    const char *message;   /* the first line of stderr */
  } usage_cases[] = {
    { { "ssh-keys", "frobnicate" }, "guestlink: ssh-keys: unknown action 'frobnicate' (list or rotate)" },
    { { "ssh-keys", "list", "extra" }, "guestlink: ssh-keys: unexpected argument 'extra'" },
    { { "ssh-keys", "rotate", "ed25519" }, "guestlink: ssh-keys: unexpected argument 'ed25519'" },
    { { "ssh-keys", "list", "--type", "rsa" }, "guestlink: ssh-keys: --type goes with rotate" },
    { { "ssh-keys", "--type", "rsa" }, "guestlink: ssh-keys: --type goes with rotate" },
    { { "ssh-keys", "rotate", "--type" }, "guestlink: ssh-keys: Missing argument for --type" },
    { { "ssh-keys", "--host", "" }, "guestlink: ssh-keys: --host '': a known_hosts host name has no blanks" },
    { { "ssh-keys", "--host", "a b" }, "guestlink: ssh-keys: --host 'a b': a known_hosts host name has no blanks" },
    { { "set-identity" }, "guestlink: set-identity: --instance-id is required" },
    { { "set-identity", "--hostname", "web-2" }, "guestlink: set-identity: --instance-id is required" },
    { { "set-identity", "--instance-id", "i", "--machine-id", "0123456789abcdef0123456789abcdef",
        "--new-machine-id" },
      "guestlink: set-identity: --machine-id and --new-machine-id cannot be used together" },
    { { "set-identity", "--instance-id", "i", "extra" }, "guestlink: set-identity: expected 0 arguments, got 1" },
    { { "set-identity", "--instance-id" }, "guestlink: set-identity: Missing argument for --instance-id" },
    { { "set-identity", "--instance-id", "i", "--type", "rsa" },
      "guestlink: set-identity: Unknown option --type" },
    { { "--hostname", "h", "set-identity", "--instance-id", "i" }, "guestlink: Unknown option --hostname" },
  };
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (usage_cases); i++)
    {
      g_auto(CliRun) run = { 0, };
      g_autofree char *first_line = NULL;

      cli_run (&run, fake_agent_get_socket_path (fake), usage_cases[i].args);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      first_line = g_strndup (run.err, strcspn (run.err, "\n"));
      g_assert_cmpstr (first_line, ==, usage_cases[i].message);
    }
  g_assert_cmpuint (fake_agent_get_n_connections (fake), ==, 0);
}

static void
test_help (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (NULL, NULL);
  g_auto(CliRun) main_help = { 0, };
  g_auto(CliRun) ssh_keys_help = { 0, };
  g_auto(CliRun) set_identity_help = { 0, };

  cli_run (&main_help, fake_agent_get_socket_path (fake), (const char *[]) { "--help", NULL });
  g_assert_cmpint (main_help.status, ==, 0);
  g_assert_nonnull (strstr (main_help.out, "\n  ssh-keys [list|rotate [--type TYPE]...] [--host NAME] "));
  g_assert_nonnull (strstr (main_help.out, "\n  set-identity --instance-id ID [OPTION...] "));

  cli_run (&ssh_keys_help, fake_agent_get_socket_path (fake),
           (const char *[]) { "ssh-keys", "--help", NULL });
  g_assert_cmpint (ssh_keys_help.status, ==, 0);
  g_assert_nonnull (strstr (ssh_keys_help.out, "--type=TYPE"));
  g_assert_nonnull (strstr (ssh_keys_help.out, "--host=NAME"));

  cli_run (&set_identity_help, fake_agent_get_socket_path (fake),
           (const char *[]) { "set-identity", "--help", NULL });
  g_assert_cmpint (set_identity_help.status, ==, 0);
  for (const char * const *option = (const char * const[]) {
         "--instance-id=ID", "--hostname=NAME", "--pretty-hostname=TEXT", "--new-machine-id",
         "--machine-id=ID", "--rotate-ssh-keys", "--reset-network", "--seed-from-host", NULL };
       *option != NULL; option++)
    g_assert_nonnull (strstr (set_identity_help.out, *option));

  g_assert_cmpuint (fake_agent_get_n_connections (fake), ==, 0);
}

/* --timeout still wins over the longer default of these commands. */
static void
silent (FakeConn   *conn,
        JsonObject *request,
        gpointer    user_data)
{
  if (!g_str_equal (fake_request_get_command (request), SET_IDENTITY))
    fake_answer (conn, request);
}

static void
test_timeout (void)
{
  g_autoptr(FakeAgent) fake = fake_agent_new (silent, NULL);
  g_auto(CliRun) run = { 0, };

  cli_run (&run, fake_agent_get_socket_path (fake),
           (const char *[]) { "set-identity", "--instance-id", "i", "--timeout", "0.3", NULL });
  g_assert_cmpint (run.status, ==, 3);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpuint (fake_agent_count (fake, SET_IDENTITY), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (argc < 2)
    g_error ("usage: %s PATH-OF-GUESTLINK", argv[0]);
  cli_runner_set_path (argv[1]);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/identity/fake/%02" G_GSIZE_FORMAT "-%s",
                                               i, cases[i].args[0][0] == '-' ? cases[i].args[1]
                                                                             : cases[i].args[0]);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/cli/identity/seed-from-host", test_seed_from_host);
  g_test_add_func ("/cli/identity/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/identity/help", test_help);
  g_test_add_func ("/cli/identity/timeout", test_timeout);

  return g_test_run ();
}
