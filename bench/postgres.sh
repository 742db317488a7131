#!/usr/bin/env bash
# bench/postgres.sh - the load benchmarks (bench/run.sh, bench/ratings.sh) with Recommendations on PostgreSQL: the
# bookstore/postgres:15 image (scripts/build-postgres-image.sh) in the Docker engine (scripts/docker-engine.sh), a new
# container with a password made for this run only, the catalog migrated by the service's own `migrate` command.
# Results: bench/results-postgres.md (bench/run.sh's table) and the ratings figures printed at the end.
# Usage: bench/postgres.sh      (bench/run.sh's overrides apply, e.g. WARMUP=30 bench/postgres.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
source scripts/docker-engine.sh
container=bookstore-bench-postgres-$$
cleanup() {
  docker rm -f "$container" >/dev/null 2>&1 || true
  docker_engine_stop
}
trap cleanup EXIT
docker_engine_start
bash scripts/build-postgres-image.sh
dotnet build Bookstore.Recommendations -c Release -v quiet -nologo >/dev/null

password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The password reaches the container through the environment of `docker run` (-e NAME without a value), never argv.
POSTGRES_PASSWORD=$password docker run -d --name "$container" -e POSTGRES_PASSWORD -e POSTGRES_DB=catalog \
  -p "127.0.0.1:$port:5432" bookstore/postgres:15 >/dev/null
for _ in $(seq 1 150); do
  docker exec "$container" pg_isready -U postgres -d catalog -h 127.0.0.1 >/dev/null 2>&1 && break
  sleep 0.2
done
docker exec "$container" pg_isready -U postgres -d catalog -h 127.0.0.1 >/dev/null
export BENCH_CATALOG="Host=127.0.0.1;Port=$port;Database=catalog;Username=postgres;Password=$password"
(cd Bookstore.Recommendations && ConnectionStrings__catalog=$BENCH_CATALOG dotnet bin/Release/net10.0/Bookstore.Recommendations.dll migrate)

echo "== bench/run.sh on PostgreSQL"
status=0
RESULTS_FILE=bench/results-postgres.md SKIP_BUILD=1 bash ${BENCH_TRACE:+-x} bench/run.sh || status=$?
echo "== bench/ratings.sh on PostgreSQL"
bash bench/ratings.sh || status=$?
exit $status
