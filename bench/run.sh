#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md against one redis-server it starts on a free loopback
# port, then rewrites the generated part of docs/benchmarks.md and docs/benchmarks-ratios.png.
#
#   bash bench/run.sh           the full run: about 10 minutes on 2 cores
#   bash bench/run.sh --quick   short runs that check that everything works; the figures mean nothing,
#                               and the report goes to bench/results/ instead of docs/
#
# Raw results: bench/results/ (BenchmarkDotNet artifacts in bench/results/bdn, the drivers' JSON).
set -euo pipefail

cd "$(dirname "$0")/.."
repo="$PWD"
quick=""
if [ "${1:-}" = "--quick" ]; then
  quick="--quick"
fi

results="$repo/bench/results"
exe="$repo/bench/AkCache.Benchmarks/bin/Release/net10.0/AkCache.Benchmarks"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# What is measured: the commit, and whether the runtime has uncommitted changes or single flight.
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
runtime_dirty=false
if [ -n "$(git status --porcelain -- AkCache.Runtime 2>/dev/null)" ]; then runtime_dirty=true; fi
single_flight=false
if [ -e AkCache.Runtime/Internals/Locking/LocalFlights.cs ]; then single_flight=true; fi

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

echo "== dotnet build -c Release bench/AkCache.Benchmarks"
dotnet build -c Release bench/AkCache.Benchmarks -nologo -v:q

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

echo "== items 1-6 and 8: BenchmarkDotNet"
"$exe" --filter '*' $quick
echo "== item 2: stopwatch percentiles and redis-benchmark -c 1"
"$exe" latency $quick
echo "== item 7: cold stampede across 8 processes"
"$exe" stampede $quick
echo "== item 8: Redis down"
"$exe" redis-down $quick
echo "== item 9: build time"
"$exe" build-time $quick

cat > "$results/environment.json" <<JSON
{
  "startedUtc": "$started",
  "finishedUtc": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "commit": "$commit",
  "runtimeDirty": $runtime_dirty,
  "singleFlight": $single_flight,
  "memory": "$(free -g | awk '/^Mem:/ {print $2 " GB"}')",
  "loadBefore": "$load_before",
  "loadAfter": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "redis": "$(redis-server --version | cut -d' ' -f1-3)",
  "peers": "ZiggyCreatures.FusionCache 2.9.0, Microsoft.Extensions.Caching.Hybrid 10.11.0, Microsoft.Extensions.Caching.StackExchangeRedis 11.0.0, StackExchange.Redis 3.4.35, MessagePack 2.5.307",
  "command": "bash bench/run.sh${quick:+ --quick}"
}
JSON

if [ -n "$quick" ]; then
  "$python" bench/report.py "$results" "$results/benchmarks.md" "$results/benchmarks-ratios.png"
else
  "$python" bench/report.py "$results" docs/benchmarks.md docs/benchmarks-ratios.png
fi
