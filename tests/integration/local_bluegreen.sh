#!/usr/bin/env bash
# ECS's native blue/green deployments and the service deployment history in
# `ecsctl local` (simulated runtime):
# - every deployment (rolling too) is recorded: ListServiceDeployments,
#   DescribeServiceDeployments, DescribeServiceRevisions with ECS's ARNs;
# - a BLUE_GREEN deploy starts the green tasks in the alternate target group,
#   goes through the lifecycle stages (deploy prints them), moves the
#   production listener rule to the green target group at
#   PRODUCTION_TRAFFIC_SHIFT (describe-rules), bakes, then stops the blue tasks;
# - `rollback` during the bake calls StopServiceDeployment ROLLBACK: the rule
#   goes back to blue, the green tasks stop, the history says ROLLBACK_SUCCESSFUL;
# - `rollback` of a rolling service takes its revision from the history;
# - the history survives a restart of the plane.
source "$(dirname "$0")/workflow_lib.bash"
start_workflow_local

run create-cluster --cluster-name ops
expect_code 0 "create-cluster"
for v in 1 2 3; do
  cat >"$TMP/web$v.json" <<JSON
{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "web", "image": "nginx:$v", "essential": true, "portMappings": [{"containerPort": 80}]}]}
JSON
  run register-task-definition --cli-input-json "file://$TMP/web$v.json"
  expect_code 0 "register web:$v"
done

# --- ELBv2: two target groups, a production and a test listener, each with a rule.
TGA=$("$ECSCTL" elbv2 create-target-group --name web-a --protocol HTTP --port 80 --vpc-id vpc-0local --target-type ip \
  --query 'TargetGroups[0].TargetGroupArn' --output text)
TGB=$("$ECSCTL" elbv2 create-target-group --name web-b --protocol HTTP --port 80 --vpc-id vpc-0local --target-type ip \
  --query 'TargetGroups[0].TargetGroupArn' --output text)
LB=$("$ECSCTL" elbv2 create-load-balancer --name front --subnets subnet-0aaa subnet-0bbb \
  --query 'LoadBalancers[0].LoadBalancerArn' --output text)
PROD_L=$("$ECSCTL" elbv2 create-listener --load-balancer-arn "$LB" --port 80 --protocol HTTP \
  --default-actions "Type=fixed-response,FixedResponseConfig={StatusCode=404}" --query 'Listeners[0].ListenerArn' --output text)
TEST_L=$("$ECSCTL" elbv2 create-listener --load-balancer-arn "$LB" --port 8080 --protocol HTTP \
  --default-actions "Type=fixed-response,FixedResponseConfig={StatusCode=404}" --query 'Listeners[0].ListenerArn' --output text)
forward() {  # TO FROM: a forward action with weights 100 / 0
  echo "[{\"Type\":\"forward\",\"ForwardConfig\":{\"TargetGroups\":[{\"TargetGroupArn\":\"$1\",\"Weight\":100},{\"TargetGroupArn\":\"$2\",\"Weight\":0}]}}]"
}
run elbv2 create-rule --listener-arn "$PROD_L" --priority 10 --conditions '[{"Field":"path-pattern","Values":["/*"]}]' \
  --actions "$(forward "$TGA" "$TGB")"
