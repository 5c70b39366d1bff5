#!/usr/bin/env bash
# Drives real bash, zsh and fish through ecsctl's completion scripts: commands,
# group sub-commands, flags, enum values, files after file://, live names from a
# real `ecsctl local`, and the silent fallback when the endpoint is unreachable.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
trap 'stop_local; rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache
mkdir -p "$HOME"
bindir=$work/bin
mkdir -p "$bindir"
ln -s "$ECSCTL" "$bindir/ecsctl"
export PATH=$bindir:$PATH
# Make sure no ambient endpoint or credentials leak into the static cases.
unset AWS_ENDPOINT_URL AWS_PROFILE

bash_complete() {  # LINE -> candidates, one per line
    bash --norc --noprofile -c '
        [[ -r /usr/share/bash-completion/bash_completion ]] && source /usr/share/bash-completion/bash_completion
        source <(ecsctl completion bash)
        COMP_LINE=$1
        COMP_POINT=${#COMP_LINE}
        read -ra COMP_WORDS <<<"$COMP_LINE"
        [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        _ecsctl ecsctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$1"
}

fish_complete() {  # LINE -> candidates (value<TAB>description)
    fish --no-config -c "source (ecsctl completion fish | psub); complete -C '$1'"
}

# --- bash, static ------------------------------------------------------------
out=$(bash_complete "ecsctl describe-clu")
expect_line "$out" "describe-clusters" "bash: command prefix"
out=$(bash_complete "ecsctl elbv2 describe-target-gr")
expect_line "$out" "describe-target-groups" "bash: elbv2 sub-command"
out=$(bash_complete "ecsctl lo")
expect_line "$out" "local" "bash: group name"
out=$(bash_complete "ecsctl run-task --launch-type ")
expect_line "$out" "FARGATE" "bash: enum value"
expect_line "$out" "EC2" "bash: enum value"
out=$(bash_complete "ecsctl run-task --cou")
expect_line "$out" "--count" "bash: command flag"
out=$(bash_complete "ecsctl describe-clusters --out")
expect_line "$out" "--output" "bash: global flag"
out=$(bash_complete "ecsctl --output ")
expect_line "$out" "table" "bash: --output values"
mkdir -p "$work/files" && touch "$work/files/input.json"
out=$(cd "$work/files" && bash_complete "ecsctl run-task --cli-input-json file://inp")
expect_line "$out" "//input.json" "bash: file:// completes files (after the colon)"

# --- fish, static ------------------------------------------------------------
if command -v fish >/dev/null; then
    out=$(fish_complete "ecsctl describe-clu")
    expect_match "$out" "^describe-clusters"$'\t' "fish: command with description"
    out=$(fish_complete "ecsctl run-task --launch-type ")
    expect_match "$out" "^FARGATE" "fish: enum value"
    out=$(fish_complete "ecsctl scheduler list-sch")
    expect_match "$out" "^list-schedules" "fish: scheduler sub-command"
else
    skip "fish not installed"
fi

# --- unreachable endpoint: static results only, quickly, nothing on stderr --------
port=$(free_port)
start=$(date +%s%N)
err=$("$ECSCTL" __complete bash 3 ecsctl --endpoint-url "http://127.0.0.1:$port" describe-services --cluster "" 2>&1 >/dev/null)
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[[ -z $err ]] || fail "completion printed to stderr: $err"
(( elapsed_ms < 2000 )) || fail "completion against a dead endpoint took ${elapsed_ms} ms"
pass "unreachable endpoint: silent fallback in ${elapsed_ms} ms"

# --- live names from a real ecsctl local --------------------------------------
start_local
"$ECSCTL" --profile local create-cluster --cluster-name web >/dev/null || fail "create-cluster"
"$ECSCTL" --profile local create-cluster --cluster-name batch >/dev/null || fail "create-cluster"
out=$(bash_complete "ecsctl --profile local describe-clusters --clusters w")
expect_line "$out" "web" "bash: live cluster names"
out=$(bash_complete "ecsctl --profile local list-services --cluster ")
expect_line "$out" "batch" "bash: live cluster names (empty prefix)"
if command -v fish >/dev/null; then
    out=$(fish_complete "ecsctl --profile local list-tasks --cluster ba")
    expect_match "$out" "^batch"$'\t'"cluster" "fish: live cluster names with description"
fi
finish
