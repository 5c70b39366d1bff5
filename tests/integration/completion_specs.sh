#!/usr/bin/env bash
# Completion from the command specs, for every hand-written command in the
# command table (`ecsctl __commands`): its own flags after `--`, live clusters
# after a cluster flag, live services after a SERVICE argument or service flag,
# the choices of a flag with choices (--wait-until none|running|stopped), and the
# task definition's containers after --exit-code-from/--container. A command
# still parsed outside the spec system fails the test.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
trap 'stop_local; rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache
mkdir -p "$HOME"
unset AWS_ENDPOINT_URL AWS_PROFILE
start_local || { finish; exit 1; }
export AWS_PROFILE=local

cat >"$work/td.yaml" <<'YAML'
family: complete-me
networkMode: bridge
containerDefinitions:
  - name: app
    image: busybox:1.36
    memory: 128
    essential: true
  - name: sidecar
    image: busybox:1.36
    memory: 64
    essential: false
YAML
"$ECSCTL" create-cluster --cluster-name demo >/dev/null || fail "create-cluster"
"$ECSCTL" register-task-definition --family complete-me --container-definitions \
    '[{"name":"app","image":"busybox:1.36","memory":128}]' >/dev/null || fail "register-task-definition"
"$ECSCTL" create-service --cluster demo --service-name web --task-definition complete-me \
    --desired-count 0 >/dev/null || fail "create-service"
"$ECSCTL" create-scheduled-task nightly --cluster demo --task-definition complete-me \
    --schedule 'rate(1 hour)' --role-arn arn:aws:iam::000000000000:role/ecsEventsRole >/dev/null 2>&1 \
    || fail "create-scheduled-task"

complete_words() {  # WORD... (the last one is being typed) -> candidates, one per line
    local cword=$#
    "$ECSCTL" __complete bash "$cword" ecsctl "$@"
}

table=$("$ECSCTL" __commands) || { fail "__commands"; finish; exit 1; }
count=$(jq length <<<"$table")
((count > 20)) && pass "__commands lists $count commands" || fail "__commands lists only $count commands"

for i in $(seq 0 $((count - 1))); do
    cmd=$(jq -c ".[$i]" <<<"$table")
    group=$(jq -r .group <<<"$cmd")
    name=$(jq -r .name <<<"$cmd")
    words=()
    [[ -n $group ]] && words+=("$group")
    words+=("$name")
    label="${words[*]}"
    if [[ $(jq -r .raw <<<"$cmd") == true ]]; then
        fail "$label: still parsed outside its flag spec (raw)"
        continue
    fi
    # Its own flags after --.
    out=$(complete_words "${words[@]}" --)
    missing=""
    for flag in $(jq -r '.flags[].name' <<<"$cmd"); do
        grep -qxF -- "$flag" <<<"$out" || missing+=" $flag"
    done
    [[ -z $missing ]] && pass "$label: -- offers its own flags" || fail "$label: -- does not offer:$missing"
    # Flag values by completer.
    nflags=$(jq '.flags | length' <<<"$cmd")
    for j in $(seq 0 $((nflags - 1))); do
        flag=$(jq -c ".flags[$j]" <<<"$cmd")
        fname=$(jq -r .name <<<"$flag")
        kind=$(jq -r .complete <<<"$flag")
        case $kind in
            cluster)
                out=$(complete_words "${words[@]}" "$fname" "")
                expect_line "$out" "demo" "$label $fname: live clusters" ;;
            service)
                out=$(complete_words "${words[@]}" --cluster demo "$fname" "")
                expect_line "$out" "web" "$label $fname: live services" ;;
            container)  # from the file given, or from what the service or scheduled task runs
                pkind0=$(jq -r '.positionals[0].complete // empty' <<<"$cmd")
                # A command extending run-task or create-service takes the operation's --task-definition.
                src=$(jq -r '[(.flags[].name | select(. == "--task-definition" or . == "--for-task-definition")),
                              (select(.apiOperation == "run-task" or .apiOperation == "create-service")
                               | "--task-definition")][0] // empty' <<<"$cmd")
                if [[ -n $src ]]; then
                    out=$(complete_words "${words[@]}" "$src" "$work/td.yaml" "$fname" "")
                    expect_line "$out" "app" "$label $fname: containers of the task-definition file"
                    expect_line "$out" "sidecar" "$label $fname: every container of the file"
                elif [[ $pkind0 == service ]]; then
                    out=$(complete_words "${words[@]}" --cluster demo web "$fname" "")
                    expect_line "$out" "app" "$label $fname: containers of the service's task definition"
                elif [[ $pkind0 == scheduled-task ]]; then
                    out=$(complete_words "${words[@]}" nightly "$fname" "")
                    expect_line "$out" "app" "$label $fname: containers of the scheduled task's task definition"
                else
                    fail "$label $fname: container completion without a task definition to read"
                fi ;;
            duration)
                out=$(complete_words "${words[@]}" "$fname" "")
                expect_line "$out" "5m" "$label $fname: durations" ;;
        esac
        for choice in $(jq -r '.choices[]' <<<"$flag"); do
            out=$(complete_words "${words[@]}" "$fname" "")
            expect_line "$out" "$choice" "$label $fname: choice $choice"
        done
    done
    # The first positional's choices (completion SHELL, elbv2 wait WAITER), then by completer.
    for choice in $(jq -r '.positionals[0].choices // [] | .[]' <<<"$cmd"); do
        out=$(complete_words "${words[@]}" "")
        expect_line "$out" "$choice" "$label ${choice}: a choice of its first argument"
    done
    pkind=$(jq -r '.positionals[0].complete // empty' <<<"$cmd")
    case $pkind in
        service)
            out=$(complete_words "${words[@]}" --cluster demo "")
            expect_line "$out" "web" "$label SERVICE: live services" ;;
        cluster)
            out=$(complete_words "${words[@]}" "")
            expect_line "$out" "demo" "$label CLUSTER: live clusters" ;;
        file)
            out=$(cd "$work" && complete_words "${words[@]}" "td.y")
            expect_line "$out" "td.yaml" "$label FILE: files" ;;
    esac
done

# run-task specifically: the three the issue names.
out=$(complete_words run-task --wait-until "")
for v in none running stopped; do expect_line "$out" "$v" "run-task --wait-until: $v"; done
out=$(complete_words run-task --task-definition "$work/td.yaml" --exit-code-from "")
expect_line "$out" "app" "run-task --exit-code-from: containers of the file"
expect_line "$out" "essential" "run-task --exit-code-from: essential"
out=$(complete_words deploy --cluster "")
expect_line "$out" "demo" "deploy --cluster: live clusters (not files)"
out=$(complete_words deploy api --cluster "")
expect_line "$out" "demo" "deploy SERVICE --cluster: live clusters (not files)"
finish
