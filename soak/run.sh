#!/usr/bin/env bash
# The soak run of docs/reliability.md: builds soak/AkCache.Soak and runs it. It starts its own
# redis-server master, replica and sentinel on free loopback ports, runs worker processes against
# them through redis+sentinel://, restarts the master every minute (empty), flushes it once and
# promotes the replica once, then prints a Markdown report and exits 0 only when no call returned a
# wrong result or threw. Not part of the default test run (Tests/Faults/SoakRunTests.cs runs a short one).
#
#   bash soak/run.sh                              10 minutes, 8 processes x 8 threads, 200 ids (needs redis-server on PATH)
#   bash soak/run.sh --minutes 2 --processes 2    any of --minutes --processes --threads --keys --restart-every --report FILE
set -euo pipefail

cd "$(dirname "$0")/.."
dotnet build -c Release soak/AkCache.Soak -nologo -v q
exec soak/AkCache.Soak/bin/Release/net10.0/AkCache.Soak "$@"
