/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fsfreeze-bench: how long guestlinkd takes from a freeze request to its
 * reply, and from a thaw request to its reply, for 1 and 8 loop-mounted
 * filesystems, next to the bare ioctl sequence timed in the same process and
 * run.  The difference of the medians is the agent's overhead; the target is
 * under 1 ms.
 *
 * Everything it freezes is its own: sparse images in a tmpfs (or on disk,
 * --images-on-disk), attached to loop devices and mounted inside a private
 * mount namespace that this program creates (nothing it mounts is seen
 * outside, and all of it goes when the namespace does).  The agent is
 * asked only with guest-fsfreeze-freeze-list and explicit mount points; the
 * whole-system guest-fsfreeze-freeze and guest-fstrim are never sent.
 *
 * Thawing on every way out:
 *   - normal end, error, SIGINT/SIGTERM/SIGHUP: cleanup() thaws the raw fds,
 *     stops the agent (which thaws on SIGTERM), then FITHAWs every mount
 *     point itself before unmounting;
 *   - this process killed outright: a guard process, forked once the images
 *     are mounted, holds each filesystem open and FITHAWs them all when its
 *     pipe from us reaches end of file; the agent gets SIGTERM from the
 *     kernel (PR_SET_PDEATHSIG) and thaws too, and its --fsfreeze-timeout
 *     is short.  The loop devices detach by themselves (autoclear) once the
 *     namespace, and with it the mounts and the tmpfs, is gone; what stays
 *     is an empty directory in $TMPDIR.
 *
 * qemu-ga is not measured: its freeze is never run on a development machine.
 *
 * Exit status: 0 measured (a missed target prints MISS), 1 could not
 * measure guestlinkd, 77 skipped (not root, no loop devices, no mount
 * namespace, no mkfs).
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/loop.h>

#include <glib.h>

#include "wire.h"

/* From <linux/fs.h>, which clashes with <sys/mount.h> on glibc 2.36. */
#ifndef FIFREEZE
#define FIFREEZE _IOWR ('X', 119, int)
#define FITHAW _IOWR ('X', 120, int)
#endif

#define EXIT_SKIP 77
#define MAX_FS 8
#define XFS_MIN_MIB 300
#define AGENT_START_TIMEOUT_MS 10000
#define AGENT_STOP_TIMEOUT_MS 10000
#define REPLY_TIMEOUT_MS 30000
/* The agent thaws by itself after this long, should we lose track of it. */
#define AGENT_FREEZE_TIMEOUT_S 30

typedef struct {
  char *image;
  char *fstype;
  char *mountpoint;
  char *loopdev;
  int loop_fd;          /* held until mounted: autoclear detaches on last close */
  dev_t device;         /* the loop device's number = st_dev of the mount */
  gboolean mounted;
  int raw_fd;           /* >= 0 while the raw sequence holds it frozen */
} Fs;

typedef struct {
  const char *what;     /* "freeze" or "thaw" */
  guint size;           /* filesystems */
  GArray *raw;          /* gint64 ns */
  GArray *agent;        /* gint64 ns */
} Series;

typedef struct {
  /* settings */
  char *guestlinkd;
  guint rounds;
  guint warmup;
  guint image_mib;
  guint dirty_kib;
  guint n_xfs;
  gboolean statedir_on_disk;
  gboolean images_on_disk;
  int cpu;

  /* what exists, for cleanup */
  char *work;
  dev_t work_device;
  char *ram;            /* tmpfs in our namespace */
  gboolean ram_mounted;
  char *statedir;
  char *hookdir;
  char *config;
  char *socket;
  char *log;
  char *pidfile;
  Fs fs[MAX_FS];
  guint n_fs;
  pid_t agent_pid;
  pid_t guard_pid;
  int guard_pipe;       /* write end; closing it tells the guard to thaw */
  WireConn *conn;
  char *dirty;
} Bench;

static volatile sig_atomic_t stop_signal;

static void
on_stop_signal (int sig)
{
  stop_signal = sig;
}

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void G_GNUC_PRINTF (1, 2)
note (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fputs ("fsfreeze-bench: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
}

/* ---- the raw ioctls, and thawing whatever state we are in ---- */

/* Opens the root of our own filesystem at @fs, refusing anything else: a
 * mount point whose st_dev is not our loop device is the directory below a
 * failed or vanished mount, and freezing it would freeze the host's disk. */
static int
open_own_fs (const Fs *fs)
{
  struct stat st;
  int fd = open (fs->mountpoint, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    return -1;
  if (fstat (fd, &st) != 0 || st.st_dev != fs->device)
    {
      close (fd);
      errno = ESTALE;
      return -1;
    }
  return fd;
}

/* FITHAW on every mounted image of ours; EINVAL just means not frozen. */
static void
thaw_all_mounted (Bench *b)
{
  for (guint i = 0; i < b->n_fs; i++)
    {
      Fs *fs = &b->fs[i];
      int fd;

      if (fs->raw_fd >= 0)
        {
          if (ioctl (fs->raw_fd, FITHAW, 0) != 0 && errno != EINVAL)
            note ("FITHAW %s: %s", fs->mountpoint, g_strerror (errno));
          close (fs->raw_fd);
          fs->raw_fd = -1;
        }
      if (!fs->mounted)
        continue;
      fd = open_own_fs (fs);
      if (fd < 0)
        {
          note ("cannot open %s to thaw it: %s", fs->mountpoint, g_strerror (errno));
          continue;
        }
      if (ioctl (fd, FITHAW, 0) != 0 && errno != EINVAL)
        note ("FITHAW %s: %s", fs->mountpoint, g_strerror (errno));
      close (fd);
    }
}

/* Reverse mount order, as the agent does. */
static gboolean
raw_freeze (Bench *b, guint n, GError **error)
{
  for (guint i = n; i > 0; i--)
    {
      Fs *fs = &b->fs[i - 1];
      int fd = open_own_fs (fs);

      if (fd < 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "open %s: %s", fs->mountpoint, g_strerror (errno));
          return FALSE;
        }
      if (ioctl (fd, FIFREEZE, 0) != 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "FIFREEZE %s: %s", fs->mountpoint, g_strerror (saved));
          return FALSE;
        }
      fs->raw_fd = fd;
    }
  return TRUE;
}

