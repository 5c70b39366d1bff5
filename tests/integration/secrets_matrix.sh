#!/usr/bin/env bash
# Secrets never leak (SECURITY.md): commands run with --debug against a real
# `ecsctl local`, with keys from the environment, from the `local` profile, with
# a session token, from credential_process, and with a wrong secret; the secret
# key, the session token and every request signature must appear nowhere in
# stdout, stderr or the state directory's server.log.
source "$(dirname "$0")/lib/local.bash"

start_local
TOKEN=FQoGZXIvYXdzEXAMPLEsessionTOKEN0123456789abcdefSECRETtoken
BAD_SECRET=wrongSecretKey0123456789abcdefghijklmnopqrs
REGION=us-east-1
mkdir -p "$TMP/out"
n=0

# run CODE NAME ENV... -- ARGS...: runs ecsctl --debug with ENV, keeps stdout
# and stderr, and checks the exit code (so the matrix covers real calls).
run() {
  local code=$1 name=$2 rc=0
  shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  n=$((n + 1))
  env -i PATH="$PATH" HOME="$HOME" TZ=UTC AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE="$AWS_CONFIG_FILE" \
    AWS_SHARED_CREDENTIALS_FILE="$AWS_SHARED_CREDENTIALS_FILE" "${envs[@]}" \
    "$ECSCTL" --debug --endpoint-url "$ENDPOINT" --region "$REGION" "$@" \
    >"$TMP/out/$n.$name.stdout" 2>"$TMP/out/$n.$name.stderr" || rc=$?
  [ "$rc" = "$code" ] || { cat "$TMP/out/$n.$name.stderr" >&2; fail "$name $*: exit $rc, expected $code"; }
  grep -q '\[debug\]' "$TMP/out/$n.$name.stderr" || fail "$name: no --debug output"
}

keys=(AWS_ACCESS_KEY_ID="$AKID" AWS_SECRET_ACCESS_KEY="$SECRET")
run 0 env-keys "${keys[@]}" -- create-cluster --cluster-name secrets
"$ECSCTL" local add-instances --state "$STATE" --cluster secrets --count 1 >/dev/null || fail "local add-instances"
run 0 env-keys "${keys[@]}" -- list-clusters
run 0 env-keys "${keys[@]}" -- register-task-definition --family f \
  --container-definitions '[{"name":"app","image":"ecsctl/exit:0","memory":64}]'
run 0 env-keys "${keys[@]}" -- run-task --cluster secrets --task-definition f --launch-type EC2
run 254 env-keys "${keys[@]}" -- describe-services --cluster nope --services s   # a service error
run 0 env-keys-query "${keys[@]}" -- elbv2 describe-target-groups             # Query protocol (XML)
run 0 session-token "${keys[@]}" AWS_SESSION_TOKEN="$TOKEN" -- list-clusters
run 0 session-token "${keys[@]}" AWS_SESSION_TOKEN="$TOKEN" -- describe-clusters --clusters secrets
run 0 profile AWS_PROFILE=local -- list-clusters
run 254 wrong-secret AWS_ACCESS_KEY_ID="$AKID" AWS_SECRET_ACCESS_KEY="$BAD_SECRET" -- list-clusters

# credential_process prints the keys and a session token as JSON.
cat >"$TMP/creds.sh" <<CREDS
#!/bin/sh
printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"%s"}' "$AKID" "$SECRET" "$TOKEN"
CREDS
chmod +x "$TMP/creds.sh"
cat >>"$AWS_CONFIG_FILE" <<CFG

[profile viaprocess]
region = $REGION
credential_process = $TMP/creds.sh
CFG
run 0 credential-process AWS_PROFILE=viaprocess -- list-clusters
run 0 credential-process AWS_PROFILE=viaprocess -- describe-clusters --clusters secrets

# Every signature the server saw would be in the debug logs if they leaked: the
# requests' own signatures are recomputed from nothing we print, so look for any
# 64-hex run after "Signature=" instead.
check() {  # FILE WHAT
  local f=$1
  for s in "$SECRET" "$TOKEN" "$BAD_SECRET"; do
    if grep -qF -- "$s" "$f"; then fail "$2: a secret appears in $(basename "$f")"; fi
  done
  if grep -qE 'Signature=[0-9a-f]{64}' "$f"; then fail "$2: a signature appears in $(basename "$f")"; fi
  if grep -qE '"(SecretAccessKey|SessionToken)" *: *"[^*"]' "$f"; then fail "$2: an unmasked credential field in $(basename "$f")"; fi
}
for f in "$TMP"/out/*; do check "$f" "$(basename "$f")"; done
pass "no secret, token or signature in stdout/stderr of $n commands with --debug"
grep -q 'Signature=\*\*\*\*' "$TMP"/out/*.stderr || fail "--debug shows the Authorization header with the signature masked"
pass "--debug shows the Authorization header with Signature=****"
[ -s "$STATE/server.log" ] || fail "server.log is empty"
check "$STATE/server.log" server.log
grep -qF -- "$AKID" "$STATE/server.log" && fail "server.log names the access key id"
pass "server.log holds no key, token or signature ($(wc -l <"$STATE/server.log") lines)"
for f in "$STATE/credentials.json" "$AWS_SHARED_CREDENTIALS_FILE"; do
  expect_eq "$(stat -c %a "$f")" 600 "$(basename "$f") is 0600"
done
echo "all $PASSES checks passed"
