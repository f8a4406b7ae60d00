/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * typed-call: the shape every typed wrapper shares. A command is called,
 * and its return value is checked and converted to the wrapper's type;
 * the asynchronous form chains on guestlink_client_call_async().
 */
#pragma once

#include "guestlink-client-private.h"
#include "reply-shape.h"

G_BEGIN_DECLS

/* Returns the converted value, or NULL with @error set (PROTOCOL when the
 * reply does not have the documented shape). */
typedef gpointer (*TypedCallConvert) (JsonNode    *result,
                                      const char  *command,
                                      GError     **error);

gpointer typed_call (GuestlinkClient   *self,
                     const char        *command,
                     TypedCallConvert   convert,
                     GCancellable      *cancellable,
                     GError           **error);
/* @arguments may be NULL; it is encoded before the call returns. */
gpointer typed_call_with_arguments (GuestlinkClient   *self,
                                    const char        *command,
                                    JsonObject        *arguments,
                                    TypedCallConvert   convert,
                                    GCancellable      *cancellable,
                                    GError           **error);

void typed_call_async (GuestlinkClient     *self,
                       const char          *command,
                       TypedCallConvert     convert,
                       GDestroyNotify       value_free,
                       gpointer             source_tag,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data);
void typed_call_with_arguments_async (GuestlinkClient     *self,
                                      const char          *command,
                                      JsonObject          *arguments,
                                      TypedCallConvert     convert,
                                      GDestroyNotify       value_free,
                                      gpointer             source_tag,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);

gpointer typed_call_finish (GuestlinkClient  *self,
                            GAsyncResult     *result,
                            gpointer          source_tag,
                            GError          **error);

/* Sets the PROTOCOL error every converter reports for a reply without the
 * documented shape; @detail (nullable) says what is wrong. Returns NULL,
 * for converters to return. */
gpointer typed_call_unexpected_reply (const char  *command,
                                      const char  *detail,
                                      GError     **error);

/* TRUE if @result has @shape (reply_shape_check()); otherwise FALSE with
 * the PROTOCOL error of typed_call_unexpected_reply(), saying where. */
gboolean typed_call_check_shape (JsonNode          *result,
                                 const char        *command,
                                 const ReplyShape  *shape,
                                 GError           **error);

/* Converters shared by several wrappers. */
gpointer typed_call_expect_object (JsonNode    *result,
                                   const char  *command,
                                   GError     **error);
gpointer typed_call_expect_array (JsonNode    *result,
                                  const char  *command,
                                  GError     **error);

G_END_DECLS
