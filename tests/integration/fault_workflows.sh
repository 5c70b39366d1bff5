#!/usr/bin/env bash
# Multi-step commands that fail half-way (issue 10), through tests/tools/fault_proxy.py
# in front of `ecsctl local`, which fails one chosen call: the command exits with
# the failed call's code (254, a service error), says on stderr what was done and
# what was not, and a rerun with the same inputs completes it without duplicates
# (no second revision, service, rule, target, schedule, load balancer or listener).
source "$(dirname "$0")/workflow_lib.bash"
start_workflow_local
source "$(dirname "$0")/lib/fault.bash"

ecsctl() { "$ECSCTL" "$@"; }
run create-cluster --cluster-name fw
expect_code 0 "create-cluster"
cat >"$TMP/api.json" <<'JSON'
{"family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "api", "image": "nginx:1", "essential": true, "portMappings": [{"containerPort": 80}]}]}
JSON
run register-task-definition --cli-input-json "file://$TMP/api.json"
expect_code 0 "register api:1"
run create-service --cluster fw --service-name api --task-definition api:1 --desired-count 1 --launch-type FARGATE \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-0aaa]}'
expect_code 0 "create-service api"
revisions() { ecsctl list-task-definitions --family-prefix "$1" --query 'length(taskDefinitionArns)'; }
service_td() { ecsctl describe-services --cluster fw --services api --query 'services[0].taskDefinition' --output text; }
TD=arn:aws:ecs:us-east-1:123456789012:task-definition

# --- deploy: the revision is registered, then UpdateService is refused.
sed 's/nginx:1/nginx:2/' "$TMP/api.json" >"$TMP/api2.json"
start_fault_proxy --fail 'UpdateService=AccessDeniedException,400,1'
run deploy api --cluster fw --task-definition "$TMP/api2.json" --timeout 60s
expect_code 254 "deploy: UpdateService refused -> 254"
expect_eq "$(grep -c '^ecsctl: error:' <<<"$ERR")" 1 "one error"
expect_in "$ERR" "AccessDeniedException" "the service's error is printed"
expect_in "$ERR" "done: registered api:2. Not done: UpdateService to api:2." "done and not done are reported"
expect_eq "$(service_td)" "$TD/api:1" "the service still runs api:1"
run deploy api --cluster fw --task-definition "$TMP/api2.json" --timeout 60s
expect_code 0 "deploy rerun completes"
expect_eq "$(service_td)" "$TD/api:2" "the service runs api:2"
expect_eq "$(revisions api)" 2 "api:2 was reused, not registered again"

# --- deploy: the deployment completes, then deregistering old revisions is refused.
start_fault_proxy --fail 'DeregisterTaskDefinition=AccessDeniedException,400,1'
run deploy api --cluster fw --image api=nginx:3 --keep-revisions 1 --timeout 60s
expect_code 254 "deploy --keep-revisions: DeregisterTaskDefinition refused -> 254"
expect_in "$ERR" "done: registered api:3; updated api to api:3; deployment of api:3 completed. Not done: deregistering the revisions of api beyond the newest 1." \
  "the completed deployment and the pruning left are reported"
run deploy api --cluster fw --image api=nginx:3 --keep-revisions 1 --timeout 60s
expect_code 0 "deploy --keep-revisions rerun completes"
expect_eq "$(revisions api)" 1 "one ACTIVE revision is left"
expect_eq "$(service_td)" "$TD/api:3" "the service runs api:3 (reused; no api:4)"

# --- deploy: polling the deployment fails after UpdateService (the second DescribeServices, its first poll).
start_fault_proxy --fail 'DescribeServices=AccessDeniedException,400,1,1'
run deploy api --cluster fw --image api=nginx:4 --timeout 60s
expect_code 254 "deploy: the wait fails after UpdateService -> 254"
expect_in "$ERR" "done: registered api:4; updated api to api:4. Not done: waiting for the deployment to finish (ECS carries on with it)." \
  "the update is reported as done, the wait as not done"
run deploy api --cluster fw --image api=nginx:4 --timeout 60s
expect_code 0 "deploy rerun completes"
expect_eq "$(service_td)" "$TD/api:4" "the service runs api:4"
expect_eq "$(ecsctl list-task-definitions --family-prefix api --status ACTIVE --query 'taskDefinitionArns[-1]' --output text)" \
  "$TD/api:4" "no api:5"

# --- create-scheduled-task on EventBridge rules: PutRule works, PutTargets is refused.
cat >"$TMP/job.json" <<'JSON'
{"family": "job", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "main", "image": "ecsctl/exit:0", "essential": true}]}
JSON
SCHED=(--cluster fw --task-definition "$TMP/job.json" --launch-type FARGATE --subnets subnet-0aaa)
start_fault_proxy --fail 'PutTargets=AccessDeniedException,400,1'
run create-scheduled-task hourly --use-rules --schedule 'rate(1 hour)' "${SCHED[@]}"
expect_code 254 "create-scheduled-task --use-rules: PutTargets refused -> 254"
expect_in "$ERR" "done: registered job:1; rule hourly (PutRule). Not done: the ECS task target of rule hourly (PutTargets)." \
  "the rule is reported as done, its target as not done"
