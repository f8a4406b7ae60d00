/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network family: what management stacks show as the guest's IP
 * addresses and routes. Both commands only read kernel tables, in
 * milliseconds even with thousands of interfaces, so they answer right
 * away on the main thread. Like every command outside the protocol
 * family, they are disabled while filesystems are frozen, as in qemu-ga.
 */
#include "config.h"

#include "commands.h"
#include "network-private.h"

static void
handle_get_interfaces (CommandCall *call)
{
  GError *error = NULL;
  JsonNode *value = network_interfaces_collect ("/proc/net/dev", &error);

  command_call_return_result (call, value, error);
}

static void
handle_get_route (CommandCall *call)
{
  GError *error = NULL;
  JsonNode *value = network_routes_collect ("/proc/net/route",
                                            "/proc/net/ipv6_route", &error);

  command_call_return_result (call, value, error);
}

const CommandSpec network_commands[] = {
  { "guest-network-get-interfaces", handle_get_interfaces, NULL, COMMAND_FLAG_NONE },
  { "guest-network-get-route", handle_get_route, NULL, COMMAND_FLAG_NONE },
  { NULL }
};
