# Fault injection for the integration scripts: tests/tools/fault_proxy.py on a
# free loopback port in front of `ecsctl local`, forwarding everything except
# the faults it is told to inject (an expired session token, an operation that
# fails). Source after workflow_lib.bash, once start_workflow_local has run.
: "${ECSCTL_SOURCE_DIR:?ECSCTL_SOURCE_DIR must point at the source tree}"
PROXY_PID=
LOCAL_ENDPOINT=${AWS_ENDPOINT_URL:?start_workflow_local first}
trap 'stop_fault_proxy; cleanup' EXIT

# start_fault_proxy [--fail NAME=CODE[,STATUS[,TIMES[,SKIP]]]]...: starts the proxy
# (stopping one already running) with a fresh log in $PROXY_LOG, and points
# AWS_ENDPOINT_URL at it.
start_fault_proxy() {
  stop_fault_proxy
  PROXY_LOG=$TMP/proxy.log
  : >"$PROXY_LOG"
  rm -f "$TMP/proxy.port"
  python3 "$ECSCTL_SOURCE_DIR/tests/tools/fault_proxy.py" "$LOCAL_ENDPOINT" "$PROXY_LOG" "$TMP/proxy.port" "$@" &
  PROXY_PID=$!
  local i
  for i in $(seq 1 100); do [ -s "$TMP/proxy.port" ] && break; sleep 0.05; done
  [ -s "$TMP/proxy.port" ] || fail "fault_proxy.py did not start"
  export AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$TMP/proxy.port")
}

stop_fault_proxy() {
  if [ -n "$PROXY_PID" ]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; fi
  PROXY_PID=
  export AWS_ENDPOINT_URL=$LOCAL_ENDPOINT
}

# proxy_count JQ_SELECT: how many logged requests match, e.g. 'select(.op == "DescribeTasks")'.
proxy_count() { jq -s "[.[] | $1] | length" "$PROXY_LOG"; }
