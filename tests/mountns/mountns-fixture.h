/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the mountns tests share: the guard that they run in namespaces of
 * their own, and the tmpfs fixtures they mount over /etc, /home, /run or
 * /var/lib there. A fixture tmpfs holds a marker file, and nothing is
 * written below one of those directories unless it is such a tmpfs.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exits 77 ("SKIP: ...") unless this process runs in mount and UTS
 * namespaces other than its parent's (meson's), from which no mount
 * propagates back (run-in-mountns.sh makes them): anywhere else, a mount
 * over /etc would be the machine's. Call it first, before harness_init(),
 * so that a skip leaves nothing behind. */
void mountns_require_private (void);
/* The same check, without exiting: whether this process already runs
 * in such namespaces. */
gboolean mountns_is_private (void);

/* Fails the test with @what and errno's message unless @ok. */
void mountns_check (gboolean    ok,
                    const char *what);

/* Mounts a fresh tmpfs over @dir, marked as the test's. */
void mountns_mount_tmpfs (const char *dir);
/* Fails the test unless @dir is a tmpfs mountns_mount_tmpfs() made: the
 * check before anything is written there. */
void mountns_assert_on_tmpfs (const char *dir);

/* A read-only bind mount of the machine's @dir on a new directory in
 * /tmp (not in the harness's run directory, which is removed while it is
 * still mounted); returns that directory. */
char *mountns_stage (const char *dir);
/* Unmounts and removes a directory mountns_stage() returned. */
void mountns_unstage (const char *staging);
/* mountns_mount_tmpfs (@dir), holding a symbolic link to every entry of
 * @staging (the machine's @dir, from mountns_stage()) but those named in
 * @controlled, which the test writes itself: programs still find the
 * rest of the machine's files. */
void mountns_mount_overlay (const char         *dir,
                            const char         *staging,
                            const char * const *controlled);

G_END_DECLS
