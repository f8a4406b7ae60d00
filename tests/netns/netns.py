# SPDX-License-Identifier: LGPL-2.1-or-later
"""Network namespaces and agents inside them, for the netns test and the
netif benchmark.

A namespace is created with `ip netns add` under a unique name and deleted
on every exit path; nothing here touches the namespace this process runs
in. Agents (guestlinkd, qemu-ga) run through `ip netns exec` on a unix
socket in a private temporary directory, and are spoken to with the
handshake a management stack uses (0xFF, guest-sync-delimited).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

# Commands that change nothing: qemu-ga here is the machine's real one,
# running as root.
READ_ONLY = {"guest-ping", "guest-info", "guest-sync", "guest-sync-delimited",
             "guest-network-get-interfaces", "guest-network-get-route"}

SKIP = 77


class Skip(Exception):
    """The machine cannot run the test; the message names what is missing."""


def find_program(name):
    path = shutil.which(name)
    if path is None:
        for directory in ("/usr/sbin", "/sbin", "/usr/local/sbin"):
            candidate = os.path.join(directory, name)
            if os.access(candidate, os.X_OK):
                return candidate
    return path


class Namespace:
    """`ip netns add` under a unique name; close() (or the with block)
    deletes it, and with it every interface created inside."""

    def __init__(self, prefix="guestlink-test"):
        if os.geteuid() != 0:
            raise Skip("network namespaces need root")
        self.ip = find_program("ip")
        if self.ip is None:
            raise Skip("the ip command (iproute2) is not installed")
        self.name = "%s-%d-%s" % (prefix, os.getpid(), uuid.uuid4().hex[:8])
        result = subprocess.run([self.ip, "netns", "add", self.name],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise Skip("ip netns add failed: " + result.stderr.strip())
        self.open = True

    def close(self):
        if self.open:
            subprocess.run([self.ip, "netns", "delete", self.name],
                           capture_output=True)
            self.open = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def prefix(self):
        return [self.ip, "netns", "exec", self.name]

    def run(self, *args, check=True):
        """Runs `ip ARGS` inside the namespace."""
        return subprocess.run([self.ip, "-n", self.name] + list(args),
                              check=check, capture_output=True, text=True)

    def batch(self, lines):
        """Many `ip` commands in one process: thousands of links in seconds."""
        subprocess.run([self.ip, "-n", self.name, "-batch", "-"],
                       input="\n".join(lines) + "\n", check=True,
                       capture_output=True, text=True)

    def ip_json(self, *args):
        return json.loads(self.run("-j", *args).stdout or "[]")


class Agent:
    """An agent process in @ns on a unix socket of its own."""

    def __init__(self, ns, program, env=None):
        self.dir = tempfile.mkdtemp(prefix="guestlink-netns.")
        self.sock_path = os.path.join(self.dir, "agent.sock")
        state = os.path.join(self.dir, "state")
        os.mkdir(state)  # qemu-ga refuses a state dir that does not exist
        self.log_path = os.path.join(self.dir, "agent.log")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                ns.prefix() + [program, "-m", "unix-listen",
                               "-p", self.sock_path, "-t", state],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        self.conn = None
        self.buf = b""
        deadline = time.monotonic() + 20
        while not os.path.exists(self.sock_path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("%s did not start:\n%s" % (program, self.log()))
            time.sleep(0.05)
        self._connect()

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _connect(self):
        deadline = time.monotonic() + 10
        while True:
            try:
                self.conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.conn.settimeout(60)
                self.conn.connect(self.sock_path)
                break
            except OSError:
                self.conn.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sync_id = int.from_bytes(os.urandom(6), "big")
        self.conn.sendall(b"\xff" + json.dumps(
            {"execute": "guest-sync-delimited",
             "arguments": {"id": sync_id}}).encode())
        # Everything up to the agent's 0xFF is stale by definition.
        while b"\xff" not in self.buf:
            self._fill()
        self.buf = self.buf.split(b"\xff", 1)[1]
        reply = self._reply()
        if reply.get("return") != sync_id:
            raise RuntimeError("bad handshake reply: %r" % reply)

    def _fill(self):
        data = self.conn.recv(1 << 20)
        if not data:
            raise RuntimeError("agent closed the connection:\n" + self.log())
        self.buf += data

    def _reply(self):
        while b"\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call_raw(self, command):
        """The reply object, error or not."""
        if command not in READ_ONLY:
            raise ValueError("refusing %s: only read-only commands" % command)
        self.conn.sendall(json.dumps({"execute": command}).encode())
        return self._reply()

    def call(self, command):
        reply = self.call_raw(command)
        if "return" not in reply:
            raise RuntimeError("%s failed: %r" % (command, reply))
        return reply["return"]

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc.poll() is None:
            # ip netns exec execs the agent: this PID is the agent's own.
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
