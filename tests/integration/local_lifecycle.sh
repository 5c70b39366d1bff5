#!/usr/bin/env bash
# ecsctl local: the plane's lifecycle. A lock on the state directory, not a
# pid, says whether a plane runs; every `local` subcommand finds a plane by
# --state; a second `local up` prints where the running one is; a port in use
# or a taken state directory is refused (exit 253); stopped tasks are
# forgotten after --stopped-task-ttl; a call to a plane that is down says how
# to start it.
source "$(dirname "$0")/lib/local.bash"
unset AWS_CA_BUNDLE

# --- up, a second up, status, env, add-instances: all by --state ----------------
start_local --stopped-task-ttl 2s
pid=$(jq -r .pid "$TMP/up.json")
expect_eq "$(jq -r .endpoint "$TMP/up.json")" "$ENDPOINT" "local up --detach prints its endpoint"
[ -f "$STATE/server.lock" ] || fail "no server.lock in the state directory"

out=$("$ECSCTL" local up --state "$STATE" --detach 2>"$TMP/err") || fail "a second local up failed: $(cat "$TMP/err")"
expect_eq "$(jq -r '[.endpoint, .pid] | join(" ")' <<<"$out")" "$ENDPOINT $pid" "a second local up succeeds and prints the running plane"
grep -qF "already running on $ENDPOINT" "$TMP/err" || fail "second up: no 'already running' message: $(cat "$TMP/err")"
pass "a second local up says it is already running"

st=$("$ECSCTL" local status --state "$STATE") || fail "local status"
expect_eq "$(jq -r '[.running, .endpoint, .pid] | join(" ")' <<<"$st")" "true $ENDPOINT $pid" "local status --state finds the plane"
grep -qxF "export AWS_ENDPOINT_URL=$ENDPOINT" <(HOME=/nonexistent "$ECSCTL" local env --state "$STATE") \
  || fail "local env --state: wrong endpoint"
pass "local env --state gives the plane's endpoint"
ecs CreateCluster '{"clusterName":"life"}' >/dev/null || fail "CreateCluster"
"$ECSCTL" local add-instances --state "$STATE" --cluster life --count 2 >"$TMP/added.json" || fail "local add-instances --state"
expect_eq "$(jq '.containerInstances | length' "$TMP/added.json")" 2 "local add-instances --state registers instances"

# --- a second server on the same state directory, or on a port in use ------------
set +e
"$ECSCTL_LOCAL_BIN" serve --state "$STATE" --port "$(free_port)" 2>"$TMP/err"
code=$?
set -e
expect_eq "$code" 253 "a second ecsctl-local on the same state directory exits 253"
grep -qF "another ecsctl-local (pid $pid) already serves the state directory $STATE" "$TMP/err" \
  || fail "second server: message: $(cat "$TMP/err")"
pass "the refusal names the pid holding the state directory"
set +e
"$ECSCTL_LOCAL_BIN" serve --state "$TMP/other" --port "$PORT" 2>"$TMP/err"
code=$?
set -e
expect_eq "$code" 253 "binding a port in use exits 253"
grep -qF "cannot listen on 127.0.0.1:$PORT: the port is in use" "$TMP/err" || fail "port in use: message: $(cat "$TMP/err")"
pass "the port-in-use message"
set +e
"$ECSCTL" local up --state "$TMP/other" --port "$PORT" --detach >/dev/null 2>"$TMP/err"
code=$?
set -e
expect_eq "$code" 253 "local up on a port in use exits 253"
grep -qF "the port is in use" "$TMP/err" || fail "local up on a port in use: message: $(cat "$TMP/err")"
pass "local up on a port in use says why"

# --- stopped tasks are forgotten after --stopped-task-ttl (2 s here) -------------
ecs RegisterTaskDefinition '{"family":"once","containerDefinitions":[{"name":"c","image":"ecsctl/exit:0","memory":32}]}' >/dev/null \
  || fail "RegisterTaskDefinition"
