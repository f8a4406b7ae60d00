/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hosts-file step. Debian's installer maps the machine's own name to
 * 127.0.1.1 in /etc/hosts ("127.0.1.1 host.example.org host"), so that
 * the name resolves without DNS; a clone keeps the template's name there
 * until this step points the line at the new one. Every other line is
 * the administrator's and stays as it is.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic-file.h"
#include "identity-steps.h"
#include "small-file.h"

#define DEBIAN_SELF_ADDRESS "127.0.1.1"
/* Ad-blocking hosts files run to megabytes. */
#define HOSTS_MAX_SIZE (16 * 1024 * 1024)

static const char *
skip_blanks (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

static const char *
skip_word (const char *p)
{
  while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '#')
    p++;
  return p;
}

/* @line with its names replaced by @host_name's, or NULL when it is not a
 * 127.0.1.1 line. Indentation, the blanks after the address and a
 * trailing comment are kept. */
static char *
rewrite_line (const char *line,
              const char *host_name)
{
  const char *address = skip_blanks (line);
  const char *address_end = skip_word (address);
  const char *names = skip_blanks (address_end);
  const char *comment = strchr (names, '#');
  g_autofree char *separator = NULL;
  const char *dot = strchr (host_name, '.');
  GString *result;

  if ((gsize) (address_end - address) != strlen (DEBIAN_SELF_ADDRESS) ||
      strncmp (address, DEBIAN_SELF_ADDRESS, address_end - address) != 0)
    return NULL;

  separator = names > address_end ? g_strndup (address_end, names - address_end) : g_strdup ("\t");
  result = g_string_new_len (line, address_end - line);
  g_string_append (result, separator);
  g_string_append (result, host_name);
  /* The short name too, so that both resolve, as Debian's installer
   * writes it. */
  if (dot != NULL)
    {
      g_string_append (result, separator);
      g_string_append_len (result, host_name, dot - host_name);
    }
  if (comment != NULL)
    {
      const char *tail = comment;

      /* With the blanks before it, as they were; "127.0.1.1 # none
       * yet" needs one. */
      while (tail > names && (tail[-1] == ' ' || tail[-1] == '\t'))
        tail--;
      if (tail == names)
        g_string_append_c (result, ' ');
      g_string_append (result, tail);
    }
  return g_string_free (result, FALSE);
}

char *
identity_hosts_rewrite (const char *contents,
                        const char *host_name)
{
  g_auto(GStrv) lines = NULL;
  GString *result;
  gboolean found = FALSE;

  g_return_val_if_fail (contents != NULL, NULL);
  g_return_val_if_fail (host_name != NULL, NULL);

  lines = g_strsplit (contents, "\n", -1);
  result = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *rewritten = rewrite_line (lines[i], host_name);

      if (i > 0)
        g_string_append_c (result, '\n');
      g_string_append (result, rewritten != NULL ? rewritten : lines[i]);
      found |= rewritten != NULL;
    }
  if (!found)
    {
      g_string_free (result, TRUE);
      return NULL;
    }
  return g_string_free (result, FALSE);
}

IdentityStepStatus
identity_hosts_file_update (const char  *root,
                            const char  *host_name,
                            char       **out_detail,
                            GError     **error)
{
  g_autofree char *path = g_build_filename (root, "etc", "hosts", NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *updated = NULL;
  gsize length = 0;
  struct stat st;

  g_return_val_if_fail (root != NULL, IDENTITY_STEP_FAILED);
  g_return_val_if_fail (host_name != NULL, IDENTITY_STEP_FAILED);

  if (lstat (path, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        {
          *out_detail = g_strdup ("no /etc/hosts");
          return IDENTITY_STEP_SKIPPED;
        }
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot look at %s: %s", path, g_strerror (saved_errno));
      return IDENTITY_STEP_FAILED;
    }
  /* A link points at a file something else manages (a container
   * runtime, a configuration system): replacing it would cut that tie. */
  if (S_ISLNK (st.st_mode))
    {
      *out_detail = g_strdup ("/etc/hosts is a symbolic link; left alone");
      return IDENTITY_STEP_SKIPPED;
    }

  if (!small_file_read (path, HOSTS_MAX_SIZE, &contents, &length, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return IDENTITY_STEP_FAILED;
    }
  updated = identity_hosts_rewrite (contents, host_name);
  if (updated == NULL)
    {
      *out_detail = g_strdup ("no " DEBIAN_SELF_ADDRESS " line in /etc/hosts");
      return IDENTITY_STEP_SKIPPED;
    }

  /* The file's own mode and owner: some sites make it 0640. */
  if (!g_str_equal (updated, contents) &&
      !atomic_file_replace (path, updated, strlen (updated), st.st_mode & 07777,
                            st.st_uid, st.st_gid, error))
    return IDENTITY_STEP_FAILED;

  *out_detail = g_strdup_printf ("the " DEBIAN_SELF_ADDRESS " line of /etc/hosts names %s",
                                 host_name);
  return IDENTITY_STEP_DONE;
}

IdentityStepStatus
identity_step_hosts_file (IdentityStepContext  *context,
                          char                **out_detail,
                          GError              **error)
{
  if (context->request->host_name == NULL)
    {
      *out_detail = g_strdup ("no host name given");
      return IDENTITY_STEP_SKIPPED;
    }
  /* /etc/hosts must not name a host the machine is not: failed rather
   * than skipped, so that a retry, which finishes the host name, comes
   * back here too. */
  if (context->journal->steps[IDENTITY_STEP_HOST_NAME].status != IDENTITY_STEP_DONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "Not run: the host-name step did not complete");
      return IDENTITY_STEP_FAILED;
    }
  return identity_hosts_file_update ("/", context->request->host_name, out_detail, error);
}
