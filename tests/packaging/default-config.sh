#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The installed guestlinkd.conf shows every key the daemon has, each
# commented out with the value the daemon really uses: the file as
# installed changes nothing, the file with every key uncommented changes
# nothing either, and neither draws a warning. The sample freeze hook
# answers "freeze" and "thaw" and nothing else.
# Usage: default-config.sh GUESTLINKD CONF SAMPLE_HOOK
set -euo pipefail

guestlinkd=$1
conf=$2
hook=$3

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0
fail() {
    echo "FAIL: $*"
    status=1
}

# guestlinkd -D with FILE, checking that it says nothing on stderr.
dump() {
    local file=$1 out=$2
    if ! "$guestlinkd" -c "$file" -D >"$out" 2>"$dir/stderr"; then
        cat "$dir/stderr"
        fail "guestlinkd -c $file -D failed"
    fi
    [[ ! -s "$dir/stderr" ]] || fail "guestlinkd -c $file -D: $(cat "$dir/stderr")"
}

: >"$dir/empty.conf"
dump "$dir/empty.conf" "$dir/defaults"

dump "$conf" "$dir/installed"
diff -u "$dir/defaults" "$dir/installed" || fail "the installed file changes the configuration"

sed -E 's/^#([a-z][a-z-]*=)/\1/' "$conf" >"$dir/uncommented.conf"
dump "$dir/uncommented.conf" "$dir/uncommented"
diff -u "$dir/defaults" "$dir/uncommented" ||
    fail "a commented value in $(basename "$conf") is not the daemon's default (diff above)"

# The same keys, no more and no fewer.
sed -n 's/^\([a-z][a-z-]*\)=.*/\1/p' "$dir/defaults" | sort >"$dir/daemon-keys"
sed -n 's/^#\([a-z][a-z-]*\)=.*/\1/p' "$conf" | sort >"$dir/file-keys"
diff -u "$dir/daemon-keys" "$dir/file-keys" ||
    fail "the keys of $(basename "$conf") are not those of guestlinkd -D (diff above)"
[[ -z "$(grep -Ev '^(#.*|\[general\]|)$' "$conf")" ]] ||
    fail "$(basename "$conf") sets something: $(grep -Ev '^(#.*|\[general\]|)$' "$conf")"

# The sample hook.
sh -n "$hook" || fail "$(basename "$hook") is not valid sh"
for action in freeze thaw; do
    sh "$hook" "$action" >/dev/null || fail "$(basename "$hook") $action failed"
done
if sh "$hook" >/dev/null 2>&1; then
    fail "$(basename "$hook") accepts no argument"
fi

[[ $status -ne 0 ]] || echo "$(basename "$conf"): $(wc -l <"$dir/file-keys") keys, each with the daemon's default"
exit $status
