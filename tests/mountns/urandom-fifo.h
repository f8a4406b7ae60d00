/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * urandom-fifo: a FIFO bind-mounted over /dev/urandom in the test's
 * mount namespace, for the random-seed step of set-identity: its open()
 * for writing waits there until the test reads (a point to kill the
 * agent at), and the test reads exactly the bytes written. GLib seeds
 * its random numbers from /dev/urandom, once per process, whenever that
 * comes; a thread of the test gives bytes to any such reader, so that
 * only a writer waits.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct _UrandomFifo UrandomFifo;

/* Makes the FIFO in @dir and mounts it over /dev/urandom. */
UrandomFifo *urandom_fifo_new (const char *dir);
/* Unmounts it; /dev/urandom is the machine's again. */
void urandom_fifo_free (UrandomFifo *fifo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UrandomFifo, urandom_fifo_free)

/* Until a thread of process @pid waits in open() to write the FIFO;
 * fails the test after @timeout_ms. */
void urandom_fifo_wait_for_writer (UrandomFifo *fifo,
                                   pid_t        pid,
                                   guint        timeout_ms);

/* Reads what the writer writes, to its end. */
GBytes *urandom_fifo_read (UrandomFifo *fifo);

G_END_DECLS
