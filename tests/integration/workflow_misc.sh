#!/usr/bin/env bash
# Scheduled tasks, target groups, cost and logs against `ecsctl local` (or
# offline where no server is needed).
source "$(dirname "$0")/workflow_lib.bash"

# Offline first: cost and schedule dry runs need no server.
cat >"$TMP/job.yaml" <<'YAML'
family: job
networkMode: awsvpc
requiresCompatibilities: [FARGATE]
cpu: "1024"
memory: "2048"
runtimePlatform: {cpuArchitecture: ARM64, operatingSystemFamily: LINUX}
containerDefinitions:
  - name: main
    image: ecsctl/exit:0
    portMappings: [{containerPort: 8080}]
YAML
run cost "$TMP/job.yaml" --count 2 --hours 10
expect_code 0 "cost of a file"
expect_eq "$(jq -r .architecture <<<"$OUT")" ARM64 "architecture from runtimePlatform"
expect_eq "$(jq -r '.alternative.architecture' <<<"$OUT")" X86_64 "x86 shown as the alternative"
jq -e '.total > 0 and .alternative.total > .total' <<<"$OUT" >/dev/null || fail "ARM is cheaper: $OUT"
pass "ARM cheaper than x86"
run cost "$TMP/job.yaml" --duration 10s
expect_eq "$(jq -r .billedSecondsPerTask <<<"$OUT")" 60 "one-minute minimum"

# Every commercial region has prices (eu-west-1 exited 252), Spot and Windows too.
run --region eu-west-1 cost "$TMP/job.yaml"
expect_code 0 "cost in eu-west-1"
expect_eq "$(jq -r .region <<<"$OUT")" eu-west-1 "priced in eu-west-1"
ONDEMAND=$(jq .total <<<"$OUT")
run --region ap-southeast-2 cost "$TMP/job.yaml" --spot
expect_code 0 "Fargate Spot in ap-southeast-2"
jq -e '.spot and .total > 0' <<<"$OUT" >/dev/null || fail "a Spot price: $OUT"
run --region eu-west-1 cost "$TMP/job.yaml" --spot
jq -e --argjson od "$ONDEMAND" '.total < $od' <<<"$OUT" >/dev/null || fail "Spot is cheaper than on-demand: $OUT"
pass "Spot is cheaper than on-demand"
sed 's/operatingSystemFamily: LINUX/operatingSystemFamily: WINDOWS_SERVER_2022_CORE/; s/cpuArchitecture: ARM64/cpuArchitecture: X86_64/' \
  "$TMP/job.yaml" >"$TMP/win.yaml"
run cost "$TMP/win.yaml" --no-env
expect_code 0 "a Windows task in us-east-1"
jq -e '.osLicensePerVcpuHour > 0 and .costPerTaskHour > (.pricePerVcpuHour * .vcpu + .pricePerGbHour * .memoryGB)' \
  <<<"$OUT" >/dev/null || fail "the Windows licence fee is added: $OUT"
pass "the Windows licence fee is added"
run --region xx-nowhere-1 cost "$TMP/job.yaml"
expect_code 252 "a region without prices is a usage error"
expect_in "$ERR" "eu-west-1" "the error lists the regions the table has"
# A template variable that cannot change the price need not be set.
sed 's|image: ecsctl/exit:0|image: "repo/app:${IMAGE_TAG}"|' "$TMP/job.yaml" >"$TMP/tagged.yaml"
run cost "$TMP/tagged.yaml" --no-env
expect_code 0 "cost without the image tag variable"
sed 's|cpu: "1024"|cpu: "${CPU}"|' "$TMP/job.yaml" >"$TMP/sized.yaml"
run cost "$TMP/sized.yaml" --no-env
[ "$CODE" != 0 ] || fail "a variable that sizes the task stays required"
pass "a variable that sizes the task stays required"
# --output text is a readable summary, not the unordered dump.
run --output text cost "$TMP/job.yaml" --count 2 --hours 10
expect_code 0 "cost --output text"
expect_in "$OUT" "2 tasks for 10 h:" "the text summary says what is priced"
expect_in "$OUT" "per task-hour:" "and the rate"

