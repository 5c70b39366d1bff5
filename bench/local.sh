#!/usr/bin/env bash
# Benchmarks of the local control plane: requests/s of DescribeServices and
# RunTask over keep-alive, and placing 10,000 tasks on 1,000 instances.
# Usage: bench/local.sh BUILD_DIR   (builds bench_local_place and bench_local_load there)
set -euo pipefail
# The scheduler alone: no container engine behind the plane (see README, "Runtimes").
export ECSCTL_LOCAL_RUNTIME=simulated
BUILD=${1:?usage: bench/local.sh BUILD_DIR}
SECONDS_EACH=${SECONDS_EACH:-5}
cmake --build "$BUILD" --target ecsctl ecsctl-local bench_local_place bench_local_load -j2 >/dev/null

echo "== placement (scheduler only) =="
"$BUILD/tests/bench_local_place" 10000 1000

TMP=$(mktemp -d)
export HOME=$TMP XDG_STATE_HOME=$TMP/xdg AWS_CONFIG_FILE=$TMP/config AWS_SHARED_CREDENTIALS_FILE=$TMP/credentials
export ECSCTL_LOCAL_BIN=$BUILD/ecsctl-local
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap '"$BUILD/ecsctl" local down --state "$TMP/state" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
"$BUILD/ecsctl" local up --port "$PORT" --state "$TMP/state" --detach >/dev/null
AKID=$(jq -r .accessKeyId "$TMP/state/credentials.json")
SECRET=$(jq -r .secretAccessKey "$TMP/state/credentials.json")
ecs() {
  curl -sf --aws-sigv4 "aws:amz:us-east-1:ecs" --user "$AKID:$SECRET" -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" \
    -H "Content-Type: application/x-amz-json-1.1" --data-binary "$2" "http://127.0.0.1:$PORT/" >/dev/null
}
ecs CreateCluster '{"clusterName":"bench"}'
"$BUILD/ecsctl" local add-instances --state "$TMP/state" --cluster bench --count 100 --cpu 1048576 --memory 16777216 >/dev/null
ecs RegisterTaskDefinition '{"family":"b","containerDefinitions":[{"name":"c","image":"busybox","memory":1,"cpu":1}]}'
for i in 1 2 3 4 5; do
  ecs CreateService "{\"cluster\":\"bench\",\"serviceName\":\"s$i\",\"taskDefinition\":\"b\",\"desiredCount\":2}"
done
sleep 1
echo "== DescribeServices (5 services), ${SECONDS_EACH}s =="
"$BUILD/tests/bench_local_load" "$PORT" "$AKID" "$SECRET" DescribeServices '{"cluster":"bench","services":["s1","s2","s3","s4","s5"]}' "$SECONDS_EACH" 4
echo "== RunTask (EC2, 100 instances), ${SECONDS_EACH}s =="
"$BUILD/tests/bench_local_load" "$PORT" "$AKID" "$SECRET" RunTask '{"cluster":"bench","taskDefinition":"b"}' "$SECONDS_EACH" 4
echo "server peak RSS: $(grep VmHWM /proc/"$(jq -r .pid "$TMP/state/server.json")"/status | awk '{print $2/1024 " MB"}')"
