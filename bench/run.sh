#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md against one redis-server it starts on a free loopback
# port, then rewrites the generated part of docs/benchmarks.md and docs/benchmarks-ratios.png.
#
#   bash bench/run.sh                 the full run: about 15 minutes on 2 cores
#   bash bench/run.sh --quick         short runs that check that everything works; the figures mean nothing,
#                                     and the report goes to bench/results/ instead of docs/
#   bash bench/run.sh --only 2,10     re-runs some items only (2, 3, 10, 11 and 12 can be chosen; --quick combines):
#                                     their report replaces the part of docs/benchmarks.md between
#                                     '<!-- rerun:begin -->' and '<!-- rerun:end -->', labelled with its own
#                                     commit, and leaves the full run's part and chart alone (item 12 replaces
#                                     the part between '<!-- invalidation:begin -->' and '<!-- invalidation:end -->')
#   bash bench/run.sh --snapshot ...  builds and measures a copy of the committed HEAD (git archive; --snapshot=REV for another commit) with
#                                     this working tree's bench/, in a temporary directory: for a machine
#                                     where others are editing the runtime (their half-made changes neither
#                                     break the build nor get measured); the results still come here
#
# Raw results: bench/results/ (BenchmarkDotNet artifacts in bench/results/bdn, the drivers' JSON).
set -euo pipefail

cd "$(dirname "$0")/.."
repo="$PWD"
quick=""
only=""
snapshot=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick="--quick" ;;
    --only) only="${2:?--only needs a list of items, e.g. 2,10}"; shift ;;
    --snapshot) snapshot=HEAD ;;
    --snapshot=*) snapshot="${1#--snapshot=}" ;;
    *) echo "error: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
wants() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
if [ -n "$only" ]; then
  for item in ${only//,/ }; do
    case "$item" in 2|3|10|11|12) ;; *) echo "error: --only takes items 2, 3, 10, 11 and 12; run the full script for the others" >&2; exit 2 ;; esac
  done
fi

results="$repo/bench/results"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# What is measured: the commit, and whether the runtime (or the weaver) has uncommitted changes or single flight.
commit="$(git rev-parse "${snapshot:-HEAD}^{commit}" 2>/dev/null || echo unknown)"
runtime_dirty=false
if [ -n "$(git status --porcelain -- AkCache.Runtime AkCache.Fody AkCache.Attributes 2>/dev/null)" ]; then runtime_dirty=true; fi
build_root="$repo"
if [ -n "$snapshot" ]; then
  # The measured tree: HEAD as committed, plus this working tree's bench/ (bin, obj and results left out).
  build_root="$(mktemp -d -t akcache-bench-snapshot-XXXXXX)"
  git archive "$commit" | tar -x -C "$build_root"
  (cd bench && tar -c --exclude=bin --exclude=obj --exclude=results .) | tar -x -C "$build_root/bench"
  echo "== measuring a snapshot of $commit in $build_root (uncommitted runtime changes here: $runtime_dirty, not measured)"
fi
measured_dirty=$runtime_dirty
snapshot_json=false
snapshot_arg=""
if [ -n "$snapshot" ]; then
  measured_dirty=false; snapshot_json=true; snapshot_arg=" --snapshot"
  if [ "$snapshot" != HEAD ]; then snapshot_arg=" --snapshot=$snapshot"; fi
fi
exe="$build_root/bench/AkCache.Benchmarks/bin/Release/net10.0/AkCache.Benchmarks"
single_flight=false
if [ -e "$build_root/AkCache.Runtime/Internals/Locking/LocalFlights.cs" ]; then single_flight=true; fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "error: installing $* needs root or sudo." >&2; exit 1; fi
}

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1; then
  echo "== installing redis-server and redis-tools"
  as_root apt-get update -qq
  # policy-rc.d keeps the package's service from starting on 6379 (as in .ci/run).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d"
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools
  as_root rm -f /usr/sbin/policy-rc.d
  trap - EXIT
fi

# The chart needs matplotlib: Debian's python3-matplotlib, for /usr/bin/python3.
python=/usr/bin/python3
if ! "$python" -c "import matplotlib" 2>/dev/null; then
  echo "== installing python3-matplotlib"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib
fi

echo "== dotnet build -c Release bench/AkCache.Benchmarks${snapshot:+ (in the snapshot)}"
(cd "$build_root" && dotnet build -c Release bench/AkCache.Benchmarks -nologo -v:q)