/* Mount order. */
static gboolean
raw_thaw (Bench *b, guint n, GError **error)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < n; i++)
    {
      Fs *fs = &b->fs[i];

      if (ioctl (fs->raw_fd, FITHAW, 0) != 0 && ok)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "FITHAW %s: %s", fs->mountpoint, g_strerror (errno));
          ok = FALSE;
        }
      close (fs->raw_fd);
      fs->raw_fd = -1;
    }
  return ok;
}

/* ---- the guard: thaws when we are gone, however we went ---- */

static void G_GNUC_NORETURN
guard_main (Bench *b, int pipe_read)
{
  int fds[MAX_FS];
  char byte;

  /* Ctrl-C reaches the whole process group: the guard must outlive us. */
  signal (SIGINT, SIG_IGN);
  signal (SIGTERM, SIG_IGN);
  signal (SIGHUP, SIG_IGN);

  /* Only the pipe and the filesystems: an inherited loop or socket fd
   * would keep a loop device or the agent's connection alive. */
  if (dup2 (pipe_read, 3) < 0)
    _exit (1);
  syscall (SYS_close_range, 4U, ~0U, 0U);

  for (guint i = 0; i < b->n_fs; i++)
    fds[i] = open_own_fs (&b->fs[i]);

  while (read (3, &byte, 1) != 0)
    if (errno != EINTR)
      break;

  for (guint i = 0; i < b->n_fs; i++)
    if (fds[i] >= 0)
      {
        if (ioctl (fds[i], FITHAW, 0) == 0)
          fprintf (stderr, "fsfreeze-bench guard: thawed %s\n", b->fs[i].mountpoint);
        close (fds[i]);
      }
  _exit (0);
}

static gboolean
start_guard (Bench *b, GError **error)
{
  int p[2];
  pid_t pid;

  if (pipe2 (p, O_CLOEXEC) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "pipe: %s", g_strerror (errno));
      return FALSE;
    }
  fflush (NULL);
  pid = fork ();
  if (pid < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "fork: %s", g_strerror (errno));
      close (p[0]);
      close (p[1]);
      return FALSE;
    }
  if (pid == 0)
    guard_main (b, p[0]);
  close (p[0]);
  b->guard_pid = pid;
  b->guard_pipe = p[1];
  return TRUE;
}

static void
stop_guard (Bench *b)
{
  if (b->guard_pipe >= 0)
    close (b->guard_pipe);
  b->guard_pipe = -1;
  if (b->guard_pid > 0)
    waitpid (b->guard_pid, NULL, 0);
  b->guard_pid = 0;
}

/* ---- the agent ---- */

static gboolean
agent_alive (Bench *b)
{
  if (b->agent_pid <= 0)
    return FALSE;
  if (waitpid (b->agent_pid, NULL, WNOHANG) == b->agent_pid)
    {
      b->agent_pid = 0;
      return FALSE;
    }
  return TRUE;
}

static void
stop_agent (Bench *b)
{
  g_clear_pointer (&b->conn, wire_conn_free);
  if (b->agent_pid <= 0)
    return;

  /* SIGTERM: a frozen agent thaws (hooks included) before it exits. */
  kill (b->agent_pid, SIGTERM);
  for (int waited = 0; waited < AGENT_STOP_TIMEOUT_MS; waited += 10)
    {
      if (!agent_alive (b))
        return;
      g_usleep (10000);
    }
  note ("guestlinkd (pid %d) did not stop within %d s: SIGKILL",
        (int) b->agent_pid, AGENT_STOP_TIMEOUT_MS / 1000);
  kill (b->agent_pid, SIGKILL);
  waitpid (b->agent_pid, NULL, 0);
  b->agent_pid = 0;
}

static void
print_agent_log (Bench *b)
{
  g_autofree char *text = NULL;

  if (b->log != NULL && g_file_get_contents (b->log, &text, NULL, NULL) && text[0] != '\0')
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      fprintf (stderr, "guestlinkd's output:\n");
      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
          fprintf (stderr, "  %s\n", lines[i]);
    }
}

