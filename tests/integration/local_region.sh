#!/usr/bin/env bash
# ecsctl local serves one region, as an AWS regional endpoint does: ARNs carry
# that region, and a request signed for another region is refused with AWS's
# error (InvalidSignatureException for JSON protocols, SignatureDoesNotMatch
# for ELBv2's Query protocol) -- never answered with the plane's ARNs. Then
# one VPC for the load balancers and target groups, and ecsctl-local's exit
# codes (the Exit enum of core/error.hpp).
source "$(dirname "$0")/lib/local.bash"
start_local

# signed SERVICE REGION TARGET_OR_- BODY: a request signed for REGION; the body
# goes to $TMP/out, the HTTP status is printed.
signed() {
  local service=$1 region=$2 target=$3 body=$4
  local args=(-s -o "$TMP/out" -w '%{http_code}' --aws-sigv4 "aws:amz:$region:$service" --user "$AKID:$SECRET")
  if [ "$target" = - ]; then
    args+=(-H "Content-Type: application/x-www-form-urlencoded")
  else
    args+=(-H "X-Amz-Target: $target" -H "Content-Type: application/x-amz-json-1.1")
  fi
  curl "${args[@]}" --data-binary "$body" "$ENDPOINT/"
}
ECS=AmazonEC2ContainerServiceV20141113

# --- The plane's own region (us-east-1 by default) works and appears in ARNs.
status=$(signed ecs us-east-1 "$ECS.CreateCluster" '{"clusterName":"demo"}')
expect_eq "$status" 200 "CreateCluster signed for us-east-1"
expect_eq "$(jq -r .cluster.clusterArn "$TMP/out")" "arn:aws:ecs:us-east-1:123456789012:cluster/demo" "ARN in us-east-1"

# --- Another region is refused, with AWS's error and no ARN.
status=$(signed ecs eu-west-1 "$ECS.ListClusters" '{}')
expect_eq "$status" 403 "ListClusters signed for eu-west-1 is refused"
expect_eq "$(jq -r .__type "$TMP/out")" InvalidSignatureException "InvalidSignatureException"
expect_eq "$(jq -r .message "$TMP/out")" "Credential should be scoped to a valid region, not 'eu-west-1'. " "AWS's wording"
grep -q "arn:aws" "$TMP/out" && fail "a refused request carries ARNs: $(cat "$TMP/out")"
pass "no ARN in the refusal"
status=$(signed ecs eu-west-1 "$ECS.CreateCluster" '{"clusterName":"other"}')
expect_eq "$status" 403 "CreateCluster signed for eu-west-1 is refused"
status=$(signed ecs us-east-1 "$ECS.ListClusters" '{}')
expect_eq "$(jq -r '.clusterArns | join(",")' "$TMP/out")" "arn:aws:ecs:us-east-1:123456789012:cluster/demo" \
  "nothing was created by the refused request"
status=$(signed elasticloadbalancing eu-west-1 - 'Action=DescribeLoadBalancers&Version=2015-12-01')
expect_eq "$status" 403 "ELBv2 signed for eu-west-1 is refused"
grep -q "<Code>SignatureDoesNotMatch</Code>" "$TMP/out" || fail "ELBv2 refusal: $(cat "$TMP/out")"
grep -q "Credential should be scoped to a valid region, not 'eu-west-1'." "$TMP/out" || fail "ELBv2 wording: $(cat "$TMP/out")"
pass "ELBv2: SignatureDoesNotMatch as the Query protocol gives it"

# --- ecsctl itself with --region: a service error (254), never another region's ARNs.
export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET
unset AWS_PROFILE AWS_SESSION_TOKEN
set +e
out=$("$ECSCTL" --endpoint-url "$ENDPOINT" --region eu-west-1 list-clusters 2>"$TMP/err")
code=$?
set -e
expect_eq "$code" 254 "ecsctl --region eu-west-1 exits 254"
grep -q "InvalidSignatureException" "$TMP/err" || fail "ecsctl stderr: $(cat "$TMP/err")"
expect_eq "$out" "" "nothing on stdout"
out=$("$ECSCTL" --endpoint-url "$ENDPOINT" --region us-east-1 list-clusters --query 'clusterArns[0]' --output text)
expect_eq "$out" "arn:aws:ecs:us-east-1:123456789012:cluster/demo" "ecsctl --region us-east-1 works"

# --- The AWS CLI, when installed, gets the same answer.
if command -v aws >/dev/null 2>&1; then
  export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
  export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
  set +e
  out=$(aws --endpoint-url "$ENDPOINT" --region eu-west-1 ecs list-clusters 2>"$TMP/err")
  code=$?
  set -e
  [ "$code" != 0 ] || fail "aws --region eu-west-1 succeeded: $out"
  grep -q "InvalidSignatureException" "$TMP/err" || fail "aws stderr: $(cat "$TMP/err")"
  grep -q "arn:aws" <<<"$out" && fail "aws got ARNs: $out"
  pass "aws --region eu-west-1 ecs list-clusters is refused (exit $code)"
  out=$(aws --endpoint-url "$ENDPOINT" --region us-east-1 ecs list-clusters --query 'clusterArns[0]' --output text)
  expect_eq "$out" "arn:aws:ecs:us-east-1:123456789012:cluster/demo" "aws --region us-east-1 works"
else
  echo "skip - aws (the AWS CLI) is not installed"
fi

