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

/* A request that came while an exclusive command ran, or the framing
 * error in its place. */
typedef struct {
  char *text;
  gsize length;
  GError *framing_error;
  guint n_busy;        /* or this many requests refused as too many */
} WaitingInput;

/* Requests held back behind an exclusive command, at most; past that the
 * agent refuses them rather than hoard a flooding host's input. */
#define WAITING_MAX_INPUTS 1024
#define WAITING_MAX_BYTES (32 * 1024 * 1024)

struct _Dispatcher {
  CommandRegistry *registry;
  DispatcherWriteFunc write_func;
  gpointer user_data;
  GQueue slots;        /* ReplySlot *, oldest first */
  GCancellable *cancellable;
  ReplySlot *exclusive_slot;  /* the exclusive command running, if any */
  gboolean draining;   /* an exclusive command waits for earlier replies */
  GQueue waiting;      /* WaitingInput *, oldest first */
  gsize waiting_bytes;
};

static void
waiting_input_free (gpointer data)
{
  WaitingInput *input = data;

  g_free (input->text);
  g_clear_error (&input->framing_error);
  g_free (input);
}

/* Counted in waiting_bytes until run_waiting takes it. */
static WaitingInput *
waiting_input_new_text (Dispatcher *self,
                        const char *text,
                        gsize       length)
{
  WaitingInput *input = g_new0 (WaitingInput, 1);

  input->text = g_memdup2 (text, length);
  input->length = length;
  self->waiting_bytes += length;
  return input;
}

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

static void run_waiting (Dispatcher *self);

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

  if (self->draining && g_queue_is_empty (&self->slots))
    {
      self->draining = FALSE;
      run_waiting (self);
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
  /* Flushing the reply detaches the slot; keep its dispatcher. */
  Dispatcher *owner = slot->owner;
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

  if (owner != NULL && owner->exclusive_slot == slot)
    {
      owner->exclusive_slot = NULL;
      run_waiting (owner);
    }
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
  g_queue_init (&self->waiting);
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

  /* A new peer does not wait for the old one's freeze: a host that gave
   * up on it and reconnects must be able to ask the status. */
  self->exclusive_slot = NULL;
  self->draining = FALSE;
  g_queue_clear_full (&self->waiting, waiting_input_free);
  self->waiting_bytes = 0;
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

  return g_queue_get_length (&self->slots) + g_queue_get_length (&self->waiting);
}

static void
handle_message (Dispatcher *self,
                const char *text,
                gsize       length)
{
  g_autoptr(Request) request = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CommandCall) call = NULL;
  const CommandSpec *spec;
  ReplySlot *slot;

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

  /* An exclusive command starts only once everything before it has
   * answered: a freeze must not begin while an earlier fstrim runs, nor
   * its timeout tick while its reply waits behind one. It goes back to
   * the head of the queue and all after it waits too. */
  if ((spec->flags & COMMAND_FLAG_EXCLUSIVE) && !g_queue_is_empty (&self->slots))
    {
      g_queue_push_head (&self->waiting, waiting_input_new_text (self, text, length));
      self->draining = TRUE;
      return;
    }

  slot = queue_slot (self, id);
  slot->delimited = (spec->flags & COMMAND_FLAG_DELIMITED_REPLY) != 0;
  call = command_call_new (spec, request->arguments, self->registry, self->cancellable,
                           on_call_done, g_rc_box_acquire (slot), reply_slot_unref);
  /* Before the handler: one that finishes at once clears it again. */
  if (spec->flags & COMMAND_FLAG_EXCLUSIVE)
    self->exclusive_slot = slot;
  spec->handler (call);
}

/* What came while an exclusive command ran, in arrival order, up to the
 * next exclusive command that does not finish at once. */
static void
run_waiting (Dispatcher *self)
{
  WaitingInput *input;

  while (self->exclusive_slot == NULL && !self->draining &&
         (input = g_queue_pop_head (&self->waiting)) != NULL)
    {
      self->waiting_bytes -= input->length;
      if (input->n_busy > 0)
        {
          /* One reply for the whole flood: a reply each would only move
           * the flood into the output queue. */
          g_autoptr(GError) busy = g_error_new (PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                                                "%u requests refused: too many came while a "
                                                "freeze or thaw was under way", input->n_busy);
          answer_error (self, NULL, busy);
        }
      else if (input->framing_error != NULL)
        answer_error (self, NULL, input->framing_error);
      else
        handle_message (self, input->text, input->length);
      waiting_input_free (input);
    }
}

static gboolean
wait_behind_exclusive (Dispatcher   *self,
                       const char   *text,
                       gsize         length,
                       const GError *framing_error)
{
  WaitingInput *input;

  if (self->exclusive_slot == NULL && !self->draining && g_queue_is_empty (&self->waiting))
    return FALSE;

  if (g_queue_get_length (&self->waiting) >= WAITING_MAX_INPUTS ||
      self->waiting_bytes + length > WAITING_MAX_BYTES)
    {
      /* A flood costs one counter, not memory per request, and gets
       * one error in its place in the order. */
      input = g_queue_peek_tail (&self->waiting);
      if (input == NULL || input->n_busy == 0 || input->n_busy == G_MAXUINT)
        {
          input = g_new0 (WaitingInput, 1);
          g_queue_push_tail (&self->waiting, input);
        }
      input->n_busy++;
      return TRUE;
    }

  if (framing_error != NULL)
    {
      input = g_new0 (WaitingInput, 1);
      input->framing_error = g_error_copy (framing_error);
    }
  else
    input = waiting_input_new_text (self, text, length);
  g_queue_push_tail (&self->waiting, input);
  return TRUE;
}

void
dispatcher_handle_framing_error (Dispatcher   *self,
                                 const GError *error)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (error != NULL);

  /* The framer's errors go out as GenericError (message_encode_error). */
  if (!wait_behind_exclusive (self, NULL, 0, error))
    answer_error (self, NULL, error);
}

void
dispatcher_handle_message (Dispatcher *self,
                           const char *text,
                           gsize       length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (text != NULL);

  /* A request behind a freeze must see it done, as with qemu-ga, which
   * runs one at a time: else a command pipelined after a freeze would
   * slip past the frozen state's allow-list. */
  if (!wait_behind_exclusive (self, text, length, NULL))
    handle_message (self, text, length);
}
