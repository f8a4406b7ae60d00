/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A scripted agent on a unix socket, served by a thread of the test
 * process, for what a well-behaved agent never does: stay silent, send
 * garbage, send replies byte by byte, drop the connection. */
typedef struct _FakeAgent FakeAgent;
typedef struct _FakeConn FakeConn;

/* Runs in the fake's thread for each request; 0xFF resyncs are handled
 * before it is called, the way a real agent does. */
typedef void (*FakeHandler) (FakeConn   *conn,
                             JsonObject *request,
                             gpointer    user_data);

FakeAgent  *fake_agent_new              (FakeHandler  handler,
                                         gpointer     user_data);
void        fake_agent_free             (FakeAgent   *fake);
const char *fake_agent_get_socket_path  (FakeAgent   *fake);
guint       fake_agent_count            (FakeAgent   *fake,
                                         const char  *command);
guint       fake_agent_get_n_connections (FakeAgent  *fake);
void        fake_agent_set_byte_by_byte (FakeAgent   *fake,
                                         gboolean     byte_by_byte);

void        fake_conn_send              (FakeConn    *conn,
                                         const char  *data,
                                         gssize       length);
void        fake_conn_sendf             (FakeConn    *conn,
                                         const char  *format,
                                         ...) G_GNUC_PRINTF (2, 3);
void        fake_conn_send_reply        (FakeConn    *conn,
                                         const char  *reply,
                                         JsonObject  *request);
void        fake_conn_close             (FakeConn    *conn);

/* The arguments of the last @command request, as JSON text, or NULL if
 * it had none (or there was none). */
char       *fake_agent_dup_last_arguments (FakeAgent *fake,
                                           const char *command);

const char *fake_request_get_command    (JsonObject  *request);
char       *fake_request_id_member      (JsonObject  *request);
void        fake_answer                 (FakeConn    *conn,
                                         JsonObject  *request);

/* A scripted reply: "@ID@" in @reply stands for the id member. */
typedef struct
{
  const char *command;
  const char *reply;
} FakeReply;

/* A FakeHandler whose user data is an array of FakeReply ending with a
 * NULL command: the commands in it get their replies, others what
 * fake_answer() sends. */
void        fake_answer_scripted        (FakeConn    *conn,
                                         JsonObject  *request,
                                         gpointer     user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeAgent, fake_agent_free)

G_END_DECLS
