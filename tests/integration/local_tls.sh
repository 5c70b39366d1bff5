#!/usr/bin/env bash
# HTTPS end to end: `ecsctl local up --tls` and ecsctl's built-in TLS client
# (libssl). The profile's ca_bundle is trusted; another CA, a certificate for
# another name and an expired one are refused with exit 255 and a message
# naming the host; --no-verify-ssl warns and goes through; the AWS CLI works
# with the same profile; with HTTPS_PROXY set the call goes through a CONNECT
# proxy (tests/tools/connect_proxy.py, loopback only), and NO_PROXY bypasses it.
source "$(dirname "$0")/lib/local.bash"
command -v openssl >/dev/null || { echo "skip - the openssl command is not installed"; exit 0; }
TOOLS=${ECSCTL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools
unset AWS_CA_BUNDLE AWS_PROFILE AWS_ENDPOINT_URL AWS_DEFAULT_PROFILE ECSCTL_HTTP_CLIENT
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy NO_PROXY no_proxy
export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true

start_local --tls
ENDPOINT=https://127.0.0.1:$PORT
[ "$(jq -r .endpoint "$TMP/up.json")" = "$ENDPOINT" ] || fail "local up --tls prints $ENDPOINT: $(cat "$TMP/up.json")"
grep -qx "ca_bundle = $STATE/ca.pem" "$AWS_CONFIG_FILE" || fail "the local profile has no ca_bundle: $(cat "$AWS_CONFIG_FILE")"
grep -qx "endpoint_url = $ENDPOINT" "$AWS_CONFIG_FILE" || fail "the local profile's endpoint is not https"
[ "$(stat -c %a "$STATE/server-key.pem")" = 600 ] && [ "$(stat -c %a "$STATE/ca-key.pem")" = 600 ] ||
  fail "the private keys are readable by others"
pass "local up --tls serves $ENDPOINT and writes ca_bundle ($STATE/ca.pem) into the local profile"

# The right CA bundle: the profile's, then AWS_CA_BUNDLE.
out=$("$ECSCTL" --profile local create-cluster --cluster-name tls --query cluster.status --output text 2>"$TMP/err") ||
  fail "create-cluster with the profile's ca_bundle: $(cat "$TMP/err")"
[ "$out" = ACTIVE ] || fail "create-cluster printed $out"
out=$(AWS_CA_BUNDLE=$STATE/ca.pem "$ECSCTL" --profile local list-clusters --query 'clusterArns[0]' --output text 2>"$TMP/err") ||
  fail "list-clusters with AWS_CA_BUNDLE: $(cat "$TMP/err")"
[[ $out == *cluster/tls ]] || fail "list-clusters printed $out"
pass "with the right CA bundle (ca_bundle in the profile, AWS_CA_BUNDLE) calls succeed"

# Pages of one command share one connection (one TLS handshake).
for i in 1 2 3 4; do "$ECSCTL" --profile local create-cluster --cluster-name "p$i" >/dev/null || fail "create p$i"; done
out=$("$ECSCTL" --profile local --debug list-clusters --page-size 2 --output text 2>"$TMP/err") || fail "paged list-clusters: $(cat "$TMP/err")"
[ "$(grep -c CLUSTERARNS <<<"$out")" = 5 ] || fail "paged list-clusters: $out"
pass "a paginated command over HTTPS gets every page"

if command -v aws >/dev/null 2>&1; then
  out=$(aws --profile local ecs describe-clusters --clusters tls --query 'clusters[0].clusterName' --output text 2>"$TMP/err") ||
    fail "the AWS CLI with the local profile's ca_bundle: $(cat "$TMP/err")"
  [ "$out" = tls ] || fail "the AWS CLI printed $out"
  pass "the AWS CLI works against local --tls with the profile's ca_bundle"
  out=$(env_lines=$("$ECSCTL" local env --state "$STATE") && eval "$env_lines" &&
        aws ecs describe-clusters --clusters tls --query 'clusters[0].clusterName' --output text 2>"$TMP/err") ||
    fail "the AWS CLI configured by local env: $(cat "$TMP/err")"
  [ "$out" = tls ] || fail "the AWS CLI (local env) printed $out"
  pass "local env exports the https endpoint and AWS_CA_BUNDLE; the AWS CLI works with them"
else
  echo "skip - aws (the AWS CLI) is not installed"
fi

# Another CA: exit 255, the host named, what to do said, no secret.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/other-key.pem" \
  -subj "/CN=another CA" -days 30 -out "$TMP/other-ca.pem" 2>/dev/null || fail "openssl: another CA"
set +e
AWS_CA_BUNDLE=$TMP/other-ca.pem "$ECSCTL" --profile local list-clusters >"$TMP/out" 2>"$TMP/err"
code=$?
set -e
[ "$code" = 255 ] || fail "another CA: exit $code, expected 255: $(cat "$TMP/err")"
grep -q "certificate of 127.0.0.1 is not signed by a trusted certificate authority (unknown CA)" "$TMP/err" ||
  fail "another CA: the message does not name the host and the reason: $(cat "$TMP/err")"
grep -q "AWS_CA_BUNDLE" "$TMP/err" && grep -q "ca_bundle" "$TMP/err" || fail "another CA: no hint: $(cat "$TMP/err")"
! grep -qF "$SECRET" "$TMP/err" || fail "the secret key appears in the error"
[ ! -s "$TMP/out" ] || fail "another CA: something on stdout"
pass "with another CA: exit 255, the host and 'unknown CA' named, AWS_CA_BUNDLE/ca_bundle suggested"

# Verification off: a warning, and the call goes through despite the wrong CA.
set +e
AWS_CA_BUNDLE=$TMP/other-ca.pem "$ECSCTL" --profile local --no-verify-ssl list-clusters --output text >"$TMP/out" 2>"$TMP/err2"
code2=$?
set -e
[ "$code2" = 0 ] || fail "--no-verify-ssl: exit $code2: $(cat "$TMP/err2")"
grep -q "warning: --no-verify-ssl" "$TMP/err2" || fail "--no-verify-ssl: no warning: $(cat "$TMP/err2")"
grep -q "cluster/tls" "$TMP/out" || fail "--no-verify-ssl: output $(cat "$TMP/out")"
pass "with --no-verify-ssl: a warning on stderr and success"

# Certificates of the test's own, signed by the state directory's CA: the
# server uses server.pem/server-key.pem when they are there.
serve_cert() {  # DAYS SAN
  "$ECSCTL" local down --state "$STATE" >/dev/null 2>&1
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$STATE/server-key.pem" \
    -subj "/CN=test" -out "$TMP/req.csr" 2>/dev/null || fail "openssl req"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$2" >"$TMP/ext.cnf"
  openssl x509 -req -in "$TMP/req.csr" -CA "$STATE/ca.pem" -CAkey "$STATE/ca-key.pem" -CAcreateserial \
    -days "$1" -extfile "$TMP/ext.cnf" -out "$STATE/server.pem" 2>/dev/null || fail "openssl x509"
  "$ECSCTL" local up --port "$PORT" --state "$STATE" --detach --tls >/dev/null 2>&1 || fail "local up with the test's certificate"
}
expect_refused() {  # REGEX MESSAGE
  set +e
  "$ECSCTL" --profile local list-clusters >"$TMP/out" 2>"$TMP/err"
  local code=$?
  set -e
  [ "$code" = 255 ] || fail "$2: exit $code, expected 255: $(cat "$TMP/err")"
  grep -qE "the certificate of 127.0.0.1 $1" "$TMP/err" || fail "$2: the message does not say '$1': $(cat "$TMP/err")"
  pass "$2: refused with exit 255 ($(grep -o 'the certificate of 127.0.0.1 [^(]*' "$TMP/err"))"
}
serve_cert 30 "DNS:other.example"
expect_refused "is not valid for the name .* \\(name mismatch\\)" "a certificate for another name"
serve_cert -1 "IP:127.0.0.1,DNS:localhost"
expect_refused "has expired" "an expired certificate"
# The certificate for the right name, valid: accepted (the test's own certificate works).
serve_cert 30 "IP:127.0.0.1,DNS:localhost"
"$ECSCTL" --profile local list-clusters >/dev/null 2>"$TMP/err" || fail "a valid certificate of the test's: $(cat "$TMP/err")"
pass "a valid certificate for 127.0.0.1 from the same CA is accepted"

# HTTPS_PROXY: the call is tunnelled through the proxy (libcurl); NO_PROXY bypasses it.
python3 "$TOOLS/connect_proxy.py" "$TMP/proxy.log" "$TMP/proxy.port" &
proxy_pid=$!
trap 'kill $proxy_pid 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do [ -s "$TMP/proxy.port" ] && break; sleep 0.1; done
[ -s "$TMP/proxy.port" ] || fail "the test proxy did not start"
PROXY=http://127.0.0.1:$(cat "$TMP/proxy.port")
: >"$TMP/proxy.log"
out=$(HTTPS_PROXY=$PROXY "$ECSCTL" --profile local list-clusters --output text 2>"$TMP/err") ||
  fail "through HTTPS_PROXY: $(cat "$TMP/err")"
grep -q cluster/tls <<<"$out" || fail "through HTTPS_PROXY: output $out"
grep -qx "CONNECT 127.0.0.1:$PORT" "$TMP/proxy.log" || fail "HTTPS_PROXY: the proxy saw no CONNECT: $(cat "$TMP/proxy.log")"
pass "with HTTPS_PROXY set, the call goes through the proxy (CONNECT 127.0.0.1:$PORT)"
: >"$TMP/proxy.log"
HTTPS_PROXY=$PROXY NO_PROXY=localhost,127.0.0.1 "$ECSCTL" --profile local list-clusters >/dev/null 2>"$TMP/err" ||
  fail "with NO_PROXY: $(cat "$TMP/err")"
https_proxy=$PROXY no_proxy='*' "$ECSCTL" --profile local list-clusters >/dev/null 2>"$TMP/err" ||
  fail "with no_proxy=*: $(cat "$TMP/err")"
[ ! -s "$TMP/proxy.log" ] || fail "NO_PROXY: the proxy was used: $(cat "$TMP/proxy.log")"
pass "NO_PROXY naming the host (or *) bypasses the proxy"
# The proxy path verifies certificates too.
set +e
HTTPS_PROXY=$PROXY AWS_CA_BUNDLE=$TMP/other-ca.pem "$ECSCTL" --profile local list-clusters >/dev/null 2>"$TMP/err"
code=$?
set -e
[ "$code" = 255 ] || fail "through the proxy with another CA: exit $code"
pass "through the proxy, another CA is refused too (exit 255)"

echo "all $PASSES checks passed"
