#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libguestlink through GObject introspection, as a Python program uses it.

The filesystem, host key and set-identity helpers are called against a
fake agent served by this script: the GIR annotations must turn the mount
point list, the status enum, the counts, the identity request and the
JsonNode replies into Python values, and agent errors into GLib.Error in
the library's domain. Nothing reaches a real agent: freezing through one
would freeze this machine, and set-identity would rename it.
"""

import json
import os
import socket
import sys
import tempfile
import threading
import unittest

import gi

gi.require_version("Guestlink", "1.0")
gi.require_version("Json", "1.0")
from gi.repository import GLib, Guestlink  # noqa: E402


class FakeAgent:
    """Answers one connection at a time, line by line, from a table of
    return values (or error objects); records what it was sent."""

    def __init__(self, replies):
        self.replies = replies
        self.requests = []
        self.directory = tempfile.TemporaryDirectory(prefix="guestlink-gi-")
        self.path = os.path.join(self.directory.name, "agent.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        with connection:
            pending = b""
            while True:
                data = connection.recv(4096)
                if not data:
                    return
                pending += data
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    self.answer(connection, line.lstrip(b"\xff"))

    def answer(self, connection, line):
        request = json.loads(line)
        command = request["execute"]
        arguments = request.get("arguments")
        if command == "guest-sync-delimited":
            connection.sendall(b"\xff" + json.dumps({"return": arguments["id"]}).encode() + b"\n")
            return
        self.requests.append((command, arguments))
        reply = dict(self.replies[command])
        reply["id"] = request["id"]
        connection.sendall(json.dumps(reply).encode() + b"\n")

    def close(self):
        self.listener.close()
        self.directory.cleanup()


FSINFO = [{"name": "vda1", "mountpoint": "/", "type": "ext4", "used-bytes": 1,
           "total-bytes": 2, "disk": [{"bus-type": "virtio", "bus": 0, "target": 0, "unit": 0,
                                       "pci-controller": {"domain": 0, "bus": 0, "slot": 5,
                                                          "function": 0}}]}]


class TestFilesystem(unittest.TestCase):
    def start(self, replies):
        agent = FakeAgent(replies)
        self.addCleanup(agent.close)
        client = Guestlink.Client.new_for_socket_path(agent.path)
        client.set_default_timeout_msec(10000)
        return agent, client

    def test_status_and_freeze(self):
        agent, client = self.start({
            "guest-fsfreeze-status": {"return": "frozen"},
            "guest-fsfreeze-freeze-list": {"return": 2},
            "guest-fsfreeze-freeze": {"return": 3},
            "guest-fsfreeze-thaw": {"return": 3},
        })
        ok, status = client.fsfreeze_get_status(None)
        self.assertTrue(ok)
        self.assertEqual(status, Guestlink.FsfreezeStatus.FROZEN)
        self.assertEqual(client.fsfreeze_freeze(["/", "/boot"], None), 2)
        self.assertEqual(client.fsfreeze_freeze(None, None), 3)
        self.assertEqual(client.fsfreeze_thaw(None), 3)
        self.assertEqual(agent.requests, [
            ("guest-fsfreeze-status", None),
            ("guest-fsfreeze-freeze-list", {"mountpoints": ["/", "/boot"]}),
            ("guest-fsfreeze-freeze", None),
            ("guest-fsfreeze-thaw", None),
        ])

    def test_fsinfo_and_fstrim(self):
        agent, client = self.start({
            "guest-get-fsinfo": {"return": FSINFO},
            "guest-fstrim": {"return": {"paths": [{"path": "/", "trimmed": 0, "minimum": 4096}]}},
        })
        fsinfo = client.get_fsinfo(None)
        self.assertEqual(fsinfo.get_array().get_object_element(0).get_string_member("mountpoint"), "/")
        fstrim = client.fstrim(4096, None)
        path = fstrim.get_object().get_array_member("paths").get_object_element(0)
        self.assertEqual(path.get_int_member("minimum"), 4096)
        self.assertEqual(agent.requests[-1], ("guest-fstrim", {"minimum": 4096}))

    def test_errors(self):
        _, client = self.start({
            "guest-fsfreeze-freeze-list": {"error": {"class": "GenericError",
                                                     "desc": "'/p' is not a mount point"}},
            "guest-fsfreeze-thaw": {"return": -1},
        })
        with self.assertRaises(GLib.Error) as raised:
            client.fsfreeze_freeze(["/p"], None)
        self.assertEqual(raised.exception.domain, "guestlink-error-quark")
        self.assertEqual(raised.exception.code, Guestlink.Error.GENERIC)
        self.assertEqual(raised.exception.message, "'/p' is not a mount point")
        with self.assertRaises(GLib.Error) as raised:
            client.fsfreeze_thaw(None)
        self.assertEqual(raised.exception.code, Guestlink.Error.PROTOCOL)


ROTATION = {"keys": [{"type": "ed25519", "path": "/etc/ssh/ssh_host_ed25519_key",
                      "public-key": "ssh-ed25519 AAAAnew", "fingerprint": "SHA256:new",
                      "old-fingerprint": "SHA256:old"}],
            "sshd-reloaded": True, "sshd-reload-method": "systemd"}


class TestIdentity(unittest.TestCase):
    def start(self, replies):
        agent = FakeAgent(replies)
        self.addCleanup(agent.close)
        client = Guestlink.Client.new_for_socket_path(agent.path)
        client.set_default_timeout_msec(10000)
        return agent, client

    def test_host_keys(self):
        agent, client = self.start({
            "__org.guestlink_ssh-get-host-keys": {"return": {"keys": [
                {"path": "/etc/ssh/ssh_host_broken_key", "error": "Invalid base64 key"}]}},
            "__org.guestlink_ssh-rotate-host-keys": {"return": ROTATION},
        })
        keys = client.ssh_get_host_keys(None)
        self.assertEqual(keys.get_array().get_object_element(0).get_string_member("error"),
                         "Invalid base64 key")
        rotation = client.ssh_rotate_host_keys(["ed25519"], None)
        self.assertTrue(rotation.get_object().get_boolean_member("sshd-reloaded"))
        client.ssh_rotate_host_keys(None, None)
        self.assertEqual(agent.requests, [
            ("__org.guestlink_ssh-get-host-keys", None),
            ("__org.guestlink_ssh-rotate-host-keys", {"types": ["ed25519"]}),
            ("__org.guestlink_ssh-rotate-host-keys", None),
        ])

    def test_set_identity(self):
        agent, client = self.start({
            "__org.guestlink_set-identity": {"return": {
                "instance-id": "clone-1", "resumed": False, "complete": True,
                "steps": [{"name": "host-name", "status": "done"}],
                "ssh-host-keys": ROTATION, "reboot-required": True,
                "identity": {"host-name": "web-2"}}},
        })
        request = Guestlink.IdentityRequest.new("clone-1")
        request.set_host_name("web-2")
        request.set_regenerate_machine_id(True)
        request.set_random_seed(GLib.Bytes.new(b"\x00\x01\xff"))
        self.assertEqual(request.get_instance_id(), "clone-1")
        reply = client.set_identity(request, None).get_object()
        self.assertTrue(reply.get_boolean_member("reboot-required"))
        self.assertEqual(reply.get_object_member("identity").get_string_member("host-name"), "web-2")
        self.assertEqual(agent.requests, [
            ("__org.guestlink_set-identity", {"instance-id": "clone-1", "host-name": "web-2",
                                              "regenerate-machine-id": True,
                                              "random-seed": "AAH/"}),
        ])


if __name__ == "__main__":
    sys.exit(unittest.main())
