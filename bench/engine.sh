#!/usr/bin/env bash
# The engine runtime of `ecsctl local` (podman), measured in one run:
#  1. RunTask -> RUNNING of a one-container task (bridge, EC2) against
#     `podman run -d` of the same image and command (median of N each);
#  2. 50 tasks started at once (5 RunTask calls of 10), all RUNNING, no error;
#  3. the plane's resident memory (VmRSS, VmHWM) with those 50 tasks, and how
#     long `local down` takes to remove their containers.
# Usage: bench/engine.sh BUILD_DIR [N]
set -euo pipefail
BUILD=${1:?usage: bench/engine.sh BUILD_DIR [N]}
N=${2:-10}
HERE=$(cd "$(dirname "$0")/.." && pwd)
command -v podman >/dev/null || { echo "podman is not installed (scripts/install-deps)" >&2; exit 77; }
export CONTAINERS_CONF=$HERE/local/engine/containers.conf
IMAGE=localhost/ecsctl-busybox:local
"$HERE/scripts/local-image" "$IMAGE"
cmake --build "$BUILD" --target ecsctl ecsctl-local -j2 >/dev/null

TMP=$(mktemp -d)
export HOME=$TMP XDG_STATE_HOME=$TMP/xdg AWS_CONFIG_FILE=$TMP/config AWS_SHARED_CREDENTIALS_FILE=$TMP/credentials
export ECSCTL_LOCAL_BIN=$BUILD/ecsctl-local
unset AWS_CA_BUNDLE
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap '"$BUILD/ecsctl" local down --state "$TMP/state" >/dev/null 2>&1 || true; podman rm -f $(podman ps -aq --filter label=ecsctl-bench=1) >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
"$BUILD/ecsctl" local up --port "$PORT" --state "$TMP/state" --detach --runtime engine >/dev/null
AKID=$(jq -r .accessKeyId "$TMP/state/credentials.json")
SECRET=$(jq -r .secretAccessKey "$TMP/state/credentials.json")
ecs() {
  curl -sf --aws-sigv4 "aws:amz:us-east-1:ecs" --user "$AKID:$SECRET" -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" \
    -H "Content-Type: application/x-amz-json-1.1" --data-binary "$2" "http://127.0.0.1:$PORT/"
}
now() { date +%s.%N; }
ecs CreateCluster '{"clusterName":"bench"}' >/dev/null
"$BUILD/ecsctl" local add-instances --state "$TMP/state" --cluster bench --count 1 --cpu 1048576 --memory 16777216 >/dev/null
ecs RegisterTaskDefinition "{\"family\":\"b\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"$IMAGE\",\"memory\":16,\"cpu\":16,\"command\":[\"sleep\",\"600\"],\"stopTimeout\":1}]}" >/dev/null

# running ARNS...: how many of the tasks are RUNNING.
running() {
  local body
  body=$(printf '"%s",' "$@")
  ecs DescribeTasks "{\"cluster\":\"bench\",\"tasks\":[${body%,}]}" | jq '[.tasks[] | select(.lastStatus=="RUNNING")] | length'
}
stopped() {
  ecs DescribeTasks "{\"cluster\":\"bench\",\"tasks\":[${1}]}" | jq '[.tasks[] | select(.lastStatus=="STOPPED")] | length'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "== RunTask -> RUNNING vs podman run -d, $N runs each =="
: >"$TMP/plane" ; : >"$TMP/podman"
for i in $(seq 1 "$N"); do
  t0=$(now)
  arn=$(ecs RunTask '{"cluster":"bench","taskDefinition":"b"}' | jq -r '.tasks[0].taskArn')
  until [ "$(running "$arn")" = 1 ]; do sleep 0.01; done
  t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$TMP/plane"
  ecs StopTask "{\"cluster\":\"bench\",\"task\":\"$arn\"}" >/dev/null
  t0=$(now)
  podman run -d --label ecsctl-bench=1 --memory 16m --cpu-shares 16 "$IMAGE" sleep 600 >/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$TMP/podman"
done
podman rm -f $(podman ps -aq --filter label=ecsctl-bench=1) >/dev/null 2>&1 || true
P=$(median <"$TMP/plane"); Q=$(median <"$TMP/podman")
printf 'RunTask -> RUNNING: median %.3f s   podman run -d: median %.3f s   overhead %+.0f%%\n' "$P" "$Q" "$(echo "($P / $Q - 1) * 100" | bc -l)"

echo "== 50 tasks at once =="
sleep 2
t0=$(now)
arns=()
for i in 1 2 3 4 5; do
  ecs RunTask '{"cluster":"bench","taskDefinition":"b","count":10}' >"$TMP/run$i" &
done
wait
for i in 1 2 3 4 5; do
  [ "$(jq '.failures | length' "$TMP/run$i")" = 0 ] || { echo "failures: $(cat "$TMP/run$i")" >&2; exit 1; }
  mapfile -t -O "${#arns[@]}" arns < <(jq -r '.tasks[].taskArn' "$TMP/run$i")
done
[ "${#arns[@]}" = 50 ] || { echo "only ${#arns[@]} tasks were started" >&2; exit 1; }
until [ "$(running "${arns[@]}")" = 50 ]; do
  list=$(printf '"%s",' "${arns[@]}")
  if [ "$(stopped "${list%,}")" != 0 ]; then echo "a task stopped: see $TMP/state/server.log" >&2; exit 1; fi
  sleep 0.2
done
t1=$(now)
printf '50 tasks RUNNING in %.1f s, none failed\n' "$(echo "$t1 - $t0" | bc -l)"
PID=$(jq -r .pid "$TMP/state/server.json")
echo "plane memory with 50 tasks: $(awk '/VmRSS|VmHWM/ {printf "%s %.1f MB  ", $1, $2/1024}' /proc/"$PID"/status)"
t0=$(now)
"$BUILD/ecsctl" local down --state "$TMP/state" 2>/dev/null
t1=$(now)
left=$(podman ps -aq --filter "label=io.ecsctl.local.plane=$TMP/state" | wc -l)
printf 'local down with 50 tasks: %.1f s, %s containers left\n' "$(echo "$t1 - $t0" | bc -l)" "$left"
