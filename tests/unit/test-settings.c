/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for daemon/settings.c: qemu-ga's command line and [general]
 * config keys, so that units and scripts written for qemu-ga work with
 * guestlinkd unchanged.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "settings.h"

#define DAEMON_LOG_DOMAIN "guestlinkd"

typedef struct {
  char *dir;
  char *config;   /* dir/guestlinkd.conf, written by write_config() */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-settings-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->config = g_build_filename (fixture->dir, "guestlinkd.conf", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (g_remove (fixture->config) != 0)
    g_assert_cmpint (errno, ==, ENOENT);
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->config);
  g_free (fixture->dir);
}

static const char *
write_config (Fixture    *fixture,
              const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (fixture->config, contents, -1, &error);
  g_assert_no_error (error);
  return fixture->config;
}

/*
 * settings_load() on a copy of @args. GOption removes what it parses from
 * the array without freeing the strings, so the strings are owned here and
 * the array handed over is a shallow copy.
 */
static Settings *
load (const char * const  *args,
      GError             **error)
{
  g_auto(GStrv) strings = g_strdupv ((char **) args);
  int argc = (int) g_strv_length (strings);
  g_autofree char **argv = g_memdup2 (strings, sizeof (char *) * ((gsize) argc + 1));

  return settings_load (&argc, &argv, error);
}

/* The callers go on to read fields: a failure here ends the program
 * (g_error), whatever the assertion mode. */
static Settings *
load_ok (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  Settings *settings = load (args, &error);

  if (settings == NULL)
    g_error ("settings_load() failed: %s", error != NULL ? error->message : "(no error)");
  g_assert_no_error (error);
  return settings;
}

static void
assert_strv (GStrv               actual,
             const char * const *expected)
{
  g_assert_nonnull (actual);
  if (!g_strv_equal ((const char * const *) actual, expected))
    {
      g_autofree char *got = g_strjoinv ("|", actual);
      g_autofree char *want = g_strjoinv ("|", (char **) expected);

      g_test_fail_printf ("lists differ: got '%s', expected '%s'", got, want);
    }
}

static const char * const empty_list[] = { NULL };

/* ---- command line ------------------------------------------------------- */

/* Zero configuration: with no options everything has its default. This
 * reads the default config file, so it is skipped where one exists. */
static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  const char * const args[] = { "guestlinkd", NULL };
  g_autoptr(Settings) settings = NULL;

  if (g_file_test (SETTINGS_DEFAULT_FILE, G_FILE_TEST_EXISTS))
    {
      g_test_skip (SETTINGS_DEFAULT_FILE " exists on this machine");
      return;
    }

  settings = load_ok (args);
  g_assert_cmpint (settings->method, ==, CHANNEL_METHOD_VIRTIO_SERIAL);
  g_assert_null (settings->path);
  g_assert_null (settings->logfile);
  g_assert_cmpstr (settings->pidfile, ==, SETTINGS_DEFAULT_PIDFILE);
  g_assert_cmpstr (settings->statedir, ==, SETTINGS_DEFAULT_STATEDIR);
  g_assert_null (settings->fsfreeze_hook);
  g_assert_false (settings->daemonize);
  g_assert_false (settings->verbose);
  g_assert_false (settings->retry_path);
  assert_strv (settings->block_rpcs, empty_list);
  assert_strv (settings->allow_rpcs, empty_list);
  g_assert_cmpuint (settings->max_message_size, ==, DEFAULT_MAX_MESSAGE_SIZE);
  g_assert_cmpstr (settings->identity_journal, ==, SETTINGS_DEFAULT_IDENTITY_JOURNAL);
  g_assert_false (settings->dump_config);
  g_assert_false (settings->print_version);
  g_assert_false (settings->list_commands);
}

