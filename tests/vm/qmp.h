/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qmp: just enough of QEMU's monitor protocol for the VM tests to plug
 * and unplug devices and to ask QEMU how it set the machine up.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct _Qmp Qmp;

/* Connects to QEMU's -qmp unix socket and leaves capabilities mode. */
Qmp *qmp_connect (const char  *socket_path,
                  GError     **error);
void qmp_free (Qmp *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Qmp, qmp_free)

/* Runs @command (a JSON object as text); FALSE with the monitor's error. */
gboolean qmp_execute (Qmp         *self,
                      const char  *command,
                      GError     **error);

/* The same, for a command that answers: its "return" value, or NULL
 * with the monitor's error. */
JsonNode *qmp_query (Qmp         *self,
                     const char  *command,
                     GError     **error);

/* Waits up to @timeout_seconds for the event named @event. */
gboolean qmp_wait_event (Qmp         *self,
                         const char  *event,
                         int          timeout_seconds,
                         GError     **error);
