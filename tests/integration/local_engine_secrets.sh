#!/usr/bin/env bash
# ecsctl local on the engine runtime (podman), part two:
# - secrets: a Secrets Manager secret (whole and one JSON key, put through
#   ecsctl) and an SSM SecureString parameter (put through the AWS CLI) reach
#   the container's environment; the container prints only their sha256, so
#   the values themselves appear nowhere: not in any ecsctl or aws output, not
#   in DescribeTasks, not in the plane's log or any file of its state
#   directory other than state.db;
# - a missing secret or parameter stops the task with ECS's
#   ResourceInitializationError, naming it;
# - repositoryCredentials: the pull is made with them (the failure names the
#   registry), the password is never logged;
# - a container over its hard memory limit: OutOfMemoryError, exit 137;
# - a service burning CPU: GetMetricData and `ecsctl status` show real CPU
#   figures from the engine's container statistics;
# - ECR: DescribeImages and `ecsctl verify` find an image the engine has as
#   localhost/REPO:TAG, and a task naming the ECR URI runs it.
# Skips (77) only where podman is not installed.
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
ACCOUNT=123456789012
REGION=${AWS_REGION:-us-east-1}
# Everything ecsctl and aws print goes here too: no secret value may be in it.
ALL=$TMP/all-output
: >"$ALL"
run() {
  set +e
  "$ECSCTL" "$@" >"$TMP/out" 2>"$TMP/err"
  CODE=$?
  set -e
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
  cat "$TMP/out" "$TMP/err" >>"$ALL"
}
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
REPO_IMAGE_TAG=v$RANDOM$RANDOM
cleanup_images() { podman rmi -f "localhost/ecsctl-test/app:$REPO_IMAGE_TAG" >/dev/null 2>&1 || true; }
trap 'cleanup_images; cleanup' EXIT

run create-cluster --cluster-name sec
expect_code 0 "create-cluster"
NET=(--cluster sec --launch-type FARGATE --subnets subnet-0aaa)

# --- secrets reach the container ---
DB_VALUE="db-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
KEY_VALUE="key-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TOKEN_VALUE="token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
REG_PASSWORD="regpw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
VALUES=("$DB_VALUE" "$KEY_VALUE" "$TOKEN_VALUE" "$REG_PASSWORD")

run __call secretsmanager CreateSecret "{\"Name\": \"app/db\", \"SecretString\": \"$DB_VALUE\"}"
expect_code 0 "ecsctl: CreateSecret app/db"
DB_ARN=$(jq -r .ARN <<<"$OUT")
run __call secretsmanager CreateSecret "{\"Name\": \"app/json\", \"SecretString\": \"{\\\"password\\\": \\\"$KEY_VALUE\\\", \\\"user\\\": \\\"app\\\"}\"}"
expect_code 0 "ecsctl: CreateSecret app/json (a JSON secret)"
JSON_ARN=$(jq -r .ARN <<<"$OUT")
set +e
aws ssm put-parameter --endpoint-url "$AWS_ENDPOINT_URL" --name /app/token --type SecureString --value "$TOKEN_VALUE" \
  >"$TMP/aws.out" 2>"$TMP/aws.err"
code=$?
set -e
cat "$TMP/aws.out" "$TMP/aws.err" >>"$ALL"
[ "$code" = 0 ] || fail "aws ssm put-parameter: exit $code: $(cat "$TMP/aws.err")"
pass "aws: put-parameter /app/token (SecureString)"

cat >"$TMP/secrets.json" <<JSON
{"family": "secrets", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "executionRoleArn": "arn:aws:iam::$ACCOUNT:role/ecsTaskExecutionRole",
 "containerDefinitions": [{"name": "main", "image": "$IMAGE", "essential": true,
   "command": ["sh", "-c", "p() { echo \$1 sha256=\$(printf %s \"\$2\" | busybox sha256sum | cut -d' ' -f1) length=\$(printf %s \"\$2\" | wc -c); }; p DB_PASSWORD \"\$DB_PASSWORD\"; p JSON_PASSWORD \"\$JSON_PASSWORD\"; p API_TOKEN \"\$API_TOKEN\""],
   "secrets": [{"name": "DB_PASSWORD", "valueFrom": "$DB_ARN"},
               {"name": "JSON_PASSWORD", "valueFrom": "$JSON_ARN:password::"},
               {"name": "API_TOKEN", "valueFrom": "/app/token"}],
   "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/secrets", "awslogs-region": "$REGION", "awslogs-stream-prefix": "s"}}}]}