/* qemu-ga's short options, as units written for it pass them. */
static void
test_short_options (Fixture       *fixture,
                    gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture, "[general]\n"),
    "-m", "unix-listen", "-p", "/tmp/qga.sock", "-t", "/tmp/state",
    "-b", "guest-a,guest-b", "-a", "guest-ping,guest-info",
    "-l", "/tmp/log", "-f", "/tmp/pid", "-F",
    "-D", "-V", "-v", "-d", "-r", NULL
  };
  const char * const block[] = { "guest-a", "guest-b", NULL };
  const char * const allow[] = { "guest-ping", "guest-info", NULL };
  g_autoptr(Settings) settings = load_ok (args);

  g_assert_cmpint (settings->method, ==, CHANNEL_METHOD_UNIX_LISTEN);
  g_assert_cmpstr (settings->path, ==, "/tmp/qga.sock");
  g_assert_cmpstr (settings->statedir, ==, "/tmp/state");
  assert_strv (settings->block_rpcs, block);
  assert_strv (settings->allow_rpcs, allow);
  g_assert_cmpstr (settings->logfile, ==, "/tmp/log");
  g_assert_cmpstr (settings->pidfile, ==, "/tmp/pid");
  g_assert_cmpstr (settings->fsfreeze_hook, ==, "/etc/qemu/fsfreeze-hook");
  g_assert_true (settings->dump_config);
  g_assert_true (settings->print_version);
  g_assert_true (settings->verbose);
  g_assert_true (settings->daemonize);
  g_assert_true (settings->retry_path);
  g_assert_false (settings->list_commands);
  g_assert_cmpuint (settings->max_message_size, ==, DEFAULT_MAX_MESSAGE_SIZE);
}

static void
test_long_options (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "--config", write_config (fixture, "[general]\n"),
    "--method=vsock-listen", "--path", "3:1234", "--statedir=/tmp/s",
    "--block-rpcs", "guest-exec", "--allow-rpcs=guest-ping",
    "--logfile", "/tmp/l", "--pidfile=/tmp/p", "--fsfreeze-hook=/usr/local/hook",
    "--dump-conf", "--version", "--verbose", "--daemonize", "--retry-path",
    "--max-message-size", "8192", "--identity-journal", "/tmp/journal.json", NULL
  };
  const char * const block[] = { "guest-exec", NULL };
  const char * const allow[] = { "guest-ping", NULL };
  g_autoptr(Settings) settings = load_ok (args);

  g_assert_cmpint (settings->method, ==, CHANNEL_METHOD_VSOCK_LISTEN);
  g_assert_cmpstr (settings->path, ==, "3:1234");
  g_assert_cmpstr (settings->statedir, ==, "/tmp/s");
  assert_strv (settings->block_rpcs, block);
  assert_strv (settings->allow_rpcs, allow);
  g_assert_cmpstr (settings->logfile, ==, "/tmp/l");
  g_assert_cmpstr (settings->pidfile, ==, "/tmp/p");
  g_assert_cmpstr (settings->fsfreeze_hook, ==, "/usr/local/hook");
  g_assert_true (settings->dump_config);
  g_assert_true (settings->print_version);
  g_assert_true (settings->verbose);
  g_assert_true (settings->daemonize);
  g_assert_true (settings->retry_path);
  g_assert_cmpuint (settings->max_message_size, ==, 8192);
  g_assert_cmpstr (settings->identity_journal, ==, "/tmp/journal.json");
}

/* -F takes an optional argument, which (as in qemu-ga, whose --help says
 * so) must be attached: "-F/path" or "--fsfreeze-hook=/path". */
typedef struct {
  const char *name;
  const char *option;
  const char *expected;
} HookCase;

static const HookCase hook_cases[] = {
  { "short-alone", "-F", SETTINGS_DEFAULT_FSFREEZE_HOOK },
  { "short-attached", "-F/opt/hook", "/opt/hook" },
  { "long-alone", "--fsfreeze-hook", SETTINGS_DEFAULT_FSFREEZE_HOOK },
  { "long-equals", "--fsfreeze-hook=/opt/other", "/opt/other" },
};

