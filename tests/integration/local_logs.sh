#!/usr/bin/env bash
# CloudWatch Logs of `ecsctl local`: `run-task --follow` and `ecsctl logs`
# (one task, a service with --follow) show the simulated runtime's lines;
# the AWS CLI's `aws logs get-log-events` / `describe-log-streams` /
# `filter-log-events` read the same events; PutLogEvents and the errors of
# CloudWatch Logs; an unknown operation says what is not implemented; the
# events survive a restart; a --follow whose logs cannot be read warns and
# still waits for the task.
source "$(dirname "$0")/workflow_lib.bash"
start_workflow_local

# cwlogs OPERATION JSON: a signed CloudWatch Logs call with curl; prints the body,
# leaves the HTTP status in $TMP/status.
cwlogs() {
  local status
  status=$(curl -s -o "$TMP/logs.body" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:logs" --user "$AKID:$SECRET" \
    -H "X-Amz-Target: $1" -H "Content-Type: application/x-amz-json-1.1" --data-binary "$2" "$ENDPOINT/")
  echo "$status" >"$TMP/status"
  cat "$TMP/logs.body"
}

# --- an unknown operation is never an empty error --------------------------------
body=$(cwlogs Logs_20140328.StartQuery '{"logGroupName":"x","startTime":1,"endTime":2,"queryString":"fields @message"}')
expect_eq "$(cat "$TMP/status")" 400 "an operation the plane lacks: HTTP 400"
expect_eq "$(jq -r .__type <<<"$body")" UnknownOperationException "an operation the plane lacks: UnknownOperationException"
expect_in "$(jq -r .message <<<"$body")" "does not implement the operation StartQuery of Logs_20140328" "the message names the operation"
body=$(cwlogs Nonesuch_20200101.DoIt '{}')
expect_in "$(jq -r .message <<<"$body")" "does not serve X-Amz-Target 'Nonesuch_20200101.DoIt'" "an unknown service is named"
expect_in "$(jq -r .message <<<"$body")" "Logs_20140328" "and the message lists the APIs served"

# --- run-task --follow: the simulated runtime's lines, then the exit code ----------
run create-cluster --cluster-name wf
expect_code 0 "create-cluster"
cat >"$TMP/job.json" <<'JSON'
{"family": "job", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
 "containerDefinitions": [{"name": "main", "image": "ecsctl/exit:3", "essential": true,
   "logConfiguration": {"logDriver": "awslogs",
     "options": {"awslogs-group": "/ecs/job", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "job"}}}]}
JSON
NET=(--cluster wf --launch-type FARGATE --subnets subnet-0aaa)
run run-task "${NET[@]}" --task-definition "$TMP/job.json" --follow --exit-code-from main
expect_code 3 "run-task --follow --exit-code-from: the container's exit code"
expect_in "$ERR" "[ecsctl-local simulated runtime] container main started (image ecsctl/exit:3)" "--follow streams the start line"
expect_in "$ERR" "no process runs" "the line says that nothing really ran"
expect_in "$ERR" "container main stopped with exit code 3 (Essential container in task exited)" "--follow streams the exit line"
expect_in "$ERR" "log group /ecs/job did not exist, so it was created" "the missing group is reported, not hidden"
if grep -q UnknownOperationException <<<"$ERR"; then fail "run-task --follow still hits UnknownOperationException: $ERR"; fi
TASK=$(jq -r '.tasks[0].taskArn' <<<"$OUT")
ID=${TASK##*/}
STREAM=job/main/$ID

# --- ecsctl logs --task, compared with the AWS CLI --------------------------------
run logs --cluster wf --task "$ID" --since 1h
expect_code 0 "ecsctl logs --task"
ours=$(sed -E 's/^[0-9T:-]+Z //' <<<"$OUT")
expect_eq "$(wc -l <<<"$ours")" 3 "ecsctl logs prints the task's three lines"

export AWS_PAGER="" AWS_DEFAULT_OUTPUT=json AWS_EC2_METADATA_DISABLED=true
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
export https_proxy=$HTTPS_PROXY http_proxy=$HTTP_PROXY no_proxy=$NO_PROXY
if command -v aws >/dev/null 2>&1; then
  EP=()
  aws logs describe-log-groups >/dev/null 2>&1 || EP=(--endpoint-url "$ENDPOINT")  # a CLI without AWS_ENDPOINT_URL
  awsl() {
    set +e
    aws "${EP[@]}" logs "$@" >"$TMP/aws.out" 2>"$TMP/aws.err"
    CODE=$?
    set -e
    OUT=$(cat "$TMP/aws.out")
    ERR=$(cat "$TMP/aws.err")
  }
  awsl get-log-events --log-group-name /ecs/job --log-stream-name "$STREAM" --start-from-head
  expect_code 0 "aws logs get-log-events"
  expect_eq "$(jq -r '.events[].message' <<<"$OUT")" "$ours" "aws logs get-log-events returns what ecsctl logs printed"
  expect_eq "$(jq -r '.nextForwardToken | test("^f/[0-9]{56}/s$")' <<<"$OUT")" true "nextForwardToken has CloudWatch's shape"
  fwd=$(jq -r .nextForwardToken <<<"$OUT")
  awsl get-log-events --log-group-name /ecs/job --log-stream-name "$STREAM" --next-token "$fwd"
  expect_eq "$(jq -r '.events | length' <<<"$OUT")" 0 "reading on from nextForwardToken at the end: nothing"
  expect_eq "$(jq -r .nextForwardToken <<<"$OUT")" "$fwd" "and the same token back"
  awsl describe-log-streams --log-group-name /ecs/job
  expect_code 0 "aws logs describe-log-streams"
  expect_eq "$(jq -r '.logStreams[].logStreamName' <<<"$OUT")" "$STREAM" "the stream is prefix/container/task-id"
  expect_eq "$(jq -r '.logStreams[0].arn' <<<"$OUT")" \
    "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/job:log-stream:$STREAM" "the stream's ARN"
  awsl filter-log-events --log-group-name /ecs/job --filter-pattern '"exit code 3"'
  expect_eq "$(jq -r '.events | length' <<<"$OUT")" 1 "aws logs filter-log-events with a quoted phrase"

  # PutLogEvents and GetLogEvents through the AWS CLI.
  awsl create-log-group --log-group-name /app/manual
  expect_code 0 "aws logs create-log-group"
  awsl create-log-group --log-group-name /app/manual
  expect_in "$ERR" "(ResourceAlreadyExistsException)" "a second create-log-group: ResourceAlreadyExistsException"
  awsl create-log-stream --log-group-name /app/manual --log-stream-name s1
  expect_code 0 "aws logs create-log-stream"
  now=$(($(date +%s) * 1000))
  awsl put-log-events --log-group-name /app/manual --log-stream-name s1 \
    --log-events "timestamp=$now,message=GET /a 200" "timestamp=$((now + 1)),message=GET /b 500 ERROR" \
    "timestamp=$((now + 2)),message=GET /health 200"
  expect_code 0 "aws logs put-log-events"
  awsl get-log-events --log-group-name /app/manual --log-stream-name s1 --limit 2
  expect_eq "$(jq -r '[.events[].message] | join("|")' <<<"$OUT")" "GET /b 500 ERROR|GET /health 200" \
    "get-log-events without --start-from-head: the newest events"
  back=$(jq -r .nextBackwardToken <<<"$OUT")
  awsl get-log-events --log-group-name /app/manual --log-stream-name s1 --limit 2 --next-token "$back"
  expect_eq "$(jq -r '[.events[].message] | join("|")' <<<"$OUT")" "GET /a 200" "nextBackwardToken reads the older ones"
  awsl filter-log-events --log-group-name /app/manual --filter-pattern "GET -health"
  expect_eq "$(jq -r '[.events[].message] | join("|")' <<<"$OUT")" "GET /a 200|GET /b 500 ERROR" "filter-log-events: a term and an exclusion"
  awsl filter-log-events --log-group-name /app/manual --filter-pattern '{ $.level = "x" }'
  expect_in "$ERR" "(InvalidParameterException)" "a JSON filter pattern is refused, not mismatched"
  awsl describe-log-streams --log-group-name /nope
  expect_in "$ERR" "(ResourceNotFoundException) when calling the DescribeLogStreams operation: The specified log group does not exist." \
    "a missing group: ResourceNotFoundException, as CloudWatch words it"
  awsl put-log-events --log-group-name /app/manual --log-stream-name nope --log-events "timestamp=$now,message=x"
  expect_in "$ERR" "The specified log stream does not exist." "put-log-events to a missing stream"
else
  echo "skip - aws (the AWS CLI) is not installed: the AWS CLI checks"
fi

# --- ecsctl logs SERVICE --follow --------------------------------------------------
cat >"$TMP/web.json" <<'JSON'
{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
 "containerDefinitions": [{"name": "app", "image": "nginx:1", "essential": true,
   "logConfiguration": {"logDriver": "awslogs",
     "options": {"awslogs-group": "/ecs/web", "awslogs-create-group": "true", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"}}}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/web.json"
expect_code 0 "register web"
run create-service --cluster wf --service-name web --task-definition web --desired-count 2 --launch-type FARGATE \
  --network-configuration "awsvpcConfiguration={subnets=[subnet-0aaa]}"
expect_code 0 "create-service web"
"$ECSCTL" logs web --cluster wf --follow --since 5m >"$TMP/follow.out" 2>"$TMP/follow.err" &
FOLLOW=$!
for _ in $(seq 1 100); do
  [ "$(grep -c "container app started" "$TMP/follow.out" || true)" -ge 2 ] && break
  sleep 0.1
done
kill -INT "$FOLLOW"
set +e
wait "$FOLLOW"
CODE=$?
set -e
expect_eq "$(grep -c "container app started (image nginx:1)" "$TMP/follow.out")" 2 "logs --follow shows both tasks' start lines"
expect_in "$(cat "$TMP/follow.out")" " web/app/" "a service's lines carry their stream"
if grep -q "did not exist" "$TMP/follow.out"; then fail "awslogs-create-group true must not be reported as a missing group"; fi
expect_eq "$CODE" 130 "logs --follow ends with 130 on Ctrl-C"

# --- a --follow whose logs cannot be read still waits for the task -----------------
long=$(printf 'g%.0s' $(seq 1 600))
jq --arg g "/$long" '.family = "badlog" | .containerDefinitions[0].logConfiguration.options["awslogs-group"] = $g' \
  "$TMP/job.json" >"$TMP/badlog.json"
run run-task "${NET[@]}" --task-definition "$TMP/badlog.json" --follow --exit-code-from main
expect_code 3 "logs that cannot be read: the task's own exit code"
expect_in "$ERR" "warning: --follow: cannot read the task's logs" "the failure to read logs is said"
expect_in "$ERR" "still waiting for the task, without its logs" "and that the wait goes on"

# --- the events survive a restart --------------------------------------------------
"$ECSCTL" local down --state "$STATE" >/dev/null
"$ECSCTL" local up --port "$PORT" --state "$STATE" --detach >/dev/null || fail "local up again"
run logs --cluster wf --task "$ID" --since 1h
expect_eq "$(sed -E 's/^[0-9T:-]+Z //' <<<"$OUT")" "$ours" "the task's lines are still there after a restart"

echo "all $PASSES checks passed"
