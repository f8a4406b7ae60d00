/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (GUESTLINK_INSIDE) && !defined (GUESTLINK_COMPILATION)
#error "Only <guestlink-1/guestlink.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

#define GUESTLINK_TYPE_AGENT_COMMAND (guestlink_agent_command_get_type ())
G_DECLARE_FINAL_TYPE (GuestlinkAgentCommand, guestlink_agent_command,
                      GUESTLINK, AGENT_COMMAND, GObject)

const char *guestlink_agent_command_get_name             (GuestlinkAgentCommand *self);
gboolean    guestlink_agent_command_get_enabled          (GuestlinkAgentCommand *self);
gboolean    guestlink_agent_command_get_success_response (GuestlinkAgentCommand *self);

#define GUESTLINK_TYPE_AGENT_INFO (guestlink_agent_info_get_type ())
G_DECLARE_FINAL_TYPE (GuestlinkAgentInfo, guestlink_agent_info,
                      GUESTLINK, AGENT_INFO, GObject)

const char            *guestlink_agent_info_get_version    (GuestlinkAgentInfo *self);
GPtrArray             *guestlink_agent_info_get_commands   (GuestlinkAgentInfo *self);
GuestlinkAgentCommand *guestlink_agent_info_lookup_command (GuestlinkAgentInfo *self,
                                                            const char         *name);

G_END_DECLS
