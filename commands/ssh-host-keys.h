/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ssh-host-keys: the SSH host keys of a directory (normally /etc/ssh), read
 * from their ssh_host_*_key.pub files, with the fingerprints a host puts
 * next to known_hosts entries. Fingerprints are computed here, exactly as
 * `ssh-keygen -lf` prints them, rather than by running ssh-keygen: reading
 * keys needs no subprocess and works on guests without openssh-client.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SSH_HOST_KEYS_ERROR (ssh_host_keys_error_quark ())
GQuark ssh_host_keys_error_quark (void);

typedef enum {
  SSH_HOST_KEYS_ERROR_MALFORMED,   /* not a "TYPE BASE64 [COMMENT]" key line */
} SshHostKeysError;

typedef struct {
  char *path;          /* the private key: the .pub path without ".pub" */
  /* Either the key, or the reason it could not be read. */
  char *type;          /* "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ... */
  char *public_key;    /* "TYPE BASE64", a known_hosts entry without host */
  char *fingerprint;   /* "SHA256:" + unpadded base64 */
  char *error;
} SshHostKey;

void ssh_host_key_free (SshHostKey *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SshHostKey, ssh_host_key_free)

/* Parses the first key line of an OpenSSH public key file: @out_type is
 * its type and @out_blob the decoded key, whose embedded type must agree
 * with the line's. */
gboolean ssh_public_key_parse (const char  *text,
                               char       **out_type,
                               GBytes     **out_blob,
                               GError     **error);

/* "SHA256:" + the unpadded base64 of SHA-256 over @blob. */
char *ssh_public_key_fingerprint (GBytes *blob);

/* The keys of @dir's ssh_host_*_key.pub files, sorted by path; a file that
 * cannot be read or parsed gives an entry with only path and error. A
 * missing @dir has no keys. */
GPtrArray *ssh_host_keys_list (const char  *dir,
                               GError     **error);

/* [{"type", "path", "public-key", "fingerprint"} or {"path", "error"}] */
JsonNode *ssh_host_keys_to_json (GPtrArray *keys);

G_END_DECLS
