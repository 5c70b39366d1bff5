#!/usr/bin/env bash
# status and execute-command/exec against `ecsctl local`: a Fargate service
# with 2 tasks behind a target group shows both targets healthy, its newest
# events and a CPU/memory chart (CloudWatch GetMetricData of the local plane);
# `status --output json` carries the same fields. A fake session-manager-plugin
# first on PATH records its arguments: ecsctl passes what `aws ecs
# execute-command` passes (compared apart from the session's own values);
# without the plugin: exit 255, the install hint, and no token printed.
source "$(dirname "$0")/workflow_lib.bash"
start_workflow_local

run create-cluster --cluster-name ops
expect_code 0 "create-cluster"
cat >"$TMP/web.json" <<'JSON'
{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "web", "image": "nginx:1", "essential": true, "portMappings": [{"containerPort": 80}]}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/web.json"
expect_code 0 "register web:1"
TG=$("$ECSCTL" elbv2 create-target-group --name web --protocol HTTP --port 80 --vpc-id vpc-0local --target-type ip \
  --query 'TargetGroups[0].TargetGroupArn' --output text)
LB=$("$ECSCTL" elbv2 create-load-balancer --name front --subnets subnet-0aaa subnet-0bbb \
  --query 'LoadBalancers[0].LoadBalancerArn' --output text)
run elbv2 create-listener --load-balancer-arn "$LB" --port 80 --protocol HTTP \
  --default-actions "Type=forward,TargetGroupArn=$TG"
expect_code 0 "a listener forwards to the target group"
NET='awsvpcConfiguration={subnets=[subnet-0aaa],assignPublicIp=DISABLED}'
run create-service --cluster ops --service-name web --task-definition web:1 --desired-count 2 --launch-type FARGATE \
  --network-configuration "$NET" --enable-execute-command \
  --load-balancers "targetGroupArn=$TG,containerName=web,containerPort=80"
expect_code 0 "create-service with enableExecuteCommand behind the target group"
run wait services-stable --cluster ops --services web
expect_code 0 "the service settles"

# --- CloudWatch GetMetricData (JSON 1.0 from ecsctl).
NOW=$(date +%s)
metric_query() {  # ID METRIC SERVICE
  echo "{\"StartTime\":$((NOW - 3600)),\"EndTime\":$((NOW + 60)),\"MetricDataQueries\":[{\"Id\":\"$1\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"AWS/ECS\",\"MetricName\":\"$2\",\"Dimensions\":[{\"Name\":\"ClusterName\",\"Value\":\"ops\"},{\"Name\":\"ServiceName\",\"Value\":\"$3\"}]},\"Period\":60,\"Stat\":\"Average\"}}]}"
}
run __call cloudwatch GetMetricData "$(metric_query cpu CPUUtilization web)"
expect_code 0 "cloudwatch GetMetricData"
expect_eq "$(jq -r '.MetricDataResults[0].Values[0]' <<<"$OUT")" 12.5 "the service's CPU is the flat figure"
expect_eq "$(jq -r '.MetricDataResults[0].StatusCode' <<<"$OUT")" Complete "StatusCode Complete"
run __call cloudwatch GetMetricData "$(metric_query x CPUUtilization nope)"
expect_eq "$(jq -r '.MetricDataResults[0].Values | length' <<<"$OUT")" 0 "no data points for an unknown service"

# Wait until both targets are healthy (the local health checks settle in about a second).
for _ in $(seq 1 100); do
  n=$("$ECSCTL" elbv2 describe-target-health --target-group-arn "$TG" \
    --query 'length(TargetHealthDescriptions[?TargetHealth.State==`healthy`])' --output text)
  [ "$n" = 2 ] && break
  sleep 0.1
done
expect_eq "$n" 2 "both targets healthy"

