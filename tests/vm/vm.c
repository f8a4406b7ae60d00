/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vm.h"

#define BOOT_TIMEOUT_SECONDS 120
/* A trim of the data disk under TCG takes a fraction of that. */
#define RAW_CALL_TIMEOUT_MS 30000

G_DEFINE_QUARK (vm-skip-error-quark, vm_skip_error)

static void
set_error_valist (GError     **error,
                  GQuark       domain,
                  int          code,
                  const char  *format,
                  va_list      args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  g_set_error_literal (error, domain, code, message);
}

gboolean
vm_fail (GError     **error,
         const char  *format,
         ...)
{
  va_list args;

  va_start (args, format);
  set_error_valist (error, G_IO_ERROR, G_IO_ERROR_FAILED, format, args);
  va_end (args);
  return FALSE;
}

gboolean
vm_skip (GError     **error,
         const char  *format,
         ...)
{
  va_list args;

  va_start (args, format);
  set_error_valist (error, VM_SKIP_ERROR, 0, format, args);
  va_end (args);
  return FALSE;
}

/* The console, written by the guest's serial port. */

/* The complete lines: QEMU writes the console a byte at a time, so the
 * text after the last newline may be a line half written. */
static GStrv
console_lines (Vm *vm)
{
  g_autofree char *contents = NULL;
  char *end;

  if (!g_file_get_contents (vm->console_path, &contents, NULL, NULL))
    return NULL;
  end = strrchr (contents, '\n');
  if (end == NULL)
    return g_new0 (char *, 1);
  *end = '\0';
  return g_strsplit (contents, "\n", -1);
}

char *
vm_console_last_line_with (Vm         *vm,
                           const char *prefix)
{
  g_auto(GStrv) lines = console_lines (vm);

  for (int i = lines != NULL ? (int) g_strv_length (lines) - 1 : -1; i >= 0; i--)
    if (g_str_has_prefix (g_strstrip (lines[i]), prefix))
      return g_strdup (lines[i]);

  return NULL;
}

GPtrArray *
vm_console_lines_with (Vm         *vm,
                       const char *prefix,
                       const char *text)
{
  g_auto(GStrv) lines = console_lines (vm);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; lines != NULL && lines[i] != NULL; i++)
    if (g_str_has_prefix (g_strstrip (lines[i]), prefix) &&
        (text == NULL || strstr (lines[i], text) != NULL))
      g_ptr_array_add (found, g_strdup (lines[i]));

  return found;
}

guint
vm_console_count_lines (Vm         *vm,
                        const char *prefix,
                        const char *text)
{
  g_autoptr(GPtrArray) found = vm_console_lines_with (vm, prefix, text);

  return found->len;
}

char *
vm_console_wait_for (Vm         *vm,
                     const char *prefix,
                     int         timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + timeout_seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      char *line = vm_console_last_line_with (vm, prefix);

      if (line != NULL)
        return line;
      if (g_subprocess_get_identifier (vm->qemu) == NULL)  /* QEMU has exited */
        return NULL;
      g_usleep (G_USEC_PER_SEC / 5);
    }

  return NULL;
}

gboolean
vm_expect_disabled (Vm          *vm,
                    const char  *command,
                    JsonObject  *arguments,
                    const char  *desc,
                    GError     **error)
{
  g_autoptr(GError) call_error = NULL;
  g_autoptr(JsonNode) result = NULL;

  result = guestlink_client_call (vm->client, command, arguments, -1, NULL, &call_error);
  if (result != NULL)
    return vm_fail (error, "%s ran although it should be disabled", command);
  if (!g_error_matches (call_error, GUESTLINK_ERROR, GUESTLINK_ERROR_COMMAND_DISABLED))
    return vm_fail (error, "%s: expected a disabled-command error, got: %s", command, call_error->message);
  if (desc != NULL && !g_str_equal (call_error->message, desc))
    return vm_fail (error, "%s: expected \"%s\", got \"%s\"", command, desc, call_error->message);

  printf ("# %s\n", call_error->message);
  return TRUE;
}

/* Raw access. */

