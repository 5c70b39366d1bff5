#!/usr/bin/env bash
# One DescribeClusters call end to end against a local endpoint (the capture
# server in tests/tools, on 127.0.0.1), four ways, with hyperfine:
#   ecsctl describe-clusters            (its built-in loopback HTTP client)
#   the same with ECSCTL_HTTP_CLIENT=curl (libcurl, as for https:// endpoints)
#   curl --aws-sigv4 sending the same signed request
#   aws ecs describe-clusters            (if the AWS CLI is installed)
# usage: bench/api.sh [path/to/ecsctl] [runs]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
ecsctl=${1:-$here/build/ecsctl}
runs=${2:-30}
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)"; exit 1; }

tmp=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
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
