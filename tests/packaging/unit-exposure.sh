#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# guestlinkd.service keeps its promise: an exposure of at most 4.5 by
# `systemd-analyze security --offline=yes`, and none of the options that
# would bind-mount real filesystems into the agent's view (they would show
# up in guest-get-fsinfo).
# Usage: unit-exposure.sh UNIT
set -euo pipefail

unit=$1
limit=4.5

if ! command -v systemd-analyze >/dev/null; then
    echo "SKIP: systemd-analyze is not installed"
    exit 77
fi

status=0
forbidden='ProtectSystem|ProtectHome|PrivateTmp|PrivateDevices|PrivateMounts|ReadWritePaths|ReadOnlyPaths|InaccessiblePaths|TemporaryFileSystem|BindPaths|BindReadOnlyPaths|ProtectHostname'
if grep -En "^[[:space:]]*($forbidden)=" "$unit"; then
    echo "FAIL: $unit uses an option that changes the agent's view of the guest (above)"
    status=1
fi

output=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>&1) || {
    echo "$output"
    echo "FAIL: systemd-analyze security failed"
    exit 1
}
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p' <<<"$output")
if [[ -z "$score" ]]; then
    echo "$output"
    echo "FAIL: no 'Overall exposure level' line in systemd-analyze's output"
    exit 1
fi

echo "exposure of $(basename "$unit"): $score (at most $limit)"
if ! awk -v score="$score" -v limit="$limit" 'BEGIN { exit !(score <= limit) }'; then
    echo "$output"
    echo "FAIL: exposure $score is above $limit"
    status=1
fi
exit $status
