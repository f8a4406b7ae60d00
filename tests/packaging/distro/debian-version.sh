#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# packaging/debian/changelog's newest entry is for source package
# guestlink at meson.build's version (the upstream part, before the last
# '-'), so build-deb never packages one version under another's number.
# Usage: debian-version.sh DEBIAN_DIR MESON_VERSION
set -euo pipefail

debian=$1
meson_version=$2

if ! command -v dpkg-parsechangelog >/dev/null; then
    echo "SKIP: dpkg-parsechangelog is missing (Debian package dpkg-dev)"
    exit 77
fi

status=0
fail() {
    echo "FAIL: $*"
    status=1
}

source=$(dpkg-parsechangelog -l "$debian/changelog" -S Source)
version=$(dpkg-parsechangelog -l "$debian/changelog" -S Version)
upstream=${version#*:}
upstream=${upstream%-*}
control_source=$(awk '$1 == "Source:" { print $2; exit }' "$debian/control")

[[ "$source" == guestlink ]] || fail "changelog is for source package '$source'"
[[ "$control_source" == "$source" ]] ||
    fail "control says Source: '$control_source', changelog says '$source'"
[[ "$upstream" == "$meson_version" ]] ||
    fail "changelog version $version is not for meson.build's $meson_version"
[[ "$version" == *-* ]] ||
    fail "changelog version $version has no Debian revision (source format $(cat "$debian/source/format"))"

[[ $status -eq 0 ]] && echo "ok: $source $version packages $meson_version"
exit $status
