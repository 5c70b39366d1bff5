#!/usr/bin/env bash
# run-task against `ecsctl local`: a file registered then reused, the container's
# exit code with --exit-code-from, overrides, a task that fails to start, a
# timeout, Ctrl-C during the wait, and a file that fails validation.
source "$(dirname "$0")/workflow_lib.bash"
start_workflow_local

run create-cluster --cluster-name wf
expect_code 0 "create-cluster"

cat >"$TMP/job.json" <<'JSON'
{"family": "job", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "main", "image": "ecsctl/exit:3", "essential": true}]}
JSON
NET=(--cluster wf --launch-type FARGATE --subnets subnet-0aaa)

run run-task "${NET[@]}" --task-definition "$TMP/job.json" --exit-code-from main
expect_code 3 "container exiting 3 -> exit 3 with --exit-code-from"
expect_in "$ERR" "registered job:1" "the file was registered"
expect_in "$ERR" "container main exited 3" "the exit code is reported"
expect_eq "$(jq -r '.tasks[0].lastStatus' <<<"$OUT")" STOPPED "the stopped task is printed"

run run-task "${NET[@]}" --task-definition "$TMP/job.json" --exit-code-from main --env main:ECSCTL_LOCAL_EXIT_CODE=0
expect_code 0 "--env override changes the container's exit code"
expect_in "$ERR" "reusing job:1" "an identical revision is reused"
expect_eq "$("$ECSCTL" list-task-definitions --family-prefix job --query 'length(taskDefinitionArns)')" 1 "no duplicate revision"

run run-task "${NET[@]}" --task-definition "$TMP/job.json" --image main=ecsctl/pull-error --exit-code-from main
expect_code 5 "a task that fails to start -> exit 5"
expect_in "$ERR$OUT" "CannotPullContainerError" "the pull error is printed"

# job:1's container exits at once (ecsctl/exit:3): keep it running so it can be seen RUNNING.
run run-task "${NET[@]}" --task-definition job:1 --env main:ECSCTL_LOCAL_RUN_SECONDS=120 --wait-until running
expect_code 0 "--wait-until running"
expect_eq "$(jq -r '.tasks[0].lastStatus' <<<"$OUT")" RUNNING "the task is RUNNING when it returns"

run run-task "${NET[@]}" --task-definition job:1 --env main:ECSCTL_LOCAL_RUN_SECONDS=120 --timeout 2s --wait-until stopped
expect_code 4 "--timeout -> exit 4"
expect_in "$ERR" "ecsctl stop-task --cluster wf --task" "the task left running is named"

# ecsctl wait takes durations too: --timeout 2s on a task that runs for 120 s -> exit 4.
TASK=$("$ECSCTL" list-tasks --cluster wf --desired-status RUNNING --query 'taskArns[0]' --output text)
run wait tasks-stopped --cluster wf --tasks "$TASK" --delay 1s --timeout 2s
expect_code 4 "wait tasks-stopped --timeout 2s -> exit 4"
run wait tasks-stopped --cluster wf --tasks "$TASK" --timeout soon
expect_code 252 "wait --timeout soon -> usage error"
expect_in "$ERR" "invalid duration 'soon' for --timeout" "the bad duration is named"

# Ctrl-C during the wait: exit 130 and the running task is reported.
set +e
"$ECSCTL" run-task "${NET[@]}" --task-definition job:1 --env main:ECSCTL_LOCAL_RUN_SECONDS=120 --wait-until stopped \
  >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 50); do grep -q RUNNING "$TMP/err" 2>/dev/null && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
CODE=$?
set -e
ERR=$(cat "$TMP/err")
expect_code 130 "Ctrl-C during the wait -> exit 130"
expect_in "$ERR" "stop with: ecsctl stop-task" "what was left running is reported"

cat >"$TMP/bad.json" <<'JSON'
{"family": "bad", "containerDefinitions": [{"name": "main", "memory": -5}]}
JSON
run run-task "${NET[@]}" --task-definition "$TMP/bad.json"
expect_code 3 "a file that fails validation -> exit 3"
run list-task-definitions --family-prefix bad
expect_eq "$(jq '.taskDefinitionArns | length' <<<"$OUT")" 0 "nothing registered for the invalid file"

run run-task --cluster wf --task-definition job:1 --launch-type FARGATE --exit-code-from nosuch
expect_code 252 "--exit-code-from an unknown container is a usage error"

echo "workflow_run_task: $PASSES checks passed"
