#!/usr/bin/env bash
# `ecsctl query EXPR [FILE]` and the global --query, run as a user would: stdout
# must be exactly the expected data, errors go to stderr with the documented
# exit codes (252 bad expression or missing file, 255 invalid JSON input).
set -u
: "${ECSCTL:?}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect NAME WANT_CODE WANT_STDOUT -- command...
expect() {
  local name=$1 want_code=$2 want_out=$3
  shift 4
  local out code
  out=$("$@" 2>"$tmp/stderr")
  code=$?
  [ "$code" = "$want_code" ] || fail "$name: exit $code, want $want_code (stderr: $(cat "$tmp/stderr"))"
  [ "$out" = "$want_out" ] || fail "$name: stdout was [$out], want [$want_out]"
}

# stderr_has NAME PATTERN: the last command's stderr contains PATTERN.
stderr_has() {
  grep -qF -- "$2" "$tmp/stderr" || fail "$1: stderr lacks [$2]: $(cat "$tmp/stderr")"
}

cat >"$tmp/services.json" <<'EOF'
{"services": [
  {"serviceName": "web", "status": "ACTIVE", "runningCount": 3, "tags": [{"key": "team", "value": "a"}]},
  {"serviceName": "api", "status": "ACTIVE", "runningCount": 1, "tags": []},
  {"serviceName": "old", "status": "DRAINING", "runningCount": 0}
], "failures": []}
EOF

# Reading a file and standard input.
expect "file" 0 '[
    "web",
    "api"
]' -- "$ECSCTL" query 'services[?status==`ACTIVE`].serviceName' "$tmp/services.json"
expect "stdin" 0 '4' -- bash -c "\"\$0\" query 'sum(services[].runningCount)' < '$tmp/services.json'" "$ECSCTL"
expect "dash is stdin" 0 '"old"' -- bash -c "\"\$0\" query 'services[-1].serviceName' - < '$tmp/services.json'" "$ECSCTL"
expect "scalar string" 0 '"web"' -- "$ECSCTL" query 'max_by(services, &runningCount).serviceName' "$tmp/services.json"
expect "null result" 0 'null' -- "$ECSCTL" query 'nothing.here' "$tmp/services.json"
expect "empty object is printed" 0 '{}' -- "$ECSCTL" query '`{}`' "$tmp/services.json"
expect "key order kept" 0 '{
    "name": "web",
    "count": 3
}' -- "$ECSCTL" query 'services[0].{name: serviceName, count: runningCount}' "$tmp/services.json"

# --output and --query apply to the result.
expect "output text" 0 'web	api	old' -- "$ECSCTL" --output text query 'services[].serviceName' "$tmp/services.json"
expect "output yaml" 0 '- web
- api
- old' -- "$ECSCTL" query 'services[].serviceName' "$tmp/services.json" --output yaml
expect "global query on @" 0 '[
    "web",
    "api",
    "old"
]' -- "$ECSCTL" --query 'services[].serviceName' query '@' "$tmp/services.json"
expect "global query after query" 0 '"api"' -- "$ECSCTL" --query '[1]' query 'services[].serviceName' "$tmp/services.json"
expect "sort_by and pipe" 0 '[
    "old",
    "api",
    "web"
]' -- "$ECSCTL" query 'sort_by(services, &runningCount)[].serviceName' "$tmp/services.json"
expect "functions" 0 '"team=a"' -- "$ECSCTL" query "join('=', [services[0].tags[0].key, services[0].tags[0].value])" "$tmp/services.json"

# Bad expressions: exit 252, the error kind and the position on stderr, nothing on stdout.
expect "syntax error" 252 '' -- "$ECSCTL" query 'services[?status==]' "$tmp/services.json"
stderr_has "syntax error" "syntax error at position 18"
expect "unknown function" 252 '' -- "$ECSCTL" query 'frobnicate(@)' "$tmp/services.json"
stderr_has "unknown function" "unknown-function"
expect "arity" 252 '' -- "$ECSCTL" query 'length(@, @)' "$tmp/services.json"
stderr_has "arity" "invalid-arity"
expect "type" 252 '' -- "$ECSCTL" query 'abs(services)' "$tmp/services.json"
stderr_has "type" "invalid-type"
expect "zero step" 252 '' -- "$ECSCTL" query 'services[::0]' "$tmp/services.json"
stderr_has "zero step" "invalid-value"
expect "bad global query" 252 '' -- "$ECSCTL" --query 'a[' query '@' "$tmp/services.json"
expect "no expression" 252 '' -- "$ECSCTL" query

# Bad input: named in the error, never a crash.
expect "missing file" 252 '' -- "$ECSCTL" query '@' "$tmp/nope.json"
stderr_has "missing file" "nope.json"
printf '{"a": [1, 2,\n  oops]}' >"$tmp/bad.json"
expect "invalid json" 255 '' -- "$ECSCTL" query '@' "$tmp/bad.json"
stderr_has "invalid json" "bad.json:2:3"
: >"$tmp/empty.json"
expect "empty input" 255 '' -- "$ECSCTL" query '@' "$tmp/empty.json"
stderr_has "empty input" "empty.json is empty"
python3 -c 'print("[" * 100000 + "]" * 100000)' >"$tmp/deep.json"
expect "deep input" 255 '' -- "$ECSCTL" query 'length(@)' "$tmp/deep.json"
stderr_has "deep input" "levels deep"

# Help goes to stdout and succeeds.
"$ECSCTL" query --help >"$tmp/help" 2>&1 || fail "query --help exited $?"
grep -q "JMESPath" "$tmp/help" || fail "query --help does not mention JMESPath"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "query: all checks passed"
