/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "small-file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "Cannot %s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

gboolean
small_file_read_fd (int          fd,
                    const char  *path,
                    gsize        max_size,
                    char       **out_contents,
                    gsize       *out_length,
                    GError     **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();

  g_return_val_if_fail (fd >= 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out_contents != NULL, FALSE);

  /* st_size means nothing for /proc and /sys: read until EOF, one byte
   * past the bound so that an oversized file is told from a full one. */
  for (;;)
    {
      guint8 chunk[4096];
      ssize_t n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_errno_error (error, errno, "read", path);
      if (n == 0)
        break;
      g_byte_array_append (buffer, chunk, (guint) n);
      if (buffer->len > max_size)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "%s is larger than %" G_GSIZE_FORMAT " bytes", path, max_size);
          return FALSE;
        }
    }

  if (out_length != NULL)
    *out_length = buffer->len;
  g_byte_array_append (buffer, (const guint8 *) "", 1);
  *out_contents = (char *) g_byte_array_free (g_steal_pointer (&buffer), FALSE);
  return TRUE;
}

gboolean
small_file_read (const char  *path,
                 gsize        max_size,
                 char       **out_contents,
                 gsize       *out_length,
                 GError     **error)
{
  struct stat st;
  gboolean ok;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out_contents != NULL, FALSE);

  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return set_errno_error (error, errno, "open", path);

  if (fstat (fd, &st) < 0)
    {
      int saved_errno = errno;

      g_close (fd, NULL);
      return set_errno_error (error, saved_errno, "stat", path);
    }
  if (!S_ISREG (st.st_mode))
    {
      g_close (fd, NULL);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s is not a regular file", path);
      return FALSE;
    }

  ok = small_file_read_fd (fd, path, max_size, out_contents, out_length, error);
  g_close (fd, NULL);
  return ok;
}
