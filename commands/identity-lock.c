/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "identity-lock.h"

/* Statically initialised: a zeroed GMutex needs no g_mutex_init(). */
static GMutex identity_mutex;

void
identity_lock (void)
{
  g_mutex_lock (&identity_mutex);
}

void
identity_unlock (void)
{
  g_mutex_unlock (&identity_mutex);
}

IdentityLock *
identity_lock_acquire (void)
{
  identity_lock ();
  /* Any non-NULL pointer: there is one lock, and it holds no state. */
  return (IdentityLock *) &identity_mutex;
}

void
identity_lock_release (IdentityLock *lock)
{
  if (lock != NULL)
    identity_unlock ();
}
