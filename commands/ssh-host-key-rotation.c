/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ssh-host-key-rotation.h"

#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json-members.h"
#include "small-file.h"
#include "ssh-host-key-config.h"
#include "ssh-host-key-swap.h"
#include "ssh-host-keys.h"
#include "sshd-reload.h"
#include "subprocess-run.h"

/* RSA-3072 takes a second or two on a slow VM; a starved one, more. */
#define KEYGEN_TIMEOUT_MS 120000
/* ssh-keygen -y only reads a key. */
#define KEYGEN_READ_TIMEOUT_MS 30000
/* What ssh-keygen -A (and so every distribution's first boot) uses. */
#define RSA_BITS "3072"
/* Fedora and RHEL before 9 give private host keys to this group, mode
 * 0640, for ssh-keysign; kept where the old key had it. */
#define SSH_KEYS_GROUP "ssh_keys"

static const char * const known_types[] = { "ed25519", "ecdsa", "rsa", NULL };

void
ssh_host_key_change_free (SshHostKeyChange *change)
{
  if (change == NULL)
    return;

  g_free (change->type);
  g_free (change->path);
  g_free (change->old_fingerprint);
  g_free (change->public_key);
  g_free (change->fingerprint);
  g_free (change);
}

void
ssh_host_key_rotation_free (SshHostKeyRotation *rotation)
{
  if (rotation == NULL)
    return;

  g_clear_pointer (&rotation->changes, g_ptr_array_unref);
  g_free (rotation->reload_target);
  g_free (rotation);
}

gboolean
ssh_host_key_type_is_known (const char *type)
{
  return type != NULL && g_strv_contains (known_types, type);
}

/* One pair being rotated. */
typedef struct {
  SshHostKeyChange *change;
  char *name;           /* the private key's file name in the directory */
  mode_t private_mode;
  gid_t private_group;
} Pair;

static void
pair_free (Pair *pair)
{
  ssh_host_key_change_free (pair->change);
  g_free (pair->name);
  g_free (pair);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pair, pair_free)

/* "TYPE BASE64" and the fingerprint of a public key in @text. */
static gboolean
describe_public_key (const char  *text,
                     char       **out_public_key,
                     char       **out_fingerprint,
                     GError     **error)
{
  g_autofree char *key_type = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autofree char *encoded = NULL;

  if (!ssh_public_key_parse (text, &key_type, &blob, error))
    return FALSE;
  encoded = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  *out_public_key = g_strconcat (key_type, " ", encoded, NULL);
  if (out_fingerprint != NULL)
    *out_fingerprint = ssh_public_key_fingerprint (blob);
  return TRUE;
}

/* The public key of the private key at @path, as ssh-keygen (and so
 * sshd, which shares its loader) reads it. */
static gboolean
derive_public_key (const char    *path,
                   char         **out_public_key,
                   char         **out_fingerprint,
                   GCancellable  *cancellable,
                   GError       **error)
{
  const char *argv[] = { "ssh-keygen", "-y", "-f", path, NULL };
  g_autofree char *output = NULL;

  return subprocess_run (argv, KEYGEN_READ_TIMEOUT_MS, &output, cancellable, error) &&
         describe_public_key (output, out_public_key, out_fingerprint, error);
}

static gboolean
gid_is_ssh_keys (gid_t gid)
{
  char buffer[4096];
  struct group entry, *found = NULL;

  return getgrgid_r (gid, &entry, buffer, sizeof buffer, &found) == 0 && found != NULL &&
         g_str_equal (found->gr_name, SSH_KEYS_GROUP);
}

/* What is there now: the old fingerprint, and the mode and group the new
 * private key takes over. */
