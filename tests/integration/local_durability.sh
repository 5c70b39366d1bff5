#!/usr/bin/env bash
# ecsctl local killed with SIGKILL under load: after a restart every
# acknowledged write is present and nothing is half-applied.
source "$(dirname "$0")/lib/local.bash"
start_local

ecs CreateCluster '{"clusterName":"dur"}' >/dev/null || fail "CreateCluster"
"$ECSCTL" local add-instances --state "$STATE" --cluster dur --count 2 --cpu 65536 --memory 65536 >/dev/null || fail "add-instances"
ecs RegisterTaskDefinition '{"family":"d","containerDefinitions":[{"name":"c","image":"busybox","memory":8,"cpu":8,"portMappings":[{"containerPort":80,"hostPort":0}]}]}' >/dev/null || fail "register"

# Four writers; each records what the server acknowledged (HTTP 200).
writer() {
  local n=$1 i
  for i in $(seq 1 400); do
    [ -f "$TMP/killed" ] && break
    if out=$(ecs RegisterTaskDefinition "{\"family\":\"w$n\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"i\",\"memory\":8}]}" 2>/dev/null); then
      echo "$out" | jq -r .taskDefinition.taskDefinitionArn >>"$TMP/acked.$n"
    fi
    if out=$(ecs RunTask '{"cluster":"dur","taskDefinition":"d"}' 2>/dev/null); then
      echo "$out" | jq -r '.tasks[].taskArn' >>"$TMP/tasks.$n"
    fi
  done
}
for n in 1 2 3 4; do writer "$n" & done
# Kill once a fair number of writes were acknowledged (the machine may be slow).
for _ in $(seq 1 300); do
  [ "$(cat "$TMP"/tasks.* 2>/dev/null | wc -l)" -ge 40 ] && break
  sleep 0.1
done
pid=$(jq -r .pid "$STATE/server.json")
kill -9 "$pid"
touch "$TMP/killed"
wait
[ -s "$TMP/acked.1" ] || fail "nothing was acknowledged before the kill"
pass "killed with SIGKILL under load ($(cat "$TMP"/acked.* | wc -l) revisions acknowledged)"

rm -f "$STATE/server.json"
"$ECSCTL" local up --port "$PORT" --state "$STATE" --detach >/dev/null || fail "restart"
missing=0
for n in 1 2 3 4; do
  [ -f "$TMP/acked.$n" ] || continue
  # Every page: a writer may have had more than 100 revisions acknowledged.
  stored="" token=""
  while :; do
    page=$(ecs ListTaskDefinitions "{\"familyPrefix\":\"w$n\",\"maxResults\":100${token:+,\"nextToken\":\"$token\"}}")
    stored+=$(jq -r '.taskDefinitionArns[]' <<<"$page")$'\n'
    token=$(jq -r '.nextToken // empty' <<<"$page")
    [ -z "$token" ] && break
  done
  while read -r arn; do
    echo "$stored" | grep -qxF "$arn" || { echo "lost: $arn" >&2; missing=$((missing + 1)); }
  done <"$TMP/acked.$n"
done
expect_eq "$missing" 0 "every acknowledged revision survived"
cat "$TMP"/tasks.* 2>/dev/null | sort -u >"$TMP/all_tasks"
lost=0
while read -r batch; do
  got=$(ecs DescribeTasks "{\"cluster\":\"dur\",\"tasks\":$batch}" | jq '.failures | length')
  lost=$((lost + got))
done < <(jq -R . "$TMP/all_tasks" | jq -s -c '_nwise(100)')
expect_eq "$lost" 0 "every acknowledged task survived ($(wc -l <"$TMP/all_tasks") tasks)"

# Nothing half-applied: each instance's CPU in use equals what its tasks hold.
arns=$(ecs ListContainerInstances '{"cluster":"dur"}' | jq -c .containerInstanceArns)
used=$(ecs DescribeContainerInstances "{\"cluster\":\"dur\",\"containerInstances\":$arns}" | jq '[.containerInstances[] | (.registeredResources[] | select(.name=="CPU") | .integerValue) - (.remainingResources[] | select(.name=="CPU") | .integerValue)] | add')
live=0
while read -r batch; do
  n=$(ecs DescribeTasks "{\"cluster\":\"dur\",\"tasks\":$batch}" | jq '[.tasks[] | select(.desiredStatus == "RUNNING")] | length')
  live=$((live + n))
done < <(jq -R . "$TMP/all_tasks" | jq -s -c '_nwise(100)')
# Tasks the client never saw acknowledged may exist too; count every task in the store.
all_live=0
token=""
while :; do
  page=$(ecs ListTasks "{\"cluster\":\"dur\",\"maxResults\":100${token:+,\"nextToken\":\"$token\"}}")
  n=$(echo "$page" | jq '.taskArns | length')
  all_live=$((all_live + n))
  token=$(echo "$page" | jq -r '.nextToken // empty')
  [ -n "$token" ] || break
done
expect_eq "$used" $((all_live * 8)) "instance CPU matches its $all_live live tasks"
[ "$live" -le "$all_live" ] || fail "more acknowledged live tasks than listed"
pass "acknowledged live tasks are listed"
echo "local_durability: $PASSES checks passed"
