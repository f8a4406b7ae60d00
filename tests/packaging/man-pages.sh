#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man pages format without a warning, and cannot drift from the
# programs: every option of `guestlinkd --help`, every command and option
# of `guestlink --help` (and of each command's --help) and every key of
# `guestlinkd -D` appears in its page.
# Usage: man-pages.sh GUESTLINKD GUESTLINK GUESTLINKD.8 GUESTLINK.1 GUESTLINKD.CONF.5
set -euo pipefail

guestlinkd=$1
guestlink=$2
daemon_page=$3
cli_page=$4
conf_page=$5

for tool in groff man; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool is not installed"
        exit 77
    fi
done

status=0
fail() {
    echo "FAIL: $*"
    status=1
}

lint() {
    local page=$1 warnings

    warnings=$(groff -man -ww -z "$page" 2>&1)
    [[ -z "$warnings" ]] || fail "groff -man -ww on $(basename "$page"): $warnings"
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
    [[ -z "$warnings" ]] || fail "man --warnings on $(basename "$page"): $warnings"
}

# The page as text, on long lines without hyphenation, so an option is
# never split across lines.
render() {
    groff -man -Tutf8 -rLL=300n -rHY=0 -P-cbou "$1" 2>/dev/null
}

# --long options and -x short options of a GOption --help text.
help_options() {
    grep -Eo '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | sed 's/^ *//'
}

for page in "$daemon_page" "$cli_page" "$conf_page"; do
    lint "$page"
done

# guestlinkd(8): each option as "-m, --method" or "--max-message-size".
daemon_text=$(render "$daemon_page")
while read -r option; do
    grep -qF -- "$option" <<<"$daemon_text" || fail "guestlinkd.8 does not document '$option'"
done < <("$guestlinkd" --help | help_options)

# guestlink(1): each command as a tag of COMMANDS, each option somewhere.
cli_text=$(render "$cli_page")
commands_section=$(sed -n '/^COMMANDS/,/^[A-Z]/p' <<<"$cli_text")
commands=$("$guestlink" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
[[ -n "$commands" ]] || fail "no commands in guestlink --help"
for command in $commands; do
    grep -Eq "^ +$command( |$)" <<<"$commands_section" ||
        fail "guestlink.1 COMMANDS does not document '$command'"
    while read -r option; do
        grep -qF -- "${option##*, }" <<<"$cli_text" ||
            fail "guestlink.1 does not document '$option' of '$command'"
    done < <("$guestlink" "$command" --help | help_options)
done
while read -r option; do
    grep -qF -- "$option" <<<"$cli_text" || fail "guestlink.1 does not document '$option'"
done < <("$guestlink" --help | help_options)

# guestlinkd.conf(5): each key, as "key=".
empty=$(mktemp)
trap 'rm -f "$empty"' EXIT
conf_text=$(render "$conf_page")
keys=$("$guestlinkd" -c "$empty" -D | sed -n 's/^\([a-z][a-z-]*\)=.*/\1/p')
[[ -n "$keys" ]] || fail "no keys in guestlinkd -D"
for key in $keys; do
    grep -Eq "^ +$key=" <<<"$conf_text" || fail "guestlinkd.conf.5 does not document '$key'"
done

[[ $status -ne 0 ]] || echo "man pages: clean, every option, command and key documented"
exit $status
