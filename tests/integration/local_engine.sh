#!/usr/bin/env bash
# ecsctl local on the engine runtime (podman): real containers for a one-shot
# task (its line and exit code), a pull failure, dependsOn SUCCESS start order,
# stopTimeout (SIGTERM then SIGKILL), bridge ports published on 127.0.0.1,
# a crash-looping service throttled as ECS throttles it, adoption of running containers after a SIGKILL of the plane, and `local
# down` removing every container with the plane's label. Skips (77) only
# where podman is not installed.
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
# plane_containers: the ids of every container with the plane's label.
plane_containers() { podman ps -aq --filter "label=$LABEL"; }
# task_container TASK_ARN NAME: the engine id of one task container.
task_container() {
  podman ps -aq --filter "label=io.ecsctl.local.task-arn=$1" --filter "label=io.ecsctl.local.container=$2"
}

run local status --state "$STATE"
expect_code 0 "local status"
expect_eq "$(jq -r .runtime <<<"$OUT")" engine "local status says the engine runtime is in use"
expect_eq "$(jq -r .engine.name <<<"$OUT")" podman "the engine is podman's API service"
cmp -s "$STATE/containers.conf" "$ECSCTL_SOURCE_DIR/local/engine/containers.conf" || fail "the plane's containers.conf differs from local/engine/containers.conf"
pass "podman runs with the project's containers.conf"

run create-cluster --cluster-name eng
expect_code 0 "create-cluster"
NET=(--cluster eng --launch-type FARGATE --subnets subnet-0aaa)

# --- one-shot: a line on stdout, exit 3 ---
cat >"$TMP/job.json" <<JSON
{"family": "job", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
 "containerDefinitions": [{"name": "main", "image": "$IMAGE", "essential": true,
   "command": ["sh", "-c", "echo hello from \$GREETING in \$(pwd); exit 3"],
   "environment": [{"name": "GREETING", "value": "the container"}], "workingDirectory": "/www",
   "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/job", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "job"}}}]}
JSON
run run-task "${NET[@]}" --task-definition "$TMP/job.json" --wait-until stopped --exit-code-from main
expect_code 3 "a container exiting 3 -> run-task --exit-code-from exits 3"
expect_eq "$(jq -r '.tasks[0].lastStatus' <<<"$OUT")" STOPPED "run-task printed the stopped task"
TASK=$(jq -r '.tasks[0].taskArn' <<<"$OUT")
expect_eq "$(jq -r '.tasks[0].containers[0].exitCode' <<<"$OUT")" 3 "DescribeTasks has the container's exit code"
expect_eq "$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")" "Essential container in task exited" "ECS's stop reason"
expect_eq "$(jq -r '.tasks[0].stopCode' <<<"$OUT")" EssentialContainerExited "stopCode EssentialContainerExited"
IP=$(jq -r '.tasks[0].containers[0].networkInterfaces[0].privateIpv4Address' <<<"$OUT")
[[ $IP == 10.88.* ]] || fail "the awsvpc task's address is its network namespace's (podman's 10.88.0.0/16), not $IP"
pass "the task's private IP is its network namespace's ($IP)"
SAVED_OUT=$OUT
for _ in $(seq 1 50); do
  run logs --cluster eng --task "${TASK##*/}" --since 1h
  grep -q "hello from the container in /www" <<<"$OUT" && break
  sleep 0.1
done
expect_code 0 "ecsctl logs --task of the one-shot task"
expect_in "$OUT" "hello from the container in /www" "ecsctl logs shows the container's line (CloudWatch Logs of the plane)"
run __call logs GetLogEvents "{\"logGroupName\": \"/ecs/job\", \"logStreamName\": \"job/main/${TASK##*/}\", \"startFromHead\": true}"
expect_in "$OUT" "hello from the container in /www" "the line is in the awslogs stream job/main/TASK-ID"
OUT=$SAVED_OUT
for _ in $(seq 1 50); do [ -z "$(podman ps -aq --filter "label=io.ecsctl.local.task-arn=$TASK")" ] && break; sleep 0.1; done
[ -z "$(podman ps -aq --filter "label=io.ecsctl.local.task-arn=$TASK")" ] || fail "the stopped task's containers are removed"
pass "the stopped task's containers (and its network namespace) are removed"

