/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "settings.h"

#define GROUP "general"

/* What the command line said, or the strings of the config file: NULL
 * or FALSE where it said nothing. */
typedef struct {
  char *method;
  char *path;
  char *logfile;
  char *pidfile;
  char *statedir;
  char *fsfreeze_hook;
  char *config_file;
  char *block_rpcs;
  char *allow_rpcs;
  char *max_message_size;
  char *fsfreeze_hook_dir;
  char *fsfreeze_hook_timeout;
  char *fsfreeze_timeout;
  char *identity_journal;
  gboolean daemonize;
  gboolean verbose;
  gboolean retry_path;
  gboolean dump_config;
  gboolean print_version;
} CommandLine;

static void
command_line_clear (CommandLine *cli)
{
  g_free (cli->method);
  g_free (cli->path);
  g_free (cli->logfile);
  g_free (cli->pidfile);
  g_free (cli->statedir);
  g_free (cli->fsfreeze_hook);
  g_free (cli->config_file);
  g_free (cli->block_rpcs);
  g_free (cli->allow_rpcs);
  g_free (cli->max_message_size);
  g_free (cli->fsfreeze_hook_dir);
  g_free (cli->fsfreeze_hook_timeout);
  g_free (cli->fsfreeze_timeout);
  g_free (cli->identity_journal);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommandLine, command_line_clear)

void
settings_free (Settings *settings)
{
  if (settings == NULL)
    return;

  g_free (settings->path);
  g_free (settings->logfile);
  g_free (settings->pidfile);
  g_free (settings->statedir);
  g_free (settings->fsfreeze_hook);
  g_free (settings->fsfreeze_hook_dir);
  g_free (settings->identity_journal);
  g_strfreev (settings->block_rpcs);
  g_strfreev (settings->allow_rpcs);
  g_free (settings);
}

/* -F takes an optional argument, as in qemu-ga. */
static gboolean
on_fsfreeze_hook_option (const char  *option,
                         const char  *value,
                         gpointer     data,
                         GError     **error)
{
  CommandLine *cli = data;

  g_free (cli->fsfreeze_hook);
  cli->fsfreeze_hook = g_strdup (value != NULL ? value : SETTINGS_DEFAULT_FSFREEZE_HOOK);
  return TRUE;
}

/* qemu-ga separates RPC names with ',' on the command line and ';' in
 * the file (GKeyFile lists); both are accepted in both places. */
static GStrv
split_rpc_list (const char *text)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (text != NULL)
    {
      parts = g_strsplit_set (text, ",;", -1);
      for (char **part = parts; *part != NULL; part++)
        {
          g_strstrip (*part);
          if (**part != '\0')
            g_strv_builder_add (builder, *part);
        }
    }

  return g_strv_builder_end (builder);
}

