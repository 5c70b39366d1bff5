#!/usr/bin/env bash
# The client layer against tests/tools/sigv4_test_server on 127.0.0.1: every
# request's SigV4 signature is recomputed by the server; faults are injected to
# prove what is retried, what is not, and that secrets never reach the output.
set -u
: "${ECSCTL:?}" "${ECSCTL_BINARY_DIR:?}"
# Once over each transport: the built-in loopback HTTP client, then libcurl.
if [ -z "${ECSCTL_HTTP_CLIENT+x}" ]; then
  echo "# transport: built-in"
  ECSCTL_HTTP_CLIENT=builtin bash "$0" || exit 1
  echo "# transport: libcurl"
  ECSCTL_HTTP_CLIENT=curl exec bash "$0"
fi
SERVER="$ECSCTL_BINARY_DIR/tests/sigv4_test_server"
[ -x "$SERVER" ] || { echo "missing $SERVER (build target sigv4_test_server)"; exit 1; }

WORK=$(mktemp -d)
"$SERVER" --port-file "$WORK/port" >/dev/null 2>"$WORK/server.err" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
PORT=$(cat "$WORK/port")
URL="http://127.0.0.1:$PORT"

FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }

# An isolated environment: nothing from the real ~/.aws, no instance metadata.
run() {
  env -i PATH="$PATH" HOME="$WORK/home" TZ=UTC AWS_EC2_METADATA_DISABLED=true ECSCTL_HTTP_CLIENT="$ECSCTL_HTTP_CLIENT" \
    AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY='test/secret+key' AWS_REGION=us-east-1 \
    "$@"
}
faults() { curl -s -X POST --data "$1" "$URL/__control/faults" >/dev/null; }
clear_log() { curl -s -X POST --data "" "$URL/__control/clear" >/dev/null; }
log() { curl -s "$URL/__control/log"; }
mkdir -p "$WORK/home"

# 1. signed json-1.1 call, pagination followed to the end
clear_log
out=$(run "$ECSCTL" --endpoint-url "$URL" __call ecs ListClusters 2>"$WORK/err"); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q 'cluster/a' && echo "$out" | grep -q 'cluster/b' \
   && [ "$(log | grep -c '"signed":true')" -eq 2 ]; then ok "signed call, two pages"; else fail "signed call rc=$rc $out $(cat "$WORK/err")"; fi

# 2. a wrong secret: the server's InvalidSignatureException, exit 254, no retry
clear_log
run env AWS_SECRET_ACCESS_KEY=wrong "$ECSCTL" --endpoint-url "$URL" __call ecs ListClusters >/dev/null 2>"$WORK/err"; rc=$?
if [ $rc -eq 254 ] && grep -q 'InvalidSignatureException' "$WORK/err" && [ "$(log | wc -l)" -eq 1 ]; then ok "bad signature rejected"; else fail "bad signature rc=$rc $(cat "$WORK/err")"; fi

# 3. an unknown key
run env AWS_ACCESS_KEY_ID=AKIDNOBODY "$ECSCTL" --endpoint-url "$URL" __call ecs ListClusters >/dev/null 2>"$WORK/err"; rc=$?
if [ $rc -eq 254 ] && grep -q 'UnrecognizedClientException' "$WORK/err"; then ok "unknown key rejected"; else fail "unknown key rc=$rc $(cat "$WORK/err")"; fi

# 4. throttling and 500 are retried
clear_log; faults "throttle,500"
run "$ECSCTL" --endpoint-url "$URL" __call ecs ListClusters --no-paginate >/dev/null 2>"$WORK/err"; rc=$?
if [ $rc -eq 0 ] && [ "$(log | wc -l)" -eq 3 ]; then ok "throttling + 500 retried"; else fail "retries rc=$rc $(log) $(cat "$WORK/err")"; fi

# 5. 503 every time: gives up after 3 attempts with a clear error
clear_log; faults "503,503,503,503"
run "$ECSCTL" --endpoint-url "$URL" __call ecs ListClusters --no-paginate >/dev/null 2>"$WORK/err"; rc=$?
if [ $rc -eq 254 ] && [ "$(log | wc -l)" -eq 3 ] && grep -q '(503)' "$WORK/err"; then ok "gives up after 3 attempts"; else fail "give up rc=$rc $(cat "$WORK/err")"; fi

# 6. a reset connection is retried
clear_log; faults "reset"
run "$ECSCTL" --endpoint-url "$URL" __call ecs ListClusters --no-paginate >/dev/null 2>"$WORK/err"; rc=$?
if [ $rc -eq 0 ] && [ "$(log | wc -l)" -eq 2 ]; then ok "reset connection retried"; else fail "reset rc=$rc $(cat "$WORK/err")"; fi

# 7. a slow response times out (--cli-read-timeout 1) and is retried
clear_log; faults "slow:3"
start=$(date +%s)
run "$ECSCTL" --cli-read-timeout 1 --endpoint-url "$URL" __call ecs ListClusters --no-paginate >/dev/null 2>"$WORK/err"; rc=$?
took=$(( $(date +%s) - start ))
if [ $rc -eq 0 ] && [ "$(log | wc -l)" -eq 2 ] && [ $took -lt 10 ]; then ok "slow response timed out and retried (${took}s)"; else fail "slow rc=$rc took=$took $(cat "$WORK/err")"; fi

