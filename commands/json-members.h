/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json-members: string members of a JSON object being built, in the two
 * ways replies need them: left out when there is no value, or always
 * present with null standing for none.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Member @name set to @value; nothing at all when @value is NULL, for
 * members whose absence is the answer (an unknown OS version, a step
 * without detail). */
void json_members_add_string (JsonBuilder *builder,
                              const char  *name,
                              const char  *value);

/* Member @name set to @value, or to null when @value is NULL, for
 * members a client may count on finding in every object. */
void json_members_add_nullable_string (JsonBuilder *builder,
                                       const char  *name,
                                       const char  *value);

G_END_DECLS
