#!/usr/bin/env bash
# CodeDeploy blue/green through the client, against the scripted server
# (tests/tools/scripted_server.py) that answers ECS and CodeDeploy on 127.0.0.1:
# - `aws ecs deploy` and `ecsctl deploy` in the AWS CLI form (--codedeploy-appspec)
#   with the same files send the same calls in the same order with equal bodies
#   (the CreateDeployment AppSpec content byte for byte, with its sha256), print
#   the same stdout and wait for the deployment; a failed deployment gives both
#   the same message and exit code (255); an AppSpec without taskDefinition too;
# - ecsctl's own deploy of a CODE_DEPLOY service generates the AppSpec the AWS
#   CLI sends for the matching file, waits with progress, and exits 5 on failure;
# - rollback stops the running deployment with autoRollbackEnabled and waits.
# Skips (77) without the AWS CLI. The AWS CLI's codedeploy client does not take
# --endpoint-url: AWS_ENDPOINT_URL_CODEDEPLOY points it at the server.
set -u
source "$(dirname "$0")/lib.sh"
: "${ECSCTL_SOURCE_DIR:?}"
if ! command -v aws >/dev/null 2>&1; then
  echo "SKIP: the AWS CLI is not installed"
  exit 77
fi
TMP=$(mktemp -d)
SERVER_PID=
stop_server() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
}
trap 'stop_server; rm -rf "$TMP"' EXIT

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=$TMP/none AWS_SHARED_CREDENTIALS_FILE=$TMP/none AWS_PAGER="" NO_COLOR=1
export ECSCTL_POLL_INTERVAL=0.1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE

# start_server SCRIPT LOG: a fresh server (its answer counters start over).
start_server() {
  stop_server
  rm -f "$TMP/port"
  : >"$2"
  python3 "$ECSCTL_SOURCE_DIR/tests/tools/scripted_server.py" "$1" "$2" "$TMP/port" &
  SERVER_PID=$!
  for _ in $(seq 100); do [[ -s $TMP/port ]] && break; sleep 0.1; done
  ENDPOINT="http://127.0.0.1:$(cat "$TMP/port")"
  export AWS_ENDPOINT_URL_CODEDEPLOY=$ENDPOINT
}

ACCT=arn:aws:ecs:us-east-1:123456789012
# write_script FILE GETDEPLOYMENT_STATUSES...: the service, the CodeDeploy
# application and group, and GetDeployment answering each status in turn.
write_script() {
  local file=$1
  shift
  python3 - "$file" "$ACCT" "$@" <<'PY'
import json, sys
file, acct, statuses = sys.argv[1], sys.argv[2], sys.argv[3:]
svc = {"serviceArn": acct + ":service/prod/web", "serviceName": "web", "clusterArn": acct + ":cluster/prod",
       "status": "ACTIVE", "desiredCount": 2, "runningCount": 2, "pendingCount": 0,
       "taskDefinition": acct + ":task-definition/web:3", "deploymentController": {"type": "CODE_DEPLOY"},
       "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1",
                          "containerName": "web", "containerPort": 8080}],
       "platformVersion": "1.4.0",
       "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0aaa", "subnet-0bbb"],
                                                        "securityGroups": ["sg-0web"], "assignPublicIp": "DISABLED"}},
       "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 1}],
       "deployments": [], "events": []}
current = {"taskDefinitionArn": acct + ":task-definition/web:3", "family": "web", "revision": 3, "status": "ACTIVE",
           "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
           "containerDefinitions": [{"name": "web", "image": "nginx:1.26", "essential": True,
                                     "portMappings": [{"containerPort": 8080, "protocol": "tcp"}]}]}
