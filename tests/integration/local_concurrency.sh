#!/usr/bin/env bash
# ecsctl local under 50 concurrent clients: no lost writes, no duplicate host
# ports, exact counts.
source "$(dirname "$0")/lib/local.bash"
start_local

ecs CreateCluster '{"clusterName":"conc"}' >/dev/null || fail "CreateCluster"
"$ECSCTL" local add-instances --state "$STATE" --cluster conc --count 4 --cpu 8192 --memory 16384 >/dev/null || fail "add-instances"
ecs RegisterTaskDefinition '{"family":"dyn","containerDefinitions":[{"name":"app","image":"busybox","memory":32,"cpu":16,"portMappings":[{"containerPort":8080,"hostPort":0},{"containerPort":9090,"hostPort":0}]}]}' >/dev/null || fail "register"

# 50 clients at once: each registers a revision of one family and runs 2 tasks.
for i in $(seq 1 50); do
  (
    ecs RegisterTaskDefinition "{\"family\":\"race\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"img:$i\",\"memory\":16}]}" >"$TMP/reg.$i" &&
    ecs RunTask '{"cluster":"conc","taskDefinition":"dyn","count":2}' >"$TMP/run.$i"
  ) &
done
wait

expect_eq "$(cat "$TMP"/reg.* | jq -s '[.[].taskDefinition.revision] | unique | length')" 50 "50 distinct revisions acknowledged"
expect_eq "$(ecs ListTaskDefinitions '{"familyPrefix":"race","maxResults":100}' | jq '.taskDefinitionArns | length')" 50 "50 revisions stored"
expect_eq "$(cat "$TMP"/run.* | jq -s '[.[].tasks[]] | length')" 100 "100 tasks acknowledged"
all=$(ecs ListTasks '{"cluster":"conc","maxResults":100}' | jq '.taskArns | length')
expect_eq "$all" 100 "100 tasks listed"
bindings=$(cat "$TMP"/run.* | jq -s -r '[.[].tasks[] | .containerInstanceArn as $i | .containers[].networkBindings[] | "\($i) \(.hostPort)"] | .[]')
expect_eq "$(echo "$bindings" | wc -l)" 200 "200 host port bindings"
expect_eq "$(echo "$bindings" | sort -u | wc -l)" 200 "no duplicate host port on any instance"
expect_eq "$("$ECSCTL" local status --state "$STATE" | jq .counts.tasks)" 100 "status counts exact"

# Remaining resources equal registered minus what the tasks hold.
ecs DescribeContainerInstances "{\"cluster\":\"conc\",\"containerInstances\":$(ecs ListContainerInstances '{"cluster":"conc"}' | jq -c .containerInstanceArns)}" >"$TMP/ci.json"
used=$(jq '[.containerInstances[] | (.registeredResources[] | select(.name=="CPU") | .integerValue) - (.remainingResources[] | select(.name=="CPU") | .integerValue)] | add' "$TMP/ci.json")
expect_eq "$used" 1600 "CPU accounted exactly (100 tasks x 16)"
echo "local_concurrency: $PASSES checks passed"