static gboolean
read_old_pair (Pair          *pair,
               GCancellable  *cancellable,
               GError       **error)
{
  SshHostKeyChange *change = pair->change;
  g_autofree char *pub_path = g_strconcat (change->path, ".pub", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *ignored = NULL;
  gboolean has_private = FALSE;
  struct stat st;

  pair->private_mode = 0600;
  pair->private_group = 0;
  if (lstat (change->path, &st) == 0)
    {
      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                       "The host key %s is not a regular file", change->path);
          return FALSE;
        }
      has_private = TRUE;
      if (st.st_gid != 0 && gid_is_ssh_keys (st.st_gid))
        {
          pair->private_mode = 0640;
          pair->private_group = st.st_gid;
        }
    }
  else if (errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot read %s: %s",
                   change->path, g_strerror (saved_errno));
      return FALSE;
    }
  if (lstat (pub_path, &st) == 0 && !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "The host key %s is not a regular file", pub_path);
      return FALSE;
    }

  /* A missing or unreadable .pub beside a private key: ask ssh-keygen. */
  if (!(small_file_read (pub_path, SMALL_FILE_MAX_SIZE, &contents, NULL, NULL) &&
        describe_public_key (contents, &ignored, &change->old_fingerprint, NULL)) &&
      has_private)
    {
      g_clear_pointer (&ignored, g_free);
      derive_public_key (change->path, &ignored, &change->old_fingerprint, cancellable, NULL);
    }
  return TRUE;
}

static Pair *
pair_new (const char *type,
          const char *path)
{
  Pair *pair = g_new0 (Pair, 1);

  pair->change = g_new0 (SshHostKeyChange, 1);
  pair->change->type = g_strdup (type);
  pair->change->path = g_strdup (path);
  pair->name = g_path_get_basename (path);
  return pair;
}

static gboolean
add_pair (GPtrArray   *pairs,
          const char  *ssh_dir,
          const char  *type,
          const char  *path,
          GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *canonical_dir = g_canonicalize_filename (dir, "/");
  g_autofree char *canonical_ssh_dir = g_canonicalize_filename (ssh_dir, "/");

  for (guint i = 0; i < pairs->len; i++)
    if (g_str_equal (((Pair *) g_ptr_array_index (pairs, i))->change->path, path))
      return TRUE;
  /* The staging and aside directories are in @ssh_dir: only there are
   * renames atomic and the names unique. */
  if (!g_str_equal (canonical_dir, canonical_ssh_dir))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The host key %s is not in %s: rotating it is not supported", path, ssh_dir);
      return FALSE;
    }
  g_ptr_array_add (pairs, pair_new (type, path));
  return TRUE;
}

/* The pairs to rotate: every configured key of a type we make, or, for
 * each of @types, the configured keys of that type, else the usual path. */
static GPtrArray *
choose_pairs (const SshdConfig    *config,
              const char          *ssh_dir,
              const char * const  *types,
              GError             **error)
{
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_free);

  if (types == NULL)
    {
      for (guint i = 0; i < config->keys->len; i++)
        {
          const SshHostKeyFile *key = g_ptr_array_index (config->keys, i);

          if (key->type == NULL)
            g_message ("Not rotating the host key %s: not an ed25519, ecdsa or rsa key",
                       key->path);
          else if (!add_pair (pairs, ssh_dir, key->type, key->path, error))
            return NULL;
        }
    }
  else
    {
      for (guint t = 0; types[t] != NULL; t++)
        {
          gboolean configured = FALSE;

          if (!ssh_host_key_type_is_known (types[t]))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Unknown host key type '%s'", types[t]);
              return NULL;
            }
          for (guint i = 0; i < config->keys->len; i++)
            {
              const SshHostKeyFile *key = g_ptr_array_index (config->keys, i);

              if (g_strcmp0 (key->type, types[t]) != 0)
                continue;
              configured = TRUE;
              if (!add_pair (pairs, ssh_dir, key->type, key->path, error))
                return NULL;
            }
          if (!configured)
            {
              g_autofree char *name = g_strdup_printf ("ssh_host_%s_key", types[t]);
              g_autofree char *path = g_build_filename (ssh_dir, name, NULL);

              if (!add_pair (pairs, ssh_dir, types[t], path, error))
                return NULL;
            }
        }
    }

  if (pairs->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "sshd is configured with no ed25519, ecdsa or rsa host key");
      return NULL;
    }
  return g_steal_pointer (&pairs);
}

