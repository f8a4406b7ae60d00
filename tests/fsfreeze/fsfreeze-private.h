/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What fsfreeze-harness.c (roots) and fsfreeze-agent.c (agents, writers,
 * replies) share, and the tests do not see.
 */
#pragma once

#include "fsfreeze-harness.h"

G_BEGIN_DECLS

struct _FsRoot {
  char *dir;             /* the case's directory on the host */
  char *staging;
  GSubprocess *holder;
  int holder_in;         /* its stdin; closing it shuts it down */
  int holder_out;        /* its stdout and stderr */
  GString *holder_output;
  pid_t pid;
  char *proc_root;
  GPtrArray *loops;      /* LoopMount */
  GPtrArray *agents;     /* RootAgent, not owned */
  guint n_agents;
  guint n_writers;
};

/* What a process started by the harness does between fork and exec. */
typedef struct {
  int death_signal;      /* PR_SET_PDEATHSIG: it dies with the test */
  /* For agents: the root's mount namespace and root, entered in the
   * child; empty for processes that stay in ours. */
  char ns_path[64];
  char root_path[64];
} FsChildSetup;

void fsfreeze_child_setup (gpointer user_data);

/* 0 if it is gone already. */
pid_t fsfreeze_process_pid (GSubprocess *process);
/* NULL if it cannot be read. */
char *fsfreeze_read_file (const char *path);

/* For the fatal-signal handler: agents it kills first. */
void fsfreeze_live_agent_add (pid_t pid);
void fsfreeze_live_agent_remove (pid_t pid);

/* Fails the test unless @pid is in @root's mount namespace and sees
 * nothing but the root's mounts. */
void fsfreeze_root_check_process (FsRoot     *root,
                                  pid_t       pid,
                                  const char *who);

G_END_DECLS
