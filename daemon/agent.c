/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "agent.h"
#include "dispatcher.h"
#include "framer.h"

struct _Agent {
  Channel *channel;
  Framer *framer;
  Dispatcher *dispatcher;
  gboolean peer_input_ended;
  AgentFailedFunc failed_func;
  gpointer failed_data;
};

/* A client that finished sending is ended once it has every reply it is
 * owed, including those of commands still running. */
static void
end_peer_if_answered (Agent *self)
{
  if (self->peer_input_ended && dispatcher_get_n_pending (self->dispatcher) == 0)
    channel_end_peer_when_flushed (self->channel);
}

static void
on_message (const char *text,
            gsize       length,
            gpointer    user_data)
{
  Agent *self = user_data;

  dispatcher_handle_message (self->dispatcher, text, length);
}

static void
on_framing_error (const GError *error,
                  gpointer      user_data)
{
  Agent *self = user_data;

  dispatcher_handle_framing_error (self->dispatcher, error);
}

static void
on_reply (const guint8 *data,
          gsize         length,
          gpointer      user_data)
{
  Agent *self = user_data;

  channel_write (self->channel, data, length);
  end_peer_if_answered (self);
}

static void
on_peer_changed (gpointer user_data)
{
  Agent *self = user_data;

  self->peer_input_ended = FALSE;
  framer_reset (self->framer);
  dispatcher_reset (self->dispatcher);
}

static void
on_input_ended (gpointer user_data)
{
  Agent *self = user_data;

  self->peer_input_ended = TRUE;
  end_peer_if_answered (self);
}

static void
on_data_received (const guint8 *data,
                  gsize         length,
                  gpointer      user_data)
{
  Agent *self = user_data;

  framer_feed (self->framer, data, length);
}

static void
on_channel_failed (const GError *error,
                   gpointer      user_data)
{
  Agent *self = user_data;

  self->failed_func (error, self->failed_data);
}

static const ChannelCallbacks channel_callbacks = {
  .peer_connected = on_peer_changed,
  .data_received = on_data_received,
  .input_ended = on_input_ended,
  .peer_disconnected = on_peer_changed,
  .failed = on_channel_failed,
};

Agent *
agent_new (const ChannelConfig  *channel_config,
           gsize                 max_message_size,
           CommandRegistry      *registry,
           AgentFailedFunc       failed_func,
           gpointer              failed_data,
           GError              **error)
{
  g_autoptr(Agent) self = g_new0 (Agent, 1);

  g_return_val_if_fail (channel_config != NULL, NULL);
  g_return_val_if_fail (registry != NULL, NULL);
  g_return_val_if_fail (failed_func != NULL, NULL);

  self->failed_func = failed_func;
  self->failed_data = failed_data;

  self->framer = framer_new (max_message_size, on_message, on_framing_error, self);
  self->dispatcher = dispatcher_new (registry, on_reply, self);
  /* Last: the channel may report a peer at once. */
  self->channel = channel_open (channel_config, &channel_callbacks, self, error);
  if (self->channel == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

void
agent_free (Agent *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->channel, channel_free);
  g_clear_pointer (&self->dispatcher, dispatcher_free);
  g_clear_pointer (&self->framer, framer_free);
  g_free (self);
}

const char *
agent_get_channel_description (Agent *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return channel_get_description (self->channel);
}
