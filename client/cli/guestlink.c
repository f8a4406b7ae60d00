/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <guestlink-1/guestlink.h>

#include "cli.h"

int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n", g_get_prgname (), message);
  g_printerr ("Try '%s --help' for more information.\n", g_get_prgname ());

  return STATUS_USAGE;
}

static int
status_for_error (const GError *error)
{
  if (error->domain != GUESTLINK_ERROR)
    return STATUS_CONNECTION;

  switch ((GuestlinkError) error->code)
    {
    case GUESTLINK_ERROR_GENERIC:
    case GUESTLINK_ERROR_COMMAND_NOT_FOUND:
    case GUESTLINK_ERROR_COMMAND_DISABLED:
      return STATUS_AGENT_ERROR;
    case GUESTLINK_ERROR_TIMEOUT:
    case GUESTLINK_ERROR_DISCONNECTED:
    case GUESTLINK_ERROR_PROTOCOL:
      return STATUS_CONNECTION;
    }

  return STATUS_CONNECTION;
}

/* Agent errors are prefixed with the command that failed; transport errors
 * already name the socket. */
int
report_error (const char   *command,
              const GError *error)
{
  int status = status_for_error (error);

  if (status == STATUS_AGENT_ERROR)
    g_printerr ("%s: %s: %s\n", g_get_prgname (), command, error->message);
  else
    g_printerr ("%s: %s\n", g_get_prgname (), error->message);

  return status;
}

static void
print_json (JsonNode *node,
            gboolean  pretty)
{
  g_autofree char *text = json_to_string (node, pretty);

  g_print ("%s\n", text);
}

/* --json prints the agent's return value as it came, on one line. */
int
call_and_print_result (Cli         *cli,
                       const char  *command,
                       JsonObject  *arguments,
                       gboolean     pretty,
                       JsonNode   **out_result)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = guestlink_client_call (cli->client, command, arguments, -1, NULL, &error);
  if (result == NULL)
    return report_error (command, error);

  print_json (result, pretty);
  if (out_result != NULL)
    *out_result = g_steal_pointer (&result);
  return STATUS_OK;
}

int
call_and_print (Cli        *cli,
                const char *command,
                JsonObject *arguments,
                gboolean    pretty)
{
  return call_and_print_result (cli, command, arguments, pretty, NULL);
}

static int
cmd_ping (Cli   *cli,
          char **args)
{
  g_autoptr(GError) error = NULL;

  if (cli->json)
    return call_and_print (cli, "guest-ping", NULL, FALSE);

  if (!guestlink_client_ping (cli->client, NULL, &error))
    return report_error ("guest-ping", error);

  g_print ("The agent at %s is responding.\n",
           guestlink_client_get_address (cli->client));
  return STATUS_OK;
}

static int
compare_commands (gconstpointer a,
                  gconstpointer b)
{
  GuestlinkAgentCommand *command_a = *(GuestlinkAgentCommand * const *) a;
  GuestlinkAgentCommand *command_b = *(GuestlinkAgentCommand * const *) b;

  return g_strcmp0 (guestlink_agent_command_get_name (command_a),
                    guestlink_agent_command_get_name (command_b));
}

static const char *
yes_no (gboolean value)
{
  return value ? "yes" : "no";
}

static int
cmd_info (Cli   *cli,
          char **args)
{
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *commands;
  int width = (int) strlen ("COMMAND");

  if (cli->json)
    return call_and_print (cli, "guest-info", NULL, FALSE);

  info = guestlink_client_get_info (cli->client, NULL, &error);
  if (info == NULL)
    return report_error ("guest-info", error);

  commands = guestlink_agent_info_get_commands (info);
  /* A shallow copy: @info keeps the commands alive. */
  sorted = g_ptr_array_sized_new (commands->len);
  for (guint i = 0; i < commands->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (commands, i));
  g_ptr_array_sort (sorted, compare_commands);

  for (guint i = 0; i < sorted->len; i++)
    {
      const char *name = guestlink_agent_command_get_name (g_ptr_array_index (sorted, i));

      width = MAX (width, (int) strlen (name));
    }

  g_print ("Agent version: %s\n\n", guestlink_agent_info_get_version (info));
  g_print ("%-*s  %-7s  %s\n", width, "COMMAND", "ENABLED", "SUCCESS-RESPONSE");
  for (guint i = 0; i < sorted->len; i++)
    {
      GuestlinkAgentCommand *command = g_ptr_array_index (sorted, i);

      g_print ("%-*s  %-7s  %s\n", width,
               guestlink_agent_command_get_name (command),
               yes_no (guestlink_agent_command_get_enabled (command)),
               yes_no (guestlink_agent_command_get_success_response (command)));
    }

  return STATUS_OK;
}