static gboolean
start_agent (Bench *b, GError **error)
{
  g_autofree char *hook_dir_arg = g_strconcat ("--fsfreeze-hook-dir=", b->hookdir, NULL);
  g_autofree char *timeout_arg = g_strdup_printf ("--fsfreeze-timeout=%d", AGENT_FREEZE_TIMEOUT_S);
  /* An explicit (empty) config file and hook dir: nothing the machine has
   * in /etc, hooks least of all, takes part. */
  const char *argv[] = {
    b->guestlinkd, "-m", "unix-listen", "-p", b->socket, "-t", b->statedir,
    "-f", b->pidfile, "-c", b->config, hook_dir_arg, timeout_arg, NULL,
  };
  pid_t parent = getpid ();
  pid_t pid;

  fflush (NULL);
  pid = fork ();
  if (pid < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "fork: %s", g_strerror (errno));
      return FALSE;
    }
  if (pid == 0)
    {
      int log_fd;
      sigset_t none;

      /* Should we die, the agent hears SIGTERM and thaws. */
      prctl (PR_SET_PDEATHSIG, SIGTERM);
      if (getppid () != parent)
        _exit (127);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      log_fd = open (b->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (log_fd < 0 || dup2 (log_fd, STDOUT_FILENO) < 0 || dup2 (log_fd, STDERR_FILENO) < 0)
        _exit (127);
      execv (argv[0], (char **) argv);
      dprintf (STDERR_FILENO, "exec %s: %s\n", argv[0], g_strerror (errno));
      _exit (127);
    }
  b->agent_pid = pid;

  for (int waited = 0; ; waited += 10)
    {
      struct stat st;

      if (stat (b->socket, &st) == 0 && S_ISSOCK (st.st_mode))
        break;
      if (!agent_alive (b))
        {
          print_agent_log (b);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                       "%s exited before listening", b->guestlinkd);
          return FALSE;
        }
      if (waited >= AGENT_START_TIMEOUT_MS)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_TIMEOUT,
                       "%s did not create %s within %d s", b->guestlinkd, b->socket,
                       AGENT_START_TIMEOUT_MS / 1000);
          return FALSE;
        }
      g_usleep (10000);
    }

  b->conn = wire_conn_open (b->socket, error);
  if (b->conn == NULL)
    return FALSE;
  return wire_handshake (b->conn, 4711, AGENT_START_TIMEOUT_MS, error);
}

static void
on_reply_line (WireConn *conn, guint index, gpointer user_data)
{
  GString *reply = user_data;

  g_string_assign (reply, conn->line->str);
}

/* Sends @request and waits for its reply, which must be {"return": @expect}.
 * The time is from just before the send to the complete reply line. */
static gboolean
agent_call (Bench *b, const char *request, guint64 expect, gint64 *elapsed_ns,
            GError **error)
{
  g_autoptr(GString) reply = g_string_new (NULL);
  guint64 value;
  gint64 start = now_ns ();
  WirePumpResult result = wire_pump (b->conn, request, strlen (request), 1,
                                     REPLY_TIMEOUT_MS, on_reply_line, reply,
                                     NULL, NULL, error);

  *elapsed_ns = now_ns () - start;
  if (result != WIRE_PUMP_DONE)
    return FALSE;
  if (!wire_parse_return_int (reply->str, &value) || value != expect)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_PROTOCOL,
                   "expected {\"return\": %" G_GUINT64_FORMAT "}, got: %.300s",
                   expect, reply->str);
      return FALSE;
    }
  return TRUE;
}

/* ---- setting up: namespace, images, loop devices, mounts ---- */

static gboolean
set_errno_error (GError **error, int saved, const char *what, const char *object)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
               "%s %s: %s", what, object, g_strerror (saved));
  return FALSE;
}

/* A mount namespace of our own, where no mount propagates to the host's:
 * every mount in it is made private before we mount anything, and that is
 * checked in mountinfo. */
