/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The freeze hooks: which files are hooks, their order for each action,
 * what a failure stops, and that a hook past its time limit is killed
 * with everything it started. The hooks are shell scripts in a temporary
 * directory that record their calls in a file.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "fixture-dir.h"
#include "fs-freeze-hooks.h"

typedef struct {
  char *dir;
  char *hook_dir;
  char *calls_path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("guestlink-hooks-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->hook_dir = g_build_filename (fixture->dir, "fsfreeze-hook.d", NULL);
  g_assert_cmpint (g_mkdir (fixture->hook_dir, 0755), ==, 0);
  fixture->calls_path = g_build_filename (fixture->dir, "calls", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  fixture_dir_remove (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->hook_dir);
  g_free (fixture->calls_path);
}

/* A hook that appends "NAME ACTION" to the calls file, then runs @body. */
static char *
add_hook (Fixture    *fixture,
          const char *dir,
          const char *name,
          const char *body,
          int         mode)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\necho \"%s $1\" >> '%s'\n%s\n",
                                             name, fixture->calls_path, body);

  g_file_set_contents (path, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

static char *
read_calls (Fixture *fixture)
{
  char *calls = NULL;

  if (!g_file_get_contents (fixture->calls_path, &calls, NULL, NULL))
    return g_strdup ("");
  return calls;
}

typedef struct {
  gboolean done;
  gboolean ok;
  guint n_started;
  GError *error;
} RunResult;

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunResult *run = user_data;

  run->ok = fs_freeze_hooks_run_finish (result, &run->n_started, &run->error);
  run->done = TRUE;
}

static RunResult
run_hooks (GPtrArray          *hooks,
           FsFreezeHookAction  action,
           guint               timeout_seconds)
{
  RunResult run = { 0 };

  fs_freeze_hooks_run_async (hooks, action, timeout_seconds, on_run_done, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  return run;
}

static void
test_list_rules (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hooks = NULL;
  g_autofree char *b = add_hook (fixture, fixture->hook_dir, "20-b", "", 0755);
  g_autofree char *a = add_hook (fixture, fixture->hook_dir, "10-a", "", 0755);
  g_autofree char *c = add_hook (fixture, fixture->hook_dir, "30.c", "", 0700);
  g_autofree char *extra = add_hook (fixture, fixture->dir, "qemu-hook", "", 0755);
  /* Not hooks: not executable, hidden, left by dpkg, rpm or an editor,
   * a name run-parts would refuse, a directory. */
  g_autofree char *p1 = add_hook (fixture, fixture->hook_dir, "40-not-executable", "", 0644);
  g_autofree char *p2 = add_hook (fixture, fixture->hook_dir, ".hidden", "", 0755);
  g_autofree char *p3 = add_hook (fixture, fixture->hook_dir, "50-x.dpkg-old", "", 0755);
  g_autofree char *p4 = add_hook (fixture, fixture->hook_dir, "60-y.rpmsave", "", 0755);
  g_autofree char *p5 = add_hook (fixture, fixture->hook_dir, "70-z~", "", 0755);
  g_autofree char *p6 = add_hook (fixture, fixture->hook_dir, "80 space", "", 0755);
  g_autofree char *subdir = g_build_filename (fixture->hook_dir, "90-dir", NULL);

  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);

  hooks = fs_freeze_hooks_list (fixture->hook_dir, extra, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hooks->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (hooks, 0), ==, a);
  g_assert_cmpstr (g_ptr_array_index (hooks, 1), ==, b);
  g_assert_cmpstr (g_ptr_array_index (hooks, 2), ==, c);
  /* qemu-ga's hook after the directory's: the last to freeze, the
   * first to thaw. */
  g_assert_cmpstr (g_ptr_array_index (hooks, 3), ==, extra);
}

static void
test_list_missing (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hooks = NULL;
  g_autofree char *missing_dir = g_build_filename (fixture->dir, "absent.d", NULL);
  g_autofree char *missing_hook = g_build_filename (fixture->dir, "absent-hook", NULL);
  g_autofree char *expected = NULL;

  /* No directory: no hooks, as on a fresh install. */
  hooks = fs_freeze_hooks_list (missing_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hooks->len, ==, 0);
  g_clear_pointer (&hooks, g_ptr_array_unref);

  /* A -F hook that is not there: qemu-ga's error, and no freeze. */
  hooks = fs_freeze_hooks_list (NULL, missing_hook, &error);
  g_assert_null (hooks);
  expected = g_strdup_printf ("can't access fsfreeze hook '%s': %s", missing_hook,
                              g_strerror (ENOENT));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_order (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hooks = NULL;
  g_autofree char *a = add_hook (fixture, fixture->hook_dir, "10-a", "echo output of a", 0755);
  g_autofree char *b = add_hook (fixture, fixture->hook_dir, "20-b", "", 0755);
  g_autofree char *calls = NULL;
  RunResult run;

  hooks = fs_freeze_hooks_list (fixture->hook_dir, NULL, &error);
  g_assert_no_error (error);

  run = run_hooks (hooks, FS_FREEZE_HOOK_FREEZE, 10);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.n_started, ==, 2);

  run = run_hooks (hooks, FS_FREEZE_HOOK_THAW, 10);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);

  calls = read_calls (fixture);
  g_assert_cmpstr (calls, ==, "10-a freeze\n20-b freeze\n20-b thaw\n10-a thaw\n");
}

