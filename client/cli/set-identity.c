/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlink set-identity --instance-id ID [...]: a cloned guest's own
 * host name, machine-id, SSH host keys, network state and random seed in
 * one call, then what each step did, the new identity and the new
 * known_hosts lines. The exit status is 1 when a step failed: the same
 * request sent again retries the steps not done.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "cli.h"
#include "request-arguments.h"

#define SET_IDENTITY "__org.guestlink_set-identity"

/* What --seed-from-host sends: as much as systemd's own random seed
 * file holds, well under the 4096 bytes the guest accepts. */
#define HOST_SEED_SIZE 512

static char **
string_field (CliIdentityOptions *options,
              const char         *option_name)
{
  if (g_str_equal (option_name, "--instance-id"))
    return &options->instance_id;
  if (g_str_equal (option_name, "--hostname"))
    return &options->host_name;
  if (g_str_equal (option_name, "--pretty-hostname"))
    return &options->pretty_host_name;
  if (g_str_equal (option_name, "--machine-id"))
    return &options->machine_id;
  g_assert_not_reached ();
}

static gboolean *
flag_field (CliIdentityOptions *options,
            const char         *option_name)
{
  if (g_str_equal (option_name, "--new-machine-id"))
    return &options->new_machine_id;
  if (g_str_equal (option_name, "--rotate-ssh-keys"))
    return &options->rotate_ssh_keys;
  if (g_str_equal (option_name, "--reset-network"))
    return &options->reset_network;
  if (g_str_equal (option_name, "--seed-from-host"))
    return &options->seed_from_host;
  g_assert_not_reached ();
}

