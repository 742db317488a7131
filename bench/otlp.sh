#!/usr/bin/env bash
# bench/otlp.sh - OTLP ingestion: how many spans/s the AppHost's OTLP/gRPC receiver and store take, and the
# receiving process's peak RSS once the store is full (10,000 traces, the default limit).
# Receiver and sender are separate processes on the same 2 cores. Targets: >= 20,000 spans/s; <= 400 MB RSS.
# Usage: bench/otlp.sh            DURATION=30 CONCURRENCY=4 bench/otlp.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration=${DURATION:-20}
concurrency=${CONCURRENCY:-4}
dotnet build bench/OtlpIngest -c Release -nologo -v quiet >/dev/null
program=bench/OtlpIngest/bin/Release/net10.0/OtlpIngest.dll

out=$(mktemp)
dotnet "$program" receive >"$out" 2>&1 &
receiver=$!
trap 'kill "$receiver" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do grep -q '^ready' "$out" && break; sleep 0.1; done
read -r _ url key < <(grep '^ready' "$out")

dotnet "$program" send "$url" "$key" 5 "$concurrency" >/dev/null     # warm-up
dotnet "$program" send "$url" "$key" "$duration" "$concurrency"
echo "receiver peak RSS: $(awk '/VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$receiver/status"), now $(awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$receiver/status")"
kill -TERM "$receiver"
wait "$receiver" || true
grep '^stored' "$out"