JSON
run run-task "${NET[@]}" --task-definition "$TMP/secrets.json" --wait-until stopped --exit-code-from main
expect_code 0 "a task with three secrets runs and exits 0"
TASK=$(jq -r '.tasks[0].taskArn' <<<"$OUT")
expect_eq "$(jq -r '.tasks[0].stopCode' <<<"$OUT")" EssentialContainerExited "it ran (stopCode EssentialContainerExited)"
for _ in $(seq 1 50); do
  run logs --cluster sec --task "${TASK##*/}" --since 1h
  grep -q "API_TOKEN sha256" <<<"$OUT" && break
  sleep 0.1
done
expect_in "$OUT" "DB_PASSWORD sha256=$(sha "$DB_VALUE") length=${#DB_VALUE}" "the Secrets Manager secret is in the container's environment"
expect_in "$OUT" "JSON_PASSWORD sha256=$(sha "$KEY_VALUE") length=${#KEY_VALUE}" "the JSON key of a secret (ARN:password::) is"
expect_in "$OUT" "API_TOKEN sha256=$(sha "$TOKEN_VALUE") length=${#TOKEN_VALUE}" "the SSM SecureString parameter is"
run __call logs GetLogEvents "{\"logGroupName\": \"/ecs/secrets\", \"logStreamName\": \"s/main/${TASK##*/}\", \"startFromHead\": true}"
expect_in "$OUT" "API_TOKEN sha256=$(sha "$TOKEN_VALUE")" "GetLogEvents has the container's lines"
run describe-tasks --cluster sec --tasks "$TASK"
expect_code 0 "describe-tasks"
run describe-task-definition --task-definition secrets
expect_eq "$(jq -r '.taskDefinition.containerDefinitions[0].secrets[2].valueFrom' <<<"$OUT")" /app/token "the task definition shows valueFrom only"

# --- a missing secret / parameter: ResourceInitializationError ---
MISSING_ARN="arn:aws:secretsmanager:$REGION:$ACCOUNT:secret:app/nope-AbCdEf"
jq --arg arn "$MISSING_ARN" '.family = "missing" | .containerDefinitions[0].secrets = [{"name": "X", "valueFrom": $arn}]' \
  "$TMP/secrets.json" >"$TMP/missing.json"
run run-task "${NET[@]}" --task-definition "$TMP/missing.json" --wait-until stopped --exit-code-from main
expect_code 5 "a task whose secret does not exist fails to start (exit 5)"
REASON=$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")
expect_in "$REASON" "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm" "ECS's stop reason for a missing secret"
expect_in "$REASON" "$MISSING_ARN" "it names the secret"
expect_eq "$(jq -r '.tasks[0].stopCode' <<<"$OUT")" TaskFailedToStart "stopCode TaskFailedToStart"
jq --arg from "$JSON_ARN:nokey::" '.family = "missingkey" | .containerDefinitions[0].secrets = [{"name": "X", "valueFrom": $from}]' \
  "$TMP/secrets.json" >"$TMP/missingkey.json"
run run-task "${NET[@]}" --task-definition "$TMP/missingkey.json" --wait-until stopped --exit-code-from main
expect_code 5 "a JSON key the secret does not have: the task fails to start"
expect_in "$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")" "has no JSON key, version stage or version id as $JSON_ARN:nokey::" "the stop reason says the key is missing"
jq '.family = "missingparam" | .containerDefinitions[0].secrets = [{"name": "X", "valueFrom": "/app/nope"}]' \
  "$TMP/secrets.json" >"$TMP/missingparam.json"
run run-task "${NET[@]}" --task-definition "$TMP/missingparam.json" --wait-until stopped --exit-code-from main
expect_code 5 "a task whose parameter does not exist fails to start"
expect_in "$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")" "unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /app/nope" "ECS's stop reason names the parameter"

# --- repositoryCredentials: the pull carries them; the password is never logged ---
run __call secretsmanager CreateSecret "{\"Name\": \"registry/robot\", \"SecretString\": \"{\\\"username\\\": \\\"robot\\\", \\\"password\\\": \\\"$REG_PASSWORD\\\"}\"}"
expect_code 0 "CreateSecret registry/robot"
REG_ARN=$(jq -r .ARN <<<"$OUT")
jq --arg arn "$REG_ARN" '.family = "private" | .containerDefinitions[0].image = "127.0.0.1:9/team/private:1"
   | del(.containerDefinitions[0].secrets) | .containerDefinitions[0].repositoryCredentials = {"credentialsParameter": $arn}' \
  "$TMP/secrets.json" >"$TMP/private.json"
