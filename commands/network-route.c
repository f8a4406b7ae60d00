/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-network-get-route (qemu-ga 9.1): the kernel's route tables as
 * /proc/net/route and /proc/net/ipv6_route print them, field for field as
 * qemu-ga converts them, including its integer types: a column qemu-ga
 * reads into a C int arrives as a signed 32-bit value (an IPv6 metric of
 * ffffffff is -1).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json-members.h"
#include "message.h"
#include "network-private.h"

#define IPV4_COLUMNS 11
#define IPV6_COLUMNS 10
#define IPV6_HEX_LEN 32

/* A whole token in @base; FALSE for anything else, so that a malformed
 * line is skipped as qemu-ga skips what its sscanf() cannot match. */
static gboolean
parse_number (const char *token,
              guint       base,
              gint64     *out)
{
  char *end;

  errno = 0;
  if (base == 16)
    *out = (gint64) g_ascii_strtoull (token, &end, 16);
  else
    *out = g_ascii_strtoll (token, &end, 10);
  return end != token && *end == '\0' && errno == 0;
}

/* The value a C int holds after sscanf's %d or %x of 32-bit columns. */
static gint64
as_c_int (gint64 value)
{
  return (gint32) (guint32) value;
}

/* The kernel prints an IPv4 address as the 32-bit word it stores in
 * network byte order, so the word's bytes in memory are the address.
 * (qemu-ga shifts the bytes out lowest first: the same on little-endian
 * machines, which are the ones it runs on.) */
static char *
ipv4_from_word (gint64 word)
{
  guint32 raw = (guint32) word;
  char text[INET_ADDRSTRLEN];

  inet_ntop (AF_INET, &raw, text, sizeof text);
  return g_strdup (text);
}

