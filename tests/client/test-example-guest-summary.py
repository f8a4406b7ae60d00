#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs client/examples/guest-summary.py against a real guestlinkd.

The agent listens on a unix socket in a temporary directory and is asked
only read-only questions (host name, OS, identity, interfaces), so it runs
on this machine; what the example prints is checked against what this
machine really is. Also checks the example's errors and exit codes.

    test-example-guest-summary.py GUESTLINKD EXAMPLE
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

GUESTLINKD, EXAMPLE = sys.argv[1], sys.argv[2]


def os_release_pretty_name():
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            with open(path) as file:
                for line in file:
                    if line.startswith("PRETTY_NAME="):
                        return line.split("=", 1)[1].strip().strip('"')
        except FileNotFoundError:
            continue
    return None


def run_example(*arguments):
    return subprocess.run([sys.executable, EXAMPLE, *arguments], capture_output=True,
                          text=True, timeout=60)


class GuestSummaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="guestlink-example-")
        cls.socket_path = os.path.join(cls.directory.name, "agent.sock")
        state = os.path.join(cls.directory.name, "state")
        os.mkdir(state)
        cls.agent = subprocess.Popen([GUESTLINKD, "-m", "unix-listen", "-p", cls.socket_path,
                                      "-t", state, "-f", ""])
        deadline = time.monotonic() + 10
        while not os.path.exists(cls.socket_path):
            if cls.agent.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("guestlinkd did not create its socket")
            time.sleep(0.02)

    @classmethod
    def tearDownClass(cls):
        cls.agent.terminate()
        cls.agent.wait(timeout=10)
        cls.directory.cleanup()

    def test_summary_describes_this_machine(self):
        result = run_example(self.socket_path)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = dict(line.split(":", 1) for line in result.stdout.splitlines())
        lines = {key: value.strip() for key, value in lines.items()}
        print(result.stdout)

        self.assertRegex(lines["agent"], r"^version \d+\.\d+\.\d+, \d+ commands$")
        self.assertEqual(lines["host name"], socket.gethostname())
        pretty_name = os_release_pretty_name()
        if pretty_name is not None:
            self.assertTrue(lines["os"].startswith(pretty_name + ", kernel "), lines["os"])
        self.assertTrue(lines["os"].endswith(os.uname().release), lines["os"])
        with open("/etc/machine-id") as file:
            self.assertEqual(lines["machine-id"], file.read().strip())
        interfaces = [line for line in result.stdout.splitlines() if line.startswith("interface:")]
        self.assertTrue(any(line.split()[1] == "lo" and "127.0.0.1/8" in line
                            for line in interfaces), interfaces)

    def test_unreachable_agent_is_an_error(self):
        missing = os.path.join(self.directory.name, "no-such.sock")
        result = run_example(missing)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertIn(missing, result.stderr)

    def test_usage_errors(self):
        self.assertEqual(run_example().returncode, 2)
        self.assertEqual(run_example("vsock:not-a-number:1").returncode, 2)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
