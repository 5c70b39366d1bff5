#!/usr/bin/env bash
# Tab completion in a real terminal: an interactive bash (and zsh) under tmux
# with bash-completion and `source <(ecsctl completion bash)`, pointed at a
# real `ecsctl local` by `eval "$(ecsctl local env)"`. Keys are typed with
# `tmux send-keys` and the completed command line is read back from the screen.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null 2>&1; then
    skip "tmux not installed"
    exit 0
fi

work=$(mktemp -d)
# A private server: its socket lives under $work (TMUX_TMPDIR) and goes with it.
export TMUX_TMPDIR=$work
unset TMUX
sock=ecsctl-it-$$-$RANDOM
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1; stop_local; rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config
export AWS_CONFIG_FILE=$HOME/.aws/config AWS_SHARED_CREDENTIALS_FILE=$HOME/.aws/credentials
mkdir -p "$HOME"
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
bindir=$work/bin
mkdir -p "$bindir"
ln -s "$ECSCTL" "$bindir/ecsctl"

# The control plane in its default state directory under $XDG_STATE_HOME, so
# that a plain `ecsctl local env` in the terminal finds it.
# shellcheck disable=SC2034  # read by start_local (lib.sh)
LOCAL_STATE=$XDG_STATE_HOME/ecsctl/local
mkdir -p "$XDG_STATE_HOME/ecsctl"
start_local || exit 1
"$ECSCTL" --profile local create-cluster --cluster-name web >/dev/null || fail "create-cluster web"
"$ECSCTL" --profile local create-cluster --cluster-name batch >/dev/null || fail "create-cluster batch"
"$ECSCTL" --profile local register-task-definition --family api \
    --container-definitions '[{"name":"api","image":"nginx","memory":128}]' >/dev/null || fail "register-task-definition"
"$ECSCTL" --profile local create-service --cluster web --service-name api --task-definition api \
    --desired-count 0 >/dev/null || fail "create-service"

# Everything the shells need, in files they source (no rc files of the machine).
cat >"$work/env.sh" <<EOF
export PATH='$bindir':"\$PATH" HOME='$HOME' XDG_CACHE_HOME='$XDG_CACHE_HOME' XDG_STATE_HOME='$XDG_STATE_HOME'
export AWS_CONFIG_FILE='$AWS_CONFIG_FILE' AWS_SHARED_CREDENTIALS_FILE='$AWS_SHARED_CREDENTIALS_FILE'
unset AWS_PROFILE
eval "\$(ecsctl local env)"
EOF
cat >"$work/bashrc" <<EOF
PS1='\$ '
source '$work/env.sh'
source /usr/share/bash-completion/bash_completion
source <(ecsctl completion bash)
bind 'set bell-style none'
clear
EOF
cat >"$work/zshrc" <<EOF
PROMPT='\$ '
source '$work/env.sh'
autoload -Uz compinit && compinit -u -d '$work/zcompdump'
source <(ecsctl completion zsh)
unsetopt beep
clear
EOF

cursor_line() {  # PANE -> the line the cursor is on, without trailing blanks
    local y line
    y=$(tm display-message -p -t "$1" '#{cursor_y}') || return 1
    line=$(tm capture-pane -p -t "$1" -S "$y" -E "$y") || return 1
    printf '%s\n' "${line%"${line##*[! ]}"}"
}
wait_line() {  # PANE REGEX SECONDS: polls until the cursor line matches REGEX; prints the line
    local got='' deadline=$((SECONDS + $3))
    while :; do
        got=$(cursor_line "$1")
        [[ $got =~ $2 ]] && break
        ((SECONDS < deadline)) || break
        sleep 0.1
    done
    printf '%s\n' "$got"
    [[ $got =~ $2 ]]
}
clear_line() {  # PANE: empties the command line (C-u) and waits for the bare prompt
    tm send-keys -t "$1" C-u
    wait_line "$1" '^\$$' 30 >/dev/null || fail "$1: the line was not cleared: '$(cursor_line "$1")'"
}
# complete_line PANE TYPED EXPECTED MESSAGE: types TYPED, Tab and a '#' marker,
# and expects the line to read "$ EXPECTED#" (so a completed word's trailing
# space shows). A live name can miss when a loaded machine makes the endpoint
# slower than completion's 0.5 s read timeout; completion then caches the
# miss for 10 s, so a retry clears the cache first (up to 3 attempts).
complete_line() {
    local attempt got
    for attempt in 1 2 3; do
        tm send-keys -t "$1" -l -- "$2"
        tm send-keys -t "$1" Tab
        tm send-keys -t "$1" -l '#'
        got=$(wait_line "$1" '#$' 30)
        clear_line "$1"
        if [[ $got == "\$ $3#" ]]; then
            pass "$4"
            ((attempt == 1)) || echo "# $4: completed at attempt $attempt"
            return 0
        fi
        rm -f "$XDG_CACHE_HOME"/ecsctl/complete-*
        sleep 1
    done
    fail "$4: the line is '$got', expected '\$ $3#'; screen:"$'\n'"$(tm capture-pane -p -t "$1")"
}
start_shell() {  # NAME COMMAND RCFILE
    tm new-session -d -s "$1" -x 200 -y 50 "$2" || { fail "tmux new-session $1"; return 1; }
    tm send-keys -t "$1" -l -- "source '$3'"
    tm send-keys -t "$1" Enter
    if wait_line "$1" '^\$$' 60 >/dev/null; then pass "$1: interactive shell ready"; else
        fail "$1: no prompt; screen:"$'\n'"$(tm capture-pane -p -t "$1")"; return 1; fi
}

# --- bash ----------------------------------------------------------------------
if [[ -r /usr/share/bash-completion/bash_completion ]]; then
    if start_shell bash "bash --norc --noprofile" "$work/bashrc"; then
        complete_line bash "ecsctl describe-clust" "ecsctl describe-clusters " "bash: command name completed"
        complete_line bash "ecsctl describe-services --cluster we" "ecsctl describe-services --cluster web " \
            "bash: live cluster name from ecsctl local"
        complete_line bash "ecsctl describe-services --cluster web --services a" \
            "ecsctl describe-services --cluster web --services api " "bash: live service of the --cluster on the line"
        complete_line bash "ecsctl run-task --launch-type FAR" "ecsctl run-task --launch-type FARGATE " "bash: enum value"
        complete_line bash "ecsctl local add-inst" "ecsctl local add-instances " "bash: local group sub-command"
    fi
else
    skip "bash-completion not installed"
fi

# --- zsh -----------------------------------------------------------------------
if command -v zsh >/dev/null 2>&1; then
    if start_shell zsh "zsh -f" "$work/zshrc"; then
        complete_line zsh "ecsctl describe-clust" "ecsctl describe-clusters " "zsh: command name completed"
        complete_line zsh "ecsctl describe-services --cluster we" "ecsctl describe-services --cluster web " \
            "zsh: live cluster name from ecsctl local"
    fi
else
    skip "zsh not installed"
fi
finish
