/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ssh-keygen-timer: what identity-bench puts first in the agent's PATH
 * under the name ssh-keygen. It runs the real one with the same
 * arguments and appends one line to $IDENTITY_BENCH_KEYGEN_LOG:
 *
 *   START_NS END_NS STATUS ARG...
 *
 * START and END are CLOCK_MONOTONIC, which the benchmark reads too, taken
 * around the real ssh-keygen's spawn, run and exit. Plain libc, no GLib,
 * and posix_spawn() rather than fork(): what the wrapper adds to each run
 * (its own start, mostly) is outside what it logs, so it must be small.
 *
 * $IDENTITY_BENCH_SSH_KEYGEN names the real program (default
 * /usr/bin/ssh-keygen); the benchmark's calibration points it at
 * /bin/true to measure what the wrapper itself costs.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REAL_SSH_KEYGEN "/usr/bin/ssh-keygen"

static long long
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One write() with O_APPEND: the line lands whole even if two runs
 * overlap. */
static int
append_line (const char *log_path,
             long long   start,
             long long   end,
             int         status,
             char      **args)
{
  char *line = NULL;
  size_t length = 0;
  FILE *out = open_memstream (&line, &length);
  int fd;
  ssize_t written;

  if (out == NULL)
    return -1;
  fprintf (out, "%lld %lld %d", start, end, status);
  for (char **arg = args; *arg != NULL; arg++)
    fprintf (out, " %s", *arg);
  fputc ('\n', out);
  if (fclose (out) != 0)
    {
      free (line);
      return -1;
    }

  fd = open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      free (line);
      return -1;
    }
  written = write (fd, line, length);
  free (line);
  if (close (fd) != 0 || written != (ssize_t) length)
    return -1;
  return 0;
}

int
main (int    argc,
      char **argv)
{
  const char *log_path = getenv ("IDENTITY_BENCH_KEYGEN_LOG");
  const char *real = getenv ("IDENTITY_BENCH_SSH_KEYGEN");
  long long start, end;
  int wait_status, status, spawn_error;
  pid_t pid;

  (void) argc;
  if (real == NULL || real[0] == '\0')
    real = REAL_SSH_KEYGEN;
  /* Without the log, a run would go uncounted and the share come out
   * too small: refuse instead. */
  if (log_path == NULL || log_path[0] == '\0')
    {
      fprintf (stderr, "ssh-keygen-timer: IDENTITY_BENCH_KEYGEN_LOG is not set\n");
      return 127;
    }

  start = now_ns ();
  argv[0] = (char *) "ssh-keygen";
  spawn_error = posix_spawn (&pid, real, NULL, NULL, argv, environ);
  if (spawn_error != 0)
    {
      fprintf (stderr, "ssh-keygen-timer: cannot run %s: %s\n", real, strerror (spawn_error));
      return 127;
    }
  while (waitpid (pid, &wait_status, 0) < 0)
    if (errno != EINTR)
      {
        fprintf (stderr, "ssh-keygen-timer: waitpid: %s\n", strerror (errno));
        return 127;
      }
  end = now_ns ();

  status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
  if (append_line (log_path, start, end, status, argv + 1) != 0)
    {
      fprintf (stderr, "ssh-keygen-timer: cannot append to %s: %s\n", log_path, strerror (errno));
      return 127;
    }
  return status;
}
