/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which commands run, as configured on the command line or in a file, and
 * the options that print instead of serving (-b help, -D, -V).
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "agent-harness.h"

#define INFO "{\"execute\":\"guest-info\"}"

static const char * const protocol_commands[] = {
  "guest-sync-delimited", "guest-sync", "guest-ping", "guest-info",
};

static char *
disabled_reply (const char *command)
{
  /* Newer qemu's wording; see test-differential for qemu-ga 7.2's. */
  return g_strdup_printf ("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                         "\"Command %s has been disabled: the command is not allowed\"}}\n",
                         command);
}

/* Asserts guest-info's entry for @command, byte for byte. */
static void
assert_info_entry (const char *info_reply,
                   const char *command,
                   gboolean    enabled)
{
  g_autofree char *entry = g_strdup_printf ("{\"enabled\": %s, \"name\": \"%s\", "
                                            "\"success-response\": true}",
                                            enabled ? "true" : "false", command);

  if (strstr (info_reply, entry) == NULL)
    harness_fail ("%s not in %s", entry, info_reply);
}

static void
test_block (void)
{
  const char * const args[] = { "-b", "guest-ping", NULL };
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, args);
  const char *socket_path = test_agent_get_socket_path (agent);
  g_autofree char *expected = disabled_reply ("guest-ping");
  g_autofree char *reply = harness_exchange (socket_path, PING);
  g_autofree char *info = harness_exchange (socket_path, INFO);

  g_assert_cmpstr (reply, ==, expected);
  for (gsize i = 0; i < G_N_ELEMENTS (protocol_commands); i++)
    assert_info_entry (info, protocol_commands[i],
                       !g_str_equal (protocol_commands[i], "guest-ping"));

  /* The id still comes back with the refusal. */
  g_clear_pointer (&reply, g_free);
  reply = harness_exchange (socket_path, "{\"execute\":\"guest-ping\",\"id\":9}");
  g_assert_true (g_str_has_prefix (reply, "{\"id\": 9, \"error\": {\"class\": \"CommandNotFound\""));

  test_agent_stop_cleanly (agent);
}

static void
test_allow (void)
{
  const char * const args[] = { "-a", "guest-sync-delimited,guest-info", NULL };
  /* Leaving guest-sync out is legal but earns a warning: libvirt needs it. */
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (),
                                                 HARNESS_AGENT_ALLOW_WARNINGS, args);
  const char *socket_path = test_agent_get_socket_path (agent);
  g_autofree char *expected = disabled_reply ("guest-ping");
  g_autofree char *reply = harness_exchange (socket_path, PING);
  g_autofree char *info = harness_exchange (socket_path, INFO);
  g_autofree char *sync = harness_exchange (socket_path,
                                            "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":3}}");
  g_autofree char *log = NULL;

  g_assert_cmpstr (reply, ==, expected);
  g_assert_cmpstr (sync, ==, "\xFF{\"return\": 3}\n");
  assert_info_entry (info, "guest-sync-delimited", TRUE);
  assert_info_entry (info, "guest-info", TRUE);
  assert_info_entry (info, "guest-ping", FALSE);
  assert_info_entry (info, "guest-sync", FALSE);

  log = test_agent_get_log (agent);
  g_assert_nonnull (strstr (log, "guest-sync is disabled"));

  test_agent_stop_cleanly (agent);
}

static char *
run_guestlinkd (const char * const  *args,
                char               **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  char *output = NULL;
  g_autofree char *errors = NULL;
  g_autofree char *described = NULL;
  int status;

  g_ptr_array_add (argv, (char *) harness_guestlinkd ());
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  status = harness_run_command ((const char * const *) argv->pdata, HARNESS_AGENT_NONE,
                                &output, &errors);
  described = harness_describe_status (status);
  if (!g_str_equal (described, "exit status 0"))
    harness_fail ("guestlinkd %s: %s; its errors:\n%s", args[0], described, errors);

  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&errors);
  return output;
}

static void
test_block_help (void)
{
  const char * const options[] = { "-b", "-a" };

  /* qemu-ga's way to list commands: "help" in either list. */
  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const char * const args[] = { options[i], "help", NULL };
      g_autofree char *output = run_guestlinkd (args, NULL);
      g_auto(GStrv) names = g_strsplit (output, "\n", -1);

      g_assert_true (g_str_has_suffix (output, "\n"));
      for (gsize j = 0; j < G_N_ELEMENTS (protocol_commands); j++)
        g_assert_true (g_strv_contains ((const char * const *) names, protocol_commands[j]));
      /* Nothing but names: one per line, no decoration. */
      for (char **name = names; *name != NULL && **name != '\0'; name++)
        g_assert_null (strpbrk (*name, " \t:"));
    }
}

static GKeyFile *
parse_dump (const char *output)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_data (keyfile, output, -1, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_key_file_has_group (keyfile, "general"));
  return g_steal_pointer (&keyfile);
}

