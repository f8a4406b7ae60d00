/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "stream.h"

G_BEGIN_DECLS

gboolean handshake_run (Stream        *stream,
                        gint64         deadline,
                        GCancellable  *cancellable,
                        GError       **error);

G_END_DECLS