static int
enter_private_namespace (void)
{
  g_autofree char *mountinfo = NULL;

  if (unshare (CLONE_NEWNS) != 0)
    {
      note ("SKIP: cannot create a mount namespace: %s", g_strerror (errno));
      return EXIT_SKIP;
    }
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      note ("SKIP: cannot make the mounts of the new namespace private: %s", g_strerror (errno));
      return EXIT_SKIP;
    }
  if (!g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL) ||
      strstr (mountinfo, " shared:") != NULL || strstr (mountinfo, " master:") != NULL)
    {
      note ("a mount in the new namespace still propagates: not mounting anything");
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

static gboolean
run_tool (const char * const *argv, GError **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                     NULL, NULL, &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: %s%s", argv[0], out != NULL ? out : "", err != NULL ? err : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
make_image (Fs *fs, guint mib, GError **error)
{
  int fd = open (fs->image, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0)
    return set_errno_error (error, errno, "create", fs->image);
  if (ftruncate (fd, (off_t) mib * 1024 * 1024) != 0)
    {
      int saved = errno;
      close (fd);
      return set_errno_error (error, saved, "truncate", fs->image);
    }
  close (fd);

  if (g_str_equal (fs->fstype, "xfs"))
    {
      const char *argv[] = { "mkfs.xfs", "-q", "-f", "-K", fs->image, NULL };
      return run_tool (argv, error);
    }
  else
    {
      /* Inode tables and journal written now: no ext4lazyinit thread
       * writing in the background while we measure. */
      const char *argv[] = { "mkfs.ext4", "-q", "-F", "-E",
                             "lazy_itable_init=0,lazy_journal_init=0,nodiscard",
                             fs->image, NULL };
      return run_tool (argv, error);
    }
}

/* Attaches the image with autoclear: the kernel detaches the device when
 * its last user (the mount) goes, whichever way we end. */
static gboolean
attach_loop (Fs *fs, GError **error)
{
  int ctl = open ("/dev/loop-control", O_RDWR | O_CLOEXEC);
  int image_fd;
  gboolean ok = FALSE;

  if (ctl < 0)
    return set_errno_error (error, errno, "open", "/dev/loop-control");
  image_fd = open (fs->image, O_RDWR | O_CLOEXEC);
  if (image_fd < 0)
    {
      set_errno_error (error, errno, "open", fs->image);
      close (ctl);
      return FALSE;
    }

  /* Another process may take the free device between the two calls. */
  for (int attempt = 0; attempt < 20 && !ok; attempt++)
    {
      struct loop_config config = { .fd = (guint32) image_fd };
      struct stat st;
      int nr = ioctl (ctl, LOOP_CTL_GET_FREE);
      int loop_fd;

      if (nr < 0)
        {
          set_errno_error (error, errno, "LOOP_CTL_GET_FREE", "/dev/loop-control");
          break;
        }
      g_free (fs->loopdev);
      fs->loopdev = g_strdup_printf ("/dev/loop%d", nr);
      loop_fd = open (fs->loopdev, O_RDWR | O_CLOEXEC);
      if (loop_fd < 0)
        {
          set_errno_error (error, errno, "open", fs->loopdev);
          break;
        }
      config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
      g_strlcpy ((char *) config.info.lo_file_name, fs->image, LO_NAME_SIZE);
      if (ioctl (loop_fd, LOOP_CONFIGURE, &config) != 0)
        {
          int saved = errno;
          close (loop_fd);
          if (saved == EBUSY)
            continue;
          set_errno_error (error, saved, "LOOP_CONFIGURE", fs->loopdev);
          break;
        }
      if (fstat (loop_fd, &st) != 0)
        {
          set_errno_error (error, errno, "stat", fs->loopdev);
          close (loop_fd);
          break;
        }
      fs->loop_fd = loop_fd;
      fs->device = st.st_rdev;
      ok = TRUE;
    }
  if (!ok && error != NULL && *error == NULL)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "no free loop device after 20 tries");

  close (image_fd);
  close (ctl);
  return ok;
}

static gboolean
mount_fs (Fs *fs, GError **error)
{
  struct stat st;

  if (mount (fs->loopdev, fs->mountpoint, fs->fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
    return set_errno_error (error, errno, "mount", fs->mountpoint);
  fs->mounted = TRUE;
  /* The mount holds the device now; our fd may go (autoclear counts it). */
  close (fs->loop_fd);
  fs->loop_fd = -1;

  if (stat (fs->mountpoint, &st) != 0 || st.st_dev != fs->device)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "%s is not the filesystem of %s after mounting it",
                   fs->mountpoint, fs->loopdev);
      return FALSE;
    }
  return TRUE;
}

/* Dirty pages for the freeze's sync to write, the same for agent and raw
 * rounds: @dirty_kib rewritten in one file of each filesystem, no fsync. */
static gboolean
dirty_filesystems (Bench *b, guint n, guint round, GError **error)
{
  gsize len = (gsize) b->dirty_kib * 1024;

  if (len == 0)
    return TRUE;
  memset (b->dirty, 'a' + (int) (round % 26), len);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_build_filename (b->fs[i].mountpoint, "bench-data", NULL);
      int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
      gssize w;

      if (fd < 0)
        return set_errno_error (error, errno, "open", path);
      w = pwrite (fd, b->dirty, len, 0);
      close (fd);
      if (w != (gssize) len)
        return set_errno_error (error, w < 0 ? errno : EIO, "write", path);
    }
  return TRUE;
}

/* Removes the files we made in @dir, and only if @dir is on the work
 * directory's own filesystem: a directory still mounted over is left
 * alone, never emptied. */
static void
remove_dir (Bench *b, const char *dir)
{
  struct stat st;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  if (dir == NULL || lstat (dir, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode) || st.st_dev != b->work_device)
    {
      note ("left %s in place: it is still mounted", dir);
      return;
    }
  listing = g_dir_open (dir, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (lstat (path, &st) == 0 && !S_ISDIR (st.st_mode))
        unlink (path);
    }
  if (rmdir (dir) != 0)
    note ("cannot remove %s: %s", dir, g_strerror (errno));
}

/* Unmounts @path, waiting a little for a loop device that is still letting
 * go of a file in it, and detaching it lazily in the end: the namespace,
 * and every mount in it, goes away with us anyway. */
static gboolean
unmount (const char *path)
{
  for (int attempt = 0; attempt < 100; attempt++)
    {
      if (umount2 (path, 0) == 0)
        return TRUE;
      if (errno != EBUSY)
        break;
      g_usleep (10000);
    }
  note ("umount %s: %s; detaching it lazily", path, g_strerror (errno));
  return umount2 (path, MNT_DETACH) == 0;
}

