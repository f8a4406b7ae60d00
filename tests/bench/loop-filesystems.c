/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filesystems under test, made and unmade with their safety nets:
 *
 *   - nothing is mounted before this process is in a mount namespace of its
 *     own whose mounts, checked in mountinfo, propagate nowhere: the tmpfs,
 *     the images and their mounts are never seen outside, and all of them
 *     go when the namespace does;
 *   - every open of a mount point checks that it is the image's loop device
 *     there (loop_fs_open_root ()), so no FIFREEZE or FITHAW ever reaches
 *     the filesystem below a failed or vanished mount;
 *   - the loop devices are attached with autoclear: the kernel detaches
 *     each when its mount goes, whichever way we end;
 *   - a guard process, forked once the images are mounted, FITHAWs them all
 *     when its pipe from us reaches end of file, which SIGKILL makes too;
 *   - the teardown thaws before it unmounts, and never empties a directory
 *     that is still mounted over.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/loop.h>

#include <glib.h>

#include "fsfreeze-bench.h"
#include "loop-filesystems.h"

/* ---- thawing whatever state we are in ---- */

/* Refuses anything but our own filesystem at @fs: a mount point whose
 * st_dev is not our loop device is the directory below a failed or
 * vanished mount, and freezing it would freeze the host's disk. */
int
loop_fs_open_root (const LoopFs *fs)
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

/* EINVAL from FITHAW just means not frozen. */
void
loop_filesystems_thaw_all (LoopFilesystems *set)
{
  for (guint i = 0; i < set->n_fs; i++)
    {
      LoopFs *fs = &set->fs[i];
      int fd;

      if (fs->raw_fd >= 0)
        {
          if (ioctl (fs->raw_fd, FITHAW, 0) != 0 && errno != EINVAL)
            fsbench_note ("FITHAW %s: %s", fs->mountpoint, g_strerror (errno));
          close (fs->raw_fd);
          fs->raw_fd = -1;
        }
      if (!fs->mounted)
        continue;
      fd = loop_fs_open_root (fs);
      if (fd < 0)
        {
          fsbench_note ("cannot open %s to thaw it: %s", fs->mountpoint, g_strerror (errno));
          continue;
        }
      if (ioctl (fd, FITHAW, 0) != 0 && errno != EINVAL)
        fsbench_note ("FITHAW %s: %s", fs->mountpoint, g_strerror (errno));
      close (fd);
    }
}

/* ---- the guard: thaws when we are gone, however we went ---- */

static void G_GNUC_NORETURN
guard_main (LoopFilesystems *set, int pipe_read)
{
  int fds[LOOP_FS_MAX];
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

  for (guint i = 0; i < set->n_fs; i++)
    fds[i] = loop_fs_open_root (&set->fs[i]);

  while (read (3, &byte, 1) != 0)
    if (errno != EINTR)
      break;

  for (guint i = 0; i < set->n_fs; i++)
    if (fds[i] >= 0)
      {
        if (ioctl (fds[i], FITHAW, 0) == 0)
          fprintf (stderr, "fsfreeze-bench guard: thawed %s\n", set->fs[i].mountpoint);
        close (fds[i]);
      }
  _exit (0);
}

static gboolean
start_guard (LoopFilesystems *set, GError **error)
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
    guard_main (set, p[0]);
  close (p[0]);
  set->guard_pid = pid;
  set->guard_pipe = p[1];
  return TRUE;
}

