/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a guest's sshd really serves, asked from the host with ssh-keyscan
 * through the loopback port QEMU forwards to the guest's port 22. Both VM
 * suites hold the keys the agent reports against it.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* The host keys sshd serves on 127.0.0.1:@port, as sorted "TYPE BASE64"
 * lines, asked one key type at a time. What ssh-keyscan says about a key it could not get goes to a
 * TAP comment. Fails when it finds no key at all. */
GPtrArray *ssh_keyscan_loopback (guint    port,
                                 GError **error);

/* Fails unless sshd on 127.0.0.1:@port serves exactly the "public-key"
 * members of @keys. A scan can still miss a key, for instance while sshd
 * restarts after a reload: up to @attempts scans are made, and what they
 * find adds up. */
gboolean ssh_keyscan_check_serves (guint       port,
                                   JsonArray  *keys,
                                   guint       attempts,
                                   GError    **error);
