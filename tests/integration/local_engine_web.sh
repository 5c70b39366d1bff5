#!/usr/bin/env bash
# ecsctl local on the engine runtime (podman): two bridge tasks started on two
# instances (both given host port 49153 by placement) both run, at two ports of
# this one host. A web service of two busybox
# httpd tasks behind a real ALB listener, spread over two instances of this
# one host (so at two different dynamic host ports). The listener answers with
# the tasks' pages, the targets turn healthy through real health checks, and the deployment
# completes only then. A killed container leaves the healthy set, its traffic
# goes to the survivor, and the service replaces it. A container health check
# that fails and a target group whose check gets 404 both make the service
# replace the task (after the grace period). Skips (77) only where podman is
# not installed.
if ! command -v podman >/dev/null; then
  echo "skip: podman is not installed (scripts/install-deps installs podman, runc and busybox-static)"
  exit 77
fi
source "$(dirname "$0")/workflow_lib.bash"
export CONTAINERS_CONF=$ECSCTL_SOURCE_DIR/local/engine/containers.conf
unset AWS_CA_BUNDLE
IMAGE=localhost/ecsctl-busybox:local
"$ECSCTL_SOURCE_DIR/scripts/local-image" "$IMAGE" || fail "scripts/local-image builds $IMAGE"

start_local --runtime engine
eval "$("$ECSCTL" local env --state "$STATE")"
export ECSCTL_POLL_INTERVAL=0.2 NO_COLOR=1
unset AWS_PROFILE
LABEL="io.ecsctl.local.plane=$STATE"
# Whatever happens, no container of this plane outlives the test.
remove_containers() {
  local ids
  ids=$(podman ps -aq --filter "label=$LABEL" 2>/dev/null || true)
  [ -z "$ids" ] || podman rm -f $ids >/dev/null 2>&1 || true
}
trap 'cleanup_all' EXIT
cleanup_all() {
  "$ECSCTL" local down --state "$STATE" >/dev/null 2>&1 || true
  remove_containers
  rm -rf "$TMP"
}

# task_container TASK_ARN NAME: the engine id of one task container.
task_container() {
  podman ps -aq --filter "label=io.ecsctl.local.task-arn=$1" --filter "label=io.ecsctl.local.container=$2"
}
# health TG_ARN: "id:port:state:reason" lines of DescribeTargetHealth, sorted.
health() {
  "$ECSCTL" __call elbv2 DescribeTargetHealth "{\"TargetGroupArn\": \"$1\"}" |
    jq -r '.TargetHealthDescriptions[] | "\(.Target.Id):\(.Target.Port):\(.TargetHealth.State):\(.TargetHealth.Reason // "")"' | sort
}
# healthy_ports TG_ARN: the ports of the healthy targets, one a line, sorted.
healthy_ports() { health "$1" | awk -F: '$3 == "healthy" {print $2}' | sort -n; }
# wait_until SECONDS WHAT COMMAND...: polls COMMAND (every 0.2 s) until it succeeds.
wait_until() {
  local secs=$1 what=$2 i
  shift 2
  for i in $(seq 1 $((secs * 5))); do
    "$@" && return 0
    sleep 0.2
  done
  [ -f "$STATE/server.log" ] && grep -v "Action=\|AmazonEC2ContainerServiceV20141113\." "$STATE/server.log" | tail -30 >&2
  fail "timed out ($secs s) waiting until $what${TG:+; target health: $(health "$TG" | tr '\n' ' ')}"
}
# service_tasks SERVICE [STATUS]: the task ARNs of a service (RUNNING by default).
service_tasks() {
  "$ECSCTL" list-tasks --cluster web --service-name "$1" --desired-status "${2:-RUNNING}" | jq -r '.taskArns[]' | sort
}
describe() { "$ECSCTL" describe-tasks --cluster web --tasks "$@"; }

run create-cluster --cluster-name web
expect_code 0 "create-cluster"
# Two instances: the service spreads its tasks over them, and placement gives each the first port of
# the dynamic range, 49153, on its instance. Both instances are this one host: the engine runtime
# publishes the second at the next free port, and networkBindings and the target say which.
"$ECSCTL" local add-instances --state "$STATE" --cluster web --count 2 --cpu 4096 --memory 8192 >/dev/null || fail "add-instances"

