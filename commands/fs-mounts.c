/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <gio/gio.h>

#include "fs-mounts.h"

void
fs_mount_free (FsMount *mount)
{
  if (mount == NULL)
    return;

  g_free (mount->root);
  g_free (mount->mountpoint);
  g_free (mount->fstype);
  g_free (mount->source);
  g_free (mount);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *
unescape (const char *field)
{
  GString *out = g_string_sized_new (strlen (field));

  for (const char *p = field; *p != '\0'; p++)
    {
      if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' &&
          p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7')
        {
          g_string_append_c (out, (char) (((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0')));
          p += 3;
        }
      else
        {
          g_string_append_c (out, *p);
        }
    }

  return g_string_free (out, FALSE);
}

/*
 * One line: "ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [TAGS...] -
 * FSTYPE SOURCE SUPEROPTIONS" (proc(5)); the optional tags end at "-".
 */
static FsMount *
parse_line (const char *line)
{
  g_auto(GStrv) fields = g_strsplit (line, " ", -1);
  g_autoptr(FsMount) mount = g_new0 (FsMount, 1);
  guint n_fields = g_strv_length (fields);
  guint separator;
  guint64 id, parent, major, minor;
  g_auto(GStrv) device = NULL;

  for (separator = 6; separator < n_fields && !g_str_equal (fields[separator], "-"); separator++)
    ;
  if (n_fields < 10 || separator + 2 >= n_fields)
    return NULL;

  device = g_strsplit (fields[2], ":", 2);
  if (!g_ascii_string_to_unsigned (fields[0], 10, 0, G_MAXUINT, &id, NULL) ||
      !g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXUINT, &parent, NULL) ||
      g_strv_length (device) != 2 ||
      !g_ascii_string_to_unsigned (device[0], 10, 0, G_MAXUINT32, &major, NULL) ||
      !g_ascii_string_to_unsigned (device[1], 10, 0, G_MAXUINT32, &minor, NULL))
    return NULL;

  mount->mount_id = (guint) id;
  mount->parent_id = (guint) parent;
  mount->device = makedev ((unsigned int) major, (unsigned int) minor);
  mount->root = unescape (fields[3]);
  mount->mountpoint = unescape (fields[4]);
  mount->fstype = unescape (fields[separator + 1]);
  mount->source = unescape (fields[separator + 2]);

  return g_steal_pointer (&mount);
}

GPtrArray *
fs_mounts_read (const char  *mountinfo_path,
                GError     **error)
{
  g_autoptr(GPtrArray) mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) fs_mount_free);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (mountinfo_path != NULL, NULL);

  if (!g_file_get_contents (mountinfo_path, &contents, NULL, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      FsMount *mount = **line != '\0' ? parse_line (*line) : NULL;

      if (mount != NULL)
        g_ptr_array_add (mounts, mount);
    }

  return g_steal_pointer (&mounts);
}

gboolean
fs_mount_is_local (const FsMount *mount)
{
  g_return_val_if_fail (mount != NULL, FALSE);

  return major (mount->device) != 0 || g_str_equal (mount->fstype, "btrfs");
}

gboolean
fs_mount_get_block_device (const FsMount *mount,
                           dev_t         *out_device)
{
  struct stat st;

  g_return_val_if_fail (mount != NULL, FALSE);
  g_return_val_if_fail (out_device != NULL, FALSE);

  if (major (mount->device) != 0)
    {
      *out_device = mount->device;
      return TRUE;
    }

  /* A directory source is a bind mount, anything else but a block
   * device names no disk: qemu-ga skips both. */
  if (!g_str_equal (mount->fstype, "btrfs") ||
      stat (mount->source, &st) < 0 || !S_ISBLK (st.st_mode))
    return FALSE;

  *out_device = st.st_rdev;
  return TRUE;
}

GPtrArray *
fs_mounts_local_filesystems (GPtrArray *mounts)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) local = g_ptr_array_new ();

  g_return_val_if_fail (mounts != NULL, NULL);

  for (guint i = 0; i < mounts->len; i++)
    {
      FsMount *mount = g_ptr_array_index (mounts, i);
      gint64 *key;

      if (!fs_mount_is_local (mount))
        continue;

      /* The key lives in the mount, which outlives this table. */
      G_STATIC_ASSERT (sizeof (dev_t) == sizeof (gint64));
      key = (gint64 *) &mount->device;
      if (g_hash_table_contains (seen, key))
        continue;

      g_hash_table_add (seen, key);
      g_ptr_array_add (local, mount);
    }

  return g_steal_pointer (&local);
}