def info(status):
    d = {"deploymentId": "d-ABCDEF123", "applicationName": "AppECS-prod-web", "status": status,
         "deploymentOverview": {"Pending": 0, "InProgress": 1 if status == "InProgress" else 0,
                                "Succeeded": 1 if status == "Succeeded" else 0,
                                "Failed": 1 if status == "Failed" else 0, "Skipped": 0, "Ready": 0}}
    if status == "Failed":
        d["errorInformation"] = {"code": "ECS_UPDATE_ERROR", "message": "The ECS service cannot reach a steady state"}
        d["rollbackInfo"] = {"rollbackDeploymentId": "d-ROLLBACK1", "rollbackMessage": "automatic rollback"}
    return {"deploymentInfo": d}
script = {
    "DescribeServices": [{"services": [svc], "failures": []}],
    "DescribeTaskDefinition": [{"taskDefinition": current, "tags": []}],
    "GetApplication": [{"application": {"applicationId": "a-1", "applicationName": "AppECS-prod-web",
                                        "computePlatform": "ECS"}}],
    "GetDeploymentGroup": [{"deploymentGroupInfo": {
        "applicationName": "AppECS-prod-web", "deploymentGroupName": "DgpECS-prod-web", "computePlatform": "ECS",
        "ecsServices": [{"serviceName": "web", "clusterName": "prod"}],
        "blueGreenDeploymentConfiguration": {
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE",
                                                          "terminationWaitTimeInMinutes": 5}}}}],
    "RegisterTaskDefinition": [{"taskDefinition": dict(current, taskDefinitionArn=acct + ":task-definition/web:4",
                                                       revision=4)}],
    "CreateDeployment": [{"deploymentId": "d-ABCDEF123"}],
    "GetDeployment": [info(s) for s in statuses],
    "ListDeployments": [{"deployments": ["d-RUNNING1"]}],
    "StopDeployment": [{"status": "Pending", "statusMessage": "Stopping deployment"}],
    "UpdateService": [{"service": svc}],
}
json.dump(script, open(file, "w"))
PY
}

# The files: the task definition (JSON, as `aws ecs deploy` takes it) and the
# AppSpec in YAML, written as ecsctl generates it for this service.
cat >"$TMP/td.json" <<'JSON'
{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": true,
                           "portMappings": [{"containerPort": 8080, "protocol": "tcp"}]}]}
JSON
cat >"$TMP/appspec.yaml" <<'YAML'
# the AppSpec of the web service
version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "<TASK_DEFINITION>"
        LoadBalancerInfo:
          ContainerName: web
          ContainerPort: 8080
        PlatformVersion: "1.4.0"
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets: [subnet-0aaa, subnet-0bbb]
            SecurityGroups: [sg-0web]
            AssignPublicIp: DISABLED
        CapacityProviderStrategy:
          - Base: 1
            CapacityProvider: FARGATE_SPOT
            Weight: 2
YAML

# compare LOG_A LOG_B: the same operations in the same order with equal bodies.
compare() {
  python3 - "$1" "$2" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
ta, tb = [x["target"] for x in a], [x["target"] for x in b]
if ta != tb:
    print("calls differ:\n  aws:    %s\n  ecsctl: %s" % (ta, tb)); sys.exit(1)
for x, y in zip(a, b):
    if x["body"] != y["body"]:
        print("%s bodies differ:\n  aws:    %s\n  ecsctl: %s" % (x["operation"], json.dumps(x["body"]), json.dumps(y["body"])))
        sys.exit(1)
print(" ".join(x["operation"] for x in a))
PY
}
# field LOG OPERATION PYTHON-EXPR-ON-body: the expression over the operation's last body.
field() {
  python3 -c 'import json,sys
bodies=[json.loads(l)["body"] for l in open(sys.argv[1]) if json.loads(l)["operation"]==sys.argv[2]]
body=bodies[-1] if bodies else None
print(eval(sys.argv[3]))' "$1" "$2" "$3"
}