# --- the load balancer: an ALB, an instance target group (bridge tasks) checked every 5 s ---
TG=$("$ECSCTL" __call elbv2 CreateTargetGroup '{"Name": "web-tg", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-0local",
  "TargetType": "instance", "HealthCheckPath": "/index.html", "HealthCheckIntervalSeconds": 5, "HealthCheckTimeoutSeconds": 2,
  "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 2, "Matcher": {"HttpCode": "200"}}' | jq -r '.TargetGroups[0].TargetGroupArn')
[[ $TG == arn:aws:elasticloadbalancing:* ]] || fail "CreateTargetGroup: $TG"
"$ECSCTL" __call elbv2 ModifyTargetGroupAttributes "{\"TargetGroupArn\": \"$TG\", \"Attributes\": [{\"Key\": \"deregistration_delay.timeout_seconds\", \"Value\": \"5\"}]}" >/dev/null ||
  fail "ModifyTargetGroupAttributes"
LB=$("$ECSCTL" __call elbv2 CreateLoadBalancer '{"Name": "web-alb", "Subnets": ["subnet-0locala", "subnet-0localb"], "Type": "application"}' |
  jq -r '.LoadBalancers[0].LoadBalancerArn')
[[ $LB == arn:aws:elasticloadbalancing:* ]] || fail "CreateLoadBalancer: $LB"
LISTENER=$("$ECSCTL" __call elbv2 CreateListener "{\"LoadBalancerArn\": \"$LB\", \"Protocol\": \"HTTP\", \"Port\": 80,
  \"DefaultActions\": [{\"Type\": \"forward\", \"TargetGroupArn\": \"$TG\"}]}" | jq -r '.Listeners[0].ListenerArn')
[[ $LISTENER == arn:aws:elasticloadbalancing:* ]] || fail "CreateListener: $LISTENER"
# Where the listener really listens (port 80 needs privileges: 8080 or any free port).
listener_address() {
  ADDR=$("$ECSCTL" local status --state "$STATE" | jq -r --arg l "$LISTENER" '.loadBalancerListeners[] | select(.ListenerArn == $l) | .Address')
  [ -n "$ADDR" ]
}
wait_until 10 "the listener is in local status" listener_address
pass "the listener listens on $ADDR (local status)"
BODY=$(curl -s --max-time 5 "http://$ADDR/")
[[ $BODY == *"503 Service Temporarily Unavailable"* ]] || fail "no target yet: the listener answers ALB's 503 page, not: $BODY"
pass "with no target the listener answers 503"

# --- the service: two httpd tasks, each serving a page that names its container (its hostname) ---
# httpd starts 3 s after the container so that the targets are not healthy at once.
cat >"$TMP/web.json" <<JSON
{"family": "web", "networkMode": "bridge", "requiresCompatibilities": ["EC2"],
 "containerDefinitions": [{"name": "web", "image": "$IMAGE", "essential": true, "memory": 64, "cpu": 128,
   "command": ["sh", "-c", "echo \"served by \$(hostname)\" >/www/index.html; sleep 3; exec httpd -f -p 80 -h /www"],
   "portMappings": [{"containerPort": 80, "hostPort": 0}]}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/web.json"
expect_code 0 "register-task-definition web"
# One task on each instance (StartTask): placement gives both 49153, the first port of the range on
# each instance; the second is published at the next free port of the host, and both run.
mapfile -t INSTANCES < <("$ECSCTL" list-container-instances --cluster web | jq -r '.containerInstanceArns[]')
[ "${#INSTANCES[@]}" = 2 ] || fail "two container instances"
ONE=$("$ECSCTL" start-task --cluster web --task-definition web --container-instances "${INSTANCES[0]}" | jq -r '.tasks[0].taskArn')
TWO=$("$ECSCTL" start-task --cluster web --task-definition web --container-instances "${INSTANCES[1]}" | jq -r '.tasks[0].taskArn')
run wait tasks-running --cluster web --tasks "$ONE" "$TWO"
expect_code 0 "a task on each instance runs"
OUT=$(describe "$ONE" "$TWO")
P1=$(jq -r '.tasks[0].containers[0].networkBindings[0].hostPort' <<<"$OUT")
P2=$(jq -r '.tasks[1].containers[0].networkBindings[0].hostPort' <<<"$OUT")
[[ $P1 -ge 49153 && $P2 -ge 49153 && $P1 != "$P2" ]] || fail "two tasks on two instances of one host have two host ports of the range: $P1 $P2"
pass "a task on each instance: host ports $P1 and $P2 (networkBindings say the port really published)"
"$ECSCTL" stop-task --cluster web --task "$ONE" >/dev/null && "$ECSCTL" stop-task --cluster web --task "$TWO" >/dev/null || fail "stop-task"
run wait tasks-stopped --cluster web --tasks "$ONE" "$TWO"
expect_code 0 "both stopped"

run create-service --cluster web --service-name web --task-definition web --desired-count 2 --launch-type EC2 \
  --health-check-grace-period-seconds 30 \
  --load-balancers "targetGroupArn=$TG,containerName=web,containerPort=80"
expect_code 0 "create-service web behind the target group"

two_running() { [ "$(service_tasks web | wc -l)" = 2 ] && [ "$("$ECSCTL" describe-services --cluster web --services web | jq -r '.services[0].runningCount')" = 2 ]; }
wait_until 30 "both tasks of web run" two_running
SVC=$("$ECSCTL" describe-services --cluster web --services web)
expect_eq "$(jq -r '.services[0].deployments[0].rolloutState' <<<"$SVC")" IN_PROGRESS \
  "both tasks RUNNING but their targets not yet healthy: the deployment is still IN_PROGRESS"
[ -z "$(healthy_ports "$TG")" ] || fail "no target is healthy before httpd listens: $(health "$TG")"
pass "no target is healthy before httpd listens"

mapfile -t TASKS < <(service_tasks web)
OUT=$(describe "${TASKS[@]}")
declare -A HOST_OF PORT_OF EC2_OF
for t in "${TASKS[@]}"; do
  rid=$(jq -r --arg t "$t" '.tasks[] | select(.taskArn == $t) | .containers[0].runtimeId' <<<"$OUT")
  HOST_OF[$t]=${rid:0:12}
  PORT_OF[$t]=$(jq -r --arg t "$t" '.tasks[] | select(.taskArn == $t) | .containers[0].networkBindings[0].hostPort' <<<"$OUT")
  [[ ${PORT_OF[$t]} -ge 49153 && ${PORT_OF[$t]} -le 65535 ]] || fail "task $t has a dynamic host port of ECS's range: ${PORT_OF[$t]}"
  instance=$(jq -r --arg t "$t" '.tasks[] | select(.taskArn == $t) | .containerInstanceArn' <<<"$OUT")
  EC2_OF[$t]=$("$ECSCTL" describe-container-instances --cluster web --container-instances "$instance" | jq -r '.containerInstances[0].ec2InstanceId')
done
[ "${EC2_OF[${TASKS[0]}]}" != "${EC2_OF[${TASKS[1]}]}" ] || fail "the service spreads its two tasks over the two instances"
[ "${PORT_OF[${TASKS[0]}]}" != "${PORT_OF[${TASKS[1]}]}" ] ||
  fail "two tasks on two instances of one host got different host ports, not both ${PORT_OF[${TASKS[0]}]}"
pass "the tasks run on two instances, at host ports ${PORT_OF[${TASKS[0]}]} and ${PORT_OF[${TASKS[1]}]} of this one host"
registered() {
  [ "$(health "$TG" | cut -d: -f1,2 | sort)" = "$(for t in "${TASKS[@]}"; do echo "${EC2_OF[$t]}:${PORT_OF[$t]}"; done | sort)" ]
}
wait_until 5 "both tasks are registered" registered
pass "each task is registered as its instance and its host port (networkBindings)"

both_healthy() { [ "$(healthy_ports "$TG" | wc -l)" = 2 ]; }
wait_until 30 "both targets are healthy" both_healthy
pass "both targets became healthy through real health checks (GET /index.html every 5 s, paced)"
completed() { [ "$("$ECSCTL" describe-services --cluster web --services web | jq -r '.services[0].deployments[0].rolloutState')" = COMPLETED ]; }
wait_until 10 "the deployment completes" completed
pass "the deployment is COMPLETED once its targets are healthy"

# Round robin over the healthy targets: both pages come back through the listener.
SEEN=""
for _ in 1 2 3 4 5 6; do SEEN+=$(curl -s --max-time 5 "http://$ADDR/index.html")$'\n'; done
for t in "${TASKS[@]}"; do
  expect_in "$SEEN" "served by ${HOST_OF[$t]}" "the listener returns the page of task ${t##*/}"
done

# --- kill one task's container: it leaves the healthy set, traffic goes to the other, the service replaces it ---
VICTIM=${TASKS[0]} SURVIVOR=${TASKS[1]}
podman kill "$(task_container "$VICTIM" web)" >/dev/null || fail "podman kill"
victim_gone() { ! health "$TG" | grep -q "^${EC2_OF[$VICTIM]}:${PORT_OF[$VICTIM]}:healthy:"; }
wait_until 10 "the killed task's target leaves the healthy set" victim_gone
pass "the killed task's target left the healthy set ($(health "$TG" | grep "^${EC2_OF[$VICTIM]}:${PORT_OF[$VICTIM]}:" | cut -d: -f3- || echo gone))"
SEEN=""
for _ in 1 2 3 4 5 6; do SEEN+=$(curl -s --max-time 5 "http://$ADDR/index.html")$'\n'; done
expect_eq "$(sort -u <<<"$SEEN" | sed '/^$/d')" "served by ${HOST_OF[$SURVIVOR]}" "six requests to the listener all answered by the survivor"
stopped() { [ "$(describe "$VICTIM" | jq -r '.tasks[0].lastStatus')" = STOPPED ]; }
wait_until 20 "the killed task is STOPPED" stopped
OUT=$(describe "$VICTIM")
expect_eq "$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")" "Essential container in task exited" "the killed task's stop reason, as ECS words it"
expect_eq "$(jq -r '.tasks[0].stopCode' <<<"$OUT")" EssentialContainerExited "stopCode EssentialContainerExited"
expect_eq "$(jq -r '.tasks[0].containers[0].exitCode' <<<"$OUT")" 137 "the killed container's exit code (SIGKILL)"

# replaced: a RUNNING task of web other than the survivor and the killed one (REPLACEMENT, RPORT).
replaced() {
  local running
  running=$("$ECSCTL" describe-tasks --cluster web --tasks $(service_tasks web) 2>/dev/null |
    jq -r --arg v "$VICTIM" --arg s "$SURVIVOR" '.tasks[] | select(.lastStatus == "RUNNING" and .taskArn != $v and .taskArn != $s) |
      "\(.taskArn) \(.containers[0].networkBindings[0].hostPort)"' | head -1)
  [ -n "$running" ] || return 1
  read -r REPLACEMENT RPORT <<<"$running"
}
replacement_healthy() { replaced && health "$TG" | grep -q ":$RPORT:healthy:"; }
wait_until 40 "the service replaces the killed task and the replacement's target is healthy" replacement_healthy
pass "the replacement task ${REPLACEMENT##*/} runs and its target (port $RPORT) is healthy"
OUT=$(describe "$REPLACEMENT")
expect_eq "$(jq -r '.tasks[0].lastStatus' <<<"$OUT")" RUNNING "the replacement is RUNNING"
EVENTS=$("$ECSCTL" describe-services --cluster web --services web | jq -r '.services[0].events[].message')
expect_in "$EVENTS" "(service web) has started 1 tasks: (task ${REPLACEMENT##*/})." "the service event of the replacement"
# (The replacement may get the killed task's host port back: then its registration replaced the draining one.)
only_live_targets() {
  [ "$(health "$TG" | cut -d: -f2,3 | sort)" = "$(printf '%s\n' "${PORT_OF[$SURVIVOR]}:healthy" "$RPORT:healthy" | sort)" ]
}
wait_until 20 "the target group holds just the two running tasks, healthy" only_live_targets
pass "the killed task's target is gone after draining; the survivor's and the replacement's are healthy"
RHOST=$(jq -r '.tasks[0].containers[0].runtimeId' <<<"$OUT")
SEEN=""
for _ in 1 2 3 4 5 6; do SEEN+=$(curl -s --max-time 5 "http://$ADDR/index.html")$'\n'; done
expect_in "$SEEN" "served by ${RHOST:0:12}" "the listener sends traffic to the replacement too"
run update-service --cluster web --service web --desired-count 0
expect_code 0 "scale web to 0"

# --- a container health check that fails: UNHEALTHY, replaced after the grace period ---
cat >"$TMP/sick.json" <<JSON
{"family": "sick", "networkMode": "bridge", "requiresCompatibilities": ["EC2"],
 "containerDefinitions": [{"name": "app", "image": "$IMAGE", "essential": true, "memory": 32, "cpu": 64,
   "command": ["sleep", "300"], "stopTimeout": 1,
   "healthCheck": {"command": ["CMD-SHELL", "exit 1"], "interval": 5, "timeout": 2, "retries": 1}}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/sick.json"
expect_code 0 "register-task-definition sick"
run create-service --cluster web --service-name sick --task-definition sick --desired-count 1 --launch-type EC2 \
  --health-check-grace-period-seconds 4
expect_code 0 "create-service sick (grace period 4 s)"
sick_stopped() {
  SICK=$(service_tasks sick STOPPED | head -1)
  [ -n "$SICK" ]
}
wait_until 40 "the unhealthy task is stopped" sick_stopped
OUT=$(describe "$SICK")
expect_eq "$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")" "Task failed container health checks" "ECS's stop reason for a failing container health check"
expect_eq "$(jq -r '.tasks[0].stopCode' <<<"$OUT")" ServiceSchedulerInitiated "stopCode ServiceSchedulerInitiated"
expect_eq "$(jq -r '.tasks[0].containers[0].healthStatus' <<<"$OUT")" UNHEALTHY "the container is UNHEALTHY"
expect_eq "$(jq -r '.tasks[0].healthStatus' <<<"$OUT")" UNHEALTHY "and so the task"
RAN=$(jq -r '.tasks[0] | "\(.startedAt) \(.stoppingAt // .stoppedAt)"' <<<"$OUT" | python3 -c '
import sys, datetime
a, b = (datetime.datetime.fromisoformat(x.replace("Z", "+00:00")) for x in sys.stdin.read().split())
print(round((b - a).total_seconds(), 1))')
python3 -c "import sys; sys.exit(0 if $RAN >= 4 else 1)" || fail "the task was stopped within the grace period (after $RAN s)"
pass "the task was stopped only after the 4 s grace period ($RAN s after it started)"
sick_replaced() { [ -n "$(service_tasks sick)" ]; }
wait_until 20 "the service replaces the unhealthy task" sick_replaced
pass "the service started a replacement"
run update-service --cluster web --service sick --desired-count 0
expect_code 0 "scale sick to 0"

# --- a target group whose check gets 404 (awsvpc, ip targets): the service replaces the task ---
TG2=$("$ECSCTL" __call elbv2 CreateTargetGroup '{"Name": "lost-tg", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-0local",
  "TargetType": "ip", "HealthCheckPath": "/missing.html", "HealthCheckIntervalSeconds": 5, "HealthCheckTimeoutSeconds": 2,
  "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 2, "Matcher": {"HttpCode": "200"}}' | jq -r '.TargetGroups[0].TargetGroupArn')
[[ $TG2 == arn:aws:elasticloadbalancing:* ]] || fail "CreateTargetGroup lost-tg: $TG2"
"$ECSCTL" __call elbv2 CreateListener "{\"LoadBalancerArn\": \"$LB\", \"Protocol\": \"HTTP\", \"Port\": 81,
  \"DefaultActions\": [{\"Type\": \"forward\", \"TargetGroupArn\": \"$TG2\"}]}" >/dev/null || fail "CreateListener 81"
cat >"$TMP/lost.json" <<JSON
{"family": "lost", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "web", "image": "$IMAGE", "essential": true, "stopTimeout": 1,
   "command": ["httpd", "-f", "-p", "80", "-h", "/www"], "portMappings": [{"containerPort": 80}]}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/lost.json"
expect_code 0 "register-task-definition lost"
run create-service --cluster web --service-name lost --task-definition lost --desired-count 1 --launch-type FARGATE \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-0locala]}' --health-check-grace-period-seconds 2 \
  --load-balancers "targetGroupArn=$TG2,containerName=web,containerPort=80"
expect_code 0 "create-service lost (awsvpc, ip target group checking /missing.html)"
lost_stopped() {
  LOST=$(service_tasks lost STOPPED | head -1)
  [ -n "$LOST" ]
}
wait_until 40 "the task failing its ELB checks is stopped" lost_stopped
lost_fully_stopped() { [ "$(describe "$LOST" | jq -r '.tasks[0].lastStatus')" = STOPPED ]; }
wait_until 20 "the task is STOPPED" lost_fully_stopped
OUT=$(describe "$LOST")
expect_eq "$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")" "Task failed ELB health checks in (target-group $TG2)" "ECS's stop reason for failed ELB health checks"
IP=$(jq -r '.tasks[0].containers[0].networkInterfaces[0].privateIpv4Address' <<<"$OUT")
[[ $IP == 10.88.* ]] || fail "the awsvpc task had its network namespace's address: $IP"
H=$(health "$TG2" | grep "^$IP:80:" || true)
[[ -z $H || $H == *":draining:"* ]] || fail "the stopped task's ip target ($IP:80) is draining or gone: $H"
EVENTS=$("$ECSCTL" describe-services --cluster web --services lost | jq -r '.services[0].events[].message')
expect_in "$EVENTS" "is unhealthy in (target-group $TG2) due to (reason Health checks failed with these codes: [404])" \
  "the service event names the target group and ELB's reason"
lost_replaced() { [ -n "$(service_tasks lost)" ]; }
wait_until 20 "the service replaces the task" lost_replaced
pass "the service started a replacement"
run update-service --cluster web --service lost --desired-count 0
expect_code 0 "scale lost to 0"

"$ECSCTL" local down --state "$STATE" 2>/dev/null || fail "local down"
expect_eq "$(podman ps -aq --filter "label=$LABEL")" "" "after local down no container of the plane is left"
echo "all $PASSES checks passed"
