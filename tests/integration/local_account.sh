#!/usr/bin/env bash
# The AWS CLI (`aws`) against the local plane's account services: Secrets
# Manager, SSM Parameter Store, IAM (global), EC2 VPCs/subnets/security groups
# and ECR, with AWS's error codes; and that they survive a restart of the plane.
source "$(dirname "$0")/lib/local.bash"
if ! command -v aws >/dev/null 2>&1; then
  echo "skip - aws (the AWS CLI) is not installed"
  exit 0
fi

start_local
unset AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_CA_BUNDLE
eval "$("$ECSCTL" local env --state "$STATE")"
export AWS_PAGER="" AWS_DEFAULT_OUTPUT=json AWS_EC2_METADATA_DISABLED=true
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
export https_proxy=$HTTPS_PROXY http_proxy=$HTTP_PROXY no_proxy=$NO_PROXY

# awsr SERVICE ARGS...: sets OUT, ERR and CODE.
awsr() {
  set +e
  aws --endpoint-url "$ENDPOINT" "$@" >"$TMP/aws.out" 2>"$TMP/aws.err"
  CODE=$?
  set -e
  OUT=$(cat "$TMP/aws.out")
  ERR=$(cat "$TMP/aws.err")
}
awsok() {
  awsr "$@"
  [ "$CODE" = 0 ] || fail "aws $1 $2 exited $CODE: $ERR"
}
# awserr CODE ARGS...: the call must fail with the AWS error CODE.
awserr() {
  local want=$1
  shift
  awsr "$@"
  [ "$CODE" != 0 ] || fail "aws $1 $2 succeeded; expected $want"
  grep -q "($want)" <<<"$ERR" || fail "aws $1 $2: expected ($want) in: $ERR"
  pass "aws $1 $2: $want"
}
q() { jq -r "$1" <<<"$OUT"; }

# --- Secrets Manager ----------------------------------------------------------
awsok secretsmanager create-secret --name app/db --secret-string 's3cr3t-value' --description "db password"
ARN=$(q .ARN)
[[ $ARN == arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-?????? ]] || fail "secret ARN: $ARN"
pass "create-secret: $ARN"
awsok secretsmanager get-secret-value --secret-id app/db
expect_eq "$(q .SecretString)" s3cr3t-value "get-secret-value by name"
expect_eq "$(q '.VersionStages[0]')" AWSCURRENT "the value is AWSCURRENT"
awsok secretsmanager get-secret-value --secret-id "$ARN"
expect_eq "$(q .Name)" app/db "get-secret-value by ARN"
awsok secretsmanager describe-secret --secret-id app/db
expect_eq "$(q .Description)" "db password" "describe-secret"
grep -q s3cr3t <<<"$OUT" && fail "describe-secret shows the value"
pass "describe-secret does not show the value"
awserr ResourceExistsException secretsmanager create-secret --name app/db --secret-string x
awserr ResourceNotFoundException secretsmanager describe-secret --secret-id nope
awsok secretsmanager create-secret --name doomed --secret-string x
awsok secretsmanager list-secrets
expect_eq "$(q '[.SecretList[].Name] | sort | join(",")')" "app/db,doomed" "list-secrets"
awsok secretsmanager delete-secret --secret-id doomed --recovery-window-in-days 7
awserr InvalidRequestException secretsmanager get-secret-value --secret-id doomed
awsok secretsmanager list-secrets
expect_eq "$(q '.SecretList | length')" 1 "a secret scheduled for deletion is not listed"
awsok secretsmanager delete-secret --secret-id doomed --force-delete-without-recovery
awserr ResourceNotFoundException secretsmanager describe-secret --secret-id doomed

