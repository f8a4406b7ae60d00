/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonObject *reply_parse          (const char  *line,
                                  const char  *address,
                                  GError     **error);
gboolean    reply_has_id         (JsonObject  *reply,
                                  gint64       id);
gboolean    reply_returns_int    (JsonObject  *reply,
                                  gint64       value);
JsonNode   *reply_get_result     (JsonObject  *reply,
                                  const char  *address,
                                  GError     **error);

G_END_DECLS