# --- a pull failure ---
run run-task "${NET[@]}" --task-definition "$TMP/job.json" --image main=localhost/ecsctl-no-such-image:never --exit-code-from main
expect_code 5 "an image that cannot be pulled -> the task fails to start (exit 5)"
expect_in "$ERR$OUT" "CannotPullContainerError" "the stop reason is CannotPullContainerError"
expect_eq "$(jq -r '.tasks[0].stopCode' <<<"$OUT")" TaskFailedToStart "stopCode TaskFailedToStart"

# --- dependsOn SUCCESS, then StopTask with stopTimeout ---
cat >"$TMP/order.json" <<JSON
{"family": "order", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [
   {"name": "migrate", "image": "$IMAGE", "essential": false, "command": ["sh", "-c", "sleep 1; echo migrated"]},
   {"name": "app", "image": "$IMAGE", "essential": true, "command": ["sleep", "300"], "stopTimeout": 2,
    "dependsOn": [{"containerName": "migrate", "condition": "SUCCESS"}]}]}
JSON
run run-task "${NET[@]}" --task-definition "$TMP/order.json" --wait-until running
expect_code 0 "a task whose app waits for migrate's SUCCESS reaches RUNNING"
expect_eq "$(jq -r '.tasks[0].lastStatus' <<<"$OUT")" RUNNING "run-task printed the running task"
TASK=$(jq -r '.tasks[0].taskArn' <<<"$OUT")
MIGRATE=$(task_container "$TASK" migrate)
APP=$(task_container "$TASK" app)
[ -n "$MIGRATE" ] && [ -n "$APP" ] || fail "both containers exist while the task runs"
MIGRATE_END=$(podman inspect -f '{{.State.FinishedAt.UnixNano}}' "$MIGRATE" 2>/dev/null || podman inspect --format json "$MIGRATE" | jq -r '.[0].State.FinishedAt')
APP_START=$(podman inspect -f '{{.State.StartedAt.UnixNano}}' "$APP" 2>/dev/null || podman inspect --format json "$APP" | jq -r '.[0].State.StartedAt')
[[ $MIGRATE_END =~ ^[0-9]+$ && $APP_START =~ ^[0-9]+$ && $APP_START -ge $MIGRATE_END ]] ||
  fail "app started ($APP_START) after migrate exited ($MIGRATE_END)"
pass "dependsOn SUCCESS: app started $(( (APP_START - MIGRATE_END) / 1000000 )) ms after migrate exited 0"
grep -q "container migrate exited (code 0)" "$STATE/server.log" && grep -q "container app started" "$STATE/server.log" ||
  fail "the server log records the start and exit of each container"
pass "the server log records each container's start and exit"
run describe-tasks --cluster eng --tasks "$TASK"
expect_eq "$(jq -r '.tasks[0].containers[] | select(.name=="migrate") | .exitCode' <<<"$OUT")" 0 "migrate's exit code 0"
expect_eq "$(jq -r '.tasks[0].lastStatus' <<<"$OUT")" RUNNING "the task runs on after the non-essential migrate exited"
START=$(date +%s.%N)
run stop-task --cluster eng --task "$TASK"
expect_code 0 "stop-task"
run wait tasks-stopped --cluster eng --tasks "$TASK"
ELAPSED=$(python3 -c "import time; print(round(time.time() - $START, 1))")
run describe-tasks --cluster eng --tasks "$TASK"
expect_eq "$(jq -r '.tasks[0].containers[] | select(.name=="app") | .exitCode' <<<"$OUT")" 137 "sleep as PID 1 ignores SIGTERM: SIGKILL after stopTimeout (137)"
python3 -c "import sys; sys.exit(0 if 1.8 <= $ELAPSED <= 15 else 1)" || fail "stopTimeout 2 s: stopped after $ELAPSED s"
pass "StopTask waited stopTimeout (2 s) before SIGKILL: stopped in $ELAPSED s"
expect_eq "$(jq -r '.tasks[0].stopCode' <<<"$OUT")" UserInitiated "stopCode UserInitiated"

