#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `systemd-analyze verify` of guestlinkd.service, quiet: any message fails.
# The installed unit names @sbindir@/guestlinkd, which need not exist on
# the build machine, so a copy names the guestlinkd just built.
# Usage: unit-verify.sh UNIT GUESTLINKD
set -euo pipefail

unit=$1
guestlinkd=$2

if ! command -v systemd-analyze >/dev/null; then
    echo "SKIP: systemd-analyze is not installed"
    exit 77
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

name=$(basename "$unit")
if ! grep -q '^ExecStart=[^ ]*/guestlinkd$' "$unit"; then
    echo "FAIL: $unit does not run guestlinkd with no options"
    exit 1
fi
sed "s|^ExecStart=.*|ExecStart=$guestlinkd|" "$unit" >"$dir/$name"

output=$(systemd-analyze verify --man=no "$dir/$name" 2>&1) || {
    echo "$output"
    echo "FAIL: systemd-analyze verify failed"
    exit 1
}
if [[ -n "$output" ]]; then
    echo "$output"
    echo "FAIL: systemd-analyze verify complained"
    exit 1
fi
echo "systemd-analyze verify: $name is clean"
