/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-freeze-hooks.h"

/* A hook that floods its output must not flood the log or our memory. */
#define HOOK_MAX_LOGGED_BYTES (64 * 1024)
#define HOOK_READ_SIZE 4096

/* run-parts' rules: what a package manager or an editor leaves behind
 * (foo.dpkg-old, foo~, .foo.swp) is not a hook. */
static gboolean
is_hook_name (const char *name)
{
  if (name[0] == '.' || g_str_has_suffix (name, "~") ||
      strstr (name, ".dpkg-") != NULL || g_str_has_suffix (name, ".rpmnew") ||
      g_str_has_suffix (name, ".rpmsave") || g_str_has_suffix (name, ".rpmorig"))
    return FALSE;

  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '_' && *c != '-' && *c != '.')
      return FALSE;

  return TRUE;
}

static gboolean
is_executable_file (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
fs_freeze_hooks_list (const char  *dir,
                      const char  *hook,
                      GError     **error)
{
  g_autoptr(GPtrArray) hooks = g_ptr_array_new_with_free_func (g_free);

  if (dir != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GDir) listing = g_dir_open (dir, 0, &local_error);
      const char *name;

      if (listing == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Cannot read the fsfreeze hook directory: %s", local_error->message);
          return NULL;
        }

      while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);

          if (is_hook_name (name) && is_executable_file (path))
            g_ptr_array_add (hooks, g_steal_pointer (&path));
        }
      g_ptr_array_sort (hooks, compare_paths);
    }

  if (hook != NULL)
    {
      /* qemu-ga's check and words, so its users recognise them. */
      if (access (hook, X_OK) != 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "can't access fsfreeze hook '%s': %s", hook, g_strerror (saved_errno));
          return NULL;
        }
      g_ptr_array_add (hooks, g_strdup (hook));
    }

  return g_steal_pointer (&hooks);
}

typedef struct {
  GPtrArray *hooks;
  FsFreezeHookAction action;
  guint timeout_seconds;
  guint n_started;
  GError *first_error;

  /* The hook running now. */
  const char *path;
  GSubprocess *process;
  GInputStream *output;
  GSource *output_source;   /* NULL once the output has ended */
  GString *line;
  gsize logged_bytes;
  gboolean output_capped;
  GSource *timeout_source;
  gboolean timed_out;
} HookRun;

static void
hook_run_clear_current (HookRun *run)
{
  if (run->timeout_source != NULL)
    g_source_destroy (run->timeout_source);
  g_clear_pointer (&run->timeout_source, g_source_unref);
  if (run->output_source != NULL)
    g_source_destroy (run->output_source);
  g_clear_pointer (&run->output_source, g_source_unref);
  g_clear_object (&run->process);
  g_clear_object (&run->output);
  if (run->line != NULL)
    g_string_free (run->line, TRUE);
  run->line = NULL;
  run->path = NULL;
  run->logged_bytes = 0;
  run->output_capped = FALSE;
  run->timed_out = FALSE;
}

static void
hook_run_free (HookRun *run)
{
  hook_run_clear_current (run);
  g_ptr_array_unref (run->hooks);
  g_clear_error (&run->first_error);
  g_free (run);
}

static const char *
action_name (FsFreezeHookAction action)
{
  return action == FS_FREEZE_HOOK_FREEZE ? "freeze" : "thaw";
}

static void run_next_hook (GTask *task);

static void
log_line (HookRun    *run,
          const char *line)
{
  g_autofree char *name = g_path_get_basename (run->path);

  g_message ("fsfreeze hook %s: %s", name, line);
}

/* Splits what the hook wrote into lines for the log, up to the cap. */
static void
take_output (HookRun      *run,
             const guint8 *data,
             gsize         length)
{
  for (gsize i = 0; i < length && !run->output_capped; i++)
    {
      if (data[i] == '\n')
        {
          log_line (run, run->line->str);
          g_string_truncate (run->line, 0);
        }
      else
        g_string_append_c (run->line, (char) data[i]);

      if (++run->logged_bytes == HOOK_MAX_LOGGED_BYTES)
        {
          if (run->line->len > 0)
            log_line (run, run->line->str);
          log_line (run, "(more output was dropped)");
          g_string_truncate (run->line, 0);
          run->output_capped = TRUE;
        }
    }
}

/* Reads what the pipe holds without blocking. FALSE at its end (or a
 * read error, which ends it as well). */
static gboolean
read_available (HookRun *run)
{
  g_autoptr(GError) error = NULL;
  guint8 buffer[HOOK_READ_SIZE];
  gssize n;

  while ((n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (run->output),
                                                        buffer, sizeof buffer, NULL, &error)) > 0)
    take_output (run, buffer, (gsize) n);

  return n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

static GError *
describe_failure (HookRun *run)
{
  GSubprocess *process = run->process;

  if (run->timed_out)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                        "fsfreeze hook %s failed: timed out after %u s",
                        run->path, run->timeout_seconds);
  if (g_subprocess_get_if_signaled (process))
    return g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                        "fsfreeze hook %s failed: killed by signal %d",
                        run->path, g_subprocess_get_term_sig (process));
  if (g_subprocess_get_exit_status (process) != 0)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                        "fsfreeze hook %s failed: exited with status %d",
                        run->path, g_subprocess_get_exit_status (process));
  return NULL;
}

