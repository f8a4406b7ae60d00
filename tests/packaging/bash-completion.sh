#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion for guestlink offers what guestlink accepts: every
# command of `guestlink --help`, each command's own options from its
# --help, and the actions and values the commands take.
# Usage: bash-completion.sh COMPLETION GUESTLINK
set -uo pipefail

completion=$1
guestlink=$2

# The completion is meant to be loaded by bash-completion; it must also
# stand alone.
if [[ -r /usr/share/bash-completion/bash_completion ]]; then
    # shellcheck disable=SC1091
    source /usr/share/bash-completion/bash_completion
fi
# shellcheck disable=SC1090
source "$completion" || { echo "FAIL: cannot source $completion"; exit 1; }

status=0
fail() {
    echo "FAIL: $*"
    status=1
}

# Completes the command line "$@" (the last word being completed) and
# leaves the candidates, one per line, in $candidates.
complete_words() {
    local spec function
    COMP_WORDS=("$@")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    spec=$(complete -p guestlink 2>/dev/null) || { fail "no completion registered for guestlink"; exit 1; }
    function=${spec##*-F }
    function=${function%% *}
    "$function" guestlink "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]:-}"
    candidates=$(printf '%s\n' "${COMPREPLY[@]}")
}

expect() {
    local words=$1 want=$2
    shift 2
    complete_words "$@"
    grep -qxF -- "$want" <<<"$candidates" ||
        fail "'$words' does not offer '$want' (offers: $(tr '\n' ' ' <<<"$candidates"))"
}

expect_only() {
    local words=$1 want=$2
    shift 2
    complete_words "$@"
    [[ "$(sort <<<"$candidates" | tr '\n' ' ')" == "$want " ]] ||
        fail "'$words' offers '$(sort <<<"$candidates" | tr '\n' ' ')', expected '$want '"
}

commands=$("$guestlink" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
[[ -n "$commands" ]] || { echo "FAIL: no commands in guestlink --help"; exit 1; }
for command in $commands; do
    expect "guestlink <TAB>" "$command" guestlink ""
    # Each command's own options (those its --help lists before the
    # shared ones, which start at --socket).
    while read -r option; do
        expect "guestlink $command --<TAB>" "$option" guestlink "$command" "--"
    done < <("$guestlink" "$command" --help | grep -Eo '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' |
             sed 's/.*--/--/')
done

expect_only "guestlink fr<TAB>" "freeze freeze-status" guestlink fr
expect_only "guestlink -s SOCK set-identity --re<TAB>" "--reset-network" \
    guestlink -s /tmp/agent.sock set-identity --re
expect_only "guestlink ssh-keys <TAB>" "list rotate" guestlink ssh-keys ""
expect_only "guestlink ssh-keys rotate --type <TAB>" "ecdsa ed25519 rsa" \
    guestlink ssh-keys rotate --type ""
expect_only "guestlink authorized-keys alice <TAB>" "add list remove" \
    guestlink authorized-keys alice ""
expect_only "guestlink authorized-keys <TAB>" "" guestlink authorized-keys ""
expect "guestlink --j<TAB>" "--json" guestlink --j

# bash splits "--opt=VALUE" at '=' into three words; a path with a space
# must stay one candidate.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/agent dir"
expect "guestlink -s DIR/ag<TAB>" "$scratch/agent dir" guestlink -s "$scratch/ag"
expect "guestlink --socket=DIR/ag<TAB>" "$scratch/agent dir" guestlink --socket = "$scratch/ag"
expect_only "guestlink ssh-keys rotate --type=<TAB>" "ecdsa ed25519 rsa" \
    guestlink ssh-keys rotate --type = ""
expect_only "guestlink --socket=SOCK pi<TAB>" "ping" guestlink --socket = /tmp/agent.sock pi

[[ $status -ne 0 ]] || echo "bash completion: $(wc -w <<<"$commands") commands and their options offered"
exit $status
