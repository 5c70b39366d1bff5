# Shared helpers of the integration scripts: assertions and a local control
# plane started on a free loopback port with a temporary state directory.
: "${ECSCTL:?set ECSCTL to the ecsctl binary}"
_failures=0
pass() { echo "ok - $*"; }
fail() { echo "not ok - $*" >&2; _failures=$((_failures + 1)); }
skip() { echo "skip - $*"; }
expect_line() {  # OUTPUT LINE MESSAGE
    if grep -qxF -- "$2" <<<"$1"; then pass "$3"; else fail "$3: '$2' not in output:"$'\n'"$1"; fi
}
expect_match() {  # OUTPUT REGEX MESSAGE
    if grep -qE -- "$2" <<<"$1"; then pass "$3"; else fail "$3: /$2/ not in output:"$'\n'"$1"; fi
}
expect_eq() {  # ACTUAL EXPECTED MESSAGE
    if [[ "$1" == "$2" ]]; then pass "$3"; else fail "$3: expected '$2', got '$1'"; fi
}
expect_code() {  # ACTUAL EXPECTED MESSAGE
    if [[ "$1" == "$2" ]]; then pass "$3"; else fail "$3: exit code $1, expected $2"; fi
}
finish() {
    if ((_failures)); then echo "$_failures check(s) failed" >&2; exit 1; fi
    echo "all checks passed"
}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# start_local: starts `ecsctl local` on a free port with a state dir under $work
# (or a new temp dir), in an isolated HOME whose `local` profile points at it.
start_local() {
    LOCAL_STATE=${LOCAL_STATE:-$(mktemp -d)/state}
    LOCAL_PORT=$(free_port)
    export HOME=${HOME:-$(mktemp -d)}
    export AWS_CONFIG_FILE=$HOME/.aws/config AWS_SHARED_CREDENTIALS_FILE=$HOME/.aws/credentials
    "$ECSCTL" local up --port "$LOCAL_PORT" --state "$LOCAL_STATE" --detach >/dev/null 2>"$LOCAL_STATE.up.log" \
        || { cat "$LOCAL_STATE.up.log" >&2; fail "ecsctl local up"; return 1; }
}
stop_local() {
    [[ -n ${LOCAL_STATE:-} ]] && "$ECSCTL" local down --state "$LOCAL_STATE" >/dev/null 2>&1
    return 0
}
