/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "subprocess-run.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#define READ_CHUNK 65536
/* Of the last stderr line, in an error message. */
#define STDERR_LINE_MAX 300

/* One of the program's output pipes, read until EOF. */
typedef struct {
  GInputStream *stream;
  GString *data;
  gboolean done;
} Capture;

typedef struct {
  GMainContext *context;
  GCancellable *stop;      /* ends the reads */
  Capture out;
  Capture err;
  gboolean exited;
  int wait_status;
  gboolean timed_out;
  gboolean cancelled;
} Run;

static void read_next (Capture *capture,
                       Run     *run);

typedef struct {
  Capture *capture;
  Run *run;
} ReadOp;

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autofree ReadOp *op = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);
  Capture *capture = op->capture;
  gsize size;
  const char *data;

  /* A read error (or our stop) is the end of what we will get. */
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      capture->done = TRUE;
      return;
    }
  data = g_bytes_get_data (bytes, &size);
  if (capture->data->len < SUBPROCESS_RUN_OUTPUT_MAX)
    g_string_append_len (capture->data, data,
                         MIN (size, SUBPROCESS_RUN_OUTPUT_MAX - capture->data->len));
  read_next (capture, op->run);
}

static void
read_next (Capture *capture,
           Run     *run)
{
  ReadOp *op = g_new (ReadOp, 1);

  op->capture = capture;
  op->run = run;
  g_input_stream_read_bytes_async (capture->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   run->stop, on_read, op);
}

static void
on_exited (GPid     pid,
           gint     wait_status,
           gpointer user_data)
{
  Run *run = user_data;

  run->exited = TRUE;
  run->wait_status = wait_status;
}

static gboolean
on_timeout (gpointer user_data)
{
  Run *run = user_data;

  run->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  Run *run = user_data;

  /* From whichever thread cancelled: sets a flag and wakes the loop
   * that checks it. */
  g_atomic_int_set (&run->cancelled, TRUE);
  g_main_context_wakeup (run->context);
}

/* In the child between fork and exec: a process group of its own, so
 * that a timeout kills what it started too. */
static void
make_process_group (gpointer user_data)
{
  setpgid (0, 0);
}

static char *
format_seconds (guint timeout_ms)
{
  return g_strdup_printf ("%.3g s", timeout_ms / 1000.0);
}

/* The last non-empty line of @text, trimmed, valid UTF-8; NULL if none. */
static char *
last_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = g_strv_length (lines); i > 0; i--)
    {
      char *line = g_strstrip (lines[i - 1]);

      if (*line != '\0')
        {
          g_autofree char *valid = g_utf8_make_valid (line, -1);

          if (g_utf8_strlen (valid, -1) > STDERR_LINE_MAX)
            {
              g_autofree char *cut = g_utf8_substring (valid, 0, STDERR_LINE_MAX);

              return g_strconcat (cut, "...", NULL);
            }
          return g_steal_pointer (&valid);
        }
    }
  return NULL;
}

static void
set_failure (GError     **error,
             const char  *name,
             const char  *how,
             const char  *stderr_text)
{
  g_autofree char *line = last_line (stderr_text);

  if (line != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: %s", name, how, line);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s", name, how);
}

/* Starts @argv with stdin on /dev/null and pipes for stdout and stderr.
 * Not GSubprocess: it hides the pid once the process is reaped, and the
 * pid names the process group a timeout kills. */
