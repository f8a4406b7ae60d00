#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A sample guestlinkd freeze hook. It never runs as installed: guestlinkd
# runs only the executable files of this directory. To use it, copy it
# under a name of your own and make the copy executable:
#
#   cp 10-sample-hook.sh 20-mydb
#   chmod 0755 20-mydb
#
# Hook names may hold only letters, digits, '_', '-' and '.', and must not
# start with '.' or end with '~' (run-parts' rules; .dpkg-old, .rpmnew and
# the like are skipped too).
#
# When guestlink freezes the guest's filesystems (guest-fsfreeze-freeze,
# guest-fsfreeze-freeze-list), every hook runs, one at a time in name
# order, with the single argument "freeze", before anything is frozen. A
# hook that fails (exits non-zero, is killed, or times out) fails the
# freeze: the hooks after it do not run, and those that heard "freeze",
# this one included, hear "thaw". After the thaw (by the host, by the
# agent's fsfreeze-timeout, or by a restarted agent) every hook runs with
# "thaw", in reverse name order; a failing thaw hook is logged and the
# others still run.
#
# What the hook gets from guestlinkd:
# - argv[1]: "freeze" or "thaw", nothing else;
# - the agent's environment, unchanged (under systemd: PATH, LANG and
#   the like; no variables of guestlink's own);
# - the current directory /, standard input /dev/null;
# - standard output and standard error go to the agent's log (the
#   journal), a line at a time, at most 64 KiB per run;
# - a session and process group of its own: after fsfreeze-hook-timeout
#   seconds (default 30) the whole group is killed with SIGKILL.
#
# Hooks run in guestlinkd.service's sandbox (guestlinkd(8), SYSTEMD):
# root, but with only the unit's capabilities, no new privileges (setuid
# programs such as su and sudo gain nothing: use runuser or setpriv to act
# as another user), Internet sockets to localhost only, no devices but the
# usual ones, the unit's system call filter, and no memory that is both
# writable and executable (a JIT compiler, as in Java, fails). What a hook
# needs beyond that goes into a drop-in (systemctl edit guestlinkd).
#
# "freeze" runs before the filesystems are frozen: a hook may write to
# disk. "thaw" runs after they are thawed.

set -eu

case "${1:-}" in
freeze)
    # Flush and pause the application so that its files on disk are
    # consistent, e.g.:
    #   runuser -u postgres -- psql -c CHECKPOINT
    echo "freezing"
    ;;
thaw)
    # Resume what "freeze" paused.
    echo "thawed"
    ;;
*)
    echo "usage: $0 freeze|thaw" >&2
    exit 2
    ;;
esac