static void
cleanup (Bench *b)
{
  /* Nothing of ours stays frozen: the raw fds, then the agent (SIGTERM
   * makes it thaw), then every mount point again in case the agent could
   * not, then the guard (which thaws once more and lets go of the mounts). */
  thaw_all_mounted (b);
  stop_agent (b);
  thaw_all_mounted (b);
  stop_guard (b);

  for (guint i = b->n_fs; i > 0; i--)
    {
      Fs *fs = &b->fs[i - 1];

      if (fs->mounted && unmount (fs->mountpoint))
        fs->mounted = FALSE;
      /* Never mounted: closing the last fd would not detach it. */
      if (fs->loop_fd >= 0)
        {
          ioctl (fs->loop_fd, LOOP_CLR_FD, 0);
          close (fs->loop_fd);
          fs->loop_fd = -1;
        }
      if (fs->image != NULL && unlink (fs->image) != 0 && errno != ENOENT)
        note ("cannot remove %s: %s", fs->image, g_strerror (errno));
    }

  /* The tmpfs takes the images, mount points, state, socket and log. */
  if (b->ram_mounted && unmount (b->ram))
    b->ram_mounted = FALSE;

  if (b->work != NULL)
    {
      g_autofree char *images = g_build_filename (b->work, "images", NULL);
      g_autofree char *state = g_build_filename (b->work, "state", NULL);

      remove_dir (b, images);
      remove_dir (b, state);
      if (!b->ram_mounted)
        remove_dir (b, b->ram);
      remove_dir (b, b->work);
    }
}

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static void
bench_free_strings (Bench *b)
{
  for (guint i = 0; i < MAX_FS; i++)
    {
      g_free (b->fs[i].image);
      g_free (b->fs[i].fstype);
      g_free (b->fs[i].mountpoint);
      g_free (b->fs[i].loopdev);
    }
  g_free (b->guestlinkd);
  g_free (b->work);
  g_free (b->ram);
  g_free (b->statedir);
  g_free (b->hookdir);
  g_free (b->config);
  g_free (b->socket);
  g_free (b->log);
  g_free (b->pidfile);
  g_free (b->dirty);
}

