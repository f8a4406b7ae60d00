/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback that keeps the result in the GAsyncResult * that
 * user_data points to; async_result_wait() iterates the default main
 * context until it is there. The tests that call the _async forms run
 * them with these and the _finish forms on what comes back. */
void          async_result_store (GObject       *source_object,
                                  GAsyncResult  *result,
                                  gpointer       user_data);
GAsyncResult *async_result_wait  (GAsyncResult **result);

G_END_DECLS
