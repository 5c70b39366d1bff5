#!/usr/bin/env bash
# The real ecsctl binary as a user runs it: exit codes, help, stdout/stderr
# separation, colour only on a terminal (and never with NO_COLOR), and every
# output format of a nested document compared with the golden files the unit
# test uses (tests/cases/output, written from the AWS CLI's own formatter).
set -uo pipefail
: "${ECSCTL:?}" "${ECSCTL_SOURCE_DIR:?}"
CASES=$ECSCTL_SOURCE_DIR/tests/cases/output
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run CODE ARGS...: runs ecsctl with stdout/stderr to files, checks the exit code.
run() {
  local want=$1; shift
  "$ECSCTL" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  local got=$?
  [ "$got" -eq "$want" ] || fail "ecsctl $* exited $got, want $want (stderr: $(head -c 300 "$TMP/err"))"
}
out_has() { grep -qF -- "$1" "$TMP/out" || fail "stdout lacks '$1'"; }
err_has() { grep -qF -- "$1" "$TMP/err" || fail "stderr lacks '$1'"; }
out_empty() { [ ! -s "$TMP/out" ] || fail "stdout not empty: $(head -c 200 "$TMP/out")"; }
err_empty() { [ ! -s "$TMP/err" ] || fail "stderr not empty: $(head -c 200 "$TMP/err")"; }
no_escapes() { ! grep -q $'\033' "$TMP/out" "$TMP/err" || fail "escape codes in output of a non-terminal"; }

# 0: version and help, on stdout only.
run 0 --version;            out_has "ecsctl "; err_empty
run 0 --help;               out_has "--endpoint-url"; out_has "Exit codes"; err_empty; no_escapes
run 0 help;                 out_has "Usage: ecsctl"
# A command's help is printed from its flag spec, three ways.
run 0 help deploy;          out_has "Usage: ecsctl deploy"; out_has "--stall-timeout DURATION"; out_has "Exit codes"; err_empty
run 0 deploy help;          out_has "--rollback-on-failure"
run 0 run-task --help;      out_has "--wait-until STATE"; out_has "(none|running|stopped)"; out_has "Options of the RunTask operation"
run 0 elbv2 create-target-group --help; out_has "--for-task-definition"; out_has "--vpc-id"

# 252: the command line is wrong; nothing on stdout, the reason and a hint on stderr.
run 252 describe-clustrs;   out_empty; err_has "ecsctl: error: unknown command 'describe-clustrs'"; err_has "did you mean 'describe-clusters'?"; no_escapes
run 252 --regoin x list-clusters; out_empty; err_has "unknown option '--regoin'"
run 252 --output xml --version;   out_empty; err_has "Invalid choice: 'xml'"
run 252 query @ --output;         out_empty; err_has "expected one argument"
run 252 --color maybe --version;  err_has "--color"
run 252;                          err_has "no command given"
run 252 run-task --task-definition app:1 --wait-until later; out_empty; err_has "argument --wait-until: Invalid choice: 'later'"
run 252 logs api --since soon;    out_empty; err_has "invalid duration 'soon' for --since"

# 253: configuration broken.
AWS_DEFAULT_OUTPUT=xml run 253 --version; out_empty; err_has "AWS_DEFAULT_OUTPUT"

# Colour: none when not a terminal or with NO_COLOR; --color on forces it.
run 252 nope;                     no_escapes
run 252 --color on nope;          grep -q $'\033\[1;31m' "$TMP/err" || fail "--color on did not colour the error"
if command -v script >/dev/null; then
  script -qec "$ECSCTL nope" /dev/null >"$TMP/tty" 2>&1 </dev/null
  grep -q $'\033\[1;31m' "$TMP/tty" || fail "no colour on a terminal"
  NO_COLOR=1 script -qec "$ECSCTL nope" /dev/null >"$TMP/tty" 2>&1 </dev/null
  ! grep -q $'\033' "$TMP/tty" || fail "colour on a terminal despite NO_COLOR"
fi

# Output formats of the real binary against the AWS CLI's formatter.
for c in describe_services describe_task_definition unicode yaml_quoting long_strings empty_object_in_list; do
  title=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["title"])' "$CASES/$c.json" 2>/dev/null || echo "")
  /usr/bin/python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["data"], sys.stdout, ensure_ascii=False)' \
    "$CASES/$c.json" >"$TMP/data.json" 2>/dev/null || continue
  for f in json yaml yaml-stream text table table-color; do
    [ -f "$CASES/$c.$f.out" ] || continue
    [ "${f%-color}" = table ] && [ "$title" != Query ] && continue   # `query` titles its table "Query"
    if [ "$f" = table-color ]; then run 0 query @ "$TMP/data.json" --output table --color on
    else run 0 query @ "$TMP/data.json" --output "$f"; fi
    cmp -s "$TMP/out" "$CASES/$c.$f.out" || fail "--output $f of $c differs from the AWS CLI's"
    err_empty
  done
done
AWS_DEFAULT_OUTPUT=yaml run 0 query @ "$TMP/data.json"; cmp -s "$TMP/out" "$CASES/empty_object_in_list.yaml.out" || fail "AWS_DEFAULT_OUTPUT=yaml not used"
# --color on colours a table even when stdout is not a terminal (the AWS CLI's TableFormatter
# uses its ColorizedStyler whenever --color is on), and an explicit --color on wins over
# NO_COLOR. Row elements are bright blue; the data needs scalars for that (a table of empty
# objects, like the last case above, has none, in the AWS CLI's output too).
/usr/bin/python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["data"], sys.stdout)' \
  "$CASES/describe_services.json" >"$TMP/services.json"
run 0 query @ "$TMP/services.json" --output table --color on; grep -q $'\033\[1m\033\[34m' "$TMP/out" || fail "--color on did not colour the table"
NO_COLOR=1 run 0 query @ "$TMP/services.json" --output table --color on; grep -q $'\033\[1m\033\[34m' "$TMP/out" || fail "--color on did not colour the table with NO_COLOR set"
NO_COLOR=1 run 0 query @ "$TMP/services.json" --output table; no_escapes
run 0 query @ "$TMP/data.json" --output off; out_empty

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "cli_basics: all checks passed"
