#!/usr/bin/env bash
# `ecsctl verify` against the local plane: each failing check is reported at
# the file:line:col of its field (a missing image, a missing secret and
# parameter, a role without the ecs-tasks trust, a subnet from another VPC, a
# target group of type instance for an awsvpc service), exit 3; a task
# definition whose resources all exist passes with exit 0. The account is set
# up with the AWS CLI where it is installed, else with signed curl requests.
source "$(dirname "$0")/lib/local.bash"
start_local
unset AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_CA_BUNDLE
eval "$("$ECSCTL" local env --state "$STATE")"
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
export https_proxy=$HTTPS_PROXY http_proxy=$HTTP_PROXY no_proxy=$NO_PROXY

# json_call TARGET_PREFIX.OP SIGNING_NAME JSON: a signed JSON 1.1 request.
json_call() {
  local status
  status=$(curl -s -o "$TMP/out" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:$2" --user "$AKID:$SECRET" \
    -H "X-Amz-Target: $1" -H "Content-Type: application/x-amz-json-1.1" --data-binary "$3" "$ENDPOINT/")
  [ "$status" = 200 ] || fail "$1: $status $(cat "$TMP/out")"
  cat "$TMP/out"
}
# form_call SIGNING_NAME VERSION ACTION FORM...: a signed Query/EC2 request.
form_call() {
  local name=$1 version=$2 action=$3 status
  shift 3
  local args=(--data-urlencode "Action=$action" --data-urlencode "Version=$version")
  for kv in "$@"; do args+=(--data-urlencode "$kv"); done
  status=$(curl -s -o "$TMP/out" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:$name" --user "$AKID:$SECRET" \
    "${args[@]}" "$ENDPOINT/")
  [ "$status" = 200 ] || fail "$action: $status $(cat "$TMP/out")"
  cat "$TMP/out"
}
xml_value() { grep -o "<$1>[^<]*</$1>" | head -1 | sed -e "s/<$1>//" -e "s/<\/$1>//"; }

# --- The account ----------------------------------------------------------------
ECR=AmazonEC2ContainerRegistry_V20150921
json_call $ECR.CreateRepository ecr '{"repositoryName":"app"}' >/dev/null
MANIFEST='{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":10,"digest":"sha256:aa"},"layers":[]}'
json_call $ECR.PutImage ecr "$(jq -nc --arg m "$MANIFEST" '{repositoryName:"app",imageTag:"v1",imageManifest:$m}')" >/dev/null
# A multi-platform image with only linux/amd64.
INDEX='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":10,"digest":"sha256:cc","platform":{"os":"linux","architecture":"amd64"}}]}'
json_call $ECR.PutImage ecr "$(jq -nc --arg m "$INDEX" '{repositoryName:"app",imageTag:"multi",imageManifest:$m}')" >/dev/null
SECRET_ARN=$(json_call secretsmanager.CreateSecret secretsmanager '{"Name":"db","SecretString":"pw-value"}' | jq -r .ARN)
json_call AmazonSSM.PutParameter ssm '{"Name":"/app/token","Type":"SecureString","Value":"tok"}' >/dev/null
TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
EC2_TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
form_call iam 2010-05-08 CreateRole RoleName=exec "AssumeRolePolicyDocument=$TRUST" >/dev/null
form_call iam 2010-05-08 CreateRole RoleName=ec2-only "AssumeRolePolicyDocument=$EC2_TRUST" >/dev/null
VPC=$(form_call ec2 2016-11-15 CreateVpc CidrBlock=10.9.0.0/16 | xml_value vpcId)
OTHER_SUBNET=$(form_call ec2 2016-11-15 CreateSubnet VpcId="$VPC" CidrBlock=10.9.1.0/24 | xml_value subnetId)
TG_IP=$(form_call elasticloadbalancing 2015-12-01 CreateTargetGroup Name=web-ip Protocol=HTTP Port=80 VpcId=vpc-0local TargetType=ip | xml_value TargetGroupArn)
TG_INSTANCE=$(form_call elasticloadbalancing 2015-12-01 CreateTargetGroup Name=web-inst Protocol=HTTP Port=80 VpcId=vpc-0local | xml_value TargetGroupArn)
[ -n "$OTHER_SUBNET" ] && [ -n "$TG_IP" ] && [ -n "$TG_INSTANCE" ] || fail "account setup"
pass "account set up (ECR, Secrets Manager, SSM, IAM, EC2, ELBv2)"

REG=123456789012.dkr.ecr.us-east-1.amazonaws.com
# line_of FILE TEXT: the line number of the first line containing TEXT.
line_of() { grep -nF -- "$2" "$1" | head -1 | cut -d: -f1; }

# --- Everything wrong -------------------------------------------------------------
cat >"$TMP/bad.json" <<EOF
{
  "family": "web",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "256",
  "memory": "512",
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "taskRoleArn": "arn:aws:iam::123456789012:role/ec2-only",
  "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
  "containerDefinitions": [
    {
      "name": "app",
      "image": "$REG/app:v2",
      "essential": true,
      "secrets": [
        {"name": "DB", "valueFrom": "$SECRET_ARN"},
        {"name": "GONE", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"},
        {"name": "TOKEN", "valueFrom": "/app/token"},
        {"name": "NOPE", "valueFrom": "/app/nope"}
      ],
      "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"}}
    },
    {"name": "side", "image": "$REG/app:multi", "essential": false},
    {"name": "norepo", "image": "$REG/nothere:v1", "essential": false},
    {"name": "hub", "image": "public.ecr.aws/docker/library/busybox:latest", "essential": false}
  ]
}
EOF
cat >"$TMP/service.yaml" <<EOF
serviceName: web
desiredCount: 2
networkConfiguration:
  awsvpcConfiguration:
    subnets:
      - subnet-0locala
      - $OTHER_SUBNET
      - subnet-0123456789abcdef0
    securityGroups:
      - sg-0local
loadBalancers:
  - targetGroupArn: $TG_INSTANCE
    containerName: app
    containerPort: 80
EOF
set +e
"$ECSCTL" verify --task-definition "$TMP/bad.json" --service-definition "$TMP/service.yaml" >"$TMP/v.out" 2>"$TMP/v.err"
code=$?
set -e
expect_eq "$code" 3 "verify exits 3 when a check fails"
[ -s "$TMP/v.out" ] && fail "verify wrote to stdout in text mode: $(cat "$TMP/v.out")"
B=$TMP/bad.json S=$TMP/service.yaml
# expect_finding FILE LINE RULE TEXT
expect_finding() {
  grep -E "^$1:$2:[0-9]+: error\[$3\]: .*$4" "$TMP/v.err" >/dev/null \
    || fail "no $3 finding at $1:$2 ($4) in:"$'\n'"$(cat "$TMP/v.err")"
  pass "$3 at line $2: $4"
}
expect_finding "$B" "$(line_of "$B" 'app:v2')" verify-image "tag 'v2' is not in ECR repository 'app'"
expect_finding "$B" "$(line_of "$B" 'nothere')" verify-image "repository 'nothere' does not exist"
expect_finding "$B" "$(line_of "$B" 'secret:missing')" verify-secret "does not exist"
expect_finding "$B" "$(line_of "$B" '/app/nope')" verify-parameter "/app/nope does not exist"
expect_finding "$B" "$(line_of "$B" 'role/ec2-only')" verify-role-trust "does not trust ecs-tasks.amazonaws.com"
expect_finding "$B" "$(line_of "$B" 'app:multi')" verify-image-platform "no linux/arm64 variant"
expect_finding "$S" "$(line_of "$S" "$OTHER_SUBNET")" verify-vpc "is in $VPC, but subnet-0locala is in vpc-0local"
expect_finding "$S" "$(line_of "$S" subnet-0123456789abcdef0)" verify-subnet "does not exist"
expect_finding "$S" "$(line_of "$S" "$TG_INSTANCE")" verify-target-type "target type 'instance'.*awsvpc needs 'ip'"
for ok in "$SECRET_ARN" /app/token role/exec busybox sg-0local; do
  if grep -F -- "$ok" "$TMP/v.err" | grep -q "error\["; then fail "a finding about $ok, which exists: $(cat "$TMP/v.err")"; fi
done
pass "nothing reported about what exists"
if grep -q "pw-value" "$TMP/v.err"; then fail "a secret value in the output"; fi
# Log groups: checked when the plane has CloudWatch Logs, else a note.
if grep -q "note: log groups not checked" "$TMP/v.err"; then
  pass "no CloudWatch Logs in the plane: the log-group check is skipped with a note"
else
  expect_finding "$B" "$(line_of "$B" '/ecs/web')" verify-log-group "log group '/ecs/web' does not exist"
fi
grep -q "^ *hint: " "$TMP/v.err" || fail "no hints"
pass "findings carry hints"

# JSON output: the same findings on stdout.
set +e
"$ECSCTL" verify --task-definition "$TMP/bad.json" --service-definition "$TMP/service.yaml" --format json >"$TMP/v.json" 2>/dev/null
code=$?
set -e
expect_eq "$code" 3 "verify --format json exits 3"
expect_eq "$(jq -r '.valid' "$TMP/v.json")" false "json: valid false"
expect_eq "$(jq -r '[.findings[] | select(.rule == "verify-target-type")] | .[0].line' "$TMP/v.json")" \
  "$(line_of "$S" "$TG_INSTANCE")" "json: the target-type finding's line"

# The project file names both files: `verify` with no file flags, from its directory,
# reports the same findings at the same places.
mkdir -p "$TMP/proj"
cp "$B" "$TMP/proj/td.json"; cp "$S" "$TMP/proj/svc.yaml"
printf 'cluster: default\nservice: web\ntask_definition: td.json\nservice_definition: svc.yaml\n' >"$TMP/proj/ecsctl.yaml"
set +e
(cd "$TMP/proj" && "$ECSCTL" verify --format json >"$TMP/p.json" 2>/dev/null)
code=$?
set -e
expect_eq "$code" 3 "verify beside ecsctl.yaml exits 3"
expect_eq "$(jq -c '[.findings[] | [.rule, .line]] | sort' "$TMP/p.json")" \
  "$(jq -c '[.findings[] | [.rule, .line]] | sort' "$TMP/v.json")" "verify from the project file: the same findings at the same lines"
jq -e '[.findings[] | select(.rule == "verify-target-type")][0].file | endswith("svc.yaml")' "$TMP/p.json" >/dev/null \
  || fail "the project's service file is not named: $(cat "$TMP/p.json")"
pass "findings name the project's files"

# Flags instead of a service file: findings name the flag.
set +e
"$ECSCTL" verify --task-definition "$TMP/bad.json" --subnets subnet-0locala,"$OTHER_SUBNET" \
  --target-group-arn "$TG_INSTANCE" >/dev/null 2>"$TMP/f.err"
set -e
grep -q "^--subnets $OTHER_SUBNET: error\[verify-vpc\]" "$TMP/f.err" || fail "flag finding: $(cat "$TMP/f.err")"
grep -q "^--target-group-arn $TG_INSTANCE: error\[verify-target-type\]" "$TMP/f.err" || fail "flag finding: $(cat "$TMP/f.err")"
pass "findings about flag values name the flag"

# --- Everything right -------------------------------------------------------------
cat >"$TMP/good.yaml" <<EOF
family: web
networkMode: awsvpc
requiresCompatibilities: [FARGATE]
cpu: "256"
memory: "512"
executionRoleArn: arn:aws:iam::123456789012:role/exec
containerDefinitions:
  - name: app
    image: $REG/app:v1
    essential: true
    secrets:
      - name: DB
        valueFrom: $SECRET_ARN
      - name: TOKEN
        valueFrom: /app/token
    logConfiguration:
      logDriver: awslogs
      options:
        awslogs-group: /ecs/web
        awslogs-region: us-east-1
        awslogs-stream-prefix: web
        awslogs-create-group: "true"
  - name: side
    image: $REG/app:multi
    essential: false
  - name: elsewhere
    image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/other:v1
    essential: false
EOF
set +e
"$ECSCTL" verify --task-definition "$TMP/good.yaml" --subnets subnet-0locala subnet-0localb --security-groups sg-0local \
  --target-group-arn "$TG_IP" >"$TMP/g.out" 2>"$TMP/g.err"
code=$?
set -e
expect_eq "$code" 0 "verify passes when everything exists ($(tail -1 "$TMP/g.err"))"
grep -q "0 errors, 0 warnings" "$TMP/g.err" || fail "summary: $(cat "$TMP/g.err")"
pass "summary line"
grep -q "note: image 123456789012.dkr.ecr.us-west-2.amazonaws.com/other:v1 is in us-west-2, not us-east-1: not checked" "$TMP/g.err" \
  || fail "no note about the image in another region: $(cat "$TMP/g.err")"
pass "an image in another region is noted, not reported missing"

echo "verify: $PASSES checks passed"