static void
test_dump_config (void)
{
  g_autofree char *dir = harness_make_dir ("dump");
  g_autofree char *config_path = g_build_filename (dir, "dumped.conf", NULL);
  const char * const args[] = {
    "-D", "-m", "unix-listen", "-p", "/run/test.sock", "-b", "guest-info,guest-ping",
    "--max-message-size", "8192", NULL
  };
  const char * const reload_args[] = { "-D", "-c", config_path, NULL };
  g_autofree char *output = run_guestlinkd (args, NULL);
  g_autofree char *reloaded = NULL;
  g_autoptr(GKeyFile) keyfile = parse_dump (output);
  g_autofree char *method = g_key_file_get_string (keyfile, "general", "method", NULL);
  g_autofree char *path = g_key_file_get_string (keyfile, "general", "path", NULL);
  g_autofree char *block = g_key_file_get_string (keyfile, "general", "block-rpcs", NULL);
  g_autofree char *max_size = g_key_file_get_string (keyfile, "general", "max-message-size", NULL);

  g_assert_true (g_str_has_prefix (output, "[general]\n"));
  g_assert_cmpstr (method, ==, "unix-listen");
  g_assert_cmpstr (path, ==, "/run/test.sock");
  g_assert_cmpstr (block, ==, "guest-info,guest-ping");
  g_assert_cmpstr (max_size, ==, "8192");

  /* What -D prints is a configuration that means the same thing. */
  g_assert_true (g_file_set_contents (config_path, output, -1, NULL));
  reloaded = run_guestlinkd (reload_args, NULL);
  g_assert_cmpstr (reloaded, ==, output);
}

static void
test_version (void)
{
  const char * const args[] = { "-V", NULL };
  g_autofree char *output = run_guestlinkd (args, NULL);
  g_autofree char *expected = g_strdup_printf ("guestlinkd %s\n", harness_project_version ());

  g_assert_cmpstr (output, ==, expected);
}

static void
test_config_file (void)
{
  /* "blacklist" is what qemu-ga called block-rpcs before 8.0; existing
   * configuration files still use it. ';' separates as in GKeyFile. */
  static const char * const files[] = {
    "[general]\nblock-rpcs=guest-ping;guest-sync\nmax-message-size=4096\n",
    "[general]\nblacklist=guest-ping,guest-sync\nmax-message-size=4096\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *dir = harness_make_dir ("config");
      g_autofree char *config_path = g_build_filename (dir, "guestlinkd.conf", NULL);
      const char * const args[] = { "-c", config_path, NULL };
      g_autoptr(TestAgent) agent = NULL;
      g_autoptr(Client) client = NULL;
      g_autoptr(GString) large = g_string_new ("{\"execute\":\"guest-info\",\"id\":\"");
      g_autofree char *ping_expected = disabled_reply ("guest-ping");
      g_autofree char *reply = NULL;
      g_autofree char *info = NULL;
      g_autofree char *too_large = NULL;

      g_test_message ("config file:\n%s", files[i]);
      g_assert_true (g_file_set_contents (config_path, files[i], -1, NULL));
      /* Blocking guest-sync warns; that is expected here. */
      agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_ALLOW_WARNINGS, args);

      reply = harness_exchange (test_agent_get_socket_path (agent), PING);
      g_assert_cmpstr (reply, ==, ping_expected);
      info = harness_exchange (test_agent_get_socket_path (agent), INFO);
      assert_info_entry (info, "guest-ping", FALSE);
      assert_info_entry (info, "guest-sync", FALSE);
      assert_info_entry (info, "guest-info", TRUE);

      /* The size limit from the file applies too. */
      for (guint j = 0; j < 5000; j++)
        g_string_append_c (large, 'x');
      g_string_append (large, "\"}");
      too_large = harness_exchange (test_agent_get_socket_path (agent), large->str);
      g_assert_cmpstr (too_large, ==, "{\"error\": {\"class\": \"GenericError\", "
                                      "\"desc\": \"JSON token size limit exceeded\"}}\n");

      test_agent_stop_cleanly (agent);
    }
}

static void
test_config_errors (void)
{
  g_autofree char *dir = harness_make_dir ("config-errors");
  g_autofree char *missing = g_build_filename (dir, "missing.conf", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.conf", NULL);
  const char * const missing_argv[] = { harness_guestlinkd (), "-D", "-c", missing, NULL };
  const char * const bad_argv[] = { harness_guestlinkd (), "-D", "-c", bad, NULL };
  const char * const size_argv[] = { harness_guestlinkd (), "-D", "--max-message-size", "12", NULL };
  g_autofree char *errors = NULL;
  int status;

  /* A file named with -c must exist: silently serving with defaults would
   * ignore the administrator's block list. */
  status = harness_run_command (missing_argv, HARNESS_AGENT_NONE, NULL, &errors);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) != 0);
  g_assert_nonnull (strstr (errors, missing));
  g_clear_pointer (&errors, g_free);

  g_assert_true (g_file_set_contents (bad, "[general]\nmethod=carrier-pigeon\n", -1, NULL));
  status = harness_run_command (bad_argv, HARNESS_AGENT_NONE, NULL, &errors);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) != 0);
  g_assert_nonnull (strstr (errors, "carrier-pigeon"));
  g_clear_pointer (&errors, g_free);

  status = harness_run_command (size_argv, HARNESS_AGENT_NONE, NULL, &errors);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) != 0);
  g_assert_nonnull (strstr (errors, "max-message-size"));
}

int
main (int    argc,
      char **argv)
{
  harness_init (&argc, &argv);

  g_test_add_func ("/policy/block", test_block);
  g_test_add_func ("/policy/allow", test_allow);
  g_test_add_func ("/policy/block-help", test_block_help);
  g_test_add_func ("/policy/dump-config", test_dump_config);
  g_test_add_func ("/policy/version", test_version);
  g_test_add_func ("/policy/config-file", test_config_file);
  g_test_add_func ("/policy/config-errors", test_config_errors);

  return harness_run ();
}
