/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host-name step: hostnamed where it runs, else what it would have
 * done, by hand: /etc/hostname, machine-info's PRETTY_HOSTNAME and the
 * kernel's name (minimal guests and initramfs have no hostnamed).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "atomic-file.h"
#include "hostnamed.h"
#include "identity-steps.h"
#include "small-file.h"
#include "system-bus.h"

#define PRETTY_KEY "PRETTY_HOSTNAME"

/* machine-info(5) is a shell-compatible env file: double quotes with
 * the characters special inside them escaped, as systemd writes it. */
static void
append_quoted (GString    *line,
               const char *value)
{
  g_string_append_c (line, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (strchr ("\"\\`$", *p) != NULL)
        g_string_append_c (line, '\\');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

static gboolean
is_pretty_line (const char *line)
{
  while (g_ascii_isspace (*line))
    line++;
  if (!g_str_has_prefix (line, PRETTY_KEY))
    return FALSE;
  line += strlen (PRETTY_KEY);
  while (*line == ' ' || *line == '\t')
    line++;
  return *line == '=';
}

char *
identity_machine_info_set_pretty (const char *contents,
                                  const char *pretty_name)
{
  g_auto(GStrv) lines = NULL;
  GString *result;
  gboolean written;
  guint n_lines;

  g_return_val_if_fail (pretty_name != NULL, NULL);

  lines = g_strsplit (contents != NULL ? contents : "", "\n", -1);
  n_lines = g_strv_length (lines);
  result = g_string_new (NULL);
  /* Removing: nothing to write. */
  written = pretty_name[0] == '\0';

  /* A final newline leaves an empty last piece: not a line. */
  if (n_lines > 0 && lines[n_lines - 1][0] == '\0')
    n_lines--;
  for (guint i = 0; i < n_lines; i++)
    {
      if (!is_pretty_line (lines[i]))
        {
          g_string_append_printf (result, "%s\n", lines[i]);
          continue;
        }
      /* The first one takes the new value where the old one was; any
       * later one would override it, so it goes. */
      if (!written)
        {
          g_string_append (result, PRETTY_KEY "=");
          append_quoted (result, pretty_name);
          g_string_append_c (result, '\n');
          written = TRUE;
        }
    }
  if (!written)
    {
      g_string_append (result, PRETTY_KEY "=");
      append_quoted (result, pretty_name);
      g_string_append_c (result, '\n');
    }
  return g_string_free (result, FALSE);
}

static gboolean
write_pretty_name (const char  *root,
                   const char  *pretty_name,
                   GError     **error)
{
  g_autofree char *path = g_build_filename (root, "etc", "machine-info", NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *updated = NULL;

  if (!small_file_read (path, SMALL_FILE_MAX_SIZE, &contents, NULL, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* No file and no name wanted: nothing to remove. */
      if (pretty_name[0] == '\0')
        return TRUE;
    }

  updated = identity_machine_info_set_pretty (contents, pretty_name);
  return atomic_file_replace (path, updated, strlen (updated), 0644, -1, -1, error);
}

gboolean
identity_host_name_write_files (const char  *root,
                                const char  *host_name,
                                const char  *pretty_name,
                                GError     **error)
{
  g_return_val_if_fail (root != NULL, FALSE);

  if (host_name != NULL)
    {
      g_autofree char *path = g_build_filename (root, "etc", "hostname", NULL);
      g_autofree char *contents = g_strconcat (host_name, "\n", NULL);

      if (!atomic_file_replace (path, contents, strlen (contents), 0644, -1, -1, error))
        return FALSE;
    }
  return pretty_name == NULL || write_pretty_name (root, pretty_name, error);
}

/* "host name web-1 and pretty host name "Web 1"" */
static char *
describe_names (const IdentityRequest *request)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (request->host_name != NULL)
    g_ptr_array_add (parts, g_strdup_printf ("host name %s", request->host_name));
  if (request->pretty_host_name != NULL && request->pretty_host_name[0] != '\0')
    g_ptr_array_add (parts, g_strdup_printf ("pretty host name \"%s\"", request->pretty_host_name));
  else if (request->pretty_host_name != NULL)
    g_ptr_array_add (parts, g_strdup ("no pretty host name"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" and ", (char **) parts->pdata);
}

IdentityStepStatus
identity_step_host_name (IdentityStepContext  *context,
                         char                **out_detail,
                         GError              **error)
{
  const IdentityRequest *request = context->request;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *names = NULL;

  if (request->host_name == NULL && request->pretty_host_name == NULL)
    {
      *out_detail = g_strdup ("no host name given");
      return IDENTITY_STEP_SKIPPED;
    }

  names = describe_names (request);
  if (hostnamed_set_host_names (request->host_name, request->pretty_host_name,
                                context->cancellable, &local_error))
    {
      *out_detail = g_strdup_printf ("%s set through hostnamed", names);
      return IDENTITY_STEP_DONE;
    }
  if (!system_bus_error_is_absent (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return IDENTITY_STEP_FAILED;
    }

  g_debug ("No hostnamed (%s): writing the host name files", local_error->message);
  if (!identity_host_name_write_files ("/", request->host_name, request->pretty_host_name, error))
    return IDENTITY_STEP_FAILED;
  if (request->host_name != NULL &&
      sethostname (request->host_name, strlen (request->host_name)) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot set the kernel's host name: %s", g_strerror (saved_errno));
      *out_detail = g_strdup_printf ("%s written to /etc", names);
      return IDENTITY_STEP_FAILED;
    }
  *out_detail = g_strdup_printf ("%s written to /etc%s (no hostnamed)", names,
                                 request->host_name != NULL ? " and given to the kernel" : "");
  return IDENTITY_STEP_DONE;
}
