/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sshd-reload: makes a running sshd load its host keys again. Through
 * systemd when it runs sshd (ReloadOrRestartUnit of ssh.service or
 * sshd.service, the first that is active); else with SIGHUP to the pid
 * in sshd's pid file, once /proc says that pid is an sshd, and waiting
 * until it has re-executed itself and written the pid file again.
 *
 * Blocking: for worker threads only.
 */
#pragma once

#include <gio/gio.h>

#include "ssh-host-key-rotation.h"

G_BEGIN_DECLS

/* How long sshd may take to re-execute itself after SIGHUP and write
 * its pid file again. */
#define SSHD_RELOAD_SIGNAL_TIMEOUT_MS 10000

/* Reloads the sshd whose pid file is @pidfile (used when systemd does
 * not run it). @out_method and @out_target (the unit, or the pid as
 * text; NULL when not running) say how; SSHD_RELOAD_NOT_RUNNING is a
 * success. @out_attempted is set to TRUE once sshd may have been touched
 * (a job queued, a signal sent), failed or not: a caller that rolls
 * back then reloads again. */
gboolean sshd_reload (const char        *pidfile,
                      SshdReloadMethod  *out_method,
                      char             **out_target,
                      gboolean          *out_attempted,
                      GCancellable      *cancellable,
                      GError           **error);

G_END_DECLS
