/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli: what the guestlink sub-commands share. Each family of sub-commands
 * lives in a file of its own; guestlink.c holds the table and main().
 */
#pragma once

#include <guestlink-1/guestlink.h>

/* Exit statuses, so scripts can tell "the agent said no" from "no agent". */
enum
{
  STATUS_OK = 0,
  STATUS_AGENT_ERROR = 1,
  STATUS_USAGE = 2,
  STATUS_CONNECTION = 3,
};

/* set-identity's options. */
typedef struct
{
  char *instance_id;
  char *host_name;
  char *pretty_host_name;
  char *machine_id;
  gboolean new_machine_id;
  gboolean rotate_ssh_keys;
  gboolean reset_network;
  gboolean seed_from_host;
} CliIdentityOptions;

typedef struct
{
  GuestlinkClient *client;
  gboolean json;
  gboolean counters;   /* interfaces: traffic counters too */
  /* Set by the commands' own options (SubCommand.options), whose
   * callbacks get the Cli as their data. */
  GPtrArray *mountpoints;  /* freeze: (element-type utf8) NULL-terminated, or NULL */
  gint64 minimum;          /* fstrim: -1 unless given */
  gboolean reset;          /* authorized-keys add: replace the file */
  char *host;              /* ssh-keys: the host name of known_hosts lines, or NULL */
  GPtrArray *types;        /* ssh-keys rotate: (element-type utf8) NULL-terminated, or NULL */
  CliIdentityOptions identity;
} Cli;

typedef int (*SubCommandFunc) (Cli   *cli,
                               char **args);

typedef struct
{
  const char *name;
  const char *synopsis;  /* its arguments and options, for --help */
  guint n_args;          /* positional arguments */
  SubCommandFunc run;
  const char *summary;
  const GOptionEntry *options;  /* (nullable): its own options */
  gboolean more_args;    /* n_args or more positional arguments */
  /* Without --timeout, for commands that take longer than
   * GUESTLINK_CLIENT_DEFAULT_TIMEOUT_MSEC; 0 leaves the library's. */
  int default_timeout_msec;
} SubCommand;

/* For the commands that make keys or restart services in the guest. */
#define CLI_SLOW_TIMEOUT_MSEC (120 * 1000)

/* Prints @error, prefixed with @command when the agent refused it, and
 * returns the exit status for it. */
int report_error (const char   *command,
                  const GError *error);
/* Prints the message and a pointer to --help on stderr; returns
 * STATUS_USAGE. */
int usage_error (const char *format,
                 ...) G_GNUC_PRINTF (1, 2);
/* --json output: the agent's return value for @command as it came. */
int call_and_print (Cli        *cli,
                    const char *command,
                    JsonObject *arguments,
                    gboolean    pretty);
/* The same, also handing the return value to the caller in
 * @out_result (when the status is STATUS_OK). */
int call_and_print_result (Cli         *cli,
                           const char  *command,
                           JsonObject  *arguments,
                           gboolean     pretty,
                           JsonNode   **out_result);

/* json-access.c: members of the agent's replies, NULL (or @fallback)
 * unless present with the expected type. */
const char *cli_string (JsonObject *object,
                        const char *name);
gint64 cli_int (JsonObject *object,
                const char *name,
                gint64      fallback);
double cli_number (JsonObject *object,
                   const char *name,
                   double      fallback);
JsonObject *cli_object (JsonObject *object,
                        const char *name);
JsonArray *cli_array (JsonObject *object,
                      const char *name);
JsonObject *cli_element_object (JsonArray *array,
                                guint      index);

/* system.c */
int cli_hostname (Cli   *cli,
                  char **args);
int cli_osinfo (Cli   *cli,
                char **args);
int cli_users (Cli   *cli,
               char **args);
int cli_time (Cli   *cli,
              char **args);

/* network.c */
int cli_interfaces (Cli   *cli,
                    char **args);

/* identity.c */
int cli_identity (Cli   *cli,
                  char **args);
/* The get-identity reply, as `guestlink identity` shows it. */
void cli_print_identity (JsonObject *identity);

/* set-identity.c */
extern const GOptionEntry cli_set_identity_options[];
int cli_set_identity (Cli   *cli,
                      char **args);

/* filesystem.c */
extern const GOptionEntry cli_freeze_options[];
extern const GOptionEntry cli_fstrim_options[];
int cli_freeze (Cli   *cli,
                char **args);
int cli_thaw (Cli   *cli,
              char **args);
int cli_freeze_status (Cli   *cli,
                       char **args);
int cli_fstrim (Cli   *cli,
                char **args);
int cli_fsinfo (Cli   *cli,
                char **args);

/* ssh.c */
extern const GOptionEntry cli_authorized_keys_options[];
int cli_authorized_keys (Cli   *cli,
                         char **args);

/* ssh-keys.c */
extern const GOptionEntry cli_ssh_keys_options[];
int cli_ssh_keys (Cli   *cli,
                  char **args);
/* TRUE if @name (nullable), which the guest sent, is a plain host name
 * (letters, digits, '-', '.', '_'): one that can go into known_hosts. */
gboolean cli_is_plain_host_name (const char *name);
/* "HOST TYPE BASE64" for each key of @keys (an ssh-get-host-keys or
 * rotate "keys" array) whose public key is one such line; with
 * @fingerprints, each after a "# FINGERPRINT PATH" comment. Keys that
 * cannot be one are named on stderr. */
void cli_print_known_hosts (const char *host,
                            JsonArray  *keys,
                            gboolean    fingerprints);
/* The fingerprints of a rotate reply, old -> new, and sshd's reload. */
void cli_print_rotation (JsonObject *rotation);
