/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * agent: the data path, wired once.
 *
 *   channel -> framer -> dispatcher -> command handler
 *                          |
 *   channel <--------------+  (replies, in request order)
 *
 * A new or departed peer resets the framer (partial input belongs to the
 * old peer) and drops the replies still owed to the old peer.
 */
#pragma once

#include "channel.h"
#include "registry.h"

G_BEGIN_DECLS

typedef struct _Agent Agent;

/* The agent cannot serve any more; its process should exit non-zero. */
typedef void (*AgentFailedFunc) (const GError *error,
                                 gpointer      user_data);

Agent *agent_new (const ChannelConfig  *channel_config,
                  gsize                 max_message_size,
                  CommandRegistry      *registry,
                  AgentFailedFunc       failed_func,
                  gpointer              failed_data,
                  GError              **error);
void agent_free (Agent *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Agent, agent_free)

const char *agent_get_channel_description (Agent *self);

G_END_DECLS