static gboolean
parse_max_message_size (const char  *text,
                        guint64     *out_size,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  /* Below a few KiB a guest-ssh-add-authorized-keys request may not fit;
   * the upper bound keeps size arithmetic far from overflow. */
  if (!g_ascii_string_to_unsigned (text, 10, 4096, G_MAXSIZE / 4, out_size, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Invalid max-message-size '%s': %s", text, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static void
set_string (char       **field,
            const char  *value)
{
  if (value == NULL)
    return;

  /* An empty value (as -D prints for unset keys) means unset. */
  g_free (*field);
  *field = *value != '\0' ? g_strdup (value) : NULL;
}

static gboolean
set_method (Settings    *settings,
            const char  *value,
            GError     **error)
{
  return value == NULL || channel_method_from_string (value, &settings->method, error);
}

static gboolean
set_max_message_size (Settings    *settings,
                      const char  *value,
                      GError     **error)
{
  return value == NULL || parse_max_message_size (value, &settings->max_message_size, error);
}

/* A duration in whole seconds; a day is far beyond any sensible freeze. */
static gboolean
set_seconds (guint       *field,
             const char  *key,
             const char  *value,
             guint        minimum,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 seconds;

  if (value == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (value, 10, minimum, 24 * 60 * 60, &seconds, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Invalid %s '%s': %s", key, value, local_error->message);
      return FALSE;
    }

  *field = (guint) seconds;
  return TRUE;
}

/* RPC lists accumulate over the file and the command line, as in
 * qemu-ga: a unit's -b must not unblock what the administrator blocked. */
static void
add_rpc_list (GStrv      *field,
              const char *value)
{
  g_auto(GStrv) added = split_rpc_list (value);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_addv (builder, (const char **) *field);
  for (char **name = added; *name != NULL; name++)
    if (!g_strv_contains ((const char * const *) *field, *name))
      g_strv_builder_add (builder, *name);

  g_strfreev (*field);
  *field = g_strv_builder_end (builder);
}

static const char * const known_keys[] = {
  "daemon", "method", "path", "logfile", "pidfile", "fsfreeze-hook",
  "statedir", "verbose", "retry-path", "block-rpcs", "blacklist",
  "allow-rpcs", "max-message-size", "fsfreeze-hook-dir",
  "fsfreeze-hook-timeout", "fsfreeze-timeout", "identity-journal", NULL
};

/* A key's value, or NULL when the file does not set it. */
static char *
file_string (GKeyFile   *keyfile,
             const char *key)
{
  /* Unescaped (\s, \\, ...), as settings_to_data() escapes; GKeyFile
   * already drops unescaped surrounding blanks. */
  return g_key_file_get_string (keyfile, GROUP, key, NULL);
}

static gboolean
file_boolean (GKeyFile    *keyfile,
              const char  *key,
              gboolean    *field,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean value;

  if (!g_key_file_has_key (keyfile, GROUP, key, NULL))
    return TRUE;

  value = g_key_file_get_boolean (keyfile, GROUP, key, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "Key '%s' must be true or false", key);
      return FALSE;
    }

  *field = value;
  return TRUE;
}

/* What the file and the command line both set, from their strings. */
static gboolean
apply_strings (Settings           *settings,
               const CommandLine  *values,
               GError            **error)
{
  if (!set_method (settings, values->method, error) ||
      !set_max_message_size (settings, values->max_message_size, error) ||
      !set_seconds (&settings->fsfreeze_hook_timeout, "fsfreeze-hook-timeout",
                    values->fsfreeze_hook_timeout, 1, error) ||
      !set_seconds (&settings->fsfreeze_timeout, "fsfreeze-timeout",
                    values->fsfreeze_timeout, 0, error))
    return FALSE;

  set_string (&settings->path, values->path);
  set_string (&settings->logfile, values->logfile);
  set_string (&settings->pidfile, values->pidfile);
  set_string (&settings->statedir, values->statedir);
  set_string (&settings->fsfreeze_hook, values->fsfreeze_hook);
  set_string (&settings->fsfreeze_hook_dir, values->fsfreeze_hook_dir);
  set_string (&settings->identity_journal, values->identity_journal);
  add_rpc_list (&settings->block_rpcs, values->block_rpcs);
  add_rpc_list (&settings->allow_rpcs, values->allow_rpcs);
  return TRUE;
}

static gboolean
apply_file (Settings    *settings,
            const char  *file,
            GKeyFile    *keyfile,
            GError     **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, GROUP, NULL, NULL);
  g_autofree char *blacklist = file_string (keyfile, "blacklist");
  g_auto(CommandLine) values = {
    .method = file_string (keyfile, "method"),
    .path = file_string (keyfile, "path"),
    .logfile = file_string (keyfile, "logfile"),
    .pidfile = file_string (keyfile, "pidfile"),
    .statedir = file_string (keyfile, "statedir"),
    .fsfreeze_hook = file_string (keyfile, "fsfreeze-hook"),
    .block_rpcs = file_string (keyfile, "block-rpcs"),
    .allow_rpcs = file_string (keyfile, "allow-rpcs"),
    .max_message_size = file_string (keyfile, "max-message-size"),
    .fsfreeze_hook_dir = file_string (keyfile, "fsfreeze-hook-dir"),
    .fsfreeze_hook_timeout = file_string (keyfile, "fsfreeze-hook-timeout"),
    .fsfreeze_timeout = file_string (keyfile, "fsfreeze-timeout"),
    .identity_journal = file_string (keyfile, "identity-journal"),
  };

  for (char **key = keys; key != NULL && *key != NULL; key++)
    if (!g_strv_contains (known_keys, *key))
      g_warning ("%s: unknown key '%s' in [%s] ignored", file, *key, GROUP);

  /* "blacklist" is the name qemu-ga used before 8.0. */
  add_rpc_list (&settings->block_rpcs, blacklist);
  if (!apply_strings (settings, &values, error) ||
      !file_boolean (keyfile, "daemon", &settings->daemonize, error) ||
      !file_boolean (keyfile, "verbose", &settings->verbose, error) ||
      !file_boolean (keyfile, "retry-path", &settings->retry_path, error))
    {
      g_prefix_error (error, "%s: ", file);
      return FALSE;
    }

  return TRUE;
}

static gboolean
load_file (Settings    *settings,
           const char  *file,
           gboolean     must_exist,
           GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (keyfile, file, G_KEY_FILE_NONE, &local_error))
    {
      if (!must_exist && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Cannot load %s: ", file);
      return FALSE;
    }

  return apply_file (settings, file, keyfile, error);
}

static gboolean
apply_command_line (Settings     *settings,
                    CommandLine  *cli,
                    GError      **error)
{
  if (!apply_strings (settings, cli, error))
    return FALSE;

  settings->daemonize |= cli->daemonize;
  settings->verbose |= cli->verbose;
  settings->retry_path |= cli->retry_path;
  settings->dump_config = cli->dump_config;
  settings->print_version = cli->print_version;
  settings->list_commands = g_strv_contains ((const char * const *) settings->block_rpcs, "help") ||
                            g_strv_contains ((const char * const *) settings->allow_rpcs, "help");
  return TRUE;
}

static Settings *
settings_new_default (void)
{
  Settings *settings = g_new0 (Settings, 1);

  settings->method = CHANNEL_METHOD_VIRTIO_SERIAL;
  settings->pidfile = g_strdup (SETTINGS_DEFAULT_PIDFILE);
  settings->statedir = g_strdup (SETTINGS_DEFAULT_STATEDIR);
  settings->block_rpcs = g_new0 (char *, 1);
  settings->allow_rpcs = g_new0 (char *, 1);
  settings->max_message_size = DEFAULT_MAX_MESSAGE_SIZE;
  settings->fsfreeze_hook_dir = g_strdup (SETTINGS_DEFAULT_FSFREEZE_HOOK_DIR);
  settings->fsfreeze_hook_timeout = SETTINGS_DEFAULT_FSFREEZE_HOOK_TIMEOUT;
  settings->fsfreeze_timeout = SETTINGS_DEFAULT_FSFREEZE_TIMEOUT;
  settings->identity_journal = g_strdup (SETTINGS_DEFAULT_IDENTITY_JOURNAL);
  return settings;
}

/*
 * qemu-ga's -F takes its optional value only attached (getopt "F::"):
 * "-F/path" or a bare "-F" for the default hook. GOption would take the
 * next word instead, so both forms are spelled out in long form first.
 */
static GStrv
copy_arguments (int    argc,
                char **argv)
{
  GStrv args = g_new0 (char *, argc + 1);
  gboolean options_ended = FALSE;

  for (int i = 0; i < argc; i++)
    {
      options_ended |= g_str_equal (argv[i], "--");
      if (i == 0 || options_ended)
        args[i] = g_strdup (argv[i]);
      else if (g_str_equal (argv[i], "-F") || g_str_equal (argv[i], "--fsfreeze-hook"))
        args[i] = g_strdup ("--fsfreeze-hook=" SETTINGS_DEFAULT_FSFREEZE_HOOK);
      else if (g_str_has_prefix (argv[i], "-F"))
        args[i] = g_strconcat ("--fsfreeze-hook=", argv[i] + 2, NULL);
      else
        args[i] = g_strdup (argv[i]);
    }

  return args;
}

Settings *
settings_load (int      *argc,
               char   ***argv,
               GError  **error)
{
  g_auto(CommandLine) cli = { 0 };
  g_auto(GStrv) args = copy_arguments (*argc, *argv);
  g_autoptr(Settings) settings = settings_new_default ();
  g_autoptr(GOptionContext) context = NULL;
  const GOptionEntry entries[] = {
    { "method", 'm', 0, G_OPTION_ARG_STRING, &cli.method,
      "Transport: virtio-serial (default), isa-serial, unix-listen, vsock-listen", "METHOD" },
    { "path", 'p', 0, G_OPTION_ARG_FILENAME, &cli.path,
      "Device or socket path, CID:PORT for vsock (default: the virtio-serial "
      "port named " CHANNEL_VIRTIO_PORT_NAME ")", "PATH" },
    { "logfile", 'l', 0, G_OPTION_ARG_FILENAME, &cli.logfile,
      "Log to FILE (default: the journal, or standard error)", "FILE" },
    { "pidfile", 'f', 0, G_OPTION_ARG_FILENAME, &cli.pidfile,
      "Write the process id to FILE (default " SETTINGS_DEFAULT_PIDFILE ")", "FILE" },
    { "fsfreeze-hook", 'F', G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK,
      on_fsfreeze_hook_option,
      "Run HOOK with freeze/thaw (default " SETTINGS_DEFAULT_FSFREEZE_HOOK ")", "HOOK" },
    { "statedir", 't', 0, G_OPTION_ARG_FILENAME, &cli.statedir,
      "Directory for run-time state (default " SETTINGS_DEFAULT_STATEDIR ")", "DIR" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli.verbose, "Log debug messages", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &cli.print_version, "Print the version and exit", NULL },
    { "daemonize", 'd', 0, G_OPTION_ARG_NONE, &cli.daemonize, "Run in the background", NULL },
    { "block-rpcs", 'b', 0, G_OPTION_ARG_STRING, &cli.block_rpcs,
      "Comma-separated commands to disable (\"help\" lists the commands)", "LIST" },
    { "allow-rpcs", 'a', 0, G_OPTION_ARG_STRING, &cli.allow_rpcs,
      "Comma-separated commands to allow; all others are disabled", "LIST" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &cli.config_file,
      "Configuration file (default " SETTINGS_DEFAULT_FILE ")", "FILE" },
    { "dump-conf", 'D', 0, G_OPTION_ARG_NONE, &cli.dump_config,
      "Print the effective configuration and exit", NULL },
    { "retry-path", 'r', 0, G_OPTION_ARG_NONE, &cli.retry_path,
      "Wait for a missing device to appear instead of failing", NULL },
    { "max-message-size", 0, 0, G_OPTION_ARG_STRING, &cli.max_message_size,
      "Largest accepted request in bytes (default 16 MiB)", "BYTES" },
    { "fsfreeze-hook-dir", 0, 0, G_OPTION_ARG_FILENAME, &cli.fsfreeze_hook_dir,
      "Run the hooks in DIR around a freeze (default " SETTINGS_DEFAULT_FSFREEZE_HOOK_DIR ")", "DIR" },
    { "fsfreeze-hook-timeout", 0, 0, G_OPTION_ARG_STRING, &cli.fsfreeze_hook_timeout,
      "Kill a freeze hook still running after SECONDS (default 30)", "SECONDS" },
    { "fsfreeze-timeout", 0, 0, G_OPTION_ARG_STRING, &cli.fsfreeze_timeout,
      "Thaw by ourselves when the host has not thawed after SECONDS (default 300, 0: never)",
      "SECONDS" },
    { "identity-journal", 0, 0, G_OPTION_ARG_FILENAME, &cli.identity_journal,
      "Keep set-identity's journal in FILE (default " SETTINGS_DEFAULT_IDENTITY_JOURNAL ")",
      "FILE" },
    { NULL }
  };
  GOptionGroup *group;

  context = g_option_context_new ("- guest agent speaking the QEMU guest agent protocol");
  group = g_option_group_new (NULL, NULL, NULL, &cli, NULL);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);

  if (!g_option_context_parse_strv (context, &args, error))
    return NULL;
  if (args[0] != NULL && args[1] != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "Unexpected argument '%s'", args[1]);
      return NULL;
    }

  if (!load_file (settings, cli.config_file != NULL ? cli.config_file : SETTINGS_DEFAULT_FILE,
                  cli.config_file != NULL, error))
    return NULL;

  if (!apply_command_line (settings, &cli, error))
    return NULL;

  if (settings->statedir == NULL)
    settings->statedir = g_strdup (SETTINGS_DEFAULT_STATEDIR);
  /* set-identity cannot be idempotent without its journal. */
  if (settings->identity_journal == NULL)
    settings->identity_journal = g_strdup (SETTINGS_DEFAULT_IDENTITY_JOURNAL);

  return g_steal_pointer (&settings);
}

