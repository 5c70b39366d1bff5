#!/usr/bin/env bash
# Sends the same command lines through `aws` and `ecsctl` to a capture server on
# 127.0.0.1 and asserts identical X-Amz-Target headers and identical bodies
# (parsed JSON or query string; idempotency tokens excepted). Skips (exit 77)
# when the AWS CLI is not installed. Until the client is implemented, ecsctl's
# side comes from its hidden --ecsctl-print-request (JSON protocols only).
set -u
: "${ECSCTL:?}" "${ECSCTL_SOURCE_DIR:?}"
if ! command -v aws >/dev/null 2>&1; then
  echo "SKIP: aws (Debian package awscli) is not installed"
  exit 77
fi

tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

python3 "$ECSCTL_SOURCE_DIR/tests/tools/capture_server.py" "$tmp/log" "$tmp/port" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
endpoint="http://127.0.0.1:$port"

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$tmp/none" AWS_SHARED_CREDENTIALS_FILE="$tmp/none"
export AWS_PAGER="" NO_COLOR=1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL

# Is the client there? One real call tells.
: >"$tmp/log"
"$ECSCTL" --endpoint-url "$endpoint" describe-clusters >/dev/null 2>"$tmp/probe.err"
if [ -s "$tmp/log" ]; then mode=wire; else mode=dry; fi
echo "ecsctl side: $mode ($(head -c 200 "$tmp/probe.err"))"

compare() {  # compare NAME AWS_RECORD_FILE ECSCTL_RECORD_FILE
  python3 - "$@" <<'PY'
import json, sys, urllib.parse
name, a_path, e_path, mode = sys.argv[1:5]
TOKENS = {"clientToken", "ClientToken"}
def body(rec):
    ct = rec.get("content_type") or ""
    if ct.startswith("application/x-www-form-urlencoded"):
        return {k: v for k, v in urllib.parse.parse_qs(rec["body"], keep_blank_values=True).items()}
    return json.loads(rec["body"] or "{}")
def strip(b):
    return {k: v for k, v in b.items() if k not in TOKENS} if isinstance(b, dict) else b
a = [json.loads(l) for l in open(a_path) if l.strip()]
if len(a) != 1:
    print(f"FAIL {name}: aws sent {len(a)} requests"); sys.exit(1)
a = a[0]
if mode == "wire":
    e = [json.loads(l) for l in open(e_path) if l.strip()]
    if len(e) != 1:
        print(f"FAIL {name}: ecsctl sent {len(e)} requests"); sys.exit(1)
    e = e[0]
    problems = []
    if a["target"] != e["target"]:
        problems.append(f"target {a['target']!r} != {e['target']!r}")
    if a["path"].split("?")[0] != e["path"].split("?")[0]:
        problems.append(f"path {a['path']!r} != {e['path']!r}")
    ab, eb = strip(body(a)), strip(body(e))
else:
    shown = json.load(open(e_path))
    problems = []
    target = a["target"] or ""
    if not target.endswith("." + shown["operation"]):
        problems.append(f"operation {shown['operation']} vs target {target}")
    ab, eb = strip(body(a)), strip(shown["input"])
if ab != eb:
    problems.append("body differs:\n  aws:    " + json.dumps(ab, sort_keys=True) + "\n  ecsctl: " + json.dumps(eb, sort_keys=True))
if problems:
    print(f"FAIL {name}: " + "; ".join(problems)); sys.exit(1)
print(f"ok   {name}")
PY
}

failures=0
cases=0
# run_case NAME [--aws-args ... --] ARGS...: ARGS go to both, unless --aws-args
# gives the AWS CLI an equivalent line of its own (features it lacks).
run_case() {
  local name=$1; shift
  local aws_args=()
  if [ "${1:-}" = "--aws-args" ]; then
    shift
    while [ "$1" != "--" ]; do aws_args+=("$1"); shift; done
    shift
  else
    aws_args=("$@")
  fi
  cases=$((cases + 1))
  : >"$tmp/log"
  aws --endpoint-url "$endpoint" "${aws_args[@]}" >/dev/null 2>"$tmp/aws.err"
  cp "$tmp/log" "$tmp/aws.rec"
  : >"$tmp/log"
  [ "$1" = ecs ] && shift  # ECS operations are ecsctl's top-level commands
  if [ "$mode" = wire ]; then
    "$ECSCTL" --endpoint-url "$endpoint" "$@" >/dev/null 2>"$tmp/ecsctl.err"
    cp "$tmp/log" "$tmp/ecsctl.rec"
  else
    case "$1" in elbv2) cases=$((cases - 1)); echo "skip $name: query protocol needs the client"; return;; esac
    if ! "$ECSCTL" "$@" --ecsctl-print-request >"$tmp/ecsctl.rec" 2>"$tmp/ecsctl.err"; then
      echo "FAIL $name: ecsctl: $(cat "$tmp/ecsctl.err")"; failures=$((failures + 1)); return
    fi
  fi
  if ! compare "$name" "$tmp/aws.rec" "$tmp/ecsctl.rec" "$mode"; then
    failures=$((failures + 1))
    sed 's/^/  aws stderr: /' "$tmp/aws.err" | head -5
    sed 's/^/  ecsctl stderr: /' "$tmp/ecsctl.err" | head -5
  fi
}

subnets='awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=ENABLED}'
subnets_json='{"awsvpcConfiguration":{"subnets":["subnet-1","subnet-2"],"securityGroups":["sg-1"],"assignPublicIp":"ENABLED"}}'
overrides='{"containerOverrides":[{"name":"web","command":["echo","hello world"],"environment":[{"name":"A","value":"1"}],"cpu":128}],"taskRoleArn":"arn:aws:iam::123456789012:role/r"}'
tg=arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef

run_case run-task-shorthand ecs run-task --cluster c --task-definition app:1 --launch-type FARGATE --network-configuration "$subnets"
run_case run-task-json ecs run-task --cluster c --task-definition app:1 --network-configuration "$subnets_json" --count 2
run_case run-task-overrides ecs run-task --task-definition app --overrides "$overrides" --enable-ecs-managed-tags --propagate-tags TASK_DEFINITION
run_case run-task-booleans ecs run-task --task-definition app --no-enable-ecs-managed-tags --disable-execute-command --started-by me
run_case run-task-placement ecs run-task --task-definition app --placement-strategy type=spread,field=attribute:ecs.availability-zone type=binpack,field=memory --tags key=a,value=b key=c,value=d
run_case create-service-lb ecs create-service --cluster c --service-name s --task-definition app --desired-count 2 \
  --load-balancers "targetGroupArn=$tg,containerName=web,containerPort=80" --tags key=team,value=a key=env,value=b \
  --deployment-configuration 'maximumPercent=200,minimumHealthyPercent=50,deploymentCircuitBreaker={enable=true,rollback=true}'
run_case cli-input-json ecs update-service --cli-input-json '{"cluster":"c","service":"s","desiredCount":1}' --desired-count 3
run_case cli-input-yaml --aws-args ecs update-service --cli-input-json '{"cluster":"c","service":"s","desiredCount":3,"forceNewDeployment":true}' -- \
  ecs update-service --cli-input-yaml $'cluster: c\nservice: s\ndesiredCount: 1\nforceNewDeployment: true\n' --desired-count 3
run_case describe-services ecs describe-services --cluster c --services a b
run_case describe-services-include ecs describe-services --services a --include TAGS
run_case force-new-deployment ecs update-service --cluster c --service s --force-new-deployment
run_case no-force-new-deployment ecs update-service --service s --no-force-new-deployment --enable-execute-command
run_case describe-clusters ecs describe-clusters
run_case list-tasks ecs list-tasks --cluster c --desired-status RUNNING
run_case elbv2-create-target-group elbv2 create-target-group --name tg --protocol HTTP --port 80 --vpc-id vpc-1 \
  --target-type ip --health-check-path /health --tags Key=a,Value=b Key=c,Value=d
run_case elbv2-register-targets elbv2 register-targets --target-group-arn "$tg" --targets Id=10.0.0.1,Port=80 Id=10.0.0.2
run_case events-put-targets events put-targets --rule r --targets \
  'Id=1,Arn=arn:aws:ecs:us-east-1:123456789012:cluster/c,RoleArn=arn:aws:iam::123456789012:role/r,EcsParameters={TaskDefinitionArn=arn:aws:ecs:us-east-1:123456789012:task-definition/app:1,TaskCount=1,LaunchType=FARGATE,NetworkConfiguration={awsvpcConfiguration={Subnets=[subnet-1],AssignPublicIp=DISABLED}}}'
run_case events-put-rule events put-rule --name r --schedule-expression 'rate(5 minutes)' --state ENABLED

# The input skeleton is the AWS CLI's, member for member. botocore's ArgumentGenerator
# fills an enum-typed string with random.choice(shape.enum), so the AWS CLI's value there
# changes from run to run; ecsctl prints the first enum value. At enum leaves the check is
# therefore "both values are members of the model's enum", elsewhere "same value"; every
# member the AWS CLI prints must be present in ecsctl's skeleton.
aws ecs run-task --generate-cli-skeleton >"$tmp/aws.skel" 2>/dev/null
"$ECSCTL" run-task --generate-cli-skeleton >"$tmp/ecsctl.skel"
cases=$((cases + 1))
cat >"$tmp/skel_cmp.py" <<'PY'
import json, sys
import botocore.session

shape = botocore.session.get_session().get_service_model("ecs").operation_model("RunTask").input_shape
aws, ours = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
problems = []

def walk(shape, a, b, path):
    if shape.type_name == "string" and shape.enum:
        for who, v in (("aws", a), ("ecsctl", b)):
            if v not in shape.enum:
                problems.append(f"{path}: {who} value {v!r} is not one of {shape.enum}")
    elif shape.type_name == "structure" and isinstance(a, dict) and isinstance(b, dict):
        for k, v in a.items():
            if k not in b:
                problems.append(f"{path}.{k}: missing from ecsctl's skeleton")
            else:
                walk(shape.members[k], v, b[k], f"{path}.{k}")
    elif shape.type_name == "list" and isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            walk(shape.member, x, y, f"{path}[{i}]")
    elif shape.type_name == "map" and isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        for k in a:
            walk(shape.value, a[k], b[k], f"{path}.{k}")
    elif a != b:
        problems.append(f"{path}: aws {json.dumps(a)} != ecsctl {json.dumps(b)}")

walk(shape, aws, ours, "")
print("\n".join(problems[:20]))
sys.exit(1 if problems else 0)
PY
if python3 "$tmp/skel_cmp.py" "$tmp/aws.skel" "$tmp/ecsctl.skel" >"$tmp/skel.diff" 2>&1; then
  echo "ok   run-task skeleton (every member the AWS CLI prints; same value, or a valid enum value)"
else
  echo "FAIL run-task skeleton"; cat "$tmp/skel.diff"; failures=$((failures + 1))
fi

echo "$((cases - failures))/$cases cases identical ($mode)"
[ "$failures" -eq 0 ]
