#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Prints a one-screen summary of a guest, asked through its guest agent.

This is libguestlink used from Python through GObject introspection, the
way a management tool would: it connects to the host end of the guest
agent channel (the unix socket QEMU or libvirt created for the VM's
org.qemu.guest_agent.0 port, or a vsock address) and asks the agent who
the guest is and where it can be reached. It works with guestlinkd and
with qemu-ga, except for the identity, which only guestlinkd knows.

    guest-summary.py /var/lib/libvirt/qemu/channel/target/domain-1-vm/org.qemu.guest_agent.0
    guest-summary.py vsock:3:9001

Exit status: 0 when the summary was printed, 1 when the agent could not
be reached or failed, 2 on a usage error.
"""

import json
import sys

import gi

gi.require_version("Guestlink", "1.0")
gi.require_version("Json", "1.0")
from gi.repository import GLib, Guestlink, Json  # noqa: E402

IDENTITY_COMMAND = "__org.guestlink_get-identity"


def connect(address):
    """A client for a socket path, or for vsock:CID:PORT."""
    if address.startswith("vsock:"):
        _, cid, port = address.split(":")
        return Guestlink.Client.new_for_vsock(int(cid), int(port))
    return Guestlink.Client.new_for_socket_path(address)


def to_python(node):
    """The library hands replies over as JsonNode; Python wants dicts."""
    return json.loads(Json.to_string(node, False))


def print_summary(client):
    info = client.get_info(None)
    print(f"agent:      version {info.get_version()}, "
          f"{len(info.get_commands())} commands")
    print(f"host name:  {client.get_host_name(None)}")

    osinfo = to_python(client.get_osinfo(None))
    print(f"os:         {osinfo.get('pretty-name', osinfo.get('name', '?'))}, "
          f"kernel {osinfo.get('kernel-release', '?')}")

    # guest-info says whether this agent has the command at all, and
    # whether it is enabled now (it is not while filesystems are frozen).
    identity_command = info.lookup_command(IDENTITY_COMMAND)
    if identity_command is not None and identity_command.get_enabled():
        identity = to_python(client.get_identity(None))
        print(f"machine-id: {identity.get('machine-id', '?')}")

    for interface in to_python(client.get_interfaces(None)):
        addresses = [f"{address['ip-address']}/{address['prefix']}"
                     for address in interface.get("ip-addresses", [])]
        print(f"interface:  {interface['name']:<10} "
              f"{interface.get('hardware-address', '-'):<17} "
              f"{' '.join(addresses) or '-'}")


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(f"usage: {argv[0]} SOCKET-PATH|vsock:CID:PORT", file=sys.stderr)
        return 2

    try:
        client = connect(argv[1])
    except ValueError:
        print(f"{argv[0]}: not a vsock address: {argv[1]}", file=sys.stderr)
        return 2

    client.set_default_timeout_msec(10000)
    try:
        print_summary(client)
    except GLib.Error as error:
        # Connection failures and the agent's own errors both arrive here,
        # with the library's message.
        print(f"{argv[0]}: {error.message}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
