/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "errno-error.h"
#include "process.h"

gboolean
process_daemonize (GError **error)
{
  pid_t pid;
  int null_fd;

  pid = fork ();
  if (pid < 0)
    return errno_error_set (error, errno, "fork");
  if (pid > 0)
    _exit (EXIT_SUCCESS);

  if (setsid () < 0)
    return errno_error_set (error, errno, "setsid");

  /* The second fork makes sure we can never reacquire a terminal. */
  pid = fork ();
  if (pid < 0)
    return errno_error_set (error, errno, "fork");
  if (pid > 0)
    _exit (EXIT_SUCCESS);

  umask (0077);
  if (chdir ("/") < 0)
    return errno_error_set (error, errno, "chdir /");

  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0)
    return errno_error_set (error, errno, "/dev/null");
  dup2 (null_fd, STDIN_FILENO);
  dup2 (null_fd, STDOUT_FILENO);
  dup2 (null_fd, STDERR_FILENO);
  if (null_fd > STDERR_FILENO)
    close (null_fd);
  return TRUE;
}

/* Opens @path and takes an exclusive lock without waiting; when another
 * process holds it, the error is @locked_message and the reason. */
static int
open_locked (const char  *path,
             int          flags,
             mode_t       mode,
             const char  *locked_message,
             GError     **error)
{
  int fd = open (path, flags, mode);

  if (fd < 0)
    {
      errno_error_set (error, errno, "%s", path);
      return -1;
    }

  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s (%s)", locked_message, g_strerror (saved_errno));
      close (fd);
      return -1;
    }

  return fd;
}

int
process_write_pidfile (const char  *path,
                       GError     **error)
{
  g_autofree char *pid = g_strdup_printf ("%d\n", (int) getpid ());
  g_autofree char *locked_message =
    g_strdup_printf ("%s is locked: is another agent running?", path);
  int fd = open_locked (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644, locked_message, error);

  if (fd < 0)
    return -1;

  if (ftruncate (fd, 0) < 0 || write (fd, pid, strlen (pid)) != (gssize) strlen (pid))
    {
      errno_error_set (error, errno, "%s", path);
      close (fd);
      return -1;
    }

  return fd;
}

void
process_remove_pidfile (const char *path,
                        int         fd)
{
  if (fd < 0)
    return;

  g_unlink (path);
  close (fd);
}

int
process_lock_statedir (const char  *path,
                       GError     **error)
{
  g_autofree char *lock_path = g_build_filename (path, "guestlinkd.lock", NULL);
  g_autofree char *locked_message =
    g_strdup_printf ("Another guestlinkd uses the state directory %s", path);

  return open_locked (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600,
                      locked_message, error);
}

gboolean
process_ensure_statedir (const char  *path,
                         GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) < 0)
    return errno_error_set (error, errno, "%s", path);

  return TRUE;
}
