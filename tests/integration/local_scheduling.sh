#!/usr/bin/env bash
# ecsctl local: authentication, the local profile, clusters, three container
# instances, static host ports (the second task on an instance is refused),
# dynamic host ports, placement constraints and lifecycle with exit codes.
source "$(dirname "$0")/lib/local.bash"
start_local

# --- authentication -----------------------------------------------------------
code=$(curl -s -o "$TMP/noauth" -w '%{http_code}' -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters" \
  -H "Content-Type: application/x-amz-json-1.1" -d '{}' "$ENDPOINT/")
expect_eq "$code" 403 "unsigned request refused with 403"
code=$(curl -s -o "$TMP/badkey" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:ecs" --user "AKIAOTHERKEY00000000:wrongsecret" \
  -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters" -H "Content-Type: application/x-amz-json-1.1" -d '{}' "$ENDPOINT/")
expect_eq "$code" 400 "request signed with other keys refused with 400"
expect_eq "$(jq -r .__type "$TMP/badkey")" UnrecognizedClientException "foreign key gets UnrecognizedClientException"
grep -q "$SECRET" "$STATE/server.log" && fail "the secret appears in the log"
pass "log has no secret"
stat -c %a "$STATE/credentials.json" | grep -qx 600 || fail "credentials.json is not 0600"
pass "credentials are 0600"
grep -q "endpoint_url = $ENDPOINT" "$AWS_CONFIG_FILE" || fail "no endpoint_url in the local profile"
grep -q "aws_access_key_id = $AKID" "$AWS_SHARED_CREDENTIALS_FILE" || fail "no key in the local credentials"
pass "local profile written"
"$ECSCTL" local env --state "$STATE" | grep -qx "export AWS_ENDPOINT_URL=$ENDPOINT" || fail "local env"
pass "local env"

# --- clusters ----------------------------------------------------------------
ecs CreateCluster '{"clusterName":"sched"}' >/dev/null || fail "CreateCluster"
arn=$(ecs DescribeClusters '{"clusters":["sched","ghost"]}' | jq -r '.clusters[0].clusterArn')
expect_eq "$arn" "arn:aws:ecs:us-east-1:123456789012:cluster/sched" "cluster ARN"
expect_eq "$(ecs DescribeClusters '{"clusters":["ghost"]}' | jq -r '.failures[0].reason')" MISSING "missing cluster reported as MISSING"
ecs ListTasks '{"cluster":"ghost"}' >/dev/null && fail "ListTasks on a missing cluster succeeded"
expect_eq "$(jq -r .__type "$TMP/body")" ClusterNotFoundException "ClusterNotFoundException"
ecs RunTask '{"cluster":"sched","count":"two","taskDefinition":"x"}' >/dev/null && fail "ill-typed count accepted"
pass "ill-typed member refused ($(jq -r .__type "$TMP/body"))"
ecs RunTask '{"cluster":"sched"}' >/dev/null && fail "missing taskDefinition accepted"
expect_eq "$(jq -r .__type "$TMP/body")" InvalidParameterException "missing required member"

# --- three instances -----------------------------------------------------------
"$ECSCTL" local add-instances --state "$STATE" --cluster sched --count 3 --cpu 1024 --memory 2048 \
  --attribute team=blue --zone us-east-1a --zone us-east-1b --zone us-east-1c >"$TMP/added.json" || fail "add-instances"
expect_eq "$(jq '.containerInstances | length' "$TMP/added.json")" 3 "three instances added"
mapfile -t INST < <(jq -r '.containerInstances[].containerInstanceArn' "$TMP/added.json")
# Issue 16: registeredAt in ISO 8601, exactly as describe-container-instances prints it (not epoch seconds).
added_at=$(jq -r '.containerInstances[0].registeredAt' "$TMP/added.json")
[[ $added_at =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?[+-][0-9]{2}:[0-9]{2}$ ]] \
  || fail "add-instances prints registeredAt as '$added_at', not ISO 8601"
described_at=$("$ECSCTL" --profile local describe-container-instances --cluster sched --container-instances "${INST[0]}" \
  --query 'containerInstances[0].registeredAt' --output text) || fail "describe-container-instances"
expect_eq "$added_at" "$described_at" "add-instances prints registeredAt as describe-container-instances does"
expect_eq "$(ecs ListContainerInstances '{"cluster":"sched"}' | jq '.containerInstanceArns | length')" 3 "three instances listed"
expect_eq "$(ecs ListContainerInstances '{"cluster":"sched","filter":"attribute:ecs.availability-zone == us-east-1b"}' | jq '.containerInstanceArns | length')" 1 "filter by zone"
expect_eq "$("$ECSCTL" local status --state "$STATE" | jq .counts.containerInstances)" 3 "local status counts"

# --- static host ports -------------------------------------------------------
ecs RegisterTaskDefinition '{"family":"web","containerDefinitions":[{"name":"web","image":"nginx","memory":128,"cpu":128,"portMappings":[{"containerPort":80,"hostPort":80}]}]}' >/dev/null || fail "register web"
expect_eq "$(jq -r .taskDefinition.revision "$TMP/body")" 1 "first revision is 1"
ecs StartTask "{\"cluster\":\"sched\",\"taskDefinition\":\"web\",\"containerInstances\":[\"${INST[0]}\"]}" >/dev/null || fail "StartTask 1"
expect_eq "$(jq '.tasks[0].containers[0].networkBindings[0].hostPort' "$TMP/body")" 80 "static host port bound"
ecs StartTask "{\"cluster\":\"sched\",\"taskDefinition\":\"web\",\"containerInstances\":[\"${INST[0]}\"]}" >/dev/null || fail "StartTask 2"
expect_eq "$(jq -r '.failures[0].reason' "$TMP/body")" RESOURCE:PORTS "second task on the same instance refused"
expect_eq "$(jq -r '.failures[0].arn' "$TMP/body")" "${INST[0]}" "failure names the instance"
ecs RunTask '{"cluster":"sched","taskDefinition":"web","count":3}' >/dev/null || fail "RunTask 3 static"
expect_eq "$(jq '.tasks | length' "$TMP/body")" 2 "only two more fit (one port 80 per instance)"
expect_eq "$(jq -r '[.failures[].reason] | unique | join(",")' "$TMP/body")" RESOURCE:PORTS "the rest fail with RESOURCE:PORTS"

# --- dynamic host ports --------------------------------------------------------
ecs RegisterTaskDefinition '{"family":"dyn","containerDefinitions":[{"name":"app","image":"busybox","memory":64,"cpu":32,"portMappings":[{"containerPort":8080,"hostPort":0}]}]}' >/dev/null || fail "register dyn"
ecs RunTask "{\"cluster\":\"sched\",\"taskDefinition\":\"dyn\",\"count\":5,\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.availability-zone == us-east-1b\"}]}" >/dev/null || fail "RunTask dyn"
expect_eq "$(jq '.tasks | length' "$TMP/body")" 5 "five dynamic-port tasks placed"
expect_eq "$(jq '[.tasks[].containerInstanceArn] | unique | length' "$TMP/body")" 1 "all on the memberOf instance"
expect_eq "$(jq '[.tasks[].containers[0].networkBindings[0].hostPort] | unique | length' "$TMP/body")" 5 "each has its own host port"
expect_eq "$(jq '[.tasks[].containers[0].networkBindings[0].hostPort | select(. >= 49153 and . <= 65535)] | length' "$TMP/body")" 5 "host ports in the ephemeral range"

# --- resources -------------------------------------------------------------------
ecs RunTask '{"cluster":"sched","taskDefinition":"web","count":1,"overrides":{"memory":"99999"}}' >/dev/null || fail "RunTask big"
expect_eq "$(jq -r '.failures[0].reason' "$TMP/body")" RESOURCE:MEMORY "too much memory fails with RESOURCE:MEMORY"
remaining=$(ecs DescribeContainerInstances "{\"cluster\":\"sched\",\"containerInstances\":[\"${INST[0]}\"]}" | jq '.containerInstances[0].remainingResources[] | select(.name=="CPU") | .integerValue')
expect_eq "$remaining" 896 "remaining CPU reflects the placed task"

# --- lifecycle, exit codes and stop ---------------------------------------------
ecs RegisterTaskDefinition '{"family":"crash","containerDefinitions":[{"name":"c","image":"ecsctl/exit:3","memory":32}]}' >/dev/null || fail "register crash"
task=$(ecs RunTask '{"cluster":"sched","taskDefinition":"crash"}' | jq -r '.tasks[0].taskArn')
wait_for '.tasks[0].lastStatus == "STOPPED"' DescribeTasks "{\"cluster\":\"sched\",\"tasks\":[\"$task\"]}"
expect_eq "$(ecs DescribeTasks "{\"cluster\":\"sched\",\"tasks\":[\"$task\"]}" | jq -r '.tasks[0].containers[0].exitCode')" 3 "container exit code"
expect_eq "$(jq -r '.tasks[0].stopCode' "$TMP/body")" EssentialContainerExited "stop code"
ecs RegisterTaskDefinition '{"family":"nopull","containerDefinitions":[{"name":"c","image":"ecsctl/pull-error","memory":32}]}' >/dev/null || fail "register nopull"
task=$(ecs RunTask '{"cluster":"sched","taskDefinition":"nopull"}' | jq -r '.tasks[0].taskArn')
wait_for '.tasks[0].lastStatus == "STOPPED"' DescribeTasks "{\"cluster\":\"sched\",\"tasks\":[\"$task\"]}"
ecs DescribeTasks "{\"cluster\":\"sched\",\"tasks\":[\"$task\"]}" | jq -r '.tasks[0].stoppedReason' | grep -q '^CannotPullContainerError' || fail "pull error reason"
pass "CannotPullContainerError"
web=$(ecs ListTasks '{"cluster":"sched","family":"web"}' | jq -r '.taskArns[0]')
wait_for '.tasks[0].lastStatus == "RUNNING"' DescribeTasks "{\"cluster\":\"sched\",\"tasks\":[\"$web\"]}"
ecs StopTask "{\"cluster\":\"sched\",\"task\":\"$web\",\"reason\":\"test\"}" >/dev/null || fail "StopTask"
wait_for '.tasks[0].lastStatus == "STOPPED"' DescribeTasks "{\"cluster\":\"sched\",\"tasks\":[\"$web\"]}"
expect_eq "$(jq -r '.tasks[0].stoppedReason' "$TMP/body")" test "stopped reason kept"
echo "local_scheduling: $PASSES checks passed"