# --- SSM Parameter Store ------------------------------------------------------
awsok ssm put-parameter --name /app/token --type SecureString --value 'tok-123'
expect_eq "$(q .Version)" 1 "put-parameter version 1"
awserr ParameterAlreadyExists ssm put-parameter --name /app/token --type SecureString --value other
awsok ssm put-parameter --name /app/token --type SecureString --value 'tok-456' --overwrite
expect_eq "$(q .Version)" 2 "overwrite makes version 2"
awsok ssm get-parameter --name /app/token --with-decryption
expect_eq "$(q .Parameter.Value)" tok-456 "get-parameter --with-decryption"
expect_eq "$(q .Parameter.ARN)" arn:aws:ssm:us-east-1:123456789012:parameter/app/token "parameter ARN"
awsok ssm get-parameter --name /app/token
[ "$(q .Parameter.Value)" != tok-456 ] || fail "a SecureString read without decryption shows the value"
pass "SecureString without --with-decryption is not the value"
awsok ssm put-parameter --name plain --type String --value hello
awsok ssm get-parameters --names plain /app/token /missing
expect_eq "$(q '[.Parameters[].Name] | sort | join(",")')" "/app/token,plain" "get-parameters found"
expect_eq "$(q '.InvalidParameters | join(",")')" /missing "get-parameters InvalidParameters"
awserr ParameterNotFound ssm get-parameter --name /missing
awsok ssm delete-parameter --name plain
awserr ParameterNotFound ssm delete-parameter --name plain
grep -q "tok-456\|s3cr3t" "$STATE/server.log" && fail "a secret value is in server.log"
pass "no secret value in server.log"

# --- IAM ----------------------------------------------------------------------
TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
awsok iam create-role --role-name exec --assume-role-policy-document "$TRUST"
expect_eq "$(q .Role.Arn)" arn:aws:iam::123456789012:role/exec "create-role ARN (global: no region)"
awsok iam get-role --role-name exec
expect_eq "$(q '.Role.AssumeRolePolicyDocument.Statement[0].Principal.Service')" ecs-tasks.amazonaws.com "get-role trust policy"
awserr EntityAlreadyExists iam create-role --role-name exec --assume-role-policy-document "$TRUST"
awserr MalformedPolicyDocument iam create-role --role-name bad --assume-role-policy-document 'not json'
awserr NoSuchEntity iam get-role --role-name nope
# IAM is global: a request signed for us-east-1 is accepted by a plane of another region.
awsok iam delete-role --role-name exec
awserr NoSuchEntity iam delete-role --role-name exec

# --- EC2 ----------------------------------------------------------------------
awsok ec2 describe-vpcs
expect_eq "$(q '[.Vpcs[] | select(.IsDefault)] | .[0].VpcId')" vpc-0local "the default VPC is vpc-0local (ELBv2's)"
awsok ec2 describe-subnets --filters Name=vpc-id,Values=vpc-0local
expect_eq "$(q '[.Subnets[].AvailabilityZone] | join(",")')" "us-east-1a,us-east-1b,us-east-1c" "a default subnet per zone"
awsok ec2 describe-security-groups --filters Name=vpc-id,Values=vpc-0local
expect_eq "$(q '.SecurityGroups[0].GroupName')" default "the default VPC's default security group"
awsok ec2 create-vpc --cidr-block 10.1.0.0/16
VPC=$(q .Vpc.VpcId)
[[ $VPC =~ ^vpc-[0-9a-f]{17}$ ]] || fail "vpc id: $VPC"
awsok ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.1.1.0/24 --availability-zone us-east-1b
SUBNET=$(q .Subnet.SubnetId)
expect_eq "$(q .Subnet.VpcId)" "$VPC" "create-subnet in the new VPC"
awserr InvalidSubnet.Conflict ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.1.1.0/25
awserr InvalidSubnet.Range ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.2.0.0/24
awserr InvalidVpcID.NotFound ec2 create-subnet --vpc-id vpc-0123456789abcdef0 --cidr-block 10.1.2.0/24
awsok ec2 create-security-group --group-name web --description "web tier" --vpc-id "$VPC"
SG=$(q .GroupId)
awserr InvalidGroup.Duplicate ec2 create-security-group --group-name web --description again --vpc-id "$VPC"
awsok ec2 describe-security-groups --group-ids "$SG"
expect_eq "$(q '.SecurityGroups[0].VpcId')" "$VPC" "describe-security-groups by id"
awsok ec2 describe-security-groups --filters Name=vpc-id,Values="$VPC"
expect_eq "$(q '[.SecurityGroups[].GroupName] | sort | join(",")')" "default,web" "a new VPC has its default security group"
awsok ec2 describe-subnets --subnet-ids "$SUBNET" subnet-0locala
expect_eq "$(q '[.Subnets[].VpcId] | sort | join(",")')" "$(printf '%s\n' "$VPC" vpc-0local | LC_ALL=C sort | paste -sd,)" "describe-subnets by ids"
awserr InvalidSubnetID.NotFound ec2 describe-subnets --subnet-ids subnet-0123456789abcdef0
awserr InvalidGroup.NotFound ec2 describe-security-groups --group-ids sg-0123456789abcdef0

