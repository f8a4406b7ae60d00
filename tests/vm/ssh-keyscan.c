/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ssh-keyscan.h"

#include <stdio.h>
#include <string.h>

#include "vm.h"

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The key types ssh-keyscan asks for by default. Asked all at once, it
 * opens a connection per type concurrently, and under TCG one of them
 * regularly stalls until the timeout: in the Debian guest 3 of 4 full
 * scans lost a key after 30 s, while 9 of 9 single-type scans answered in
 * 0.5 to 0.7 s. So: one type at a time. */
static const char * const scanned_types[] = { "rsa", "ecdsa", "ed25519", "ecdsa-sk", "ed25519-sk" };

/* Adds the "TYPE BASE64" lines of one scan of @type to @keys, and what
 * ssh-keyscan said besides its "# host banner" lines to @complaints. */
static gboolean
scan_type (const char  *port,
           const char  *type,
           GPtrArray   *keys,
           GString     *complaints,
           GError     **error)
{
  const char *argv[] = { "ssh-keyscan", "-T", "30", "-t", type, "-p", port, "127.0.0.1", NULL };
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) error_lines = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &output, &errors, NULL, error))
    return FALSE;
  lines = g_strsplit (output, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      /* "[127.0.0.1]:PORT TYPE BASE64" */
      g_auto(GStrv) words = g_strsplit (*line, " ", 3);

      if (**line != '#' && g_strv_length (words) == 3)
        g_ptr_array_add (keys, g_strdup_printf ("%s %s", words[1], words[2]));
    }
  error_lines = g_strsplit (errors, "\n", -1);
  for (char **line = error_lines; *line != NULL; line++)
    if (**line != '\0' && **line != '#')
      g_string_append_printf (complaints, "%s%s: %s", complaints->len > 0 ? "; " : "", type, *line);
  return TRUE;
}

GPtrArray *
ssh_keyscan_loopback (guint    port,
                      GError **error)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) complaints = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (scanned_types); i++)
    if (!scan_type (port_text, scanned_types[i], keys, complaints, error))
      return NULL;

  /* "Connection closed", a timeout: the log of a retried scan says why. */
  if (complaints->len > 0)
    {
      g_autofree char *quoted = g_strescape (complaints->str, NULL);

      printf ("# ssh-keyscan said: %s\n", quoted);
    }
  if (keys->len == 0)
    {
      vm_fail (error, "ssh-keyscan found no host key on port %u: %s", port, complaints->str);
      return NULL;
    }
  g_ptr_array_sort (keys, compare_strings);
  return g_steal_pointer (&keys);
}

gboolean
ssh_keyscan_check_serves (guint       port,
                          JsonArray  *keys,
                          guint       attempts,
                          GError    **error)
{
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  g_autoptr(GPtrArray) served = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) scan_error = NULL;

  g_return_val_if_fail (attempts > 0, FALSE);

  for (guint i = 0; i < json_array_get_length (keys); i++)
    g_ptr_array_add (expected, (gpointer) json_object_get_string_member (
                       json_array_get_object_element (keys, i), "public-key"));
  g_ptr_array_sort (expected, compare_strings);

  /* A key served once is served: the scans add up. */
  for (guint attempt = 1; attempt <= attempts && served->len < expected->len; attempt++)
    {
      g_autoptr(GPtrArray) scan = NULL;

      g_clear_error (&scan_error);
      scan = ssh_keyscan_loopback (port, &scan_error);
      for (guint i = 0; scan != NULL && i < scan->len; i++)
        if (!g_ptr_array_find_with_equal_func (served, g_ptr_array_index (scan, i), g_str_equal, NULL))
          g_ptr_array_add (served, g_strdup (g_ptr_array_index (scan, i)));
      if (served->len < expected->len)
        printf ("# ssh-keyscan attempt %u: %u of %u keys so far%s%s\n", attempt, served->len,
                expected->len, scan_error != NULL ? ": " : "",
                scan_error != NULL ? scan_error->message : "");
    }
  if (served->len == 0 && scan_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&scan_error));
      return FALSE;
    }

  g_ptr_array_sort (served, compare_strings);
  for (guint i = 0; i < expected->len; i++)
    if (!g_ptr_array_find_with_equal_func (served, g_ptr_array_index (expected, i), g_str_equal, NULL))
      return vm_fail (error, "sshd does not serve %.60s..., a key the agent returned",
                      (const char *) g_ptr_array_index (expected, i));
  if (served->len != expected->len)
    return vm_fail (error, "sshd serves %u host keys, the agent returned %u", served->len,
                    expected->len);
  printf ("# ssh-keyscan through 127.0.0.1:%u shows exactly the %u keys the agent returned\n",
          port, served->len);
  return TRUE;
}