# --- status, the view.
run status web --cluster ops
expect_code 0 "status"
expect_in "$OUT" "Service web (cluster ops)" "status names the service"
expect_in "$OUT" "2 healthy" "status shows both targets healthy"
expect_in "$OUT" "0 unhealthy" "and none unhealthy"
expect_in "$OUT" "has reached a steady state" "status shows the newest events"
expect_in "$OUT" "PRIMARY" "status shows the deployment"
expect_in "$OUT" "web:1" "and its revision"
grep -qE '^  CPU +[ ▁▂▃▄▅▆▇█]*▂ +now 12\.5%' <<<"$OUT" || fail "no CPU chart in: $OUT"
pass "status draws a CPU chart"
grep -qE '^  Memory +[ ▁▂▃▄▅▆▇█]*[▁▂▃▄▅▆▇█] +now 30\.0%' <<<"$OUT" || fail "no memory chart in: $OUT"
pass "status draws a memory chart"
[ "$(grep -cE '^  [0-9a-f]{32}  RUNNING' <<<"$OUT")" = 2 ] || fail "two running tasks expected in: $OUT"
pass "status lists both running tasks"
grep -qE '  10\.[0-9]+\.[0-9]+\.[0-9]+  web:1' <<<"$OUT" || fail "no task address in: $OUT"
pass "status shows the tasks' addresses"
if grep -q $'\x1b' <<<"$OUT"; then fail "colour codes when not a terminal"; else pass "no colour off a terminal"; fi

run status web --cluster ops --watch
expect_code 0 "status --watch off a terminal"
expect_in "$ERR" "printing once" "--watch off a terminal prints once and says so"

# --- status --output json: the same data.
run --output json status web --cluster ops
expect_code 0 "status --output json"
jq -e . <<<"$OUT" >/dev/null || fail "status --output json is not JSON: $OUT"
expect_eq "$(jq -r '.targetGroups[0].healthy' <<<"$OUT")" 2 "json: 2 healthy targets"
expect_eq "$(jq -r '.targetGroups[0].unhealthy' <<<"$OUT")" 0 "json: 0 unhealthy"
expect_eq "$(jq -r '.tasks.running | length' <<<"$OUT")" 2 "json: 2 running tasks"
expect_eq "$(jq -r '[.tasks.running[].taskDefinition] | unique | join(",")' <<<"$OUT")" web:1 "json: their revision"
expect_eq "$(jq -r '.deployments[0].rolloutState' <<<"$OUT")" COMPLETED "json: rollout state"
expect_eq "$(jq -r '.metrics.CPUUtilization[-1].value' <<<"$OUT")" 12.5 "json: CPU points"
expect_eq "$(jq -r ".metrics.MemoryUtilization[-1].value" <<<"$OUT")" 30 "json: memory points"
jq -e '.events | length > 0' <<<"$OUT" >/dev/null || fail "json: no events"
pass "json: events"
jq -e '.tasks.running[0] | has("healthStatus") and has("address") and has("availabilityZone") and has("ageSeconds")' \
  <<<"$OUT" >/dev/null || fail "json: task fields missing: $OUT"
pass "json: the task fields of the view"
run status nope --cluster ops
[ "$CODE" != 0 ] || fail "status of a missing service succeeded"
pass "status of a missing service fails (exit $CODE)"
# --- the project file names the service: `status` with no SERVICE, from its directory.
mkdir -p "$TMP/proj"
printf 'cluster: ops\nservice: web\n' >"$TMP/proj/ecsctl.yaml"
(cd "$TMP/proj" && run --output json status && printf '%s' "$CODE" >"$TMP/code" && printf '%s' "$OUT" >"$TMP/pout")
expect_eq "$(cat "$TMP/code")" 0 "status beside ecsctl.yaml"
expect_eq "$(jq -r '.tasks.running | length' "$TMP/pout")" 2 "status takes the project's service and cluster"
run --output json status --config "$TMP/proj/ecsctl.yaml"
expect_code 0 "status --config"
expect_eq "$(jq -r '.tasks.running | length' <<<"$OUT")" 2 "status --config takes the project's service"
run status
expect_code 252 "status with no SERVICE and no project file"
expect_in "$ERR" "ecsctl.yaml" "the usage error names the project file"