run create-scheduled-task nightly --schedule 'cron(0 3 * * ? *)' --task-definition job --dry-run
expect_code 0 "scheduled task --dry-run offline"
expect_eq "$(jq '.NextFireTimes | length' <<<"$OUT")" 5 "five fire times"
run create-scheduled-task nightly --schedule 'cron(0 3 * * * *)' --task-definition job --dry-run
expect_code 252 "day-of-month and day-of-week both set is refused"

start_workflow_local
run create-cluster --cluster-name wf
expect_code 0 "create-cluster"

run create-scheduled-task every5 --schedule 'rate(5 minutes)' --cluster wf --task-definition "$TMP/job.yaml" \
  --subnets subnet-0aaa --launch-type FARGATE
if [ "$CODE" = 0 ]; then
  pass "create-scheduled-task on Scheduler"
  run create-scheduled-task every5 --schedule 'rate(5 minutes)' --cluster wf --task-definition "$TMP/job.yaml" \
    --subnets subnet-0aaa --launch-type FARGATE
  expect_code 0 "creating it again is idempotent"
  run list-scheduled-tasks
  expect_eq "$(jq -r '.ScheduledTasks[0].Name' <<<"$OUT")" every5 "listed"
  run run-scheduled-task-now every5 --exit-code-from main
  expect_code 0 "run-scheduled-task-now waits for the exit code"
  run delete-scheduled-task every5
  expect_code 0 "delete-scheduled-task"
  run describe-scheduled-task every5
  expect_code 252 "gone after delete"
else
  echo "skip - scheduler not served by ecsctl local yet: $ERR"
fi

run create-scheduled-task hourly --schedule 'rate(1 hour)' --cluster wf --task-definition job --use-rules \
  --subnets subnet-0aaa --launch-type FARGATE
if [ "$CODE" = 0 ]; then
  pass "create-scheduled-task with --use-rules"
  run list-scheduled-tasks
  expect_eq "$(jq -r '[.ScheduledTasks[] | select(.Name == "hourly")][0].Kind' <<<"$OUT")" "EventBridge rule" \
    "list-scheduled-tasks shows the rule without --use-rules"
  run describe-scheduled-task hourly
  expect_code 0 "describe-scheduled-task finds the rule without --use-rules"
  run delete-scheduled-task hourly
  expect_code 0 "delete the rule without --use-rules"
  expect_eq "$("$ECSCTL" events list-rules --query 'length(Rules[?Name==`hourly`])')" 0 "the rule is gone"
  run delete-scheduled-task hourly
  expect_code 252 "deleting it again is an error"
  run delete-scheduled-task hourly --if-exists
  expect_code 0 "--if-exists: a missing scheduled task is not an error"
else
  echo "skip - EventBridge rules not served by ecsctl local yet: $ERR"
fi

run elbv2 create-target-group --name tg-bad --vpc-id vpc-1 --for-task-definition "$TMP/job.yaml" --container main \
  --target-type instance
expect_code 252 "a wrong target type for awsvpc is refused before any call"
run elbv2 create-target-group --name tg-job --vpc-id vpc-1 --for-task-definition "$TMP/job.yaml" --container main
if [ "$CODE" = 0 ]; then
  expect_eq "$(jq -r '.TargetGroups[0].TargetType' <<<"$OUT")" ip "target type ip for awsvpc"
  expect_eq "$(jq -r '.TargetGroups[0].Port' <<<"$OUT")" 8080 "port from the port mapping"
else
  echo "skip - elbv2 not served by ecsctl local yet: $ERR"
fi

echo "skip - logs: ecsctl local does not serve CloudWatch Logs; covered by unit tests with a fake"
echo "workflow_misc: $PASSES checks passed"