static void
finish_hook (GTask *task)
{
  HookRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (run->line->len > 0)
    log_line (run, run->line->str);

  error = describe_failure (run);
  if (error != NULL)
    {
      g_message ("%s", error->message);
      if (run->first_error == NULL)
        run->first_error = g_steal_pointer (&error);
    }

  hook_run_clear_current (run);
  run_next_hook (task);
}

static gboolean
on_output_ready (GObject  *stream,
                 gpointer  user_data)
{
  GTask *task = user_data;
  HookRun *run = g_task_get_task_data (task);

  if (read_available (run))
    return G_SOURCE_CONTINUE;

  /* The hook's exit, not the end of its output, ends its turn. */
  g_clear_pointer (&run->output_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
on_hook_exited (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  HookRun *run = g_task_get_task_data (task);

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);

  /* What the hook wrote is in the pipe by now. A child it left behind
   * may hold the pipe open for ever: take what is there and go on. */
  if (run->output_source != NULL)
    read_available (run);
  finish_hook (task);
}

static gboolean
on_hook_timeout (gpointer user_data)
{
  HookRun *run = user_data;
  const char *identifier = g_subprocess_get_identifier (run->process);

  run->timed_out = TRUE;
  g_clear_pointer (&run->timeout_source, g_source_unref);

  /* The hook leads its own process group (see child_setup), so whatever
   * it started goes too and no orphan holds a database lock. */
  if (identifier != NULL)
    kill (-(pid_t) atoi (identifier), SIGKILL);
  g_subprocess_force_exit (run->process);
  return G_SOURCE_REMOVE;
}

static void
child_setup (gpointer user_data)
{
  setsid ();
}

static void
run_next_hook (GTask *task)
{
  HookRun *run = g_task_get_task_data (task);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  guint index;

  /* All done, or a freeze hook failed: the rest must not run. */
  if (run->n_started == run->hooks->len ||
      (run->first_error != NULL && run->action == FS_FREEZE_HOOK_FREEZE))
    {
      if (run->first_error != NULL)
        g_task_return_error (task, g_error_copy (run->first_error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  index = run->action == FS_FREEZE_HOOK_FREEZE ? run->n_started
                                               : run->hooks->len - 1 - run->n_started;
  run->n_started++;
  run->path = g_ptr_array_index (run->hooks, index);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_cwd (launcher, "/");
  run->process = g_subprocess_launcher_spawn (launcher, &error, run->path,
                                              action_name (run->action), NULL);
  if (run->process == NULL)
    {
      g_message ("fsfreeze hook %s failed: %s", run->path, error->message);
      if (run->first_error == NULL)
        run->first_error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                        "fsfreeze hook %s failed: %s",
                                        run->path, error->message);
      hook_run_clear_current (run);
      run_next_hook (task);
      return;
    }

  g_debug ("Running fsfreeze hook %s %s", run->path, action_name (run->action));
  run->output = g_object_ref (g_subprocess_get_stdout_pipe (run->process));
  run->line = g_string_new (NULL);
  /* Not a seconds timeout: GLib may fire those up to a second early. */
  run->timeout_source = g_timeout_source_new (run->timeout_seconds * 1000);
  g_source_set_callback (run->timeout_source, on_hook_timeout, run, NULL);
  g_source_attach (run->timeout_source, g_main_context_get_thread_default ());

  /* Polled, never an outstanding read: a read under way when the hook
   * exits could only be cancelled, losing the bytes it had taken. */
  run->output_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (run->output),
                                                              NULL);
  g_source_set_callback (run->output_source, G_SOURCE_FUNC (on_output_ready), task, NULL);
  g_source_attach (run->output_source, g_main_context_get_thread_default ());
  g_subprocess_wait_async (run->process, NULL, on_hook_exited, task);
}

void
fs_freeze_hooks_run_async (GPtrArray           *hooks,
                           FsFreezeHookAction   action,
                           guint                timeout_seconds,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  HookRun *run = g_new0 (HookRun, 1);

  g_return_if_fail (hooks != NULL);
  g_return_if_fail (timeout_seconds > 0);

  g_task_set_source_tag (task, fs_freeze_hooks_run_async);
  run->hooks = g_ptr_array_ref (hooks);
  run->action = action;
  run->timeout_seconds = timeout_seconds;
  g_task_set_task_data (task, run, (GDestroyNotify) hook_run_free);

  run_next_hook (task);
}

gboolean
fs_freeze_hooks_run_finish (GAsyncResult  *result,
                            guint         *out_n_started,
                            GError       **error)
{
  GTask *task = G_TASK (result);
  HookRun *run = g_task_get_task_data (task);

  g_return_val_if_fail (g_task_get_source_tag (task) == fs_freeze_hooks_run_async, FALSE);

  if (out_n_started != NULL)
    *out_n_started = run->n_started;
  return g_task_propagate_boolean (task, error);
}
