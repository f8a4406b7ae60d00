/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * logging: to the journal when systemd runs us (stderr is then a journal
 * stream), to a log file when one is configured, else to stderr.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean logging_init (gboolean     verbose,
                       const char  *logfile,
                       GError     **error);
void logging_shutdown (void);

/* While filesystems are frozen: messages are kept in memory (a bounded
 * number) and written when called again with FALSE. Any thread. */
void logging_hold (gboolean hold);

G_END_DECLS