/* "root@HOSTNAME", the comment Debian's ssh-keygen -A gives host keys. */
static char *
key_comment (void)
{
  char host[256] = "";

  if (gethostname (host, sizeof host - 1) != 0 || host[0] == '\0')
    return g_strdup ("root@localhost");
  return g_strconcat ("root@", host, NULL);
}

/* Makes the new pair in the staging directory and checks it: the
 * private key reads back as the .pub says. */
static gboolean
generate_pair (Pair          *pair,
               const char    *ssh_dir,
               const char    *comment,
               GCancellable  *cancellable,
               GError       **error)
{
  SshHostKeyChange *change = pair->change;
  g_autofree char *staged = ssh_host_key_swap_staged_path (ssh_dir, pair->name);
  g_autofree char *staged_pub = g_strconcat (staged, ".pub", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *derived = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add_many (builder, "ssh-keygen", "-q", "-N", "", "-t", change->type, NULL);
  if (g_str_equal (change->type, "rsa"))
    g_strv_builder_add_many (builder, "-b", RSA_BITS, NULL);
  g_strv_builder_add_many (builder, "-C", comment, "-f", staged, NULL);
  argv = g_strv_builder_end (builder);
  if (!subprocess_run ((const char * const *) argv, KEYGEN_TIMEOUT_MS, NULL, cancellable, error))
    return FALSE;

  if (!small_file_read (staged_pub, SMALL_FILE_MAX_SIZE, &contents, NULL, error) ||
      !describe_public_key (contents, &change->public_key, &change->fingerprint, error))
    {
      g_prefix_error (error, "ssh-keygen made an unreadable %s public key: ", change->type);
      return FALSE;
    }
  if (!derive_public_key (staged, &derived, NULL, cancellable, error))
    {
      g_prefix_error (error, "The new %s key does not load: ", change->type);
      return FALSE;
    }
  if (!g_str_equal (derived, change->public_key))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The new %s key does not match its .pub", change->type);
      return FALSE;
    }

  /* The directory is ours and 0700: nobody can have swapped the files. */
  if (chmod (staged_pub, 0644) != 0 ||
      (pair->private_group != 0 && chown (staged, 0, pair->private_group) != 0) ||
      chmod (staged, pair->private_mode) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot set the mode of the new %s key: %s", change->type,
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* `sshd -t` with the staged keys added to its configuration's: sshd
 * must accept the configuration with them and load each of them (a key
 * it cannot load is only a warning to it). */
static gboolean
check_with_sshd (const SshdConfig  *config,
                 const char        *ssh_dir,
                 GPtrArray         *pairs,
                 GCancellable      *cancellable,
                 GError           **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) staged = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *complaints = NULL;

  g_strv_builder_add_many (builder, "-t", "-f", config->config_path, NULL);
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = g_ptr_array_index (pairs, i);
      char *path = ssh_host_key_swap_staged_path (ssh_dir, pair->name);

      g_strv_builder_add_many (builder, "-h", path, NULL);
      g_ptr_array_add (staged, path);
    }
  args = g_strv_builder_end (builder);

  if (!sshd_run_check (config->sshd, (const char * const *) args, NULL, &complaints, cancellable,
                       error))
    {
      g_prefix_error (error, "sshd does not accept the new keys: ");
      return FALSE;
    }

  lines = g_strsplit (complaints, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    for (guint k = 0; k < staged->len; k++)
      if (strstr (lines[i], g_ptr_array_index (staged, k)) != NULL)
        {
          g_autofree char *line = g_utf8_make_valid (g_strstrip (lines[i]), -1);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "sshd does not accept the new keys: %s", line);
          return FALSE;
        }
  return TRUE;
}

static gboolean
selinux_is_enabled (void)
{
  /* selinuxfs is mounted there only when SELinux is enabled. */
  return g_file_test ("/sys/fs/selinux/enforce", G_FILE_TEST_EXISTS);
}

/* Renamed files keep the staging directory's SELinux label; sshd may
 * only read ones labelled as host keys (sshd_key_t). */