static void
test_fsfreeze_hook (Fixture       *fixture,
                    gconstpointer  data)
{
  const HookCase *test_case = data;
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture, "[general]\n"), test_case->option, NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(Settings) settings = load (args, &error);

  g_assert_cmpstr (SETTINGS_DEFAULT_FSFREEZE_HOOK, ==, "/etc/qemu/fsfreeze-hook");
  if (settings == NULL)
    {
      g_test_fail_printf ("\"%s\" was rejected: %s", test_case->option, error->message);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpstr (settings->fsfreeze_hook, ==, test_case->expected);
}

/* Without -F there is no hook at all. */
static void
test_fsfreeze_hook_absent (Fixture       *fixture,
                           gconstpointer  data)
{
  const char * const args[] = { "guestlinkd", "-c", write_config (fixture, "[general]\n"), NULL };
  g_autoptr(Settings) settings = load_ok (args);

  g_assert_null (settings->fsfreeze_hook);
}

/* "-F /path" is -F without an argument followed by a stray argument, as
 * getopt's "F::" (qemu-ga) reads it; never the hook /path, which qemu-ga
 * would not run. Stray arguments are an error here. */
static void
test_fsfreeze_hook_detached (Fixture       *fixture,
                             gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture, "[general]\n"), "-F", "/opt/hook", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(Settings) settings = load (args, &error);

  if (settings != NULL)
    {
      g_test_fail_printf ("\"-F /opt/hook\" was accepted with fsfreeze_hook=%s",
                          settings->fsfreeze_hook);
      return;
    }
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "Unexpected argument '/opt/hook'");
}

/* Spaces and empty items in RPC lists are dropped; ',' and ';' both split. */
static void
test_rpc_lists (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture, "[general]\n"),
    "-b", " guest-a , guest-b,,guest-c;guest-d ", "-a", "", NULL
  };
  const char * const block[] = { "guest-a", "guest-b", "guest-c", "guest-d", NULL };
  g_autoptr(Settings) settings = load_ok (args);

  assert_strv (settings->block_rpcs, block);
  assert_strv (settings->allow_rpcs, empty_list);
  g_assert_false (settings->list_commands);
}

