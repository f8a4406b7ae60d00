/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json-encode: JsonNode to text, byte for byte as qemu-ga writes it.
 *
 * json-glib's generator cannot do this: qemu-ga separates members with
 * ", " and ": ", writes every non-ASCII character as a \uXXXX escape (upper
 * case hex, surrogate pairs beyond the BMP) and doubles with "%.17g".
 * Clients compare replies textually (libvirt's tests do), so we match.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Appends @node to @out. Objects keep their insertion order. Depth is
 * bounded by the framer (1024), so the recursion here is bounded too. */
void json_encode_append (GString  *out,
                         JsonNode *node);

/* Appends @text (UTF-8; invalid bytes become U+FFFD) as a JSON string. */
void json_encode_append_string (GString    *out,
                                const char *text);

char *json_encode_to_string (JsonNode *node);

G_END_DECLS
