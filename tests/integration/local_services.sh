#!/usr/bin/env bash
# ecsctl local: a Fargate service with awsvpc addresses, scaling, a rolling
# deployment, and a failing deployment rolled back by the circuit breaker.
source "$(dirname "$0")/lib/local.bash"
start_local

ecs CreateCluster '{"clusterName":"svc"}' >/dev/null || fail "CreateCluster"
ecs PutClusterCapacityProviders '{"cluster":"svc","capacityProviders":["FARGATE","FARGATE_SPOT"],"defaultCapacityProviderStrategy":[{"capacityProvider":"FARGATE","weight":1}]}' >/dev/null || fail "PutClusterCapacityProviders"
expect_eq "$(ecs DescribeCapacityProviders '{}' | jq -r '[.capacityProviders[].name] | join(",")')" FARGATE,FARGATE_SPOT "capacity providers"

TD='{"family":"api","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","containerDefinitions":[{"name":"api","image":"nginx","portMappings":[{"containerPort":80}]}]}'
ecs RegisterTaskDefinition "$TD" >/dev/null || fail "register api:1"
expect_eq "$(jq -r '.taskDefinition.compatibilities | join(",")' "$TMP/body")" EC2,FARGATE "compatibilities filled in"
expect_eq "$(jq -r '.taskDefinition.containerDefinitions[0].portMappings[0].hostPort' "$TMP/body")" 80 "awsvpc hostPort filled in"
ecs RegisterTaskDefinition '{"family":"bad","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"4096","containerDefinitions":[{"name":"a","image":"x"}]}' >/dev/null && fail "invalid Fargate size accepted"
expect_eq "$(jq -r .__type "$TMP/body")" ClientException "invalid Fargate size refused"

ecs CreateService '{"cluster":"svc","serviceName":"api","taskDefinition":"api","desiredCount":1,"launchType":"FARGATE"}' >/dev/null && fail "awsvpc service without network configuration accepted"
grep -q "Network Configuration must be provided" "$TMP/body" || fail "network configuration message"
pass "awsvpc requires a network configuration"

NET='"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0aaa","subnet-0bbb"],"assignPublicIp":"DISABLED"}}'
CB='"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true},"maximumPercent":200,"minimumHealthyPercent":50}'
ecs CreateService "{\"cluster\":\"svc\",\"serviceName\":\"api\",\"taskDefinition\":\"api\",\"desiredCount\":3,\"launchType\":\"FARGATE\",$NET,$CB}" >/dev/null || fail "CreateService"
expect_eq "$(jq -r .service.serviceArn "$TMP/body")" "arn:aws:ecs:us-east-1:123456789012:service/svc/api" "service ARN"
ecs CreateService "{\"cluster\":\"svc\",\"serviceName\":\"api\",\"taskDefinition\":\"api\",\"desiredCount\":3,\"launchType\":\"FARGATE\",$NET}" >/dev/null && fail "duplicate service accepted"
grep -q "not idempotent" "$TMP/body" || fail "duplicate service message"
pass "duplicate service refused"

steady='.services[0].runningCount == 3 and .services[0].pendingCount == 0 and .services[0].deployments[0].rolloutState == "COMPLETED" and (.services[0].deployments | length) == 1'
wait_for "$steady" DescribeServices '{"cluster":"svc","services":["api"]}'
ecs DescribeServices '{"cluster":"svc","services":["api"]}' | jq -r '.services[0].events[].message' | grep -q "(service api) has reached a steady state." || fail "steady-state event"
pass "service reached a steady state"

