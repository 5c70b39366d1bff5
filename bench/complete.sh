#!/usr/bin/env bash
# Latency of tab completion: `ecsctl __complete` as the bash script calls it,
# for a static case (command names), a live case with a warm cache and a live
# case with a cold cache (cluster names fetched from `ecsctl local`), and the
# AWS CLI's `aws_completer` for a static case where it is installed.
#
# Usage: bench/complete.sh [BUILD_DIR]   (default: build; RUNS=100)
# Goals: static < 5 ms, warm cache < 10 ms, cold cache < 50 ms on loopback.
set -euo pipefail
# The scheduler alone: no container engine behind the plane (see README, "Runtimes").
export ECSCTL_LOCAL_RUNTIME=simulated
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-${BUILD_DIR:-$ROOT/build}}" && pwd)
RUNS=${RUNS:-100}
ECSCTL=${ECSCTL:-$BUILD/ecsctl}
[ -x "$ECSCTL" ] || { echo "bench/complete.sh: $ECSCTL not built (scripts/build first)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/complete.sh: needs hyperfine (apt-get install -y hyperfine)" >&2; exit 1; }

WORK=$(mktemp -d)
export XDG_STATE_HOME=$WORK/state XDG_CACHE_HOME=$WORK/cache
export AWS_CONFIG_FILE=$WORK/config AWS_SHARED_CREDENTIALS_FILE=$WORK/credentials
PORT=${PORT:-$((20000 + RANDOM % 20000))}
cleanup() { "$ECSCTL" local down >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$ECSCTL" local up --detach --port "$PORT" >/dev/null 2>&1
eval "$("$ECSCTL" local env)"
for c in web api batch; do "$ECSCTL" create-cluster --cluster-name "$c" >/dev/null; done

static=("$ECSCTL" __complete bash 1 ecsctl desc)
live=("$ECSCTL" __complete bash 3 ecsctl describe-services --cluster w)
# Sanity: the live case really returns names from the server.
"${live[@]}" 2>/dev/null | grep -q '^web' || { echo "bench/complete.sh: live completion did not return 'web'" >&2; exit 1; }

q() { printf '%q ' "$@"; }
# hyperfine applies a single --prepare to every command, so each command gets
# its own: only the cold case empties the cache.
args=(-n "static: ecsctl desc<TAB>" --prepare true "$(q "${static[@]}")"
      -n "live, warm cache: --cluster w<TAB>" --prepare true "$(q "${live[@]}")"
      -n "live, cold cache: --cluster w<TAB>" --prepare "rm -rf $(q "$XDG_CACHE_HOME")" "$(q "${live[@]}")")
if command -v aws_completer >/dev/null; then
  args+=(-n "aws_completer: aws ecs desc<TAB>" --prepare true
         "env COMP_LINE='aws ecs desc' COMP_POINT=12 aws_completer")
fi
echo "hyperfine: $RUNS runs each after 5 warm-ups; server on 127.0.0.1:$PORT"
hyperfine -N --warmup 5 --runs "$RUNS" "${args[@]}"
