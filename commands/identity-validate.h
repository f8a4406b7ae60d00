/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity-validate: what the host may hand us for a new identity. The
 * host is not fully trusted and these values end up in /etc, in the
 * kernel and in every log line: each is checked whole before anything
 * changes, and a bad one is an error that says what is wrong with it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 1123 host names: dot-separated labels of 1 to 63 characters of
 * [a-z0-9-], none starting or ending with '-', 253 characters at most. */
gboolean identity_validate_host_name (const char  *name,
                                      GError     **error);

/* Free text for people (machine-info(5) PRETTY_HOSTNAME): UTF-8 without
 * control characters, so it stays one line in machine-info, and at most
 * 255 bytes, as a host name for display need not be longer. Empty is
 * valid: no pretty name. */
gboolean identity_validate_pretty_host_name (const char  *name,
                                             GError     **error);

/* 32 lowercase hexadecimal digits, not all zero (systemd's rule: zero
 * means "not yet initialised"). */
gboolean identity_validate_machine_id (const char  *machine_id,
                                       GError     **error);

/* 1 to 128 printable ASCII characters: it is kept in the state directory
 * and compared, never interpreted. */
gboolean identity_validate_instance_id (const char  *instance_id,
                                        GError     **error);

/* Base64 of 1 to 4096 bytes; returns the bytes, or NULL with @error. */
GBytes *identity_decode_random_seed (const char  *base64,
                                     GError     **error);

G_END_DECLS
