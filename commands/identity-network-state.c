/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network-state step. A clone would otherwise ask its DHCP server
 * for the template's address with the template's client id (dhclient
 * keeps its DUID in the lease file), and old udev would pin the
 * template's MAC addresses to eth0..N. The leases go, the udev rule
 * goes, and the running network manager is restarted so that it asks
 * afresh, now with the new machine-id behind its client id.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errno-error.h"
#include "identity-steps.h"
#include "system-bus.h"
#include "systemd-units.h"

typedef struct {
  const char *dir;
  const char *prefix;     /* NULL: any name */
  const char *suffix;     /* NULL: any name */
} LeaseFiles;

/* Only the clients' own files: /var/lib/dhcp also holds dhcpd.leases,
 * the leases a DHCP server in the guest gave out. systemd-networkd
 * keeps its client leases in /run, one file per interface index; what
 * it keeps in /var/lib/systemd/network (v256 and later) are the leases
 * its DHCP server gave out, which are not this machine's identity. */
static const LeaseFiles lease_files[] = {
  { "/var/lib/dhcp", "dhclient", ".leases" },        /* dhclient, Debian */
  { "/var/lib/dhclient", "dhclient", NULL },         /* dhclient, Red Hat */
  { "/var/lib/NetworkManager", NULL, ".lease" },     /* NetworkManager's clients */
  { "/run/systemd/netif/leases", NULL, NULL },       /* systemd-networkd */
};

#define UDEV_NET_RULES "/etc/udev/rules.d/70-persistent-net.rules"

/* In order of preference: the first one running is restarted. */
static const char * const network_units[] = {
  "NetworkManager.service", "systemd-networkd.service", "networking.service", NULL
};

static gboolean
matches (const LeaseFiles *files,
         const char       *name)
{
  return name[0] != '.' &&
         (files->prefix == NULL || g_str_has_prefix (name, files->prefix)) &&
         (files->suffix == NULL || g_str_has_suffix (name, files->suffix));
}

/* For g_ptr_array_sort(), which passes pointers to the elements. */
static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Removes @name in @dir_fd if it is a regular file; adds @path to
 * @removed when it did. */
static gboolean
remove_regular_at (int          dir_fd,
                   const char  *name,
                   const char  *path,
                   GPtrArray   *removed,
                   GError     **error)
{
  struct stat st;

  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT || errno_error_set (error, errno, "Cannot look at %s", path);
  /* A link or a FIFO planted here is not a lease; it is left alone. */
  if (!S_ISREG (st.st_mode))
    {
      g_debug ("%s is not a regular file; left alone", path);
      return TRUE;
    }
  if (unlinkat (dir_fd, name, 0) != 0)
    return errno == ENOENT || errno_error_set (error, errno, "Cannot remove %s", path);
  g_ptr_array_add (removed, g_strdup (path));
  return TRUE;
}

/* @guest_dir below @root, opened without following a link in its last
 * component; -1 without error when it does not exist or is a link. */
static int
open_dir (const char  *root,
          const char  *guest_dir,
          GError     **error)
{
  g_autofree char *dir = g_build_filename (root, guest_dir, NULL);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd >= 0)
    return fd;
  if (errno == ENOENT)
    return -1;
  if (errno == ELOOP || errno == ENOTDIR)
    {
      g_debug ("%s is not a directory; left alone", dir);
      return -1;
    }
  errno_error_set (error, errno, "Cannot open the directory %s", dir);
  return -1;
}

static gboolean
remove_lease_files (const char        *root,
                    const LeaseFiles  *files,
                    GPtrArray         *removed,
                    GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  int fd = open_dir (root, files->dir, &local_error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DIR *dir;
  struct dirent *entry;

  if (fd < 0)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int saved_errno = errno;

      close (fd);
      return errno_error_set (error, saved_errno, "Cannot read the directory %s", files->dir);
    }

  /* Names first, removal after: no unlinking under readdir()'s feet. */
  errno = 0;
  while ((entry = readdir (dir)) != NULL)
    if (matches (files, entry->d_name))
      g_ptr_array_add (names, g_strdup (entry->d_name));
  if (errno != 0)
    {
      int saved_errno = errno;

      closedir (dir);
      return errno_error_set (error, saved_errno, "Cannot read the directory %s", files->dir);
    }

  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (files->dir, names->pdata[i], NULL);

      if (!remove_regular_at (dirfd (dir), names->pdata[i], path, removed, error))
        {
          closedir (dir);
          return FALSE;
        }
    }
  closedir (dir);
  return TRUE;
}

gboolean
identity_network_state_remove (const char  *root,
                               GPtrArray   *removed,
                               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *udev_dir = NULL;
  g_autofree char *udev_name = NULL;
  int udev_fd;
  gboolean ok;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (removed != NULL, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (lease_files); i++)
    if (!remove_lease_files (root, &lease_files[i], removed, error))
      return FALSE;

  /* Old udev's rule that pins the template's MAC addresses to names:
   * the clone's new MACs would become eth1, eth2, ... */
  udev_dir = g_path_get_dirname (UDEV_NET_RULES);
  udev_name = g_path_get_basename (UDEV_NET_RULES);
  udev_fd = open_dir (root, udev_dir, &local_error);
  if (udev_fd < 0)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  ok = remove_regular_at (udev_fd, udev_name, UDEV_NET_RULES, removed, error);
  close (udev_fd);
  return ok;
}

/* Restarts the network manager that runs; sets @out_detail to what it
 * did. */
static gboolean
restart_network_manager (GCancellable  *cancellable,
                         char         **out_detail,
                         GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDBusConnection) bus = system_bus_connect (cancellable, &local_error);
  g_autofree char *unit = NULL;
  gboolean ok;

  if (bus != NULL)
    unit = systemd_units_find (bus, network_units, TRUE, cancellable, &local_error);
  if (unit == NULL)
    {
      if (bus != NULL)
        g_dbus_connection_close_sync (bus, NULL, NULL);
      if (local_error != NULL && !system_bus_error_is_absent (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *out_detail = g_strdup (local_error != NULL ? "no systemd to restart a network manager"
                                                  : "no network manager running");
      return TRUE;
    }

  ok = systemd_units_run_job (bus, unit, SYSTEMD_UNIT_JOB_RESTART, SYSTEMD_UNITS_JOB_TIMEOUT_MS,
                              cancellable, error);
  g_dbus_connection_close_sync (bus, NULL, NULL);
  if (ok)
    *out_detail = g_strdup_printf ("%s restarted", unit);
  return ok;
}

IdentityStepStatus
identity_step_network_state (IdentityStepContext  *context,
                             char                **out_detail,
                             GError              **error)
{
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *removed_text = NULL;
  g_autofree char *restart_detail = NULL;
  gboolean ok;

  if (!context->request->reset_network_state)
    {
      *out_detail = g_strdup ("not asked for");
      return IDENTITY_STEP_SKIPPED;
    }

  ok = identity_network_state_remove ("/", removed, error) &&
       restart_network_manager (context->cancellable, &restart_detail, error);

  g_ptr_array_add (removed, NULL);
  removed_text = removed->len > 1 ? g_strjoinv (", ", (char **) removed->pdata)
                                  : g_strdup ("nothing");
  *out_detail = g_strdup_printf ("removed %s%s%s", removed_text,
                                 restart_detail != NULL ? "; " : "",
                                 restart_detail != NULL ? restart_detail : "");
  return ok ? IDENTITY_STEP_DONE : IDENTITY_STEP_FAILED;
}