run run-task "${NET[@]}" --task-definition "$TMP/private.json" --wait-until stopped --exit-code-from main
expect_code 5 "an image from an unreachable private registry fails to start"
REASON=$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")
expect_in "$REASON" "CannotPullContainerError" "CannotPullContainerError"
expect_in "$REASON" "127.0.0.1:9" "the pull failure names the registry"
grep -q "pulling image 127.0.0.1:9/team/private:1 with the registry credentials" "$STATE/server.log" ||
  fail "the server log says the pull used the repository credentials"
pass "the pull was made with the repository credentials (server.log)"
jq --arg arn "${REG_ARN%-*}-Zzzzzz" '.family = "privatemissing" | .containerDefinitions[0].repositoryCredentials.credentialsParameter = $arn' \
  "$TMP/private.json" >"$TMP/privatemissing.json"
run run-task "${NET[@]}" --task-definition "$TMP/privatemissing.json" --wait-until stopped --exit-code-from main
expect_code 5 "missing registry credentials: the task fails to start"
expect_in "$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")" "unable to get registry auth from asm" "ECS's stop reason for missing registry credentials"

# --- OutOfMemoryError ---
cat >"$TMP/oom.json" <<JSON
{"family": "oom", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "hog", "image": "$IMAGE", "essential": true, "memory": 16,
   "command": ["sh", "-c", "a=0123456789abcdef; while :; do a=\"\$a\$a\"; done"]}]}
JSON
run run-task "${NET[@]}" --task-definition "$TMP/oom.json" --wait-until stopped --exit-code-from hog
expect_code 137 "a container over its 16 MiB hard limit is killed (exit 137)"
expect_eq "$(jq -r '.tasks[0].containers[0].exitCode' <<<"$OUT")" 137 "DescribeTasks: exit code 137"
expect_eq "$(jq -r '.tasks[0].containers[0].reason' <<<"$OUT")" "OutOfMemoryError: Container killed due to memory usage" "DescribeTasks: ECS's OutOfMemoryError reason"
expect_eq "$(jq -r '.tasks[0].stoppedReason' <<<"$OUT")" "Essential container in task exited" "the task's stop reason"

# --- CPU statistics of a service: GetMetricData and status ---
cat >"$TMP/burn.json" <<JSON
{"family": "burn", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "burn", "image": "$IMAGE", "essential": true, "command": ["sh", "-c", "while :; do :; done"]}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/burn.json"
expect_code 0 "register burn:1"
run create-service --cluster sec --service-name burn --task-definition burn:1 --desired-count 1 --launch-type FARGATE \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-0aaa],assignPublicIp=DISABLED}'
expect_code 0 "create-service burn"
run wait services-stable --cluster sec --services burn
expect_code 0 "the service's task runs"
metric_query() {  # METRIC
  local now
  now=$(date +%s)
  echo "{\"StartTime\":$((now - 600)),\"EndTime\":$((now + 60)),\"MetricDataQueries\":[{\"Id\":\"m\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"AWS/ECS\",\"MetricName\":\"$1\",\"Dimensions\":[{\"Name\":\"ClusterName\",\"Value\":\"sec\"},{\"Name\":\"ServiceName\",\"Value\":\"burn\"}]},\"Period\":60,\"Stat\":\"Average\"}}]}"
}
CPU=""
for _ in $(seq 1 60); do
  run __call cloudwatch GetMetricData "$(metric_query CPUUtilization)"
  CPU=$(jq -r '[.MetricDataResults[0].Values[]] | max // empty' <<<"$OUT")
  [ -n "$CPU" ] && break
  sleep 0.5
done
[ -n "$CPU" ] || fail "GetMetricData has CPUUtilization points for the service: $OUT"
python3 -c "import sys; sys.exit(0 if $CPU > 20 else 1)" || fail "a container burning CPU shows CPUUtilization above 20% of its 256 units: $CPU"
pass "GetMetricData: CPUUtilization $CPU% (real statistics, not the flat 12.5)"
run __call cloudwatch GetMetricData "$(metric_query MemoryUtilization)"
MEM=$(jq -r '[.MetricDataResults[0].Values[]] | max // empty' <<<"$OUT")
[ -n "$MEM" ] && python3 -c "import sys; sys.exit(0 if 0 < $MEM < 30 else 1)" ||
  fail "MemoryUtilization is the shell's few hundred KiB of 512 MiB, not the flat 30: '$MEM'"
