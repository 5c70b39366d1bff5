#!/usr/bin/env bash
# A service as code against `ecsctl local`: init writes the files of a service
# made with plain API calls, diff then shows nothing and deploy sends no
# UpdateService or RegisterTaskDefinition (checked in the plane's server.log);
# after editing desiredCount and an image tag, deploy --dry-run shows exactly
# those two changes and deploy makes them; rollback after a failed deploy
# returns to the revision that last ran, not the previous revision number; a
# stalled deploy prints the events that explain it; a missing service is
# created; offline validation with file:line:col; ${tfstate:...} lookups.
source "$(dirname "$0")/workflow_lib.bash"
start_workflow_local
LOG=$STATE/server.log
# count_ops OPERATION FROM_LINE: how many requests of OPERATION the plane logged after line FROM_LINE.
count_ops() { tail -n +"$(($2 + 1))" "$LOG" | grep -c "$1 " || true; }
log_lines() { wc -l <"$LOG"; }

run create-cluster --cluster-name sac
expect_code 0 "create-cluster"
cat >"$TMP/api.json" <<'JSON'
{"family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "api", "image": "nginx:1", "essential": true, "portMappings": [{"containerPort": 80}],
   "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/api.json"
expect_code 0 "register api:1"
run create-service --cluster sac --service-name api --task-definition api:1 --desired-count 1 --launch-type FARGATE \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-0bbb,subnet-0aaa],securityGroups=[sg-0ccc],assignPublicIp=DISABLED}' \
  --deployment-configuration 'maximumPercent=200,minimumHealthyPercent=50'
expect_code 0 "create-service with plain API commands"
run wait services-stable --cluster sac --services api
expect_code 0 "the service is stable"

# ---- init, then diff shows nothing and deploy sends nothing ----------------
mkdir -p "$TMP/proj" && cd "$TMP/proj"
run init --cluster sac --service api
expect_code 0 "init"
for f in ecsctl.yaml ecs-service-def.yaml ecs-task-def.yaml; do [ -s "$f" ] || fail "init wrote no $f"; done
pass "init wrote ecsctl.yaml, ecs-service-def.yaml and ecs-task-def.yaml"
expect_in "$(cat ecsctl.yaml)" "service: api" "the project file names the service"
expect_in "$(cat ecs-service-def.yaml)" "desiredCount: 1" "the service file has the desired count"
grep -q 'serviceArn\|runningCount\|deployments' ecs-service-def.yaml && fail "read-only members in the service file"
pass "no read-only members in the service file"
run init --cluster sac --service api
expect_code 252 "init does not overwrite files without --force"

run diff --exit-code
expect_code 0 "diff right after init: no differences (--exit-code 0)"
expect_eq "$OUT" "" "diff prints nothing right after init"
before=$(log_lines)
run deploy --timeout 60s
expect_code 0 "deploy of the unchanged files"
expect_in "$ERR" "no changes" "deploy says there is nothing to change"
expect_eq "$(count_ops UpdateService "$before")" 0 "deploy of the unchanged files sends no UpdateService"
expect_eq "$(count_ops RegisterTaskDefinition "$before")" 0 "... and no RegisterTaskDefinition"
expect_eq "$(count_ops CreateService "$before")" 0 "... and no CreateService"

# ---- edit desiredCount and an image tag --------------------------------------
sed -i 's/desiredCount: 1/desiredCount: 2/' ecs-service-def.yaml
sed -i 's/nginx:1/nginx:2/' ecs-task-def.yaml
before=$(log_lines)
run --output json deploy --dry-run
expect_code 0 "deploy --dry-run"
expect_eq "$(jq -c '[.changes[].path]' <<<"$OUT")" '["desiredCount","taskDefinition.containerDefinitions[0].image"]' \
  "--dry-run shows exactly the two changes"
expect_eq "$(jq -c '[.changes[] | [.before, .after]]' <<<"$OUT")" '[[1,2],["nginx:1","nginx:2"]]' "with their old and new values"
expect_eq "$(jq -c '[.requests[].operation]' <<<"$OUT")" '["RegisterTaskDefinition","UpdateService"]' \
  "--dry-run lists the requests"
expect_eq "$(jq -c '.requests[1].input | del(.taskDefinition) | keys' <<<"$OUT")" '["cluster","desiredCount","service"]' \
  "UpdateService carries only what changed"
expect_eq "$(count_ops 'UpdateService\|RegisterTaskDefinition' "$before")" 0 "--dry-run sends nothing"
run --output text deploy --dry-run
expect_in "$OUT" "desiredCount: 1 -> 2" "the text plan shows the desired count change"
run diff --exit-code
expect_code 1 "diff --exit-code after the edit: 1"
expect_in "$OUT" "+desiredCount: 2" "diff shows the new desired count"
grep -Eq '^\+ *-? *image: nginx:2$' <<<"$OUT" || fail "diff shows no new image: $OUT"
pass "diff shows the new image"
expect_in "$OUT" "api:1 (running)" "diff compares with the running revision"