# --- execute-command through a fake session-manager-plugin.
TASK=$("$ECSCTL" list-tasks --cluster ops --service-name web --query 'taskArns[0]' --output text)
TASK_ID=${TASK##*/}
"$ECSCTL" describe-tasks --cluster ops --tasks "$TASK" --query 'tasks[0].containers[0].runtimeId' --output text >"$TMP/rid"
grep -qE "^$TASK_ID-[0-9]+$" "$TMP/rid" || fail "Fargate runtimeId: $(cat "$TMP/rid")"
pass "containers have a runtimeId"
mkdir -p "$TMP/bin"
cat >"$TMP/bin/session-manager-plugin" <<'SH'
#!/usr/bin/env bash
# Records its arguments (NUL-separated), one file per call, in $PLUGIN_LOG.
mkdir -p "$PLUGIN_LOG"
n=$(ls "$PLUGIN_LOG" | wc -l)
for a in "$@"; do printf '%s\0' "$a"; done >"$PLUGIN_LOG/call$n"
[ $# = 0 ] && echo "The Session Manager plugin was installed successfully. Use the AWS CLI to start a session."
exit 0
SH
chmod +x "$TMP/bin/session-manager-plugin"
export PATH="$TMP/bin:$PATH"

PLUGIN_LOG=$TMP/ecsctl-calls run --endpoint-url "$ENDPOINT" execute-command --cluster ops --task "$TASK" \
  --container web --interactive --command /bin/sh
expect_code 0 "ecsctl execute-command hands the session to the plugin"
[ -z "$OUT" ] || fail "execute-command printed on stdout: $OUT"
pass "stdout stays empty"
compare_plugin_calls() {  # DIR_A DIR_B
  python3 - "$1" "$2" <<'PY'
import json, os, re, sys
def calls(d):
    return [open(os.path.join(d, f), "rb").read().split(b"\0")[:-1] for f in sorted(os.listdir(d))]
a, b = calls(sys.argv[1]), calls(sys.argv[2])
assert len(a) == len(b) == 2, (len(a), len(b))
assert a[0] == b[0] == [], (a[0], b[0])          # the probe: no arguments
x, y = a[1], b[1]
assert len(x) == len(y) == 6, (x, y)
# The session: the same keys in the same form; the values are the session's own.
blank = lambda s: re.sub(rb'": "[^"]*"', b'": "-"', s)
assert blank(x[0]) == blank(y[0]), (x[0], y[0])
assert list(json.loads(x[0])) == ["sessionId", "streamUrl", "tokenValue"], x[0]
assert x[1:] == y[1:], (x[1:], y[1:])            # region, StartSession, profile, target, endpoint
print(x[1:])
PY
}
if command -v aws >/dev/null 2>&1; then
  export AWS_PAGER=""
  set +e
  PLUGIN_LOG=$TMP/aws-calls aws --endpoint-url "$ENDPOINT" ecs execute-command --cluster ops --task "$TASK" \
    --container web --interactive --command /bin/sh >"$TMP/aws.out" 2>"$TMP/aws.err"
  code=$?
  set -e
  [ "$code" = 0 ] || fail "aws ecs execute-command exited $code: $(cat "$TMP/aws.err")"
  compare_plugin_calls "$TMP/ecsctl-calls" "$TMP/aws-calls" >"$TMP/cmp" 2>&1 || fail "plugin arguments differ: $(cat "$TMP/cmp")"
  pass "session-manager-plugin gets the same arguments from ecsctl and the AWS CLI: $(cat "$TMP/cmp")"
  # The AWS CLI 2.9 speaks CloudWatch's Query protocol; the plane answers it in XML.
  set +e
  aws --endpoint-url "$ENDPOINT" cloudwatch get-metric-data --start-time $((NOW - 3600)) --end-time $((NOW + 60)) \
    --metric-data-queries '[{"Id":"mem","MetricStat":{"Metric":{"Namespace":"AWS/ECS","MetricName":"MemoryUtilization","Dimensions":[{"Name":"ClusterName","Value":"ops"},{"Name":"ServiceName","Value":"web"}]},"Period":60,"Stat":"Average"}}]' \
    --output json >"$TMP/aws.out" 2>"$TMP/aws.err"
  code=$?
  set -e
  [ "$code" = 0 ] || fail "aws cloudwatch get-metric-data exited $code: $(cat "$TMP/aws.err")"
  expect_eq "$(jq -r ".MetricDataResults[0].Values[0]" "$TMP/aws.out")" 30 "aws cloudwatch get-metric-data (Query) gets the memory figure"
else
  echo "skip - aws (the AWS CLI) is not installed: no comparison"
fi
python3 - "$TMP/ecsctl-calls/call1" "$TASK_ID" "$(cat "$TMP/rid")" "$ENDPOINT" <<'PY' || fail "plugin arguments"
import sys
args = open(sys.argv[1], "rb").read().decode().split("\0")[:-1]
assert args[1:4] == ["us-east-1", "StartSession", ""], args
assert args[4] == '{"Target": "ecs:ops_%s_%s"}' % (sys.argv[2], sys.argv[3]), args[4]
assert args[5] == sys.argv[4], args[5]
PY
pass "the plugin gets region, StartSession, the profile, ecs:CLUSTER_TASK_RUNTIMEID and the endpoint"

# --- exec SERVICE picks a running task; the command after --.
PLUGIN_LOG=$TMP/exec-calls run --endpoint-url "$ENDPOINT" exec web --cluster ops -- ls -l "/tmp/a b"
expect_code 0 "exec SERVICE"
expect_in "$ERR" "the newest of 2 running" "exec says which task it chose"
PLUGIN_LOG=$TMP/debug-calls "$ECSCTL" --debug --endpoint-url "$ENDPOINT" exec web --cluster ops >/dev/null 2>"$TMP/debug.err" </dev/null \
  || fail "exec --debug: $(tail -3 "$TMP/debug.err")"
grep -q '"tokenValue"' "$TMP/debug.err" || fail "--debug shows no ExecuteCommand response"
TOKEN=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1],"rb").read().split(b"\0")[0])["tokenValue"])' "$TMP/debug-calls/call1")
grep -qF "$TOKEN" "$TMP/debug.err" && fail "--debug printed the session token"
grep -q '"tokenValue": *"\*\*\*\*"' "$TMP/debug.err" || fail "the token is not masked in --debug"
pass "--debug masks the session token"