task=$(ecs RunTask '{"cluster":"life","taskDefinition":"once"}' | jq -r '.tasks[0].taskArn')
wait_for '.tasks[0].lastStatus == "STOPPED"' DescribeTasks "{\"cluster\":\"life\",\"tasks\":[\"$task\"]}"
expect_eq "$(ecs ListTasks '{"cluster":"life","desiredStatus":"STOPPED"}' | jq -r '.taskArns | length')" 1 "the stopped task is listed"
sleep 3.5
expect_eq "$(ecs DescribeTasks "{\"cluster\":\"life\",\"tasks\":[\"$task\"]}" | jq -c '[(.tasks | length), .failures]')" \
  "[0,[{\"arn\":\"$task\",\"reason\":\"MISSING\"}]]" "DescribeTasks of a forgotten task: MISSING"
expect_eq "$(ecs ListTasks '{"cluster":"life","desiredStatus":"STOPPED"}' | jq -r '.taskArns | length')" 0 "a forgotten task is no longer listed"

# --- a crashed plane never blocks `local up`, whatever its pid became ------------
kill -KILL "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
[ -f "$STATE/server.json" ] || fail "server.json should outlive a SIGKILL"
# A live process with the dead server's pid in server.json: a reused pid.
sleep 60 &
squatter=$!
jq --argjson p "$squatter" '.pid = $p' "$STATE/server.json" >"$TMP/s.json" && cp "$TMP/s.json" "$STATE/server.json"
expect_eq "$("$ECSCTL" local status --state "$STATE" | jq -r .running)" false "after SIGKILL, status says not running (pid in server.json alive)"
"$ECSCTL" local up --port "$PORT" --state "$STATE" --detach >"$TMP/up.json" 2>"$TMP/err" || fail "local up after a crash: $(cat "$TMP/err")"
kill "$squatter" 2>/dev/null || true
pid2=$(jq -r .pid "$TMP/up.json")
[ "$pid2" != "$pid" ] || fail "the same pid after a restart"
expect_eq "$(ecs DescribeClusters '{"clusters":["life"]}' | jq -r '.clusters[0].status')" ACTIVE "state kept across the crash"
"$ECSCTL" local reset --state "$STATE" 2>/dev/null || fail "local reset --state"
expect_eq "$(ecs DescribeClusters '{"clusters":["life"]}' | jq -r '.failures[0].reason')" MISSING "local reset --state clears the running plane"

# --- down, then a call to the plane that is down ---------------------------------
"$ECSCTL" local down --state "$STATE" 2>"$TMP/err" || fail "local down"
grep -qF "stopped (pid $pid2)" "$TMP/err" || fail "local down: $(cat "$TMP/err")"
expect_eq "$("$ECSCTL" local status --state "$STATE" | jq -r .running)" false "local status after down"
set +e
"$ECSCTL" --profile local list-clusters >/dev/null 2>"$TMP/err"
code=$?
set -e
expect_eq "$code" 255 "a call to a plane that is down exits 255"
grep -qF 'start it with `ecsctl local up`' "$TMP/err" || fail "no hint to start the plane: $(cat "$TMP/err")"
pass "the error says to start it with 'ecsctl local up'"

# --- a foreground `local up` prints its endpoint ---------------------------------
PORT2=$(free_port)
"$ECSCTL" local up --port "$PORT2" --state "$TMP/fg" 2>"$TMP/fg.err" >/dev/null &
fg=$!
for _ in $(seq 1 200); do grep -q "listening on" "$TMP/fg.err" 2>/dev/null && break; sleep 0.05; done
grep -qF "listening on http://127.0.0.1:$PORT2" "$TMP/fg.err" || fail "foreground local up: $(cat "$TMP/fg.err")"
pass "a foreground local up prints its endpoint"
expect_eq "$("$ECSCTL" local status --state "$TMP/fg" | jq -r .endpoint)" "http://127.0.0.1:$PORT2" "status finds the foreground plane"
kill -TERM "$fg"  # (a background job ignores SIGINT)
wait "$fg" || true
expect_eq "$("$ECSCTL" local status --state "$TMP/fg" | jq -r .running)" false "the foreground plane stops on SIGTERM"

echo "local_lifecycle: $PASSES checks passed"
