/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * errno-error: a GError for a failed system call, in G_IO_ERROR so that
 * callers can match the cause (G_IO_ERROR_NOT_FOUND, _PERMISSION_DENIED)
 * rather than parse the message.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Sets @error to the G_IO_ERROR code for @saved_errno, with the message
 * "<formatted>: <strerror>". @saved_errno is taken as an argument because
 * errno may change before the message is built. Returns FALSE, for
 * `return errno_error_set (error, errno, "Cannot open %s", path);`. */
gboolean errno_error_set (GError     **error,
                          int          saved_errno,
                          const char  *format,
                          ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
