#!/usr/bin/env bash
# The command line is checked before anything is sent, and ecsctl answers as the
# AWS CLI does (issue 15 item 4, issue 16): --query compiled and --endpoint-url
# checked first (252, no request), the AWS CLI's error wording, abbreviated
# options, the AWS CLI's other global options, a closed pipe, expired
# credential_process credentials, the profile's output setting, and text output
# of paged commands. Where the AWS CLI (`aws`, Debian's v1) has the same command
# line, its answer is compared, against a capture server or `ecsctl local`.
source "$(dirname "$0")/lib/local.bash"
set +e
HAVE_AWS=0
command -v aws >/dev/null 2>&1 && HAVE_AWS=1

unset AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_DEFAULT_OUTPUT
export AWS_PAGER="" NO_COLOR=1 AWS_EC2_METADATA_DISABLED=true
# Safety net: anything not sent to 127.0.0.1 goes to a dead local proxy.
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
export https_proxy=$HTTPS_PROXY http_proxy=$HTTP_PROXY no_proxy=$NO_PROXY

# run ARGS...: runs ecsctl; sets OUT, ERR and CODE.
run() {
  "$ECSCTL" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  CODE=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}
# awsr ARGS...: runs aws; sets AOUT, AERR and ACODE.
awsr() {
  aws "$@" >"$TMP/aout" 2>"$TMP/aerr" </dev/null
  ACODE=$?
  AOUT=$(cat "$TMP/aout")
  AERR=$(cat "$TMP/aerr")
}
has() { grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in: $1"; pass "$3"; }

# --- a capture server: what was sent ------------------------------------------
python3 "$ECSCTL_SOURCE_DIR/tests/tools/capture_server.py" "$TMP/log" "$TMP/port" &
CAPTURE_PID=$!
trap 'kill $CAPTURE_PID 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
CEP=http://127.0.0.1:$(cat "$TMP/port")
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
sent() { [ -s "$TMP/log" ] && wc -l <"$TMP/log" || echo 0; }

# A malformed --query stops run-task before RunTask is sent (it used to start the task, then exit 252).
: >"$TMP/log"
run --region us-east-1 --endpoint-url "$CEP" run-task --task-definition f:1 --query 'tasks[0'
expect_eq "$CODE" 252 "run-task with a malformed --query exits 252"
expect_eq "$(sent)" 0 "run-task with a malformed --query sends nothing"
has "$ERR" "Bad value for --query tasks[0" "the AWS CLI's words for a bad --query"
# ... also for a generated API operation that would change something.
run --region us-east-1 --endpoint-url "$CEP" update-service --service s --desired-count 3 --query 'service.['
expect_eq "$CODE" 252 "update-service with a malformed --query exits 252"
expect_eq "$(sent)" 0 "update-service with a malformed --query sends nothing"
# The command line is checked before the configuration: no region is 253, a bad --query 252 first.
run list-clusters --query 'a['
expect_eq "$CODE" 252 "a malformed --query with no region configured: 252 (the command line first), not 253"
if ((HAVE_AWS)); then
  awsr ecs list-clusters --query 'a['
  has "$AERR" "Bad value for --query a[" "aws says the same words"
  [ "$ACODE" != 0 ] || fail "aws accepted a malformed --query"
fi
# An endpoint URL without a scheme is a command-line error (252), not a connection failure (255).
run --region us-east-1 --endpoint-url foo list-clusters
expect_eq "$CODE" 252 "--endpoint-url foo exits 252"
has "$ERR" 'Bad value for --endpoint-url "foo": scheme is missing.' "in the AWS CLI's words"
expect_eq "$(sent)" 0 "nothing was sent"

# Abbreviated options: a unique prefix is the option, for global options and operation flags.
: >"$TMP/log"
run --reg us-east-1 --endpoint-u "$CEP" list-services --clust web --max-i 5
expect_eq "$CODE" 0 "--reg, --endpoint-u, --clust and --max-i are accepted"
expect_eq "$(jq -r .body "$TMP/log" | jq -r .cluster)" web "--clust web sends cluster=web"
if ((HAVE_AWS)); then
  : >"$TMP/log"
  awsr --region us-east-1 --endpoint-url "$CEP" ecs list-services --clust web
  expect_eq "$(jq -r .body "$TMP/log" | jq -r .cluster)" web "aws sends the same for --clust web"
fi
: >"$TMP/log"
run --region us-east-1 --endpoint-url "$CEP" update-service --serv a --desired-count 1
expect_eq "$CODE" 252 "an ambiguous prefix exits 252"
has "$ERR" "ambiguous option: --serv could match --service, " "the candidates are named"
expect_eq "$(sent)" 0 "nothing was sent"
run --region us-east-1 --endpoint-url "$CEP" list-clusters --c x
expect_eq "$CODE" 252 "--c is ambiguous among the global options"
has "$ERR" "ambiguous option: --c could match " "as the AWS CLI says"
has "$ERR" "--color" "naming --color among them"

# The AWS CLI's other global options are accepted.
: >"$TMP/log"
run --region us-east-1 --endpoint-url "$CEP" --cli-binary-format raw-in-base64-out --cli-auto-prompt \
  --no-cli-auto-prompt --ca-bundle /etc/ssl/certs/ca-certificates.crt list-clusters
expect_eq "$CODE" 0 "--cli-binary-format, --cli-auto-prompt, --no-cli-auto-prompt and --ca-bundle are accepted"
expect_eq "$(sent)" 1 "and the request is sent"

# Unknown commands: the AWS CLI's "Invalid choice" words, then the suggestion.
run list-clusterz
expect_eq "$CODE" 252 "an unknown operation exits 252"
has "$ERR" "Invalid choice: 'list-clusterz'" "with the AWS CLI's words"
has "$ERR" "did you mean 'list-clusters'?" "and the suggestion"
if ((HAVE_AWS)); then
  awsr ecs list-clusterz
  has "$AERR" "Invalid choice: 'list-clusterz'" "aws says the same"
fi

# credential_process that returns an Expiration in the past: refused (253), nothing sent.
mkdir -p "$HOME/.aws"
cat >"$TMP/proc.sh" <<'EOF'
#!/bin/sh
printf '{"Version":1,"AccessKeyId":"AKOLD","SecretAccessKey":"oldSECRET","SessionToken":"oldTOKEN","Expiration":"2001-01-01T00:00:00Z"}'
EOF
chmod +x "$TMP/proc.sh"
printf '[profile expired]\ncredential_process = %s\nregion = us-east-1\n' "$TMP/proc.sh" >"$AWS_CONFIG_FILE"
: >"$TMP/log"
AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= run --profile expired --endpoint-url "$CEP" list-clusters
expect_eq "$CODE" 253 "expired credential_process credentials exit 253"
has "$ERR" "Credentials were refreshed, but the refreshed credentials are still expired." "botocore's words"
expect_eq "$(sent)" 0 "nothing was sent with them"
grep -q oldSECRET <<<"$OUT$ERR" && fail "the secret was printed"
rm -f "$AWS_CONFIG_FILE"
kill $CAPTURE_PID 2>/dev/null

# --- against ecsctl local ------------------------------------------------------
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
start_local
eval "$("$ECSCTL" local env --state "$STATE")"
EP=()
if ((HAVE_AWS)); then
  awsr ecs list-clusters
  [ "$ACODE" = 0 ] || EP=(--endpoint-url "$ENDPOINT")   # botocore < 1.31 ignores AWS_ENDPOINT_URL
fi
for c in c1 c2 c3 c4 c5; do "$ECSCTL" create-cluster --cluster-name $c >/dev/null || fail "create-cluster $c"; done

# Service errors: a blank line, then `An error occurred ...` at the start of a line, as the AWS CLI prints it.
run describe-services --cluster nope --services x
expect_eq "$CODE" 254 "a service error exits 254"
expect_eq "$(head -1 "$TMP/err")" "" "a blank line first"
expect_eq "$(sed -n 2p "$TMP/err" | grep -c '^An error occurred (ClusterNotFoundException) when calling the DescribeServices operation: ')" 1 \
  "then ^An error occurred (Code) when calling the Op operation: message"
if ((HAVE_AWS)); then
  awsr "${EP[@]}" ecs describe-services --cluster nope --services x
  expect_eq "$(sed -n 2p "$TMP/err")" "$(sed -n 2p "$TMP/aerr")" "the same line as the AWS CLI's"
  expect_eq "$(head -1 "$TMP/aerr")" "" "aws prints the blank line too"
fi

# A JMESPath error found while evaluating after the call: 255 (the service was changed), not 252.
"$ECSCTL" register-task-definition --family nothing \
  --container-definitions '[{"name":"a","image":"busybox","memory":64}]' >/dev/null || fail "register-task-definition"
"$ECSCTL" create-service --cluster c1 --service-name web --task-definition nothing:1 --desired-count 0 >/dev/null ||
  fail "create-service"
run update-service --cluster c1 --service web --desired-count 7 --query 'abs(service)'
expect_eq "$CODE" 255 "a --query that fails on the result exits 255"
expect_eq "$("$ECSCTL" describe-services --cluster c1 --services web --query 'services[0].desiredCount' --output text)" 7 \
  "the update was sent"
# An unknown function is found when the query is evaluated, as jmespath.py finds it: the AWS
# CLI sends the update and exits 255, and so does ecsctl.
run update-service --cluster c1 --service web --desired-count 3 --query 'foo(service)'
expect_eq "$CODE" 255 "--query 'foo(service)' fails after the call: 255, as the AWS CLI"
expect_eq "$("$ECSCTL" describe-services --cluster c1 --services web --query 'services[0].desiredCount' --output text)" 3 \
  "the update was sent before the query failed"

# A closed pipe: exit 0, no signal death, no error text (the output is larger than a pipe's buffer).
python3 -c 'import json; print(json.dumps({"items": ["x" * 100] * 20000}))' >"$TMP/big.json"
( set -o pipefail; "$ECSCTL" query items "$TMP/big.json" 2>"$TMP/pipe.err" | head -2 >/dev/null )
expect_eq "$?" 0 "ecsctl ... | head -2 under pipefail exits 0 (not 141)"
expect_eq "$(cat "$TMP/pipe.err")" "" "and prints nothing on stderr"
( set -o pipefail; "$ECSCTL" --output text list-clusters --page-size 1 2>"$TMP/pipe.err" | head -c0 >/dev/null )
[ "$?" = 0 ] || fail "list-clusters | head -c0 exited non-zero"
pass "list-clusters | head -c0 exits 0"

# The profile's `output` setting, after --output and AWS_DEFAULT_OUTPUT. (--profile skips the
# environment's keys, as in the AWS CLI: the profiles carry the local plane's.)
KEYS=$(printf 'aws_access_key_id = %s\naws_secret_access_key = %s' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY")
mkdir -p "$HOME/.aws"
cp "$AWS_CONFIG_FILE" "$TMP/config.saved" 2>/dev/null || : >"$TMP/config.saved"
{ cat "$TMP/config.saved"; printf '[profile texty]\noutput = text\n%s\n' "$KEYS"; } >"$AWS_CONFIG_FILE"
run --profile texty list-clusters --query 'length(clusterArns)'
expect_eq "$OUT" 5 "profile output = text (--profile)"
AWS_PROFILE=texty run list-clusters --query 'sort(clusterArns)[0]'
expect_eq "${OUT##*:cluster/}" c1 "profile output = text (AWS_PROFILE): a bare ARN"
[ "${OUT:0:1}" != '"' ] || fail "JSON, not text"
AWS_DEFAULT_OUTPUT=json run --profile texty list-clusters --query 'length(clusterArns)'
expect_eq "$OUT" 5 "AWS_DEFAULT_OUTPUT wins over the profile (a JSON number)"
AWS_DEFAULT_OUTPUT=json run --profile texty list-clusters --query 'sort(clusterArns)[0]' --output text
expect_eq "${OUT:0:1}" a "--output wins over AWS_DEFAULT_OUTPUT"
AWS_DEFAULT_OUTPUT=json run --profile texty list-clusters --query 'sort(clusterArns)[0]'
expect_eq "${OUT:0:1}" '"' "AWS_DEFAULT_OUTPUT=json wins over the profile's text"
if ((HAVE_AWS)); then
  for args in "--profile texty" "--profile texty --output json"; do
    # shellcheck disable=SC2086
    run $args list-clusters --query 'sort(clusterArns)'
    # shellcheck disable=SC2086
    awsr "${EP[@]}" $args ecs list-clusters --query 'sort(clusterArns)'
    expect_eq "$OUT" "$AOUT" "aws and ecsctl print the same with $args"
  done
fi
# cli_timestamp_format = wire: timestamps as the service sent them (the AWS CLI v1's default).
{ cat "$TMP/config.saved"; printf '[profile wire]\ncli_timestamp_format = wire\n%s\n' "$KEYS"; } >"$AWS_CONFIG_FILE"
run --profile wire describe-task-definition --task-definition nothing:1 --query taskDefinition.registeredAt
grep -qE '^[0-9]+(\.[0-9]+)?$' <<<"$OUT" || fail "cli_timestamp_format = wire printed '$OUT', not epoch seconds"
pass "cli_timestamp_format = wire prints epoch seconds"
run describe-task-definition --task-definition nothing:1 --query taskDefinition.registeredAt
grep -qE '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T' <<<"$OUT" || fail "the default is not ISO 8601: $OUT"
pass "without it, ISO 8601"
if ((HAVE_AWS)); then
  run --profile wire describe-task-definition --task-definition nothing:1 --query taskDefinition.registeredAt
  awsr "${EP[@]}" ecs describe-task-definition --task-definition nothing:1 --query taskDefinition.registeredAt
  expect_eq "$OUT" "$AOUT" "the same as the AWS CLI v1's default (wire)"
fi
cp "$TMP/config.saved" "$AWS_CONFIG_FILE"

# Text output of paged commands: --query per page, the NEXTTOKEN row last; in JSON NextToken last.
run list-clusters --page-size 2 --query 'length(clusterArns)' --output text
expect_eq "$(tr '\n' ' ' <<<"$OUT")" "2 2 1 " "--output text applies --query to each page"
run list-clusters --max-items 2 --output text
expect_eq "$(tail -1 <<<"$OUT" | cut -f1)" NEXTTOKEN "the NEXTTOKEN row comes last"
expect_eq "$(head -1 <<<"$OUT" | cut -f1)" CLUSTERARNS "the first row is an ARN row"
run list-clusters --max-items 2
expect_eq "$(jq -r 'keys_unsorted | join(",")' <<<"$OUT")" "clusterArns,NextToken" "JSON: NextToken last"
if ((HAVE_AWS)); then
  for args in "--page-size 2 --query length(clusterArns) --output text" "--max-items 2 --output text" \
              "--max-items 3 --page-size 2 --output text" "--max-items 2" "--page-size 2 --output text"; do
    # shellcheck disable=SC2086
    run list-clusters $args
    # shellcheck disable=SC2086
    awsr "${EP[@]}" ecs list-clusters $args
    expect_eq "$OUT" "$AOUT" "aws and ecsctl print the same for list-clusters $args"
  done
fi

echo "all $PASSES checks passed"
