/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the network family's collectors (commands/network-*.c):
 * interfaces against this machine's own getifaddrs(), counters and routes
 * against fixture files, replies compared as the exact text sent.
 * Read-only: nothing here needs root or a namespace.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <glib/gstdio.h>

#include "json-encode.h"
#include "message.h"
#include "network-private.h"

static char *
write_fixture (const char *name,
               const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-network.XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
remove_fixture (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_no_errno (g_remove (path));
  g_assert_no_errno (g_rmdir (dir));
}

static JsonObject *
find_iface (JsonArray  *array,
            const char *name)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *iface = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (iface, "name"), name))
        return iface;
    }
  return NULL;
}

static gboolean
has_address (JsonObject *iface,
             const char *text,
             const char *type,
             gint64      prefix)
{
  JsonArray *addresses;

  if (!json_object_has_member (iface, "ip-addresses"))
    return FALSE;
  addresses = json_object_get_array_member (iface, "ip-addresses");
  for (guint i = 0; i < json_array_get_length (addresses); i++)
    {
      JsonObject *a = json_array_get_object_element (addresses, i);

      if (g_str_equal (json_object_get_string_member (a, "ip-address"), text)
          && g_str_equal (json_object_get_string_member (a, "ip-address-type"), type)
          && json_object_get_int_member (a, "prefix") == prefix)
        return TRUE;
    }
  return FALSE;
}

static guint
mask_bits (const struct sockaddr *mask)
{
  const guint8 *bytes;
  gsize len;
  guint bits = 0;

  if (mask == NULL)
    return 0;
  if (mask->sa_family == AF_INET)
    {
      bytes = (const guint8 *) &((const struct sockaddr_in *) mask)->sin_addr;
      len = 4;
    }
  else
    {
      bytes = (const guint8 *) &((const struct sockaddr_in6 *) mask)->sin6_addr;
      len = 16;
    }
  for (gsize i = 0; i < len; i++)
    bits += (guint) __builtin_popcount (bytes[i]);
  return bits;
}

/* Every name and address getifaddrs() gives is in the reply, once. */
static void
test_interfaces_match_getifaddrs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = network_interfaces_collect ("/proc/net/dev", &error);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  struct ifaddrs *list = NULL;
  JsonArray *array;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *iface = json_array_get_object_element (array, i);
      const char *name = json_object_get_string_member (iface, "name");

      g_assert_false (g_hash_table_contains (names, name));
      g_hash_table_add (names, (gpointer) name);
      if (json_object_has_member (iface, "hardware-address"))
        g_assert_true (g_regex_match_simple ("^([0-9a-f]{2}:){5}[0-9a-f]{2}$",
                                             json_object_get_string_member (iface, "hardware-address"),
                                             0, 0));
    }

  g_assert_no_errno (getifaddrs (&list));
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      JsonObject *iface = find_iface (array, ifa->ifa_name);
      char text[INET6_ADDRSTRLEN];
      int family = ifa->ifa_addr != NULL ? ifa->ifa_addr->sa_family : AF_UNSPEC;
      const void *addr;

      g_assert_nonnull (iface);
      if (family != AF_INET && family != AF_INET6)
        continue;
      addr = family == AF_INET
        ? (const void *) &((const struct sockaddr_in *) ifa->ifa_addr)->sin_addr
        : (const void *) &((const struct sockaddr_in6 *) ifa->ifa_addr)->sin6_addr;
      g_assert_nonnull (inet_ntop (family, addr, text, sizeof text));
      g_assert_true (has_address (iface, text, family == AF_INET ? "ipv4" : "ipv6",
                                  mask_bits (ifa->ifa_netmask)));
    }
  freeifaddrs (list);
}

/* Counters come from the file given, by exact name, in qemu-ga's member
 * order; an unreadable file leaves them out. */