ecs ListTasks '{"cluster":"svc","serviceName":"api"}' >"$TMP/tasks.json" || fail "ListTasks"
tasks=$(jq -c .taskArns "$TMP/tasks.json")
ecs DescribeTasks "{\"cluster\":\"svc\",\"tasks\":$tasks}" >"$TMP/described.json" || fail "DescribeTasks"
expect_eq "$(jq '[.tasks[] | select(.lastStatus == "RUNNING" and .launchType == "FARGATE")] | length' "$TMP/described.json")" 3 "three running Fargate tasks"
expect_eq "$(jq '[.tasks[].attachments[0] | select(.type == "ElasticNetworkInterface" and .status == "ATTACHED")] | length' "$TMP/described.json")" 3 "ENI attachments"
ips=$(jq -r '.tasks[].attachments[0].details[] | select(.name == "privateIPv4Address") | .value' "$TMP/described.json")
expect_eq "$(echo "$ips" | sort -u | wc -l)" 3 "distinct private IPs"
echo "$ips" | grep -Eqv '^10\.[0-9]+\.[0-9]+\.[0-9]+$' && fail "IP not in 10/8: $ips"
pass "private IPs in the subnets' CIDRs"
expect_eq "$(jq -r '[.tasks[].containers[0].networkInterfaces[0].privateIpv4Address] | length' "$TMP/described.json")" 3 "container network interfaces"

# Scale in and out.
ecs UpdateService '{"cluster":"svc","service":"api","desiredCount":1}' >/dev/null || fail "scale in"
wait_for '.services[0].runningCount == 1 and .services[0].pendingCount == 0' DescribeServices '{"cluster":"svc","services":["api"]}'
pass "scaled in to 1"
ecs UpdateService '{"cluster":"svc","service":"api","desiredCount":2}' >/dev/null || fail "scale out"
wait_for '.services[0].runningCount == 2' DescribeServices '{"cluster":"svc","services":["api"]}'
pass "scaled out to 2"

# A rolling deployment to a good revision.
ecs RegisterTaskDefinition "$TD" >/dev/null || fail "register api:2"
ecs UpdateService '{"cluster":"svc","service":"api","taskDefinition":"api:2"}' >/dev/null || fail "deploy api:2"
wait_for "(.services[0].deployments | length) == 1 and .services[0].deployments[0].taskDefinition == \"arn:aws:ecs:us-east-1:123456789012:task-definition/api:2\" and .services[0].deployments[0].rolloutState == \"COMPLETED\" and .services[0].runningCount == 2" DescribeServices '{"cluster":"svc","services":["api"]}'
pass "rolling deployment completed"

# A failing deployment: the circuit breaker rolls back to api:2.
ecs RegisterTaskDefinition '{"family":"api","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","containerDefinitions":[{"name":"api","image":"ecsctl/exit:1"}]}' >/dev/null || fail "register api:3"
ecs UpdateService '{"cluster":"svc","service":"api","taskDefinition":"api:3"}' >/dev/null || fail "deploy api:3"
wait_for '[.services[0].events[].message | select(test("deployment failed"))] | length > 0' DescribeServices '{"cluster":"svc","services":["api"]}'
pass "circuit breaker tripped"
wait_for "(.services[0].deployments | length) == 1 and .services[0].taskDefinition == \"arn:aws:ecs:us-east-1:123456789012:task-definition/api:2\" and .services[0].deployments[0].rolloutState == \"COMPLETED\" and .services[0].runningCount == 2" DescribeServices '{"cluster":"svc","services":["api"]}'
pass "rolled back to api:2"
stopped=$(ecs ListTasks '{"cluster":"svc","serviceName":"api","desiredStatus":"STOPPED"}' | jq -c .taskArns[:10])
ecs DescribeTasks "{\"cluster\":\"svc\",\"tasks\":$stopped}" | jq -e '[.tasks[] | select(.containers[0].exitCode == 1)] | length >= 3' >/dev/null || fail "failed tasks with exit code 1"
pass "failed tasks kept their exit code"

# Delete.
ecs DeleteService '{"cluster":"svc","service":"api"}' >/dev/null && fail "delete of a scaled service without force"
ecs DeleteService '{"cluster":"svc","service":"api","force":true}' >/dev/null || fail "DeleteService"
expect_eq "$(jq -r .service.status "$TMP/body")" DRAINING "service draining"
wait_for '.services[0].status == "INACTIVE"' DescribeServices '{"cluster":"svc","services":["api"]}'
ecs UpdateService '{"cluster":"svc","service":"api","desiredCount":1}' >/dev/null && fail "update of a deleted service"
expect_eq "$(jq -r .__type "$TMP/body")" ServiceNotActiveException "deleted service is not active"
echo "local_services: $PASSES checks passed"
