/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A request encoded ahead of time, everything but its id: the caller's
 * JsonObject is turned into text in the caller's thread, so a call that
 * runs in a worker thread never touches an object the caller may change. */
typedef struct _Request Request;

Request *request_new    (const char    *command,
                         JsonObject    *arguments);
void     request_free   (Request       *request);
char    *request_encode (const Request *request,
                         gint64         id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

G_END_DECLS
