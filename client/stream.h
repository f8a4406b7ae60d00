/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The byte stream to one agent: a connected socket plus a read buffer.
 * Every blocking step waits with poll() until @deadline (a monotonic time in
 * microseconds, or -1 for none) and wakes up when @cancellable fires. */
typedef struct _Stream Stream;

Stream     *stream_connect_unix        (const char    *path,
                                        gint64         deadline,
                                        GCancellable  *cancellable,
                                        GError       **error);
Stream     *stream_connect_vsock       (guint32        cid,
                                        guint32        port,
                                        const char    *address,
                                        gint64         deadline,
                                        GCancellable  *cancellable,
                                        GError       **error);
void        stream_free                (Stream        *stream);
const char *stream_get_address         (Stream        *stream);

gboolean    stream_write_all           (Stream        *stream,
                                        const char    *data,
                                        gsize          length,
                                        gint64         deadline,
                                        GCancellable  *cancellable,
                                        GError       **error);
gboolean    stream_skip_past_delimiter (Stream        *stream,
                                        gint64         deadline,
                                        GCancellable  *cancellable,
                                        GError       **error);
char       *stream_read_line           (Stream        *stream,
                                        gint64         deadline,
                                        GCancellable  *cancellable,
                                        GError       **error);

gint64      stream_deadline_from_timeout (int          timeout_msec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stream, stream_free)

G_END_DECLS
