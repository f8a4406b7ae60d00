/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * message: the qemu-ga request/reply model.
 *
 * A request is {"execute": NAME, "arguments": {...}, "id": ANY}; every
 * other shape gets qemu's error wording. A reply is one line: either
 * {"return": VALUE, "id": ID} or {"id": ID, "error": {"class", "desc"}},
 * members in exactly the order qemu-ga writes them.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The error classes a reply can carry. Errors of any other domain are
 * sent as GenericError with their message. */
#define PROTOCOL_ERROR (protocol_error_quark ())
GQuark protocol_error_quark (void);

typedef enum {
  PROTOCOL_ERROR_GENERIC,            /* "GenericError" */
  PROTOCOL_ERROR_COMMAND_NOT_FOUND,  /* "CommandNotFound" */
} ProtocolError;

const char *protocol_error_class_name (const GError *error);

typedef struct {
  char *command;
  JsonObject *arguments;   /* NULL when the request had none */
} Request;

void request_free (Request *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

/*
 * Parses one text from the framer. *out_id is the request's "id", NULL
 * when it had none; on failure it is still set when the text was an
 * object with an "id", so the error reply can echo it.
 */
gboolean message_parse_request (const char  *text,
                                gsize        length,
                                Request    **out_request,
                                JsonNode   **out_id,
                                GError     **error);

/* Both return the reply line including its final "\n". @value NULL means
 * an empty object, as for commands that return nothing. */
GBytes *message_encode_return (JsonNode *value,
                               JsonNode *id);
GBytes *message_encode_error (const GError *error,
                              JsonNode     *id);

G_END_DECLS
