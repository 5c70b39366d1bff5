#!/usr/bin/env bash
# One validator, two wordings (schemas/validate_input.hpp). The same invalid
# input is refused by ecsctl before anything is sent (botocore's
# ParamValidationError, exit 252) and by a real ecsctl-local process when sent
# raw over HTTP (the service's exception), and both name the same member.
# Unknown enum values are the exception, as with the AWS CLI: ecsctl sends them
# and the service refuses them (exit 254).
source "$(dirname "$0")/lib/local.bash"
start_local
unset AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_SESSION_TOKEN
eval "$("$ECSCTL" local env --state "$STATE")"
# Safety net: anything not sent to 127.0.0.1 goes to a dead local proxy.
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
export https_proxy=$HTTPS_PROXY http_proxy=$HTTP_PROXY no_proxy=$NO_PROXY

ecs CreateCluster '{"clusterName":"c"}' >/dev/null || fail "CreateCluster"
ecs RegisterTaskDefinition '{"family":"x","containerDefinitions":[{"name":"app","image":"busybox","memory":64}]}' \
  >/dev/null || fail "RegisterTaskDefinition"
requests() { grep -c 'RunTask' "$STATE/server.log" || true; }

# run ARGS...: runs ecsctl; sets CODE, OUT and ERR (never fails the script).
run() {
  set +e
  "$ECSCTL" "$@" >"$TMP/out" 2>"$TMP/err"
  CODE=$?
  set -e
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}

# both OPERATION COMMAND JSON MEMBER: the client refuses `COMMAND --cli-input-json JSON`
# naming MEMBER, and the server refuses the same JSON sent raw, naming MEMBER.
both() {
  local op=$1 cmd=$2 json=$3 member=$4 before
  before=$(requests)
  run $cmd --cli-input-json "$json"
  expect_eq "$CODE" 252 "client: $cmd refuses $json"
  grep -q '^ecsctl: error: Parameter validation failed:$' <<<"$ERR" || fail "client wording: $ERR"
  expect_eq "$(sed -n 's/^  at: parameter //p' <<<"$ERR")" "$member" "client names $member"
  expect_eq "$(requests)" "$before" "client sent nothing"
  ecs "$op" "$json" >/dev/null && fail "server accepted $json"
  local message
  message=$(jq -r .message "$TMP/body")
  expect_eq "$(sed -n "s/.* at '\([^']*\)'.*/\1/p" <<<"$message")" "$member" \
    "server names $member ($(jq -r .__type "$TMP/body"): $message)"
}

both RunTask run-task '{"cluster":"c","taskDefinition":"x:1","count":"two"}' count
both RunTask run-task \
  '{"cluster":"c","taskDefinition":"x:1","networkConfiguration":{"awsvpcConfiguration":{"assignPublicIp":"ENABLED"}}}' \
  networkConfiguration.awsvpcConfiguration.subnets
both RunTask run-task '{"cluster":"c","taskDefinition":"x:1","networkConfiguration":{"awsvpcConfiguration":{"subnets":"subnet-1"}}}' \
  networkConfiguration.awsvpcConfiguration.subnets
both UpdateService update-service '{"cluster":"c","service":"s","desiredCount":true}' desiredCount

# Enum values: the AWS CLI (botocore) never checks them, so ecsctl sends them and ECS answers.
before=$(requests)
run run-task --cluster c --task-definition x:1 --launch-type BOGUS
expect_eq "$CODE" 254 "run-task --launch-type BOGUS: the service refuses it (exit 254), not the client (252)"
grep -q "InvalidParameterException" <<<"$ERR" || fail "no InvalidParameterException: $ERR"
grep -q "at 'launchType' failed to satisfy constraint: Member must satisfy enum value set" <<<"$ERR" \
  || fail "service wording: $ERR"
grep -q "hint: launchType: 'BOGUS' is not one of the values" <<<"$ERR" || fail "no hint naming the known values: $ERR"
pass "the service's answer comes with a hint"
[ "$(requests)" -gt "$before" ] || fail "the request was not sent"
pass "the request was sent"
run --debug run-task --cluster c --task-definition x:1 --launch-type FARGTE
grep -q "launchType: 'FARGTE' is not one of the values .*did you mean 'FARGATE'" <<<"$ERR" || fail "--debug note: $ERR"
pass "--debug notes the unknown value before sending"
run run-task --cluster c --task-definition x:1 --launch-type EC2
grep -q "is not one of the values" <<<"$ERR" && fail "a known value gets a note: $ERR"
pass "known values get no note"

echo "$PASSES checks passed"
