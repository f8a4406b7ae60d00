/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "atomic-file.h"
#include "errno-error.h"

/* How many temporary names to try before deciding something is wrong. */
#define TEMPORARY_NAME_TRIES 16

/* The directory of @path, opened, and @path's last component. */
static int
open_parent (const char  *path,
             char       **out_name,
             GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      errno_error_set (error, errno, "Cannot open the directory %s", dir);
      return -1;
    }
  *out_name = g_path_get_basename (path);
  return fd;
}

/* ".NAME.XXXXXX" beside @name: hidden, and easy to tell as ours. */
static char *
temporary_name (const char *name)
{
  return g_strdup_printf (".%s.%06x", name, g_random_int_range (0, 0x1000000));
}

static gboolean
write_all (int          fd,
           const void  *data,
           gsize        length)
{
  const char *p = data;

  while (length > 0)
    {
      ssize_t n = write (fd, p, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* Renames @temporary over @name in @dir_fd and makes it durable; removes
 * @temporary when that fails. */
static gboolean
commit (int          dir_fd,
        const char  *temporary,
        const char  *name,
        const char  *path,
        GError     **error)
{
  if (renameat (dir_fd, temporary, dir_fd, name) != 0)
    {
      int saved_errno = errno;
      unlinkat (dir_fd, temporary, 0);
      return errno_error_set (error, saved_errno, "Cannot replace %s", path);
    }
  if (fsync (dir_fd) != 0)
    return errno_error_set (error, errno, "Cannot sync the directory of %s", path);
  return TRUE;
}

gboolean
atomic_file_replace_at (int          dir_fd,
                        const char  *name,
                        const char  *display_path,
                        const void  *data,
                        gsize        length,
                        mode_t       mode,
                        uid_t        uid,
                        gid_t        gid,
                        GError     **error)
{
  g_autofree char *temporary = NULL;
  int fd = -1;

  g_return_val_if_fail (dir_fd >= 0, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (display_path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  for (int i = 0; i < TEMPORARY_NAME_TRIES && fd < 0; i++)
    {
      g_free (temporary);
      temporary = temporary_name (name);
      fd = openat (dir_fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST)
        break;
    }
  if (fd < 0)
    return errno_error_set (error, errno, "Cannot create a file beside %s", display_path);

  /* The mode and owner before the contents are there and before the name
   * is visible: a secret is never readable by others, not even briefly. */
  if ((uid != (uid_t) -1 || gid != (gid_t) -1) && fchown (fd, uid, gid) != 0)
    {
      errno_error_set (error, errno, "Cannot set the owner of %s", display_path);
      goto remove;
    }
  if (fchmod (fd, mode) != 0)
    {
      errno_error_set (error, errno, "Cannot set the mode of %s", display_path);
      goto remove;
    }
  errno = 0;
  if (!write_all (fd, data, length) || fsync (fd) != 0)
    {
      errno_error_set (error, errno != 0 ? errno : EIO, "Cannot write %s", display_path);
      goto remove;
    }
  if (close (fd) != 0)
    {
      fd = -1;
      errno_error_set (error, errno, "Cannot write %s", display_path);
      goto remove;
    }

  return commit (dir_fd, temporary, name, display_path, error);

remove:
  if (fd >= 0)
    close (fd);
  unlinkat (dir_fd, temporary, 0);
  return FALSE;
}

gboolean
atomic_file_replace (const char  *path,
                     const void  *data,
                     gsize        length,
                     mode_t       mode,
                     uid_t        uid,
                     gid_t        gid,
                     GError     **error)
{
  g_autofree char *name = NULL;
  int dir_fd;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  dir_fd = open_parent (path, &name, error);
  if (dir_fd < 0)
    return FALSE;
  ok = atomic_file_replace_at (dir_fd, name, path, data, length, mode, uid, gid, error);
  close (dir_fd);
  return ok;
}

gboolean
atomic_file_symlink (const char  *path,
                     const char  *target,
                     GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *temporary = NULL;
  int dir_fd;
  gboolean created = FALSE;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (target != NULL, FALSE);

  dir_fd = open_parent (path, &name, error);
  if (dir_fd < 0)
    return FALSE;

  for (int i = 0; i < TEMPORARY_NAME_TRIES && !created; i++)
    {
      g_free (temporary);
      temporary = temporary_name (name);
      created = symlinkat (target, dir_fd, temporary) == 0;
      if (!created && errno != EEXIST)
        break;
    }
  if (!created)
    ok = errno_error_set (error, errno, "Cannot create a link beside %s", path);
  else
    ok = commit (dir_fd, temporary, name, path, error);

  close (dir_fd);
  return ok;
}
