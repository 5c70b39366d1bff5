#!/usr/bin/env bash
# Expired credentials mid-wait (issue 10), through tests/tools/fault_proxy.py in
# front of `ecsctl local`: the proxy answers a session token "...exp<UNIX-TIME>..."
# past its time with HTTP 400 ExpiredTokenException, as AWS does.
#  - static keys (environment) whose token expires during `run-task --wait-until
#    stopped` / `wait tasks-stopped`: one clear error, the AWS CLI's exit code
#    (254 for a service error; 255 for a waiter that met an error, as `aws ecs
#    wait` gives), one rejected request (no retry storm), no secret printed, and
#    the task that was started is reported;
#  - credential_process credentials with an Expiration shorter than the wait:
#    fetched again, and the wait completes.
source "$(dirname "$0")/workflow_lib.bash"
start_workflow_local
source "$(dirname "$0")/lib/fault.bash"
AKID=$AWS_ACCESS_KEY_ID SECRET=$AWS_SECRET_ACCESS_KEY

run create-cluster --cluster-name fc
expect_code 0 "create-cluster"
cat >"$TMP/job.json" <<'JSON'
{"family": "job", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "main", "image": "ecsctl/exit:0:after=70", "essential": true}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/job.json"
expect_code 0 "register job:1 (runs 7 seconds: ecsctl local paces fast, a tenth of after=)"
NET=(--cluster fc --launch-type FARGATE --subnets subnet-0aaa)
start_fault_proxy

# expect_no_secret TEXT WHAT: neither the secret key nor a session token's secret part.
expect_no_secret() {
  if grep -qF -e "$SECRET" -e "TOKENSECRET" <<<"$1"; then fail "$2: a secret was printed: $1"; fi
  pass "$2"
}

# 1. Static keys from the environment; the session token expires 3-4 seconds in
# (whole seconds), well before the task ends (7 s) but after the first poll even
# on a loaded machine, where every write is synced before RunTask is answered.
export AWS_SESSION_TOKEN="static-exp$(($(date +%s) + 4))-TOKENSECRET"
run run-task "${NET[@]}" --task-definition job:1 --wait-until stopped
expect_code 254 "run-task --wait-until stopped, token expired mid-wait -> 254 (service error)"
expect_eq "$(grep -c '^ecsctl: error:' <<<"$ERR")" 1 "one error"
expect_in "$ERR" "An error occurred (ExpiredTokenException) when calling the DescribeTasks operation: The security token included in the request is expired" \
  "the error is the service's, in the AWS CLI's words"
expect_in "$ERR" "the task(s) were started, but waiting for them failed" "the started task is reported"
expect_in "$ERR" "stop with: ecsctl stop-task --cluster fc --task" "with how to stop it"
printf '%s\n' "$ERR" | sed 's/^/    | /'   # what a user sees, in the test log
expect_no_secret "$OUT$ERR" "no secret in the output"
expect_eq "$(proxy_count 'select(.injected == "ExpiredTokenException")')" 1 "one rejected request: no retry storm"
[ "$(proxy_count 'select(.op == "DescribeTasks" and .status == 200)')" -ge 1 ] \
  || fail "the token should expire during the wait, not before it: $(cat "$PROXY_LOG")"
pass "the token expired during the wait"

TASK=$(AWS_ENDPOINT_URL=$LOCAL_ENDPOINT AWS_SESSION_TOKEN= "$ECSCTL" run-task "${NET[@]}" --task-definition job:1 \
  --query 'tasks[0].taskArn' --output text)
start_fault_proxy
export AWS_SESSION_TOKEN="static-exp$(($(date +%s) + 4))-TOKENSECRET"
run wait tasks-stopped --cluster fc --tasks "$TASK" --delay 1
expect_code 255 "wait tasks-stopped, token expired mid-wait -> 255 (the AWS CLI's code for a waiter error)"
expect_eq "$(grep -c '^ecsctl: error:' <<<"$ERR")" 1 "one error"
expect_in "$ERR" "Waiter TasksStopped failed: An error occurred (ExpiredTokenException): The security token included in the request is expired" \
  "botocore's waiter message"
