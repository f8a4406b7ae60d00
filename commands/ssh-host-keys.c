/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ssh-host-keys.h"

#include <string.h>

#include "json-members.h"
#include "small-file.h"

G_DEFINE_QUARK (ssh-host-keys-error-quark, ssh_host_keys_error)

#define PUB_SUFFIX ".pub"

void
ssh_host_key_free (SshHostKey *key)
{
  if (key == NULL)
    return;

  g_free (key->path);
  g_free (key->type);
  g_free (key->public_key);
  g_free (key->fingerprint);
  g_free (key->error);
  g_free (key);
}

static gboolean
set_malformed (GError     **error,
               const char  *reason)
{
  g_set_error_literal (error, SSH_HOST_KEYS_ERROR, SSH_HOST_KEYS_ERROR_MALFORMED, reason);
  return FALSE;
}

static gboolean
is_key_type (const char *word)
{
  if (*word == '\0')
    return FALSE;
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.@", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
is_base64 (const char *word)
{
  gsize length = strlen (word);

  if (length == 0 || length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (word[i]) && strchr ("+/=", word[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* The blob starts with the key type as an SSH string (RFC 4251: a 32-bit
 * big-endian length, then the bytes); a line whose type disagrees with its
 * blob was edited by hand or mangled. */
static gboolean
blob_has_type (const guint8 *data,
               gsize         length,
               const char   *type)
{
  gsize type_length = strlen (type);
  guint32 embedded;

  if (length < 4)
    return FALSE;
  embedded = ((guint32) data[0] << 24) | ((guint32) data[1] << 16)
             | ((guint32) data[2] << 8) | (guint32) data[3];
  return embedded == type_length && length - 4 >= type_length
         && memcmp (data + 4, type, type_length) == 0;
}

/* How many SSH strings follow the type in each key format (RFC 4253,
 * RFC 5656, RFC 8709, OpenSSH's PROTOCOL.u2f), and for ed25519 the
 * length of its one key string. */
static const struct {
  const char *type;
  guint n_fields;
  guint32 first_field_length;   /* 0: any */
} key_formats[] = {
  { "ssh-ed25519", 1, 32 },
  { "ssh-rsa", 2, 0 },
  { "ssh-dss", 4, 0 },
  { "ecdsa-sha2-nistp256", 2, 0 },
  { "ecdsa-sha2-nistp384", 2, 0 },
  { "ecdsa-sha2-nistp521", 2, 0 },
  { "sk-ssh-ed25519@openssh.com", 2, 32 },
  { "sk-ecdsa-sha2-nistp256@openssh.com", 3, 0 },
};

/*
 * A key that ssh-keygen and sshd would load: after its type, exactly the
 * length-prefixed strings its format has, each within the blob, nothing
 * after them. A truncated .pub must not get a fingerprint that a
 * known_hosts file would then trust.
 */
static gboolean
blob_is_complete (const guint8 *data,
                  gsize         length,
                  const char   *type)
{
  gsize offset = 0;
  guint n_fields = 0;
  guint expected = 1;
  guint32 first_length = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (key_formats); i++)
    if (g_str_equal (key_formats[i].type, type))
      {
        expected = key_formats[i].n_fields;
        first_length = key_formats[i].first_field_length;
      }

  /* Walks the type string too: field 0. */
  while (offset < length)
    {
      guint32 field_length;

      if (length - offset < 4)
        return FALSE;
      field_length = (guint32) data[offset] << 24 | (guint32) data[offset + 1] << 16 |
                     (guint32) data[offset + 2] << 8 | data[offset + 3];
      offset += 4;
      if (field_length > length - offset)
        return FALSE;
      if (n_fields == 1 && first_length != 0 && field_length != first_length)
        return FALSE;
      offset += field_length;
      n_fields++;
    }

  return n_fields == expected + 1;
}

gboolean
ssh_public_key_parse (const char  *text,
                      char       **out_type,
                      GBytes     **out_blob,
                      GError     **error)
{
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) words = NULL;
  const char *key_words[2];
  guint n_words = 0;
  const char *type, *encoded;
  const char *line = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree char *canonical = NULL;
  gsize length = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && line == NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0' && lines[i][0] != '#')
        line = lines[i];
    }
  if (line == NULL)
    return set_malformed (error, "No key line");

  /* Not a regex split: the comment need not be UTF-8. */
  words = g_strsplit_set (line, " \t", -1);
  for (guint i = 0; words[i] != NULL && n_words < G_N_ELEMENTS (key_words); i++)
    if (words[i][0] != '\0')
      key_words[n_words++] = words[i];
  if (n_words < 2)
    return set_malformed (error, "Expected a key type and a base64 key");
  type = key_words[0];
  encoded = key_words[1];
  if (!is_key_type (type))
    return set_malformed (error, "Invalid key type");
  if (!is_base64 (encoded))
    return set_malformed (error, "Invalid base64 key");

  data = g_base64_decode (encoded, &length);
  /* g_base64_decode() skips what it does not know; only text that encodes
   * back to itself is the key the file meant. */
  canonical = g_base64_encode (data, length);
  if (!g_str_equal (canonical, encoded))
    return set_malformed (error, "Invalid base64 key");
  if (!blob_has_type (data, length, type))
    return set_malformed (error, "The key's type does not match its line");
  if (!blob_is_complete (data, length, type))
    return set_malformed (error, "The key is truncated or has trailing data");

  if (out_type != NULL)
    *out_type = g_strdup (type);
  if (out_blob != NULL)
    *out_blob = g_bytes_new_take (g_steal_pointer (&data), length);
  return TRUE;
}

char *
ssh_public_key_fingerprint (GBytes *blob)
{
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  g_autofree char *encoded = NULL;
  const guint8 *data;
  gsize data_length;

  g_return_val_if_fail (blob != NULL, NULL);

  data = g_bytes_get_data (blob, &data_length);
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, data, (gssize) data_length);
  g_checksum_get_digest (checksum, digest, &digest_length);
  encoded = g_base64_encode (digest, digest_length);
  /* ssh-keygen prints base64 without its '=' padding. */
  g_strdelimit (encoded, "=", '\0');
  return g_strconcat ("SHA256:", encoded, NULL);
}

static SshHostKey *
read_key (const char *dir,
          const char *pub_name)
{
  g_autoptr(SshHostKey) key = g_new0 (SshHostKey, 1);
  g_autofree char *pub_path = g_build_filename (dir, pub_name, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *type = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = NULL;

  key->path = g_strndup (pub_path, strlen (pub_path) - strlen (PUB_SUFFIX));
  if (!small_file_read (pub_path, SMALL_FILE_MAX_SIZE, &contents, NULL, &error)
      || !ssh_public_key_parse (contents, &type, &blob, &error))
    {
      key->error = g_strdup_printf ("%s: %s", pub_name, error->message);
      return g_steal_pointer (&key);
    }

  /* Re-encoded rather than copied, so the reply never carries bytes of
   * the file other than the key itself. */
  encoded = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  key->public_key = g_strconcat (type, " ", encoded, NULL);
  key->fingerprint = ssh_public_key_fingerprint (blob);
  key->type = g_steal_pointer (&type);
  return g_steal_pointer (&key);
}

static int
compare_by_path (gconstpointer a,
                 gconstpointer b)
{
  const SshHostKey *key_a = *(const SshHostKey * const *) a;
  const SshHostKey *key_b = *(const SshHostKey * const *) b;

  return strcmp (key_a->path, key_b->path);
}

GPtrArray *
ssh_host_keys_list (const char  *dir,
                    GError     **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) ssh_host_key_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  g_return_val_if_fail (dir != NULL, NULL);

  listing = g_dir_open (dir, 0, &local_error);
  if (listing == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&keys);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* The names sshd's default HostKey lines and ssh-keygen -A use; a
   * certificate (ssh_host_*_key-cert.pub) is not a key of its own. */
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_pattern_match_simple ("ssh_host_*_key" PUB_SUFFIX, name))
      g_ptr_array_add (keys, read_key (dir, name));

  g_ptr_array_sort (keys, compare_by_path);
  return g_steal_pointer (&keys);
}

JsonNode *
ssh_host_keys_to_json (GPtrArray *keys)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (keys != NULL, NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; i < keys->len; i++)
    {
      const SshHostKey *key = g_ptr_array_index (keys, i);
      /* File names are bytes; JSON strings are UTF-8. */
      g_autofree char *path = g_utf8_make_valid (key->path, -1);

      json_builder_begin_object (builder);
      if (key->error != NULL)
        {
          g_autofree char *message = g_utf8_make_valid (key->error, -1);

          json_members_add_nullable_string (builder, "path", path);
          json_members_add_nullable_string (builder, "error", message);
        }
      else
        {
          json_members_add_nullable_string (builder, "type", key->type);
          json_members_add_nullable_string (builder, "path", path);
          json_members_add_nullable_string (builder, "public-key", key->public_key);
          json_members_add_nullable_string (builder, "fingerprint", key->fingerprint);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}
