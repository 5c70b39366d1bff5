# Shared helpers of the tests/integration/local_*.sh scripts: start
# `ecsctl local` on a free port with a temporary state directory and HOME,
# send signed ECS requests, assert, and stop the server on exit.
set -euo pipefail

: "${ECSCTL:?ECSCTL must point at the ecsctl binary}"
: "${ECSCTL_LOCAL_BIN:?ECSCTL_LOCAL_BIN must point at ecsctl-local}"
export ECSCTL_LOCAL_BIN

TMP=$(mktemp -d)
export HOME=$TMP/home XDG_STATE_HOME=$TMP/xdg
export AWS_CONFIG_FILE=$TMP/home/.aws/config AWS_SHARED_CREDENTIALS_FILE=$TMP/home/.aws/credentials
mkdir -p "$HOME"
STATE=$TMP/state
PASSES=0

cleanup() {
  "$ECSCTL" local down --state "$STATE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$STATE/server.log" ] && tail -5 "$STATE/server.log" >&2; exit 1; }
pass() { PASSES=$((PASSES + 1)); echo "ok - $*"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_local() {
  PORT=$(free_port)
  "$ECSCTL" local up --port "$PORT" --state "$STATE" --detach "$@" >"$TMP/up.json" || fail "local up"
  ENDPOINT=http://127.0.0.1:$PORT
  AKID=$(jq -r .accessKeyId "$STATE/credentials.json")
  SECRET=$(jq -r .secretAccessKey "$STATE/credentials.json")
}

# ecs OPERATION JSON: prints the response body; returns 0 only for HTTP 200.
# The HTTP status of the last call is left in $TMP/status.
ecs() {
  local status out=$TMP/body.$BASHPID
  status=$(curl -s -o "$out" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:ecs" --user "$AKID:$SECRET" \
    -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" -H "Content-Type: application/x-amz-json-1.1" \
    --data-binary "$2" "$ENDPOINT/")
  echo "$status" >"$TMP/status.$BASHPID" && mv -f "$TMP/status.$BASHPID" "$TMP/status"
  cat "$out"
  mv -f "$out" "$TMP/body"
  [ "$status" = 200 ]
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; pass "$3"; }

# wait_for JQ_FILTER OPERATION JSON: polls until the filter prints "true" (10 s).
wait_for() {
  local i
  for i in $(seq 1 200); do
    if [ "$(ecs "$2" "$3" | jq -r "$1")" = true ]; then return 0; fi
    sleep 0.05
  done
  fail "timed out waiting for $1 on $2"
}
