/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * keygen-runs: identity-bench's view of the agent's ssh-keygen runs. The
 * timing wrapper (ssh-keygen-timer.c) goes first in PATH as ssh-keygen,
 * and logs each run's CLOCK_MONOTONIC start and end and its arguments;
 * this reads that log back, sorted into key generations (-t TYPE) and
 * checks (-y).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  KEYGEN_GENERATE,   /* -t TYPE: a new key pair */
  KEYGEN_CHECK,      /* -y: the public half of a private key */
  KEYGEN_OTHER,
} KeygenKind;

typedef struct {
  gint64 start_ns;   /* CLOCK_MONOTONIC, as g_get_monotonic_time () * 1000 */
  gint64 end_ns;
  int status;
  KeygenKind kind;
  char *type;        /* -t's argument; NULL for other runs */
  char *args;        /* as logged, for messages */
} KeygenRun;

/* After harness_init() and clone_machine_init(): makes a directory with
 * ssh-keygen, a link to @timer (the wrapper program), and puts it first
 * in PATH, ahead of clone-machine's own wrapper; the agents started from
 * now on log their runs. */
void keygen_runs_init (const char *timer);

/* Forgets the runs logged so far. */
void keygen_runs_reset (void);

/* The runs logged since the last reset, in the order they ended (an
 * array of KeygenRun). Fails the test on a line it cannot read. */
GArray *keygen_runs_read (void);

/* What the wrapper adds to one run, which lands outside the runs it
 * logs: the least time over @rounds of spawning it with /bin/true as
 * the real program, less the least of spawning /bin/true straight. */
gint64 keygen_runs_wrapper_cost_ns (guint rounds);

G_END_DECLS
