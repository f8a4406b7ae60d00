/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * subprocess-run with /bin/sh scripts: output, how a program ended and
 * how that is told, the time limit (which must kill what the program
 * started too), the output cap, cancellation and missing programs.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "fixture-dir.h"
#include "subprocess-run.h"

#define TIMEOUT_MS 10000

static gboolean
run_script (const char  *script,
            guint        timeout_ms,
            char       **out_stdout,
            char       **out_stderr,
            GError     **error)
{
  const char *argv[] = { "/bin/sh", "-c", script, NULL };

  return subprocess_run_full (argv, timeout_ms, out_stdout, out_stderr, NULL, error);
}

static void
test_stdout (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "sh", "-c", "echo hello; echo world; echo complaint >&2", NULL };

  /* A name, looked up in PATH. */
  g_assert_true (subprocess_run (argv, TIMEOUT_MS, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "hello\nworld\n");
  g_clear_pointer (&out, g_free);

  g_assert_true (run_script (argv[2], TIMEOUT_MS, &out, &err, &error));
  g_assert_cmpstr (out, ==, "hello\nworld\n");
  g_assert_cmpstr (err, ==, "complaint\n");
}

static void
test_stdin_is_dev_null (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_true (run_script ("readlink /proc/self/fd/0; cat", TIMEOUT_MS, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "/dev/null\n");
}

static void
test_exit_status (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_false (run_script ("echo out; echo first >&2; echo 'last words' >&2; echo >&2; exit 3",
                              TIMEOUT_MS, &out, &err, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "sh exited with status 3: last words");
  /* No output on failure, but the complaints. */
  g_assert_null (out);
  g_assert_cmpstr (err, ==, "first\nlast words\n\n");
  g_clear_error (&error);

  g_assert_false (run_script ("exit 1", TIMEOUT_MS, NULL, NULL, &error));
  g_assert_cmpstr (error->message, ==, "sh exited with status 1");
}

static void
test_signal (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (run_script ("echo dying >&2; kill -TERM $$", TIMEOUT_MS, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "sh was killed by signal 15: dying");
}

/* Gone, or a zombie nobody has reaped yet: either way not running. */
static gboolean
process_is_gone (pid_t pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return TRUE;
  end = strrchr (stat, ')');
  return end != NULL && end[1] == ' ' && end[2] == 'Z';
}

static void
wait_until_gone (pid_t pid)
{
  for (guint waited = 0; !process_is_gone (pid); waited += 10)
    {
      g_assert_cmpuint (waited, <, 5000);
      g_usleep (10 * 1000);
    }
}

static pid_t
read_pid (const char *path)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return (pid_t) g_ascii_strtoll (text, NULL, 10);
}

/* The time limit kills the program and the child it left in the
 * background, which would otherwise hold the pipe open. */
static void
test_timeout_kills_group (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("guestlink-subprocess-XXXXXX", NULL);
  g_autofree char *pid_path = g_build_filename (dir, "grandchild.pid", NULL);
  g_autofree char *script = g_strdup_printf ("sleep 60 & echo $! > %s; echo waiting >&2; wait",
                                             pid_path);
  gint64 start = g_get_monotonic_time ();
  pid_t grandchild;

  g_assert_false (run_script (script, 500, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "sh did not finish in 0.5 s: waiting");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  grandchild = read_pid (pid_path);
  g_assert_cmpint (grandchild, >, 0);
  wait_until_gone (grandchild);
  fixture_dir_remove (dir);
}

/* The program exits, but a child it left behind keeps stdout open: not
 * finished until that ends, so the time limit kills it. */
static void
test_grandchild_holds_pipe (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("guestlink-subprocess-XXXXXX", NULL);
  g_autofree char *pid_path = g_build_filename (dir, "grandchild.pid", NULL);
  g_autofree char *script = g_strdup_printf ("sleep 60 & echo $! > %s; exit 0", pid_path);

  g_assert_false (run_script (script, 400, NULL, NULL, &error));
  g_assert_cmpstr (error->message, ==, "sh did not finish in 0.4 s");
  wait_until_gone (read_pid (pid_path));
  fixture_dir_remove (dir);
}

static void
test_output_cap (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* Three times the cap on each pipe: the program must still finish. */
  g_assert_true (run_script ("yes | head -c 3145728; yes | head -c 3145728 >&2", TIMEOUT_MS,
                             &out, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (out), ==, SUBPROCESS_RUN_OUTPUT_MAX);
  g_assert_cmpuint (strlen (err), ==, SUBPROCESS_RUN_OUTPUT_MAX);
  g_assert_true (g_str_has_prefix (out, "y\ny\n"));
}

static void
test_long_stderr_line (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (run_script ("printf '%0500d\\n' 0 >&2; exit 2", TIMEOUT_MS, NULL, NULL, &error));
  g_assert_true (g_str_has_prefix (error->message, "sh exited with status 2: 0000"));
  g_assert_true (g_str_has_suffix (error->message, "..."));
  g_assert_cmpuint (strlen (error->message), <, 400);
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *dir = g_dir_make_tmp ("guestlink-subprocess-XXXXXX", NULL);
  g_autofree char *pid_path = g_build_filename (dir, "sh.pid", NULL);
  g_autofree char *script = g_strdup_printf ("echo $$ > %s; exec sleep 60", pid_path);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  GThread *canceller = g_thread_new ("canceller", cancel_soon, cancellable);
  gint64 start = g_get_monotonic_time ();

  g_assert_false (subprocess_run (argv, 60000, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_thread_join (canceller);
  wait_until_gone (read_pid (pid_path));
  g_clear_error (&error);

  /* Cancelled before: nothing runs. */
  g_assert_false (subprocess_run (argv, 60000, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  fixture_dir_remove (dir);
}

static void
test_missing_program (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *by_name[] = { "guestlink-no-such-program", "-x", NULL };
  const char *by_path[] = { "/nonexistent/guestlink/prog", NULL };

  g_assert_false (subprocess_run_full (by_name, TIMEOUT_MS, NULL, &err, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "guestlink-no-such-program was not found in PATH");
  g_assert_null (err);
  g_clear_error (&error);

  g_assert_false (subprocess_run (by_path, TIMEOUT_MS, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "Cannot run /nonexistent/guestlink/prog: "));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* Not "/subprocess-run/...": GTest skips paths with "/subprocess". */

  g_test_add_func ("/run-subprocess/stdout", test_stdout);
  g_test_add_func ("/run-subprocess/stdin-is-dev-null", test_stdin_is_dev_null);
  g_test_add_func ("/run-subprocess/exit-status", test_exit_status);
  g_test_add_func ("/run-subprocess/signal", test_signal);
  g_test_add_func ("/run-subprocess/timeout-kills-group", test_timeout_kills_group);
  g_test_add_func ("/run-subprocess/grandchild-holds-pipe", test_grandchild_holds_pipe);
  g_test_add_func ("/run-subprocess/output-cap", test_output_cap);
  g_test_add_func ("/run-subprocess/long-stderr-line", test_long_stderr_line);
  g_test_add_func ("/run-subprocess/cancelled", test_cancelled);
  g_test_add_func ("/run-subprocess/missing-program", test_missing_program);

  return g_test_run ();
}
