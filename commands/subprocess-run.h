/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * subprocess-run: running a program (ssh-keygen, sshd -T, sshd -t) from a
 * worker thread with a time limit, the way the identity commands need
 * it: argv only, never a shell; stdin from /dev/null; output captured
 * with a cap; killed (its whole process group) when it overruns or the
 * call is cancelled. Blocking: for worker threads only; it iterates a
 * main context of its own, never the agent's.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Each of stdout and stderr is kept up to this; the rest is read and
 * dropped so the program never blocks on a full pipe. */
#define SUBPROCESS_RUN_OUTPUT_MAX (1024 * 1024)

/* Runs @argv (argv[0] a path or a name looked up in PATH) and waits.
 * Succeeds when it exits 0, setting @out_stdout (may be NULL) to what it
 * printed. Otherwise fails with G_IO_ERROR_FAILED and a message naming
 * the program, how it ended ("exited with status 1", "was killed by
 * signal 9", "did not finish in 30 s") and the last line it printed on
 * stderr; G_IO_ERROR_NOT_FOUND when the program does not exist;
 * G_IO_ERROR_CANCELLED when @cancellable fired. */
gboolean subprocess_run (const char * const  *argv,
                         guint                timeout_ms,
                         char               **out_stdout,
                         GCancellable        *cancellable,
                         GError             **error);

/* subprocess_run(), also setting @out_stderr (may be NULL) to what the
 * program printed on stderr, whether it succeeded or not; NULL when it
 * could not be started. For callers that must read a program's
 * complaints even when it exits 0 (sshd -t only warns about a host key
 * it cannot load). */
gboolean subprocess_run_full (const char * const  *argv,
                              guint                timeout_ms,
                              char               **out_stdout,
                              char               **out_stderr,
                              GCancellable        *cancellable,
                              GError             **error);

G_END_DECLS