static void
test_freeze_failure_stops (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hooks = NULL;
  g_autofree char *a = add_hook (fixture, fixture->hook_dir, "10-a", "", 0755);
  g_autofree char *b = add_hook (fixture, fixture->hook_dir, "20-b",
                                 "[ \"$1\" = thaw ] || exit 3", 0755);
  g_autofree char *c = add_hook (fixture, fixture->hook_dir, "30-c", "", 0755);
  g_autofree char *calls = NULL;
  g_autofree char *expected = NULL;
  RunResult run;

  hooks = fs_freeze_hooks_list (fixture->hook_dir, NULL, &error);
  g_assert_no_error (error);

  run = run_hooks (hooks, FS_FREEZE_HOOK_FREEZE, 10);
  g_assert_false (run.ok);
  /* The failing hook counts as started: it may have half-prepared. */
  g_assert_cmpuint (run.n_started, ==, 2);
  expected = g_strdup_printf ("fsfreeze hook %s failed: exited with status 3", b);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (run.error->message, ==, expected);
  g_clear_error (&run.error);

  calls = read_calls (fixture);
  g_assert_cmpstr (calls, ==, "10-a freeze\n20-b freeze\n");
}

static void
test_thaw_failure_goes_on (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hooks = NULL;
  g_autofree char *a = add_hook (fixture, fixture->hook_dir, "10-a", "", 0755);
  g_autofree char *b = add_hook (fixture, fixture->hook_dir, "20-b", "kill -KILL $$", 0755);
  g_autofree char *c = add_hook (fixture, fixture->hook_dir, "30-c", "", 0755);
  g_autofree char *calls = NULL;
  g_autofree char *expected = NULL;
  RunResult run;

  hooks = fs_freeze_hooks_list (fixture->hook_dir, NULL, &error);
  g_assert_no_error (error);

  /* Every hook hears "thaw" even after one fails. */
  run = run_hooks (hooks, FS_FREEZE_HOOK_THAW, 10);
  g_assert_false (run.ok);
  g_assert_cmpuint (run.n_started, ==, 3);
  expected = g_strdup_printf ("fsfreeze hook %s failed: killed by signal %d", b, SIGKILL);
  g_assert_cmpstr (run.error->message, ==, expected);
  g_clear_error (&run.error);

  calls = read_calls (fixture);
  g_assert_cmpstr (calls, ==, "30-c thaw\n20-b thaw\n10-a thaw\n");
}

/* A zombie is dead too: whoever reaps orphans here may take a moment. */
static gboolean
process_is_alive (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  end = strrchr (stat, ')');
  return end != NULL && end[1] == ' ' && end[2] != 'Z';
}

static void
test_timeout_kills_group (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hooks = NULL;
  g_autofree char *pid_path = g_build_filename (fixture->dir, "sleeper.pid", NULL);
  /* The hook starts a child that would outlive it, and hangs. */
  g_autofree char *body = g_strdup_printf ("sleep 600 & echo $! > '%s'\nwait", pid_path);
  g_autofree char *a = add_hook (fixture, fixture->hook_dir, "10-hang", body, 0755);
  g_autofree char *pid_text = NULL;
  g_autofree char *expected = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;
  RunResult run;
  int pid;

  hooks = fs_freeze_hooks_list (fixture->hook_dir, NULL, &error);
  g_assert_no_error (error);

  run = run_hooks (hooks, FS_FREEZE_HOOK_FREEZE, 1);
  elapsed = g_get_monotonic_time () - start;
  g_assert_false (run.ok);
  expected = g_strdup_printf ("fsfreeze hook %s failed: timed out after 1 s", a);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpstr (run.error->message, ==, expected);
  g_clear_error (&run.error);
  /* Killed at the limit, not after the sleep: a wide margin for loaded
   * machines, far below the 600 s the hook would take. */
  g_assert_cmpint (elapsed, <, 30 * G_USEC_PER_SEC);
  /* ... and not before it either. */
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC);

  /* The grandchild died with the hook's process group. */
  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, NULL));
  pid = atoi (pid_text);
  g_assert_cmpint (pid, >, 1);
  for (int i = 0; i < 100 && process_is_alive (pid); i++)
    g_usleep (50 * 1000);
  g_assert_false (process_is_alive (pid));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/fs-freeze-hooks/list/rules", test_list_rules);
  ADD ("/fs-freeze-hooks/list/missing", test_list_missing);
  ADD ("/fs-freeze-hooks/run/order", test_order);
  ADD ("/fs-freeze-hooks/run/freeze-failure-stops", test_freeze_failure_stops);
  ADD ("/fs-freeze-hooks/run/thaw-failure-goes-on", test_thaw_failure_goes_on);
  ADD ("/fs-freeze-hooks/run/timeout-kills-group", test_timeout_kills_group);
#undef ADD

  return g_test_run ();
}