/* 32 hex digits, most significant byte first, as the kernel prints them. */
static char *
ipv6_from_hex (const char *hex)
{
  struct in6_addr addr;
  char text[INET6_ADDRSTRLEN];

  if (strlen (hex) != IPV6_HEX_LEN)
    return NULL;
  for (guint i = 0; i < sizeof addr.s6_addr; i++)
    {
      int high = g_ascii_xdigit_value (hex[2 * i]);
      int low = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (high < 0 || low < 0)
        return NULL;
      addr.s6_addr[i] = (guint8) (high << 4 | low);
    }
  inet_ntop (AF_INET6, &addr, text, sizeof text);
  return g_strdup (text);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT */
static gboolean
add_ipv4_route (JsonBuilder  *builder,
                char * const *columns)
{
  static const guint bases[IPV4_COLUMNS] = { 0, 16, 16, 16, 10, 10, 10, 16, 10, 10, 10 };
  gint64 v[IPV4_COLUMNS];
  g_autofree char *destination = NULL;
  g_autofree char *gateway = NULL;
  g_autofree char *mask = NULL;

  for (guint i = 1; i < IPV4_COLUMNS; i++)
    if (!parse_number (columns[i], bases[i], &v[i]))
      return FALSE;
  destination = ipv4_from_word (v[1]);
  gateway = ipv4_from_word (v[2]);
  mask = ipv4_from_word (v[7]);

  /* Members in the order qemu-ga writes them: its QDict iterates hash
   * buckets, so the key names fix the order, not the schema. */
  json_builder_begin_object (builder);
  add_int (builder, "flags", (guint32) v[3]);
  add_int (builder, "metric", as_c_int (v[6]));
  add_int (builder, "refcnt", as_c_int (v[4]));
  add_int (builder, "window", as_c_int (v[9]));
  add_int (builder, "version", 4);
  json_members_add_nullable_string (builder, "iface", columns[0]);
  json_members_add_nullable_string (builder, "destination", destination);
  add_int (builder, "irtt", as_c_int (v[10]));
  json_members_add_nullable_string (builder, "gateway", gateway);
  add_int (builder, "use", as_c_int (v[5]));
  add_int (builder, "mtu", as_c_int (v[8]));
  json_members_add_nullable_string (builder, "mask", mask);
  json_builder_end_object (builder);
  return TRUE;
}

/* Destination DstLen Source SrcLen NextHop Metric RefCnt Use Flags Iface,
 * all numbers in hex. */
static gboolean
add_ipv6_route (JsonBuilder  *builder,
                char * const *columns)
{
  static const guint numeric[] = { 1, 3, 5, 6, 7, 8 };
  gint64 v[IPV6_COLUMNS] = { 0 };
  g_autofree char *destination = ipv6_from_hex (columns[0]);
  g_autofree char *source = ipv6_from_hex (columns[2]);
  g_autofree char *nexthop = ipv6_from_hex (columns[4]);
  g_autofree char *desprefixlen = NULL;
  g_autofree char *srcprefixlen = NULL;

  if (destination == NULL || source == NULL || nexthop == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (numeric); i++)
    if (!parse_number (columns[numeric[i]], 16, &v[numeric[i]]))
      return FALSE;
  /* qemu-ga sends the prefix lengths as decimal strings. */
  desprefixlen = g_strdup_printf ("%" G_GINT64_FORMAT, as_c_int (v[1]));
  srcprefixlen = g_strdup_printf ("%" G_GINT64_FORMAT, as_c_int (v[3]));

  /* Unsigned, unlike qemu-ga, which sign-extends a flags word with bit 31
   * set (RTF_LOCAL) to a 64-bit number above 2^63; the kernel's 32 bits
   * are what a client decodes. Member order as for IPv4. */
  json_builder_begin_object (builder);
  add_int (builder, "flags", (guint32) v[8]);
  json_members_add_nullable_string (builder, "source", source);
  add_int (builder, "metric", as_c_int (v[5]));
  add_int (builder, "refcnt", as_c_int (v[6]));
  add_int (builder, "version", 6);
  json_members_add_nullable_string (builder, "nexthop", nexthop);
  json_members_add_nullable_string (builder, "iface", columns[9]);
  json_members_add_nullable_string (builder, "destination", destination);
  json_members_add_nullable_string (builder, "desprefixlen", desprefixlen);
  json_members_add_nullable_string (builder, "srcprefixlen", srcprefixlen);
  add_int (builder, "use", as_c_int (v[7]));
  json_builder_end_object (builder);
  return TRUE;
}

static void
close_file (FILE **fp)
{
  if (*fp != NULL)
    fclose (*fp);
}

/* One line of a table, split on blanks; short or malformed lines are
 * skipped. */
static void
add_line (JsonBuilder *builder,
          char        *line,
          gboolean     is_ipv6)
{
  g_auto(GStrv) columns = g_strsplit_set (g_strstrip (line), " \t", -1);
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();

  for (char **c = columns; *c != NULL; c++)
    if (**c != '\0')
      g_ptr_array_add (fields, *c);
  if (fields->len < (is_ipv6 ? IPV6_COLUMNS : IPV4_COLUMNS))
    return;
  if (is_ipv6)
    add_ipv6_route (builder, (char * const *) fields->pdata);
  else
    add_ipv4_route (builder, (char * const *) fields->pdata);
}

/* Appends the routes of one table. FALSE only if the file cannot be read. */
static gboolean
add_table (JsonBuilder  *builder,
           const char   *path,
           gboolean      is_ipv6,
           GError      **error)
{
  __attribute__((cleanup (close_file))) FILE *fp = fopen (path, "re");
  g_autofree char *line = NULL;
  size_t size = 0;
  gboolean header = !is_ipv6;

  if (fp == NULL)
    {
      int saved_errno = errno;

      /* Without IPv6 (ipv6.disable=1) there is no ipv6_route: no IPv6
       * routes, rather than qemu-ga's error for the whole command. */
      if (is_ipv6 && saved_errno == ENOENT)
        return TRUE;
      g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                   "open(\"%s\"): %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  while (getline (&line, &size, fp) != -1)
    {
      /* /proc/net/route starts with a header line; ipv6_route has none. */
      if (header)
        {
          header = FALSE;
          continue;
        }
      add_line (builder, line, is_ipv6);
    }
  return TRUE;
}

JsonNode *
network_routes_collect (const char  *route_path,
                        const char  *ipv6_route_path,
                        GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (route_path != NULL, NULL);
  g_return_val_if_fail (ipv6_route_path != NULL, NULL);

  json_builder_begin_array (builder);
  if (!add_table (builder, route_path, FALSE, error)
      || !add_table (builder, ipv6_route_path, TRUE, error))
    return NULL;
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}