rm -rf "$results/bdn" "$results"/*.json
mkdir -p "$results"

# One redis-server for everything but item 8 (which stops servers of its own): on a free loopback
# port, stopped by its own pid when this script ends, whatever happens.
redis_dir="$(mktemp -d -t akcache-bench-redis-XXXXXX)"
port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
redis-server --port "$port" --bind 127.0.0.1 --daemonize no --save '' --appendonly no \
  --dir "$redis_dir" --logfile "$redis_dir/redis.log" &
redis_pid=$!
stop_redis() {
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  rm -rf "$redis_dir"
  if [ -n "$snapshot" ]; then rm -rf "$build_root"; fi
}
trap stop_redis EXIT
for _ in $(seq 1 200); do
  if redis-cli -p "$port" info server 2>/dev/null | grep -q "^process_id:$redis_pid"; then break; fi
  if ! kill -0 "$redis_pid" 2>/dev/null; then echo "error: redis-server exited; see $redis_dir/redis.log" >&2; exit 1; fi
  sleep 0.05
done
redis-cli -p "$port" info server | grep -q "^process_id:$redis_pid" || { echo "error: redis-server on $port did not answer" >&2; exit 1; }
echo "== redis-server pid $redis_pid on 127.0.0.1:$port"

export AKCACHE_BENCH_REDIS="127.0.0.1:$port"
export AKCACHE_BENCH_RESULTS="$results"
# BenchmarkDotNet finds the benchmark project from the current directory and builds it again, so
# the programs run from the measured tree (the snapshot, with --snapshot).
cd "$build_root"

if [ -z "$only" ]; then
  echo "== items 1-6, 8, 10 and 11, and the serializers alone: BenchmarkDotNet"
  "$exe" --filter '*' $quick
  echo "== items 2 and 3: stopwatch percentiles, interleaved, and redis-benchmark -c 1"
  "$exe" latency $quick
  echo "== item 10: bytes stored, DataTable hit and miss interleaved"
  "$exe" values $quick
  echo "== item 11: the local layer's hit, interleaved"
  "$exe" local-hit $quick
  echo "== item 7: cold stampede across 8 processes"
  "$exe" stampede $quick
  echo "== item 8: Redis down"
  "$exe" redis-down $quick
  echo "== item 9: build time"
  "$exe" build-time $quick
  echo "== item 12: invalidation latency across 4 processes (a redis-server and a Garnet of its own)"
  "$exe" invalidation $quick
else
  filters=()
  if wants 2; then filters+=('*RedisHit*' '*Serializers*'); fi
  if wants 3; then filters+=('*ConcurrentHit*'); fi
  if wants 10; then filters+=('*DataTableValue*'); if ! wants 2; then filters+=('*Serializers*'); fi; fi
  if wants 11; then filters+=('*LocalHit*'); fi
  if [ ${#filters[@]} -gt 0 ]; then
    echo "== items $only: BenchmarkDotNet (${filters[*]})"
    "$exe" --filter "${filters[@]}" $quick
  fi
  if wants 2 || wants 3; then
    echo "== items 2 and 3: stopwatch percentiles, interleaved, and redis-benchmark -c 1"
    "$exe" latency $quick
  fi
  if wants 2 || wants 10; then
    echo "== items 2 and 10: bytes stored, DataTable hit and miss interleaved"
    "$exe" values $quick
  fi
  if wants 11; then
    echo "== item 11: the local layer's hit, interleaved"
    "$exe" local-hit $quick
  fi
  if wants 12; then
    echo "== item 12: invalidation latency across 4 processes (a redis-server and a Garnet of its own)"
    "$exe" invalidation $quick
  fi
fi

cd "$repo"
cat > "$results/environment.json" <<JSON
{
  "startedUtc": "$started",
  "finishedUtc": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "commit": "$commit",
  "runtimeDirty": $measured_dirty,
  "snapshot": $snapshot_json,
  "workingTreeRuntimeDirty": $runtime_dirty,
  "singleFlight": $single_flight,
  "memory": "$(free -g | awk '/^Mem:/ {print $2 " GB"}')",
  "loadBefore": "$load_before",
  "loadAfter": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "redis": "$(redis-server --version | cut -d' ' -f1-3)",
  "peers": "ZiggyCreatures.FusionCache 2.9.0, Microsoft.Extensions.Caching.Hybrid 10.11.0, Microsoft.Extensions.Caching.StackExchangeRedis 11.0.0, StackExchange.Redis 3.4.35, MessagePack 2.5.307",
  "only": "$only",
  "command": "bash bench/run.sh${quick:+ --quick}${only:+ --only $only}$snapshot_arg"
}
JSON

if [ -n "$only" ]; then
  if [ -n "$quick" ]; then
    "$python" bench/report.py --partial "$results" "$results/benchmarks.md"
  else
    "$python" bench/report.py --partial "$results" docs/benchmarks.md
  fi
elif [ -n "$quick" ]; then
  "$python" bench/report.py "$results" "$results/benchmarks.md" "$results/benchmarks-ratios.png"
else
  "$python" bench/report.py "$results" docs/benchmarks.md docs/benchmarks-ratios.png
fi