# 1. Success: InProgress, then Succeeded. The AWS CLI waits 15 s between polls.
write_script "$TMP/ok.json" InProgress Succeeded
start_server "$TMP/ok.json" "$TMP/aws.log"
aws ecs deploy --endpoint-url "$ENDPOINT" --cluster prod --service web --task-definition "$TMP/td.json" \
  --codedeploy-appspec "$TMP/appspec.yaml" >"$TMP/aws.out" 2>"$TMP/aws.err"
aws_rc=$?
start_server "$TMP/ok.json" "$TMP/ecsctl.log"
"$ECSCTL" deploy --endpoint-url "$ENDPOINT" --cluster prod --service web --task-definition "$TMP/td.json" \
  --codedeploy-appspec "$TMP/appspec.yaml" >"$TMP/ecsctl.out" 2>"$TMP/ecsctl.err"
rc=$?
expect_code "$aws_rc" 0 "aws ecs deploy succeeds against the scripted server ($(cat "$TMP/aws.err"))"
expect_code "$rc" 0 "ecsctl deploy --codedeploy-appspec succeeds ($(cat "$TMP/ecsctl.err"))"
if out=$(compare "$TMP/aws.log" "$TMP/ecsctl.log"); then pass "the same calls with equal bodies: $out"
else fail "$out"; fi
expect_eq "$(cat "$TMP/ecsctl.out")" "$(cat "$TMP/aws.out")" "the same stdout as the AWS CLI"
expect_eq "$(sed -n 3p "$TMP/ecsctl.out")" "Waiting for d-ABCDEF123 to succeed (will wait up to 30 minutes)..." \
  "the wait message (group wait 0+5+10 minutes, at least 30)"
expect_eq "$(grep -c '"GetDeployment"' "$TMP/ecsctl.log")" 2 "it polled GetDeployment until Succeeded"
content=$(field "$TMP/ecsctl.log" CreateDeployment 'body["revision"]["appSpecContent"]["content"]')
expect_eq "$content" "$(field "$TMP/aws.log" CreateDeployment 'body["revision"]["appSpecContent"]["content"]')" \
  "the AppSpec content is the AWS CLI's, byte for byte"
expect_match "$content" '"TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4"' \
  "the AppSpec names the registered revision"
sha=$(printf '%s' "$content" | sha256sum | cut -d' ' -f1)
expect_eq "$(field "$TMP/ecsctl.log" CreateDeployment 'body["revision"]["appSpecContent"]["sha256"]')" "$sha" \
  "sha256 is the content's"

# 2. A JSON AppSpec with lower-case keys, a float, a boolean and non-ASCII text.
cat >"$TMP/appspec.json" <<'JSON'
{"version": 0.0, "resources": [{"web": {"type": "AWS::ECS::Service", "properties": {"taskDefinition": "x",
  "loadBalancerInfo": {"containerName": "web", "containerPort": 8080}, "note": "caf\u00e9 \u2713", "ratio": 1.5e-7,
  "flag": true, "empty": {}}}}], "Hooks": [{"BeforeInstall": "LambdaFunctionToValidateBeforeInstall"}]}
JSON
write_script "$TMP/now.json" Succeeded
start_server "$TMP/now.json" "$TMP/aws2.log"
aws ecs deploy --endpoint-url "$ENDPOINT" --cluster prod --service web --task-definition "$TMP/td.json" \
  --codedeploy-appspec "$TMP/appspec.json" >/dev/null 2>&1
start_server "$TMP/now.json" "$TMP/ecsctl2.log"
"$ECSCTL" deploy --endpoint-url "$ENDPOINT" --cluster prod --service web --task-definition "$TMP/td.json" \
  --codedeploy-appspec "$TMP/appspec.json" >/dev/null 2>&1
expect_code $? 0 "ecsctl deploys a JSON AppSpec"
if out=$(compare "$TMP/aws2.log" "$TMP/ecsctl2.log"); then pass "JSON AppSpec: the same calls and bodies"
else fail "JSON AppSpec: $out"; fi

