#!/usr/bin/env bash
# ecsctl local: EventBridge rules (JSON 1.1) and Scheduler schedules
# (rest-json) whose ECS targets start tasks when they fire. In fast pacing
# schedule time runs 60 times faster: rate(1 minute) fires every second.
source "$(dirname "$0")/lib/local.bash"
start_local

# events OPERATION JSON: a signed EventBridge request (body in $TMP/body).
events() {
  local status
  status=$(curl -s -o "$TMP/body" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:events" --user "$AKID:$SECRET" \
    -H "X-Amz-Target: AWSEvents.$1" -H "Content-Type: application/x-amz-json-1.1" --data-binary "$2" "$ENDPOINT/")
  cat "$TMP/body"
  [ "$status" = 200 ]
}
# sched METHOD PATH [JSON]: a signed Scheduler request; HTTP status in $TMP/status.
sched() {
  local status args=()
  [ $# -ge 3 ] && args=(-H "Content-Type: application/json" --data-binary "$3")
  status=$(curl -s -o "$TMP/body" -w '%{http_code}' -X "$1" --aws-sigv4 "aws:amz:us-east-1:scheduler" --user "$AKID:$SECRET" \
    "${args[@]}" "$ENDPOINT$2")
  echo "$status" >"$TMP/status"
  cat "$TMP/body"
  [ "$status" = 200 ]
}
count_started_by() {
  ecs ListTasks "{\"cluster\":\"jobs\",\"startedBy\":\"$1\",\"desiredStatus\":\"${2:-RUNNING}\"}" | jq '.taskArns | length'
}

ecs CreateCluster '{"clusterName":"jobs"}' >/dev/null || fail "CreateCluster"
"$ECSCTL" local add-instances --state "$STATE" --cluster jobs --count 2 --cpu 4096 --memory 8192 >/dev/null || fail "add-instances"
ecs RegisterTaskDefinition '{"family":"report","containerDefinitions":[{"name":"report","image":"busybox","memory":64}]}' >/dev/null \
  || fail "RegisterTaskDefinition"
CLUSTER=arn:aws:ecs:us-east-1:123456789012:cluster/jobs
TDARN=arn:aws:ecs:us-east-1:123456789012:task-definition/report:1
ROLE=arn:aws:iam::123456789012:role/ecsEventsRole

# --- EventBridge.
events PutRule '{"Name":"bad","ScheduleExpression":"rate(1 minutes)"}' >/dev/null && fail "bad expression accepted"
expect_eq "$(jq -r .__type "$TMP/body")" ValidationException "bad schedule expression refused"
expect_eq "$(jq -r .message "$TMP/body")" "Parameter ScheduleExpression is not valid." "EventBridge's message"
events PutRule '{"Name":"every-minute","ScheduleExpression":"rate(1 minute)","State":"ENABLED"}' >/dev/null || fail "PutRule"
expect_eq "$(jq -r .RuleArn "$TMP/body")" arn:aws:events:us-east-1:123456789012:rule/every-minute "rule ARN"
events PutTargets "{\"Rule\":\"every-minute\",\"Targets\":[{\"Id\":\"report\",\"Arn\":\"$CLUSTER\",\"RoleArn\":\"$ROLE\",\"EcsParameters\":{\"TaskDefinitionArn\":\"$TDARN\",\"TaskCount\":2,\"LaunchType\":\"EC2\"}}]}" >/dev/null \
  || fail "PutTargets: $(cat "$TMP/body")"
expect_eq "$(jq -r .FailedEntryCount "$TMP/body")" 0 "PutTargets accepted"
expect_eq "$(events ListTargetsByRule '{"Rule":"every-minute"}' | jq -r '.Targets[0].EcsParameters.TaskCount')" 2 "ListTargetsByRule"
events DescribeRule '{"Name":"nope"}' >/dev/null && fail "unknown rule described"
expect_eq "$(jq -r .__type "$TMP/body")" ResourceNotFoundException "unknown rule"

for i in $(seq 1 60); do
  n=$(count_started_by events-rule/every-minute)
  [ "$n" -ge 4 ] && break
  sleep 0.1
done
[ "$n" -ge 4 ] || fail "the rule started $n tasks in 6 s"
pass "the rule fired (twice, TaskCount 2): $n tasks with startedBy events-rule/every-minute"
events DisableRule '{"Name":"every-minute"}' >/dev/null || fail "DisableRule"
sleep 0.3
before=$(( $(count_started_by events-rule/every-minute) + $(count_started_by events-rule/every-minute STOPPED) ))
sleep 2.5
after=$(( $(count_started_by events-rule/every-minute) + $(count_started_by events-rule/every-minute STOPPED) ))
expect_eq "$after" "$before" "a disabled rule does not fire"
events DeleteRule '{"Name":"every-minute"}' >/dev/null && fail "rule with targets deleted"
events RemoveTargets '{"Rule":"every-minute","Ids":["report"]}' >/dev/null || fail "RemoveTargets"
events DeleteRule '{"Name":"every-minute"}' >/dev/null || fail "DeleteRule"
pass "rule deleted after its targets"

# --- EventBridge Scheduler.
SCHEDULE="{\"ScheduleExpression\":\"rate(1 minute)\",\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"Target\":{\"Arn\":\"$CLUSTER\",\"RoleArn\":\"$ROLE\",\"EcsParameters\":{\"TaskDefinitionArn\":\"$TDARN\",\"TaskCount\":1}}}"
sched POST /schedules/nightly-report "$SCHEDULE" >/dev/null || fail "CreateSchedule: $(cat "$TMP/body")"
expect_eq "$(jq -r .ScheduleArn "$TMP/body")" arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly-report "schedule ARN"
sched POST /schedules/nightly-report "$SCHEDULE" >/dev/null && fail "duplicate schedule"
expect_eq "$(cat "$TMP/status")" 409 "duplicate schedule: 409"
sched GET /schedules/missing >/dev/null && fail "missing schedule found"
expect_eq "$(cat "$TMP/status"):$(jq -r .Message "$TMP/body")" "404:Schedule missing does not exist." "missing schedule: 404"
expect_eq "$(sched GET /schedules | jq -r '.Schedules[0].Name')" nightly-report "ListSchedules"
for i in $(seq 1 60); do
  n=$(count_started_by chronos-schedule/nightly-report)
  [ "$n" -ge 2 ] && break
  sleep 0.1
done
[ "$n" -ge 2 ] || fail "the schedule started $n tasks in 6 s"
pass "the schedule fired: $n tasks with startedBy chronos-schedule/nightly-report"
sched DELETE /schedules/nightly-report >/dev/null || fail "DeleteSchedule"

# --- The same through the AWS CLI.
if command -v aws >/dev/null 2>&1; then
  export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET AWS_DEFAULT_REGION=us-east-1
  unset AWS_PROFILE
  awsl() { aws --endpoint-url "$ENDPOINT" --output json "$@"; }
  awsl events put-rule --name cli-rule --schedule-expression "rate(1 minute)" >/dev/null || fail "aws events put-rule"
  awsl events put-targets --rule cli-rule --targets "[{\"Id\":\"t\",\"Arn\":\"$CLUSTER\",\"RoleArn\":\"$ROLE\",\"EcsParameters\":{\"TaskDefinitionArn\":\"$TDARN\"}}]" >/dev/null \
    || fail "aws events put-targets"
  expect_eq "$(awsl events describe-rule --name cli-rule | jq -r .State)" ENABLED "aws events describe-rule"
  for i in $(seq 1 60); do
    n=$(count_started_by events-rule/cli-rule)
    [ "$n" -ge 1 ] && break
    sleep 0.1
  done
  [ "$n" -ge 1 ] || fail "the rule made with aws did not fire"
  pass "rule made with aws events fired"
  awsl events disable-rule --name cli-rule || fail "aws events disable-rule"
  if awsl events describe-rule --name nope 2>"$TMP/err"; then fail "aws: unknown rule found"; fi
  grep -q ResourceNotFoundException "$TMP/err" || fail "aws error: $(cat "$TMP/err")"
  pass "aws events error code"
  awsl scheduler create-schedule --name cli-schedule --schedule-expression "cron(0 12 * * ? *)" \
    --schedule-expression-timezone Europe/Berlin --flexible-time-window Mode=OFF \
    --target "{\"Arn\":\"$CLUSTER\",\"RoleArn\":\"$ROLE\",\"EcsParameters\":{\"TaskDefinitionArn\":\"$TDARN\"}}" >/dev/null \
    || fail "aws scheduler create-schedule"
  expect_eq "$(awsl scheduler get-schedule --name cli-schedule | jq -r '.ScheduleExpressionTimezone + " " + .State')" "Europe/Berlin ENABLED" "aws scheduler get-schedule"
  if awsl scheduler get-schedule --name nope 2>"$TMP/err"; then fail "aws: unknown schedule found"; fi
  grep -q ResourceNotFoundException "$TMP/err" || fail "aws scheduler error: $(cat "$TMP/err")"
  pass "aws scheduler error code"
else
  echo "skip - aws not installed"
fi
echo "local_schedule: $PASSES checks passed"
