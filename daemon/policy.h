/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy: the administrator's choice of commands (--allow-rpcs,
 * --block-rpcs), applied to the registry once at start-up.
 */
#pragma once

#include "registry.h"

G_BEGIN_DECLS

/* An empty @allow allows everything; @block is applied after @allow.
 * Unknown names are logged and ignored, as qemu-ga does. */
void policy_apply (CommandRegistry    *registry,
                   const char * const *allow,
                   const char * const *block);

G_END_DECLS