static int
set_up (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *images = NULL;
  g_autofree char *mnt = NULL;
  g_autofree char *ram_options = NULL;
  struct stat st;
  int status;

  if (access ("/dev/loop-control", R_OK | W_OK) != 0)
    {
      note ("SKIP: no loop devices: /dev/loop-control: %s", g_strerror (errno));
      return EXIT_SKIP;
    }
  if (!have_program ("mkfs.ext4"))
    {
      note ("SKIP: mkfs.ext4 not found (e2fsprogs)");
      return EXIT_SKIP;
    }
  if (b->n_xfs > 0 && !have_program ("mkfs.xfs"))
    {
      note ("SKIP: mkfs.xfs not found (xfsprogs), needed for --xfs");
      return EXIT_SKIP;
    }

  status = enter_private_namespace ();
  if (status != EXIT_SUCCESS)
    return status;

  b->work = g_dir_make_tmp ("guestlink-fsbench-XXXXXX", &error);
  if (b->work == NULL)
    {
      note ("%s", error->message);
      return EXIT_FAILURE;
    }
  if (stat (b->work, &st) != 0)
    {
      note ("stat %s: %s", b->work, g_strerror (errno));
      return EXIT_FAILURE;
    }
  b->work_device = st.st_dev;

  /* A tmpfs, seen only in our namespace, for everything but what the
   * options put on disk: a guest's /run (the agent's state dir) is one,
   * and images in memory keep the host's disk flushes, which both sides
   * pay alike, from burying the agent's own time in noise.  Sized for the
   * images should they be filled. */
  b->ram = g_build_filename (b->work, "ram", NULL);
  if (mkdir (b->ram, 0700) != 0)
    {
      note ("mkdir %s: %s", b->ram, g_strerror (errno));
      return EXIT_FAILURE;
    }
  ram_options = g_strdup_printf ("mode=0700,size=%um",
                                 b->images_on_disk ? 16
                                 : 16 + (MAX_FS - b->n_xfs) * b->image_mib +
                                   b->n_xfs * MAX (b->image_mib, XFS_MIN_MIB));
  if (mount ("tmpfs", b->ram, "tmpfs", MS_NOSUID | MS_NODEV, ram_options) != 0)
    {
      note ("mount tmpfs on %s: %s", b->ram, g_strerror (errno));
      return EXIT_FAILURE;
    }
  b->ram_mounted = TRUE;

  images = g_build_filename (b->images_on_disk ? b->work : b->ram, "images", NULL);
  b->statedir = g_build_filename (b->statedir_on_disk ? b->work : b->ram, "state", NULL);
  mnt = g_build_filename (b->ram, "mnt", NULL);
  b->hookdir = g_build_filename (b->ram, "hooks", NULL);
  b->config = g_build_filename (b->ram, "guestlinkd.conf", NULL);
  b->socket = g_build_filename (b->ram, "agent.sock", NULL);
  b->log = g_build_filename (b->ram, "agent.log", NULL);
  b->pidfile = g_build_filename (b->ram, "agent.pid", NULL);
  if (mkdir (images, 0700) != 0 || mkdir (mnt, 0700) != 0 || mkdir (b->statedir, 0700) != 0 ||
      mkdir (b->hookdir, 0700) != 0 || !g_file_set_contents (b->config, "", 0, NULL))
    {
      note ("cannot populate %s: %s", b->work, g_strerror (errno));
      return EXIT_FAILURE;
    }

  for (guint i = 0; i < MAX_FS; i++)
    {
      Fs *fs = &b->fs[i];
      gboolean xfs = i >= MAX_FS - b->n_xfs;
      guint mib = xfs ? MAX (b->image_mib, XFS_MIN_MIB) : b->image_mib;

      fs->loop_fd = -1;
      fs->raw_fd = -1;
      fs->fstype = g_strdup (xfs ? "xfs" : "ext4");
      fs->image = g_strdup_printf ("%s/%u.img", images, i);
      fs->mountpoint = g_strdup_printf ("%s/%u", mnt, i);
      b->n_fs = i + 1;

      if (mkdir (fs->mountpoint, 0700) != 0)
        {
          note ("mkdir %s: %s", fs->mountpoint, g_strerror (errno));
          return EXIT_FAILURE;
        }
      if (!make_image (fs, mib, &error))
        {
          note ("%s", error->message);
          return EXIT_FAILURE;
        }
      if (!attach_loop (fs, &error))
        {
          note ("SKIP: no loop device: %s", error->message);
          return EXIT_SKIP;
        }
      if (!mount_fs (fs, &error))
        {
          if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NODEV))
            {
              note ("SKIP: the kernel cannot mount %s: %s", fs->fstype, error->message);
              return EXIT_SKIP;
            }
          note ("%s", error->message);
          return EXIT_FAILURE;
        }
    }

  if (!start_guard (b, &error))
    {
      note ("%s", error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

/* ---- measuring ---- */

static char *
json_string (const char *s)
{
  GString *out = g_string_new ("\"");

  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static char *
freeze_request (Bench *b, guint n)
{
  GString *req = g_string_new ("{\"execute\":\"guest-fsfreeze-freeze-list\","
                               "\"arguments\":{\"mountpoints\":[");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *quoted = json_string (b->fs[i].mountpoint);
      g_string_append_printf (req, "%s%s", i > 0 ? "," : "", quoted);
    }
  g_string_append (req, "]}}\n");
  return g_string_free (req, FALSE);
}

static const char thaw_request[] = "{\"execute\":\"guest-fsfreeze-thaw\"}\n";

/* One freeze and thaw through the agent, or through the bare ioctls. */
static gboolean
one_round (Bench *b, guint n, gboolean agent, const char *freeze_req, guint round,
           gint64 *freeze_ns, gint64 *thaw_ns, GError **error)
{
  gint64 start;
  gboolean ok;

  if (!dirty_filesystems (b, n, round, error))
    return FALSE;

  if (agent)
    return agent_call (b, freeze_req, n, freeze_ns, error) &&
           agent_call (b, thaw_request, n, thaw_ns, error);

  start = now_ns ();
  ok = raw_freeze (b, n, error);
  *freeze_ns = now_ns () - start;
  if (!ok)
    return FALSE;
  start = now_ns ();
  ok = raw_thaw (b, n, error);
  *thaw_ns = now_ns () - start;
  return ok;
}

static int
compare_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest rank, in ms. */
static double
percentile_ms (GArray *samples, double q)
{
  g_autoptr(GArray) sorted = g_array_copy (samples);
  guint rank;

  if (sorted->len == 0)
    return 0;
  g_array_sort (sorted, compare_int64);
  rank = (guint) (q * sorted->len + 0.999999);
  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, gint64, rank - 1) / 1e6;
}

static double
paired_median_ms (Series *s)
{
  g_autoptr(GArray) diff = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < s->raw->len && i < s->agent->len; i++)
    {
      gint64 d = g_array_index (s->agent, gint64, i) - g_array_index (s->raw, gint64, i);
      g_array_append_val (diff, d);
    }
  g_array_sort (diff, compare_int64);
  if (diff->len == 0)
    return 0;
  if (diff->len % 2 == 1)
    return g_array_index (diff, gint64, diff->len / 2) / 1e6;
  return (g_array_index (diff, gint64, diff->len / 2 - 1) +
          g_array_index (diff, gint64, diff->len / 2)) / 2e6;
}