static gboolean
restore_selinux_labels (GPtrArray     *pairs,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autofree char *restorecon = g_find_program_in_path ("restorecon");
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) argv = NULL;

  if (!selinux_is_enabled ())
    return TRUE;
  if (restorecon == NULL)
    {
      g_message ("SELinux is enabled but restorecon is not installed: "
                 "the new host keys keep the labels they were made with");
      return TRUE;
    }

  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, restorecon);
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = g_ptr_array_index (pairs, i);
      g_autofree char *pub_path = g_strconcat (pair->change->path, ".pub", NULL);

      g_strv_builder_add_many (builder, pair->change->path, pub_path, NULL);
    }
  argv = g_strv_builder_end (builder);
  return subprocess_run ((const char * const *) argv, KEYGEN_READ_TIMEOUT_MS, NULL, cancellable,
                         error);
}

/* Puts the old keys back after @failure (transfer full), reloading
 * sshd again when it may have loaded the new ones, and returns the error
 * to report: @failure, and where the keys are now. */
static GError *
roll_back (const char *ssh_dir,
           const char *pidfile,
           gboolean    reload_again,
           GError     *failure)
{
  g_autoptr(GError) restore_error = NULL;
  g_autoptr(GError) reload_error = NULL;
  g_autofree char *target = NULL;
  g_autofree char *outcome = NULL;
  SshdReloadMethod method;
  gboolean attempted;
  GError *reported;

  /* Not cancellable: the old keys must come back even while the agent
   * stops. */
  if (!ssh_host_key_swap_roll_back (ssh_dir, NULL, &restore_error))
    outcome = g_strdup_printf ("putting the old host keys back failed too: %s",
                               restore_error->message);
  else if (reload_again &&
           !sshd_reload (pidfile, &method, &target, &attempted, NULL, &reload_error))
    outcome = g_strdup_printf ("the old host keys are back in place, "
                               "but reloading sshd with them failed: %s", reload_error->message);
  else if (reload_again)
    outcome = g_strdup ("the old host keys are back in place and sshd was reloaded with them");
  else
    outcome = g_strdup ("the old host keys are back in place");

  reported = g_error_new (failure->domain, failure->code, "%s; %s", failure->message, outcome);
  g_error_free (failure);
  return reported;
}

gboolean
ssh_host_keys_recover (const char  *ssh_dir,
                       guint       *out_restored,
                       GError     **error)
{
  g_autoptr(SshdConfig) config = NULL;
  g_autofree char *target = NULL;
  SshdReloadMethod method;
  gboolean attempted;
  guint restored = 0;

  g_return_val_if_fail (ssh_dir != NULL, FALSE);

  if (out_restored != NULL)
    *out_restored = 0;
  if (!ssh_host_key_swap_roll_back (ssh_dir, &restored, error))
    {
      g_prefix_error (error, "Cannot put back the host keys of an interrupted rotation: ");
      return FALSE;
    }
  if (out_restored != NULL)
    *out_restored = restored;
  if (restored == 0)
    return TRUE;

  g_message ("Put back %u host key pair(s) of a rotation that did not finish", restored);
  /* sshd may have loaded the keys now gone. */
  config = sshd_config_read (ssh_dir, NULL, error);
  if (config == NULL ||
      !sshd_reload (config->pidfile, &method, &target, &attempted, NULL, error))
    {
      g_prefix_error (error, "The host keys of an interrupted rotation are back, "
                             "but reloading sshd failed: ");
      return FALSE;
    }
  return TRUE;
}