# 8. a non-retryable error fails at once
clear_log
run "$ECSCTL" --endpoint-url "$URL" __call ecs DescribeServices '{"services":["s"]}' >/dev/null 2>"$WORK/err"; rc=$?
if [ $rc -eq 254 ] && [ "$(log | wc -l)" -eq 1 ] && grep -q 'ClusterNotFoundException' "$WORK/err"; then ok "non-retryable fails at once"; else fail "non-retryable rc=$rc $(cat "$WORK/err")"; fi

# 9. query protocol (STS, ELBv2) with XML responses
out=$(run "$ECSCTL" --endpoint-url "$URL" __call sts GetCallerIdentity 2>"$WORK/err"); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q '"Account": "123456789012"'; then ok "sts GetCallerIdentity"; else fail "sts rc=$rc $out $(cat "$WORK/err")"; fi
out=$(run "$ECSCTL" --endpoint-url "$URL" __call elbv2 DescribeTargetGroups --query 'TargetGroups[0].Port' 2>"$WORK/err"); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "80" ]; then ok "elbv2 DescribeTargetGroups"; else fail "elbv2 rc=$rc $out $(cat "$WORK/err")"; fi

# 10. timestamps as the AWS CLI prints them
out=$(run "$ECSCTL" --endpoint-url "$URL" __call ecs DescribeTasks '{"tasks":["t"]}' --query 'tasks[0].createdAt' 2>"$WORK/err")
if [ "$out" = '"2024-05-01T12:00:00.500000+00:00"' ]; then ok "timestamps"; else fail "timestamp $out $(cat "$WORK/err")"; fi

# 11. idempotency token: one token, reused by the retry
clear_log; faults "500"
run "$ECSCTL" --endpoint-url "$URL" __call ecs RunTask '{"taskDefinition":"td"}' >/dev/null 2>"$WORK/err"
tokens=$(log | grep -o '"clientToken":"[^"]*"' | sort -u)
if [ "$(log | wc -l)" -eq 2 ] && [ "$(echo "$tokens" | wc -l)" -eq 1 ] && [ "$tokens" != '"clientToken":""' ]; then ok "idempotency token reused"; else fail "idempotency $(log)"; fi

# 12. assume-role profile: STS AssumeRole signed by the source, then the call signed by the role
mkdir -p "$WORK/home/.aws"
cat > "$WORK/home/.aws/config" <<CFG
[profile base]
aws_access_key_id = AKIDTEST
aws_secret_access_key = test/secret+key
[profile app]
role_arn = arn:aws:iam::123456789012:role/app
source_profile = base
region = us-east-1
CFG
clear_log
out=$(run env AWS_ENDPOINT_URL="$URL" "$ECSCTL" --profile app --debug __call ecs ListClusters --no-paginate 2>"$WORK/debug"); rc=$?
if [ $rc -eq 0 ] && log | grep -q '"op":"AssumeRole".*"key":"AKIDTEST"' && log | grep -q 'ListClusters.*"key":"ASIAROLEKEY"'; then
  ok "assume-role profile"; else fail "assume-role rc=$rc $(log) $(tail -5 "$WORK/debug")"; fi

# 13. secrets never appear in --debug output or errors
faults "throttle"
run "$ECSCTL" --debug --endpoint-url "$URL" __call ecs ListClusters --no-paginate >/dev/null 2>>"$WORK/debug"
run env AWS_SECRET_ACCESS_KEY=wrong-secret-value "$ECSCTL" --debug --endpoint-url "$URL" __call ecs ListClusters >/dev/null 2>>"$WORK/debug"
leaks=0
for secret in 'test/secret+key' 'role/secret+from+sts' 'role-session-token-value' 'wrong-secret-value'; do
  if grep -qF -- "$secret" "$WORK/debug"; then echo "leaked: $secret"; leaks=1; fi
done
if grep -o 'Signature=[0-9a-f]\{64\}' "$WORK/debug" | grep -q .; then echo "leaked: a signature"; leaks=1; fi
if [ $leaks -eq 0 ] && grep -q 'retrying in' "$WORK/debug" && grep -q 'Signature=\*\*\*\*' "$WORK/debug"; then
  ok "no secrets in --debug"; else fail "debug redaction"; fi

# 14. configuration errors exit 253
env -i PATH="$PATH" HOME="$WORK/empty" AWS_ACCESS_KEY_ID=A AWS_SECRET_ACCESS_KEY=B "$ECSCTL" --endpoint-url "$URL" __call ecs ListClusters >/dev/null 2>"$WORK/err"; rc=$?
if [ $rc -eq 253 ] && grep -qi 'region' "$WORK/err"; then ok "no region: 253"; else fail "no region rc=$rc $(cat "$WORK/err")"; fi
env -i PATH="$PATH" HOME="$WORK/empty" AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true "$ECSCTL" --endpoint-url "$URL" __call ecs ListClusters >/dev/null 2>"$WORK/err"; rc=$?
if [ $rc -eq 253 ] && grep -qi 'credentials' "$WORK/err"; then ok "no credentials: 253"; else fail "no credentials rc=$rc $(cat "$WORK/err")"; fi

# 15. nothing listening: a connection error, exit 255, after retries
run "$ECSCTL" --endpoint-url "http://127.0.0.1:1" __call ecs ListClusters >/dev/null 2>"$WORK/err"; rc=$?
if [ $rc -eq 255 ] && grep -qi 'connect' "$WORK/err"; then ok "connection refused: 255"; else fail "refused rc=$rc $(cat "$WORK/err")"; fi

[ $FAILS -eq 0 ] && echo "all client integration checks passed"
exit $FAILS
