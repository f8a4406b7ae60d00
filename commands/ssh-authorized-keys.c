/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-ssh-get-authorized-keys, guest-ssh-add-authorized-keys and
 * guest-ssh-remove-authorized-keys, compatible with qemu-ga 7.2 (so that
 * virsh get-user-sshkeys and set-user-sshkeys work), over a home
 * directory that is not trusted: its owner may have planted symbolic
 * links, FIFOs or hard links where ~/.ssh and authorized_keys should be,
 * hoping that root writes through them.
 *
 * So the home directory is opened once, ~/.ssh relative to it and
 * authorized_keys relative to that, each one component with O_NOFOLLOW:
 * no path is ever resolved again after it was checked. authorized_keys
 * must be a regular file with one link; the new one is written as a
 * temporary file created with O_EXCL in ~/.ssh, fsynced and renamed over
 * it (a rename replaces a link, it never writes through one). On top of
 * that, the work runs with the user's fsuid and fsgid (per thread on
 * Linux), so even a path we got wrong could only reach what the user may
 * write anyway.
 *
 * Divergences from qemu-ga, deliberate:
 * - keys are checked as public keys (qemu-ga only refuses comments and
 *   newlines), with sshd's options prefix allowed; the error names the
 *   index;
 * - get of a user without authorized_keys returns no keys (qemu-ga: an
 *   error), and lists keys in file order (qemu-ga: reversed);
 * - a key counts as present when its options, type and key match, not
 *   only when the whole line does: another comment does not add it twice,
 *   and remove finds it under any comment;
 * - the file keeps its '\n' line ends (qemu-ga drops the last one).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "atomic-file.h"
#include "authorized-keys.h"
#include "commands.h"
#include "message.h"
#include "small-file.h"

#define SSH_DIR ".ssh"
#define AUTHORIZED_KEYS "authorized_keys"
/* Thousands of keys; a bigger file is not one we should load as root. */
#define AUTHORIZED_KEYS_MAX_SIZE (4 * 1024 * 1024)

typedef struct {
  AuthorizedKeysEdit edit;
  gboolean read_only;
  char *username;
  char **keys;
} KeysWork;

static void
keys_work_free (gpointer data)
{
  KeysWork *work = data;

  g_free (work->username);
  g_strfreev (work->keys);
  g_free (work);
}

typedef struct {
  char *home;
  uid_t uid;
  gid_t gid;
} User;

