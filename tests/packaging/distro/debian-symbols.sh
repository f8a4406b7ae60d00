#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# packaging/debian/libguestlink-1-0.symbols names exactly the symbols
# libguestlink exports. dpkg-gensymbols only warns about new ones; this
# makes adding a public function without recording it (with the version
# that added it) a test failure, and a removed one too (an ABI break that
# needs a new soname).
# Usage: debian-symbols.sh SYMBOLS_FILE LIBRARY
set -euo pipefail

symbols=$1
library=$2

if ! command -v nm >/dev/null; then
    echo "SKIP: nm is missing (Debian package binutils)"
    exit 77
fi

soname=$(objdump -p "$library" | awk '$1 == "SONAME" { print $2 }')
header=$(head -n 1 "$symbols")
[[ "$header" == "$soname libguestlink-1-0 #MINVER#" ]] || {
    echo "FAIL: $symbols starts '$header', expected '$soname libguestlink-1-0 #MINVER#'"
    exit 1
}

recorded=$(awk '/^ / { sub(/@Base$/, "", $1); print $1 }' "$symbols" | sort)
exported=$(nm -D --defined-only "$library" | awk '{ print $3 }' | sort)
if [[ "$recorded" != "$exported" ]]; then
    echo "FAIL: $symbols and $library's exports differ (< symbols file, > library):"
    diff <(echo "$recorded") <(echo "$exported") || true
    exit 1
fi
echo "ok: $(wc -l <<<"$exported") symbols of $soname recorded"
