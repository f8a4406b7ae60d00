/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network family's collectors, apart from the handlers so that unit
 * tests can run them against the machine or against fixture files.
 * Both return the exact reply value qemu-ga would send.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* guest-network-get-interfaces: the array of GuestNetworkInterface.
 * @proc_net_dev is the counters file (/proc/net/dev); unreadable means
 * no "statistics" members, as with qemu-ga. */
JsonNode *network_interfaces_collect (const char  *proc_net_dev,
                                      GError     **error);

/* guest-network-get-route: the array of GuestNetworkRoute, read from
 * @route_path (/proc/net/route) then @ipv6_route_path
 * (/proc/net/ipv6_route). */
JsonNode *network_routes_collect (const char  *route_path,
                                  const char  *ipv6_route_path,
                                  GError     **error);

G_END_DECLS
