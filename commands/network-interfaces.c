/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-network-get-interfaces, reply for reply as qemu-ga builds it, but
 * in linear time: qemu-ga searches its interface list for every address
 * and re-reads /proc/net/dev for every interface, which is quadratic and
 * takes seconds with a thousand interfaces. Here getifaddrs() (one netlink
 * dump), /proc/net/dev and the link-layer addresses are each read once.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "message.h"
#include "network-private.h"

#define MAC_LEN 6
#define DEV_COUNTERS 16

typedef struct {
  gint64 rx_bytes, rx_packets, rx_errs, rx_dropped;
  gint64 tx_bytes, tx_packets, tx_errs, tx_dropped;
} DevStats;

typedef struct {
  const char *name;           /* borrowed from the ifaddrs list */
  char *hardware_address;     /* NULL: none could be read */
  GPtrArray *addresses;       /* of IfaceAddress, in getifaddrs order */
  const DevStats *stats;      /* NULL: not looked up or not found */
} Iface;

typedef struct {
  char text[INET6_ADDRSTRLEN];
  gboolean is_ipv6;
  guint prefix;
} IfaceAddress;

static void
iface_free (Iface *iface)
{
  g_free (iface->hardware_address);
  g_ptr_array_unref (iface->addresses);
  g_free (iface);
}

/* One /proc/net/dev line: "  NAME: 16 counters". The first line for a
 * name wins, as in qemu-ga's search. */
static void
dev_stats_parse_line (GHashTable *table,
                      char       *line)
{
  char *name = g_strchug (line);
  char *colon = strchr (name, ':');
  char *cursor;
  gint64 values[DEV_COUNTERS];
  DevStats *stats;

  if (colon == NULL)
    return;
  *colon = '\0';
  cursor = colon + 1;
  for (guint i = 0; i < DEV_COUNTERS; i++)
    {
      char *end;

      errno = 0;
      values[i] = g_ascii_strtoll (cursor, &end, 10);
      if (end == cursor || errno != 0)
        return;
      cursor = end;
    }
  if (g_hash_table_contains (table, name))
    return;

  /* Receive: bytes packets errs drop fifo frame compressed multicast,
   * then transmit: bytes packets errs drop ... */
  stats = g_new (DevStats, 1);
  *stats = (DevStats) {
    values[0], values[1], values[2], values[3],
    values[8], values[9], values[10], values[11],
  };
  g_hash_table_insert (table, g_strdup (name), stats);
}

/* name -> DevStats, empty if @path cannot be read (qemu-ga then just
 * leaves "statistics" out). */
static GHashTable *
dev_stats_load (const char *path)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                       g_free, g_free);
  g_autofree char *contents = NULL;
  char *line;
  char *next;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_steal_pointer (&table);

  for (line = contents; line != NULL && *line != '\0'; line = next)
    {
      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      dev_stats_parse_line (table, line);
    }
  return g_steal_pointer (&table);
}

static char *
format_mac (const unsigned char *bytes,
            gsize                len)
{
  unsigned char mac[MAC_LEN] = { 0 };

  /* SIOCGIFHWADDR, which qemu-ga asks, zero-fills short addresses (none
   * at all, or a tunnel's 4-byte one) and cuts long ones: so do we. */
  memcpy (mac, bytes, MIN (len, sizeof mac));
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x",
                          mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* For a link without an AF_PACKET address in the dump. @sock is opened on
 * first use and kept for the rest of the call. */
static char *
mac_from_ioctl (const char *name,
                int        *sock)
{
  struct ifreq ifr;

  if (*sock < 0)
    *sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (*sock < 0)
    return NULL;

  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, name, sizeof ifr.ifr_name);
  /* Fails only for a link that vanished meanwhile: qemu-ga then omits
   * the address too. */
  if (ioctl (*sock, SIOCGIFHWADDR, &ifr) < 0)
    return NULL;
  return format_mac ((const unsigned char *) ifr.ifr_hwaddr.sa_data, MAC_LEN);
}

/* An alias label ("br0:1") has the MAC of its link: the kernel cuts the
 * name at ':' in the ioctl qemu-ga uses, and links cannot contain ':'. */
static char *
lookup_mac (GHashTable *packet_addrs,
            const char *name,
            int        *sock)
{
  g_autofree char *link = g_strndup (name, strcspn (name, ":"));
  const struct sockaddr_ll *ll = g_hash_table_lookup (packet_addrs, link);

  if (ll != NULL)
    return format_mac (ll->sll_addr, MIN ((gsize) ll->sll_halen, sizeof ll->sll_addr));
  return mac_from_ioctl (link, sock);
}

static guint
count_bits (const unsigned char *bytes,
            gsize                len)
{
  guint bits = 0;

  for (gsize i = 0; i < len; i++)
    bits += (guint) __builtin_popcount (bytes[i]);
  return bits;
}