/* Checked here rather than left to the agent, so a typo in a shell quote
 * is reported as such instead of as an agent or connection error. The
 * request's id is dropped: the library puts its own id on every request
 * to match the reply. */
static int
cmd_raw (Cli   *cli,
         char **args)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  JsonNode *root;
  JsonObject *request;
  const char *command = NULL;
  JsonObject *arguments = NULL;

  if (!json_parser_load_from_data (parser, args[0], -1, &error))
    return usage_error ("raw: the request is not valid JSON: %s", error->message);

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return usage_error ("raw: the request must be a JSON object, "
                        "for example '{\"execute\": \"guest-ping\"}'");
  request = json_node_get_object (root);

  json_object_iter_init (&iter, request);
  while (json_object_iter_next (&iter, &member, &value))
    {
      if (g_str_equal (member, "execute"))
        {
          if (!JSON_NODE_HOLDS_VALUE (value) ||
              json_node_get_value_type (value) != G_TYPE_STRING ||
              *json_node_get_string (value) == '\0')
            return usage_error ("raw: 'execute' must be a command name");
          command = json_node_get_string (value);
        }
      else if (g_str_equal (member, "arguments"))
        {
          if (!JSON_NODE_HOLDS_OBJECT (value))
            return usage_error ("raw: 'arguments' must be a JSON object");
          arguments = json_node_get_object (value);
        }
      else if (!g_str_equal (member, "id"))
        {
          return usage_error ("raw: unexpected member '%s' in the request "
                              "(only execute, arguments and id are allowed)",
                              member);
        }
    }

  if (command == NULL)
    return usage_error ("raw: the request has no 'execute' member");

  return call_and_print (cli, command, arguments, !cli->json);
}

static const SubCommand subcommands[] = {
  { "ping", "", 0, cmd_ping, "Check that the agent answers" },
  { "info", "", 0, cmd_info, "Show the agent's version and its commands" },
  { "raw", "REQUEST", 1, cmd_raw, "Send a JSON request, print its return value" },
  { "hostname", "", 0, cli_hostname, "Show the guest's host name" },
  { "osinfo", "", 0, cli_osinfo, "Show the guest's operating system" },
  { "users", "", 0, cli_users, "Show who is logged in to the guest" },
  { "time", "", 0, cli_time, "Show the guest's clock and its offset from the host's" },
  { "interfaces", "", 0, cli_interfaces, "Show the guest's network interfaces and addresses" },
  { "identity", "", 0, cli_identity, "Show who the guest is: names, machine-id, SSH host keys" },
  { "freeze", "[--mountpoint PATH]...", 0, cli_freeze,
    "Freeze the guest's filesystems, or those mounted at each PATH", cli_freeze_options },
  { "thaw", "", 0, cli_thaw, "Thaw the filesystems the agent froze" },
  { "freeze-status", "", 0, cli_freeze_status, "Show whether the guest's filesystems are frozen" },
  { "fstrim", "[--minimum BYTES]", 0, cli_fstrim,
    "Discard the unused blocks of the guest's filesystems", cli_fstrim_options },
  { "fsinfo", "", 0, cli_fsinfo, "Show the guest's filesystems, their use and their disks" },
  { "authorized-keys", "USER [list|add [--reset]|remove] [KEY|-]...", 1, cli_authorized_keys,
    "Show or change a guest user's SSH authorized keys", cli_authorized_keys_options, TRUE },
  { "ssh-keys", "[list|rotate [--type TYPE]...] [--host NAME]", 0, cli_ssh_keys,
    "Show the guest's SSH host keys as known_hosts lines, or rotate them",
    cli_ssh_keys_options, TRUE, CLI_SLOW_TIMEOUT_MSEC },
  { "set-identity", "--instance-id ID [OPTION...]", 0, cli_set_identity,
    "Give a cloned guest an identity of its own: names, machine-id, keys",
    cli_set_identity_options, FALSE, CLI_SLOW_TIMEOUT_MSEC },
};

/* "name synopsis", or the name alone when it takes nothing. */
static char *
subcommand_usage (const SubCommand *subcommand)
{
  if (*subcommand->synopsis == '\0')
    return g_strdup (subcommand->name);

  return g_strjoin (" ", subcommand->name, subcommand->synopsis, NULL);
}