int
vm_raw_send (Vm          *vm,
             const char  *request,
             GError     **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  guestlink_client_close (vm->client);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_strlcpy (address.sun_path, vm->socket_path, sizeof address.sun_path);
  if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      vm_fail (error, "connect %s: %s", vm->socket_path, g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  if (write (fd, request, strlen (request)) != (gssize) strlen (request))
    {
      vm_fail (error, "write: %s", g_strerror (errno));
      close (fd);
      return -1;
    }

  return fd;
}

char *
vm_raw_read_lines (int  fd,
                   int  n_lines,
                   int  timeout_ms)
{
  GString *text = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int seen = 0;

  while (seen < n_lines && g_get_monotonic_time () < deadline)
    {
      GPollFD pfd = { .fd = fd, .events = G_IO_IN };
      char buffer[4096];
      gssize n;

      if (g_poll (&pfd, 1, 100) <= 0)
        continue;
      n = read (fd, buffer, sizeof buffer);
      if (n <= 0)
        break;
      g_string_append_len (text, buffer, n);
      seen = 0;
      for (gsize i = 0; i < text->len; i++)
        seen += text->str[i] == '\n';
    }

  return g_string_free (text, FALSE);
}

char *
vm_raw_call (Vm          *vm,
             const char  *command,
             GError     **error)
{
  /* The command is the id: both agents' replies end alike. */
  g_autofree char *request = g_strdup_printf ("{\"execute\": \"%s\", \"id\": \"%s\"}", command, command);
  g_autofree char *ending = g_strdup_printf (", \"id\": \"%s\"}\n", command);
  g_autofree char *reply = NULL;
  int fd = vm_raw_send (vm, request, error);

  if (fd < 0)
    {
      g_prefix_error (error, "%s: ", command);
      return NULL;
    }
  reply = vm_raw_read_lines (fd, 1, RAW_CALL_TIMEOUT_MS);
  close (fd);

  /* One line, and the one this request asked for. */
  if (!g_str_has_suffix (reply, ending) || strchr (reply, '\n') != reply + strlen (reply) - 1)
    {
      vm_fail (error, "%s: expected one reply line ending in %s, got: %s", command, ending, reply);
      return NULL;
    }
  reply[strlen (reply) - 1] = '\0';
  return g_steal_pointer (&reply);
}

/* Replies kept across the two runs. */

static char *
reply_path (Vm         *vm,
            const char *agent,
            const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.json", agent, name);

  return g_build_filename (vm->replies, file, NULL);
}

gboolean
vm_reply_save (Vm          *vm,
               const char  *name,
               const char  *reply,
               GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  if (vm->replies == NULL)
    return TRUE;
  path = reply_path (vm, vm->agent, name);
  contents = g_strconcat (reply, "\n", NULL);
  return g_file_set_contents (path, contents, -1, error);
}

char *
vm_reply_load_reference (Vm          *vm,
                         const char  *name,
                         GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) load_error = NULL;
  char *contents = NULL;

  if (vm->replies == NULL)
    {
      vm_skip (error, "no --replies directory to find qemu-ga's reply in");
      return NULL;
    }
  path = reply_path (vm, "qemu-ga", name);
  if (!g_file_get_contents (path, &contents, NULL, &load_error))
    {
      if (g_error_matches (load_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        vm_skip (error, "qemu-ga's run left no %s reply (is qemu-ga installed?)", name);
      else
        g_propagate_error (error, g_steal_pointer (&load_error));
      return NULL;
    }
  g_strchomp (contents);
  return contents;
}

/* Booting and stopping the VM. */

/* A TCP port on 127.0.0.1 that nothing listens on now, for QEMU's
 * forward to the guest's sshd; 0 if the kernel would not give one. QEMU
 * binds it a moment later: another process taking it in between makes
 * QEMU fail at start, loudly. */
guint
vm_free_loopback_port (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;
  guint port = 0;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd >= 0 && bind (fd, (struct sockaddr *) &address, sizeof address) == 0 &&
      getsockname (fd, (struct sockaddr *) &address, &length) == 0)
    port = ntohs (address.sin_port);
  if (fd >= 0)
    close (fd);
  return port;
}

gboolean
vm_boot (Vm      *vm,
         GError **error)
{
  g_autofree char *ready = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  vm->dir = g_dir_make_tmp ("guestlink-vm-XXXXXX", error);
  if (vm->dir == NULL)
    return FALSE;
  vm->socket_path = g_build_filename (vm->dir, "qga.sock", NULL);
  vm->console_path = g_build_filename (vm->dir, "console.log", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  vm->ssh_port = vm_free_loopback_port ();
  if (vm->ssh_port != 0)
    {
      g_autofree char *port = g_strdup_printf ("%u", vm->ssh_port);

      g_subprocess_launcher_setenv (launcher, "VM_SSH_FORWARD_PORT", port, TRUE);
    }
  vm->qemu = g_subprocess_launcher_spawn (launcher, error,
                                          vm->boot_vm, vm->images, vm->agent,
                                          vm->socket_path, vm->console_path,
                                          "guestlink.block=" VM_BLOCKED_COMMAND,
                                          "guestlink.fsfreeze-timeout="
                                          G_STRINGIFY (VM_FSFREEZE_TIMEOUT_SECONDS),
                                          "guestlink.trim-file-mib=" G_STRINGIFY (VM_TRIM_FILE_MIB),
                                          NULL);
  if (vm->qemu == NULL)
    return FALSE;

  ready = vm_console_wait_for (vm, "guest: ready", BOOT_TIMEOUT_SECONDS);
  if (ready == NULL)
    return vm_fail (error, "the guest did not start its agent within %d s (console: %s)",
                    BOOT_TIMEOUT_SECONDS, vm->console_path);
  printf ("# %s\n", ready);

  vm->client = guestlink_client_new_for_socket_path (vm->socket_path);
  return TRUE;
}

void
vm_stop (Vm *vm)
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
      g_autofree char *qmp_path = g_strconcat (vm->socket_path, ".qmp", NULL);

      g_unlink (vm->console_path);
      g_unlink (vm->socket_path);
      g_unlink (qmp_path);
      g_rmdir (vm->dir);
    }
  g_clear_pointer (&vm->dir, g_free);
  g_clear_pointer (&vm->socket_path, g_free);
  g_clear_pointer (&vm->console_path, g_free);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
vm_percentile (GArray *times,
               int     percent)
{
  g_return_val_if_fail (times->len > 0, 0);

  g_array_sort (times, compare_doubles);
  return g_array_index (times, double, MIN (times->len - 1, times->len * percent / 100));
}