SshHostKeyRotation *
ssh_host_keys_rotate (const char          *ssh_dir,
                      const char * const  *types,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_autoptr(SshHostKeyRotation) rotation = NULL;
  g_autoptr(SshdConfig) config = NULL;
  g_autoptr(GPtrArray) pairs = NULL;
  g_autoptr(GError) failure = NULL;
  g_autofree char *comment = NULL;
  gboolean reload_attempted = FALSE;
  gboolean check_with_sshd_config;

  g_return_val_if_fail (ssh_dir != NULL, NULL);

  if (!ssh_host_keys_recover (ssh_dir, NULL, error))
    return NULL;

  config = sshd_config_read (ssh_dir, cancellable, &failure);
  if (config != NULL)
    pairs = choose_pairs (config, ssh_dir, types, &failure);
  for (guint i = 0; pairs != NULL && i < pairs->len && failure == NULL; i++)
    read_old_pair (g_ptr_array_index (pairs, i), cancellable, &failure);
  if (failure == NULL && !ssh_host_key_swap_begin (ssh_dir, &failure))
    /* One of the two may have been made. */
    ssh_host_key_swap_roll_back (ssh_dir, NULL, NULL);
  if (failure != NULL)
    {
      g_set_error (error, failure->domain, failure->code, "%s; the host keys were not changed",
                   failure->message);
      return NULL;
    }

  rotation = g_new0 (SshHostKeyRotation, 1);
  rotation->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) ssh_host_key_change_free);
  comment = key_comment ();
  check_with_sshd_config = config->sshd != NULL &&
                           g_file_test (config->config_path, G_FILE_TEST_EXISTS);

  /* Nothing is in place until every new key is made and checked. */
  for (guint i = 0; i < pairs->len && failure == NULL; i++)
    {
      Pair *pair = g_ptr_array_index (pairs, i);

      if (!generate_pair (pair, ssh_dir, comment, cancellable, &failure) ||
          !ssh_host_key_swap_sync_staged (ssh_dir, pair->name, &failure))
        break;
    }
  if (failure == NULL && check_with_sshd_config)
    check_with_sshd (config, ssh_dir, pairs, cancellable, &failure);

  for (guint i = 0; i < pairs->len && failure == NULL; i++)
    ssh_host_key_swap_install (ssh_dir, ((Pair *) g_ptr_array_index (pairs, i))->name, &failure);
  if (failure == NULL)
    ssh_host_key_swap_sync (ssh_dir, &failure);
  if (failure == NULL)
    restore_selinux_labels (pairs, cancellable, &failure);
  if (failure == NULL)
    sshd_reload (config->pidfile, &rotation->reload, &rotation->reload_target,
                 &reload_attempted, cancellable, &failure);

  if (failure != NULL)
    {
      g_propagate_error (error, roll_back (ssh_dir, config->pidfile, reload_attempted,
                                           g_steal_pointer (&failure)));
      return NULL;
    }

  /* sshd runs with the new keys: the old ones may go. */
  if (!ssh_host_key_swap_commit (ssh_dir, error))
    {
      g_prefix_error (error, "The new host keys are in use, but removing the old ones failed: ");
      return NULL;
    }

  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = g_ptr_array_index (pairs, i);

      g_ptr_array_add (rotation->changes, g_steal_pointer (&pair->change));
    }
  return g_steal_pointer (&rotation);
}

static const char *
reload_method_name (SshdReloadMethod method)
{
  switch (method)
    {
    case SSHD_RELOAD_SYSTEMD:
      return "systemd";
    case SSHD_RELOAD_SIGNAL:
      return "signal";
    case SSHD_RELOAD_NOT_RUNNING:
    default:
      return "none";
    }
}

JsonNode *
ssh_host_key_rotation_to_json (const SshHostKeyRotation *rotation)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (rotation != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "keys");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rotation->changes->len; i++)
    {
      const SshHostKeyChange *change = g_ptr_array_index (rotation->changes, i);
      /* File names are bytes; JSON strings are UTF-8. */
      g_autofree char *path = g_utf8_make_valid (change->path, -1);

      json_builder_begin_object (builder);
      json_members_add_nullable_string (builder, "type", change->type);
      json_members_add_nullable_string (builder, "path", path);
      json_members_add_nullable_string (builder, "public-key", change->public_key);
      json_members_add_nullable_string (builder, "fingerprint", change->fingerprint);
      /* Absent for a key that is new rather than replaced. */
      json_members_add_string (builder, "old-fingerprint", change->old_fingerprint);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "sshd-reloaded");
  json_builder_add_boolean_value (builder, rotation->reload != SSHD_RELOAD_NOT_RUNNING);
  json_builder_set_member_name (builder, "sshd-reload-method");
  json_builder_add_string_value (builder, reload_method_name (rotation->reload));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
