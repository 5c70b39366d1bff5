#!/usr/bin/env bash
# The AWS CLI (`aws`, not ecsctl) against `ecsctl local`, configured only by
# `eval "$(ecsctl local env)"`: a cluster with three simulated EC2 instances,
# static host ports (never two on one instance, RESOURCE:PORTS when full),
# dynamic host ports, a Fargate awsvpc service that `aws ecs wait
# services-stable` sees settle, awsvpc addresses, the deployment circuit
# breaker (rollback to the previous revision; a FAILED deployment without
# rollback), and AWS error codes. Only `ecsctl local add-instances` is ecsctl.
source "$(dirname "$0")/lib/local.bash"
if ! command -v aws >/dev/null 2>&1; then
  echo "skip - aws (the AWS CLI) is not installed"
  exit 0
fi

start_local
unset AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_SESSION_TOKEN
env_lines=$("$ECSCTL" local env --state "$STATE")
grep -qx "export AWS_DEFAULT_REGION=us-east-1" <<<"$env_lines" || fail "local env sets no AWS_DEFAULT_REGION (the AWS CLI v1 reads only that): $env_lines"
pass "local env exports AWS_DEFAULT_REGION for the AWS CLI v1"
eval "$env_lines"
export AWS_PAGER="" AWS_DEFAULT_OUTPUT=json AWS_EC2_METADATA_DISABLED=true
# Safety net: anything not sent to 127.0.0.1 goes to a dead local proxy.
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
export https_proxy=$HTTPS_PROXY http_proxy=$HTTP_PROXY no_proxy=$NO_PROXY

# awsr ARGS...: runs `aws ecs ARGS`; sets OUT, ERR and CODE (never fails the script).
EP=()
awsr() {
  set +e
  aws "${EP[@]}" ecs "$@" >"$TMP/aws.out" 2>"$TMP/aws.err"
  CODE=$?
  set -e
  OUT=$(cat "$TMP/aws.out")
  ERR=$(cat "$TMP/aws.err")
}
# awsok ARGS...: like awsr, but the call must succeed.
awsok() {
  awsr "$@"
  [ "$CODE" = 0 ] || fail "aws ecs $1 exited $CODE: $ERR"
}
q() { jq -r "$1" <<<"$OUT"; }

# Does this AWS CLI honour AWS_ENDPOINT_URL (botocore >= 1.31)? If not, pass --endpoint-url.
awsr list-clusters
if [ "$CODE" != 0 ]; then
  echo "# aws $(aws --version 2>&1) ignores AWS_ENDPOINT_URL ($ERR); using --endpoint-url"
  EP=(--endpoint-url "$ENDPOINT")
  awsok list-clusters
fi
expect_eq "$(q '.clusterArns | length')" 0 "aws ecs list-clusters reaches the local server"

# --- errors ------------------------------------------------------------------
awsr describe-services --cluster nope --services x
[ "$CODE" != 0 ] || fail "describe-services on a missing cluster succeeded"
grep -q "(ClusterNotFoundException)" <<<"$ERR" || fail "no ClusterNotFoundException in: $ERR"
pass "missing cluster: ClusterNotFoundException, exit $CODE"
awsok describe-clusters --clusters nope
expect_eq "$(q '.failures[0].reason')" MISSING "describe-clusters reports a missing cluster in failures[]"
awsr run-task --cluster nope --task-definition nothing
grep -q "(ClusterNotFoundException)" <<<"$ERR" || fail "run-task on a missing cluster: $ERR"
pass "run-task on a missing cluster: ClusterNotFoundException"

# --- EC2 capacity: three instances ----------------------------------------------
awsok create-cluster --cluster-name ec2
expect_eq "$(q .cluster.status)" ACTIVE "create-cluster"
"$ECSCTL" local add-instances --state "$STATE" --cluster ec2 --count 3 --cpu 1024 --memory 2048 \
  --zone us-east-1a --zone us-east-1b --zone us-east-1c >/dev/null || fail "ecsctl local add-instances"