static gboolean
spawn (const char * const  *argv,
       const char          *name,
       GPid                *out_pid,
       int                 *out_stdout_fd,
       int                 *out_stderr_fd,
       GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *program = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  if (strchr (argv[0], '/') == NULL)
    {
      program = g_find_program_in_path (argv[0]);
      if (program == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s was not found in PATH", name);
          return FALSE;
        }
    }
  else
    program = g_strdup (argv[0]);

  g_ptr_array_add (args, program);
  for (guint i = 1; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  /* Without G_SPAWN_CHILD_INHERITS_STDIN, stdin is /dev/null. Not reaped
   * by GLib until our child watch exists, so the pid stays ours. */
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) args->pdata, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES,
                                         make_process_group, NULL, -1, -1, -1, NULL, NULL, 0,
                                         out_pid, NULL, out_stdout_fd, out_stderr_fd,
                                         &local_error))
    {
      g_set_error (error, G_IO_ERROR,
                   g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT)
                     ? G_IO_ERROR_NOT_FOUND : G_IO_ERROR_FAILED,
                   "Cannot run %s: %s", program, local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
subprocess_run_full (const char * const  *argv,
                     guint                timeout_ms,
                     char               **out_stdout,
                     char               **out_stderr,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GSource) watch = NULL;
  g_autoptr(GInputStream) stdout_stream = NULL;
  g_autoptr(GInputStream) stderr_stream = NULL;
  g_autoptr(GCancellable) stop = NULL;
  g_autofree char *name = NULL;
  g_autofree char *seconds = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(GString) err = NULL;
  Run run = { 0 };
  gulong cancel_id = 0;
  gboolean finished;
  GPid pid;
  int stdout_fd, stderr_fd;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);
  g_return_val_if_fail (timeout_ms > 0, FALSE);

  if (out_stderr != NULL)
    *out_stderr = NULL;
  name = g_path_get_basename (argv[0]);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!spawn (argv, name, &pid, &stdout_fd, &stderr_fd, error))
    return FALSE;
  stdout_stream = g_unix_input_stream_new (stdout_fd, TRUE);
  stderr_stream = g_unix_input_stream_new (stderr_fd, TRUE);

  /* Everything below runs on this context, which only this thread
   * iterates: the agent's main loop never waits for a program. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  out = g_string_new (NULL);
  err = g_string_new (NULL);
  stop = g_cancellable_new ();
  run.context = context;
  run.stop = stop;
  run.out = (Capture) { stdout_stream, out, FALSE };
  run.err = (Capture) { stderr_stream, err, FALSE };
  read_next (&run.out, &run);
  read_next (&run.err, &run);
  watch = g_child_watch_source_new (pid);
  g_source_set_callback (watch, G_SOURCE_FUNC (on_exited), &run, NULL);
  g_source_attach (watch, context);
  timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (timeout, on_timeout, &run, NULL);
  g_source_attach (timeout, context);
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), &run, NULL);

  /* Exited, and both pipes at EOF: a grandchild that keeps them open
   * keeps us waiting, up to the time limit. */
  while (!(run.exited && run.out.done && run.err.done) &&
         !run.timed_out && !g_atomic_int_get (&run.cancelled))
    g_main_context_iteration (context, TRUE);

  finished = run.exited && run.out.done && run.err.done;
  if (!finished)
    {
      /* The whole group: a shell's children too. The group outlives its
       * leader while any member lives, so its id is not reused. */
      kill (-pid, SIGKILL);
      g_cancellable_cancel (stop);
      while (!run.out.done || !run.err.done || !run.exited)
        g_main_context_iteration (context, TRUE);
    }

  /* Waits for a handler running in another thread. */
  g_cancellable_disconnect (cancellable, cancel_id);
  g_source_destroy (timeout);
  g_source_destroy (watch);
  g_spawn_close_pid (pid);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  if (out_stderr != NULL)
    *out_stderr = g_strdup (err->str);

  if (!finished && g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!finished)
    {
      g_autofree char *how = NULL;

      seconds = format_seconds (timeout_ms);
      how = g_strdup_printf ("did not finish in %s", seconds);
      set_failure (error, name, how, err->str);
      return FALSE;
    }
  if (WIFSIGNALED (run.wait_status))
    {
      g_autofree char *how = g_strdup_printf ("was killed by signal %d",
                                              WTERMSIG (run.wait_status));

      set_failure (error, name, how, err->str);
      return FALSE;
    }
  if (!WIFEXITED (run.wait_status) || WEXITSTATUS (run.wait_status) != 0)
    {
      g_autofree char *how = g_strdup_printf ("exited with status %d",
                                              WEXITSTATUS (run.wait_status));

      set_failure (error, name, how, err->str);
      return FALSE;
    }

  if (out_stdout != NULL)
    *out_stdout = g_strdup (out->str);
  return TRUE;
}

gboolean
subprocess_run (const char * const  *argv,
                guint                timeout_ms,
                char               **out_stdout,
                GCancellable        *cancellable,
                GError             **error)
{
  return subprocess_run_full (argv, timeout_ms, out_stdout, NULL, cancellable, error);
}
