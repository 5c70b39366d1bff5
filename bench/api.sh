#!/usr/bin/env bash
# One DescribeClusters call end to end against a local endpoint (the capture
# server in tests/tools, on 127.0.0.1), four ways, with hyperfine:
#   ecsctl describe-clusters            (its built-in loopback HTTP client)
#   the same with ECSCTL_HTTP_CLIENT=curl (libcurl, as for https:// endpoints)
#   curl --aws-sigv4 sending the same signed request
#   aws ecs describe-clusters            (if the AWS CLI is installed)
# then one DescribeClusters over HTTPS against `ecsctl local up --tls`, three ways:
#   ecsctl describe-clusters            (its built-in client, TLS through libssl)
#   the same with ECSCTL_HTTP_CLIENT=curl (libcurl)
#   curl --aws-sigv4 --cacert           (the same signed request)
# with the goal that ecsctl is no slower than curl (<= 1.0x).
# usage: bench/api.sh [path/to/ecsctl] [runs]
set -eu
# The scheduler alone: no container engine behind the plane (see README, "Runtimes").
export ECSCTL_LOCAL_RUNTIME=simulated
here=$(cd "$(dirname "$0")/.." && pwd)
ecsctl=${1:-$here/build/ecsctl}
runs=${2:-30}
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)"; exit 1; }

tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -d "$tmp/tls" ] && "$ecsctl" local down --state "$tmp/tls" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
python3 "$here/tests/tools/capture_server.py" /dev/null "$tmp/port" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(cat "$tmp/port")"

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
export AWS_CONFIG_FILE="$tmp/none" AWS_SHARED_CREDENTIALS_FILE="$tmp/none"

curl_cmd="curl -s -o /dev/null --aws-sigv4 aws:amz:us-east-1:ecs --user $AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY \
-H 'Content-Type: application/x-amz-json-1.1' \
-H 'X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeClusters' -d '{}' $endpoint/"
# ecsctl speaks plain HTTP to a loopback endpoint itself; "ecsctl-curl" forces
# libcurl, which it loads for https:// endpoints (real AWS), to show that cost.
cmds=("$ecsctl --endpoint-url $endpoint describe-clusters"
      "env ECSCTL_HTTP_CLIENT=curl $ecsctl --endpoint-url $endpoint describe-clusters" "$curl_cmd")
names=(ecsctl ecsctl-curl curl)
if command -v aws >/dev/null; then
  cmds+=("aws --endpoint-url $endpoint ecs describe-clusters")
  names+=(aws)
fi
args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
# The AWS CLI takes over a second per call; fewer runs for it keeps this short.
hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/result.json" "${args[@]}" >&2 || \
  hyperfine --warmup 3 --runs "$runs" --export-json "$tmp/result.json" "${args[@]}" >&2
python3 - "$tmp/result.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
e = r["ecsctl"]
for name, mean in r.items():
    print(f"{name:12s} {mean*1000:8.2f} ms   {mean/e:6.2f}x ecsctl")
PY

# HTTPS: ecsctl local with --tls, its CA in the `local` profile's ca_bundle
# (AWS_CA_BUNDLE, which may name the system bundle, would take precedence).
unset AWS_CA_BUNDLE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
unset HTTPS_PROXY https_proxy ALL_PROXY all_proxy
export HOME="$tmp/home" AWS_CONFIG_FILE="$tmp/home/config" AWS_SHARED_CREDENTIALS_FILE="$tmp/home/credentials"
mkdir -p "$HOME"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$ecsctl" local up --tls --port "$port" --state "$tmp/tls" --detach >/dev/null 2>&1
tls_endpoint="https://127.0.0.1:$port"
read -r akid secret < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["accessKeyId"], d["secretAccessKey"])' "$tmp/tls/credentials.json")
"$ecsctl" --profile local create-cluster --cluster-name bench >/dev/null
tls_curl="curl -s -o /dev/null --cacert $tmp/tls/ca.pem --aws-sigv4 aws:amz:us-east-1:ecs --user $akid:$secret \
-H 'Content-Type: application/x-amz-json-1.1' \
-H 'X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeClusters' -d '{\"clusters\":[\"bench\"]}' $tls_endpoint/"
tls_args=(-n ecsctl-https "$ecsctl --profile local describe-clusters --clusters bench"
          -n ecsctl-curl-https "env ECSCTL_HTTP_CLIENT=curl $ecsctl --profile local describe-clusters --clusters bench"
          -n curl-https "$tls_curl")
hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/tls.json" "${tls_args[@]}" >&2 || \
  hyperfine --warmup 3 --runs "$runs" --export-json "$tmp/tls.json" "${tls_args[@]}" >&2
python3 - "$tmp/tls.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
c = r["curl-https"]
for name, mean in r.items():
    print(f"{name:17s} {mean*1000:8.2f} ms   {mean/c:6.2f}x curl   (HTTPS)")
print("goal ecsctl-https <= 1.0x curl-https:", "met" if r["ecsctl-https"] <= c else "NOT met")
PY