run deploy --timeout 60s
expect_code 0 "deploy makes the changes"
expect_eq "$(jq -r '.service.taskDefinition' <<<"$OUT")" "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2" \
  "the service runs api:2"
expect_eq "$(jq -r '.service.desiredCount' <<<"$OUT")" 2 "with desiredCount 2"
expect_eq "$(jq -r '.service.runningCount' <<<"$OUT")" 2 "and two tasks run"
run diff --exit-code
expect_code 0 "diff after the deploy: no differences"

# ---- rollback after a failed deploy goes to the revision that last ran ------
# api:3 is registered but never runs; a failing api:4 is deployed on top of api:2.
sed 's/nginx:1/nginx:3/' "$TMP/api.json" >"$TMP/api3.json"
run register-task-definition --cli-input-json "file://$TMP/api3.json"
expect_code 0 "register api:3 (never deployed)"
sed -i 's/nginx:2/ecsctl\/exit:1/' ecs-task-def.yaml
run deploy --timeout 20s --stall-timeout 5s
[ "$CODE" = 4 ] || [ "$CODE" = 5 ] || fail "a failing deploy: exit $CODE, expected 4 or 5; $ERR"
pass "a deploy of a failing image fails (exit $CODE)"
expect_eq "$("$ECSCTL" describe-services --cluster sac --services api --query 'services[0].taskDefinition' --output text)" \
  "arn:aws:ecs:us-east-1:123456789012:task-definition/api:4" "the service is left on the failing api:4"
run rollback api --cluster sac --timeout 60s
expect_code 0 "rollback"
expect_in "$ERR" "from api:4 to api:2" "rollback chooses api:2, the revision that last ran (not api:3)"
expect_eq "$(jq -r '.service.taskDefinition' <<<"$OUT")" "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2" \
  "the service runs api:2 again"

# ---- a missing service is created; ${tfstate:...} lookups --------------------
mkdir -p "$TMP/new" && cd "$TMP/new"
cat >terraform.tfstate <<'JSON'
{"version": 4, "outputs": {"subnets": {"value": ["subnet-0ddd", "subnet-0eee"], "type": ["list", "string"]}},
 "resources": [{"mode": "managed", "type": "aws_security_group", "name": "web", "instances": [{"attributes": {"id": "sg-0fff"}}]}]}
JSON
cat >ecsctl.yaml <<'YAML'
cluster: sac
service: web
service_definition: web-service.yaml
task_definition: web-task.yaml
tfstate: terraform.tfstate
YAML
cat >web-task.yaml <<'YAML'
family: web
networkMode: awsvpc
requiresCompatibilities: [FARGATE]
cpu: "256"
memory: "512"
containerDefinitions:
  - name: web
    image: nginx:${TAG:-1}
    portMappings:
      - containerPort: 8080
YAML
cat >web-service.yaml <<'YAML'
desiredCount: 1
launchType: FARGATE
networkConfiguration:
  awsvpcConfiguration:
    subnets: ["${tfstate:output.subnets[1]}"]
    securityGroups: ["${tfstate:aws_security_group.web.id}"]
YAML
before=$(log_lines)
run --output json deploy --dry-run
expect_code 0 "deploy --dry-run of a service that does not exist"
expect_eq "$(jq -r '.action' <<<"$OUT")" create "the plan creates it"
expect_eq "$(jq -c '[.requests[].operation]' <<<"$OUT")" '["RegisterTaskDefinition","CreateService"]' "register, then CreateService"
expect_eq "$(jq -c '.requests[1].input.networkConfiguration.awsvpcConfiguration | [.subnets, .securityGroups]' <<<"$OUT")" \
  '[["subnet-0eee"],["sg-0fff"]]' "\${tfstate:...} gives an output's element and a resource attribute"
run diff
expect_code 0 "diff of a service that does not exist"
expect_in "$ERR" "every field is new" "diff says every field is new"
expect_in "$OUT" "+desiredCount: 1" "the service's fields are shown as new"
expect_in "$OUT" "+family: web" "and the never-registered family's too"
run deploy --timeout 60s
expect_code 0 "deploy creates the service"
expect_eq "$(jq -r '.service.runningCount' <<<"$OUT")" 1 "the new service runs"
expect_eq "$(count_ops CreateService "$before")" 1 "one CreateService was sent"
run diff --exit-code
expect_code 0 "no differences after the create"
run --output json deploy --var TAG=2 --no-wait
expect_code 0 "deploy --no-wait returns once the deployment has started"
expect_eq "$(jq -r '.service.taskDefinition' <<<"$OUT")" "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2" \
  "with the service on the new revision (templated with --var)"