# --- bridge: a dynamic host port on 127.0.0.1 ---
"$ECSCTL" local add-instances --state "$STATE" --cluster eng --count 1 >/dev/null || fail "add-instances"
cat >"$TMP/web.json" <<JSON
{"family": "web", "networkMode": "bridge", "requiresCompatibilities": ["EC2"],
 "containerDefinitions": [{"name": "web", "image": "$IMAGE", "essential": true, "memory": 64, "cpu": 128,
   "command": ["httpd", "-f", "-p", "80", "-h", "/www"], "portMappings": [{"containerPort": 80, "hostPort": 0}],
   "healthCheck": {"command": ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/index.html"], "interval": 5, "retries": 2}}]}
JSON
run run-task --cluster eng --launch-type EC2 --task-definition "$TMP/web.json" --wait-until running
expect_code 0 "a bridge task with a dynamic host port runs"
WEB=$(jq -r '.tasks[0].taskArn' <<<"$OUT")
HOSTPORT=$(jq -r '.tasks[0].containers[0].networkBindings[0].hostPort' <<<"$OUT")
[[ $HOSTPORT -ge 49153 && $HOSTPORT -le 65535 ]] || fail "the dynamic host port is in ECS's range: $HOSTPORT"
BODY=$(curl -s --max-time 5 "http://127.0.0.1:$HOSTPORT/index.html")
expect_eq "$BODY" "hello from ecsctl local" "the container answers on 127.0.0.1:$HOSTPORT (networkBindings)"
for _ in $(seq 1 50); do
  run describe-tasks --cluster eng --tasks "$WEB"
  [ "$(jq -r '.tasks[0].healthStatus' <<<"$OUT")" = HEALTHY ] && break
  sleep 0.2
done
expect_eq "$(jq -r '.tasks[0].containers[0].healthStatus' <<<"$OUT")" HEALTHY "the engine's health check makes the container HEALTHY"
expect_eq "$(jq -r '.tasks[0].healthStatus' <<<"$OUT")" HEALTHY "and the task HEALTHY"

# --- awsvpc: the task is reachable at its private IP ---
sed -e 's/"family": "web", "networkMode": "bridge", "requiresCompatibilities": \["EC2"\]/"family": "webvpc", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512"/' \
  -e 's/, "hostPort": 0//' "$TMP/web.json" >"$TMP/webvpc.json"
run run-task "${NET[@]}" --task-definition "$TMP/webvpc.json" --wait-until running
expect_code 0 "an awsvpc web task runs"
VPCTASK=$(jq -r '.tasks[0].taskArn' <<<"$OUT")
IP=$(jq -r '.tasks[0].containers[0].networkInterfaces[0].privateIpv4Address' <<<"$OUT")
BODY=$(curl -s --max-time 5 "http://$IP/index.html")
expect_eq "$BODY" "hello from ecsctl local" "the awsvpc task answers at its privateIpv4Address ($IP:80) from the host"
run stop-task --cluster eng --task "$VPCTASK"

# --- crash loop: a service whose container exits at once is throttled ---
cat >"$TMP/crash.json" <<JSON
{"family": "crash", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "app", "image": "$IMAGE", "essential": true, "command": ["sh", "-c", "exit 1"]}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/crash.json"
expect_code 0 "register crash"
run create-service --cluster eng --service-name crash --task-definition crash --desired-count 1 --launch-type FARGATE \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-0aaa]}'
expect_code 0 "create-service crash"
sleep 10
# ECS's throttle at --pace fast (the default): two rounds at once, then waits of
# 1 s, 2 s, 4 s...; each round here is a real container that starts and exits.
launched() {
  "$ECSCTL" describe-services --cluster eng --services crash \
    | jq '[.services[0].events[].message | capture("has started (?<n>[0-9]+) tasks") | .n | tonumber] | add // 0'
}
N=$(launched)
[ "$N" -ge 2 ] && [ "$N" -le 8 ] || fail "crash: $N tasks launched in 10 s, expected 2 to 8"
pass "crash loop on the engine: $N tasks launched in 10 s"
"$ECSCTL" describe-services --cluster eng --services crash | jq -r '.services[0].events[].message' \
  | grep -qxF "(service crash) is unable to consistently start tasks successfully." \
  || fail "no throttle event for the crashing service"
pass "the service says it is unable to consistently start tasks successfully"
STOPPED=$("$ECSCTL" list-tasks --cluster eng --service-name crash --desired-status STOPPED --query 'taskArns[0]' --output text)
run describe-tasks --cluster eng --tasks "$STOPPED"
expect_eq "$(jq -r '.tasks[0] | [.stopCode, (.containers[0].exitCode|tostring)] | join(" ")' <<<"$OUT")" \
  "EssentialContainerExited 1" "a crashed task stopped as its container exited 1"
run delete-service --cluster eng --service crash --force
expect_code 0 "delete-service crash --force"

# --- SIGKILL of the plane, restart: running tasks adopted, gone ones stopped ---
run run-task "${NET[@]}" --task-definition "$TMP/order.json" --wait-until running
GONE=$(jq -r '.tasks[0].taskArn' <<<"$OUT")
PID=$(jq -r .pid "$STATE/server.json")
kill -9 "$PID"
for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
podman rm -f "$(task_container "$GONE" app)" >/dev/null
rm -f "$STATE/server.json"
# ECSCTL_LOCAL_RUNTIME chooses it too (ctest sets it to simulated for the other tests).
ECSCTL_LOCAL_RUNTIME=engine "$ECSCTL" local up --port "$PORT" --state "$STATE" --detach >/dev/null 2>"$TMP/up2.err" || fail "restart: $(cat "$TMP/up2.err")"
run wait tasks-stopped --cluster eng --tasks "$GONE"
expect_code 0 "a task whose containers went away while the plane was down is STOPPED"
run describe-tasks --cluster eng --tasks "$GONE" "$WEB"
expect_in "$(jq -r '.tasks[] | select(.taskArn=="'"$GONE"'") | .stoppedReason' <<<"$OUT")" "gone" "with a reason that says its containers were gone"
expect_eq "$(jq -r '.tasks[] | select(.taskArn=="'"$GONE"'") | .containers[] | select(.name=="app") | .reason' <<<"$OUT")" \
  "The container is gone from the container engine" "the gone container says so, with no made-up exit code"
expect_eq "$(jq -r '.tasks[] | select(.taskArn=="'"$WEB"'") | .lastStatus' <<<"$OUT")" RUNNING "the running web task is adopted"
BODY=$(curl -s --max-time 5 "http://127.0.0.1:$HOSTPORT/index.html")
expect_eq "$BODY" "hello from ecsctl local" "its container still serves after the restart"
run stop-task --cluster eng --task "$WEB"
run wait tasks-stopped --cluster eng --tasks "$WEB"
expect_code 0 "the adopted task stops on StopTask"
for _ in $(seq 1 50); do [ -z "$(podman ps -aq --filter "label=io.ecsctl.local.task-arn=$WEB")" ] && break; sleep 0.1; done
[ -z "$(podman ps -aq --filter "label=io.ecsctl.local.task-arn=$WEB")" ] || fail "the adopted task's container is removed"
pass "the adopted task's container is removed once it stops"

# --- local down removes every container of the plane ---
run run-task "${NET[@]}" --task-definition "$TMP/order.json" --count 2 --wait-until running
expect_code 0 "two more tasks run"
[ -n "$(plane_containers)" ] || fail "the plane has containers before local down"
"$ECSCTL" local down --state "$STATE" 2>/dev/null || fail "local down"
LEFT=$(plane_containers)
expect_eq "$LEFT" "" "after local down, podman lists no container with label $LABEL"
[ ! -e "$STATE/podman.sock" ] || fail "local down stops the plane's podman service"
pass "local down stops the plane's podman API service"

echo "all $PASSES checks passed"
