/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * framer: bytes in, complete JSON texts out.
 *
 * The host may split a request at any byte or send many in one write. The
 * framer finds where each JSON text ends by lexing it strictly (RFC 8259)
 * with an explicit stack instead of recursion, so that:
 *  - the nesting depth and size limits hold before any parser sees the text
 *    (json-glib's parser recurses, one C frame per level);
 *  - whatever is not strict JSON (comments, leading zeros, bad escapes,
 *    lone surrogates, invalid UTF-8, \u0000, trailing garbage) is rejected
 *    here with a precise error, so the parser (json-parse.c) can trust it.
 * It also rewrites qemu's single-quoted strings as double-quoted ones.
 *
 * A 0xFF byte, which can never appear in UTF-8 text, discards any partial
 * message and resynchronises the stream; qemu-ga clients send it before
 * guest-sync-delimited. After any error the rest of the broken message is
 * skipped, so one error yields exactly one error report.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Limits qemu's JSON streamer also enforces (json-streamer.c). */
#define FRAMER_MAX_DEPTH 1024
#define FRAMER_MAX_VALUES (1u << 20)

#define FRAMER_ERROR (framer_error_quark ())
GQuark framer_error_quark (void);

typedef enum {
  FRAMER_ERROR_SYNTAX,        /* not valid JSON */
  FRAMER_ERROR_DEPTH,         /* nested deeper than FRAMER_MAX_DEPTH */
  FRAMER_ERROR_SIZE,          /* longer than the configured maximum */
  FRAMER_ERROR_VALUES,        /* more than FRAMER_MAX_VALUES values */
  FRAMER_ERROR_RESYNC,        /* a 0xFF byte */
} FramerError;

/* @text is strict JSON, NUL-terminated, valid UTF-8. */
typedef void (*FramerMessageFunc) (const char *text,
                                   gsize       length,
                                   gpointer    user_data);
typedef void (*FramerErrorFunc) (const GError *error,
                                 gpointer      user_data);

typedef struct _Framer Framer;

Framer *framer_new (gsize             max_message_size,
                    FramerMessageFunc message_func,
                    FramerErrorFunc   error_func,
                    gpointer          user_data);
void framer_free (Framer *self);

/* Callbacks run from inside framer_feed() and must not free the framer. */
void framer_feed (Framer       *self,
                  const guint8 *data,
                  gsize         length);

/* Forgets any partial message, e.g. when a new peer connects. */
void framer_reset (Framer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Framer, framer_free)

G_END_DECLS
