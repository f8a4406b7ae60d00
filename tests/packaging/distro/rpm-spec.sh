#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# packaging/rpm/guestlink.spec parses with rpmspec -P, has a %package and
# a %files section for exactly the four packages (guestlink, guestlinkd,
# guestlink-libs, guestlink-devel), and its Version is meson.build's.
# Usage: rpm-spec.sh SPEC MESON_VERSION
set -euo pipefail

spec=$1
meson_version=$2
expected="guestlink
guestlink-devel
guestlink-libs
guestlinkd"

if ! command -v rpmspec >/dev/null; then
    echo "SKIP: rpmspec is missing (Debian package rpm)"
    exit 77
fi

status=0
fail() {
    echo "FAIL: $*"
    status=1
}
# A list, one item per line, on one line.
words() {
    paste -s -d ' ' <<<"$1"
}

if ! parsed=$(rpmspec -P "$spec" 2>&1); then
    echo "$parsed"
    echo "FAIL: rpmspec -P $spec failed"
    exit 1
fi

name=$(awk '$1 == "Name:" { print $2; exit }' <<<"$parsed")
version=$(awk '$1 == "Version:" { print $2; exit }' <<<"$parsed")
[[ "$name" == guestlink ]] || fail "Name is '$name', not guestlink"
[[ "$version" == "$meson_version" ]] ||
    fail "the spec's Version is '$version', meson.build's is '$meson_version'"

# A section's package: "%files" is NAME, "%files -n X" is X, "%files X" is
# NAME-X. The main package is declared by the preamble, not by %package.
section_packages() {
    local section=$1
    awk -v section="$section" -v name="$name" '
        $1 == section {
            if (NF == 1) print name
            else if ($2 == "-n") print $3
            else print name "-" $2
        }' <<<"$parsed" | sort
}
packages=$( { echo "$name"; section_packages %package; } | sort)
files=$(section_packages %files)
[[ "$packages" == "$expected" ]] ||
    fail "%package declares [$(words "$packages")], expected [$(words "$expected")]"
[[ "$files" == "$expected" ]] ||
    fail "%files sections are for [$(words "$files")], expected [$(words "$expected")]"

# rpm's own view of the packages the spec builds, with their versions.
built=$(rpmspec -q --builtrpms --qf '%{NAME} %{VERSION}\n' "$spec" 2>&1 | sort) ||
    fail "rpmspec -q $spec failed: $built"
[[ "$built" == "$(awk -v v="$meson_version" '{ print $0, v }' <<<"$expected")" ]] ||
    fail "rpmspec -q --builtrpms says: $(words "$built")"

[[ $status -eq 0 ]] && echo "ok: $spec declares $(words "$expected") at $meson_version"
exit $status
