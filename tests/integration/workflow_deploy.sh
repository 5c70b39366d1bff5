#!/usr/bin/env bash
# deploy, scale, restart and rollback against `ecsctl local`: a good rolling
# deployment, a circuit-breaker rollback (exit 5 with the reason), a stalled
# deployment (exit 4; exit 5 after --rollback-on-failure), --events NDJSON,
# idempotent reruns, Ctrl-C during the wait (exit 130)
# and SIGTERM (exit 143).
source "$(dirname "$0")/workflow_lib.bash"
start_workflow_local

run create-cluster --cluster-name wf
expect_code 0 "create-cluster"
cat >"$TMP/api.json" <<'JSON'
{"family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "api", "image": "nginx:1", "essential": true, "portMappings": [{"containerPort": 80}]}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/api.json"
expect_code 0 "register api:1"
NET='awsvpcConfiguration={subnets=[subnet-0aaa],assignPublicIp=DISABLED}'
run create-service --cluster wf --service-name api --task-definition api:1 --desired-count 2 --launch-type FARGATE \
  --network-configuration "$NET" \
  --deployment-configuration 'deploymentCircuitBreaker={enable=true,rollback=true},maximumPercent=200,minimumHealthyPercent=50'
expect_code 0 "create-service"

run deploy api --cluster wf --image api=nginx:2 --timeout 60s
expect_code 0 "deploy --image completes"
expect_eq "$(jq -r '.service.taskDefinition' <<<"$OUT")" "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2" "the service runs api:2"

run deploy api --cluster wf --image api=nginx:2 --timeout 60s
expect_code 0 "rerunning the same deploy succeeds"
expect_in "$ERR" "api:2" "and reuses api:2"
expect_eq "$("$ECSCTL" list-task-definitions --family-prefix api --query 'length(taskDefinitionArns)')" 2 "no duplicate revision"

run deploy api --cluster wf --image api=nginx:2 --dry-run
expect_code 0 "--dry-run"
expect_in "$OUT" "UpdateService" "--dry-run lists the calls"

run deploy api --cluster wf --image api=ecsctl/exit:1 --timeout 60s
expect_code 5 "a circuit-breaker rollback -> exit 5"
expect_in "$ERR" "circuit breaker" "the reason is printed"
expect_eq "$("$ECSCTL" describe-services --cluster wf --services api --query 'services[0].taskDefinition' --output text)" \
  "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2" "the service is back on api:2"

run --output json deploy api --cluster wf --image api=nginx:4 --timeout 60s --events "$TMP/events"
expect_code 0 "deploy with --output json"
OUT_FLAG=$OUT
expect_eq "$(jq -r '.service.serviceName' <<<"$OUT")" "api" "an explicit --output json: stdout is the final service"
jq -e -s 'all(.[]; has("event") and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")))
          and .[0].event == "deploying" and .[-1].event == "completed"' "$TMP/events" >/dev/null \
  || fail "NDJSON events: $(cat "$TMP/events")"
pass "--events FILE: NDJSON events, each with an ISO 8601 time"
AWS_DEFAULT_OUTPUT=json run deploy api --cluster wf --image api=nginx:4 --timeout 60s
expect_code 0 "deploy with AWS_DEFAULT_OUTPUT=json"
expect_eq "$(jq -r '.service.serviceName' <<<"$OUT")" "api" "AWS_DEFAULT_OUTPUT=json: stdout is the final service"
run deploy api --cluster wf --image api=nginx:4 --timeout 60s
expect_code 0 "deploy with the default output"
# The same shape whatever the source of json (byte equality is checked by the unit tests; here
# the counts and timestamps of a live service may move between two runs).
expect_eq "$(jq -c '[keys, (.service | keys), .service.serviceName, .service.taskDefinition]' <<<"$OUT")" \
  "$(jq -c '[keys, (.service | keys), .service.serviceName, .service.taskDefinition]' <<<"$OUT_FLAG")" \
  "the same output whatever the source of json"

run scale api 3 --cluster wf --timeout 60s
expect_code 0 "scale to 3"
expect_eq "$(jq -r '.service.runningCount' <<<"$OUT")" 3 "three tasks run"
run restart api --cluster wf --timeout 60s
expect_code 0 "restart"
# rollback takes the newest ACTIVE revision below the current one (README,
# "Workflows"). api:3 is the image the circuit breaker rolled back above;
# like ECS, that leaves it ACTIVE, so retire it first, as one would.
run deregister-task-definition --task-definition api:3
expect_code 0 "deregister the failed api:3"
run rollback api --cluster wf --timeout 60s
expect_code 0 "rollback"
expect_in "$ERR" "from api:4 to api:2" "rollback skips the INACTIVE api:3"
expect_eq "$(jq -r '.service.taskDefinition' <<<"$OUT")" "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2" \
  "rollback deployed the previous ACTIVE revision"

# A stalled deployment: EC2 tasks on a cluster without container instances never start.
cat >"$TMP/ec2.json" <<'JSON'
{"family": "ec2app", "containerDefinitions": [{"name": "app", "image": "nginx:1", "memory": 128}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/ec2.json"
run create-service --cluster wf --service-name stuck --task-definition ec2app:1 --desired-count 1 --launch-type EC2
expect_code 0 "create the EC2 service"
run deploy stuck --cluster wf --image app=nginx:2 --stall-timeout 2s --timeout 30s
expect_code 4 "a stalled deployment -> exit 4"
expect_in "$ERR" "stalled" "the stall is reported"
run deploy stuck --cluster wf --image app=nginx:3 --stall-timeout 2s --timeout 30s --rollback-on-failure
expect_code 5 "--rollback-on-failure after a stall -> exit 5"
expect_in "$ERR" "rolled the service back to ec2app:" "the rollback is reported"

set +e
"$ECSCTL" deploy stuck --cluster wf --image app=nginx:5 --timeout 60s >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 50); do grep -q "running 0/1" "$TMP/err" 2>/dev/null && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
CODE=$?
set -e
ERR=$(cat "$TMP/err")
expect_code 130 "Ctrl-C during the deploy wait -> exit 130"
expect_in "$ERR" "Not done: waiting for the deployment" "what was not done is reported"
expect_in "$ERR" "updated stuck to ec2app:" "what was done is reported"

# SIGTERM (a cancelled CI job) during the wait: 143 (128 + 15), not 130.
set +e
"$ECSCTL" deploy stuck --cluster wf --image app=nginx:6 --timeout 60s >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 200); do grep -q "running 0/1" "$TMP/err" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
CODE=$?
set -e
ERR=$(cat "$TMP/err")
expect_code 143 "SIGTERM during the deploy wait -> exit 143"
expect_in "$ERR" "terminated while waiting for the deployment" "SIGTERM is reported as such"
expect_in "$ERR" "Not done: waiting for the deployment" "what was not done is reported on SIGTERM"

echo "workflow_deploy: $PASSES checks passed"