static char *
subcommands_summary (void)
{
  GString *summary = g_string_new ("Commands:");
  int width = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++)
    {
      g_autofree char *usage = subcommand_usage (&subcommands[i]);

      width = MAX (width, (int) strlen (usage));
    }

  for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++)
    {
      g_autofree char *usage = subcommand_usage (&subcommands[i]);

      g_string_append_printf (summary, "\n  %-*s  %s", width, usage, subcommands[i].summary);
    }

  return g_string_free (summary, FALSE);
}

static const SubCommand *
subcommands_find (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++)
    if (g_str_equal (subcommands[i].name, name))
      return &subcommands[i];

  return NULL;
}

static gboolean
parse_timeout (const char *text,
               int        *out_msec)
{
  char *end = NULL;
  double seconds = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !isfinite (seconds) ||
      seconds < 0 || seconds * 1000 > G_MAXINT)
    return FALSE;

  *out_msec = (int) (seconds * 1000);
  /* A tiny positive timeout must not turn into 0, which means none. */
  if (*out_msec == 0 && seconds > 0)
    *out_msec = 1;
  return TRUE;
}

static gboolean
parse_vsock (const char *text,
             guint32    *out_cid,
             guint32    *out_port)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", -1);
  guint64 cid;
  guint64 port;

  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT32, &cid, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT32, &port, NULL))
    return FALSE;

  *out_cid = (guint32) cid;
  *out_port = (guint32) port;
  return TRUE;
}

/* The options every command takes, before or after the command's name.
 * Each of the two parses fills its own copy (GOption would not free a
 * string it overwrites from an earlier parse); what follows the command's
 * name wins. */
typedef struct
{
  char *socket_path;
  char *vsock;
  char *timeout;
  gboolean json;
  gboolean counters;
  gboolean version;
  gboolean help;
} GlobalOptions;

static void
global_options_clear (GlobalOptions *options)
{
  g_free (options->socket_path);
  g_free (options->vsock);
  g_free (options->timeout);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GlobalOptions, global_options_clear)

static void
global_options_add_to (GOptionGroup  *group,
                       GlobalOptions *options)
{
  const GOptionEntry entries[] = {
    { "socket", 's', 0, G_OPTION_ARG_FILENAME, &options->socket_path,
      "The agent's unix socket (default: $GUESTLINK_SOCKET)", "PATH" },
    { "vsock", 0, 0, G_OPTION_ARG_STRING, &options->vsock,
      "The agent's vsock address", "CID:PORT" },
    { "timeout", 't', 0, G_OPTION_ARG_STRING, &options->timeout,
      "How long to wait for the agent (default 10, 120 for ssh-keys and "
      "set-identity; 0 waits forever)", "SECONDS" },
    { "counters", 'c', 0, G_OPTION_ARG_NONE, &options->counters,
      "interfaces: also show each interface's traffic counters", NULL },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &options->json,
      "Print the agent's return value as JSON", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version,
      "Print the version and exit", NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &options->help,
      "Show this help and exit", NULL },
    { NULL, },
  };

  g_option_group_add_entries (group, entries);
}

static void
take_string (char **value,
             char **later)
{
  if (*later != NULL)
    {
      g_free (*value);
      *value = g_steal_pointer (later);
    }
}

static void
global_options_merge (GlobalOptions *options,
                      GlobalOptions *later)
{
  take_string (&options->socket_path, &later->socket_path);
  take_string (&options->vsock, &later->vsock);
  take_string (&options->timeout, &later->timeout);
  options->json |= later->json;
  options->counters |= later->counters;
  options->version |= later->version;
  options->help |= later->help;
}

/* @parameters goes after "Usage: guestlink [OPTION…]"; the options are
 * @options' and, when @command_entries is given, those, whose callbacks
 * get @cli. Help is handled by the caller rather than by GOption, which
 * would exit() from inside the parser. */
static GOptionContext *
option_context_new (const char         *parameters,
                    const char         *summary,
                    const GOptionEntry *command_entries,
                    Cli                *cli,
                    GlobalOptions      *options)
{
  GOptionContext *context = g_option_context_new (parameters);
  GOptionGroup *group = g_option_group_new ("guestlink", NULL, NULL, cli, NULL);

  if (command_entries != NULL)
    g_option_group_add_entries (group, command_entries);
  global_options_add_to (group, options);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context, summary);
  g_option_context_set_help_enabled (context, FALSE);

  return context;
}

static int
print_help (GOptionContext *context)
{
  g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);

  g_print ("%s", text);
  return STATUS_OK;
}

