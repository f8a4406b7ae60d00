/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity-request: the arguments of __org.guestlink_set-identity,
 * checked whole before anything changes, and the digest that tells a
 * retry of a request from a different request under the same
 * instance-id.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char *instance_id;
  char *host_name;            /* NULL: unchanged */
  char *pretty_host_name;     /* NULL: unchanged; "": none */
  char *machine_id;           /* NULL: none given */
  gboolean regenerate_machine_id;
  gboolean rotate_ssh_host_keys;
  gboolean reset_network_state;
  GBytes *random_seed;        /* NULL: none given */
} IdentityRequest;

void identity_request_free (IdentityRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IdentityRequest, identity_request_free)

/* The request in @arguments (types already checked by the dispatcher),
 * or NULL with a GenericError naming the parameter that is wrong:
 * "Parameter 'host-name' is invalid: it has an empty label". */
IdentityRequest *identity_request_new (JsonObject  *arguments,
                                       GError     **error);

/* SHA-256, in hex, of the request in a canonical form: every parameter
 * in a fixed order, absent ones and defaults spelled the same, and of
 * the random seed only whether there is one (a retry brings fresh
 * randomness). The journal keeps this instead of the request. */
char *identity_request_digest (const IdentityRequest *request);

G_END_DECLS