# 3. The deployment fails: the AWS CLI's waiter message and exit code.
write_script "$TMP/fail.json" InProgress Failed
start_server "$TMP/fail.json" "$TMP/aws3.log"
aws ecs deploy --endpoint-url "$ENDPOINT" --cluster prod --service web \
  --task-definition "$TMP/td.json" --codedeploy-appspec "$TMP/appspec.yaml" >"$TMP/aws3.out" 2>"$TMP/aws3.err"
aws_rc=$?
start_server "$TMP/fail.json" "$TMP/ecsctl3.log"
"$ECSCTL" deploy --endpoint-url "$ENDPOINT" --cluster prod --service web --task-definition "$TMP/td.json" \
  --codedeploy-appspec "$TMP/appspec.yaml" >"$TMP/ecsctl3.out" 2>"$TMP/ecsctl3.err"
rc=$?
expect_code "$rc" "$aws_rc" "a failed deployment: the AWS CLI's exit code ($aws_rc)"
expect_eq "$(cat "$TMP/ecsctl3.err")" "$(cat "$TMP/aws3.err")" "a failed deployment: the AWS CLI's message"
expect_eq "$(cat "$TMP/ecsctl3.out")" "$(cat "$TMP/aws3.out")" "a failed deployment: the same stdout"

# 4. An AppSpec without taskDefinition.
printf 'version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        LoadBalancerInfo: {ContainerName: web, ContainerPort: 8080}\n' \
  >"$TMP/bad.yaml"
start_server "$TMP/now.json" "$TMP/aws4.log"
aws ecs deploy --endpoint-url "$ENDPOINT" --cluster prod --service web --task-definition "$TMP/td.json" \
  --codedeploy-appspec "$TMP/bad.yaml" >/dev/null 2>"$TMP/aws4.err"
aws_rc=$?
start_server "$TMP/now.json" "$TMP/ecsctl4.log"
"$ECSCTL" deploy --endpoint-url "$ENDPOINT" --cluster prod --service web --task-definition "$TMP/td.json" \
  --codedeploy-appspec "$TMP/bad.yaml" >/dev/null 2>"$TMP/ecsctl4.err"
rc=$?
expect_code "$rc" "$aws_rc" "no taskDefinition in the AppSpec: the AWS CLI's exit code"
expect_eq "$(cat "$TMP/ecsctl4.err")" "$(cat "$TMP/aws4.err")" "no taskDefinition: the AWS CLI's message"
if out=$(compare "$TMP/aws4.log" "$TMP/ecsctl4.log"); then pass "no taskDefinition: the same calls ($out)"
else fail "no taskDefinition: $out"; fi

# A task definition file with a member RegisterTaskDefinition lacks: botocore's validation.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["taskDefinitionArn"]="x"; json.dump(d, open(sys.argv[2], "w"))' \
  "$TMP/td.json" "$TMP/td-extra.json"
start_server "$TMP/now.json" "$TMP/aws5.log"
aws ecs deploy --endpoint-url "$ENDPOINT" --cluster prod --service web --task-definition "$TMP/td-extra.json" \
  --codedeploy-appspec "$TMP/appspec.yaml" >/dev/null 2>"$TMP/aws5.err"
aws_rc=$?
start_server "$TMP/now.json" "$TMP/ecsctl5.log"
"$ECSCTL" deploy --endpoint-url "$ENDPOINT" --cluster prod --service web --task-definition "$TMP/td-extra.json" \
  --codedeploy-appspec "$TMP/appspec.yaml" >/dev/null 2>"$TMP/ecsctl5.err"
rc=$?
expect_code "$rc" "$aws_rc" "an unknown member in the task definition file: the AWS CLI's exit code"
expect_eq "$(head -3 "$TMP/ecsctl5.err")" "$(head -3 "$TMP/aws5.err")" "an unknown member: botocore's message"
if out=$(compare "$TMP/aws5.log" "$TMP/ecsctl5.log"); then pass "an unknown member: the same calls ($out)"
else fail "an unknown member: $out"; fi