static void
user_clear (User *user)
{
  g_clear_pointer (&user->home, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (User, user_clear)

static gboolean
lookup_user (const char  *username,
             User        *out_user,
             GError     **error)
{
  long suggested = sysconf (_SC_GETPW_R_SIZE_MAX);
  gsize size = suggested > 0 ? (gsize) suggested : 16384;

  for (;;)
    {
      g_autofree char *buffer = g_malloc (size);
      struct passwd entry, *found = NULL;
      int result = getpwnam_r (username, &entry, buffer, size, &found);

      if (result == ERANGE && size < 1024 * 1024)
        {
          size *= 2;
          continue;
        }
      /* qemu-ga's words, so that tools matching them keep working. */
      if (found == NULL)
        {
          command_set_generic_error (error, "failed to lookup user '%s': %s", username,
                                     result != 0 ? g_strerror (result) : "No such user");
          return FALSE;
        }
      if (entry.pw_dir == NULL || !g_path_is_absolute (entry.pw_dir))
        {
          command_set_generic_error (error, "user '%s' has no home directory", username);
          return FALSE;
        }
      out_user->home = g_strdup (entry.pw_dir);
      out_user->uid = entry.pw_uid;
      out_user->gid = entry.pw_gid;
      return TRUE;
    }
}

/* Root acting as @user for the file system: the kernel then checks every
 * access as it would for @user, and drops root's file capabilities for
 * this thread until fsuid is 0 again. */
typedef struct {
  gboolean switched;
  uid_t saved_uid;
  gid_t saved_gid;
} FsIdentity;

static gboolean
fs_identity_enter (FsIdentity  *identity,
                   const User  *user,
                   GError     **error)
{
  identity->switched = FALSE;
  if (geteuid () != 0 || user->uid == 0)
    return TRUE;

  identity->saved_gid = (gid_t) setfsgid (user->gid);
  identity->saved_uid = (uid_t) setfsuid (user->uid);
  identity->switched = TRUE;
  /* setfsuid() reports no error: ask again what it is now. */
  if ((uid_t) setfsuid ((uid_t) -1) != user->uid || (gid_t) setfsgid ((gid_t) -1) != user->gid)
    {
      command_set_generic_error (error, "Cannot act as uid %u", (unsigned) user->uid);
      return FALSE;
    }
  return TRUE;
}

static void
fs_identity_leave (FsIdentity *identity)
{
  if (!identity->switched)
    return;
  setfsuid (identity->saved_uid);
  setfsgid (identity->saved_gid);
  /* The thread goes back to GLib's pool: it must not stay the user. */
  g_assert ((uid_t) setfsuid ((uid_t) -1) == identity->saved_uid);
  identity->switched = FALSE;
}

static int
open_home (const User  *user,
           GError     **error)
{
  /* The path itself comes from root's passwd database, under root's
   * directories: followed. Everything below it is the user's: not. */
  int fd = open (user->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    command_set_generic_error (error, "failed to open home directory '%s': %s", user->home, g_strerror (errno));
  return fd;
}

static gboolean
owned_by_user_or_root (const struct stat *st,
                       const User        *user)
{
  return st->st_uid == user->uid || st->st_uid == 0;
}

/* ~/.ssh as a directory fd, -1 with @error set, or -1 without when it
 * does not exist and @create is FALSE. A symbolic link or anything but a
 * directory is refused. */
static int
open_ssh_dir (int          home_fd,
              const User  *user,
              gboolean     create,
              GError     **error)
{
  gboolean created = FALSE;
  struct stat st;
  int fd;

  for (;;)
    {
      fd = openat (home_fd, SSH_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0 || errno != ENOENT || !create || created)
        break;
      if (mkdirat (home_fd, SSH_DIR, 0700) < 0 && errno != EEXIST)
        {
          command_set_generic_error (error, "failed to create directory '%s/" SSH_DIR "': %s",
                                     user->home, g_strerror (errno));
          return -1;
        }
      created = TRUE;
    }

  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return -1;
      if (fstatat (home_fd, SSH_DIR, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
        command_set_generic_error (error, "'%s/" SSH_DIR "' is a symbolic link: refusing to follow it", user->home);
      else if (saved_errno == ENOTDIR || saved_errno == ELOOP)
        command_set_generic_error (error, "'%s/" SSH_DIR "' is not a directory", user->home);
      else
        command_set_generic_error (error, "failed to open '%s/" SSH_DIR "': %s", user->home, g_strerror (saved_errno));
      return -1;
    }

  if (fstat (fd, &st) < 0 || !owned_by_user_or_root (&st, user))
    {
      command_set_generic_error (error, "'%s/" SSH_DIR "' is not owned by the user: refusing to use it", user->home);
      close (fd);
      return -1;
    }

  if (created && (fchown (fd, user->uid, user->gid) < 0 || fchmod (fd, 0700) < 0))
    {
      command_set_generic_error (error, "failed to set up directory '%s/" SSH_DIR "': %s",
                                 user->home, g_strerror (errno));
      close (fd);
      return -1;
    }
  return fd;
}

/* authorized_keys in @ssh_fd: TRUE with @out_contents NULL when there is
 * none. Only a regular file with a single link, owned by the user (or
 * root), is read. */
static gboolean
read_authorized_keys (int          ssh_fd,
                      const User  *user,
                      char       **out_contents,
                      GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;
  struct stat st;
  gboolean ok;
  int fd;

  *out_contents = NULL;
  /* O_NONBLOCK: a FIFO planted here must not hang the worker. */
  fd = openat (ssh_fd, AUTHORIZED_KEYS, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return TRUE;
      if (saved_errno == ELOOP)
        command_set_generic_error (error, "'%s/" SSH_DIR "/" AUTHORIZED_KEYS "' is a symbolic link: refusing to follow it",
                                   user->home);
      else
        command_set_generic_error (error, "failed to open '%s/" SSH_DIR "/" AUTHORIZED_KEYS "': %s",
                                   user->home, g_strerror (saved_errno));
      return FALSE;
    }

  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      command_set_generic_error (error, "'%s/" SSH_DIR "/" AUTHORIZED_KEYS "' is not a regular file: refusing to use it",
                                 user->home);
      close (fd);
      return FALSE;
    }
  /* A hard link to a file elsewhere (the shadow file, another user's
   * keys): rewriting it would not be the user's file we meant. */
  if (st.st_nlink != 1)
    {
      command_set_generic_error (error, "'%s/" SSH_DIR "/" AUTHORIZED_KEYS "' has other hard links: refusing to use it",
                                 user->home);
      close (fd);
      return FALSE;
    }
  if (!owned_by_user_or_root (&st, user))
    {
      command_set_generic_error (error, "'%s/" SSH_DIR "/" AUTHORIZED_KEYS "' is not owned by the user: refusing to use it",
                                 user->home);
      close (fd);
      return FALSE;
    }

  path = g_strdup_printf ("%s/" SSH_DIR "/" AUTHORIZED_KEYS, user->home);
  ok = small_file_read_fd (fd, path, AUTHORIZED_KEYS_MAX_SIZE, out_contents, NULL, &local_error);
  close (fd);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
    command_set_generic_error (error, "'%s' is larger than %d bytes", path, AUTHORIZED_KEYS_MAX_SIZE);
  else if (local_error != NULL)
    command_set_generic_error (error, "failed to read '%s': %s", path, local_error->message);
  return ok;
}

/* The new authorized_keys, 0600 and the user's, in place of the old one
 * at once (atomic-file.h), in the ~/.ssh we opened and checked. */
static gboolean
write_authorized_keys (int          ssh_fd,
                       const User  *user,
                       const char  *contents,
                       GError     **error)
{
  g_autofree char *path = g_strdup_printf ("%s/" SSH_DIR "/" AUTHORIZED_KEYS, user->home);
  g_autoptr(GError) local_error = NULL;

  if (!atomic_file_replace_at (ssh_fd, AUTHORIZED_KEYS, path, contents, strlen (contents),
                               0600, user->uid, user->gid, &local_error))
    {
      command_set_generic_error (error, "failed to write to '%s': %s", path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
keys_reply (const char *contents)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GPtrArray) keys = authorized_keys_list (contents);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "keys");
  json_builder_begin_array (builder);
  for (guint i = 0; i < keys->len; i++)
    {
      /* The file is bytes; JSON strings are UTF-8. */
      g_autofree char *key = g_utf8_make_valid (g_ptr_array_index (keys, i), -1);

      json_builder_add_string_value (builder, key);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* In ~/.ssh, open as @ssh_fd: read, edit, write. */
static JsonNode *
edit_in_ssh_dir (const KeysWork  *work,
                 const User      *user,
                 int              ssh_fd,
                 GError         **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *new_contents = NULL;
  gboolean changed = FALSE;

  /* Read even for a reset: a planted link or FIFO is refused the same
   * way whatever the call. */
  if (!read_authorized_keys (ssh_fd, user, &contents, error))
    return NULL;
  if (work->read_only)
    return keys_reply (contents);

  if (contents == NULL && work->edit == AUTHORIZED_KEYS_REMOVE)
    return NULL;
  new_contents = authorized_keys_edit (contents, work->edit,
                                       (const char * const *) work->keys, &changed);
  if (changed)
    write_authorized_keys (ssh_fd, user, new_contents, error);
  return NULL;
}

/* With the user's fsuid: the home, ~/.ssh, the file. NULL is also the
 * "{}" of add and remove: the caller looks at @error. */
static JsonNode *
edit_as_user (const KeysWork  *work,
              const User      *user,
              GError         **error)
{
  GError *local_error = NULL;
  JsonNode *reply;
  int home_fd, ssh_fd;

  home_fd = open_home (user, error);
  if (home_fd < 0)
    return NULL;

  ssh_fd = open_ssh_dir (home_fd, user, !work->read_only && work->edit != AUTHORIZED_KEYS_REMOVE,
                         &local_error);
  close (home_fd);
  if (ssh_fd < 0)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      /* No ~/.ssh: nothing to list or remove. */
      return work->read_only ? keys_reply (NULL) : NULL;
    }

  reply = edit_in_ssh_dir (work, user, ssh_fd, error);
  close (ssh_fd);
  return reply;
}

static JsonNode *
run_keys_work (gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  const KeysWork *work = data;
  g_auto(User) user = { 0 };
  FsIdentity identity;
  JsonNode *reply;

  if (!lookup_user (work->username, &user, error))
    return NULL;
  if (!fs_identity_enter (&identity, &user, error))
    {
      fs_identity_leave (&identity);
      return NULL;
    }
  reply = edit_as_user (work, &user, error);
  fs_identity_leave (&identity);
  return reply;
}

/* Checks the keys on the main thread, so a bad one is answered before
 * anything is looked at, as qemu-ga does. */
static char **
copy_valid_keys (CommandCall  *call,
                 GError      **error)
{
  JsonArray *array = json_object_get_array_member (command_call_get_arguments (call), "keys");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *key = json_array_get_string_element (array, i);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *identity = authorized_keys_line_identity (key, &local_error);

      if (identity == NULL)
        return command_set_generic_error (error, "keys[%u] is not a valid public key: %s", i, local_error->message);
      g_strv_builder_add (builder, key);
    }
  return g_strv_builder_end (builder);
}

static void
run_edit (CommandCall        *call,
          AuthorizedKeysEdit  edit,
          gboolean            read_only)
{
  KeysWork *work = g_new0 (KeysWork, 1);
  GError *error = NULL;

  work->edit = edit;
  work->read_only = read_only;
  work->username = g_strdup (command_call_get_string (call, "username"));
  if (!read_only)
    {
      work->keys = copy_valid_keys (call, &error);
      if (work->keys == NULL)
        {
          keys_work_free (work);
          command_call_return_error (call, error);
          return;
        }
      g_info ("%s for user %s", command_call_get_spec (call)->name, work->username);
    }
  command_call_run_in_thread (call, run_keys_work, work, keys_work_free);
}

static void
handle_get (CommandCall *call)
{
  run_edit (call, AUTHORIZED_KEYS_ADD, TRUE);
}

static void
handle_add (CommandCall *call)
{
  run_edit (call, command_call_get_boolean (call, "reset", FALSE) ? AUTHORIZED_KEYS_RESET
                                                                  : AUTHORIZED_KEYS_ADD,
            FALSE);
}

static void
handle_remove (CommandCall *call)
{
  run_edit (call, AUTHORIZED_KEYS_REMOVE, FALSE);
}

static const CommandParam get_params[] = {
  { "username", PARAM_TYPE_STRING, FALSE },
  { NULL }
};

static const CommandParam add_params[] = {
  { "username", PARAM_TYPE_STRING, FALSE },
  { "keys", PARAM_TYPE_STRING_ARRAY, FALSE },
  { "reset", PARAM_TYPE_BOOLEAN, TRUE },
  { NULL }
};

static const CommandParam remove_params[] = {
  { "username", PARAM_TYPE_STRING, FALSE },
  { "keys", PARAM_TYPE_STRING_ARRAY, FALSE },
  { NULL }
};

const CommandSpec ssh_authorized_keys_commands[] = {
  { "guest-ssh-get-authorized-keys", handle_get, get_params, COMMAND_FLAG_NONE },
  { "guest-ssh-add-authorized-keys", handle_add, add_params, COMMAND_FLAG_NONE },
  { "guest-ssh-remove-authorized-keys", handle_remove, remove_params, COMMAND_FLAG_NONE },
  { NULL }
};
