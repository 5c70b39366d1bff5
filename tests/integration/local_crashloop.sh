#!/usr/bin/env bash
# ecsctl local: services whose tasks keep failing. ECS's service throttle logic
# (launches wait longer and longer, with the event "is unable to consistently
# start tasks successfully"; a new task definition ends it at once), and the
# health-check grace period before an unhealthy task is replaced.
source "$(dirname "$0")/lib/local.bash"
start_local

ecs CreateCluster '{"clusterName":"loop"}' >/dev/null || fail "CreateCluster"
NET='"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0aaa"]}}'
fargate_td() {  # FAMILY CONTAINER_JSON
  ecs RegisterTaskDefinition "{\"family\":\"$1\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[$2]}" >/dev/null \
    || fail "register $1"
}
service() {  # NAME TASK_DEFINITION [EXTRA_MEMBERS]
  ecs CreateService "{\"cluster\":\"loop\",\"serviceName\":\"$1\",\"taskDefinition\":\"$2\",\"desiredCount\":1,\"launchType\":\"FARGATE\",$NET${3:+,$3}}" >/dev/null \
    || fail "CreateService $1"
}
# How many tasks the service has launched: the sum of its "has started N tasks" events
# (one snapshot; listing RUNNING and STOPPED tasks in two calls races with tasks stopping).
launched() {
  ecs DescribeServices "{\"cluster\":\"loop\",\"services\":[\"$1\"]}" \
    | jq '[.services[0].events[].message | capture("has started (?<n>[0-9]+) tasks") | .n | tonumber] | add // 0'
}
events() { ecs DescribeServices "{\"cluster\":\"loop\",\"services\":[\"$1\"]}" | jq -r '.services[0].events[].message'; }

# --- crash loops: a container that exits at once, an image that cannot be pulled --
fargate_td crash '{"name":"app","image":"ecsctl/exit:1"}'
fargate_td nopull '{"name":"app","image":"ecsctl/pull-error"}'
fargate_td good '{"name":"app","image":"nginx"}'
service crash crash
service nopull nopull
sleep 6
# Without throttling the plane relaunched ~1,300 tasks in 6 s. With it (--pace
# fast: a tenth of the delays): two rounds at once, then waits of 1 s, 2 s, 4 s.
for s in crash nopull; do
  n=$(launched $s)
  [ "$n" -ge 3 ] && [ "$n" -le 8 ] || fail "$s: $n tasks launched in 6 s, expected 3 to 8"
  pass "$s: $n tasks launched in 6 s"
  events $s | grep -qxF "(service $s) is unable to consistently start tasks successfully." \
    || fail "$s: no throttle event: $(events $s)"
  pass "$s: 'is unable to consistently start tasks successfully' event"
done
ecs DescribeTasks "{\"cluster\":\"loop\",\"tasks\":$(ecs ListTasks '{"cluster":"loop","serviceName":"crash","desiredStatus":"STOPPED"}' | jq -c .taskArns)}" \
  | jq -e '[.tasks[] | select(.stopCode == "EssentialContainerExited" and .containers[0].exitCode == 1)] | length >= 3' >/dev/null \
  || fail "the crash tasks stopped as their container exited"
pass "the throttled tasks stopped with EssentialContainerExited, exit code 1"
# Still throttled: few launches in the next 3 s.
before=$(launched crash)
sleep 3
after=$(launched crash)
[ $((after - before)) -le 2 ] || fail "crash: $((after - before)) launches in 3 s while throttled"
pass "crash: $((after - before)) launches in the next 3 s"

# A new task definition returns the service to normal at once.
start=$(date +%s.%N)
ecs UpdateService '{"cluster":"loop","service":"crash","taskDefinition":"good"}' >/dev/null || fail "UpdateService crash -> good"
wait_for '.services[0].runningCount == 1 and .services[0].deployments[0].rolloutState == "COMPLETED"' \
  DescribeServices '{"cluster":"loop","services":["crash"]}'
took=$(echo "$(date +%s.%N) - $start" | bc)
[ "$(echo "$took < 2" | bc)" = 1 ] || fail "the new task definition waited ${took}s for the throttle"
pass "a new task definition ends the throttling (running after ${took}s)"

# --- health-check grace period ----------------------------------------------------
fargate_td sick '{"name":"app","image":"nginx","environment":[{"name":"ECSCTL_LOCAL_HEALTH","value":"UNHEALTHY"}]}'
service sick-now sick
service sick-later sick '"healthCheckGracePeriodSeconds":3'
wait_for '.taskArns | length > 0' ListTasks '{"cluster":"loop","serviceName":"sick-now","desiredStatus":"STOPPED"}'
stopped=$(ecs ListTasks '{"cluster":"loop","serviceName":"sick-now","desiredStatus":"STOPPED"}' | jq -c '.taskArns[:1]')
[ "$stopped" != "[]" ] || fail "sick-now: no task replaced"
task=$(ecs DescribeTasks "{\"cluster\":\"loop\",\"tasks\":$stopped}" | jq -c '.tasks[0]')
expect_eq "$(jq -r .stoppedReason <<<"$task")" "Task failed container health checks" "an UNHEALTHY task is replaced"
expect_eq "$(jq -r .stopCode <<<"$task")" ServiceSchedulerInitiated "stop code of a health-check replacement"
expect_eq "$(jq -r .healthStatus <<<"$task")" UNHEALTHY "the replaced task was UNHEALTHY"
# With a grace period of 3 s, the first task stays RUNNING for those 3 s.
first=$(ecs ListTasks '{"cluster":"loop","serviceName":"sick-later"}' | jq -r '.taskArns[0]')
[ "$first" != null ] || fail "sick-later: no task"
wait_for '.tasks[0].lastStatus == "RUNNING"' DescribeTasks "{\"cluster\":\"loop\",\"tasks\":[\"$first\"]}"
sleep 1.5
expect_eq "$(ecs DescribeTasks "{\"cluster\":\"loop\",\"tasks\":[\"$first\"]}" | jq -r '.tasks[0] | [.lastStatus, .healthStatus, .desiredStatus] | join(",")')" \
  RUNNING,UNHEALTHY,RUNNING "unhealthy but kept during the grace period"
sleep 2.5
wait_for '.tasks[0].lastStatus == "STOPPED"' DescribeTasks "{\"cluster\":\"loop\",\"tasks\":[\"$first\"]}"
task=$(ecs DescribeTasks "{\"cluster\":\"loop\",\"tasks\":[\"$first\"]}" | jq -c '.tasks[0]')
expect_eq "$(jq -r .stoppedReason <<<"$task")" "Task failed container health checks" "replaced once the grace period is over"
jq -e '.stoppingAt - .startedAt >= 2.9' <<<"$task" >/dev/null || fail "sick-later's first task stopped before 3 s: $task"
pass "sick-later's first task ran its 3 s grace period"

echo "local_crashloop: $PASSES checks passed"
