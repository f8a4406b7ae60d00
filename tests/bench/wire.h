/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client side of the qemu-ga wire protocol, as agent-bench needs it:
 * a non-blocking unix-socket connection that sends requests and cuts the
 * agent's output into reply lines, and the guest-sync-delimited handshake.
 */

#pragma once

#include <glib.h>

#define WIRE_ERROR (wire_error_quark ())

typedef enum {
  WIRE_ERROR_USAGE,
  WIRE_ERROR_TIMEOUT,
  WIRE_ERROR_CLOSED,
  WIRE_ERROR_PROTOCOL,
} WireError;

GQuark wire_error_quark (void);

/* Enough of a reply line to classify it and quote it; longer lines (a 32 MiB
 * echo) are counted, not stored. */
#define WIRE_LINE_PREFIX_MAX 512

typedef struct {
  int fd;
  guint8 *buf;
  gsize start;
  gsize end;
  /* The reply line being assembled: its first WIRE_LINE_PREFIX_MAX bytes
   * and its full length, both without the "\n". */
  GString *line;
  gsize line_len;
  gboolean line_done;
} WireConn;

typedef enum {
  WIRE_PUMP_DONE,
  WIRE_PUMP_TIMEOUT,
  WIRE_PUMP_CLOSED,
  WIRE_PUMP_FAILED,
} WirePumpResult;

/* Called for each complete reply line; conn->line holds it. */
typedef void (*WireLineFunc) (WireConn *conn, guint index, gpointer user_data);

WireConn *wire_conn_open (const char *path, GError **error);
void wire_conn_free (WireConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireConn, wire_conn_free)

WirePumpResult wire_pump (WireConn *conn, const char *out, gsize out_len,
                          guint want_lines, int idle_timeout_ms,
                          WireLineFunc on_line, gpointer user_data,
                          guint *lines_out, gsize *sent_out, GError **error);
gboolean wire_handshake (WireConn *conn, guint64 id, int timeout_ms,
                         GError **error);

gboolean wire_is_return (const char *line);
gboolean wire_parse_return_int (const char *line, guint64 *value);
