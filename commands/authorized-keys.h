/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * authorized-keys: the text of an OpenSSH authorized_keys file, as the
 * guest-ssh-*-authorized-keys commands read and edit it. Pure text work,
 * no files: ssh-authorized-keys.c does the (careful) file handling.
 *
 * A key given by the host is one line, "[OPTIONS] TYPE BASE64 [COMMENT]"
 * as sshd(8) reads authorized_keys, whose key part must be a valid public
 * key (ssh_public_key_parse). Two lines hold the same entry when their
 * options, type and key agree; comments do not count, so adding a key
 * again under another comment adds nothing, and removing a key removes
 * it whatever its comment. Lines that are not keys (comments, blank
 * lines, anything unparsable) are kept as they are, in place.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* sshd reads lines of any length, but a public key line is a few KiB at
 * most (RSA-16384); anything longer is not a key. */
#define AUTHORIZED_KEYS_MAX_LINE (16 * 1024)

/* The entry @line (one line, no newline) holds: "OPTIONS\tTYPE BASE64"
 * with OPTIONS possibly empty, or NULL with @error set when @line is not
 * a valid key line. Leading and trailing blanks are ignored. */
char *authorized_keys_line_identity (const char  *line,
                                     GError     **error);

typedef enum {
  AUTHORIZED_KEYS_ADD,        /* append the keys not present yet */
  AUTHORIZED_KEYS_RESET,      /* the file becomes exactly the keys */
  AUTHORIZED_KEYS_REMOVE,     /* drop the lines holding one of the keys */
} AuthorizedKeysEdit;

/* The new file for @contents (NULL: no file yet) after @edit with @keys,
 * each a valid key line (authorized_keys_line_identity()), stored with
 * its blanks stripped. Lines come out '\n'-terminated. @out_changed:
 * whether the file must be written. */
char *authorized_keys_edit (const char          *contents,
                            AuthorizedKeysEdit   edit,
                            const char * const  *keys,
                            gboolean            *out_changed);

/* What guest-ssh-get-authorized-keys lists, as qemu-ga does: every line
 * with its blanks stripped, except empty lines and comments. In file
 * order. */
GPtrArray *authorized_keys_list (const char *contents);

G_END_DECLS
