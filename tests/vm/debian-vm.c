/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <string.h>

#include <glib/gstdio.h>

#include "debian-vm.h"
#include "vm.h"

/* Long enough for what is slow under TCG: set-identity's ssh-keygen. */
#define CALL_TIMEOUT_MS 240000
#define SYNC_ATTEMPT_TIMEOUT_MS 3000
#define SSH_CONNECT_TIMEOUT_SECONDS 30
#define SSH_ATTEMPTS 30
#define CLI_TIMEOUT_SECONDS 60
#define DATA_DISK_SIZE "64M"

static gboolean
run (const char * const  *argv,
     char               **out_stdout,
     GError             **error)
{
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  g_autofree char *command = g_strjoinv (" ", (char **) argv);
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &output, &errors, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    return vm_fail (error, "%s failed: %s%s", command, g_strstrip (errors),
                    *errors == '\0' ? g_strstrip (output) : "");
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&output);
  return TRUE;
}

gboolean
debian_vm_load_image (DebianVm  *vm,
                      GError   **error)
{
  g_autofree char *release_path = g_build_filename (vm->image, "kernel-release", NULL);
  g_autofree char *packages_path = g_build_filename (vm->image, "packages", NULL);
  g_autofree char *packages = NULL;

  if (!g_file_get_contents (release_path, &vm->kernel_release, NULL, error) ||
      !g_file_get_contents (packages_path, &packages, NULL, error))
    return FALSE;
  g_strstrip (vm->kernel_release);
  g_strstrip (packages);
  vm->packages = *packages == '\0' ? g_new0 (char *, 1) : g_strsplit (packages, "\n", -1);
  return TRUE;
}

gboolean
debian_vm_boot (DebianVm  *vm,
                GError   **error)
{
  g_autofree char *data_path = NULL;
  g_autofree char *port = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  vm->dir = g_dir_make_tmp ("guestlink-vm-debian-XXXXXX", error);
  if (vm->dir == NULL)
    return FALSE;
  vm->socket_path = g_build_filename (vm->dir, "qga.sock", NULL);
  vm->console_path = g_build_filename (vm->dir, "console.log", NULL);
  vm->key_path = g_build_filename (vm->dir, "id_ed25519", NULL);
  data_path = g_build_filename (vm->dir, "data.img", NULL);

  /* A fresh data disk each run: the freeze checks write to it. */
  {
    const char *truncate[] = { "truncate", "-s", DATA_DISK_SIZE, data_path, NULL };
    const char *mkfs[] = { "mkfs.ext4", "-q", "-F", "-L", "guestdata", data_path, NULL };
    const char *keygen[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vm-debian",
                             "-f", vm->key_path, NULL };

    if (!run (truncate, NULL, error) || !run (mkfs, NULL, error) || !run (keygen, NULL, error))
      return FALSE;
  }

  vm->ssh_port = vm_free_loopback_port ();
  if (vm->ssh_port == 0)
    return vm_fail (error, "no free loopback port to forward to the guest's sshd");
  port = g_strdup_printf ("%u", vm->ssh_port);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "VM_SSH_FORWARD_PORT", port, TRUE);
  vm->qemu = g_subprocess_launcher_spawn (launcher, error, vm->boot_script, vm->image,
                                          vm->socket_path, vm->console_path, data_path, NULL);
  if (vm->qemu == NULL)
    return FALSE;

  vm->client = guestlink_client_new_for_socket_path (vm->socket_path);
  guestlink_client_set_default_timeout_msec (vm->client, CALL_TIMEOUT_MS);
  return TRUE;
}

void
debian_vm_stop (DebianVm   *vm,
                const char *console_log)
{
  g_clear_object (&vm->client);
  if (vm->qemu != NULL)
    {
      g_subprocess_send_signal (vm->qemu, SIGTERM);
      g_subprocess_wait (vm->qemu, NULL, NULL);
      g_clear_object (&vm->qemu);
    }
  if (vm->dir != NULL)
    {
      const char *copy[] = { "cp", vm->console_path, console_log, NULL };
      const char *rm[] = { "rm", "-rf", vm->dir, NULL };

      if (console_log != NULL)
        run (copy, NULL, NULL);
      run (rm, NULL, NULL);
    }
  g_clear_pointer (&vm->dir, g_free);
  g_clear_pointer (&vm->socket_path, g_free);
  g_clear_pointer (&vm->console_path, g_free);
  g_clear_pointer (&vm->key_path, g_free);
  g_clear_pointer (&vm->kernel_release, g_free);
  g_clear_pointer (&vm->packages, g_strfreev);
}

