#!/usr/bin/env bash
# ecsctl local: ELBv2 over the Query protocol, and services behind target
# groups whose targets follow the tasks as they scale up and down:
# (instance id, host port) for bridge tasks, (ip, container port) for awsvpc.
source "$(dirname "$0")/lib/local.bash"
start_local

# elb ACTION FORM...: a signed ELBv2 Query request; prints the XML body,
# returns 0 only for HTTP 200.
elb() {
  local action=$1 status
  shift
  local args=(--data-urlencode "Action=$action" --data-urlencode "Version=2015-12-01")
  for kv in "$@"; do args+=(--data-urlencode "$kv"); done
  status=$(curl -s -o "$TMP/elb" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:elasticloadbalancing" \
    --user "$AKID:$SECRET" "${args[@]}" "$ENDPOINT/")
  cat "$TMP/elb"
  [ "$status" = 200 ]
}
# xml_values TAG: the text of every <TAG> element on stdin, one a line.
xml_values() { grep -o "<$1>[^<]*</$1>" | sed -e "s/<$1>//" -e "s/<\/$1>//"; }

# health TG_ARN: "id:port:state" lines, sorted.
health() {
  elb DescribeTargetHealth "TargetGroupArn=$1" | python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"e": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"}
root = ET.fromstring(sys.stdin.read())
for m in root.iterfind(".//e:TargetHealthDescriptions/e:member", ns):
    print("%s:%s:%s" % (m.findtext("e:Target/e:Id", namespaces=ns), m.findtext("e:Target/e:Port", namespaces=ns),
                        m.findtext("e:TargetHealth/e:State", namespaces=ns)))' | sort
}
# wait_health TG_ARN PYTHON_CONDITION_ON_LINES: polls (15 s) until the condition holds.
wait_health() {
  local i
  for i in $(seq 1 150); do
    health "$1" >"$TMP/health"
    if python3 -c "import sys; lines = open('$TMP/health').read().split(); sys.exit(0 if ($2) else 1)"; then return 0; fi
    sleep 0.1
  done
  fail "timed out waiting for ($2); target health: $(cat "$TMP/health")"
}

# --- ELBv2 resources.
elb CreateTargetGroup Name=web Protocol=HTTP Port=80 VpcId=vpc-0local >"$TMP/tg.xml" || fail "CreateTargetGroup: $(cat "$TMP/elb")"
TG=$(xml_values TargetGroupArn <"$TMP/tg.xml")
expect_eq "$(xml_values HealthCheckPath <"$TMP/tg.xml")" / "health check path default"
expect_eq "$(xml_values TargetType <"$TMP/tg.xml")" instance "target type default"
grep -q '<CreateTargetGroupResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><CreateTargetGroupResult><TargetGroups><member>' "$TMP/tg.xml" \
  || fail "CreateTargetGroup response envelope: $(cat "$TMP/tg.xml")"
pass "Query response envelope"

elb CreateTargetGroup Name=web Protocol=HTTP Port=8080 VpcId=vpc-0local >/dev/null && fail "duplicate target group accepted"
grep -q '<Code>DuplicateTargetGroupName</Code>' "$TMP/elb" || fail "DuplicateTargetGroupName: $(cat "$TMP/elb")"
pass "duplicate target group name refused"
elb DescribeTargetGroups Names.member.1=nope >/dev/null && fail "unknown target group found"
grep -q '<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code>' "$TMP/elb" \
  || fail "TargetGroupNotFound: $(cat "$TMP/elb")"
pass "TargetGroupNotFound as an XML error"

elb CreateLoadBalancer Name=front Subnets.member.1=subnet-0aaa Subnets.member.2=subnet-0bbb >"$TMP/lb.xml" || fail "CreateLoadBalancer: $(cat "$TMP/elb")"
LB=$(xml_values LoadBalancerArn <"$TMP/lb.xml")
xml_values DNSName <"$TMP/lb.xml" | grep -Eq '^front-[0-9]+\.us-east-1\.elb\.amazonaws\.com$' || fail "DNS name: $(cat "$TMP/lb.xml")"
pass "load balancer DNS name"
elb CreateListener "LoadBalancerArn=$LB" Port=80 Protocol=HTTP DefaultActions.member.1.Type=forward \
  "DefaultActions.member.1.TargetGroupArn=$TG" >/dev/null || fail "CreateListener: $(cat "$TMP/elb")"
expect_eq "$(elb DescribeTargetGroups "LoadBalancerArn=$LB" | xml_values TargetGroupName)" web "target group by load balancer"

# --- A bridge-mode service with dynamic host ports behind the instance target group.
ecs CreateCluster '{"clusterName":"web"}' >/dev/null || fail "CreateCluster"
"$ECSCTL" local add-instances --state "$STATE" --cluster web --count 2 --cpu 2048 --memory 4096 >"$TMP/added.json" || fail "add-instances"
ecs RegisterTaskDefinition '{"family":"site","networkMode":"bridge","containerDefinitions":[{"name":"nginx","image":"nginx","memory":128,"portMappings":[{"containerPort":80,"hostPort":0}]}]}' >/dev/null \
  || fail "RegisterTaskDefinition"
LBS="\"loadBalancers\":[{\"targetGroupArn\":\"$TG\",\"containerName\":\"nginx\",\"containerPort\":80}]"
ecs CreateService "{\"cluster\":\"web\",\"serviceName\":\"site\",\"taskDefinition\":\"site\",\"desiredCount\":2,$LBS}" >/dev/null \
  || fail "CreateService: $(cat "$TMP/body")"

# targets_of_tasks: "ec2InstanceId:hostPort" of the service's running tasks, sorted.
targets_of_tasks() {
  local arns
  arns=$(ecs ListTasks '{"cluster":"web","serviceName":"site","desiredStatus":"RUNNING"}' | jq -c .taskArns)
  ecs DescribeTasks "{\"cluster\":\"web\",\"tasks\":$arns}" | jq -r '.tasks[] | select(.lastStatus == "RUNNING") | "\(.containerInstanceArn) \(.containers[0].networkBindings[0].hostPort)"' |
    while read -r ci port; do
      echo "$(ecs DescribeContainerInstances "{\"cluster\":\"web\",\"containerInstances\":[\"$ci\"]}" | jq -r '.containerInstances[0].ec2InstanceId'):$port"
    done | sort
}

wait_health "$TG" 'len(lines) == 2 and all(l.endswith(":healthy") for l in lines)'
pass "two service tasks registered and healthy"
expect_eq "$(sed 's/:healthy$//' "$TMP/health")" "$(targets_of_tasks)" "targets are (instance id, host port) of the tasks"

ecs UpdateService '{"cluster":"web","service":"site","desiredCount":4}' >/dev/null || fail "scale out"
wait_health "$TG" 'len(lines) == 4 and all(l.endswith(":healthy") for l in lines)'
expect_eq "$(sed 's/:healthy$//' "$TMP/health")" "$(targets_of_tasks)" "scaled out to 4: targets follow the tasks"

ecs UpdateService '{"cluster":"web","service":"site","desiredCount":1}' >/dev/null || fail "scale in"
wait_health "$TG" 'sum(l.endswith(":draining") for l in lines) == 3'
pass "stopped tasks' targets drain"
wait_health "$TG" 'len(lines) == 1 and lines[0].endswith(":healthy")'
expect_eq "$(sed 's/:healthy$//' "$TMP/health")" "$(targets_of_tasks)" "scaled in to 1: drained targets are gone"

# --- awsvpc tasks register (ip, container port) in ip target groups; instance groups are refused.
elb CreateTargetGroup Name=api Protocol=HTTP Port=8080 VpcId=vpc-0local TargetType=ip >"$TMP/tg2.xml" || fail "CreateTargetGroup ip"
TG2=$(xml_values TargetGroupArn <"$TMP/tg2.xml")
elb CreateListener "LoadBalancerArn=$LB" Port=8080 Protocol=HTTP DefaultActions.member.1.Type=forward \
  "DefaultActions.member.1.TargetGroupArn=$TG2" >/dev/null || fail "CreateListener 8080"
ecs RegisterTaskDefinition '{"family":"api","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","containerDefinitions":[{"name":"api","image":"nginx","portMappings":[{"containerPort":8080}]}]}' >/dev/null \
  || fail "RegisterTaskDefinition api"
NET='"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0aaa"]}}'
ecs CreateService "{\"cluster\":\"web\",\"serviceName\":\"api\",\"taskDefinition\":\"api\",\"desiredCount\":2,\"launchType\":\"FARGATE\",$NET,\"loadBalancers\":[{\"targetGroupArn\":\"$TG\",\"containerName\":\"api\",\"containerPort\":8080}]}" >/dev/null \
  && fail "instance target group accepted for awsvpc"
expect_eq "$(jq -r .__type "$TMP/body")" InvalidParameterException "instance target group with awsvpc refused"
grep -q "has target type instance, which is incompatible with the awsvpc network mode" "$TMP/body" || fail "message: $(cat "$TMP/body")"
ecs CreateService "{\"cluster\":\"web\",\"serviceName\":\"api\",\"taskDefinition\":\"api\",\"desiredCount\":2,\"launchType\":\"FARGATE\",$NET,\"loadBalancers\":[{\"targetGroupArn\":\"$TG2\",\"containerName\":\"api\",\"containerPort\":81}]}" >/dev/null \
  && fail "missing container port accepted"
grep -q "did not have a container port 81 defined" "$TMP/body" || fail "container port message: $(cat "$TMP/body")"
pass "container port checked"
ecs CreateService "{\"cluster\":\"web\",\"serviceName\":\"api\",\"taskDefinition\":\"api\",\"desiredCount\":2,\"launchType\":\"FARGATE\",$NET,\"loadBalancers\":[{\"targetGroupArn\":\"$TG2\",\"containerName\":\"api\",\"containerPort\":8080}]}" >/dev/null \
  || fail "CreateService api: $(cat "$TMP/body")"
wait_health "$TG2" 'len(lines) == 2 and all(l.endswith(":8080:healthy") for l in lines)'
arns=$(ecs ListTasks '{"cluster":"web","serviceName":"api"}' | jq -c .taskArns)
ips=$(ecs DescribeTasks "{\"cluster\":\"web\",\"tasks\":$arns}" | jq -r '.tasks[].attachments[0].details[] | select(.name == "privateIPv4Address") | "\(.value):8080"' | sort)
expect_eq "$(sed 's/:healthy$//' "$TMP/health")" "$ips" "ip targets are the tasks' ENI addresses"

# --- ecsctl's own generic API commands (skipped while `ecsctl elbv2` is not there: exit code 252).
set +e
"$ECSCTL" --profile local --output json elbv2 describe-target-health --target-group-arn "$TG" >"$TMP/ecsctl.json" 2>"$TMP/ecsctl.err"
rc=$?
set -e
if [ "$rc" = 252 ]; then
  echo "skip - ecsctl elbv2: $(head -1 "$TMP/ecsctl.err")"
else
  expect_eq "$rc:$(jq -r '.TargetHealthDescriptions[0].TargetHealth.State' "$TMP/ecsctl.json")" 0:healthy "ecsctl elbv2 describe-target-health"
fi

# --- The same server through another client: the AWS CLI.
if command -v aws >/dev/null 2>&1; then
  export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET AWS_DEFAULT_REGION=us-east-1
  unset AWS_PROFILE
  awsl() { aws --endpoint-url "$ENDPOINT" --output json "$@"; }
  expect_eq "$(awsl elbv2 describe-target-groups --names web api | jq -r '[.TargetGroups[].TargetGroupName] | join(",")')" web,api "aws elbv2 describe-target-groups"
  expect_eq "$(awsl elbv2 describe-target-health --target-group-arn "$TG" | jq -r '.TargetHealthDescriptions[0].TargetHealth.State')" healthy "aws elbv2 describe-target-health"
  awsl elbv2 describe-load-balancers --names front | jq -e '.LoadBalancers[0].State.Code == "active" and .LoadBalancers[0].Type == "application"' >/dev/null \
    || fail "aws elbv2 describe-load-balancers"
  pass "aws elbv2 describe-load-balancers"
  awsl elbv2 add-tags --resource-arns "$TG" --tags Key=team,Value=blue || fail "aws elbv2 add-tags"
  expect_eq "$(awsl elbv2 describe-tags --resource-arns "$TG" | jq -r '.TagDescriptions[0].Tags[0].Value')" blue "aws elbv2 describe-tags"
  if awsl elbv2 delete-target-group --target-group-arn "$TG" 2>"$TMP/err"; then fail "target group in use deleted"; fi
  grep -q "ResourceInUse" "$TMP/err" || fail "aws error: $(cat "$TMP/err")"
  pass "aws elbv2 error code ResourceInUse"
else
  echo "skip - aws not installed"
fi
echo "local_elbv2: $PASSES checks passed"
