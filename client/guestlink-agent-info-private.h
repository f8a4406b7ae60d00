/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include <guestlink-1/guestlink.h>

G_BEGIN_DECLS

GuestlinkAgentInfo *agent_info_new_from_json (JsonNode  *result,
                                              GError   **error);

G_END_DECLS