pass "GetMetricData: MemoryUtilization $MEM%"
run status burn --cluster sec --output json
expect_code 0 "status --output json"
SCPU=$(jq -r '[.metrics.CPUUtilization[].value] | max // 0' <<<"$OUT")
python3 -c "import sys; sys.exit(0 if $SCPU > 20 else 1)" || fail "status shows the CPU figures: $SCPU"
pass "status: CPU figures not all zero (max $SCPU%)"
run status burn --cluster sec
expect_code 0 "status (the view)"
expect_in "$OUT" "CPU" "the view draws the CPU chart"
run delete-service --cluster sec --service burn --force
expect_code 0 "delete the burning service"

# --- ECR backed by the engine's images ---
podman tag "$IMAGE" "localhost/ecsctl-test/app:$REPO_IMAGE_TAG" || fail "podman tag"
ECR_IMAGE="$ACCOUNT.dkr.ecr.$REGION.amazonaws.com/ecsctl-test/app:$REPO_IMAGE_TAG"
run __call ecr DescribeImages "{\"repositoryName\": \"ecsctl-test/app\", \"imageIds\": [{\"imageTag\": \"$REPO_IMAGE_TAG\"}]}"
expect_code 0 "ECR DescribeImages finds the engine's localhost/ecsctl-test/app:$REPO_IMAGE_TAG"
expect_eq "$(jq -r '.imageDetails[0].imageTags[0]' <<<"$OUT")" "$REPO_IMAGE_TAG" "with its tag"
DIGEST=$(jq -r '.imageDetails[0].imageDigest' <<<"$OUT")
[[ $DIGEST == sha256:* ]] || fail "an image digest: $DIGEST"
run __call ecr BatchGetImage "{\"repositoryName\": \"ecsctl-test/app\", \"imageIds\": [{\"imageTag\": \"$REPO_IMAGE_TAG\"}]}"
expect_eq "$(jq -r '.images[0].imageId.imageDigest' <<<"$OUT")" "$DIGEST" "BatchGetImage gives the same digest"
expect_eq "$(jq -r '.images[0].imageManifest | fromjson | .schemaVersion' <<<"$OUT")" 2 "and a manifest"
run __call ecr DescribeImages "{\"repositoryName\": \"ecsctl-test/app\", \"imageIds\": [{\"imageTag\": \"nope\"}]}"
expect_code 254 "a tag the engine does not have"
expect_in "$ERR" "ImageNotFoundException" "ImageNotFoundException"
jq --arg img "$ECR_IMAGE" '.family = "fromecr" | .containerDefinitions[0].image = $img | del(.containerDefinitions[0].secrets) | del(.executionRoleArn)
   | .containerDefinitions[0].command = ["sh", "-c", "echo running the local image"]
   | .containerDefinitions[0].logConfiguration.options["awslogs-create-group"] = "true"' \
  "$TMP/secrets.json" >"$TMP/fromecr.json"
run verify --task-definition "$TMP/fromecr.json"
expect_code 0 "verify: the ECR image is found (the engine's local image)"
jq '.containerDefinitions[0].image |= sub(":[^:]*$"; ":not-built")' "$TMP/fromecr.json" >"$TMP/notbuilt.json"
run verify --task-definition "$TMP/notbuilt.json"
expect_code 3 "verify: a tag that was not built is missing"
expect_in "$ERR" "is not in ECR repository 'ecsctl-test/app'" "verify says which tag is missing"
jq --arg role "arn:aws:iam::$ACCOUNT:role/ecsTaskExecutionRole" '.executionRoleArn = $role' "$TMP/fromecr.json" >"$TMP/fromecr-run.json"
run run-task "${NET[@]}" --task-definition "$TMP/fromecr-run.json" --wait-until stopped --exit-code-from main
expect_code 0 "a task naming the ECR URI runs the engine's local image"
expect_eq "$(jq -r '.tasks[0].containers[0].image' <<<"$OUT")" "$ECR_IMAGE" "DescribeTasks keeps the image the task definition names"

# --- no secret value anywhere but in the container ---
for v in "${VALUES[@]}"; do
  ! grep -qF -- "$v" "$ALL" || fail "a secret value is in the output of ecsctl or aws"
  ! grep -rqF --exclude='state.db*' -- "$v" "$STATE" || fail "a secret value is in a file of the state directory: $(grep -rlF --exclude='state.db*' -- "$v" "$STATE")"
done
pass "no secret value in any ecsctl or aws output, DescribeTasks, server.log or the podman service's log"
! grep -rqF --exclude='state.db*' -- "$REG_PASSWORD" "$STATE" || fail "the registry password is logged"
pass "the registry password is in no log"

echo "all $PASSES checks passed"
