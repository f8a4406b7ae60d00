/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * request-arguments: the "arguments" of the requests that both the typed
 * wrappers and the guestlink command's --json send, built in one place so
 * that the two send the same bytes. Compiled into the library (private)
 * and into the guestlink executable.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* guest-fsfreeze-freeze for every filesystem (@mountpoints NULL), else
 * guest-fsfreeze-freeze-list. */
const char *request_arguments_freeze_command (const char * const *mountpoints);
/* NULL (no arguments) when @mountpoints is NULL. */
JsonObject *request_arguments_freeze (const char * const *mountpoints);
/* NULL when @minimum is negative: the agent's default. */
JsonObject *request_arguments_fstrim (gint64 minimum);
/* guest-ssh-*-authorized-keys: @keys may be NULL (get); "reset" is only
 * sent when TRUE. */
JsonObject *request_arguments_authorized_keys (const char         *username,
                                               const char * const *keys,
                                               gboolean            reset);

/* __org.guestlink_ssh-rotate-host-keys: NULL (every configured type)
 * when @types is NULL. */
JsonObject *request_arguments_rotate_host_keys (const char * const *types);

/* __org.guestlink_set-identity. Members are sent only when set (strings
 * not NULL, flags TRUE, a seed given), so the request says exactly what
 * the caller asked for; the seed goes as base64. */
typedef struct
{
  const char *instance_id;
  const char *host_name;
  const char *pretty_host_name;
  const char *machine_id;
  gboolean regenerate_machine_id;
  gboolean rotate_ssh_host_keys;
  gboolean reset_network_state;
  GBytes *random_seed;
} RequestIdentity;

JsonObject *request_arguments_set_identity (const RequestIdentity *identity);

G_END_DECLS