static int
measure (Bench *b)
{
  static const guint sizes[] = { 1, MAX_FS };
  Series series[G_N_ELEMENTS (sizes) * 2];
  char *requests[G_N_ELEMENTS (sizes)] = { NULL };
  g_autoptr(GError) error = NULL;
  gboolean all_pass = TRUE;
  int status = EXIT_SUCCESS;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      requests[s] = freeze_request (b, sizes[s]);
      for (guint op = 0; op < 2; op++)
        {
          Series *x = &series[s * 2 + op];
          x->what = op == 0 ? "freeze" : "thaw";
          x->size = sizes[s];
          x->raw = g_array_new (FALSE, FALSE, sizeof (gint64));
          x->agent = g_array_new (FALSE, FALSE, sizeof (gint64));
        }
    }

  /* Rounds outermost, sizes and agent/raw inside, the order of agent and
   * raw swapped every round: a slow drift of the host (writeback, another
   * guest on the same disk) lands on both sides alike. */
  for (guint r = 0; r < b->warmup + b->rounds && status == EXIT_SUCCESS; r++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes) && status == EXIT_SUCCESS; s++)
      for (guint k = 0; k < 2; k++)
        {
          gboolean agent = (k + r) % 2 == 0;
          gint64 freeze_ns = 0, thaw_ns = 0;

          if (stop_signal != 0)
            {
              note ("stopped by signal %d", (int) stop_signal);
              status = 128 + stop_signal;
              break;
            }
          if (!one_round (b, sizes[s], agent, requests[s], r, &freeze_ns, &thaw_ns, &error))
            {
              note ("%s round %u, %u fs: %s", agent ? "guestlinkd" : "raw ioctls", r,
                    sizes[s], error->message);
              if (agent)
                print_agent_log (b);
              status = EXIT_FAILURE;
              break;
            }
          if (r < b->warmup)
            continue;
          g_array_append_val (agent ? series[s * 2].agent : series[s * 2].raw, freeze_ns);
          g_array_append_val (agent ? series[s * 2 + 1].agent : series[s * 2 + 1].raw, thaw_ns);
        }

  if (status == EXIT_SUCCESS)
    {
      printf ("  %-12s %-24s %-24s %s\n", "", "   raw ioctls (ms)", "   guestlinkd (ms)",
              "overhead (ms)");
      printf ("  %-12s %7s %7s %8s  %7s %7s %8s  %9s %9s\n", "", "p50", "p90", "max",
              "p50", "p90", "max", "p50-p50", "paired");
      for (guint i = 0; i < G_N_ELEMENTS (series); i++)
        {
          Series *x = &series[i];
          g_autofree char *label = g_strdup_printf ("%u fs %s", x->size, x->what);
          double raw50 = percentile_ms (x->raw, 0.5), agent50 = percentile_ms (x->agent, 0.5);

          printf ("  %-12s %7.3f %7.3f %8.3f  %7.3f %7.3f %8.3f  %+9.3f %+9.3f\n", label,
                  raw50, percentile_ms (x->raw, 0.9), percentile_ms (x->raw, 1.0),
                  agent50, percentile_ms (x->agent, 0.9), percentile_ms (x->agent, 1.0),
                  agent50 - raw50, paired_median_ms (x));
        }
      printf ("\ntarget: guestlinkd p50 - raw ioctls p50 < 1 ms\n");
      for (guint i = 0; i < G_N_ELEMENTS (series); i++)
        {
          Series *x = &series[i];
          double overhead = percentile_ms (x->agent, 0.5) - percentile_ms (x->raw, 0.5);
          gboolean pass = overhead < 1.0;

          all_pass = all_pass && pass;
          printf ("  %s  %u fs %-6s overhead %+.3f ms\n", pass ? "PASS" : "MISS", x->size,
                  x->what, overhead);
        }
      printf ("  %s\n", all_pass ? "all targets met" : "a target was missed");
    }

  for (guint i = 0; i < G_N_ELEMENTS (series); i++)
    {
      g_array_unref (series[i].raw);
      g_array_unref (series[i].agent);
    }
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    g_free (requests[s]);
  return status;
}

static void
print_header (Bench *b)
{
  g_autofree char *loops = NULL;
  GString *devs = g_string_new (NULL);

  for (guint i = 0; i < b->n_fs; i++)
    g_string_append_printf (devs, "%s%s", i > 0 ? " " : "", b->fs[i].loopdev + strlen ("/dev/"));
  loops = g_string_free (devs, FALSE);

  printf ("guestlinkd fsfreeze benchmark\n");
  printf ("  guestlinkd  %s (pid %d)\n", b->guestlinkd, (int) b->agent_pid);
  printf ("  filesystems %u x ext4 %u MiB", MAX_FS - b->n_xfs, b->image_mib);
  if (b->n_xfs > 0)
    printf (" + %u x xfs %u MiB", b->n_xfs, MAX (b->image_mib, XFS_MIN_MIB));
  printf (", sparse images %s,\n"
          "              loop devices %s, mounted in a private mount namespace\n",
          b->images_on_disk ? "on disk (--images-on-disk)" : "in a tmpfs", loops);
  printf ("  sizes       1 (%s) and %u filesystems\n", b->fs[0].fstype, MAX_FS);
  printf ("  statedir    %s\n", b->statedir_on_disk
          ? "on disk (--statedir-on-disk)"
          : "in a tmpfs, as /run in a guest");
  printf ("  work dir    %s\n", b->work);
  printf ("  rounds      %u per size (+%u warmup), guestlinkd and raw alternating; "
          "%u KiB rewritten on each fs before every freeze\n",
          b->rounds, b->warmup, b->dirty_kib);
  printf ("  raw ioctls  in this process: open+fstat+FIFREEZE each fs in reverse mount order,\n"
          "              then FITHAW+close in mount order (what the agent's worker does)\n");
  if (b->cpu >= 0)
    printf ("  cpu         agent and benchmark pinned to CPU %d\n", b->cpu);
  else
    printf ("  cpu         not pinned\n");
  printf ("  qemu-ga not measured: its freeze is not run on the development machine\n\n");
}

/* What must hold before anything is touched; 77 for what this machine
 * cannot do, 1 for what the caller got wrong. */
