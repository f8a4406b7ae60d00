/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatcher: from a framed JSON text to a reply on the wire.
 *
 * Each text becomes a request (message.c), is looked up in the registry,
 * checked against policy, the frozen state and the declared parameters,
 * and handed to its handler. Every request takes a place in the reply
 * queue when it arrives, and replies leave strictly in that order even
 * when a later handler finishes first. A request behind an exclusive
 * command (a freeze) waits for it to finish before it is even checked.
 */
#pragma once

#include "registry.h"

G_BEGIN_DECLS

typedef void (*DispatcherWriteFunc) (const guint8 *data,
                                     gsize         length,
                                     gpointer      user_data);

typedef struct _Dispatcher Dispatcher;

Dispatcher *dispatcher_new (CommandRegistry     *registry,
                            DispatcherWriteFunc  write_func,
                            gpointer             user_data);
/* Cancels the calls still running; their results are dropped. */
void dispatcher_free (Dispatcher *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Dispatcher, dispatcher_free)

void dispatcher_handle_message (Dispatcher *self,
                                const char *text,
                                gsize       length);
/* A framing error (bad JSON, a limit, a 0xFF byte) gets its reply in
 * order like any request. */
void dispatcher_handle_framing_error (Dispatcher   *self,
                                      const GError *error);

/* The peer changed: replies still owed to the old one are dropped. Calls
 * keep running (a freeze must finish or be undone either way). */
void dispatcher_reset (Dispatcher *self);

guint dispatcher_get_n_pending (Dispatcher *self);

G_END_DECLS