awsok list-container-instances --cluster ec2
mapfile -t INST < <(q '.containerInstanceArns[]')
expect_eq "${#INST[@]}" 3 "list-container-instances: three instances"
awsok describe-container-instances --cluster ec2 --container-instances "${INST[@]}"
expect_eq "$(q '[.containerInstances[] | select(.status == "ACTIVE" and .agentConnected)] | length')" 3 "three ACTIVE connected instances"
expect_eq "$(q '[.containerInstances[].attributes[] | select(.name == "ecs.availability-zone") | .value] | sort | join(",")')" \
  us-east-1a,us-east-1b,us-east-1c "one instance per zone"

# --- static host port: one task per instance ----------------------------------
awsok register-task-definition --family static --network-mode bridge --requires-compatibilities EC2 \
  --container-definitions '[{"name":"web","image":"nginx","memory":128,"cpu":128,"portMappings":[{"containerPort":80,"hostPort":8080}]}]'
expect_eq "$(q .taskDefinition.revision)" 1 "register-task-definition static:1"
awsok run-task --cluster ec2 --task-definition static:1 --count 3 --placement-constraints type=distinctInstance
expect_eq "$(q '.tasks | length')" 3 "distinctInstance: three tasks placed"
expect_eq "$(q '[.tasks[].containerInstanceArn] | unique | length')" 3 "distinctInstance: on three different instances"
expect_eq "$(q '[.tasks[].containers[0].networkBindings[0].hostPort] | unique | join(",")')" 8080 "static host port 8080 bound"
expect_eq "$(q '.failures | length')" 0 "no failures while capacity lasts"
# Every instance now holds port 8080: a fourth task has nowhere to go.
awsok run-task --cluster ec2 --task-definition static:1 --count 2
expect_eq "$(q '.tasks | length')" 0 "no further task with port 8080 is placed"
expect_eq "$(q '[.failures[].reason] | unique | join(",")')" RESOURCE:PORTS "failures[] give RESOURCE:PORTS"
awsok start-task --cluster ec2 --task-definition static:1 --container-instances "${INST[0]}"
expect_eq "$(q '.tasks | length'),$(q '.failures[0].reason')" 0,RESOURCE:PORTS "start-task on an instance holding the port: RESOURCE:PORTS"
expect_eq "$(q '.failures[0].arn')" "${INST[0]}" "the failure names the instance"
awsok list-tasks --cluster ec2 --family static
mapfile -t STATIC < <(q '.taskArns[]')
expect_eq "${#STATIC[@]}" 3 "list-tasks: three static tasks"
awsok describe-tasks --cluster ec2 --tasks "${STATIC[@]}"
expect_eq "$(q '[.tasks[].containerInstanceArn] | group_by(.) | map(length) | max')" 1 "never two port-8080 tasks on one instance"
awsok describe-container-instances --cluster ec2 --container-instances "${INST[@]}"
expect_eq "$(q '[.containerInstances[] | .remainingResources[] | select(.name == "PORTS") | .stringSetValue | index("8080") != null] | all')" true \
  "remainingResources PORTS hold 8080 on every instance"

# --- dynamic host ports: several tasks on one instance -------------------------
awsok register-task-definition --family dyn \
  --container-definitions '[{"name":"app","image":"busybox","memory":64,"cpu":32,"portMappings":[{"containerPort":8080,"hostPort":0}]}]'
awsok describe-container-instances --cluster ec2 --container-instances "${INST[1]}"
ec2id=$(q '.containerInstances[0].ec2InstanceId')
awsok run-task --cluster ec2 --task-definition dyn --count 4 --placement-constraints "type=memberOf,expression=ec2InstanceId == $ec2id"
expect_eq "$(q '.tasks | length')" 4 "four dynamic-port tasks placed"
expect_eq "$(q '[.tasks[].containerInstanceArn] | unique | join(",")')" "${INST[1]}" "memberOf: all on $ec2id"
expect_eq "$(q '[.tasks[].containers[0].networkBindings[0].hostPort] | unique | length')" 4 "each with its own host port"
expect_eq "$(q '[.tasks[].containers[0].networkBindings[0].hostPort | select(. >= 49153 and . <= 65535)] | length')" 4 "host ports from 49153-65535"
mapfile -t DYN < <(q '.tasks[].taskArn')
timeout 120 aws "${EP[@]}" ecs wait tasks-running --cluster ec2 --tasks "${DYN[@]}" || fail "aws ecs wait tasks-running"
pass "aws ecs wait tasks-running"

