/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "authorized-keys.h"

#include <string.h>

#include "ssh-host-keys.h"

static gpointer
set_invalid (GError     **error,
             const char  *reason)
{
  g_set_error_literal (error, SSH_HOST_KEYS_ERROR, SSH_HOST_KEYS_ERROR_MALFORMED, reason);
  return NULL;
}

/* The end of sshd's options field: the first blank outside double quotes,
 * with \" escaping a quote (sshkey_advance_past_options() in OpenSSH).
 * NULL when a quote is left open. */
static const char *
skip_options (const char *line)
{
  gboolean quoted = FALSE;
  const char *p;

  for (p = line; *p != '\0' && (quoted || (*p != ' ' && *p != '\t')); p++)
    {
      if (p[0] == '\\' && p[1] == '"')
        p++;
      else if (*p == '"')
        quoted = !quoted;
    }
  return quoted ? NULL : p;
}

static gboolean
looks_like_key_type (const char *word)
{
  return g_str_has_prefix (word, "ssh-") || g_str_has_prefix (word, "ecdsa-")
         || g_str_has_prefix (word, "sk-");
}

static char *
identity_for (const char *options,
              const char *key_text,
              GError    **error)
{
  g_autofree char *type = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autofree char *encoded = NULL;

  if (!ssh_public_key_parse (key_text, &type, &blob, error))
    return NULL;
  encoded = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  return g_strconcat (options, "\t", type, " ", encoded, NULL);
}

char *
authorized_keys_line_identity (const char  *line,
                               GError     **error)
{
  g_autofree char *stripped = NULL;
  g_autoptr(GError) plain_error = NULL;
  g_autoptr(GError) options_error = NULL;
  g_autofree char *options = NULL;
  const char *options_end, *rest;
  char *identity;

  g_return_val_if_fail (line != NULL, NULL);

  if (strlen (line) > AUTHORIZED_KEYS_MAX_LINE)
    return set_invalid (error, "The line is too long");
  /* A newline would smuggle a second entry in; other control characters
   * have no place in a key line either. */
  for (const char *p = line; *p != '\0'; p++)
    if (((guchar) *p < 0x20 && *p != '\t') || *p == 0x7f)
      return set_invalid (error, "The line has a control character");

  stripped = g_strstrip (g_strdup (line));
  if (stripped[0] == '\0')
    return set_invalid (error, "The line is empty");
  if (stripped[0] == '#')
    return set_invalid (error, "The line is a comment");

  /* As sshd does: the line is a key, or options and then a key. */
  identity = identity_for ("", stripped, &plain_error);
  if (identity != NULL)
    return identity;

  options_end = skip_options (stripped);
  if (options_end == NULL)
    return set_invalid (error, "Unterminated quote in the options");
  options = g_strndup (stripped, (gsize) (options_end - stripped));
  rest = options_end + strspn (options_end, " \t");
  if (*rest != '\0')
    {
      identity = identity_for (options, rest, &options_error);
      if (identity != NULL)
        return identity;
    }

  /* Whichever attempt got further explains the line best. */
  if (options_error != NULL && looks_like_key_type (rest))
    g_propagate_error (error, g_steal_pointer (&options_error));
  else
    g_propagate_error (error, g_steal_pointer (&plain_error));
  return NULL;
}

/* The lines of @contents without their '\n'; the last one too when the
 * file does not end in a newline. */
static GPtrArray *
split_lines (const char *contents)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  const char *start = contents;

  while (start != NULL && *start != '\0')
    {
      const char *end = strchr (start, '\n');

      if (end == NULL)
        {
          g_ptr_array_add (lines, g_strdup (start));
          break;
        }
      g_ptr_array_add (lines, g_strndup (start, (gsize) (end - start)));
      start = end + 1;
    }
  return lines;
}

char *
authorized_keys_edit (const char          *contents,
                      AuthorizedKeysEdit   edit,
                      const char * const  *keys,
                      gboolean            *out_changed)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) identities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean changed = contents == NULL && edit != AUTHORIZED_KEYS_REMOVE;

  g_return_val_if_fail (keys != NULL, NULL);

  lines = edit == AUTHORIZED_KEYS_RESET ? g_ptr_array_new_with_free_func (g_free)
                                        : split_lines (contents);
  if (edit == AUTHORIZED_KEYS_RESET)
    changed = TRUE;

  if (edit == AUTHORIZED_KEYS_REMOVE)
    for (gsize i = 0; keys[i] != NULL; i++)
      {
        char *identity = authorized_keys_line_identity (keys[i], NULL);

        if (identity != NULL)
          g_hash_table_add (identities, identity);
      }

  for (guint i = 0; i < lines->len; i++)
    {
      char *line = g_ptr_array_index (lines, i);
      g_autofree char *identity = authorized_keys_line_identity (line, NULL);

      if (edit == AUTHORIZED_KEYS_REMOVE)
        {
          if (identity != NULL && g_hash_table_contains (identities, identity))
            {
              changed = TRUE;
              continue;
            }
        }
      else if (identity != NULL)
        {
          g_hash_table_add (identities, g_steal_pointer (&identity));
        }
      g_ptr_array_add (kept, g_strdup (line));
    }

  if (edit != AUTHORIZED_KEYS_REMOVE)
    for (gsize i = 0; keys[i] != NULL; i++)
      {
        g_autofree char *identity = authorized_keys_line_identity (keys[i], NULL);

        g_return_val_if_fail (identity != NULL, NULL);
        if (g_hash_table_contains (identities, identity))
          continue;
        g_hash_table_add (identities, g_steal_pointer (&identity));
        g_ptr_array_add (kept, g_strstrip (g_strdup (keys[i])));
        changed = TRUE;
      }

  for (guint i = 0; i < kept->len; i++)
    {
      g_string_append (text, g_ptr_array_index (kept, i));
      g_string_append_c (text, '\n');
    }

  if (out_changed != NULL)
    *out_changed = changed;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

GPtrArray *
authorized_keys_list (const char *contents)
{
  g_autoptr(GPtrArray) lines = split_lines (contents);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < lines->len; i++)
    {
      char *line = g_strstrip ((char *) g_ptr_array_index (lines, i));

      if (line[0] == '\0' || line[0] == '#')
        continue;
      g_ptr_array_add (keys, g_strdup (line));
    }
  return keys;
}
