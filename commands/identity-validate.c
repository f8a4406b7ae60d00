/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "identity-validate.h"

#define HOST_NAME_MAX_LENGTH 253
#define HOST_LABEL_MAX_LENGTH 63
#define PRETTY_HOST_NAME_MAX_LENGTH 255
#define MACHINE_ID_LENGTH 32
#define INSTANCE_ID_MAX_LENGTH 128
#define RANDOM_SEED_MAX_BYTES 4096

static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                format, args));
  va_end (args);
  return FALSE;
}

gboolean
identity_validate_host_name (const char  *name,
                             GError     **error)
{
  gsize length;
  gsize label_start = 0;

  g_return_val_if_fail (name != NULL, FALSE);

  length = strlen (name);
  if (length == 0)
    return invalid (error, "it is empty");
  if (length > HOST_NAME_MAX_LENGTH)
    return invalid (error, "it is %" G_GSIZE_FORMAT " characters long, more than %d",
                    length, HOST_NAME_MAX_LENGTH);

  for (gsize i = 0; i <= length; i++)
    {
      char c = name[i];
      gsize label_length;

      if (c != '.' && c != '\0')
        {
          if (!(g_ascii_islower (c) || g_ascii_isdigit (c) || c == '-'))
            return invalid (error, "character %" G_GSIZE_FORMAT " is not one of a-z, 0-9, "
                            "'-' and '.'", i + 1);
          continue;
        }

      label_length = i - label_start;
      if (label_length == 0)
        return invalid (error, "it has an empty label");
      if (label_length > HOST_LABEL_MAX_LENGTH)
        return invalid (error, "a label is %" G_GSIZE_FORMAT " characters long, more than %d",
                        label_length, HOST_LABEL_MAX_LENGTH);
      if (name[label_start] == '-' || name[i - 1] == '-')
        return invalid (error, "a label starts or ends with '-'");
      label_start = i + 1;
    }

  return TRUE;
}

gboolean
identity_validate_pretty_host_name (const char  *name,
                                    GError     **error)
{
  gsize length;

  g_return_val_if_fail (name != NULL, FALSE);

  length = strlen (name);
  if (length > PRETTY_HOST_NAME_MAX_LENGTH)
    return invalid (error, "it is %" G_GSIZE_FORMAT " bytes long, more than %d",
                    length, PRETTY_HOST_NAME_MAX_LENGTH);
  if (!g_utf8_validate (name, -1, NULL))
    return invalid (error, "it is not UTF-8");
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return invalid (error, "character %ld is a control character",
                      g_utf8_pointer_to_offset (name, p) + 1);

  return TRUE;
}

gboolean
identity_validate_machine_id (const char  *machine_id,
                              GError     **error)
{
  gboolean all_zero = TRUE;

  g_return_val_if_fail (machine_id != NULL, FALSE);

  if (strlen (machine_id) != MACHINE_ID_LENGTH)
    return invalid (error, "it is not %d hexadecimal digits", MACHINE_ID_LENGTH);
  for (const char *c = machine_id; *c != '\0'; c++)
    {
      if (!g_ascii_isxdigit (*c) || g_ascii_isupper (*c))
        return invalid (error, "it is not %d lowercase hexadecimal digits", MACHINE_ID_LENGTH);
      all_zero &= *c == '0';
    }
  if (all_zero)
    return invalid (error, "it is all zeros");

  return TRUE;
}

gboolean
identity_validate_instance_id (const char  *instance_id,
                               GError     **error)
{
  gsize length;

  g_return_val_if_fail (instance_id != NULL, FALSE);

  length = strlen (instance_id);
  if (length == 0)
    return invalid (error, "it is empty");
  if (length > INSTANCE_ID_MAX_LENGTH)
    return invalid (error, "it is %" G_GSIZE_FORMAT " bytes long, more than %d",
                    length, INSTANCE_ID_MAX_LENGTH);
  for (gsize i = 0; i < length; i++)
    if (instance_id[i] < 0x20 || instance_id[i] > 0x7e)
      return invalid (error, "byte %" G_GSIZE_FORMAT " is not printable ASCII", i + 1);

  return TRUE;
}

static gboolean
is_base64_text (const char *text)
{
  gsize length = strlen (text);
  gsize padding = 0;

  if (length == 0 || length % 4 != 0)
    return FALSE;
  while (padding < 2 && text[length - 1 - padding] == '=')
    padding++;
  for (gsize i = 0; i < length - padding; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/')
      return FALSE;
  return TRUE;
}

GBytes *
identity_decode_random_seed (const char  *base64,
                             GError     **error)
{
  guchar *data;
  gsize length;

  g_return_val_if_fail (base64 != NULL, NULL);

  /* g_base64_decode() skips what is not base64; the host's mistake must
   * not become a shorter seed in silence. */
  if (!is_base64_text (base64))
    {
      invalid (error, "it is not base64");
      return NULL;
    }
  /* Checked on the text first: no 16 MiB decode to refuse it after. */
  if (strlen (base64) / 4 * 3 > RANDOM_SEED_MAX_BYTES + 2)
    {
      invalid (error, "it is more than %d bytes", RANDOM_SEED_MAX_BYTES);
      return NULL;
    }

  data = g_base64_decode (base64, &length);
  if (length == 0 || length > RANDOM_SEED_MAX_BYTES)
    {
      g_free (data);
      if (length == 0)
        invalid (error, "it is empty");
      else
        invalid (error, "it is more than %d bytes", RANDOM_SEED_MAX_BYTES);
      return NULL;
    }
  return g_bytes_new_take (data, length);
}
