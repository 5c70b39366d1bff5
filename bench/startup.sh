#!/usr/bin/env bash
# Start-up cost of ecsctl next to the floor (a bare C++ hello world built with
# the same compiler flags) and next to `curl --version`, in the same run:
# wall time with hyperfine, peak RSS with /usr/bin/time -v over repeated runs.
#
# Usage: bench/startup.sh [BUILD_DIR]   (default: build; RUNS=200, RSS_RUNS=30;
#        ECSCTL=path overrides BUILD_DIR/ecsctl)
# Goal for `ecsctl --version`: within 1.5x the hello world, median < 3 ms, < 8 MB.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-${BUILD_DIR:-$ROOT/build}}" && pwd)
RUNS=${RUNS:-200}
RSS_RUNS=${RSS_RUNS:-30}
ECSCTL=${ECSCTL:-$BUILD/ecsctl}
[ -x "$ECSCTL" ] || { echo "bench/startup.sh: $ECSCTL not built (scripts/build first)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/startup.sh: needs hyperfine (apt-get install -y hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/startup.sh: needs /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
PY=/usr/bin/python3

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The hello world gets exactly the flags CMake gives ecsctl's own sources.
CACHE=$BUILD/CMakeCache.txt
cache() { sed -n "s/^$1:[A-Z]*=//p" "$CACHE"; }
if [ -f "$CACHE" ]; then
  CXX=$(cache CMAKE_CXX_COMPILER)
  TYPE=$(cache CMAKE_BUILD_TYPE | tr '[:lower:]' '[:upper:]')
  FLAGS="$(cache CMAKE_CXX_FLAGS) $(cache "CMAKE_CXX_FLAGS_${TYPE}") -std=c++20 -Wall -Wextra"
else
  CXX=g++
  FLAGS="-O2 -g -DNDEBUG -std=c++20 -Wall -Wextra"  # CMake's RelWithDebInfo
fi
# shellcheck disable=SC2086
"${CXX:-g++}" $FLAGS -o "$WORK/hello" "$ROOT/bench/hello.cpp"

names=("hello world (C++)" "ecsctl --version" "ecsctl --help")
cmds=("$WORK/hello" "$ECSCTL --version" "$ECSCTL --help")
# validate is measured once this binary has it (0 valid, 3 invalid are both fine).
vcode=0
"$ECSCTL" validate "$ROOT/examples/fargate-web.yaml" >/dev/null 2>&1 || vcode=$?
if [ -f "$ROOT/examples/fargate-web.yaml" ] && { [ "$vcode" -eq 0 ] || [ "$vcode" -eq 3 ]; }; then
  names+=("ecsctl validate fargate-web.yaml")
  cmds+=("$ECSCTL validate $ROOT/examples/fargate-web.yaml")
else
  echo "note: \`ecsctl validate examples/fargate-web.yaml\` is not measured (exit $vcode: not in this binary yet?)"
fi
names+=("curl --version")
cmds+=("curl --version")

args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
echo "compiler flags: $FLAGS"
echo "hyperfine: $RUNS runs each after 10 warm-ups; peak RSS: $RSS_RUNS runs each"
hyperfine -N --warmup 10 $( [ "$vcode" -eq 3 ] && echo -i ) --runs "$RUNS" --style none --export-json "$WORK/times.json" "${args[@]}" >/dev/null

# Peak RSS (KB) of every run of every command.
for i in "${!cmds[@]}"; do
  for _ in $(seq "$RSS_RUNS"); do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%M" -o "$WORK/rss.one" ${cmds[$i]} >/dev/null 2>&1 || true
    printf '%s\t%s\n' "$i" "$(tail -1 "$WORK/rss.one")" >>"$WORK/rss.tsv"
  done
done

"$PY" - "$WORK/times.json" "$WORK/rss.tsv" <<'PYEOF'
import json, statistics, sys
times = json.load(open(sys.argv[1]))['results']
rss = {}
for line in open(sys.argv[2]):
    i, kb = line.split('\t')
    rss.setdefault(int(i), []).append(int(kb))
base_mean = times[0]['mean']
base_median = times[0]['median']
print('| command | mean ms | median ms | stddev ms | mean/hello | median/hello | peak RSS MB (median, max) |')
print('|---|---|---|---|---|---|---|')
for i, t in enumerate(times):
    r = rss.get(i, [0])
    print('| %s | %.2f | %.2f | %.2f | %.2fx | %.2fx | %.1f, %.1f |' % (
        t['command'], t['mean'] * 1e3, t['median'] * 1e3, t['stddev'] * 1e3,
        t['mean'] / base_mean, t['median'] / base_median,
        statistics.median(r) / 1024, max(r) / 1024))
v = times[1]
v_rss = max(rss.get(1, [0])) / 1024
print()
print('ecsctl --version goals: median/hello %.2fx (goal <= 1.5x), median %.2f ms (goal < 3 ms), '
      'peak RSS %.1f MB (goal < 8 MB)' % (v['median'] / base_median, v['median'] * 1e3, v_rss))
PYEOF