/* Fills @address from an AF_INET or AF_INET6 entry; FALSE for others. */
static gboolean
read_address (const struct ifaddrs *ifa,
              IfaceAddress         *address)
{
  const void *addr;
  const unsigned char *mask = NULL;
  gsize mask_len;
  int family;

  if (ifa->ifa_addr == NULL)
    return FALSE;
  family = ifa->ifa_addr->sa_family;
  if (family == AF_INET)
    {
      addr = &((const struct sockaddr_in *) ifa->ifa_addr)->sin_addr;
      if (ifa->ifa_netmask != NULL)
        mask = (const unsigned char *) &((const struct sockaddr_in *) ifa->ifa_netmask)->sin_addr;
      mask_len = sizeof (struct in_addr);
    }
  else if (family == AF_INET6)
    {
      addr = &((const struct sockaddr_in6 *) ifa->ifa_addr)->sin6_addr;
      if (ifa->ifa_netmask != NULL)
        mask = (const unsigned char *) &((const struct sockaddr_in6 *) ifa->ifa_netmask)->sin6_addr;
      mask_len = sizeof (struct in6_addr);
    }
  else
    return FALSE;

  if (inet_ntop (family, addr, address->text, sizeof address->text) == NULL)
    return FALSE;
  address->is_ipv6 = family == AF_INET6;
  address->prefix = mask != NULL ? count_bits (mask, mask_len) : 0;
  return TRUE;
}

static void
build_address (JsonBuilder        *builder,
               const IfaceAddress *address)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ip-address-type");
  json_builder_add_string_value (builder, address->is_ipv6 ? "ipv6" : "ipv4");
  json_builder_set_member_name (builder, "ip-address");
  json_builder_add_string_value (builder, address->text);
  json_builder_set_member_name (builder, "prefix");
  json_builder_add_int_value (builder, address->prefix);
  json_builder_end_object (builder);
}

static void
add_counter (JsonBuilder *builder,
             const char  *name,
             gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* Members in the order qemu-ga writes them: its QDict iterates hash
 * buckets, so the order is fixed by the key names (and is not the
 * schema's). Absent members leave the others' order as it is. */
static void
build_stats (JsonBuilder    *builder,
             const DevStats *stats)
{
  json_builder_begin_object (builder);
  add_counter (builder, "tx-packets", stats->tx_packets);
  add_counter (builder, "tx-errs", stats->tx_errs);
  add_counter (builder, "rx-bytes", stats->rx_bytes);
  add_counter (builder, "rx-dropped", stats->rx_dropped);
  add_counter (builder, "rx-packets", stats->rx_packets);
  add_counter (builder, "rx-errs", stats->rx_errs);
  add_counter (builder, "tx-bytes", stats->tx_bytes);
  add_counter (builder, "tx-dropped", stats->tx_dropped);
  json_builder_end_object (builder);
}

static void
build_iface (JsonBuilder *builder,
             const Iface *iface)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, iface->name);
  if (iface->addresses->len > 0)
    {
      json_builder_set_member_name (builder, "ip-addresses");
      json_builder_begin_array (builder);
      for (guint i = 0; i < iface->addresses->len; i++)
        build_address (builder, g_ptr_array_index (iface->addresses, i));
      json_builder_end_array (builder);
    }
  if (iface->stats != NULL)
    {
      json_builder_set_member_name (builder, "statistics");
      build_stats (builder, iface->stats);
    }
  if (iface->hardware_address != NULL)
    {
      json_builder_set_member_name (builder, "hardware-address");
      json_builder_add_string_value (builder, iface->hardware_address);
    }
  json_builder_end_object (builder);
}

static void
free_ifaddrs (struct ifaddrs **list)
{
  if (*list != NULL)
    freeifaddrs (*list);
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

JsonNode *
network_interfaces_collect (const char  *proc_net_dev,
                            GError     **error)
{
  g_autoptr(GPtrArray) ifaces = g_ptr_array_new_with_free_func ((GDestroyNotify) iface_free);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) packet_addrs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) stats = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  __attribute__((cleanup (free_ifaddrs))) struct ifaddrs *list = NULL;
  __attribute__((cleanup (close_fd))) int sock = -1;

  g_return_val_if_fail (proc_net_dev != NULL, NULL);

  if (getifaddrs (&list) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                   "getifaddrs failed: %s", g_strerror (saved_errno));
      return NULL;
    }
  stats = dev_stats_load (proc_net_dev);

  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    if (ifa->ifa_addr != NULL && ifa->ifa_addr->sa_family == AF_PACKET)
      g_hash_table_insert (packet_addrs, ifa->ifa_name, ifa->ifa_addr);

  /* Interfaces in order of first appearance, as qemu-ga lists them: links
   * in index order (the AF_PACKET entries come first), then alias labels
   * ("br0:1"), which getifaddrs names after their IPv4 address's label. */
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      Iface *iface = g_hash_table_lookup (by_name, ifa->ifa_name);
      IfaceAddress address;

      if (iface == NULL)
        {
          iface = g_new0 (Iface, 1);
          iface->name = ifa->ifa_name;
          iface->addresses = g_ptr_array_new_with_free_func (g_free);
          iface->hardware_address = lookup_mac (packet_addrs, ifa->ifa_name, &sock);
          g_ptr_array_add (ifaces, iface);
          g_hash_table_insert (by_name, ifa->ifa_name, iface);
        }
      if (!read_address (ifa, &address))
        continue;
      g_ptr_array_add (iface->addresses, g_memdup2 (&address, sizeof address));
      /* qemu-ga reads counters only for interfaces with an address, by
       * exact name, so an alias label never has them. */
      if (iface->stats == NULL)
        iface->stats = g_hash_table_lookup (stats, iface->name);
    }

  json_builder_begin_array (builder);
  for (guint i = 0; i < ifaces->len; i++)
    build_iface (builder, g_ptr_array_index (ifaces, i));
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}