static void
stop_guard (LoopFilesystems *set)
{
  if (set->guard_pipe >= 0)
    close (set->guard_pipe);
  set->guard_pipe = -1;
  if (set->guard_pid > 0)
    waitpid (set->guard_pid, NULL, 0);
  set->guard_pid = 0;
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
      fsbench_note ("SKIP: cannot create a mount namespace: %s", g_strerror (errno));
      return FSBENCH_EXIT_SKIP;
    }
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      fsbench_note ("SKIP: cannot make the mounts of the new namespace private: %s",
                    g_strerror (errno));
      return FSBENCH_EXIT_SKIP;
    }
  if (!g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL) ||
      strstr (mountinfo, " shared:") != NULL || strstr (mountinfo, " master:") != NULL)
    {
      fsbench_note ("a mount in the new namespace still propagates: not mounting anything");
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
make_image (LoopFs *fs, guint mib, GError **error)
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
attach_loop (LoopFs *fs, GError **error)
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
mount_fs (LoopFs *fs, GError **error)
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

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

int
loop_filesystems_set_up (LoopFilesystems *set)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *images = NULL;
  g_autofree char *mnt = NULL;
  g_autofree char *ram_options = NULL;
  struct stat st;
  int status;

  if (access ("/dev/loop-control", R_OK | W_OK) != 0)
    {
      fsbench_note ("SKIP: no loop devices: /dev/loop-control: %s", g_strerror (errno));
      return FSBENCH_EXIT_SKIP;
    }
  if (!have_program ("mkfs.ext4"))
    {
      fsbench_note ("SKIP: mkfs.ext4 not found (e2fsprogs)");
      return FSBENCH_EXIT_SKIP;
    }
  if (set->n_xfs > 0 && !have_program ("mkfs.xfs"))
    {
      fsbench_note ("SKIP: mkfs.xfs not found (xfsprogs), needed for --xfs");
      return FSBENCH_EXIT_SKIP;
    }

  status = enter_private_namespace ();
  if (status != EXIT_SUCCESS)
    return status;

  set->work = g_dir_make_tmp ("guestlink-fsbench-XXXXXX", &error);
  if (set->work == NULL)
    {
      fsbench_note ("%s", error->message);
      return EXIT_FAILURE;
    }
  if (stat (set->work, &st) != 0)
    {
      fsbench_note ("stat %s: %s", set->work, g_strerror (errno));
      return EXIT_FAILURE;
    }
  set->work_device = st.st_dev;

  /* A tmpfs, seen only in our namespace, for everything the caller does
   * not ask to have on disk: a guest's /run (the agent's state dir) is
   * one, and images in memory keep the host's disk flushes, which both
   * sides pay alike, from burying the agent's own time in noise.  Sized
   * for the images should they be filled, and 16 MiB for the caller. */
  set->ram = g_build_filename (set->work, "ram", NULL);
  if (mkdir (set->ram, 0700) != 0)
    {
      fsbench_note ("mkdir %s: %s", set->ram, g_strerror (errno));
      return EXIT_FAILURE;
    }
  ram_options = g_strdup_printf ("mode=0700,size=%um",
                                 set->images_on_disk ? 16
                                 : 16 + (LOOP_FS_MAX - set->n_xfs) * set->image_mib +
                                   set->n_xfs * MAX (set->image_mib, LOOP_FS_XFS_MIN_MIB));
  if (mount ("tmpfs", set->ram, "tmpfs", MS_NOSUID | MS_NODEV, ram_options) != 0)
    {
      fsbench_note ("mount tmpfs on %s: %s", set->ram, g_strerror (errno));
      return EXIT_FAILURE;
    }
  set->ram_mounted = TRUE;

  images = g_build_filename (set->images_on_disk ? set->work : set->ram, "images", NULL);
  mnt = g_build_filename (set->ram, "mnt", NULL);
  if (mkdir (images, 0700) != 0 || mkdir (mnt, 0700) != 0)
    {
      fsbench_note ("cannot populate %s: %s", set->work, g_strerror (errno));
      return EXIT_FAILURE;
    }

  for (guint i = 0; i < LOOP_FS_MAX; i++)
    {
      LoopFs *fs = &set->fs[i];
      gboolean xfs = i >= LOOP_FS_MAX - set->n_xfs;
      guint mib = xfs ? MAX (set->image_mib, LOOP_FS_XFS_MIN_MIB) : set->image_mib;

      fs->loop_fd = -1;
      fs->raw_fd = -1;
      fs->fstype = g_strdup (xfs ? "xfs" : "ext4");
      fs->image = g_strdup_printf ("%s/%u.img", images, i);
      fs->mountpoint = g_strdup_printf ("%s/%u", mnt, i);
      set->n_fs = i + 1;

      if (mkdir (fs->mountpoint, 0700) != 0)
        {
          fsbench_note ("mkdir %s: %s", fs->mountpoint, g_strerror (errno));
          return EXIT_FAILURE;
        }
      if (!make_image (fs, mib, &error))
        {
          fsbench_note ("%s", error->message);
          return EXIT_FAILURE;
        }
      if (!attach_loop (fs, &error))
        {
          fsbench_note ("SKIP: no loop device: %s", error->message);
          return FSBENCH_EXIT_SKIP;
        }
      if (!mount_fs (fs, &error))
        {
          if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NODEV))
            {
              fsbench_note ("SKIP: the kernel cannot mount %s: %s", fs->fstype, error->message);
              return FSBENCH_EXIT_SKIP;
            }
          fsbench_note ("%s", error->message);
          return EXIT_FAILURE;
        }
    }

  if (!start_guard (set, &error))
    {
      fsbench_note ("%s", error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

char *
loop_filesystems_scratch_dir (LoopFilesystems *set, const char *name, gboolean on_disk)
{
  char *path = g_build_filename (on_disk ? set->work : set->ram, name, NULL);

  /* The tmpfs goes whole; a directory on disk is the teardown's to remove. */
  if (on_disk)
    {
      if (set->disk_dirs == NULL)
        set->disk_dirs = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (set->disk_dirs, g_strdup (path));
    }
  return path;
}

/* ---- in use ---- */

gboolean
loop_filesystems_dirty (LoopFilesystems *set, guint n, guint round, GError **error)
{
  gsize len = (gsize) set->dirty_kib * 1024;

  if (len == 0)
    return TRUE;
  if (set->dirty == NULL)
    set->dirty = g_malloc (len);
  memset (set->dirty, 'a' + (int) (round % 26), len);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_build_filename (set->fs[i].mountpoint, "bench-data", NULL);
      int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
      gssize w;

      if (fd < 0)
        return set_errno_error (error, errno, "open", path);
      w = pwrite (fd, set->dirty, len, 0);
      close (fd);
      if (w != (gssize) len)
        return set_errno_error (error, w < 0 ? errno : EIO, "write", path);
    }
  return TRUE;
}

/* ---- tearing down ---- */

/* Removes the files we made in @dir, and only if @dir is on the work
 * directory's own filesystem: a directory still mounted over is left
 * alone, never emptied. */
static void
remove_dir (LoopFilesystems *set, const char *dir)
{
  struct stat st;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  if (dir == NULL || lstat (dir, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode) || st.st_dev != set->work_device)
    {
      fsbench_note ("left %s in place: it is still mounted", dir);
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
    fsbench_note ("cannot remove %s: %s", dir, g_strerror (errno));
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
  fsbench_note ("umount %s: %s; detaching it lazily", path, g_strerror (errno));
  return umount2 (path, MNT_DETACH) == 0;
}

void
loop_filesystems_tear_down (LoopFilesystems *set)
{
  /* Every mount point thawed once more, whoever froze it last, then the
   * guard (which thaws again and lets go of the mounts) before anything
   * is unmounted. */
  loop_filesystems_thaw_all (set);
  stop_guard (set);

  for (guint i = set->n_fs; i > 0; i--)
    {
      LoopFs *fs = &set->fs[i - 1];

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
        fsbench_note ("cannot remove %s: %s", fs->image, g_strerror (errno));
    }

  /* The tmpfs takes the images, mount points and the caller's files. */
  if (set->ram_mounted && unmount (set->ram))
    set->ram_mounted = FALSE;

  if (set->work != NULL)
    {
      g_autofree char *images = g_build_filename (set->work, "images", NULL);

      remove_dir (set, images);
      for (guint i = 0; set->disk_dirs != NULL && i < set->disk_dirs->len; i++)
        remove_dir (set, g_ptr_array_index (set->disk_dirs, i));
      if (!set->ram_mounted)
        remove_dir (set, set->ram);
      remove_dir (set, set->work);
    }
}

void
loop_filesystems_clear (LoopFilesystems *set)
{
  for (guint i = 0; i < LOOP_FS_MAX; i++)
    {
      g_free (set->fs[i].image);
      g_free (set->fs[i].fstype);
      g_free (set->fs[i].mountpoint);
      g_free (set->fs[i].loopdev);
    }
  g_free (set->work);
  g_free (set->ram);
  g_clear_pointer (&set->disk_dirs, g_ptr_array_unref);
  g_free (set->dirty);
}
