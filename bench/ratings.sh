#!/usr/bin/env bash
# bench/ratings.sh - ratings under a write load: how many RateBook calls per second Recommendations sustains on its
# SQLite catalog (write-ahead log, synchronous=FULL: every acknowledged rating is on disk; or on PostgreSQL through
# bench/postgres.sh, which sets BENCH_CATALOG), their latency, and that
# every acknowledged rating is in the database afterwards. Baseline in the same run: grpc.health.v1 Check, the
# cheapest call of the same server, from the same clients (bench/RatingLoad).
# Usage: bench/ratings.sh            CLIENTS=32 SECONDS=30 bench/ratings.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
clients=${CLIENTS:-16}
seconds=${SECONDS_PER_LOAD:-20}
work=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

dotnet build bench/RatingLoad -c Release -v quiet -nologo >/dev/null
dotnet build Bookstore.Recommendations -c Release -v quiet -nologo >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The catalog: a SQLite file of its own, or the database in BENCH_CATALOG (bench/postgres.sh: PostgreSQL, migrated before).
catalog=${BENCH_CATALOG:-Data Source=$work/catalog.db}
(cd Bookstore.Recommendations && ASPNETCORE_URLS=http://127.0.0.1:$port ConnectionStrings__catalog="$catalog" \
  Logging__LogLevel__Default=Warning exec setpriv --pdeathsig TERM -- bin/Release/net10.0/Bookstore.Recommendations) >"$work/service.log" 2>&1 &
pid=$!
until curl -s --http2-prior-knowledge "http://127.0.0.1:$port/health" | grep -q Healthy; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/service.log"; exit 2; }
  sleep 0.1
done
if [[ -n ${BENCH_CATALOG:-} ]]; then
  echo "Recommendations on PostgreSQL (BENCH_CATALOG), $clients clients, $seconds s per load; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  RATINGLOAD_POSTGRES=$BENCH_CATALOG dotnet bench/RatingLoad/bin/Release/net10.0/RatingLoad.dll "http://127.0.0.1:$port" postgres "$clients" "$seconds"
else
  echo "Recommendations on SQLite ($work/catalog.db), $clients clients, $seconds s per load; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet bench/RatingLoad/bin/Release/net10.0/RatingLoad.dll "http://127.0.0.1:$port" "$work/catalog.db" "$clients" "$seconds"
fi
