/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sshd-reload.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "small-file.h"
#include "system-bus.h"
#include "systemd-units.h"

/* Debian and Ubuntu call it ssh.service (with sshd.service an alias),
 * Fedora, RHEL, SUSE and Arch sshd.service. */
static const char * const sshd_units[] = { "ssh.service", "sshd.service", NULL };

/* Checked this often while sshd re-executes: a bounded wait of a few
 * seconds at most, after a request, never while idle. */
#define SIGNAL_POLL_MS 20

/* Whether @pid runs a program called sshd: a stale pid file may name a
 * pid that now belongs to anything. */
static gboolean
pid_is_sshd (pid_t pid)
{
  g_autofree char *exe_link = g_strdup_printf ("/proc/%d/exe", (int) pid);
  g_autofree char *exe = g_file_read_link (exe_link, NULL);
  g_autofree char *name = NULL;

  if (exe == NULL)
    return FALSE;
  /* The binary was replaced by an upgrade since sshd started. */
  if (g_str_has_suffix (exe, " (deleted)"))
    exe[strlen (exe) - strlen (" (deleted)")] = '\0';
  name = g_path_get_basename (exe);
  return g_str_equal (name, "sshd");
}

/* The pid in @pidfile; 0 when there is no such file. */
static gboolean
read_pidfile (const char  *pidfile,
              pid_t       *out_pid,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  guint64 pid = 0;

  *out_pid = 0;
  if (!small_file_read (pidfile, 64, &contents, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Cannot read sshd's pid file: ");
      return FALSE;
    }
  g_strstrip (contents);
  if (!g_ascii_string_to_unsigned (contents, 10, 2, G_MAXINT32, &pid, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "sshd's pid file %s does not hold a pid", pidfile);
      return FALSE;
    }
  *out_pid = (pid_t) pid;
  return TRUE;
}

static gboolean
same_stat (const struct stat *a,
           const struct stat *b)
{
  return a->st_ino == b->st_ino && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
         a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* On SIGHUP sshd re-executes itself (same pid), loads its keys and
 * configuration again and, once it listens, writes its pid file. */
static gboolean
reload_with_signal (const char        *pidfile,
                    SshdReloadMethod  *out_method,
                    char             **out_target,
                    gboolean          *out_attempted,
                    GCancellable      *cancellable,
                    GError           **error)
{
  struct stat before, now;
  gint64 deadline;
  pid_t pid;

  if (!read_pidfile (pidfile, &pid, error))
    return FALSE;
  if (pid == 0)
    return TRUE;
  if (!pid_is_sshd (pid))
    {
      g_message ("sshd's pid file %s names pid %d, which is not an sshd: sshd is not running",
                 pidfile, (int) pid);
      return TRUE;
    }
  if (stat (pidfile, &before) != 0)
    memset (&before, 0, sizeof before);

  if (kill (pid, SIGHUP) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ESRCH)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot send SIGHUP to sshd (pid %d): %s", (int) pid, g_strerror (saved_errno));
      return FALSE;
    }
  *out_attempted = TRUE;
  *out_method = SSHD_RELOAD_SIGNAL;
  *out_target = g_strdup_printf ("%d", (int) pid);

  deadline = g_get_monotonic_time () + SSHD_RELOAD_SIGNAL_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  for (;;)
    {
      pid_t written = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!pid_is_sshd (pid))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "sshd (pid %d) exited after SIGHUP instead of reloading", (int) pid);
          return FALSE;
        }
      if (stat (pidfile, &now) == 0 && !same_stat (&before, &now) &&
          read_pidfile (pidfile, &written, NULL) && written == pid)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "sshd (pid %d) did not write %s again within %d s of SIGHUP", (int) pid,
                       pidfile, SSHD_RELOAD_SIGNAL_TIMEOUT_MS / 1000);
          return FALSE;
        }
      g_usleep (SIGNAL_POLL_MS * 1000);
    }
}

gboolean
sshd_reload (const char        *pidfile,
             SshdReloadMethod  *out_method,
             char             **out_target,
             gboolean          *out_attempted,
             GCancellable      *cancellable,
             GError           **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *unit = NULL;

  g_return_val_if_fail (pidfile != NULL, FALSE);

  *out_method = SSHD_RELOAD_NOT_RUNNING;
  *out_target = NULL;
  *out_attempted = FALSE;

  bus = system_bus_connect (cancellable, &local_error);
  if (bus != NULL)
    unit = systemd_units_find (bus, sshd_units, TRUE, cancellable, &local_error);
  if (local_error != NULL && !system_bus_error_is_absent (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (unit != NULL)
    {
      *out_attempted = TRUE;
      *out_method = SSHD_RELOAD_SYSTEMD;
      *out_target = g_strdup (unit);
      return systemd_units_run_job (bus, unit, SYSTEMD_UNIT_JOB_RELOAD_OR_RESTART,
                                    SYSTEMD_UNITS_JOB_TIMEOUT_MS, cancellable, error);
    }

  /* No systemd, or an sshd it does not run (started by hand, by another
   * init, or per connection from ssh.socket, where there is nothing to
   * reload: a new connection starts a new sshd). */
  return reload_with_signal (pidfile, out_method, out_target, out_attempted, cancellable, error);
}
