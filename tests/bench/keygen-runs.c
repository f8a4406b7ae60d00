/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "keygen-runs.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "agent-harness.h"

#define LOG_VARIABLE "IDENTITY_BENCH_KEYGEN_LOG"
#define REAL_VARIABLE "IDENTITY_BENCH_SSH_KEYGEN"

static char *timer_dir;
static char *log_path;

void
keygen_runs_init (const char *timer)
{
  g_autofree char *link_path = NULL;
  g_autofree char *path = NULL;

  timer_dir = harness_make_dir ("keygen-timer");
  link_path = g_build_filename (timer_dir, "ssh-keygen", NULL);
  if (symlink (timer, link_path) != 0)
    harness_fail ("symlink %s: %s", link_path, g_strerror (errno));
  log_path = g_build_filename (timer_dir, "runs.log", NULL);

  /* Inherited by each agent, and by the ssh-keygen it starts. */
  g_setenv (LOG_VARIABLE, log_path, TRUE);
  g_unsetenv (REAL_VARIABLE);
  path = g_strconcat (timer_dir, ":", g_getenv ("PATH"), NULL);
  g_setenv ("PATH", path, TRUE);
}

void
keygen_runs_reset (void)
{
  if (g_unlink (log_path) != 0 && errno != ENOENT)
    harness_fail ("unlink %s: %s", log_path, g_strerror (errno));
}

static void
keygen_run_clear (gpointer data)
{
  KeygenRun *run = data;

  g_free (run->type);
  g_free (run->args);
}

/* "START END STATUS ARG...", as ssh-keygen-timer writes it. */
static void
parse_line (const char *line,
            KeygenRun  *run)
{
  g_auto(GStrv) words = g_strsplit (line, " ", -1);
  guint n = g_strv_length (words);
  const char *args = line;

  if (n < 3 ||
      !g_ascii_string_to_signed (words[0], 10, 0, G_MAXINT64, &run->start_ns, NULL) ||
      !g_ascii_string_to_signed (words[1], 10, 0, G_MAXINT64, &run->end_ns, NULL) ||
      run->end_ns < run->start_ns)
    harness_fail ("unreadable ssh-keygen log line: %s", line);
  run->status = (int) g_ascii_strtoll (words[2], NULL, 10);
  for (guint skipped = 0; skipped < 3 && args != NULL; skipped++)
    {
      args = strchr (args, ' ');
      if (args != NULL)
        args++;
    }
  run->args = g_strdup (args != NULL ? args : "");

  run->kind = KEYGEN_OTHER;
  for (guint i = 3; i < n; i++)
    {
      if (g_str_equal (words[i], "-t") && i + 1 < n)
        {
          run->kind = KEYGEN_GENERATE;
          run->type = g_strdup (words[i + 1]);
          break;
        }
      if (g_str_equal (words[i], "-y"))
        run->kind = KEYGEN_CHECK;
    }
}

GArray *
keygen_runs_read (void)
{
  GArray *runs = g_array_new (FALSE, TRUE, sizeof (KeygenRun));
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_array_set_clear_func (runs, keygen_run_clear);
  if (!g_file_get_contents (log_path, &contents, NULL, &error))
    {
      /* No run at all: the caller says whether that is wrong. */
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return runs;
      harness_fail ("%s", error->message);
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      KeygenRun run = { 0 };

      if (lines[i][0] == '\0')
        continue;
      parse_line (lines[i], &run);
      g_array_append_val (runs, run);
    }
  return runs;
}

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* From spawning @argv to reaping it, the way the agent starts
 * ssh-keygen: through g_spawn. */
static gint64
spawn_ns (const char * const *argv,
          char              **envp)
{
  g_autoptr(GError) error = NULL;
  gint64 start = now_ns ();
  int wait_status;

  if (!g_spawn_sync (NULL, (char **) argv, envp,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                     NULL, &wait_status, &error) ||
      !g_spawn_check_wait_status (wait_status, &error))
    harness_fail ("%s: %s", argv[0], error->message);
  return now_ns () - start;
}

static gint64
least_of (GArray *times)
{
  g_array_sort (times, compare_gint64);
  return g_array_index (times, gint64, 0);
}

gint64
keygen_runs_wrapper_cost_ns (guint rounds)
{
  g_autofree char *wrapper = g_build_filename (timer_dir, "ssh-keygen", NULL);
  g_autofree char *calibration_log = g_build_filename (timer_dir, "calibration.log", NULL);
  const char * const wrapped[] = { wrapper, "-y", NULL };
  const char * const straight[] = { "/bin/true", "-y", NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GArray) with_wrapper = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) without = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 cost;

  envp = g_environ_setenv (envp, REAL_VARIABLE, "/bin/true", TRUE);
  envp = g_environ_setenv (envp, LOG_VARIABLE, calibration_log, TRUE);
  /* Side by side, so that a busy moment of the machine hits both. */
  for (guint i = 0; i < rounds; i++)
    {
      gint64 wrapped_ns = spawn_ns (wrapped, envp);
      gint64 straight_ns = spawn_ns (straight, envp);

      g_array_append_val (with_wrapper, wrapped_ns);
      g_array_append_val (without, straight_ns);
    }
  /* The least of each: what a spawn costs when nothing else on the
   * machine gets in the way, which the medians of a busy machine are
   * far from, in either direction. */
  cost = least_of (with_wrapper) - least_of (without);
  if (g_unlink (calibration_log) != 0)
    harness_fail ("The wrapper logged nothing to %s", calibration_log);
  return MAX (cost, 0);
}