static int
check_start (Bench *b)
{
  if (geteuid () != 0)
    {
      note ("SKIP: needs root (loop devices, mounts, FIFREEZE)");
      return EXIT_SKIP;
    }
  if (access (b->guestlinkd, X_OK) != 0)
    {
      note ("guestlinkd not found at %s: build it first or set GUESTLINKD", b->guestlinkd);
      return EXIT_FAILURE;
    }
  if (!g_path_is_absolute (b->guestlinkd))
    {
      char *absolute = g_canonicalize_filename (b->guestlinkd, NULL);
      g_free (b->guestlinkd);
      b->guestlinkd = absolute;
    }
  /* Allocator debugging from meson's test environment would measure malloc. */
  g_unsetenv ("MALLOC_CHECK_");
  g_unsetenv ("MALLOC_PERTURB_");

  if (b->cpu >= 0)
    {
      cpu_set_t set;

      CPU_ZERO (&set);
      CPU_SET (b->cpu, &set);
      if (sched_setaffinity (0, sizeof set, &set) != 0)
        {
          note ("cannot pin to CPU %d: %s", b->cpu, g_strerror (errno));
          return 2;
        }
    }
  return EXIT_SUCCESS;
}

int
main (int argc, char **argv)
{
  Bench bench = { .guard_pipe = -1, .cpu = -1 };
  Bench *b = &bench;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *guestlinkd = NULL;
  int rounds = 100, warmup = 3, image_mib = 32, dirty_kib = 64, n_xfs = 0, cpu = -1;
  gboolean statedir_on_disk = FALSE, images_on_disk = FALSE;
  struct sigaction action = { .sa_handler = on_stop_signal };
  int status;
  GOptionEntry entries[] = {
    { "guestlinkd", 0, 0, G_OPTION_ARG_FILENAME, &guestlinkd,
      "The agent (default: $GUESTLINKD, else BUILD_DIR/daemon/guestlinkd)", "PATH" },
    { "rounds", 'n', 0, G_OPTION_ARG_INT, &rounds, "Timed rounds per size (100)", "N" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Untimed rounds first (3)", "N" },
    { "image-mib", 0, 0, G_OPTION_ARG_INT, &image_mib, "Size of each ext4 image (32)", "MIB" },
    { "dirty-kib", 0, 0, G_OPTION_ARG_INT, &dirty_kib,
      "Data rewritten on each fs before every freeze (64)", "KIB" },
    { "xfs", 0, 0, G_OPTION_ARG_INT, &n_xfs,
      "Make the last N of the 8 filesystems xfs (>= 300 MiB) (0)", "N" },
    { "statedir-on-disk", 0, 0, G_OPTION_ARG_NONE, &statedir_on_disk,
      "Keep the agent's state dir on the disk of $TMPDIR, not in a tmpfs", NULL },
    { "images-on-disk", 0, 0, G_OPTION_ARG_NONE, &images_on_disk,
      "Keep the images on the disk of $TMPDIR, not in a tmpfs", NULL },
    { "cpu", 0, 0, G_OPTION_ARG_INT, &cpu, "Pin agent and benchmark to this CPU", "N" },
    { NULL }
  };

  context = g_option_context_new ("[BUILD_DIR] - time guestlinkd's freeze and thaw "
                                  "against the bare ioctls");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      note ("%s", error->message);
      return 2;
    }
  if (rounds < 1 || warmup < 0 || image_mib < 8 || dirty_kib < 0 || dirty_kib > 65536 ||
      n_xfs < 0 || n_xfs > MAX_FS - 1)
    {
      note ("--rounds >= 1, --warmup >= 0, --image-mib >= 8, --dirty-kib 0..65536, --xfs 0..7");
      return 2;
    }
  b->rounds = (guint) rounds;
  b->warmup = (guint) warmup;
  b->image_mib = (guint) image_mib;
  b->dirty_kib = (guint) dirty_kib;
  b->n_xfs = (guint) n_xfs;
  b->statedir_on_disk = statedir_on_disk;
  b->images_on_disk = images_on_disk;
  b->cpu = cpu;
  b->dirty = g_malloc ((gsize) b->dirty_kib * 1024 + 1);

  if (guestlinkd != NULL)
    b->guestlinkd = g_steal_pointer (&guestlinkd);
  else if (g_getenv ("GUESTLINKD") != NULL)
    b->guestlinkd = g_strdup (g_getenv ("GUESTLINKD"));
  else
    b->guestlinkd = g_build_filename (argc > 1 ? argv[1]
                                      : g_getenv ("MESON_BUILD_ROOT") != NULL
                                      ? g_getenv ("MESON_BUILD_ROOT") : "build",
                                      "daemon", "guestlinkd", NULL);

  status = check_start (b);
  if (status != EXIT_SUCCESS)
    {
      bench_free_strings (b);
      return status;
    }

  /* No SA_RESTART: a signal ends a wait, and the loop notices. */
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
  sigaction (SIGHUP, &action, NULL);
  signal (SIGPIPE, SIG_IGN);

  status = set_up (b);
  if (status == EXIT_SUCCESS && stop_signal != 0)
    status = 128 + stop_signal;
  if (status == EXIT_SUCCESS && !start_agent (b, &error))
    {
      note ("%s", error->message);
      print_agent_log (b);
      status = EXIT_FAILURE;
    }
  if (status == EXIT_SUCCESS)
    {
      print_header (b);
      fflush (stdout);
      status = measure (b);
    }

  cleanup (b);
  bench_free_strings (b);
  return status;
}