/* "-b help" (and "-a help") list the commands instead of serving. */
static void
test_list_commands (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *config = write_config (fixture, "[general]\n");
  const char *options[][2] = {
    { "-b", "help" },
    { "-a", "help" },
    { "--block-rpcs", "guest-exec,help" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const char * const args[] = { "guestlinkd", "-c", config, options[i][0], options[i][1], NULL };
      g_autoptr(Settings) settings = load_ok (args);

      g_assert_true (settings->list_commands);
    }
}

static void
test_max_message_size (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *config = write_config (fixture, "[general]\n");
  const char *bad[] = { "4095", "0", "-1", "abc", "16M", "", "99999999999999999999999" };

  {
    const char * const args[] = { "guestlinkd", "-c", config, "--max-message-size", "4096", NULL };
    g_autoptr(Settings) settings = load_ok (args);

    g_assert_cmpuint (settings->max_message_size, ==, 4096);
  }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char * const args[] = { "guestlinkd", "-c", config, "--max-message-size", bad[i], NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(Settings) settings = load (args, &error);
      g_autofree char *prefix = g_strdup_printf ("Invalid max-message-size '%s': ", bad[i]);

      g_assert_null (settings);
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_true (g_str_has_prefix (error->message, prefix));
    }
}

/* Our freeze durations: seconds, the hook's at least one, the freeze's
 * 0 for "the host alone thaws"; the file sets them, options win. */
static void
test_fsfreeze_timeouts (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *config = write_config (fixture, "[general]\nfsfreeze-timeout=60\n"
                                     "fsfreeze-hook-timeout=7\nfsfreeze-hook-dir=/etc/h.d\n");
  const struct {
    const char *option;
    const char *value;
  } bad[] = {
    { "--fsfreeze-timeout", "-1" },
    { "--fsfreeze-timeout", "5m" },
    { "--fsfreeze-timeout", "86401" },
    { "--fsfreeze-hook-timeout", "0" },
    { "--fsfreeze-hook-timeout", "" },
  };

  {
    const char * const args[] = { "guestlinkd", "-c", config, NULL };
    g_autoptr(Settings) settings = load_ok (args);

    g_assert_cmpuint (settings->fsfreeze_timeout, ==, 60);
    g_assert_cmpuint (settings->fsfreeze_hook_timeout, ==, 7);
    g_assert_cmpstr (settings->fsfreeze_hook_dir, ==, "/etc/h.d");
  }
  {
    const char * const args[] = { "guestlinkd", "-c", config, "--fsfreeze-timeout", "0",
                                  "--fsfreeze-hook-timeout=1", NULL };
    g_autoptr(Settings) settings = load_ok (args);

    g_assert_cmpuint (settings->fsfreeze_timeout, ==, 0);
    g_assert_cmpuint (settings->fsfreeze_hook_timeout, ==, 1);
  }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char * const args[] = { "guestlinkd", "-c", config, bad[i].option, bad[i].value, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(Settings) settings = load (args, &error);
      g_autofree char *prefix = g_strdup_printf ("Invalid %s '%s': ", bad[i].option + 2,
                                                 bad[i].value);

      g_assert_null (settings);
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_true (g_str_has_prefix (error->message, prefix));
    }
}

static void
test_bad_command_line (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *config = write_config (fixture, "[general]\n");

  {
    const char * const args[] = { "guestlinkd", "-c", config, "-m", "carrier-pigeon", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(Settings) settings = load (args, &error);

    g_assert_null (settings);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_cmpstr (error->message, ==,
                     "Unknown channel method 'carrier-pigeon' (expected virtio-serial, "
                     "isa-serial, unix-listen or vsock-listen)");
  }

  {
    const char * const args[] = { "guestlinkd", "-c", config, "stray", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(Settings) settings = load (args, &error);

    g_assert_null (settings);
    g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED);
    g_assert_cmpstr (error->message, ==, "Unexpected argument 'stray'");
  }

  {
    const char * const args[] = { "guestlinkd", "-c", config, "--no-such-option", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(Settings) settings = load (args, &error);

    g_assert_null (settings);
    g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION);
  }

  {
    const char * const args[] = { "guestlinkd", "-c", config, "-m", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(Settings) settings = load (args, &error);

    g_assert_null (settings);
    g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  }
}

/* ---- config file ------------------------------------------------------ */

static void
test_config_file (Fixture       *fixture,
                  gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture,
      "# qemu-ga style\n"
      "[general]\n"
      "method=isa-serial\n"
      "path=/dev/ttyS1\n"
      "statedir=/var/lib/guestlink\n"
      "verbose=true\n"
      "block-rpcs=guest-a;guest-b\n"
      "allow-rpcs=guest-a,guest-c\n"
      "logfile=/var/log/guestlinkd.log\n"
      "pidfile=/run/g.pid\n"
      "fsfreeze-hook=/etc/hook\n"
      "daemon=true\n"
      "retry-path=true\n"
      "max-message-size=65536\n"
      "identity-journal=/var/lib/g/journal.json\n"),
    NULL
  };
  const char * const block[] = { "guest-a", "guest-b", NULL };
  const char * const allow[] = { "guest-a", "guest-c", NULL };
  g_autoptr(Settings) settings = load_ok (args);

  g_assert_cmpint (settings->method, ==, CHANNEL_METHOD_ISA_SERIAL);
  g_assert_cmpstr (settings->path, ==, "/dev/ttyS1");
  g_assert_cmpstr (settings->statedir, ==, "/var/lib/guestlink");
  g_assert_true (settings->verbose);
  assert_strv (settings->block_rpcs, block);
  assert_strv (settings->allow_rpcs, allow);
  g_assert_cmpstr (settings->logfile, ==, "/var/log/guestlinkd.log");
  g_assert_cmpstr (settings->pidfile, ==, "/run/g.pid");
  g_assert_cmpstr (settings->fsfreeze_hook, ==, "/etc/hook");
  g_assert_true (settings->daemonize);
  g_assert_true (settings->retry_path);
  g_assert_cmpuint (settings->max_message_size, ==, 65536);
  g_assert_cmpstr (settings->identity_journal, ==, "/var/lib/g/journal.json");
  /* The file never asks for an action instead of serving. */
  g_assert_false (settings->dump_config);
  g_assert_false (settings->print_version);
  g_assert_false (settings->list_commands);
}

/* "blacklist" is what qemu-ga called block-rpcs before 8.0. */
static void
test_config_blacklist (Fixture       *fixture,
                       gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture, "[general]\nblacklist=guest-c;guest-d\n"), NULL
  };
  const char * const block[] = { "guest-c", "guest-d", NULL };
  g_autoptr(Settings) settings = load_ok (args);

  assert_strv (settings->block_rpcs, block);
}

