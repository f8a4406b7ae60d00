/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ssh-host-key-shapes: the shapes of the SSH host key replies, shared by
 * the host key wrappers and set-identity, whose reply carries a rotation
 * and the guest's keys again.
 */
#pragma once

#include "reply-shape.h"

G_BEGIN_DECLS

/* [{"type", "path", "public-key", "fingerprint"} or {"path", "error"}]:
 * __org.guestlink_ssh-get-host-keys's "keys", get-identity's
 * "ssh-host-keys". */
extern const ReplyShape ssh_host_key_list_shape;

/* {"keys": [{"type", "path", "public-key", "fingerprint",
 * "old-fingerprint"?}], "sshd-reloaded", "sshd-reload-method"}:
 * __org.guestlink_ssh-rotate-host-keys's reply. */
extern const ReplyShape ssh_host_key_rotation_shape;

G_END_DECLS
