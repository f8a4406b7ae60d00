/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ssh-host-key-config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "small-file.h"
#include "ssh-host-keys.h"
#include "subprocess-run.h"

#define PRIVSEP_MISSING "Missing privilege separation directory: "

/* What ssh-keygen -A makes, strongest first. */
static const char * const default_types[] = { "ed25519", "ecdsa", "rsa", NULL };

static void
ssh_host_key_file_free (SshHostKeyFile *key)
{
  g_free (key->path);
  g_free (key->type);
  g_free (key);
}

void
sshd_config_free (SshdConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->sshd);
  g_free (config->config_path);
  g_free (config->pidfile);
  g_ptr_array_unref (config->keys);
  g_free (config);
}

char *
sshd_find_program (void)
{
  char *found = g_find_program_in_path ("sshd");

  if (found == NULL && g_file_test ("/usr/sbin/sshd", G_FILE_TEST_IS_EXECUTABLE))
    found = g_strdup ("/usr/sbin/sshd");
  return found;
}

const char *
ssh_host_key_type_from_key_type (const char *key_type)
{
  if (g_str_equal (key_type, "ssh-ed25519"))
    return "ed25519";
  if (g_str_has_prefix (key_type, "ecdsa-sha2-"))
    return "ecdsa";
  if (g_str_equal (key_type, "ssh-rsa"))
    return "rsa";
  return NULL;
}

/* The type of the key at @path: its .pub's, else its name's. */
static char *
key_type_of (const char *path)
{
  g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *key_type = NULL;
  g_autofree char *name = g_path_get_basename (path);

  if (small_file_read (pub_path, SMALL_FILE_MAX_SIZE, &contents, NULL, NULL) &&
      ssh_public_key_parse (contents, &key_type, NULL, NULL))
    return g_strdup (ssh_host_key_type_from_key_type (key_type));

  for (guint i = 0; default_types[i] != NULL; i++)
    {
      g_autofree char *usual = g_strdup_printf ("ssh_host_%s_key", default_types[i]);

      if (g_str_equal (name, usual))
        return g_strdup (default_types[i]);
    }
  return NULL;
}

static void
add_key (SshdConfig *config,
         const char *path)
{
  SshHostKeyFile *key = g_new0 (SshHostKeyFile, 1);

  for (guint i = 0; i < config->keys->len; i++)
    if (g_str_equal (((SshHostKeyFile *) g_ptr_array_index (config->keys, i))->path, path))
      {
        ssh_host_key_file_free (key);
        return;
      }
  key->path = g_strdup (path);
  key->type = key_type_of (path);
  g_ptr_array_add (config->keys, key);
}

gboolean
sshd_run_check (const char          *sshd,
                const char * const  *args,
                char               **out_stdout,
                char               **out_stderr,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *complaints = NULL;
  const char *missing;
  g_autofree char *dir = NULL;

  g_strv_builder_add (builder, sshd);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);

  if (subprocess_run_full ((const char * const *) argv, SSHD_CHECK_TIMEOUT_MS, out_stdout,
                           &complaints, cancellable, &local_error))
    {
      if (out_stderr != NULL)
        *out_stderr = g_steal_pointer (&complaints);
      return TRUE;
    }

  missing = complaints != NULL ? strstr (complaints, PRIVSEP_MISSING) : NULL;
  if (missing != NULL)
    dir = g_strndup (missing + strlen (PRIVSEP_MISSING),
                     strcspn (missing + strlen (PRIVSEP_MISSING), "\r\n"));
  /* sshd ends its lines with "\r\n". Only a directory of the kind a
   * service manager makes at start. */
  if (dir == NULL || !(g_str_has_prefix (dir, "/run/") || g_str_has_prefix (dir, "/var/run/")) ||
      strstr (dir, "/..") != NULL)
    {
      if (out_stderr != NULL)
        *out_stderr = g_steal_pointer (&complaints);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (g_mkdir (dir, 0755) != 0 && errno != EEXIST)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot make sshd's privilege separation directory %s: %s", dir,
                   g_strerror (saved_errno));
      return FALSE;
    }
  g_message ("Made sshd's privilege separation directory %s for its checks", dir);
  g_clear_pointer (&complaints, g_free);
  if (!subprocess_run_full ((const char * const *) argv, SSHD_CHECK_TIMEOUT_MS, out_stdout,
                            &complaints, cancellable, error))
    {
      if (out_stderr != NULL)
        *out_stderr = g_steal_pointer (&complaints);
      return FALSE;
    }
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&complaints);
  return TRUE;
}

/* The hostkey and pidfile lines of `sshd -T`. */
static gboolean
read_effective_config (SshdConfig    *config,
                       GCancellable  *cancellable,
                       GError       **error)
{
  const char * const args[] = { "-T", "-f", config->config_path, NULL };
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;

  if (!sshd_run_check (config->sshd, args, &output, NULL, cancellable, error))
    return FALSE;

  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "hostkey ") && g_path_is_absolute (lines[i] + 8))
        add_key (config, lines[i] + 8);
      else if (g_str_has_prefix (lines[i], "pidfile ") && g_path_is_absolute (lines[i] + 8))
        {
          g_free (config->pidfile);
          config->pidfile = g_strdup (lines[i] + 8);
        }
    }
  return TRUE;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
read_present_keys (SshdConfig  *config,
                   const char  *ssh_dir,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (ssh_dir, 0, &local_error);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "Cannot list %s: ",
                                  ssh_dir);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_pattern_match_simple ("ssh_host_*_key", name))
      g_ptr_array_add (paths, g_build_filename (ssh_dir, name, NULL));
  g_ptr_array_sort (paths, compare_paths);
  for (guint i = 0; i < paths->len; i++)
    add_key (config, g_ptr_array_index (paths, i));
  return TRUE;
}

SshdConfig *
sshd_config_read (const char    *ssh_dir,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(SshdConfig) config = g_new0 (SshdConfig, 1);

  g_return_val_if_fail (ssh_dir != NULL, NULL);

  config->sshd = sshd_find_program ();
  config->config_path = g_build_filename (ssh_dir, "sshd_config", NULL);
  config->pidfile = g_strdup (SSHD_DEFAULT_PIDFILE);
  config->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) ssh_host_key_file_free);

  if (config->sshd != NULL && g_file_test (config->config_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) local_error = NULL;

      if (read_effective_config (config, cancellable, &local_error))
        {
          config->source = SSH_HOST_KEY_SOURCE_SSHD;
          return g_steal_pointer (&config);
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_message ("Taking the host keys present in %s: %s", ssh_dir, local_error->message);
      g_ptr_array_set_size (config->keys, 0);
      g_free (config->pidfile);
      config->pidfile = g_strdup (SSHD_DEFAULT_PIDFILE);
    }

  if (!read_present_keys (config, ssh_dir, error))
    return NULL;
  if (config->keys->len > 0)
    {
      config->source = SSH_HOST_KEY_SOURCE_FILES;
      return g_steal_pointer (&config);
    }

  for (guint i = 0; default_types[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("ssh_host_%s_key", default_types[i]);
      g_autofree char *path = g_build_filename (ssh_dir, name, NULL);

      add_key (config, path);
    }
  config->source = SSH_HOST_KEY_SOURCE_DEFAULTS;
  return g_steal_pointer (&config);
}