expect_code 0 "create-rule (production)"
PROD_RULE=$(jq -r '.Rules[0].RuleArn' <<<"$OUT")
[[ $PROD_RULE == arn:aws:elasticloadbalancing:us-east-1:*:listener-rule/app/front/* ]] || fail "rule ARN: $PROD_RULE"
expect_eq "$(jq -r '.Rules[0].Conditions[0].PathPatternConfig.Values[0]' <<<"$OUT")" "/*" "the rule's condition in both forms"
run elbv2 create-rule --listener-arn "$TEST_L" --priority 10 --conditions '[{"Field":"path-pattern","Values":["/*"]}]' \
  --actions "$(forward "$TGA" "$TGB")"
TEST_RULE=$(jq -r '.Rules[0].RuleArn' <<<"$OUT")
run elbv2 create-rule --listener-arn "$PROD_L" --priority 10 --conditions '[{"Field":"path-pattern","Values":["/x"]}]' \
  --actions "$(forward "$TGA" "$TGB")"
expect_code 254 "a second rule with the same priority"
expect_in "$ERR" "PriorityInUse" "PriorityInUse"
run elbv2 describe-rules --listener-arn "$PROD_L"
expect_eq "$(jq -r '[.Rules[].Priority] | join(",")' <<<"$OUT")" "10,default" "describe-rules: the rule, then the default one"
run elbv2 delete-rule --rule-arn "$(jq -r '.Rules[1].RuleArn' <<<"$OUT")"
expect_in "$ERR" "OperationNotPermitted" "the default rule cannot be deleted"

# rule_to RULE: the target group the rule sends production traffic to (weight > 0).
rule_to() {
  "$ECSCTL" elbv2 describe-rules --rule-arns "$1" --output json |
    jq -r '[.Rules[0].Actions[0].ForwardConfig.TargetGroups[] | select(.Weight > 0) | .TargetGroupArn] | join(",")'
}
targets() {  # TG: the number of its targets that are not draining
  "$ECSCTL" elbv2 describe-target-health --target-group-arn "$1" --output json |
    jq '[.TargetHealthDescriptions[] | select(.TargetHealth.State != "draining")] | length'
}
expect_eq "$(rule_to "$PROD_RULE")" "$TGA" "the production rule forwards to web-a"

# --- The service: blue/green with a bake time of 1 minute (6 s at --pace fast), a hook.
NET='awsvpcConfiguration={subnets=[subnet-0aaa],assignPublicIp=DISABLED}'
LBS="[{\"targetGroupArn\":\"$TGA\",\"containerName\":\"web\",\"containerPort\":80,\"advancedConfiguration\":{\"alternateTargetGroupArn\":\"$TGB\",\"productionListenerRule\":\"$PROD_RULE\",\"testListenerRule\":\"$TEST_RULE\",\"roleArn\":\"arn:aws:iam::000000000000:role/ecsInfrastructureRole\"}}]"
DC='{"strategy":"BLUE_GREEN","bakeTimeInMinutes":1,"maximumPercent":200,"minimumHealthyPercent":100,"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:us-east-1:000000000000:function:check","roleArn":"arn:aws:iam::000000000000:role/hook","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"]}]}'
run create-service --cluster ops --service-name web --task-definition web:1 --desired-count 2 --launch-type FARGATE \
  --network-configuration "$NET" --load-balancers "$LBS" --deployment-configuration "$DC"
expect_code 0 "create-service with strategy BLUE_GREEN"
expect_eq "$(jq -r '.service.deploymentConfiguration.strategy' <<<"$OUT")" BLUE_GREEN "the strategy is kept"
run wait services-stable --cluster ops --services web
expect_code 0 "the service settles"
expect_eq "$(targets "$TGA")" 2 "the first tasks are in web-a"
expect_eq "$(targets "$TGB")" 0 "web-b is empty"

# --- History of the first deployment.
for _ in $(seq 1 50); do
  run list-service-deployments --cluster ops --service web
  [ "$(jq -r '.serviceDeployments[0].status' <<<"$OUT")" = SUCCESSFUL ] && break
  sleep 0.1
done
expect_eq "$(jq -r '.serviceDeployments | length' <<<"$OUT")" 1 "one deployment in the history"
expect_eq "$(jq -r '.serviceDeployments[0].status' <<<"$OUT")" SUCCESSFUL "the first deployment is SUCCESSFUL"
SD1=$(jq -r '.serviceDeployments[0].serviceDeploymentArn' <<<"$OUT")
REV1=$(jq -r '.serviceDeployments[0].targetServiceRevisionArn' <<<"$OUT")
[[ $SD1 =~ ^arn:aws:ecs:us-east-1:[0-9]{12}:service-deployment/ops/web/[A-Za-z0-9]+$ ]] || fail "service deployment ARN: $SD1"
[[ $REV1 =~ ^arn:aws:ecs:us-east-1:[0-9]{12}:service-revision/ops/web/[0-9]+$ ]] || fail "service revision ARN: $REV1"
pass "ARNs as ECS forms them"
run describe-service-revisions --service-revision-arns "$REV1"
expect_eq "$(jq -r '.serviceRevisions[0].taskDefinition' <<<"$OUT" | sed 's/.*\///')" web:1 "the revision runs web:1"
expect_eq "$(jq -r '.serviceRevisions[0].resolvedConfiguration.loadBalancers[0].targetGroupArn' <<<"$OUT")" "$TGA" \
  "the revision's tasks are in web-a"
run describe-service-deployments --service-deployment-arns "$SD1" arn:aws:ecs:us-east-1:000000000000:service-deployment/ops/web/nope
expect_eq "$(jq -r '.failures[0].reason' <<<"$OUT")" MISSING "an unknown service deployment is a MISSING failure"
run stop-service-deployment --service-deployment-arn "$SD1"
expect_code 254 "stopping a finished deployment"
expect_in "$ERR" "ConflictException" "ConflictException for a finished deployment"

# --- A blue/green deploy of web:2.
"$ECSCTL" deploy web --cluster ops --task-definition web:2 --timeout 120s --poll-interval 0.2 \
  >"$TMP/deploy.out" 2>"$TMP/deploy.err" &
DEPLOY=$!
stage() {
  "$ECSCTL" list-service-deployments --cluster ops --service web --output json |
    jq -r '.serviceDeployments[0].serviceDeploymentArn' >"$TMP/sd"
  "$ECSCTL" describe-service-deployments --service-deployment-arns "$(cat "$TMP/sd")" --output json |
    jq -r '.serviceDeployments[0].lifecycleStage // "-"'
}
wait_stage() {  # STAGE: polls until the newest deployment is in STAGE (60 s)
  local s to
  for _ in $(seq 1 300); do
    to=$(rule_to "$PROD_RULE")  # (read before the stage: a later stage cannot excuse it)
    s=$(stage)
    [ "$s" = "$1" ] && return 0
    # Before the production shift, production traffic stays on blue.
    case $s in PRE_SCALE_UP|SCALE_UP|POST_SCALE_UP|TEST_TRAFFIC_SHIFT|POST_TEST_TRAFFIC_SHIFT)
      [ "$to" = "$BLUE" ] || fail "production moved before PRODUCTION_TRAFFIC_SHIFT (stage $s, rule to $to, blue $BLUE)";;
    esac
    sleep 0.2
  done
  fail "stage $1 never came (last: $s)"
}
BLUE=$TGA GREEN=$TGB
wait_stage POST_SCALE_UP
expect_eq "$(rule_to "$PROD_RULE")" "$TGA" "POST_SCALE_UP: production still on blue (web-a)"
expect_eq "$(targets "$TGB")" 2 "the green tasks are in the alternate target group"
expect_eq "$(targets "$TGA")" 2 "the blue tasks still serve"
wait_stage POST_TEST_TRAFFIC_SHIFT
expect_eq "$(rule_to "$TEST_RULE")" "$TGB" "the test rule forwards to green"
expect_eq "$(rule_to "$PROD_RULE")" "$TGA" "POST_TEST_TRAFFIC_SHIFT: production still on blue"
wait_stage BAKE_TIME
expect_eq "$(rule_to "$PROD_RULE")" "$TGB" "after the production shift the rule forwards to green (web-b)"
expect_eq "$(targets "$TGA")" 2 "blue tasks keep running during the bake"
wait "$DEPLOY"
expect_eq "$?" 0 "deploy of web:2 completes"
ERR=$(cat "$TMP/deploy.err")
for s in SCALE_UP POST_SCALE_UP TEST_TRAFFIC_SHIFT PRODUCTION_TRAFFIC_SHIFT BAKE_TIME; do
  expect_in "$ERR" "blue/green stage $s" "deploy shows stage $s"
done
# CLEAN_UP stops the blue tasks and the deployment completes at once: its event says so.
expect_in "$ERR" "blue/green deployment entered stage CLEAN_UP." "deploy shows the CLEAN_UP event"
expect_in "$ERR" "was not invoked" "the lifecycle hook is recorded as not invoked"
for _ in $(seq 1 100); do [ "$(targets "$TGA")" = 0 ] && break; sleep 0.1; done
expect_eq "$(targets "$TGA")" 0 "the blue tasks are gone after the bake"
expect_eq "$(targets "$TGB")" 2 "the green tasks serve"
expect_eq "$(rule_to "$PROD_RULE")" "$TGB" "production stays on green"
run list-service-deployments --cluster ops --service web --status SUCCESSFUL
expect_eq "$(jq -r '.serviceDeployments | length' <<<"$OUT")" 2 "two SUCCESSFUL deployments"
run describe-service-deployments --service-deployment-arns "$(jq -r '.serviceDeployments[0].serviceDeploymentArn' <<<"$OUT")"
expect_eq "$(jq -r '.serviceDeployments[0].lifecycleStage' <<<"$OUT")" CLEAN_UP "the finished deployment's last stage"
expect_eq "$(jq -r '.serviceDeployments[0].sourceServiceRevisions[0].arn' <<<"$OUT")" "$REV1" "its source revision"
expect_eq "$(jq -r '.serviceDeployments[0].lifecycleHookDetails[0].status // "none"' <<<"$OUT")" none \
  "hook details belong to the stage they ran in"
run status web --cluster ops
expect_code 0 "status"
expect_in "$OUT" "web-b (production)" "status: web-b is production"
expect_in "$OUT" "web-a (standby)" "status: web-a is standby"
run --output json status web --cluster ops
expect_eq "$(jq -r '.blueGreen.status' <<<"$OUT")" SUCCESSFUL "status --output json: the blue/green deployment"

# --- Rollback during the bake: web:3, now green is web-a. A bake of 5 minutes
# (30 s at --pace fast) leaves room for the checks below on a busy machine.
run update-service --cluster ops --service web --deployment-configuration '{"bakeTimeInMinutes":5}'
expect_code 0 "a longer bake time (no new deployment)"
expect_eq "$(jq -r '.service.deployments | length' <<<"$OUT")" 1 "changing the bake time starts no deployment"
"$ECSCTL" deploy web --cluster ops --task-definition web:3 --timeout 120s --poll-interval 0.2 \
  >"$TMP/deploy3.out" 2>"$TMP/deploy3.err" &
DEPLOY=$!
BLUE=$TGB GREEN=$TGA
wait_stage BAKE_TIME
expect_eq "$(rule_to "$PROD_RULE")" "$TGA" "web:3's production shift: the rule forwards to web-a"
run status web --cluster ops
expect_in "$OUT" "stage BAKE_TIME" "status shows the stage"
expect_in "$OUT" "web-a (green)" "status shows the green target group"
expect_in "$OUT" "web-b (blue)" "status shows the blue target group"
run rollback web --cluster ops --timeout 60s
expect_code 0 "rollback during the bake"
expect_in "$ERR" "StopServiceDeployment ROLLBACK" "rollback says how it rolls back"
expect_eq "$(jq -r '.serviceDeployment.status' <<<"$OUT")" ROLLBACK_SUCCESSFUL "rollback prints the rolled-back deployment"
expect_eq "$(rule_to "$PROD_RULE")" "$TGB" "the production rule is back on web-b"
expect_eq "$(rule_to "$TEST_RULE")" "$TGB" "the test rule is back too"
set +e
wait "$DEPLOY"
code=$?
set -e
expect_eq "$code" 5 "the interrupted deploy of web:3 ends with exit 5 (rolled back)"
run describe-services --cluster ops --services web
expect_eq "$(jq -r '.services[0].taskDefinition' <<<"$OUT" | sed 's/.*\///')" web:2 "the service runs web:2 again"
for _ in $(seq 1 100); do [ "$(targets "$TGA")" = 0 ] && break; sleep 0.1; done
expect_eq "$(targets "$TGA")" 0 "the green tasks of web:3 are gone"
expect_eq "$(targets "$TGB")" 2 "the blue tasks of web:2 serve"
run list-service-deployments --cluster ops --service web --max-results 1
run describe-service-deployments --service-deployment-arns "$(jq -r '.serviceDeployments[0].serviceDeploymentArn' <<<"$OUT")"
expect_eq "$(jq -r '.serviceDeployments[0].status' <<<"$OUT")" ROLLBACK_SUCCESSFUL "the history: ROLLBACK_SUCCESSFUL"
expect_eq "$(jq -r '.serviceDeployments[0].rollback.serviceRevisionArn | length > 0' <<<"$OUT")" true "with the revision rolled back to"

# --- A rolling service: the history records it, and rollback takes its revision from it.
run create-service --cluster ops --service-name api --task-definition web:1 --desired-count 1 --launch-type FARGATE \
  --network-configuration "$NET"
expect_code 0 "create a rolling service"
run wait services-stable --cluster ops --services api
expect_code 0 "the rolling service settles"
run deploy api --cluster ops --task-definition web:3 --timeout 60s
expect_code 0 "deploy web:3 (skipping web:2)"
run rollback api --cluster ops --timeout 60s
expect_code 0 "rollback of the rolling service"
expect_in "$ERR" "to web:1 (the newest successful deployment in the service's deployment history)" \
  "rollback chose web:1 from the history, not the previous revision number web:2"
run list-service-deployments --cluster ops --service api
expect_eq "$(jq -r '[.serviceDeployments[].status] | join(",")' <<<"$OUT")" "SUCCESSFUL,SUCCESSFUL,SUCCESSFUL" \
  "three rolling deployments recorded"

# --- The history is durable.
"$ECSCTL" local down --state "$STATE" >/dev/null
"$ECSCTL" local up --port "$PORT" --state "$STATE" --detach >/dev/null || fail "local up again"
run list-service-deployments --cluster ops --service api
expect_eq "$(jq -r '.serviceDeployments | length' <<<"$OUT")" 3 "the history survives a restart"
run list-service-deployments --cluster ops --service nope
expect_in "$ERR" "ServiceNotFoundException" "an unknown service"

echo "all $PASSES checks passed"
