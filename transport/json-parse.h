/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json-parse: a text the framer accepted, as a JsonNode tree.
 *
 * json-glib's own parser is not used on input from the host: it recurses
 * once per nesting level, wraps integers outside gint64 silently (2^64-1
 * becomes -1), keeps the last of duplicate keys, and builds a scanner with
 * its own hash tables for every text, which cost more than the rest of a
 * guest-ping. The framer has already checked the syntax, depth and size;
 * this turns the text into nodes in one iterative pass, with qemu's
 * number rules: integers that fit gint64 stay integers, all others become
 * doubles.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Errors are in PROTOCOL_ERROR (message.h): duplicate keys, numbers too
 * large for a double, or (never from the framer) malformed text. */
JsonNode *json_parse_validated (const char  *text,
                                gsize        length,
                                GError     **error);

G_END_DECLS
