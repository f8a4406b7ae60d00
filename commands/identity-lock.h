/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity-lock: one change of the guest's identity at a time. Host key
 * rotation (__org.guestlink_ssh-rotate-host-keys, and its recovery at
 * start-up) and __org.guestlink_set-identity hold it for their whole
 * run, in their worker threads: COMMAND_FLAG_EXCLUSIVE only orders the
 * requests of one connection, and the host may use several channels.
 *
 * Not recursive: the functions these commands call (ssh_host_keys_rotate,
 * ssh_host_keys_recover, ...) expect it held and never take it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Blocks until no other identity change runs. Worker threads only. */
void identity_lock (void);
void identity_unlock (void);

/* For g_autoptr(IdentityLock) lock = identity_lock_acquire (); */
typedef struct _IdentityLock IdentityLock;
IdentityLock *identity_lock_acquire (void);
void identity_lock_release (IdentityLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IdentityLock, identity_lock_release)

G_END_DECLS