static void
test_interfaces_statistics (void)
{
  g_autofree char *dev = write_fixture ("dev",
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo:18446744073709551 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
    "    lo: 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = network_interfaces_collect (dev, &error);
  g_autoptr(JsonNode) without = NULL;
  JsonObject *lo;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  lo = find_iface (json_node_get_array (root), "lo");
  if (lo == NULL || !json_object_has_member (lo, "ip-addresses"))
    {
      g_test_skip ("lo has no address here");
      remove_fixture (dev);
      return;
    }
  text = json_encode_to_string (json_object_get_member (lo, "statistics"));
  g_assert_cmpstr (text, ==,
                   "{\"tx-packets\": 10, \"tx-errs\": 11, \"rx-bytes\": 18446744073709551, "
                   "\"rx-dropped\": 4, \"rx-packets\": 2, \"rx-errs\": 3, "
                   "\"tx-bytes\": 9, \"tx-dropped\": 12}");
  remove_fixture (dev);

  without = network_interfaces_collect ("/nonexistent/dev", &error);
  g_assert_no_error (error);
  lo = find_iface (json_node_get_array (without), "lo");
  g_assert_false (json_object_has_member (lo, "statistics"));
  g_assert_true (json_object_has_member (lo, "ip-addresses"));
}

static const char ipv4_routes[] =
  "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
  "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
  "eth0\t000200C0\t00000000\t0001\t0\t5\t-1\t00FFFFFF\t1500\t7\t3\n"
  "broken\tZZ\n";

static const char ipv6_routes[] =
  "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
  "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
  "00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
  "00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo\n"
  "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
  "fd000000000000000000000000000001 ffffffff 00000002 00000000 00000003     eth0\n";

static void
test_routes_fixture (void)
{
  g_autofree char *v4 = write_fixture ("route", ipv4_routes);
  g_autofree char *v6 = write_fixture ("ipv6_route", ipv6_routes);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = network_routes_collect (v4, v6, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = json_encode_to_string (root);
  g_assert_cmpstr (text, ==,
    "[{\"flags\": 3, \"metric\": 100, \"refcnt\": 0, \"window\": 0, \"version\": 4, "
    "\"iface\": \"eth0\", \"destination\": \"0.0.0.0\", \"irtt\": 0, "
    "\"gateway\": \"192.0.2.1\", \"use\": 0, \"mtu\": 0, \"mask\": \"0.0.0.0\"}, "
    "{\"flags\": 1, \"metric\": -1, \"refcnt\": 0, \"window\": 7, \"version\": 4, "
    "\"iface\": \"eth0\", \"destination\": \"192.0.2.0\", \"irtt\": 3, "
    "\"gateway\": \"0.0.0.0\", \"use\": 5, \"mtu\": 1500, \"mask\": \"255.255.255.0\"}, "
    "{\"flags\": 1, \"source\": \"::\", \"metric\": 256, \"refcnt\": 1, \"version\": 6, "
    "\"nexthop\": \"::\", \"iface\": \"eth0\", \"destination\": \"fd00::\", "
    "\"desprefixlen\": \"64\", \"srcprefixlen\": \"0\", \"use\": 0}, "
    "{\"flags\": 2149580801, \"source\": \"::\", \"metric\": 0, \"refcnt\": 2, \"version\": 6, "
    "\"nexthop\": \"::\", \"iface\": \"lo\", \"destination\": \"::1\", "
    "\"desprefixlen\": \"128\", \"srcprefixlen\": \"0\", \"use\": 0}, "
    "{\"flags\": 3, \"source\": \"::\", \"metric\": -1, \"refcnt\": 2, \"version\": 6, "
    "\"nexthop\": \"fd00::1\", \"iface\": \"eth0\", \"destination\": \"::\", "
    "\"desprefixlen\": \"0\", \"srcprefixlen\": \"0\", \"use\": 0}]");
  remove_fixture (v4);
  remove_fixture (v6);
}

/* No ipv6_route (IPv6 disabled): the IPv4 routes; no route file: qemu-ga's
 * error. */
static void
test_routes_missing (void)
{
  g_autofree char *v4 = write_fixture ("route", ipv4_routes);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) only_v4 = network_routes_collect (v4, "/nonexistent/ipv6_route", &error);
  g_autoptr(JsonNode) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (only_v4)), ==, 2);

  none = network_routes_collect ("/nonexistent/route", "/nonexistent/ipv6_route", &error);
  g_assert_null (none);
  g_assert_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC);
  g_assert_cmpstr (error->message, ==,
                   "open(\"/nonexistent/route\"): No such file or directory");
  remove_fixture (v4);
}

/* The machine's own tables parse, every route with its version's members. */
static void
test_routes_machine (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = network_routes_collect ("/proc/net/route",
                                                     "/proc/net/ipv6_route", &error);
  JsonArray *array;

  g_assert_no_error (error);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *route = json_array_get_object_element (array, i);
      gint64 version = json_object_get_int_member (route, "version");

      g_assert_true (version == 4 || version == 6);
      g_assert_cmpuint (json_object_get_size (route), ==, version == 4 ? 12 : 11);
      g_assert_true (json_object_has_member (route, version == 4 ? "mask" : "nexthop"));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/network/interfaces/getifaddrs", test_interfaces_match_getifaddrs);
  g_test_add_func ("/network/interfaces/statistics", test_interfaces_statistics);
  g_test_add_func ("/network/routes/fixture", test_routes_fixture);
  g_test_add_func ("/network/routes/missing", test_routes_missing);
  g_test_add_func ("/network/routes/machine", test_routes_machine);
  return g_test_run ();
}
