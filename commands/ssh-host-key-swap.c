/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ssh-host-key-swap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "errno-error.h"

#define ABSENT_SUFFIX ".absent"

static gboolean
fsync_path (const char  *path,
            GError     **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  int saved_errno;

  if (fd < 0)
    return errno_error_set (error, errno, "Cannot open %s", path);
  if (fsync (fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      return errno_error_set (error, saved_errno, "Cannot sync %s", path);
    }
  close (fd);
  return TRUE;
}

static char *
dir_path (const char *ssh_dir,
          const char *which)
{
  return g_build_filename (ssh_dir, which, NULL);
}

char *
ssh_host_key_swap_staged_path (const char *ssh_dir,
                               const char *name)
{
  return g_build_filename (ssh_dir, SSH_HOST_KEY_STAGING_DIR, name, NULL);
}

gboolean
ssh_host_key_swap_begin (const char  *ssh_dir,
                         GError     **error)
{
  const char *dirs[] = { SSH_HOST_KEY_STAGING_DIR, SSH_HOST_KEY_ASIDE_DIR };

  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = dir_path (ssh_dir, dirs[i]);

      /* Private keys go there: nobody else may look in. */
      if (g_mkdir (path, 0700) != 0)
        return errno_error_set (error, errno, "Cannot make %s", path);
    }
  return TRUE;
}

gboolean
ssh_host_key_swap_sync_staged (const char  *ssh_dir,
                               const char  *name,
                               GError     **error)
{
  g_autofree char *staging = dir_path (ssh_dir, SSH_HOST_KEY_STAGING_DIR);
  g_autofree char *private_path = g_build_filename (staging, name, NULL);
  g_autofree char *public_path = g_strconcat (private_path, ".pub", NULL);

  return fsync_path (private_path, error) && fsync_path (public_path, error) &&
         fsync_path (staging, error);
}

/* Links @path's file into the aside directory as @name, or marks it
 * absent there. */
static gboolean
keep_aside (const char  *aside,
            const char  *path,
            const char  *name,
            GError     **error)
{
  g_autofree char *kept = g_build_filename (aside, name, NULL);
  g_autofree char *marker = g_strconcat (kept, ABSENT_SUFFIX, NULL);
  int fd;

  if (link (path, kept) == 0)
    return TRUE;
  if (errno != ENOENT)
    return errno_error_set (error, errno, "Cannot keep aside %s", path);

  fd = open (marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return errno_error_set (error, errno, "Cannot make %s", marker);
  close (fd);
  return TRUE;
}

gboolean
ssh_host_key_swap_install (const char  *ssh_dir,
                           const char  *name,
                           GError     **error)
{
  g_autofree char *aside = dir_path (ssh_dir, SSH_HOST_KEY_ASIDE_DIR);
  g_autofree char *public_name = g_strconcat (name, ".pub", NULL);
  const char *names[] = { name, public_name };

  /* Everything aside first, and on disk, so that a crash during the
   * renames below can always be undone. */
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (ssh_dir, names[i], NULL);

      if (!keep_aside (aside, path, names[i], error))
        return FALSE;
    }
  if (!fsync_path (aside, error))
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *staged = ssh_host_key_swap_staged_path (ssh_dir, names[i]);
      g_autofree char *path = g_build_filename (ssh_dir, names[i], NULL);

      if (rename (staged, path) != 0)
        return errno_error_set (error, errno, "Cannot put in place %s", path);
    }
  return TRUE;
}

gboolean
ssh_host_key_swap_sync (const char  *ssh_dir,
                        GError     **error)
{
  return fsync_path (ssh_dir, error);
}

/* Removes the files of @dir and @dir itself; a missing @dir is fine. */
static gboolean
remove_dir (const char  *dir,
            GError     **error)
{
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  listing = g_dir_open (dir, 0, &local_error);
  if (listing == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_unlink (path) != 0)
        return errno_error_set (error, errno, "Cannot remove %s", path);
    }
  if (g_rmdir (dir) != 0)
    return errno_error_set (error, errno, "Cannot remove %s", dir);
  return TRUE;
}

gboolean
ssh_host_key_swap_commit (const char  *ssh_dir,
                          GError     **error)
{
  g_autofree char *aside = dir_path (ssh_dir, SSH_HOST_KEY_ASIDE_DIR);
  g_autofree char *staging = dir_path (ssh_dir, SSH_HOST_KEY_STAGING_DIR);

  return remove_dir (aside, error) && remove_dir (staging, error) && fsync_path (ssh_dir, error);
}

/* Counts the pair of the key file @name once: its private key's name. */
static void
note_pair (GHashTable *pairs,
           const char *name)
{
  if (g_str_has_suffix (name, ".pub"))
    g_hash_table_add (pairs, g_strndup (name, strlen (name) - strlen (".pub")));
  else
    g_hash_table_add (pairs, g_strdup (name));
}

gboolean
ssh_host_key_swap_roll_back (const char  *ssh_dir,
                             guint       *out_restored,
                             GError     **error)
{
  g_autofree char *aside = dir_path (ssh_dir, SSH_HOST_KEY_ASIDE_DIR);
  g_autofree char *staging = dir_path (ssh_dir, SSH_HOST_KEY_STAGING_DIR);
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) restored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *name;

  if (out_restored != NULL)
    *out_restored = 0;

  /* Half-made keys first: nothing was taken from there yet that the
   * aside directory cannot undo. */
  if (!remove_dir (staging, error))
    return FALSE;

  listing = g_dir_open (aside, 0, &local_error);
  if (listing == NULL)
    {
      /* Nothing was ever put in place. */
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *kept = g_build_filename (aside, name, NULL);

      if (g_str_has_suffix (name, ABSENT_SUFFIX))
        {
          g_autofree char *original = g_strndup (name, strlen (name) - strlen (ABSENT_SUFFIX));
          g_autofree char *path = g_build_filename (ssh_dir, original, NULL);

          if (g_unlink (path) == 0)
            note_pair (restored, original);
          else if (errno != ENOENT)
            return errno_error_set (error, errno, "Cannot remove %s", path);
        }
      else
        {
          g_autofree char *path = g_build_filename (ssh_dir, name, NULL);
          struct stat kept_stat, current;

          /* Counted only when the file in place was another one. */
          if (lstat (kept, &kept_stat) == 0 &&
              (lstat (path, &current) != 0 || current.st_ino != kept_stat.st_ino))
            note_pair (restored, name);
          if (rename (kept, path) != 0)
            return errno_error_set (error, errno, "Cannot put back %s", path);
        }
    }

  /* The restored files first: the aside directory goes only once they
   * are durable, so a crash in between just rolls back again. */
  if (!fsync_path (ssh_dir, error) || !remove_dir (aside, error) || !fsync_path (ssh_dir, error))
    return FALSE;
  if (out_restored != NULL)
    *out_restored = g_hash_table_size (restored);
  return TRUE;
}