# 5. ecsctl's own deploy of the CODE_DEPLOY service: the AppSpec it generates
#    is the one the AWS CLI sent for appspec.yaml (scenario 1).
write_script "$TMP/own.json" InProgress InProgress Succeeded
start_server "$TMP/own.json" "$TMP/own.log"
"$ECSCTL" deploy web --cluster prod --task-definition "$TMP/td.json" --endpoint-url "$ENDPOINT" \
  >"$TMP/own.out" 2>"$TMP/own.err"
expect_code $? 0 "ecsctl deploy of a CODE_DEPLOY service succeeds ($(cat "$TMP/own.err"))"
expect_eq "$(field "$TMP/own.log" CreateDeployment 'body["revision"]["appSpecContent"]["content"]')" "$content" \
  "its CreateDeployment AppSpec is what aws ecs deploy sends for the matching file"
expect_eq "$(field "$TMP/own.log" CreateDeployment 'body["applicationName"]+"/"+body["deploymentGroupName"]')" \
  "AppECS-prod-web/DgpECS-prod-web" "the default application and deployment group"
expect_eq "$(grep -c '"GetDeployment"' "$TMP/own.log")" 3 "it waited through InProgress to Succeeded"
expect_match "$(cat "$TMP/own.err")" 'd-ABCDEF123 InProgress: pending 0, in progress 1' "progress on stderr"
expect_eq "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["deployment"]["status"])' <"$TMP/own.out")" \
  Succeeded "stdout is the final deployment (JSON)"
if grep -q '"UpdateService"' "$TMP/own.log"; then fail "no UpdateService for a CODE_DEPLOY service"
else pass "no UpdateService for a CODE_DEPLOY service"; fi

write_script "$TMP/ownfail.json" InProgress Failed
start_server "$TMP/ownfail.json" "$TMP/ownfail.log"
"$ECSCTL" deploy web --cluster prod --task-definition "$TMP/td.json" --endpoint-url "$ENDPOINT" \
  >/dev/null 2>"$TMP/ownfail.err"
expect_code $? 5 "a failed CodeDeploy deployment: exit 5"
expect_match "$(cat "$TMP/ownfail.err")" 'failed: ECS_UPDATE_ERROR: The ECS service cannot reach a steady state; CodeDeploy rolled back with deployment d-ROLLBACK1' \
  "the failure and CodeDeploy's rollback are reported"

# 6. rollback stops the running deployment and lets CodeDeploy roll back.
write_script "$TMP/stop.json" InProgress Stopped
start_server "$TMP/stop.json" "$TMP/stop.log"
"$ECSCTL" rollback web --cluster prod --endpoint-url "$ENDPOINT" >/dev/null 2>"$TMP/stop.err"
expect_code $? 0 "rollback of a CODE_DEPLOY service ($(cat "$TMP/stop.err"))"
expect_eq "$(field "$TMP/stop.log" StopDeployment 'json.dumps(body, sort_keys=True)')" \
  '{"autoRollbackEnabled": true, "deploymentId": "d-RUNNING1"}' "StopDeployment with autoRollbackEnabled"
expect_eq "$(field "$TMP/stop.log" ListDeployments 'json.dumps(body["includeOnlyStatuses"])')" \
  '["Created", "Queued", "InProgress", "Baking", "Ready"]' "the running deployment is looked up"
expect_eq "$(grep -c '"GetDeployment"' "$TMP/stop.log")" 2 "it waited until the deployment stopped"

# rollback --to-revision on a CODE_DEPLOY service: a new CodeDeploy deployment
# whose AppSpec names the revision by ARN (the server answers
# DescribeTaskDefinition with web:3 whatever is asked).
write_script "$TMP/to.json" Succeeded
start_server "$TMP/to.json" "$TMP/to.log"
"$ECSCTL" rollback web --cluster prod --to-revision 2 --endpoint-url "$ENDPOINT" >/dev/null 2>"$TMP/to.err"
expect_code $? 0 "rollback --to-revision of a CODE_DEPLOY service ($(cat "$TMP/to.err"))"
expect_eq "$(field "$TMP/to.log" DescribeTaskDefinition 'body["taskDefinition"]')" "web:2" "the revision is looked up"
expect_match "$(field "$TMP/to.log" CreateDeployment 'body["revision"]["appSpecContent"]["content"]')" \
  '"TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"' "deployed by ARN through CodeDeploy"