static gboolean
set_string (const char  *option_name,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  Cli *cli = data;
  char **field = string_field (&cli->identity, option_name);

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
set_flag (const char  *option_name,
          const char  *value,
          gpointer     data,
          GError     **error)
{
  Cli *cli = data;

  *flag_field (&cli->identity, option_name) = TRUE;
  return TRUE;
}

/* The values go to the guest as they are: it checks each one before it
 * changes anything, and says which it refuses. */
const GOptionEntry cli_set_identity_options[] = {
  { "instance-id", 0, 0, G_OPTION_ARG_CALLBACK, set_string,
    "Names this change (required): the same ID and options again resume it", "ID" },
  { "hostname", 0, 0, G_OPTION_ARG_CALLBACK, set_string,
    "The guest's new host name", "NAME" },
  { "pretty-hostname", 0, 0, G_OPTION_ARG_CALLBACK, set_string,
    "The guest's new pretty host name", "TEXT" },
  { "new-machine-id", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, set_flag,
    "A new random machine-id, of the guest's choosing", NULL },
  { "machine-id", 0, 0, G_OPTION_ARG_CALLBACK, set_string,
    "The guest's new machine-id (32 lowercase hex digits)", "ID" },
  { "rotate-ssh-keys", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, set_flag,
    "Make new SSH host keys", NULL },
  { "reset-network", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, set_flag,
    "Forget DHCP leases and persistent interface names, restart the network manager", NULL },
  { "seed-from-host", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, set_flag,
    "Send 512 bytes of this host's randomness for the guest's random seed", NULL },
  { NULL, },
};

static GBytes *
read_host_randomness (gsize    size,
                      GError **error)
{
  g_autofree guint8 *buffer = g_malloc (size);
  gsize done = 0;

  /* Reads above 256 bytes may come back short when a signal arrives. */
  while (done < size)
    {
      ssize_t n = getrandom (buffer + done, size - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot read this host's randomness: %s", g_strerror (saved_errno));
          return NULL;
        }
      done += (gsize) n;
    }
  return g_bytes_new_take (g_steal_pointer (&buffer), size);
}

static GuestlinkIdentityRequest *
request_from_options (const CliIdentityOptions *options,
                      GBytes                   *seed)
{
  g_autoptr(GuestlinkIdentityRequest) request = guestlink_identity_request_new (options->instance_id);

  guestlink_identity_request_set_host_name (request, options->host_name);
  guestlink_identity_request_set_pretty_host_name (request, options->pretty_host_name);
  guestlink_identity_request_set_machine_id (request, options->machine_id);
  guestlink_identity_request_set_regenerate_machine_id (request, options->new_machine_id);
  guestlink_identity_request_set_rotate_ssh_host_keys (request, options->rotate_ssh_keys);
  guestlink_identity_request_set_reset_network_state (request, options->reset_network);
  guestlink_identity_request_set_random_seed (request, seed);
  return g_steal_pointer (&request);
}

static gboolean
boolean_member (JsonObject *object,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

/* The number of failed steps. */
static guint
print_steps (JsonArray *steps)
{
  int width = 0;
  guint n_failed = 0;

  for (guint i = 0; i < json_array_get_length (steps); i++)
    width = MAX (width, (int) strlen (cli_string (cli_element_object (steps, i), "name")));

  g_print ("Steps:\n");
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *step = cli_element_object (steps, i);
      const char *status = cli_string (step, "status");
      const char *detail = cli_string (step, "detail");
      const char *error = cli_string (step, "error");
      g_autofree char *text = NULL;

      if (g_str_equal (status, "failed"))
        n_failed++;
      if (error != NULL && detail != NULL)
        text = g_strdup_printf ("%s: %s", detail, error);
      else
        text = g_strdup (error != NULL ? error : detail != NULL ? detail : "");
      if (*text == '\0')
        g_print ("  %-*s  %s\n", width, cli_string (step, "name"), status);
      else
        g_print ("  %-*s  %-7s  %s\n", width, cli_string (step, "name"), status, text);
    }
  return n_failed;
}

/* Under the name the guest has now, read after the steps: the one a
 * host will reach it by. */
static void
print_known_hosts (JsonObject *identity)
{
  JsonArray *keys = cli_array (identity, "ssh-host-keys");
  const char *host = cli_string (identity, "host-name");

  if (keys == NULL || json_array_get_length (keys) == 0)
    return;
  if (!cli_is_plain_host_name (host))
    {
      g_printerr ("%s: set-identity: the guest's host name is not a plain host name; "
                  "'guestlink ssh-keys --host NAME' prints its known_hosts lines\n",
                  g_get_prgname ());
      return;
    }
  g_print ("\nknown_hosts:\n");
  cli_print_known_hosts (host, keys, FALSE);
}

static int
print_result (JsonObject *result)
{
  JsonObject *rotation = cli_object (result, "ssh-host-keys");
  guint n_failed;

  g_print ("Instance ID: %s%s\n", cli_string (result, "instance-id"),
           boolean_member (result, "resumed") ? " (resumed: steps done before were kept)" : "");
  n_failed = print_steps (cli_array (result, "steps"));
  if (rotation != NULL)
    cli_print_rotation (rotation);
  g_print ("Reboot required: %s\n",
           boolean_member (result, "reboot-required")
             ? "yes (the machine-id changed: PID 1 and D-Bus keep the old one until a reboot)"
             : "no");
  g_print ("\nNew identity:\n");
  cli_print_identity (cli_object (result, "identity"));
  print_known_hosts (cli_object (result, "identity"));

  if (boolean_member (result, "complete"))
    return STATUS_OK;
  g_printerr ("%s: set-identity: not complete (%u failed step%s): the same command "
              "again retries the steps not done\n", g_get_prgname (), n_failed,
              n_failed == 1 ? "" : "s");
  return STATUS_AGENT_ERROR;
}

/* --json: the reply as it came, and the exit status of an incomplete
 * change all the same. */
static int
call_and_print_json (Cli                   *cli,
                     const RequestIdentity *identity)
{
  g_autoptr(JsonObject) arguments = request_arguments_set_identity (identity);
  g_autoptr(JsonNode) result = NULL;
  int status;

  status = call_and_print_result (cli, SET_IDENTITY, arguments, FALSE, &result);
  if (status != STATUS_OK)
    return status;
  if (!JSON_NODE_HOLDS_OBJECT (result) ||
      !boolean_member (json_node_get_object (result), "complete"))
    return STATUS_AGENT_ERROR;
  return STATUS_OK;
}

int
cli_set_identity (Cli   *cli,
                  char **args)
{
  const CliIdentityOptions *options = &cli->identity;
  g_autoptr(GuestlinkIdentityRequest) request = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GBytes) seed = NULL;
  g_autoptr(GError) error = NULL;

  if (options->instance_id == NULL)
    return usage_error ("set-identity: --instance-id is required");
  if (options->machine_id != NULL && options->new_machine_id)
    return usage_error ("set-identity: --machine-id and --new-machine-id cannot be used together");

  if (options->seed_from_host)
    {
      seed = read_host_randomness (HOST_SEED_SIZE, &error);
      if (seed == NULL)
        {
          g_printerr ("%s: set-identity: %s\n", g_get_prgname (), error->message);
          return STATUS_USAGE;
        }
    }

  if (cli->json)
    {
      const RequestIdentity identity = {
        .instance_id = options->instance_id,
        .host_name = options->host_name,
        .pretty_host_name = options->pretty_host_name,
        .machine_id = options->machine_id,
        .regenerate_machine_id = options->new_machine_id,
        .rotate_ssh_host_keys = options->rotate_ssh_keys,
        .reset_network_state = options->reset_network,
        .random_seed = seed,
      };

      return call_and_print_json (cli, &identity);
    }

  request = request_from_options (options, seed);
  result = guestlink_client_set_identity (cli->client, request, NULL, &error);
  if (result == NULL)
    return report_error (SET_IDENTITY, error);
  return print_result (json_node_get_object (result));
}
