#!/usr/bin/env bash
# bench/otlp.sh - the AppHost under telemetry load: OTLP ingestion rate, its memory with every store full, and how
# long each dashboard page takes to render then.
#   1. starts the real AppHost (Release build, its two services included) and takes the OTLP endpoint and key
#      from a child process's environment, as the services get them;
#   2. traces: 4 concurrent OTLP/gRPC exporters send batches of 64 traces x 8 spans, a warm-up, then DURATION s
#      measured -> spans/s (far more than the 10,000-trace limit: the trace store is full and evicting);
#   3. fills the other stores past their default limits: 20,000 log records, 25,000 metric points for each resource;
#   4. the AppHost's peak and current RSS (VmHWM, VmRSS);
#   5. logs in to the dashboard and requests each page RUNS times: the slowest time to first byte per page;
#   6. SIGTERM to the AppHost, which must exit 0.
# Targets: >= 20,000 spans/s; <= 400 MB RSS with all stores full; every page <= 200 ms.
# Usage: bench/otlp.sh            DURATION=30 CONCURRENCY=4 RUNS=5 bench/otlp.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
duration=${DURATION:-20}
concurrency=${CONCURRENCY:-4}
runs=${RUNS:-5}
status=0

dotnet build Bookstore.AppHost -c Release -nologo -v quiet >/dev/null
dotnet build bench/OtlpIngest -c Release -nologo -v quiet >/dev/null
sender=bench/OtlpIngest/bin/Release/net10.0/OtlpIngest.dll

out=$(mktemp)
jar=$(mktemp)
(cd Bookstore.AppHost && exec setpriv --pdeathsig TERM -- dotnet bin/Release/net10.0/Bookstore.AppHost.dll) >"$out" 2>&1 &
apphost=$!
trap 'kill "$apphost" 2>/dev/null || true; rm -f "$out" "$jar"' EXIT
for _ in $(seq 1 300); do grep -q '^Started in' "$out" && break; kill -0 "$apphost" || { cat "$out"; exit 2; }; sleep 0.1; done
grep -q '^Started in' "$out" || { cat "$out"; echo "the AppHost did not start" >&2; exit 2; }
login=$(sed -n 's/^Dashboard: //p' "$out")
child=$(pgrep -P "$apphost" -f Bookstore.Recommendations.dll | head -1)
environment=$(tr '\0' '\n' <"/proc/$child/environ")
url=$(sed -n 's/^OTEL_EXPORTER_OTLP_ENDPOINT=//p' <<<"$environment")
key=$(sed -n 's/^OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=//p' <<<"$environment")
echo "AppHost pid $apphost, OTLP/gRPC $url"

echo "== ingestion"
dotnet "$sender" traces "$url" "$key" 5 "$concurrency" >/dev/null     # warm-up
line=$(dotnet "$sender" traces "$url" "$key" "$duration" "$concurrency")
echo "$line"
rate=$(sed -n 's/.*: \([0-9]*\) spans\/s/\1/p' <<<"$line")
(( rate >= 20000 )) || { echo "FAIL: $rate spans/s < 20,000"; status=1; }
dotnet "$sender" fill "$url" "$key" 20000 25000

echo "== memory with every store full"
sleep 2   # the services' own exports keep arriving; let the last batches land
peak=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$apphost/status")
now=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$apphost/status")
echo "AppHost RSS: peak $peak MiB, now $now MiB (target <= 400 MB = 381 MiB)"
(( peak * 1048576 <= 400000000 )) || { echo "FAIL: peak RSS above 400 MB"; status=1; }

echo "== dashboard pages (slowest of $runs, time to first byte)"
curl -s -o /dev/null -c "$jar" "$login"
base=${login%%/login*}
traces=$(curl -s -b "$jar" "$base/traces")
grep -o 'The newest [0-9]* of [0-9]* stored traces' <<<"$traces"
logs=$(curl -s -b "$jar" "$base/logs")
grep -o 'among [0-9]* stored log records' <<<"$logs"
[[ "$traces" =~ href=\"(/traces/[0-9a-f]+)\" ]] || { echo "no trace on the traces page" >&2; exit 2; }
trace=${BASH_REMATCH[1]}
for page in / "/console?resource=recommendations&replica=0" /logs "/logs?resource=marketplace&level=warning&text=zzz" \
    /traces "$trace" "/metrics?resource=marketplace" "/metrics?resource=recommendations"; do
    slowest=0
    for _ in $(seq 1 "$runs"); do
        read -r code seconds < <(curl -s -o /dev/null -b "$jar" -w '%{http_code} %{time_starttransfer}\n' "$base$page")
        [[ "$code" == 200 ]] || { echo "FAIL: $page answered $code"; status=1; }
        ms=$(awk -v s="$seconds" 'BEGIN { printf "%d", s * 1000 }')
        if (( ms > slowest )); then slowest=$ms; fi
    done
    echo "$page: $slowest ms"
    (( slowest <= 200 )) || { echo "FAIL: $page took more than 200 ms"; status=1; }
done

kill -TERM "$apphost"
wait "$apphost" || { echo "FAIL: the AppHost did not exit 0 after SIGTERM"; status=1; }
exit "$status"