run wait services-stable --cluster sac --services web
expect_code 0 "the deployment finishes on its own"
sed -i 's/output.subnets\[1\]/output.nosuch/' web-service.yaml
run deploy --dry-run
expect_code 3 "an unknown tfstate output fails validation"
expect_in "$ERR" "web-service.yaml:5:" "at its line"
expect_in "$ERR" "no output nosuch" "naming what is missing"
sed -i 's/output.nosuch/output.subnets[0]/' web-service.yaml
sed -i 's/launchType: FARGATE/launchType: FARGATE\nplatformVersion: "${ssm:\/platform\/version}"/' web-service.yaml
run deploy --dry-run
expect_code 3 "an \${ssm:...} lookup that cannot be resolved fails validation"
expect_in "$ERR" "ssm:/platform/version" "naming the lookup"

# ${ssm:...} resolves through SSM GetParameter (the plane's Parameter Store).
"$ECSCTL" __call ssm PutParameter '{"Name": "/platform/version", "Value": "1.4.0", "Type": "String"}' \
  >/dev/null || fail "PutParameter String"
run --output json deploy --dry-run
expect_code 0 "\${ssm:...} resolves an SSM String parameter"
expect_eq "$(jq -r '.changes[] | select(.path == "platformVersion") | .after' <<<"$OUT")" 1.4.0 \
  "its value is in the plan"
"$ECSCTL" __call ssm PutParameter '{"Name": "/platform/version", "Value": "1.4.0", "Type": "SecureString", "Overwrite": true}' \
  >/dev/null || fail "PutParameter SecureString"
run deploy --dry-run
expect_code 3 "a SecureString parameter is refused"
expect_in "$ERR" "SecureString" "and named as such"
sed -i '/platformVersion/d' web-service.yaml

# ---- offline validation, with file:line:col -----------------------------------
cat >bad-service.yaml <<'YAML'
desiredCount: 1
launchType: FARGATE
capacityProviderStrategy:
  - capacityProvider: FARGATE_SPOT
platformVersion: 1.2.0
healthCheckGracePeriodSeconds: 30
deploymentConfiguration:
  maximumPercent: 50
loadBalancers:
  - targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef
    containerName: webb
    containerPort: 8080
  - targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef
    containerName: web
    containerPort: 80
deploymentControler: {type: ECS}
YAML
before=$(log_lines)
run deploy --service-definition bad-service.yaml --dry-run
expect_code 3 "an invalid service file: exit 3"
expect_in "$ERR" "bad-service.yaml:1:1: error[service-awsvpc-network]" "awsvpc needs networkConfiguration"
expect_in "$ERR" "bad-service.yaml:3:1: error[service-launch-type-capacity]" "launchType and capacityProviderStrategy"
expect_in "$ERR" "bad-service.yaml:5:18: error[service-platform-version]" "a retired Fargate platform version"
expect_in "$ERR" "bad-service.yaml:8:19: error[service-deployment-percent]" "maximumPercent below 100"
expect_in "$ERR" "bad-service.yaml:11:20: error[service-lb-container]" "a load balancer's container that does not exist"
expect_in "$ERR" "bad-service.yaml:15:20: error[service-lb-port]" "a container port without a port mapping"
expect_in "$ERR" "bad-service.yaml:16:1: error[service-model]" "an unknown member"
expect_in "$ERR" 'did you mean "deploymentController"?' "with a suggestion"
expect_eq "$(count_ops '' "$before")" 0 "nothing was sent"

# ---- a stall prints the events that explain it -------------------------------
cd "$TMP"
cat >"$TMP/ec2.json" <<'JSON'
{"family": "ec2app", "containerDefinitions": [{"name": "app", "image": "nginx:1", "memory": 128}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/ec2.json"
run create-service --cluster sac --service-name stuck --task-definition ec2app:1 --desired-count 1 --launch-type EC2
expect_code 0 "an EC2 service on a cluster without instances"
sleep 1
mkdir -p "$TMP/stuck" && cd "$TMP/stuck"
run init --cluster sac --service stuck
expect_code 0 "init of the stuck service"
sed -i 's/nginx:1/nginx:2/' ecs-task-def.yaml
run deploy --stall-timeout 2s --timeout 30s
expect_code 4 "a stalled deploy: exit 4"
expect_in "$ERR" "recent events" "the service's events are printed"
expect_in "$ERR" "unable to place a task" "including the one that explains the stall"

echo "service_as_code: $PASSES checks passed"
