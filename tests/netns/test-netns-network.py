#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""guest-network-get-interfaces and guest-network-get-route in a network
namespace of our own, filled with bridges, veth pairs, ifb devices, IPv4
aliases, IPv6 addresses, links without addresses and routes; checked
against what `ip -j` reports there and, when qemu-ga is installed, against
qemu-ga run in the same namespace.

The namespace is created with a unique name and deleted on every exit
path: this machine's own network is never touched. qemu-ga only ever gets
read-only commands. Exit 77 (skip) names what the machine lacks.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

STAT_KEYS = ["tx-packets", "tx-errs", "rx-bytes", "rx-dropped",
             "rx-packets", "rx-errs", "tx-bytes", "tx-dropped"]
BRIDGES = 24
VETHS = 6

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message)


def populate(ns):
    lines = ["link set lo up"]
    for i in range(BRIDGES):
        lines += ["link add br%d type bridge" % i, "link set br%d up" % i,
                  "addr add 10.%d.0.1/24 dev br%d" % (i + 1, i)]
    # IPv4 aliases: getifaddrs names them by label, a separate interface.
    lines += ["addr add 10.1.0.2/24 dev br0 label br0:1",
              "addr add 10.1.0.3/25 dev br0 label br0:web",
              "addr add 10.2.0.9/24 dev br1 label br1:0"]
    lines += ["addr add fd00:1::1/64 dev br0", "addr add fd00:1::2/80 dev br0",
              "addr add fd00:2::1/48 dev br1"]
    for i in range(VETHS):
        lines += ["link add va%d type veth peer name vb%d" % (i, i),
                  "link set va%d up" % i, "link set vb%d up" % i,
                  "addr add 172.16.%d.1/30 dev va%d" % (i, i)]
    lines += ["link add ifb0 type ifb", "link add ifb1 type ifb",
              "link set ifb1 up", "addr add 192.168.77.1/32 dev ifb1",
              # Down and without any address: name and MAC only.
              "link add bare type bridge"]
    lines += ["route add 10.200.0.0/16 via 10.1.0.254",
              "route add default via 10.2.0.254 metric 7",
              "route add fd00:9::/48 via fd00:1::fe dev br0 metric 42"]
    ns.batch(lines)


def expected_interfaces(ns):
    """What qemu-ga's getifaddrs walk gives, from `ip -j addr`."""
    links = ns.ip_json("addr", "show")
    result = {}
    for link in links:
        name = link["ifname"]
        mac = link.get("address", "00:00:00:00:00:00")
        entry = result.setdefault(name, {"mac": mac, "addrs": set(), "alias": False})
        for a in link.get("addr_info", []):
            kind = {"inet": "ipv4", "inet6": "ipv6"}.get(a["family"])
            if kind is None:
                continue
            owner = a.get("label", name) if kind == "ipv4" else name
            target = result.setdefault(owner, {"mac": mac, "addrs": set(),
                                               "alias": owner != name})
            target["addrs"].add((kind, a["local"], a["prefixlen"]))
    return result


def check_interfaces(reply, expected, who):
    names = [i.get("name") for i in reply]
    check(len(names) == len(set(names)), "%s: duplicate names %r" % (who, names))
    check(set(names) == set(expected),
          "%s: names %r, expected %r" % (who, sorted(names), sorted(expected)))
    for iface in reply:
        name = iface.get("name")
        want = expected.get(name)
        if want is None:
            continue
        allowed = {"name", "hardware-address", "ip-addresses", "statistics"}
        check(set(iface) <= allowed, "%s: %s has members %r" % (who, name, list(iface)))
        check(iface.get("hardware-address") == want["mac"],
              "%s: %s MAC %r, expected %r" % (who, name, iface.get("hardware-address"), want["mac"]))
        addrs = iface.get("ip-addresses")
        if want["addrs"]:
            got = set()
            for a in addrs or []:
                check(list(a) == ["ip-address-type", "ip-address", "prefix"],
                      "%s: %s address members %r" % (who, name, list(a)))
                got.add((a.get("ip-address-type"), a.get("ip-address"), a.get("prefix")))
            check(got == want["addrs"], "%s: %s addresses %r, expected %r"
                  % (who, name, sorted(got), sorted(want["addrs"])))
        else:
            check(addrs is None, "%s: %s has ip-addresses %r" % (who, name, addrs))
        # Counters are read by exact name for interfaces with an address:
        # aliases and address-less links have none.
        stats = iface.get("statistics")
        if want["addrs"] and not want["alias"]:
            ok = isinstance(stats, dict) and list(stats) == STAT_KEYS and all(
                isinstance(v, int) and v >= 0 for v in stats.values())
            check(ok, "%s: %s statistics %r" % (who, name, stats))
        else:
            check(stats is None, "%s: %s has statistics %r" % (who, name, stats))