char *
settings_to_data (const Settings *settings)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *block = g_strjoinv (",", settings->block_rpcs);
  g_autofree char *allow = g_strjoinv (",", settings->allow_rpcs);

  g_key_file_set_boolean (keyfile, GROUP, "daemon", settings->daemonize);
  g_key_file_set_string (keyfile, GROUP, "method", channel_method_to_string (settings->method));
  g_key_file_set_string (keyfile, GROUP, "path", settings->path != NULL ? settings->path : "");
  g_key_file_set_string (keyfile, GROUP, "logfile", settings->logfile != NULL ? settings->logfile : "");
  g_key_file_set_string (keyfile, GROUP, "pidfile", settings->pidfile != NULL ? settings->pidfile : "");
  g_key_file_set_string (keyfile, GROUP, "fsfreeze-hook",
                         settings->fsfreeze_hook != NULL ? settings->fsfreeze_hook : "");
  g_key_file_set_string (keyfile, GROUP, "statedir", settings->statedir);
  g_key_file_set_boolean (keyfile, GROUP, "verbose", settings->verbose);
  g_key_file_set_boolean (keyfile, GROUP, "retry-path", settings->retry_path);
  g_key_file_set_string (keyfile, GROUP, "block-rpcs", block);
  g_key_file_set_string (keyfile, GROUP, "allow-rpcs", allow);
  g_key_file_set_uint64 (keyfile, GROUP, "max-message-size", settings->max_message_size);
  g_key_file_set_string (keyfile, GROUP, "fsfreeze-hook-dir",
                         settings->fsfreeze_hook_dir != NULL ? settings->fsfreeze_hook_dir : "");
  g_key_file_set_uint64 (keyfile, GROUP, "fsfreeze-hook-timeout", settings->fsfreeze_hook_timeout);
  g_key_file_set_uint64 (keyfile, GROUP, "fsfreeze-timeout", settings->fsfreeze_timeout);
  g_key_file_set_string (keyfile, GROUP, "identity-journal", settings->identity_journal);

  return g_key_file_to_data (keyfile, NULL, NULL);
}