gboolean
debian_vm_wait_for_agent (DebianVm  *vm,
                          int        timeout_seconds,
                          GError   **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;

  guestlink_client_set_default_timeout_msec (vm->client, SYNC_ATTEMPT_TIMEOUT_MS);
  for (;;)
    {
      g_autoptr(GError) sync_error = NULL;

      guestlink_client_close (vm->client);
      if (guestlink_client_connect (vm->client, NULL, &sync_error))
        break;
      if (g_subprocess_get_identifier (vm->qemu) == NULL)
        {
          guestlink_client_set_default_timeout_msec (vm->client, CALL_TIMEOUT_MS);
          return vm_fail (error, "QEMU exited (console: %s)", vm->console_path);
        }
      if (g_get_monotonic_time () > deadline)
        {
          guestlink_client_set_default_timeout_msec (vm->client, CALL_TIMEOUT_MS);
          g_propagate_prefixed_error (error, g_steal_pointer (&sync_error),
                                      "no answer from the agent within %d s: ", timeout_seconds);
          return FALSE;
        }
      g_usleep (G_USEC_PER_SEC / 2);
    }
  guestlink_client_set_default_timeout_msec (vm->client, CALL_TIMEOUT_MS);
  return TRUE;
}

gboolean
debian_vm_ssh (DebianVm    *vm,
               const char  *command,
               char       **out_stdout,
               GError     **error)
{
  g_autofree char *port = g_strdup_printf ("%u", vm->ssh_port);
  const char *argv[] = {
    "ssh", "-o", "LogLevel=ERROR", "-i", vm->key_path, "-p", port,
    "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "ConnectTimeout=" G_STRINGIFY (SSH_CONNECT_TIMEOUT_SECONDS),
    "root@127.0.0.1", command, NULL
  };

  for (guint attempt = 1;; attempt++)
    {
      g_autofree char *output = NULL;
      g_autofree char *errors = NULL;
      int status;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                         &output, &errors, &status, error))
        return FALSE;
      if (g_spawn_check_wait_status (status, NULL))
        {
          if (out_stdout != NULL)
            *out_stdout = g_steal_pointer (&output);
          return TRUE;
        }
      /* 255 is ssh's own failure: no connection. sshd refuses
       * connections while it restarts on SIGHUP (a host key rotation
       * reloads it): another try. */
      if (WIFEXITED (status) && WEXITSTATUS (status) == 255 && attempt < SSH_ATTEMPTS)
        {
          printf ("# ssh attempt %u: %s\n", attempt, g_strstrip (errors));
          g_usleep (G_USEC_PER_SEC);
          continue;
        }
      return vm_fail (error, "in the guest, `%s` failed (wait status %d): %s", command, status,
                      g_strstrip (errors));
    }
}

char *
debian_vm_ssh_line (DebianVm    *vm,
                    const char  *command,
                    GError     **error)
{
  char *output = NULL;

  if (!debian_vm_ssh (vm, command, &output, error))
    return NULL;
  return g_strstrip (output);
}

char *
debian_vm_cli (DebianVm            *vm,
               const char * const  *args,
               GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  char *output = NULL;

  guestlink_client_close (vm->client);
  g_ptr_array_add (argv, (gpointer) vm->cli);
  g_ptr_array_add (argv, (gpointer) "--socket");
  g_ptr_array_add (argv, vm->socket_path);
  g_ptr_array_add (argv, (gpointer) "--timeout");
  g_ptr_array_add (argv, (gpointer) G_STRINGIFY (CLI_TIMEOUT_SECONDS));
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!run ((const char * const *) argv->pdata, &output, error))
    return NULL;
  return output;
}

JsonObject *
debian_vm_call_object (DebianVm     *vm,
                       const char   *command,
                       JsonObject   *arguments,
                       GError      **error)
{
  g_autoptr(JsonNode) result = guestlink_client_call (vm->client, command, arguments, -1, NULL,
                                                      error);

  if (result == NULL)
    {
      g_prefix_error (error, "%s: ", command);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (result))
    {
      vm_fail (error, "%s: the reply is not an object", command);
      return NULL;
    }
  return json_object_ref (json_node_get_object (result));
}

JsonObject *
debian_vm_arguments (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert (node != NULL && JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

GHashTable *
debian_vm_parse_properties (const char *text)
{
  GHashTable *properties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (char **line = lines; *line != NULL; line++)
    {
      const char *equals = strchr (*line, '=');

      if (equals != NULL)
        g_hash_table_insert (properties, g_strndup (*line, equals - *line), g_strdup (equals + 1));
    }
  return properties;
}