/* An empty value (as -D prints for unset keys) means unset, and the state
 * directory and the identity journal fall back to their defaults rather
 * than to nothing. */
static void
test_config_empty_values (Fixture       *fixture,
                          gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture,
      "[general]\npath=\nlogfile=\npidfile=\nfsfreeze-hook=\nstatedir=\nblock-rpcs=\n"
      "identity-journal=\n"),
    NULL
  };
  g_autoptr(Settings) settings = load_ok (args);

  g_assert_null (settings->path);
  g_assert_null (settings->logfile);
  g_assert_null (settings->pidfile);
  g_assert_null (settings->fsfreeze_hook);
  g_assert_cmpstr (settings->statedir, ==, SETTINGS_DEFAULT_STATEDIR);
  g_assert_cmpstr (settings->identity_journal, ==, SETTINGS_DEFAULT_IDENTITY_JOURNAL);
  assert_strv (settings->block_rpcs, empty_list);
}

/* GKeyFile escapes (\\, \s, \t, \n) mean in a config file what they mean
 * to qemu-ga, which reads values with g_key_file_get_string(). */
static void
test_config_escapes (Fixture       *fixture,
                     gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture,
      "[general]\n"
      "path=/run/agent\\\\sock\n"
      "logfile=\\s/var/log/lead\n"),
    NULL
  };
  g_autoptr(Settings) settings = load_ok (args);

  g_assert_cmpstr (settings->path, ==, "/run/agent\\sock");
  g_assert_cmpstr (settings->logfile, ==, " /var/log/lead");
}

/* The command line overrides the file, key by key; what it does not say
 * comes from the file. */
static void
test_command_line_overrides_file (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture,
      "[general]\n"
      "method=unix-listen\n"
      "path=/file/sock\n"
      "statedir=/file/state\n"
      "pidfile=/file/pid\n"
      "verbose=true\n"
      "max-message-size=65536\n"
      "identity-journal=/file/journal.json\n"),
    "-m", "vsock-listen", "-p", "3:1234", "-t", "/cli/state", "--max-message-size", "8192",
    "--identity-journal=/cli/journal.json", NULL
  };
  g_autoptr(Settings) settings = load_ok (args);

  g_assert_cmpint (settings->method, ==, CHANNEL_METHOD_VSOCK_LISTEN);
  g_assert_cmpstr (settings->path, ==, "3:1234");
  g_assert_cmpstr (settings->statedir, ==, "/cli/state");
  g_assert_cmpuint (settings->max_message_size, ==, 8192);
  g_assert_cmpstr (settings->identity_journal, ==, "/cli/journal.json");
  g_assert_cmpstr (settings->pidfile, ==, "/file/pid");
  g_assert_true (settings->verbose);
}