expect_no_secret "$OUT$ERR" "no secret in the output"
expect_eq "$(proxy_count 'select(.injected == "ExpiredTokenException")')" 1 "one rejected request"
[ "$(proxy_count 'select(.op == "DescribeTasks" and .status == 200)')" -ge 1 ] || fail "expired before the wait"
pass "the token expired during the wait"
run describe-tasks --cluster fc --tasks "$TASK"
expect_code 254 "a single call with the expired token -> 254"
unset AWS_SESSION_TOKEN

# 2. credential_process: each run prints the local keys with a fresh token that
# expires 3 seconds later, and says so in Expiration.
cat >"$TMP/creds.sh" <<EOF
#!/bin/sh
echo run >>"$TMP/creds.runs"
exp=\$((\$(date +%s) + 3))
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "proc-exp%s-TOKENSECRET", "Expiration": "%s"}' \
  "$AKID" "$SECRET" "\$exp" "\$(date -u -d "@\$exp" +%Y-%m-%dT%H:%M:%SZ)"
EOF
mkdir -p "$HOME/.aws"
printf '[profile refreshing]\ncredential_process = sh %s\nregion = us-east-1\n' "$TMP/creds.sh" >"$AWS_CONFIG_FILE"
: >"$TMP/creds.runs"
start_fault_proxy
start=$(date +%s)
run --profile refreshing run-task "${NET[@]}" --task-definition job:1 --wait-until stopped
expect_code 0 "credential_process credentials expiring every 3 s: run-task --wait-until stopped completes"
expect_eq "$(jq -r '.tasks[0].lastStatus' <<<"$OUT")" STOPPED "the task stopped"
[ $(($(date +%s) - start)) -ge 5 ] || fail "the wait should outlive a token (3 s)"
expect_eq "$(proxy_count 'select(.injected != null)')" 0 "no request was sent with an expired token"
[ "$(wc -l <"$TMP/creds.runs")" -ge 3 ] || fail "credential_process should run again as tokens expire: $(wc -l <"$TMP/creds.runs") run(s)"
pass "credential_process ran again as its tokens expired"
expect_no_secret "$OUT$ERR" "no secret in the output"

TASK=$(AWS_ENDPOINT_URL=$LOCAL_ENDPOINT "$ECSCTL" run-task "${NET[@]}" --task-definition job:1 \
  --query 'tasks[0].taskArn' --output text)
run --profile refreshing wait tasks-stopped --cluster fc --tasks "$TASK" --delay 1
expect_code 0 "credential_process credentials: wait tasks-stopped completes"
expect_eq "$(proxy_count 'select(.injected != null)')" 0 "no request was sent with an expired token"

# The AWS CLI v2 as the independent check of both exit codes (v1 exits 255 for
# every error, so it cannot tell them apart).
if command -v aws >/dev/null && aws --version 2>&1 | grep -q '^aws-cli/2'; then
  TASK=$(AWS_ENDPOINT_URL=$LOCAL_ENDPOINT "$ECSCTL" run-task "${NET[@]}" --task-definition job:1 \
    --query 'tasks[0].taskArn' --output text)
  export AWS_SESSION_TOKEN="static-exp$(($(date +%s) - 1))-TOKENSECRET"
  for cmd in "wait tasks-stopped" "describe-tasks"; do
    set +e
    aws --endpoint-url "$AWS_ENDPOINT_URL" ecs $cmd --cluster fc --tasks "$TASK" >/dev/null 2>"$TMP/aws.err"
    aws_code=$?
    set -e
    run $cmd --cluster fc --tasks "$TASK"
    expect_eq "$CODE" "$aws_code" "$cmd with an expired token: the AWS CLI v2's exit code ($aws_code)"
  done
  unset AWS_SESSION_TOKEN
else
  echo "skip - the AWS CLI v2 is not installed: exit codes not compared"
fi

echo "fault_credentials: $PASSES checks passed"