static void
cli_clear (Cli *cli)
{
  g_clear_pointer (&cli->mountpoints, g_ptr_array_unref);
  g_clear_pointer (&cli->host, g_free);
  g_clear_pointer (&cli->types, g_ptr_array_unref);
  g_clear_pointer (&cli->identity.instance_id, g_free);
  g_clear_pointer (&cli->identity.host_name, g_free);
  g_clear_pointer (&cli->identity.pretty_host_name, g_free);
  g_clear_pointer (&cli->identity.machine_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cli, cli_clear)

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GOptionContext) command_context = NULL;
  g_autoptr(GuestlinkClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *usage = NULL;
  g_auto(GlobalOptions) options = { NULL, };
  g_auto(GlobalOptions) later = { NULL, };
  g_auto(Cli) cli = { .minimum = -1, };
  const SubCommand *subcommand;
  int command_argc;
  char **command_argv;
  int timeout_msec = -1;

  setlocale (LC_ALL, "");
  /* Messages name the program, not the path it was started by. */
  g_set_prgname ("guestlink");

  summary = subcommands_summary ();
  context = option_context_new ("COMMAND [ARGUMENTS]", summary, NULL, NULL, &options);
  g_option_context_set_description (context,
    "Without --socket or --vsock, the socket path is taken from the\n"
    "GUESTLINK_SOCKET environment variable. Options may also follow the\n"
    "command; 'guestlink COMMAND --help' shows a command's own options.\n"
    "\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  the agent returned an error\n"
    "  2  usage error\n"
    "  3  connection, timeout or protocol error\n");
  /* Up to the command's name: what follows it is the command's to parse,
   * with options of its own. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("%s", error->message);

  if (options.help)
    return print_help (context);

  if (options.version)
    {
      g_print ("guestlink %s\n", PACKAGE_VERSION);
      return STATUS_OK;
    }

  if (argc < 2)
    return usage_error ("no command given");

  subcommand = subcommands_find (argv[1]);
  if (subcommand == NULL)
    return usage_error ("unknown command '%s'", argv[1]);

  /* The command's name stands where GOption expects the program's. */
  command_argc = argc - 1;
  command_argv = argv + 1;
  usage = subcommand_usage (subcommand);
  command_context = option_context_new (usage, subcommand->summary, subcommand->options,
                                        &cli, &later);
  if (!g_option_context_parse (command_context, &command_argc, &command_argv, &error))
    return usage_error ("%s: %s", subcommand->name, error->message);

  if (later.help)
    return print_help (command_context);
  global_options_merge (&options, &later);

  if (options.version)
    {
      g_print ("guestlink %s\n", PACKAGE_VERSION);
      return STATUS_OK;
    }

  if ((guint) command_argc - 1 != subcommand->n_args &&
      !(subcommand->more_args && (guint) command_argc - 1 > subcommand->n_args))
    return usage_error ("%s: expected %s%u argument%s, got %d",
                        subcommand->name, subcommand->more_args ? "at least " : "",
                        subcommand->n_args, subcommand->n_args == 1 ? "" : "s", command_argc - 1);

  if (options.timeout != NULL && !parse_timeout (options.timeout, &timeout_msec))
    return usage_error ("invalid --timeout '%s': expected a number of seconds", options.timeout);

  if (options.socket_path != NULL && options.vsock != NULL)
    return usage_error ("--socket and --vsock cannot be used together");

  if (options.vsock != NULL)
    {
      guint32 cid;
      guint32 port;

      if (!parse_vsock (options.vsock, &cid, &port))
        return usage_error ("invalid --vsock '%s': expected CID:PORT", options.vsock);
      client = guestlink_client_new_for_vsock (cid, port);
    }
  else
    {
      const char *path = options.socket_path;

      if (path == NULL || *path == '\0')
        path = g_getenv ("GUESTLINK_SOCKET");
      if (path == NULL || *path == '\0')
        return usage_error ("no agent socket: use --socket PATH or --vsock CID:PORT, "
                            "or set GUESTLINK_SOCKET");
      client = guestlink_client_new_for_socket_path (path);
    }

  if (timeout_msec < 0 && subcommand->default_timeout_msec > 0)
    timeout_msec = subcommand->default_timeout_msec;
  if (timeout_msec >= 0)
    guestlink_client_set_default_timeout_msec (client, timeout_msec);

  cli.client = client;
  cli.json = options.json;
  cli.counters = options.counters;

  return subcommand->run (&cli, command_argv + 1);
}