# --- A plane started for eu-west-1 makes eu-west-1 ARNs and refuses us-east-1.
STATE2=$TMP/state-eu
PORT2=$(free_port)
"$ECSCTL" --region eu-west-1 local up --port "$PORT2" --state "$STATE2" --detach >/dev/null || fail "local up in eu-west-1"
trap '"$ECSCTL" local down --state "$STATE2" >/dev/null 2>&1 || true; cleanup' EXIT
AKID2=$(jq -r .accessKeyId "$STATE2/credentials.json")
SECRET2=$(jq -r .secretAccessKey "$STATE2/credentials.json")
status=$(curl -s -o "$TMP/out" -w '%{http_code}' --aws-sigv4 "aws:amz:eu-west-1:ecs" --user "$AKID2:$SECRET2" \
  -H "X-Amz-Target: $ECS.CreateCluster" -H "Content-Type: application/x-amz-json-1.1" \
  --data-binary '{"clusterName":"eu"}' "http://127.0.0.1:$PORT2/")
expect_eq "$status" 200 "the eu-west-1 plane accepts eu-west-1"
expect_eq "$(jq -r .cluster.clusterArn "$TMP/out")" "arn:aws:ecs:eu-west-1:123456789012:cluster/eu" "its ARNs are in eu-west-1"
status=$(curl -s -o "$TMP/out" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:ecs" --user "$AKID2:$SECRET2" \
  -H "X-Amz-Target: $ECS.ListClusters" -H "Content-Type: application/x-amz-json-1.1" \
  --data-binary '{}' "http://127.0.0.1:$PORT2/")
expect_eq "$status" 403 "the eu-west-1 plane refuses us-east-1"
"$ECSCTL" local down --state "$STATE2" >/dev/null 2>&1 || true

# --- One VPC: the load balancer is in its target group's VPC, and a listener
# refuses a target group of another VPC.
form() {  # form ACTION KEY=VALUE...: an ELBv2 Query body
  local body="Action=$1&Version=2015-12-01"
  shift
  for kv in "$@"; do body+="&$kv"; done
  echo "$body"
}
status=$(signed elasticloadbalancing us-east-1 - "$(form CreateTargetGroup Name=api-tg Protocol=HTTP Port=80 VpcId=vpc-0abc TargetType=ip)")
expect_eq "$status" 200 "CreateTargetGroup in vpc-0abc"
TG=$(grep -o '<TargetGroupArn>[^<]*' "$TMP/out" | head -1 | cut -d'>' -f2)
status=$(signed elasticloadbalancing us-east-1 - "$(form CreateLoadBalancer Name=api-alb Subnets.member.1=subnet-0aaa Subnets.member.2=subnet-0bbb)")
expect_eq "$status" 200 "CreateLoadBalancer"
expect_eq "$(grep -o '<VpcId>[^<]*' "$TMP/out" | cut -d'>' -f2)" vpc-0abc "the load balancer is in the target group's VPC"
LB=$(grep -o '<LoadBalancerArn>[^<]*' "$TMP/out" | head -1 | cut -d'>' -f2)
status=$(signed elasticloadbalancing us-east-1 - "$(form CreateTargetGroup Name=far-tg Protocol=HTTP Port=80 VpcId=vpc-0far TargetType=ip)")
FAR=$(grep -o '<TargetGroupArn>[^<]*' "$TMP/out" | head -1 | cut -d'>' -f2)
status=$(signed elasticloadbalancing us-east-1 - "$(form CreateListener "LoadBalancerArn=$LB" Protocol=HTTP Port=81 \
  DefaultActions.member.1.Type=forward "DefaultActions.member.1.TargetGroupArn=$FAR")")
expect_eq "$status" 400 "a listener to a target group in another VPC is refused"
grep -q "<Code>InvalidConfigurationRequest</Code>" "$TMP/out" || fail "InvalidConfigurationRequest: $(cat "$TMP/out")"
status=$(signed elasticloadbalancing us-east-1 - "$(form CreateListener "LoadBalancerArn=$LB" Protocol=HTTP Port=80 \
  DefaultActions.member.1.Type=forward "DefaultActions.member.1.TargetGroupArn=$TG")")
expect_eq "$status" 200 "a listener to the target group in the same VPC"
out=$("$ECSCTL" --endpoint-url "$ENDPOINT" --region us-east-1 elbv2 describe-load-balancers --query 'LoadBalancers[0].VpcId' --output text)
expect_eq "$out" vpc-0abc "describe-load-balancers reports the same VPC"

# --- ecsctl-local's exit codes come from core/error.hpp's Exit enum.
set +e
"$ECSCTL_LOCAL_BIN" serve 2>"$TMP/err"; code=$?
expect_eq "$code" 252 "ecsctl-local without --state: 252"
grep -q "usage: ecsctl-local" "$TMP/err" || fail "usage text: $(cat "$TMP/err")"
"$ECSCTL_LOCAL_BIN" serve --state "$TMP/x" --port nope 2>/dev/null; code=$?
expect_eq "$code" 252 "ecsctl-local --port nope: 252"
"$ECSCTL_LOCAL_BIN" status --state "$TMP/nothing-here" 2>"$TMP/err"; code=$?
expect_eq "$code" 255 "ecsctl-local status with no server: 255"
grep -q "no server is running" "$TMP/err" || fail "status message: $(cat "$TMP/err")"
"$ECSCTL_LOCAL_BIN" frobnicate --state "$TMP/x" 2>"$TMP/err"; code=$?
expect_eq "$code" 252 "ecsctl-local with an unknown command: 252"
set -e

echo "$PASSES checks passed"
