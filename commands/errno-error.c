/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "errno-error.h"

gboolean
errno_error_set (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  g_autofree char *what = NULL;
  va_list args;

  g_return_val_if_fail (format != NULL, FALSE);

  if (error == NULL)
    return FALSE;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}
