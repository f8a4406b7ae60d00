/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * arguments: checks a request's arguments against the command's declared
 * parameters, with qemu-ga's wording, in qemu-ga's order: each declared
 * parameter (missing, then mistyped), then members nobody declared.
 */
#pragma once

#include "command.h"

G_BEGIN_DECLS

/* @arguments may be NULL: the request had none. */
gboolean arguments_check (const CommandSpec  *spec,
                          JsonObject         *arguments,
                          GError            **error);

G_END_DECLS
