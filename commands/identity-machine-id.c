/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The machine-id step: the id systemd, D-Bus and the journal know the
 * machine by (machine-id(5)). D-Bus reads /var/lib/dbus/machine-id
 * first, so a copy of the template's id there would outlive the new one;
 * Debian makes it a link to /etc/machine-id, which keeps the two one.
 * PID 1 and the running dbus-daemon keep the old id until the reboot
 * the reply asks for.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "errno-error.h"
#include "identity-steps.h"
#include "identity-validate.h"
#include "small-file.h"

#define ETC_MACHINE_ID "/etc/machine-id"
#define DBUS_MACHINE_ID "/var/lib/dbus/machine-id"
#define MACHINE_ID_BYTES 16
/* machine-id(5): readable by all, written by no one but us. */
#define MACHINE_ID_MODE 0444

char *
identity_machine_id_generate (GError **error)
{
  guint8 bytes[MACHINE_ID_BYTES];
  gsize filled = 0;
  GString *id;

  while (filled < sizeof bytes)
    {
      ssize_t n = getrandom (bytes + filled, sizeof bytes - filled, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot get random bytes for a machine-id: %s", g_strerror (saved_errno));
          return NULL;
        }
      filled += (gsize) n;
    }

  /* A version 4 (random) UUID of RFC 4122's variant, as
   * sd_id128_randomize() makes them: tools that parse the id as a UUID
   * take it for what it is. */
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;

  id = g_string_sized_new (2 * MACHINE_ID_BYTES);
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (id, "%02x", bytes[i]);
  return g_string_free (id, FALSE);
}

char *
identity_machine_id_read (const char *root)
{
  g_autofree char *path = g_build_filename (root, ETC_MACHINE_ID, NULL);
  g_autofree char *contents = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  if (!small_file_read (path, SMALL_FILE_MAX_SIZE, &contents, NULL, NULL))
    return NULL;
  g_strstrip (contents);
  return identity_validate_machine_id (contents, NULL) ? g_steal_pointer (&contents) : NULL;
}

/* Makes @root/var/lib/dbus/machine-id agree with /etc/machine-id; sets
 * @out_detail to what it did. */
static gboolean
update_dbus_machine_id (const char  *root,
                        const char  *contents,
                        char       **out_detail,
                        GError     **error)
{
  g_autofree char *path = g_build_filename (root, DBUS_MACHINE_ID, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *target = NULL;
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      if (errno != ENOENT)
        return errno_error_set (error, errno, "Cannot look at %s", path);
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        {
          *out_detail = g_strdup ("no /var/lib/dbus");
          return TRUE;
        }
    }
  else if (S_ISREG (st.st_mode))
    {
      /* A copy of its own: rewritten, the way it was. */
      if (!atomic_file_replace (path, contents, strlen (contents), MACHINE_ID_MODE, -1, -1, error))
        return FALSE;
      *out_detail = g_strdup (DBUS_MACHINE_ID " rewritten");
      return TRUE;
    }
  else if (S_ISLNK (st.st_mode))
    {
      target = g_file_read_link (path, NULL);
      if (g_strcmp0 (target, ETC_MACHINE_ID) == 0)
        {
          *out_detail = g_strdup (DBUS_MACHINE_ID " links to it");
          return TRUE;
        }
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "%s is neither a file nor a symbolic link", path);
      return FALSE;
    }

  /* Missing, or a link elsewhere: a link to /etc/machine-id, absolute as
   * Debian's dbus package makes it (it is read in the guest's root). */
  if (!atomic_file_symlink (path, ETC_MACHINE_ID, error))
    return FALSE;
  *out_detail = g_strdup (DBUS_MACHINE_ID " made a link to it");
  return TRUE;
}

gboolean
identity_machine_id_write (const char  *root,
                           const char  *machine_id,
                           char       **out_detail,
                           GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *dbus_detail = NULL;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (identity_validate_machine_id (machine_id, NULL), FALSE);

  path = g_build_filename (root, ETC_MACHINE_ID, NULL);
  contents = g_strconcat (machine_id, "\n", NULL);
  if (!atomic_file_replace (path, contents, strlen (contents), MACHINE_ID_MODE, -1, -1, error))
    return FALSE;
  if (!update_dbus_machine_id (root, contents, &dbus_detail, error))
    {
      *out_detail = g_strdup_printf (ETC_MACHINE_ID " is %s", machine_id);
      return FALSE;
    }
  *out_detail = g_strdup_printf (ETC_MACHINE_ID " is %s; %s", machine_id, dbus_detail);
  return TRUE;
}

IdentityStepStatus
identity_step_machine_id (IdentityStepContext  *context,
                          char                **out_detail,
                          GError              **error)
{
  const char *machine_id = context->journal->machine_id;

  if (machine_id == NULL)
    {
      *out_detail = g_strdup ("no machine-id asked for");
      return IDENTITY_STEP_SKIPPED;
    }
  return identity_machine_id_write ("/", machine_id, out_detail, error)
         ? IDENTITY_STEP_DONE : IDENTITY_STEP_FAILED;
}
