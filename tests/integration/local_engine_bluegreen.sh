#!/usr/bin/env bash
# A blue/green deployment on the engine runtime (podman): busybox httpd serves
# "version 1" from web:1 and "version 2" from web:2; `curl` through the
# production listener (a listener rule, moved by ECS's stages) sees version 1
# until PRODUCTION_TRAFFIC_SHIFT and version 2 after it. Skips (77) only where
# podman is not installed.
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

run create-cluster --cluster-name eng
expect_code 0 "create-cluster"
for v in 1 2; do
  cat >"$TMP/web$v.json" <<JSON
{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "web", "image": "$IMAGE", "essential": true, "portMappings": [{"containerPort": 80}],
   "command": ["sh", "-c", "mkdir -p /srv && echo version $v > /srv/index.html && exec httpd -f -p 80 -h /srv"]}]}
JSON
  run register-task-definition --cli-input-json "file://$TMP/web$v.json"
  expect_code 0 "register web:$v"
done

tg() {
  "$ECSCTL" elbv2 create-target-group --name "$1" --protocol HTTP --port 80 --vpc-id vpc-0local --target-type ip \
    --health-check-path /index.html --health-check-interval-seconds 6 --health-check-timeout-seconds 2 --healthy-threshold-count 2 \
    --query 'TargetGroups[0].TargetGroupArn' --output text
}
TGA=$(tg web-a)
TGB=$(tg web-b)
LB=$("$ECSCTL" elbv2 create-load-balancer --name front --subnets subnet-0aaa subnet-0bbb \
  --query 'LoadBalancers[0].LoadBalancerArn' --output text)
LPORT=$(free_port)
L=$("$ECSCTL" elbv2 create-listener --load-balancer-arn "$LB" --port "$LPORT" --protocol HTTP \
  --default-actions "Type=fixed-response,FixedResponseConfig={StatusCode=404,MessageBody=no-rule}" \
  --query 'Listeners[0].ListenerArn' --output text)
run elbv2 create-rule --listener-arn "$L" --priority 1 --conditions '[{"Field":"path-pattern","Values":["/index.*"]}]' \
  --actions "[{\"Type\":\"forward\",\"ForwardConfig\":{\"TargetGroups\":[{\"TargetGroupArn\":\"$TGA\",\"Weight\":100},{\"TargetGroupArn\":\"$TGB\",\"Weight\":0}]}}]"
expect_code 0 "the production rule"
RULE=$(jq -r '.Rules[0].RuleArn' <<<"$OUT")
for _ in $(seq 1 50); do
  ADDR=$("$ECSCTL" local status --state "$STATE" | jq -r ".loadBalancerListeners[] | select(.ListenerArn == \"$L\") | .Address")
  [ -n "$ADDR" ] && break
  sleep 0.1
done
[ -n "$ADDR" ] || fail "the listener listens"
page() { curl -s --max-time 5 "http://$ADDR/index.html" || true; }
expect_eq "$(curl -s --max-time 5 "http://$ADDR/other")" no-rule "a path no rule matches gets the default action"

LBS="[{\"targetGroupArn\":\"$TGA\",\"containerName\":\"web\",\"containerPort\":80,\"advancedConfiguration\":{\"alternateTargetGroupArn\":\"$TGB\",\"productionListenerRule\":\"$RULE\",\"roleArn\":\"arn:aws:iam::000000000000:role/ecsInfrastructureRole\"}}]"
run create-service --cluster eng --service-name web --task-definition web:1 --desired-count 1 --launch-type FARGATE \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-0aaa]}' --load-balancers "$LBS" \
  --deployment-configuration '{"strategy":"BLUE_GREEN","bakeTimeInMinutes":1}'
expect_code 0 "create-service (BLUE_GREEN)"
for _ in $(seq 1 200); do [ "$(page)" = "version 1" ] && break; sleep 0.2; done
expect_eq "$(page)" "version 1" "through the listener: version 1"

"$ECSCTL" deploy web --cluster eng --task-definition web:2 --timeout 240s >"$TMP/deploy.out" 2>"$TMP/deploy.err" &
DEPLOY=$!
stage() {
  local sd
  sd=$("$ECSCTL" list-service-deployments --cluster eng --service web --output json | jq -r '.serviceDeployments[0].serviceDeploymentArn')
  "$ECSCTL" describe-service-deployments --service-deployment-arns "$sd" --output json |
    jq -r '.serviceDeployments[0].lifecycleStage // "-"'
}
seen_before=0
for _ in $(seq 1 600); do
  body=$(page)
  s=$(stage)
  case $s in
    PRE_SCALE_UP|SCALE_UP|POST_SCALE_UP|TEST_TRAFFIC_SHIFT|POST_TEST_TRAFFIC_SHIFT)
      [ "$body" = "version 1" ] || fail "stage $s: the listener served '$body' before the production shift"
      seen_before=$((seen_before + 1));;
    BAKE_TIME|CLEAN_UP) break;;
  esac
  sleep 0.2
done
[ "$seen_before" -gt 0 ] || fail "no stage before the production shift was observed"
pass "version 1 until the production shift ($seen_before checks)"
expect_eq "$(page)" "version 2" "after the production shift: version 2"
wait "$DEPLOY" || fail "deploy of web:2: $(cat "$TMP/deploy.err")"
pass "deploy of web:2 completes"
expect_in "$(cat "$TMP/deploy.err")" "blue/green stage BAKE_TIME" "deploy showed the bake"
for i in 1 2 3; do expect_eq "$(page)" "version 2" "after clean-up, request $i: version 2"; done

echo "all $PASSES checks passed"
