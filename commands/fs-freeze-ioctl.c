/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include <gio/gio.h>

#include "fs-freeze-ioctl.h"

FsFreezeTarget *
fs_freeze_target_new (const char *mountpoint,
                      guint       mount_id)
{
  FsFreezeTarget *target = g_new0 (FsFreezeTarget, 1);

  target->mountpoint = g_strdup (mountpoint);
  target->mount_id = mount_id;
  return target;
}

void
fs_freeze_target_free (FsFreezeTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->mountpoint);
  g_free (target);
}

/* The mount @fd is on: statx() knows since Linux 5.8, fdinfo since 3.15. */
static gboolean
get_mount_id (int    fd,
              guint *out_mount_id)
{
  g_autofree char *path = NULL;
  g_autofree char *fdinfo = NULL;
  const char *line;
  guint64 id;

#ifdef STATX_MNT_ID
  struct statx stx;

  if (statx (fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == 0 && (stx.stx_mask & STATX_MNT_ID))
    {
      *out_mount_id = (guint) stx.stx_mnt_id;
      return TRUE;
    }
#endif

  path = g_strdup_printf ("/proc/self/fdinfo/%d", fd);
  if (!g_file_get_contents (path, &fdinfo, NULL, NULL))
    return FALSE;
  line = strstr (fdinfo, "mnt_id:");
  if (line == NULL)
    return FALSE;
  id = g_ascii_strtoull (line + strlen ("mnt_id:"), NULL, 10);
  *out_mount_id = (guint) id;
  return TRUE;
}

/* Opens the root of the filesystem at @target, or fails with errno set.
 * O_NONBLOCK: a bind-mounted FIFO must not hang the worker. */
static int
open_target (const FsFreezeTarget *target)
{
  guint mount_id;
  int fd = open (target->mountpoint, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    return -1;

  /* Another mount on top of this one (or a new one since we read the
   * table) would make us freeze a filesystem nobody asked for. A kernel
   * that cannot say which mount is too old for us to be sure: then we
   * trust the path, as qemu-ga always does. */
  if (get_mount_id (fd, &mount_id) && mount_id != target->mount_id)
    {
      close (fd);
      errno = ESTALE;
      return -1;
    }

  return fd;
}

static void
thaw_one (FsFrozen  *frozen,
          guint     *n_thawed,
          GPtrArray *notes)
{
  if (ioctl (frozen->fd, FITHAW, 0) == 0)
    (*n_thawed)++;
  else if (errno == EINVAL)
    /* Someone else thawed it (fsfreeze -u): nothing left to do. */
    g_ptr_array_add (notes, g_strdup_printf ("%s was no longer frozen", frozen->mountpoint));
  else
    g_ptr_array_add (notes, g_strdup_printf ("Cannot thaw %s: %s",
                                             frozen->mountpoint, g_strerror (errno)));
  close (frozen->fd);
  g_free (frozen->mountpoint);
}

guint
fs_freeze_ioctl_thaw (GArray    *frozen,
                      GPtrArray *notes)
{
  guint n_thawed = 0;

  /* Frozen children first, so thawing in reverse is mount order. */
  for (guint i = frozen->len; i > 0; i--)
    thaw_one (&g_array_index (frozen, FsFrozen, i - 1), &n_thawed, notes);
  g_array_set_size (frozen, 0);
  return n_thawed;
}

GArray *
fs_freeze_ioctl_freeze (GPtrArray  *targets,
                        gboolean    chosen,
                        GPtrArray  *notes,
                        GError    **error)
{
  g_autoptr(GArray) frozen = g_array_new (FALSE, FALSE, sizeof (FsFrozen));

  for (guint i = targets->len; i > 0; i--)
    {
      const FsFreezeTarget *target = g_ptr_array_index (targets, i - 1);
      FsFrozen entry;
      int saved_errno;
      int fd = open_target (target);

      if (fd < 0)
        {
          saved_errno = errno;
          if (saved_errno == ESTALE && chosen)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "'%s' is hidden under another mount", target->mountpoint);
              goto fail;
            }
          if (saved_errno == ESTALE)
            {
              g_ptr_array_add (notes, g_strdup_printf ("Not freezing %s: another filesystem "
                                                       "is mounted over it", target->mountpoint));
              continue;
            }
          /* qemu-ga's words. */
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "failed to open %s: %s", target->mountpoint, g_strerror (saved_errno));
          goto fail;
        }

      if (ioctl (fd, FIFREEZE, 0) != 0)
        {
          saved_errno = errno;
          close (fd);
          if (saved_errno == EOPNOTSUPP)
            {
              g_ptr_array_add (notes, g_strdup_printf ("%s cannot be frozen: its filesystem "
                                                       "does not support it", target->mountpoint));
              continue;
            }
          if (saved_errno == EBUSY)
            {
              g_ptr_array_add (notes, g_strdup_printf ("%s is frozen already, by someone "
                                                       "else: left to them", target->mountpoint));
              continue;
            }
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "failed to freeze %s: %s", target->mountpoint, g_strerror (saved_errno));
          goto fail;
        }

      entry.mountpoint = g_strdup (target->mountpoint);
      entry.fd = fd;
      g_array_append_val (frozen, entry);
    }

  return g_steal_pointer (&frozen);

fail:
  fs_freeze_ioctl_thaw (frozen, notes);
  return NULL;
}

guint
fs_freeze_ioctl_thaw_targets (GPtrArray *targets,
                              GPtrArray *notes)
{
  guint n_thawed = 0;

  for (guint i = 0; i < targets->len; i++)
    {
      const FsFreezeTarget *target = g_ptr_array_index (targets, i);
      int fd = open_target (target);

      if (fd < 0)
        {
          /* A frozen filesystem still opens; one that does not is gone. */
          g_ptr_array_add (notes, g_strdup_printf ("Cannot open %s to thaw it: %s",
                                                   target->mountpoint, g_strerror (errno)));
          continue;
        }
      if (ioctl (fd, FITHAW, 0) == 0)
        n_thawed++;
      else if (errno != EINVAL)
        g_ptr_array_add (notes, g_strdup_printf ("Cannot thaw %s: %s",
                                                 target->mountpoint, g_strerror (errno)));
      close (fd);
    }

  return n_thawed;
}