# A service without enableExecuteCommand: how to turn it on.
run create-service --cluster ops --service-name plain --task-definition web:1 --desired-count 1 --launch-type FARGATE \
  --network-configuration "$NET"
expect_code 0 "a service without enableExecuteCommand"
PLUGIN_LOG=$TMP/plain-calls run exec plain --cluster ops
expect_code 255 "exec on it fails"
expect_in "$ERR" "--enable-execute-command" "and says how to turn it on"
[ ! -e "$TMP/plain-calls" ] || fail "the plugin ran for a refused exec"
pass "the plugin is not started"

# The local plane refuses ExecuteCommand for a task started without it (as ECS).
PLAIN_TASK=""
for _ in $(seq 1 50); do
  PLAIN_TASK=$("$ECSCTL" list-tasks --cluster ops --service-name plain --query 'taskArns[0]' --output text)
  [ "$PLAIN_TASK" != None ] && break
  sleep 0.1
done
PLUGIN_LOG=$TMP/plain2-calls run execute-command --cluster ops --task "$PLAIN_TASK" --interactive --command /bin/sh
expect_code 254 "ExecuteCommand on a task without it"
expect_in "$ERR" "InvalidParameterException" "InvalidParameterException"
expect_in "$ERR" "execute command was not enabled" "with ECS's message"

# --- Without the plugin: 255, the install hint, no token.
PATH=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$TMP/bin" | paste -sd:) run execute-command --cluster ops --task "$TASK" \
  --container web --interactive --command /bin/sh
expect_code 255 "execute-command without the plugin"
expect_in "$ERR" "SessionManagerPlugin is not found" "the AWS CLI's message"
expect_in "$ERR" "session-manager-plugin-not-found" "and its documentation link"
expect_in "$ERR" "install" "an install hint"
grep -q "tokenValue" <<<"$OUT$ERR" && fail "a token was printed"
[ -z "$OUT" ] || fail "stdout not empty without the plugin: $OUT"
pass "no session and no token without the plugin"

echo "all $PASSES checks passed"
