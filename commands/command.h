/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * command: what a command is, and the call a handler answers.
 *
 * A command family exports a table of CommandSpec rows. Each row names the
 * command, declares its parameters (the dispatcher checks them before the
 * handler runs, so a handler only ever sees valid arguments) and points at
 * a handler. The handler completes its CommandCall exactly once, with a
 * value or an error: right away, or later from a GTask callback for work
 * that must not block the main loop. Replies still leave in request order.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  PARAM_TYPE_INTEGER,       /* gint64 */
  PARAM_TYPE_NUMBER,        /* gint64 or double */
  PARAM_TYPE_BOOLEAN,
  PARAM_TYPE_STRING,
  PARAM_TYPE_OBJECT,
  PARAM_TYPE_STRING_ARRAY,  /* an array of strings */
  PARAM_TYPE_ANY,
} ParamType;

typedef struct {
  const char *name;
  ParamType type;
  gboolean optional;
} CommandParam;

typedef enum {
  COMMAND_FLAG_NONE = 0,
  /* Nothing is sent on success (guest-shutdown, guest-suspend-*). */
  COMMAND_FLAG_NO_SUCCESS_RESPONSE = 1 << 0,
  /* A 0xFF byte precedes the reply (guest-sync-delimited). */
  COMMAND_FLAG_DELIMITED_REPLY = 1 << 1,
  /* Writes nothing to disk, so it may run while filesystems are frozen. */
  COMMAND_FLAG_ALLOWED_WHILE_FROZEN = 1 << 2,
  /* Changes what may run (freeze, thaw): requests that come after it on
   * the same connection are only dispatched once it has answered, as
   * qemu-ga, which runs one request at a time, would see them. */
  COMMAND_FLAG_EXCLUSIVE = 1 << 3,
} CommandFlags;

typedef struct _CommandCall CommandCall;
typedef struct _CommandRegistry CommandRegistry;

typedef void (*CommandHandler) (CommandCall *call);

typedef struct {
  const char *name;
  CommandHandler handler;
  const CommandParam *params;   /* ends with a { NULL } row; NULL for none */
  CommandFlags flags;
} CommandSpec;

/* For handlers, on the main thread: a handler that hands work to another
 * thread copies the arguments it needs first. */
const CommandSpec *command_call_get_spec (CommandCall *call);
JsonObject *command_call_get_arguments (CommandCall *call);
gboolean command_call_has_argument (CommandCall *call,
                                    const char  *name);
const char *command_call_get_string (CommandCall *call,
                                     const char  *name);
gint64 command_call_get_integer (CommandCall *call,
                                 const char  *name);
gboolean command_call_get_boolean (CommandCall *call,
                                   const char  *name,
                                   gboolean     default_value);
CommandRegistry *command_call_get_registry (CommandCall *call);
/* The state the command's family was registered with, or NULL. */
gpointer command_call_get_family_data (CommandCall *call);
/* Cancelled when the agent shuts down. */
GCancellable *command_call_get_cancellable (CommandCall *call);

/* Completes the call; @value (transfer full) may be NULL for "{}". */
void command_call_return (CommandCall *call,
                          JsonNode    *value);
/* Completes the call with @error (transfer full). */
void command_call_return_error (CommandCall *call,
                                GError      *error);
/* Completes the call with @error when it is set (@value, if any, is then
 * dropped), else with @value (NULL for "{}"); both transfer full. */
void command_call_return_result (CommandCall *call,
                                 JsonNode    *value,
                                 GError      *error);

/* Work for a worker thread: the reply value (transfer full; NULL for
 * "{}"), or NULL with @error set. @cancellable is the call's. */
typedef JsonNode *(*CommandThreadFunc) (gpointer       data,
                                        GCancellable  *cancellable,
                                        GError       **error);

/* Runs @func (@data) in a worker thread, for work that may block, and
 * completes @call with its result on the main thread. @data holds
 * copies of the arguments @func needs: the accessors above are for the
 * main thread. @data_free (may be NULL) frees @data afterwards. */
void command_call_run_in_thread (CommandCall       *call,
                                 CommandThreadFunc  func,
                                 gpointer           data,
                                 GDestroyNotify     data_free);

/* Sets @error to a GenericError with the message @format gives and
 * returns NULL, for `return command_set_generic_error (error, ...)` in a
 * CommandThreadFunc. */
gpointer command_set_generic_error (GError     **error,
                                    const char  *format,
                                    ...) G_GNUC_PRINTF (2, 3);

CommandCall *command_call_ref (CommandCall *call);
void command_call_unref (CommandCall *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CommandCall, command_call_unref)

/* For the dispatcher. @value and @error are borrowed. */
typedef void (*CommandCallDoneFunc) (CommandCall  *call,
                                     JsonNode     *value,
                                     const GError *error,
                                     gpointer      user_data);

/* @arguments may be NULL: the request had none. */
CommandCall *command_call_new (const CommandSpec   *spec,
                               JsonObject          *arguments,
                               CommandRegistry     *registry,
                               GCancellable        *cancellable,
                               CommandCallDoneFunc  done_func,
                               gpointer             done_data,
                               GDestroyNotify       done_data_free);

G_END_DECLS
