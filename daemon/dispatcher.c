/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "arguments.h"
#include "dispatcher.h"
#include "message.h"

/* One place in the reply queue. Shared between the queue and the call
 * that fills it; a reset detaches it from the queue (owner = NULL). */
typedef struct {
  Dispatcher *owner;
  gboolean done;
  GBytes *reply;       /* NULL when nothing is to be sent */
  JsonNode *id;
  gboolean delimited;
} ReplySlot;

struct _Dispatcher {
  CommandRegistry *registry;
  DispatcherWriteFunc write_func;
  gpointer user_data;
  GQueue slots;        /* ReplySlot *, oldest first */
  GCancellable *cancellable;
};

static void
reply_slot_clear (gpointer data)
{
  ReplySlot *slot = data;

  g_clear_pointer (&slot->reply, g_bytes_unref);
  g_clear_pointer (&slot->id, json_node_unref);
}

static void
reply_slot_unref (gpointer slot)
{
  g_rc_box_release_full (slot, reply_slot_clear);
}

static void
flush_replies (Dispatcher *self)
{
  ReplySlot *slot;

  while ((slot = g_queue_peek_head (&self->slots)) != NULL && slot->done)
    {
      g_queue_pop_head (&self->slots);
      if (slot->reply != NULL)
        {
          gsize length;
          const guint8 *data = g_bytes_get_data (slot->reply, &length);
          self->write_func (data, length, self->user_data);
        }
      slot->owner = NULL;
      reply_slot_unref (slot);
    }
}

static void
complete_slot (ReplySlot *slot,
               GBytes    *reply)
{
  slot->reply = reply;
  slot->done = TRUE;
  if (slot->owner != NULL)
    flush_replies (slot->owner);
}

static ReplySlot *
queue_slot (Dispatcher *self,
            JsonNode   *id)
{
  ReplySlot *slot = g_rc_box_new0 (ReplySlot);

  slot->owner = self;
  slot->id = id != NULL ? json_node_ref (id) : NULL;
  g_queue_push_tail (&self->slots, slot);
  return slot;
}

static void
answer_error (Dispatcher   *self,
              JsonNode     *id,
              const GError *error)
{
  ReplySlot *slot = queue_slot (self, id);

  g_debug ("Error reply: %s", error->message);
  complete_slot (slot, message_encode_error (error, id));
}

static GBytes *
encode_delimited (GBytes *reply)
{
  g_autoptr(GBytes) owned_reply = reply;
  gsize length;
  const guint8 *data = g_bytes_get_data (owned_reply, &length);
  guint8 *delimited = g_malloc (length + 1);

  /* qemu-ga's delimiter: the host discards everything before it. */
  delimited[0] = 0xFF;
  memcpy (delimited + 1, data, length);
  return g_bytes_new_take (delimited, length + 1);
}

static void
on_call_done (CommandCall  *call,
              JsonNode     *value,
              const GError *error,
              gpointer      user_data)
{
  ReplySlot *slot = user_data;
  const CommandSpec *spec = command_call_get_spec (call);
  GBytes *reply = NULL;

  if (error != NULL)
    {
      g_debug ("%s failed: %s", spec->name, error->message);
      reply = message_encode_error (error, slot->id);
    }
  else if (!(spec->flags & COMMAND_FLAG_NO_SUCCESS_RESPONSE))
    {
      reply = message_encode_return (value, slot->id);
      if (slot->delimited)
        reply = encode_delimited (reply);
    }

  complete_slot (slot, reply);
}

Dispatcher *
dispatcher_new (CommandRegistry     *registry,
                DispatcherWriteFunc  write_func,
                gpointer             user_data)
{
  Dispatcher *self;

  g_return_val_if_fail (registry != NULL, NULL);
  g_return_val_if_fail (write_func != NULL, NULL);

  self = g_new0 (Dispatcher, 1);
  self->registry = registry;
  self->write_func = write_func;
  self->user_data = user_data;
  g_queue_init (&self->slots);
  self->cancellable = g_cancellable_new ();
  return self;
}

void
dispatcher_reset (Dispatcher *self)
{
  ReplySlot *slot;

  g_return_if_fail (self != NULL);

  while ((slot = g_queue_pop_head (&self->slots)) != NULL)
    {
      slot->owner = NULL;
      reply_slot_unref (slot);
    }
}

void
dispatcher_free (Dispatcher *self)
{
  if (self == NULL)
    return;

  dispatcher_reset (self);
  g_cancellable_cancel (self->cancellable);
  g_object_unref (self->cancellable);
  g_free (self);
}

guint
dispatcher_get_n_pending (Dispatcher *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_queue_get_length (&self->slots);
}

void
dispatcher_handle_framing_error (Dispatcher   *self,
                                 const GError *error)
{
  g_autoptr(GError) protocol_error = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (error != NULL);

  protocol_error = g_error_new_literal (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC, error->message);
  answer_error (self, NULL, protocol_error);
}

void
dispatcher_handle_message (Dispatcher *self,
                           const char *text,
                           gsize       length)
{
  g_autoptr(Request) request = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CommandCall) call = NULL;
  const CommandSpec *spec;
  ReplySlot *slot;

  g_return_if_fail (self != NULL);
  g_return_if_fail (text != NULL);

  if (!message_parse_request (text, length, &request, &id, &error))
    {
      answer_error (self, id, error);
      return;
    }

  spec = command_registry_lookup (self->registry, request->command);
  if (spec == NULL)
    {
      g_set_error (&error, PROTOCOL_ERROR, PROTOCOL_ERROR_COMMAND_NOT_FOUND,
                   "The command %s has not been found", request->command);
      answer_error (self, id, error);
      return;
    }

  if (!command_registry_check_enabled (self->registry, spec, &error) ||
      !arguments_check (spec, request->arguments, &error))
    {
      answer_error (self, id, error);
      return;
    }

  slot = queue_slot (self, id);
  slot->delimited = (spec->flags & COMMAND_FLAG_DELIMITED_REPLY) != 0;
  call = command_call_new (spec, request->arguments, self->registry, self->cancellable,
                           on_call_done, g_rc_box_acquire (slot), reply_slot_unref);
  spec->handler (call);
}
