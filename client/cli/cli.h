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
} SubCommand;

/* Prints @error, prefixed with @command when the agent refused it, and
 * returns the exit status for it. */
int report_error (const char   *command,
                  const GError *error);
/* --json output: the agent's return value for @command as it came. */
int call_and_print (Cli        *cli,
                    const char *command,
                    JsonObject *arguments,
                    gboolean    pretty);

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