# --- a Fargate awsvpc service ---------------------------------------------------
awsok create-cluster --cluster-name svc
awsok register-task-definition --family api --network-mode awsvpc --requires-compatibilities FARGATE --cpu 256 --memory 512 \
  --container-definitions '[{"name":"api","image":"nginx","portMappings":[{"containerPort":80}]}]'
TD1=$(q .taskDefinition.taskDefinitionArn)
expect_eq "$TD1" arn:aws:ecs:us-east-1:123456789012:task-definition/api:1 "register api:1"
NET='awsvpcConfiguration={subnets=[subnet-0aaa,subnet-0bbb],assignPublicIp=DISABLED}'
awsr create-service --cluster svc --service-name api --task-definition api --desired-count 2 --launch-type FARGATE
[ "$CODE" != 0 ] && grep -q "(InvalidParameterException)" <<<"$ERR" || fail "awsvpc service without network configuration: exit $CODE, $ERR"
pass "awsvpc service without --network-configuration: InvalidParameterException"
awsok create-service --cluster svc --service-name api --task-definition api --desired-count 2 --launch-type FARGATE \
  --network-configuration "$NET" \
  --deployment-configuration 'deploymentCircuitBreaker={enable=true,rollback=true},maximumPercent=200,minimumHealthyPercent=50'
expect_eq "$(q .service.serviceArn)" arn:aws:ecs:us-east-1:123456789012:service/svc/api "create-service"
timeout 300 aws "${EP[@]}" ecs wait services-stable --cluster svc --services api || fail "aws ecs wait services-stable"
pass "aws ecs wait services-stable"
awsok describe-services --cluster svc --services api
expect_eq "$(q '.services[0] | [.runningCount, .pendingCount, (.deployments | length), .deployments[0].rolloutState] | join(",")')" \
  2,0,1,COMPLETED "steady: two running, one COMPLETED deployment"
q '.services[0].events[].message' | grep -q "(service api) has reached a steady state." || fail "no steady-state event"
pass "steady-state event"
awsok list-tasks --cluster svc --service-name api
mapfile -t API < <(q '.taskArns[]')
expect_eq "${#API[@]}" 2 "list-tasks --service-name: two tasks"
awsok describe-tasks --cluster svc --tasks "${API[@]}"
expect_eq "$(q '[.tasks[] | select(.lastStatus == "RUNNING" and .launchType == "FARGATE")] | length')" 2 "two RUNNING Fargate tasks"
expect_eq "$(q '[.tasks[].attachments[0] | select(.type == "ElasticNetworkInterface" and .status == "ATTACHED")] | length')" 2 "ENI attachments ATTACHED"
ips=$(q '.tasks[].attachments[0].details[] | select(.name == "privateIPv4Address") | .value')
expect_eq "$(sort -u <<<"$ips" | grep -Ec '^10\.[0-9]+\.[0-9]+\.[0-9]+$')" 2 "two distinct private IPv4 addresses in 10/8"
expect_eq "$(q '[.tasks[].containers[0].networkInterfaces[0].privateIpv4Address] | sort | join(",")')" "$(sort <<<"$ips" | paste -sd,)" \
  "containers[].networkInterfaces carry the same addresses"
expect_eq "$(q '[.tasks[].attachments[0].details[] | select(.name == "subnetId") | .value | IN("subnet-0aaa","subnet-0bbb")] | all')" true "ENIs in the service's subnets"

# --- a failing deployment: the circuit breaker rolls back to api:1 ----------------
awsok register-task-definition --family api --network-mode awsvpc --requires-compatibilities FARGATE --cpu 256 --memory 512 \
  --container-definitions '[{"name":"api","image":"ecsctl/exit:1"}]'
