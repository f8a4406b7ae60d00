/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hostnamed: setting the host names through systemd-hostnamed
 * (org.freedesktop.hostname1), the system's own interface for them: it
 * writes /etc/hostname and /etc/machine-info, sets the kernel's name and
 * tells everyone who listens on the bus. Blocking: for worker threads
 * only (system-bus.h).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* SetStaticHostname (@static_name) when it is not NULL, then
 * SetPrettyHostname (@pretty_name) when it is not NULL ("" removes the
 * pretty name), neither interactive. When there is no system bus or no
 * hostnamed on it, fails with an error system_bus_error_is_absent()
 * accepts, before anything changed: the caller's cue to write the files
 * itself. */
gboolean hostnamed_set_host_names (const char    *static_name,
                                   const char    *pretty_name,
                                   GCancellable  *cancellable,
                                   GError       **error);

G_END_DECLS