if grep -q '"StopDeployment"\|"UpdateService"' "$TMP/to.log"; then fail "no StopDeployment or UpdateService"
else pass "no StopDeployment or UpdateService"; fi

# 7. The project form: the service file changes desiredCount (UpdateService,
#    without a task definition) and the subnets (carried by the AppSpec), the
#    task definition file the image (registered, deployed through CodeDeploy).
mkdir -p "$TMP/proj"
printf 'cluster: prod\nservice: web\nservice_definition: service.yaml\ntask_definition: td.yaml\n' >"$TMP/proj/ecsctl.yaml"
cat >"$TMP/proj/service.yaml" <<'YAML'
desiredCount: 3
deploymentController:
  type: CODE_DEPLOY
capacityProviderStrategy:
  - capacityProvider: FARGATE_SPOT
    weight: 2
    base: 1
platformVersion: 1.4.0
networkConfiguration:
  awsvpcConfiguration:
    subnets: [subnet-0ccc]
    securityGroups: [sg-0web]
    assignPublicIp: DISABLED
loadBalancers:
  - targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1
    containerName: web
    containerPort: 8080
YAML
cat >"$TMP/proj/td.yaml" <<'YAML'
family: web
networkMode: awsvpc
requiresCompatibilities: [FARGATE]
cpu: "256"
memory: "512"
containerDefinitions:
  - name: web
    image: nginx:1.28
    essential: true
    portMappings:
      - containerPort: 8080
        protocol: tcp
YAML
write_script "$TMP/proj.json" Succeeded
start_server "$TMP/proj.json" "$TMP/projdry.log"
"$ECSCTL" deploy --config "$TMP/proj/ecsctl.yaml" --dry-run --endpoint-url "$ENDPOINT" >"$TMP/projdry.out" 2>"$TMP/projdry.err"
expect_code $? 0 "project deploy --dry-run on a CODE_DEPLOY service ($(cat "$TMP/projdry.err"))"
expect_eq "$(python3 -c 'import json,sys; print(" ".join(r["operation"] for r in json.load(sys.stdin)["requests"]))' <"$TMP/projdry.out")" \
  "RegisterTaskDefinition UpdateService CreateDeployment" "--dry-run lists the requests"
if grep -qE '"(RegisterTaskDefinition|UpdateService|CreateDeployment)"' "$TMP/projdry.log"; then fail "--dry-run sent a change"
else pass "--dry-run sends no change"; fi
start_server "$TMP/proj.json" "$TMP/proj.log"
"$ECSCTL" deploy --config "$TMP/proj/ecsctl.yaml" --endpoint-url "$ENDPOINT" >/dev/null 2>"$TMP/proj.err"
expect_code $? 0 "project deploy on a CODE_DEPLOY service ($(cat "$TMP/proj.err"))"
expect_eq "$(field "$TMP/proj.log" UpdateService 'json.dumps(body, sort_keys=True)')" \
  '{"cluster": "prod", "desiredCount": 3, "service": "web"}' "UpdateService gets desiredCount only"
expect_match "$(field "$TMP/proj.log" CreateDeployment 'body["revision"]["appSpecContent"]["content"]')" \
  '"TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4".*"Subnets": \["subnet-0ccc"\]' \
  "the AppSpec has the new revision and the file's subnets"
expect_eq "$(field "$TMP/proj.log" RegisterTaskDefinition 'body["containerDefinitions"][0]["image"]')" nginx:1.28 \
  "the task definition file is registered"

finish