/*
 * qemu-ga adds -b's commands to those the config file blocks (7.2: the
 * file's list and the option's list are concatenated). A unit that passes
 * -b must not silently unblock what the administrator blocked in the file.
 */
static void
test_block_rpcs_file_and_command_line (Fixture       *fixture,
                                       gconstpointer  data)
{
  const char * const args[] = {
    "guestlinkd", "-c", write_config (fixture, "[general]\nblock-rpcs=guest-file-open;guest-exec\n"),
    "-b", "guest-shutdown", NULL
  };
  const char * const block[] = { "guest-file-open", "guest-exec", "guest-shutdown", NULL };
  g_autoptr(Settings) settings = load_ok (args);

  assert_strv (settings->block_rpcs, block);
}

static void
test_config_unknown_method (Fixture       *fixture,
                            gconstpointer  data)
{
  const char *config = write_config (fixture, "[general]\nmethod=tcp\n");
  const char * const args[] = { "guestlinkd", "-c", config, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(Settings) settings = load (args, &error);
  g_autofree char *expected = g_strdup_printf ("%s: Unknown channel method 'tcp' (expected "
                                               "virtio-serial, isa-serial, unix-listen or "
                                               "vsock-listen)", config);

  g_assert_null (settings);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, expected);
}

/* A bad boolean is an error naming the file and the key, not a silent
 * default. */