run create-scheduled-task hourly --use-rules --schedule 'rate(1 hour)' "${SCHED[@]}"
expect_code 0 "create-scheduled-task --use-rules rerun completes"
expect_in "$ERR" "completing it" "the half-created rule is completed"
expect_in "$ERR" "reusing job:1" "job:1 is reused"
expect_eq "$(ecsctl events list-rules --query 'length(Rules)')" 1 "one rule"
expect_eq "$(ecsctl events list-targets-by-rule --rule hourly --query 'length(Targets)')" 1 "one target"
expect_eq "$(revisions job)" 1 "one revision of job"
run create-scheduled-task hourly --use-rules --schedule 'rate(1 hour)' "${SCHED[@]}"
expect_code 0 "a third run changes nothing"
expect_in "$ERR" "already exists as requested" "and says so"
expect_eq "$(ecsctl events list-targets-by-rule --rule hourly --query 'length(Targets)')" 1 "still one target"

# --- create-scheduled-task on EventBridge Scheduler: the revision is registered, CreateSchedule is refused.
sed 's/ecsctl\/exit:0/ecsctl\/exit:1/' "$TMP/job.json" >"$TMP/job2.json"
SCHED=(--cluster fw --task-definition "$TMP/job2.json" --launch-type FARGATE --subnets subnet-0aaa)
start_fault_proxy --fail 'POST /schedules/=ValidationException,400,1'
run create-scheduled-task nightly --schedule 'cron(0 3 * * ? *)' --timezone Europe/Berlin "${SCHED[@]}"
expect_code 254 "create-scheduled-task: CreateSchedule refused -> 254"
expect_in "$ERR" "done: registered job:2. Not done: schedule nightly (CreateSchedule)." "done and not done are reported"
run create-scheduled-task nightly --schedule 'cron(0 3 * * ? *)' --timezone Europe/Berlin "${SCHED[@]}"
expect_code 0 "create-scheduled-task rerun completes"
expect_in "$ERR" "reusing job:2" "job:2 is reused"
expect_eq "$(ecsctl scheduler list-schedules --query 'length(Schedules)')" 1 "one schedule"
expect_eq "$(revisions job)" 2 "no job:3"

# --- elbv2 create-load-balancer --forward-to: the load balancer is created, the listener refused.
run elbv2 create-target-group --name api-tg --vpc-id vpc-0abc --for-task-definition "$TMP/api.json" --container api
expect_code 0 "create-target-group"
start_fault_proxy --fail 'CreateListener=AccessDenied,403,1'
LB=(elbv2 create-load-balancer --name api-alb --subnets subnet-0aaa subnet-0bbb --forward-to api-tg --listener-port 80)
run "${LB[@]}"
expect_code 254 "create-load-balancer --forward-to: CreateListener refused -> 254"
expect_in "$ERR" "done: load balancer api-alb. Not done: the listener on port 80." "done and not done are reported"
run "${LB[@]}"
expect_code 0 "create-load-balancer rerun completes"
LB_ARN=$(ecsctl elbv2 describe-load-balancers --query 'LoadBalancers[0].LoadBalancerArn' --output text)
expect_eq "$(ecsctl elbv2 describe-load-balancers --query 'length(LoadBalancers)')" 1 "one load balancer"
expect_eq "$(ecsctl elbv2 describe-listeners --load-balancer-arn "$LB_ARN" --query 'length(Listeners)')" 1 "one listener"

# --- create-service --target-group: CreateService refused; nothing was created, the rerun creates one service
# whose task is registered once in the target group.
start_fault_proxy --fail 'CreateService=AccessDeniedException,400,1'
WEB=(create-service --cluster fw --service-name web --task-definition api:4 --desired-count 1 --launch-type FARGATE
     --network-configuration 'awsvpcConfiguration={subnets=[subnet-0aaa]}' --target-group api-tg --container api)
run "${WEB[@]}"
expect_code 254 "create-service --target-group: CreateService refused -> 254"
expect_eq "$(ecsctl list-services --cluster fw --query 'length(serviceArns)')" 1 "no service web yet"
run "${WEB[@]}"
expect_code 0 "create-service rerun completes"
expect_eq "$(ecsctl list-services --cluster fw --query 'length(serviceArns)')" 2 "one service web"
TG_ARN=$(ecsctl elbv2 describe-target-groups --names api-tg --query 'TargetGroups[0].TargetGroupArn' --output text)
run wait services-stable --cluster fw --services web --delay 1
expect_code 0 "web is stable"
expect_eq "$ERR" "" "a waiter prints no progress when stderr is not a terminal (as the AWS CLI)"
run wait services-stable --cluster fw --services web --delay 1 --progress
expect_code 0 "web is still stable"
expect_in "$ERR" "Waiter ServicesStable succeeded" "--progress prints progress on a non-terminal"
n=0
for _ in $(seq 1 50); do
  n=$(ecsctl elbv2 describe-target-health --target-group-arn "$TG_ARN" --query 'length(TargetHealthDescriptions)')
  [ "$n" -ge 1 ] && break
  sleep 0.2
done
expect_eq "$n" 1 "one target registration for web's one task"

echo "fault_workflows: $PASSES checks passed"