# --- ECR ----------------------------------------------------------------------
awsok ecr create-repository --repository-name app
expect_eq "$(q .repository.repositoryUri)" 123456789012.dkr.ecr.us-east-1.amazonaws.com/app "repository URI"
awserr RepositoryAlreadyExistsException ecr create-repository --repository-name app
MANIFEST='{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":100,"digest":"sha256:aa"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1000,"digest":"sha256:bb"}]}'
awsok ecr put-image --repository-name app --image-tag v1 --image-manifest "$MANIFEST"
DIGEST=$(q .image.imageId.imageDigest)
expect_eq "$DIGEST" "sha256:$(printf %s "$MANIFEST" | sha256sum | cut -d' ' -f1)" "put-image digest is the manifest's sha256"
awserr ImageAlreadyExistsException ecr put-image --repository-name app --image-tag v1 --image-manifest "$MANIFEST"
awsok ecr describe-images --repository-name app --image-ids imageTag=v1
expect_eq "$(q '.imageDetails[0].imageSizeInBytes')" 1100 "image size from the manifest"
awserr ImageNotFoundException ecr describe-images --repository-name app --image-ids imageTag=v2
awserr RepositoryNotFoundException ecr describe-images --repository-name nope
awserr RepositoryNotEmptyException ecr delete-repository --repository-name app

# --- Durable: everything is still there after a restart -----------------------
"$ECSCTL" local down --state "$STATE" >/dev/null
"$ECSCTL" local up --port "$PORT" --state "$STATE" --detach >/dev/null || fail "local up again"
awsok secretsmanager get-secret-value --secret-id app/db
expect_eq "$(q .SecretString)" s3cr3t-value "secret after a restart"
awsok ssm get-parameter --name /app/token --with-decryption
expect_eq "$(q .Parameter.Value)" tok-456 "parameter after a restart"
awsok ec2 describe-subnets --subnet-ids "$SUBNET"
expect_eq "$(q '.Subnets[0].CidrBlock')" 10.1.1.0/24 "subnet after a restart"
awsok ecr describe-images --repository-name app
expect_eq "$(q '.imageDetails[0].imageTags[0]')" v1 "image after a restart"

# --- A plane in another region still takes IAM signed for us-east-1 ------------
"$ECSCTL" local down --state "$STATE" >/dev/null
"$ECSCTL" local up --port "$PORT" --state "$STATE" --detach --region eu-west-1 >/dev/null 2>&1 \
  || "$ECSCTL" local down --state "$STATE" >/dev/null 2>&1
if [ "$(jq -r .region "$STATE/server.json" 2>/dev/null)" = eu-west-1 ]; then
  code=$(curl -s -o "$TMP/iam" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:iam" --user "$AKID:$SECRET" \
    --data-urlencode Action=GetRole --data-urlencode Version=2010-05-08 --data-urlencode RoleName=nope "$ENDPOINT/")
  grep -q "<Code>NoSuchEntity</Code>" "$TMP/iam" || fail "IAM signed for us-east-1 on a eu-west-1 plane: $code $(cat "$TMP/iam")"
  pass "IAM signed for us-east-1 reaches a eu-west-1 plane"
  code=$(curl -s -o "$TMP/ec2" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:ec2" --user "$AKID:$SECRET" \
    --data-urlencode Action=DescribeVpcs --data-urlencode Version=2016-11-15 "$ENDPOINT/")
  expect_eq "$code" 403 "EC2 signed for us-east-1 on a eu-west-1 plane is refused"
  grep -q "^<Response><Errors><Error><Code>SignatureDoesNotMatch</Code>" "$TMP/ec2" || fail "EC2 error format: $(cat "$TMP/ec2")"
  pass "the refusal is in the EC2 protocol's error format"
else
  echo "# local up has no --region; the global IAM signing check is skipped"
fi

echo "local_account: $PASSES checks passed"
