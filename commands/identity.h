/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity: who this guest is, as __org.guestlink_get-identity answers it.
 * Everything is read below a root directory, "/" in the agent, so that the
 * reading and parsing can be tested on a tree of fixture files.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The reply of __org.guestlink_get-identity for the system below @root.
 * Symlinks are followed as the kernel follows them: an absolute link in a
 * @root other than "/" points outside it. Never fails: what cannot be read
 * is omitted or described by a "-state" member (README.md). */
JsonNode *identity_collect (const char *root);

/* os-release(5) below @root as KEY -> unquoted value, read with
 * small-file's bounds (never blocking on a FIFO); NULL when neither
 * /etc/os-release nor /usr/lib/os-release can be read. */
GHashTable *identity_read_os_release (const char *root);

G_END_DECLS
