#!/usr/bin/env bash
# validate, render, diff and register-task-definition --file as a user runs
# them: exit codes, file:line:col diagnostics on stderr, JSON findings and
# GitHub annotations on stdout, templating, and (against `ecsctl local`) that a
# failing file is never sent while a good one registers and diffs clean.
source "$(dirname "$0")/workflow_lib.bash"
SRC=${ECSCTL_SOURCE_DIR:?}
export NO_COLOR=1

# Offline: no server is needed (and none is running yet).
run validate "$SRC/examples"
expect_code 0 "the examples validate clean"
expect_in "$ERR" "5 files checked: 0 errors, 0 warnings" "summary on stderr"

cat >"$TMP/bad.yaml" <<'YAML'
family: web
requiresCompatibilities: [FARGATE]
networkMode: awsvpc
cpu: "1 vCPU"
memory: "1 GB"
containerDefinitions:
  - name: app
    image: nginx:1.25
    environment:
      - {name: DB_PASSWORD, value: hunter2}
    healthCheck: {command: [CMD, x], interval: 500}
YAML
# One error is "(1 error)", not "(1 errors)" (issue 16).
cat >"$TMP/one.yaml" <<'YAML'
family: one
containerDefinitions:
  - name: app
    image: nginx:1.25
    memory: 3
YAML
run render "$TMP/one.yaml"
expect_code 3 "one error -> exit 3"
expect_in "$ERR" "failed validation (1 error)" "one error is counted in the singular"
run validate "$TMP/bad.yaml"
expect_code 3 "errors -> exit 3"
expect_in "$ERR" "$TMP/bad.yaml:5:9: error[fargate-task-size]:" "file:line:col: error[rule]"
expect_in "$ERR" "    memory: \"1 GB\"" "the source line is shown"
expect_in "$ERR" "  hint: " "with a hint"
expect_in "$ERR" "bad.yaml:11:48: error[healthcheck-interval-range]" "all findings are reported"
expect_in "$ERR" "warning[env-plaintext-secret]" "plain-text secret warning"
grep -q hunter2 <<<"$ERR$OUT" && fail "the secret value must never be printed"
pass "the secret value is not printed"

run --output json validate "$TMP/bad.yaml"
expect_code 3 "--output json keeps exit 3"
expect_eq "$(jq -r '.valid' <<<"$OUT")" "false" "JSON result on stdout"
expect_eq "$(jq -r '[.findings[] | select(.rule == "fargate-task-size")][0] | "\(.line):\(.column) \(.path)"' <<<"$OUT")" \
  "5:9 memory" "JSON finding has line, column and path"

run validate --format github "$TMP/bad.yaml"
expect_in "$OUT" "::error file=$TMP/bad.yaml,line=5,col=9,title=fargate-task-size::" "GitHub annotation"

run validate --launch-type EC2 "$SRC/examples/ec2-bridge.yaml" --strict
expect_code 0 "--strict passes a clean file"
printf 'family: web\ncontainerDefinitions:\n  - {name: a, image: nginx, memory: 64}\n' >"$TMP/warn.yaml"
run validate "$TMP/warn.yaml"
expect_code 0 "warnings alone pass"
run validate --strict "$TMP/warn.yaml"
expect_code 3 "--strict fails on warnings"

printf '{"family": "web",\n "containerDefinitions": [\n' >"$TMP/broken.json"
run validate "$TMP/broken.json"
expect_code 3 "malformed JSON -> exit 3"
expect_in "$ERR" "broken.json:3:1: error[input-parse]" "parse error with its location"

# Templating.
cat >"$TMP/tpl.yaml" <<'YAML'
family: ${FAMILY:?set FAMILY}
cpu: "256"
containerDefinitions:
  - name: a
    image: "nginx:${TAG:-1.25}"
    memory: ${MEM}
YAML
run render "$TMP/tpl.yaml"
expect_code 3 "unset required variable -> exit 3"
expect_in "$ERR" "tpl.yaml:1:9: error[template-unset]: required variable FAMILY is not set: set FAMILY" "names the variable and where"
printf 'MEM=128\n' >"$TMP/vars.env"
FAMILY=fromenv run render "$TMP/tpl.yaml" --env-file "$TMP/vars.env" --var TAG=1.27
expect_code 0 "render with --var, --env-file and the environment"
expect_eq "$(jq -c '[.family, .containerDefinitions[0].image, .containerDefinitions[0].memory]' <<<"$OUT")" \
  '["fromenv","nginx:1.27",128]' "values substituted with their types"
run render "$SRC/examples/sidecar.yaml" --query cpu
expect_eq "$OUT" '"1024"' "render normalises \"1 vCPU\" to \"1024\""

# Against ecsctl local: a failing file is refused before anything is sent.
start_workflow_local
run register-task-definition --file "$TMP/bad.yaml"
expect_code 3 "register --file with errors -> exit 3"
run list-task-definitions --family-prefix web --query 'length(taskDefinitionArns)'
expect_eq "$OUT" "0" "nothing was registered"
run register-task-definition --file "$SRC/examples/fargate-web.yaml" --var IMAGE_TAG=2.0.0
expect_code 0 "register --file of a clean file"
expect_eq "$(jq -r '.taskDefinition.revision' <<<"$OUT")" "1" "revision 1 registered"
run diff "$SRC/examples/fargate-web.yaml" --var IMAGE_TAG=2.0.0 --exit-code
expect_code 0 "diff against the live revision: no differences after normalisation"
expect_eq "$OUT" "" "nothing on stdout"
run diff "$SRC/examples/fargate-web.yaml" --var IMAGE_TAG=2.0.1 --exit-code
expect_code 1 "a real change -> exit 1 with --exit-code"
grep -qE '^\+ +(- )?image: .*/web:2\.0\.1$' <<<"$OUT" || fail "the new image is an added line: $OUT"
grep -qE '^- +(- )?image: .*/web:2\.0\.0$' <<<"$OUT" || fail "the old image is a removed line: $OUT"
pass "the change is in the unified diff"
expect_in "$OUT" "--- web:1 (live)" "diff header names the live revision"
run diff "$SRC/examples/fargate-web.yaml" --var IMAGE_TAG=2.0.1
expect_code 0 "without --exit-code a difference exits 0"
run diff "$SRC/examples/fargate-web.yaml" --task-definition 'bad name'
expect_code 252 "a malformed --task-definition is a usage error"
sed 's/^family: .*/family: never-registered/' "$SRC/examples/fargate-web.yaml" >"$TMP/new-family.yaml"
grep -q '^family: never-registered$' "$TMP/new-family.yaml" || fail "the copy has a new family"
run diff "$TMP/new-family.yaml" --var IMAGE_TAG=2.0.0 --exit-code
expect_code 1 "diff of a family never registered: every field is new (exit 1 with --exit-code)"
expect_in "$OUT" "--- /dev/null" "the diff is from /dev/null"
expect_in "$OUT" "+family: never-registered" "the family is an added line"
[ -z "$(grep -E '^[- ]' <<<"$OUT" | grep -v '^--- ')" ] || fail "only added lines: $OUT"
pass "only added lines"
run diff "$SRC/examples/fargate-web.yaml" --var IMAGE_TAG=2.0.0 --task-definition web:99
expect_code 254 "a revision that does not exist is still an error"
run register-task-definition --family plain --container-definitions '[{"name":"a","image":"nginx:1","memory":64}]'
expect_code 0 "without --file the generic API command runs"

echo "taskdef_cli: $PASSES checks passed"