TD2=$(q .taskDefinition.taskDefinitionArn)
awsok update-service --cluster svc --service api --task-definition api:2
failed_id=$(q '.service.deployments[0].id')
expect_eq "$(q '.service.deployments[0] | [.status, .taskDefinition, .rolloutState] | join(",")')" "PRIMARY,$TD2,IN_PROGRESS" "update-service starts a deployment of api:2"
saw_failed=no
deadline=$((SECONDS + 90))
while :; do
  awsok describe-services --cluster svc --services api
  [ "$(q "[.services[0].deployments[] | select(.id == \"$failed_id\" and .rolloutState == \"FAILED\")] | length")" = 0 ] || saw_failed=yes
  [ "$(q ".services[0] | .taskDefinition == \"$TD1\" and (.deployments | length) == 1 and .deployments[0].rolloutState == \"COMPLETED\" and .runningCount == 2")" = true ] && break
  [ $SECONDS -lt $deadline ] || fail "no rollback to api:1 within 90 s: $(jq -c '.services[0] | {taskDefinition, deployments}' <<<"$OUT")"
  sleep 1
done
pass "the circuit breaker rolled the service back to api:1 (FAILED deployment seen while polling: $saw_failed)"
expect_eq "$(q '.services[0].deployments[0] | [.status, .taskDefinition] | join(",")')" "PRIMARY,$TD1" "primary deployment back on api:1"
expect_eq "$(q "[.services[0].deployments[] | select(.id == \"$failed_id\")] | length")" 0 "the failed deployment is gone once the rollback completed (as in ECS)"
events=$(q '.services[0].events[].message')
grep -qF "(service api) (deployment $failed_id) deployment failed: tasks failed to start." <<<"$events" || fail "no 'deployment failed' event: $events"
pass "event: deployment $failed_id failed"
grep -q "(service api) rolling back to deployment " <<<"$events" || fail "no rollback event: $events"
pass "event: rolling back"
timeout 300 aws "${EP[@]}" ecs wait services-stable --cluster svc --services api || fail "services-stable after the rollback"
pass "services-stable after the rollback (a rollback looks stable, as in ECS)"
awsok list-tasks --cluster svc --service-name api --desired-status STOPPED
mapfile -t STOPPED < <(q '.taskArns[:100][]')
awsok describe-tasks --cluster svc --tasks "${STOPPED[@]}"
n=$(q "[.tasks[] | select(.taskDefinitionArn == \"$TD2\" and .containers[0].exitCode == 1 and .stopCode == \"EssentialContainerExited\")] | length")
[ "$n" -ge 3 ] || fail "expected >= 3 stopped api:2 tasks with exit code 1, got $n"
pass "$n failed api:2 tasks stopped with exit code 1 (EssentialContainerExited)"

# --- without rollback the FAILED deployment stays the primary -----------------------
awsok update-service --cluster svc --service api --task-definition api:2 \
  --deployment-configuration 'deploymentCircuitBreaker={enable=true,rollback=false},maximumPercent=200,minimumHealthyPercent=50'
failed_id=$(q '.service.deployments[0].id')
deadline=$((SECONDS + 90))
while :; do
  awsok describe-services --cluster svc --services api
  [ "$(q '.services[0].deployments[0].rolloutState')" = FAILED ] && break
  [ $SECONDS -lt $deadline ] || fail "deployment not FAILED within 90 s: $(jq -c '.services[0].deployments' <<<"$OUT")"
  sleep 1
done
expect_eq "$(q '.services[0].deployments[0] | [.id, .status, .taskDefinition, .rolloutState] | join(",")')" "$failed_id,PRIMARY,$TD2,FAILED" \
  "rollback=false: the api:2 deployment is PRIMARY with rolloutState FAILED"
grep -q "circuit breaker" <<<"$(q '.services[0].deployments[0].rolloutStateReason')" || fail "rolloutStateReason: $(q '.services[0].deployments[0].rolloutStateReason')"
pass "rolloutStateReason names the circuit breaker"
[ "$(q '.services[0].deployments[0].failedTasks')" -ge 3 ] || fail "failedTasks < 3"
pass "failedTasks counted ($(q '.services[0].deployments[0].failedTasks'))"
# A FAILED deployment launches no new tasks: still FAILED, failedTasks unchanged, on a later look.
before=$(q '.services[0].deployments[0].failedTasks')
awsok describe-services --cluster svc --services api
expect_eq "$(q '.services[0].deployments[0] | [.rolloutState, .failedTasks] | join(",")')" "FAILED,$before" "the FAILED deployment stays visible and launches nothing"

# --- delete -------------------------------------------------------------------
awsok delete-service --cluster svc --service api --force
expect_eq "$(q .service.status)" DRAINING "delete-service --force: DRAINING"
timeout 300 aws "${EP[@]}" ecs wait services-inactive --cluster svc --services api || fail "aws ecs wait services-inactive"
pass "aws ecs wait services-inactive"
echo "local_awscli: $PASSES checks passed"
