# Shared setup of the tests/integration/workflow_*.sh scripts: `ecsctl local`
# on a free loopback port (lib/local.bash), the environment that points ecsctl
# at it, fast polling, and `run` capturing stdout, stderr and the exit code.
source "$(dirname "$0")/lib/local.bash"

start_workflow_local() {
  start_local
  eval "$("$ECSCTL" local env --state "$STATE")"
  export ECSCTL_POLL_INTERVAL=0.2 NO_COLOR=1
  unset AWS_PROFILE
}

# run ARGS...: runs ecsctl; sets OUT, ERR and CODE (never fails the script).
run() {
  set +e
  "$ECSCTL" "$@" >"$TMP/out" 2>"$TMP/err"
  CODE=$?
  set -e
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}

# expect_code WANT WHAT: checks CODE, showing stderr on a mismatch.
expect_code() {
  [ "$CODE" = "$1" ] || fail "$2: exit code $CODE, expected $1; stderr: $ERR"
  pass "$2"
}

# expect_in TEXT NEEDLE WHAT
expect_in() {
  grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in: $1"
  pass "$3"
}