def normalized(reply):
    """Everything but the counter values, which move between two calls."""
    out = []
    for iface in reply:
        copy = dict(iface)
        if "statistics" in copy:
            copy["statistics"] = sorted(copy["statistics"])
        out.append(copy)
    return sorted(out, key=lambda i: i["name"])


def check_routes(routes):
    v4 = [r for r in routes if r.get("version") == 4]
    v6 = [r for r in routes if r.get("version") == 6]
    check(len(v4) + len(v6) == len(routes), "routes of unknown version: %r" % routes)
    for r in v4:
        check(set(r) == {"iface", "destination", "metric", "gateway", "mask", "irtt",
                         "flags", "refcnt", "use", "window", "mtu", "version"},
              "IPv4 route members %r" % sorted(r))
    for r in v6:
        check(set(r) == {"iface", "destination", "metric", "flags", "refcnt", "use",
                         "desprefixlen", "source", "srcprefixlen", "nexthop", "version"},
              "IPv6 route members %r" % sorted(r))
    want_v4 = {("br0", "10.200.0.0", "10.1.0.254", "255.255.0.0", 0),
               ("br1", "0.0.0.0", "10.2.0.254", "0.0.0.0", 7),
               ("br0", "10.1.0.0", "0.0.0.0", "255.255.255.0", 0),
               ("va3", "172.16.3.0", "0.0.0.0", "255.255.255.252", 0)}
    got_v4 = {(r["iface"], r["destination"], r["gateway"], r["mask"], r["metric"]) for r in v4}
    check(want_v4 <= got_v4, "IPv4 routes %r lack %r" % (sorted(got_v4), sorted(want_v4 - got_v4)))
    # /proc/net/route lists the main table, as `ip route` does.
    check(len(v4) == len(netns_routes4), "%d IPv4 routes, ip route shows %d"
          % (len(v4), len(netns_routes4)))
    got_v6 = {(r["iface"], r["destination"], r["desprefixlen"], r["nexthop"], r["metric"])
              for r in v6}
    want_v6 = {("br0", "fd00:9::", "48", "fd00:1::fe", 42),
               ("br0", "fd00:1::", "64", "::", 256),
               ("br1", "fd00:2::", "48", "::", 256)}
    check(want_v6 <= got_v6, "IPv6 routes %r lack %r" % (sorted(got_v6), sorted(want_v6 - got_v6)))
    gateway = [r for r in v4 if r["destination"] == "10.200.0.0"]
    # RTF_UP | RTF_GATEWAY
    check(gateway and gateway[0]["flags"] == 3, "flags of the gateway route: %r" % gateway)


netns_routes4 = []


def main():
    global netns_routes4
    guestlinkd = os.environ.get("GUESTLINKD")
    if not guestlinkd or not os.access(guestlinkd, os.X_OK):
        print("GUESTLINKD is not set to an executable")
        return 1
    try:
        ns = netns.Namespace()
    except netns.Skip as e:
        print("SKIP: " + str(e))
        return netns.SKIP
    with ns:
        try:
            populate(ns)
        except netns.subprocess.CalledProcessError as e:
            # A kernel without bridge, veth or ifb support skips; any other
            # failure of ours fails.
            if "Unknown device type" in e.stderr or "not supported" in e.stderr:
                print("SKIP: a link type is missing: " + e.stderr.strip())
                return netns.SKIP
            raise
        netns_routes4 = ns.ip_json("-4", "route", "show", "table", "main")
        expected = expected_interfaces(ns)
        check(len(expected) >= BRIDGES + 2 * VETHS + 3, "too few interfaces set up")
        with netns.Agent(ns, guestlinkd) as agent:
            ours = agent.call("guest-network-get-interfaces")
            check_interfaces(ours, expected, "guestlinkd")
            check_routes(agent.call("guest-network-get-route"))
            log = agent.log()
        check("CRITICAL" not in log and "WARNING" not in log, "guestlinkd log: " + log)

        qemu_ga = os.environ.get("QEMU_GA") or netns.find_program("qemu-ga")
        if qemu_ga and qemu_ga != "none":
            with netns.Agent(ns, qemu_ga) as agent:
                theirs = agent.call("guest-network-get-interfaces")
            check_interfaces(theirs, expected, "qemu-ga")
            check(normalized(ours) == normalized(theirs),
                  "guestlinkd and qemu-ga differ:\n%r\n%r" % (normalized(ours), normalized(theirs)))
            # The member order too: clients compare replies textually.
            check([list(i) for i in ours] == [list(i) for i in theirs],
                  "member order differs from qemu-ga's")
            print("compared with %s: %d interfaces" % (qemu_ga, len(theirs)))
        else:
            print("qemu-ga not installed: compared with ip -j only")
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("PASS: %d interfaces" % len(ours))
    return 0


if __name__ == "__main__":
    sys.exit(main())
