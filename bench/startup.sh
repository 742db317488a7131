#!/usr/bin/env bash
# bench/startup.sh - how fast the whole app starts (and stops), two ways:
#   1. `dotnet run --project Bookstore.AppHost --no-build`: wall time from the command to the AppHost's
#      "Started in" line (every resource healthy), RUNS times; then SIGTERM to the AppHost, which must exit 0.
#   2. the testing builder (bench/StartStop): CreateAsync + BuildAsync + StartAsync, and that plus DisposeAsync,
#      RUNS times in one process, as a distributed test does it.
# Prints each run and the medians; targets: (1) <= 1500 ms median, (2) start + stop <= 2000 ms median.
# Usage: bench/startup.sh            RUNS=11 bench/startup.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
runs=${RUNS:-7}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build bench/StartStop -v quiet -nologo >/dev/null   # builds the AppHost and both services (Debug, as dotnet run uses)

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "== dotnet run --project Bookstore.AppHost --no-build (to all healthy)"
times=()
for run in $(seq 0 "$runs"); do
  start=$(date +%s%N)
  setsid dotnet run --project Bookstore.AppHost --no-build >"$log" 2>&1 &
  runner=$!
  until grep -q "^Started in" "$log"; do
    kill -0 "$runner" 2>/dev/null || { cat "$log"; echo "the AppHost exited before it was ready" >&2; exit 1; }
    sleep 0.01
  done
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  apphost=$(pgrep -P "$runner" -f Bookstore.AppHost || pgrep -f "bin/Debug/net10.0/Bookstore.AppHost" | head -1)
  kill -TERM "$apphost"
  wait "$runner" || { echo "the AppHost did not exit 0 after SIGTERM" >&2; exit 1; }
  if [[ $run -eq 0 ]]; then
    echo "run 0: ${elapsed} ms (warm-up of the disk cache, not counted)"
  else
    echo "run $run: ${elapsed} ms ($(grep -o 'Started in [0-9]* ms' "$log") by the AppHost's own clock)"
    times+=("$elapsed")
  fi
done
echo "median: $(printf '%s\n' "${times[@]}" | median) ms over $runs runs (target <= 1500 ms)"

echo "== testing builder: start, and start + stop"
dotnet bench/StartStop/bin/Debug/net10.0/StartStop.dll "$runs"