static void
test_config_bad_boolean (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *keys[] = { "verbose", "daemon", "retry-path" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *contents = g_strdup_printf ("[general]\n%s=maybe\n", keys[i]);
      const char *config = write_config (fixture, contents);
      const char * const args[] = { "guestlinkd", "-c", config, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(Settings) settings = load (args, &error);
      g_autofree char *expected = g_strdup_printf ("%s: Key '%s' must be true or false",
                                                   config, keys[i]);

      g_assert_null (settings);
      g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
test_config_bad_max_message_size (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char *config = write_config (fixture, "[general]\nmax-message-size=12\n");
  const char * const args[] = { "guestlinkd", "-c", config, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(Settings) settings = load (args, &error);
  g_autofree char *prefix = g_strdup_printf ("%s: Invalid max-message-size '12': ", config);

  g_assert_null (settings);
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_true (g_str_has_prefix (error->message, prefix));
}

/* A file named with -c must exist; only the default one is optional. */
static void
test_config_missing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "absent.conf", NULL);
  const char * const args[] = { "guestlinkd", "-c", missing, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(Settings) settings = load (args, &error);
  g_autofree char *prefix = g_strdup_printf ("Cannot load %s: ", missing);

  g_assert_null (settings);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_true (g_str_has_prefix (error->message, prefix));
}

static void
test_config_not_key_file (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *config = write_config (fixture, "method=unix-listen\n");
  const char * const args[] = { "guestlinkd", "-c", config, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(Settings) settings = load (args, &error);
  g_autofree char *prefix = g_strdup_printf ("Cannot load %s: ", config);

  g_assert_null (settings);
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, prefix));
}

/* Unknown keys are a warning (a typo must be visible), not a failure (a
 * newer qemu-ga key must not stop the agent). */
static void
test_config_unknown_key (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *config = write_config (fixture, "[general]\nverbos=true\nmethod=unix-listen\n");
  const char * const args[] = { "guestlinkd", "-c", config, NULL };
  g_autoptr(Settings) settings = NULL;
  g_autofree char *expected = g_strdup_printf ("%s: unknown key 'verbos' in [general] ignored", config);

  g_test_expect_message (DAEMON_LOG_DOMAIN, G_LOG_LEVEL_WARNING, expected);
  settings = load_ok (args);
  g_test_assert_expected_messages ();

  g_assert_false (settings->verbose);
  g_assert_cmpint (settings->method, ==, CHANNEL_METHOD_UNIX_LISTEN);
}

/* ---- -D output ----------------------------------------------------------- */

static void
test_to_data_defaults (Fixture       *fixture,
                       gconstpointer  data)
{
  const char * const args[] = { "guestlinkd", "-c", write_config (fixture, "[general]\n"), NULL };
  g_autoptr(Settings) settings = load_ok (args);
  g_autofree char *text = settings_to_data (settings);
  g_autofree char *expected = g_strdup_printf (
    "[general]\n"
    "daemon=false\n"
    "method=virtio-serial\n"
    "path=\n"
    "logfile=\n"
    "pidfile=" SETTINGS_DEFAULT_PIDFILE "\n"
    "fsfreeze-hook=\n"
    "statedir=" SETTINGS_DEFAULT_STATEDIR "\n"
    "verbose=false\n"
    "retry-path=false\n"
    "block-rpcs=\n"
    "allow-rpcs=\n"
    "max-message-size=%d\n"
    "fsfreeze-hook-dir=" SETTINGS_DEFAULT_FSFREEZE_HOOK_DIR "\n"
    "fsfreeze-hook-timeout=30\n"
    "fsfreeze-timeout=300\n"
    "identity-journal=" SETTINGS_DEFAULT_IDENTITY_JOURNAL "\n",
    DEFAULT_MAX_MESSAGE_SIZE);

  g_assert_cmpstr (text, ==, expected);
}

static void
assert_same_settings (const Settings *a,
                      const Settings *b)
{
  g_assert_cmpint (a->method, ==, b->method);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpstr (a->logfile, ==, b->logfile);
  g_assert_cmpstr (a->pidfile, ==, b->pidfile);
  g_assert_cmpstr (a->statedir, ==, b->statedir);
  g_assert_cmpstr (a->fsfreeze_hook, ==, b->fsfreeze_hook);
  g_assert_cmpint (a->daemonize, ==, b->daemonize);
  g_assert_cmpint (a->verbose, ==, b->verbose);
  g_assert_cmpint (a->retry_path, ==, b->retry_path);
  assert_strv (a->block_rpcs, (const char * const *) b->block_rpcs);
  assert_strv (a->allow_rpcs, (const char * const *) b->allow_rpcs);
  g_assert_cmpuint (a->max_message_size, ==, b->max_message_size);
  g_assert_cmpstr (a->fsfreeze_hook_dir, ==, b->fsfreeze_hook_dir);
  g_assert_cmpuint (a->fsfreeze_hook_timeout, ==, b->fsfreeze_hook_timeout);
  g_assert_cmpuint (a->fsfreeze_timeout, ==, b->fsfreeze_timeout);
  g_assert_cmpstr (a->identity_journal, ==, b->identity_journal);
}

/* What -D prints, used as the config file, gives the same settings and
 * prints the same again. */
static void
round_trip (Fixture            *fixture,
            const char * const *options)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(Settings) first = NULL;
  g_autoptr(Settings) second = NULL;
  g_autofree char *first_data = NULL;
  g_autofree char *second_data = NULL;

  g_ptr_array_add (args, (gpointer) "guestlinkd");
  g_ptr_array_add (args, (gpointer) "-c");
  g_ptr_array_add (args, (gpointer) write_config (fixture, "[general]\n"));
  for (const char * const *option = options; *option != NULL; option++)
    g_ptr_array_add (args, (gpointer) *option);
  g_ptr_array_add (args, NULL);

  first = load_ok ((const char * const *) args->pdata);
  first_data = settings_to_data (first);

  {
    const char * const reload[] = { "guestlinkd", "-c", write_config (fixture, first_data), NULL };
    second = load_ok (reload);
  }
  second_data = settings_to_data (second);

  assert_same_settings (second, first);
  g_assert_cmpstr (second_data, ==, first_data);
}

static void
test_to_data_round_trip (Fixture       *fixture,
                         gconstpointer  data)
{
  const char * const options[] = {
    "-m", "unix-listen", "-p", "/run/guestlink.sock", "-l", "/var/log/g.log",
    "-f", "/run/g.pid", "--fsfreeze-hook=/etc/hook", "-t", "/run/g-state",
    "-b", "guest-exec,guest-file-open", "-a", "guest-ping,guest-exec,guest-info",
    "-v", "-d", "-r", "--max-message-size", "1048576", "--fsfreeze-hook-dir=/etc/hooks.d",
    "--fsfreeze-hook-timeout", "5", "--fsfreeze-timeout", "0",
    "--identity-journal", "/var/lib/g/set-identity.json", NULL
  };

  round_trip (fixture, options);
}

static void
test_to_data_round_trip_defaults (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char * const options[] = { NULL };

  round_trip (fixture, options);
}

/* Paths are arbitrary bytes but for NUL; -D must print them so that they
 * read back the same. */
static void
test_to_data_round_trip_escapes (Fixture       *fixture,
                                 gconstpointer  data)
{
  const char * const options[] = {
    "-m", "unix-listen", "-p", "/run/agent\\sock", "-l", " /var/log/lead-space.log", NULL
  };

  round_trip (fixture, options);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* A failed check fails its test case and the run goes on (meson passes
   * --keep-going), so one bug does not hide the results of the others. */
  g_test_set_nonfatal_assertions ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/settings/defaults", test_defaults);
  ADD ("/settings/command-line/short-options", test_short_options);
  ADD ("/settings/command-line/long-options", test_long_options);
  for (gsize i = 0; i < G_N_ELEMENTS (hook_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/settings/command-line/fsfreeze-hook/%s",
                                               hook_cases[i].name);
      g_test_add (path, Fixture, &hook_cases[i], fixture_setup, test_fsfreeze_hook, fixture_teardown);
    }
  ADD ("/settings/command-line/fsfreeze-hook/absent", test_fsfreeze_hook_absent);
  ADD ("/settings/command-line/fsfreeze-hook/detached-argument", test_fsfreeze_hook_detached);
  ADD ("/settings/command-line/rpc-lists", test_rpc_lists);
  ADD ("/settings/command-line/list-commands", test_list_commands);
  ADD ("/settings/command-line/max-message-size", test_max_message_size);
  ADD ("/settings/command-line/fsfreeze-timeouts", test_fsfreeze_timeouts);
  ADD ("/settings/command-line/errors", test_bad_command_line);
  ADD ("/settings/file/keys", test_config_file);
  ADD ("/settings/file/blacklist", test_config_blacklist);
  ADD ("/settings/file/empty-values", test_config_empty_values);
  ADD ("/settings/file/escapes", test_config_escapes);
  ADD ("/settings/file/command-line-overrides", test_command_line_overrides_file);
  ADD ("/settings/file/block-rpcs-merged", test_block_rpcs_file_and_command_line);
  ADD ("/settings/file/unknown-method", test_config_unknown_method);
  ADD ("/settings/file/bad-boolean", test_config_bad_boolean);
  ADD ("/settings/file/bad-max-message-size", test_config_bad_max_message_size);
  ADD ("/settings/file/missing", test_config_missing);
  ADD ("/settings/file/not-a-key-file", test_config_not_key_file);
  ADD ("/settings/file/unknown-key", test_config_unknown_key);
  ADD ("/settings/to-data/defaults", test_to_data_defaults);
  ADD ("/settings/to-data/round-trip", test_to_data_round_trip);
  ADD ("/settings/to-data/round-trip-defaults", test_to_data_round_trip_defaults);
  ADD ("/settings/to-data/round-trip-escapes", test_to_data_round_trip_escapes);
#undef ADD

  return g_test_run ();
}
