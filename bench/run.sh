#!/usr/bin/env bash
# bench/run.sh - load benchmark of the Bookstore services on this machine (127.0.0.1 only).
#
# Usage (from anywhere):   bench/run.sh
#   Overrides (environment variables, defaults in brackets):
#     WARMUP=15        warm-up duration of each load, seconds (not measured)
#     DURATION=20      measured duration of each load, seconds
#     H2_CONNS=16      h2load connections       (-c)   for the two gRPC loads
#     H2_STREAMS=8     h2load streams/connection (-m)
#     WRK_CONNS=32     wrk connections          (-c)   for the two HTTP loads
#     SKIP_BUILD=1     use the existing Release build output instead of building
#     ASPNETCORE_ENVIRONMENT=Production   environment the services run in
#   e.g.  WARMUP=30 DURATION=30 bench/run.sh
#
# What it does:
#   1. installs h2load (nghttp2-client) and wrk if missing; `dotnet build Bookstore.sln -c Release`
#      (Release only: bin/Debug and obj/Debug are never touched);
#   2. starts Recommendations (gRPC, h2c) from its Release output on a free port, waits for /health;
#   3. h2load (1 thread) against gRPC Recommend and against grpc.health.v1.Health/Check:
#      warm-up run, then measured run; one curl of each must show `grpc-status: 0` in the trailers;
#   4. starts Marketplace from its Release output (pointed at Recommendations), checks that `/` lists
#      3 books, then wrk (1 thread) against `/` and against the static `/about.html`: warm-up, measured;
#   5. reads each service's peak RSS (VmHWM in /proc/PID/status) after the loads;
#   6. prints the table and writes it to bench/results.md; exits 1 if a target fails, 2 if the run
#      itself is not valid (errors, non-200 responses, gRPC failures).
# Both services run with working directory = their project directory (the content root), so their
# appsettings.json (logging levels included) and wwwroot are the ones the product ships. Their
# stdout/stderr go to bench/logs/*.log (overwritten each run, not committed).
# Every service started here is stopped on exit (trap), and also if this script is SIGKILLed
# (setpriv --pdeathsig).
set -euo pipefail

# The command as invoked, with the overrides the caller set (for results.md).
COMMAND_LINE=""
for v in WARMUP DURATION H2_CONNS H2_STREAMS WRK_CONNS SKIP_BUILD; do
    [[ -n "${!v:-}" ]] && COMMAND_LINE+="$v=${!v} "
done
COMMAND_LINE+="bench/run.sh"

WARMUP=${WARMUP:-15}
DURATION=${DURATION:-20}
H2_CONNS=${H2_CONNS:-16}
H2_STREAMS=${H2_STREAMS:-8}
WRK_CONNS=${WRK_CONNS:-32}
SKIP_BUILD=${SKIP_BUILD:-0}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production}

# Targets.
RECOMMEND_VS_HEALTH_MIN=0.85
HOME_VS_STATIC_MIN=0.5
PEAK_RSS_MAX_MB=150

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
LOG_DIR=$BENCH_DIR/logs
RESULTS=$BENCH_DIR/results.md

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

for v in WARMUP DURATION H2_CONNS H2_STREAMS WRK_CONNS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done

# ---------------------------------------------------------------- cleanup
PIDS=()
cleanup() {
    local status=$? pid
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid did not stop within 10 s of SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    # The services log one line per call: keep their logs, compressed.
    for f in "$LOG_DIR"/recommendations.log "$LOG_DIR"/marketplace.log; do
        [[ -s "$f" ]] && gzip -f "$f" 2>/dev/null || true
    done
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
if ! command -v h2load >/dev/null || ! command -v wrk >/dev/null; then
    log "installing nghttp2-client and wrk"
    as_root apt-get update
    as_root apt-get install -y nghttp2-client wrk
fi
for tool in h2load wrk curl ss setpriv dotnet awk sort; do
    command -v "$tool" >/dev/null || die "$tool is required"
done

mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR"/*.log "$LOG_DIR"/*.log.gz "$LOG_DIR"/*.txt "$LOG_DIR"/*.tsv "$LOG_DIR"/*.bin "$LOG_DIR"/home.*

# ---------------------------------------------------------------- build
BUILD_NOTE=""
if [[ "$SKIP_BUILD" != 1 ]]; then
    log "dotnet build Bookstore.sln -c Release"
    if ! (cd "$ROOT" && dotnet build Bookstore.sln -c Release -nodeReuse:false) >"$LOG_DIR/build.log" 2>&1; then
        grep -E 'error [A-Z]+[0-9]+' "$LOG_DIR/build.log" | sort -u | head -n 10 >&2 || true
        # The bench needs only the two services: a failure elsewhere in the solution (e.g. a test
        # project somebody is editing) does not invalidate it, as long as both services build.
        log "the solution build failed (see $LOG_DIR/build.log); building the two services alone"
        for project in Bookstore.Recommendations Bookstore.Marketplace; do
            if ! (cd "$ROOT" && dotnet build "$project/$project.csproj" -c Release -nodeReuse:false) \
                >>"$LOG_DIR/build.log" 2>&1; then
                tail -n 30 "$LOG_DIR/build.log" >&2
                die "$project does not build in Release (see $LOG_DIR/build.log)"
            fi
        done
        BUILD_NOTE="\`dotnet build Bookstore.sln -c Release\` failed outside the services (see bench/logs/build.log); the two services were built alone."
    fi
fi
REC_DLL=bin/Release/net10.0/Bookstore.Recommendations.dll
MKT_DLL=bin/Release/net10.0/Bookstore.Marketplace.dll
[[ -f "$ROOT/Bookstore.Recommendations/$REC_DLL" ]] || die "missing Bookstore.Recommendations/$REC_DLL"
[[ -f "$ROOT/Bookstore.Marketplace/$MKT_DLL" ]] || die "missing Bookstore.Marketplace/$MKT_DLL"

# ---------------------------------------------------------------- helpers
port_is_free() { [[ -z "$(ss -Htln "sport = :$1")" ]]; }
free_port() { # free_port [exclude]
    local p
    for _ in $(seq 1 200); do
        p=$(( 20000 + RANDOM % 20000 ))
        [[ "$p" != "${1:-}" ]] && port_is_free "$p" && { echo "$p"; return 0; }
    done
    return 1
}

# start_service NAME PROJECT_DIR DLL LOGFILE [VAR=VALUE ...]; sets STARTED_PID.
start_service() {
    local name=$1 dir=$2 dll=$3 logfile=$4; shift 4
    (cd "$ROOT/$dir" && exec setpriv --pdeathsig TERM -- env "$@" dotnet "$dll") >"$logfile" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    log "started $name (pid $STARTED_PID, log $logfile)"
}

# wait_healthy NAME PID URL [curl options]
wait_healthy() {
    local name=$1 pid=$2 url=$3; shift 3
    local answer=""
    for _ in $(seq 1 120); do
        kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (see its log in $LOG_DIR)"
        answer=$(curl -s --max-time 2 "$@" "$url" || true)
        [[ "$answer" == Healthy ]] && { log "$name is Healthy"; return 0; }
        sleep 0.5
    done
    die "$name not Healthy after 60 s (last answer: '$answer')"
}

# Latency in ms from a wrk figure such as 812.00us / 1.20ms / 1.05s.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}

peak_rss_mb() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
cur_rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

PROBLEMS=()
problem() { PROBLEMS+=("$*"); log "PROBLEM: $*"; }

declare -A RPS P50 P99 REQS NOTE

# h2load_run KEY LABEL PATH BODY_FILE: warm-up + measured run; fills RPS/P50/P99/REQS[KEY].
h2load_run() {
    local key=$1 label=$2 path=$3 body=$4
    local url="http://127.0.0.1:$REC_PORT$path"
    local -a args=(-c "$H2_CONNS" -m "$H2_STREAMS" -t 1 -d "$body"
        -H 'content-type: application/grpc' -H 'te: trailers')
    log "h2load $label: warm-up ${WARMUP}s"
    h2load "${args[@]}" -D "$WARMUP" "$url" >"$LOG_DIR/h2load-$key-warmup.txt" 2>&1 \
        || die "h2load warm-up failed (see $LOG_DIR/h2load-$key-warmup.txt)"
    log "h2load $label: measured ${DURATION}s (-c $H2_CONNS -m $H2_STREAMS -t 1)"
    h2load "${args[@]}" -D "$DURATION" --log-file="$LOG_DIR/h2load-$key.tsv" "$url" \
        >"$LOG_DIR/h2load-$key.txt" 2>&1 || die "h2load failed (see $LOG_DIR/h2load-$key.txt)"
    local out=$LOG_DIR/h2load-$key.txt
    RPS[$key]=$(awk '/^finished in/ { sub(/,$/, "", $4); printf "%.0f", $4 }' "$out")
    local total ndone ok failed errored timeout s2xx non200
    read -r total ndone ok failed errored timeout < <(awk '/^requests:/ {
        print $2, $6, $8, $10, $12, $14 }' "$out")
    s2xx=$(awk '/^status codes:/ { print $3 }' "$out")
    REQS[$key]=$ndone
    if [[ -z "${RPS[$key]}" || -z "$ndone" ]]; then die "cannot parse $out"; fi
    if (( failed + errored + timeout > 0 || s2xx != ndone || ndone == 0 )); then
        problem "$label: $ndone done, $s2xx 2xx, $failed failed, $errored errored, $timeout timeout"
    fi
    local tsv=$LOG_DIR/h2load-$key.tsv p50 p99
    non200=$(awk -F'\t' '$2 != 200 { n++ } END { print n + 0 }' "$tsv")
    (( non200 == 0 )) || problem "$label: $non200 responses other than HTTP 200 in $tsv"
    # Nearest-rank percentiles of the per-request latency (microseconds, column 3).
    read -r p50 p99 < <(cut -f3 "$tsv" | sort -n | awk '{ v[NR] = $1 }
        function rank(p,  i) { i = int(NR * p); if (i < NR * p) i++; if (i < 1) i = 1; return v[i] }
        END { if (NR == 0) print "nan nan"; else printf "%.2f %.2f\n", rank(0.50) / 1000, rank(0.99) / 1000 }')
    P50[$key]=$p50; P99[$key]=$p99
    log "$label: ${RPS[$key]} req/s, p50 ${p50} ms, p99 ${p99} ms ($ndone calls)"
}

# wrk_run KEY LABEL PATH: warm-up + measured run; fills RPS/P50/P99/REQS[KEY].
wrk_run() {
    local key=$1 label=$2 path=$3
    local url="http://127.0.0.1:$MKT_PORT$path"
    log "wrk $label: warm-up ${WARMUP}s"
    wrk -t1 -c"$WRK_CONNS" -d"${WARMUP}s" "$url" >"$LOG_DIR/wrk-$key-warmup.txt" 2>&1 \
        || die "wrk warm-up failed (see $LOG_DIR/wrk-$key-warmup.txt)"
    log "wrk $label: measured ${DURATION}s (-t1 -c$WRK_CONNS)"
    wrk -t1 -c"$WRK_CONNS" -d"${DURATION}s" --latency "$url" >"$LOG_DIR/wrk-$key.txt" 2>&1 \
        || die "wrk failed (see $LOG_DIR/wrk-$key.txt)"
    local out=$LOG_DIR/wrk-$key.txt
    RPS[$key]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
    P50[$key]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    P99[$key]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    REQS[$key]=$(awk '/requests in/ { print $1 }' "$out")
    [[ -n "${RPS[$key]}" && -n "${REQS[$key]}" ]] || die "cannot parse $out"
    local non2xx sockerr
    non2xx=$(awk -F': ' '/Non-2xx or 3xx responses/ { print $2 }' "$out")
    sockerr=$(awk '/Socket errors/ { print }' "$out")
    [[ -z "$non2xx" ]] || problem "$label: $non2xx non-2xx/3xx responses"
    [[ -z "$sockerr" ]] || problem "$label: $sockerr"
    log "$label: ${RPS[$key]} req/s, p50 ${P50[$key]} ms, p99 ${P99[$key]} ms (${REQS[$key]} requests)"
}

# grpc_check LABEL PATH BODY_FILE: one call with curl; trailers must say grpc-status: 0.
grpc_check() {
    local label=$1 path=$2 body=$3 headers=$LOG_DIR/curl-$1.txt
    curl -sS --http2-prior-knowledge --max-time 5 -H 'content-type: application/grpc' -H 'te: trailers' \
        --data-binary @"$body" -D "$headers" -o "$LOG_DIR/curl-$label.bin" \
        "http://127.0.0.1:$REC_PORT$path" || die "curl $label failed"
    grep -qix 'grpc-status: *0' < <(tr -d '\r' <"$headers") \
        || die "$label: no 'grpc-status: 0' in the response (see $headers)"
    log "$label: curl says HTTP/2 200 + grpc-status: 0"
}

count_in() { grep -c -- "$2" "$1" || true; }

# ---------------------------------------------------------------- Recommendations
REC_PORT=$(free_port) || die "no free port"
REC_LOG=$LOG_DIR/recommendations.log
start_service Recommendations Bookstore.Recommendations "$REC_DLL" "$REC_LOG" \
    "ASPNETCORE_URLS=http://127.0.0.1:$REC_PORT"
REC_PID=$STARTED_PID
wait_healthy Recommendations "$REC_PID" "http://127.0.0.1:$REC_PORT/health" --http2-prior-knowledge

RECOMMEND_BODY=$LOG_DIR/recommend-request.bin
HEALTH_BODY=$LOG_DIR/health-request.bin
printf '\x00\x00\x00\x00\x04\x08\x01\x18\x03' >"$RECOMMEND_BODY"   # user_id 1, MYSTERY, max_results 3
printf '\x00\x00\x00\x00\x00' >"$HEALTH_BODY"                      # empty HealthCheckRequest
grpc_check recommend /Recommendations/Recommend "$RECOMMEND_BODY"
grpc_check health /grpc.health.v1.Health/Check "$HEALTH_BODY"
# Recommend's reply must hold 3 books (field 1 = 0x0a, three times), health's must be SERVING (08 01).
[[ $(od -An -tx1 -v "$LOG_DIR/curl-recommend.bin" | tr -s ' \n' ' ' | grep -o ' 0a ' | wc -l) -ge 3 ]] \
    || die "Recommend reply does not look like 3 books (see $LOG_DIR/curl-recommend.bin)"
[[ "$(od -An -tx1 -v "$LOG_DIR/curl-health.bin" | tr -s ' \n' ' ')" == " 00 00 00 00 02 08 01 " ]] \
    || die "Health/Check reply is not SERVING (see $LOG_DIR/curl-health.bin)"

h2load_run recommend "gRPC Recommend" /Recommendations/Recommend "$RECOMMEND_BODY"
h2load_run health "gRPC Health/Check" /grpc.health.v1.Health/Check "$HEALTH_BODY"
REC_PEAK_AFTER_GRPC=$(peak_rss_mb "$REC_PID")

# ---------------------------------------------------------------- Marketplace
MKT_PORT=$(free_port "$REC_PORT") || die "no free port"
MKT_LOG=$LOG_DIR/marketplace.log
start_service Marketplace Bookstore.Marketplace "$MKT_DLL" "$MKT_LOG" \
    "ASPNETCORE_URLS=http://127.0.0.1:$MKT_PORT" "services__recommendations__http__0=http://127.0.0.1:$REC_PORT"
MKT_PID=$STARTED_PID
wait_healthy Marketplace "$MKT_PID" "http://127.0.0.1:$MKT_PORT/health"

curl -sS --max-time 10 -o "$LOG_DIR/home.html" -w '%{http_code}' "http://127.0.0.1:$MKT_PORT/" >"$LOG_DIR/home.status" \
    || die "GET / failed"
books=$(grep -oE '<li[[:space:]>]' "$LOG_DIR/home.html" | wc -l)   # <li>, not <link>
[[ "$(cat "$LOG_DIR/home.status")" == 200 && "$books" -eq 3 ]] \
    || die "home page: HTTP $(cat "$LOG_DIR/home.status") with $books <li> (want 200 and 3; see $LOG_DIR/home.html)"
log "home page: HTTP 200 with 3 books"
grep -q '<h1>About</h1>' <(curl -sS --max-time 10 "http://127.0.0.1:$MKT_PORT/about.html") \
    || die "/about.html is not the static About page"

rec_ok_before=$(count_in "$REC_LOG" "Recommend finished with OK")
wrk_run home "Marketplace /" /
rec_ok_after=$(count_in "$REC_LOG" "Recommend finished with OK")
wrk_run static "Marketplace /about.html" /about.html

REC_PEAK=$(peak_rss_mb "$REC_PID"); REC_RSS=$(cur_rss_mb "$REC_PID")
MKT_PEAK=$(peak_rss_mb "$MKT_PID"); MKT_RSS=$(cur_rss_mb "$MKT_PID")

# ---------------------------------------------------------------- checks of the run itself
# Every gRPC call logs one line with its status code; any status other than OK is a failed call.
rec_not_ok=$(grep -- 'finished with ' "$REC_LOG" | grep -vc -- 'finished with OK' || true)
(( rec_not_ok == 0 )) || problem "Recommendations logged $rec_not_ok calls that did not finish with OK"
rec_errors=$(grep -cE '^(fail|crit): ' "$REC_LOG" || true)
(( rec_errors == 0 )) || problem "Recommendations logged $rec_errors fail/crit entries"
rec_warn=$(grep -cE '^warn: ' "$REC_LOG" || true)
(( rec_warn == 0 )) || problem "Recommendations logged $rec_warn warnings"
mkt_unavailable=$(count_in "$MKT_LOG" "are unavailable")
(( mkt_unavailable == 0 )) || problem "Marketplace showed the fallback notice $mkt_unavailable times (Recommend failed)"
mkt_errors=$(grep -cE '^(fail|crit|warn): ' "$MKT_LOG" || true)
(( mkt_errors == 0 )) || problem "Marketplace logged $mkt_errors warn/fail/crit entries"
# One Recommend call per home page: the calls Recommendations served during the measured home run
# must cover wrk's completed requests (a few more: requests still in flight when wrk stopped).
home_calls=$(( rec_ok_after - rec_ok_before ))
if (( home_calls < REQS[home] )); then
    problem "home run: wrk completed ${REQS[home]} pages but Recommendations served only $home_calls Recommend calls"
fi
kill -0 "$REC_PID" 2>/dev/null || problem "Recommendations died during the run"
kill -0 "$MKT_PID" 2>/dev/null || problem "Marketplace died during the run"

# ---------------------------------------------------------------- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }
verdict_ge() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "nan" && v + 0 >= t + 0) ? "PASS" : "FAIL" }'; }
verdict_le() { awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 <= t + 0) ? "PASS" : "FAIL" }'; }

R1=$(ratio "${RPS[recommend]}" "${RPS[health]}"); V1=$(verdict_ge "$R1" "$RECOMMEND_VS_HEALTH_MIN")
R2=$(ratio "${RPS[home]}" "${RPS[static]}");      V2=$(verdict_ge "$R2" "$HOME_VS_STATIC_MIN")
V3=$(verdict_le "$REC_PEAK" "$PEAK_RSS_MAX_MB")
V4=$(verdict_le "$MKT_PEAK" "$PEAK_RSS_MAX_MB")

DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
DOTNET_VERSION=$(dotnet --version 2>/dev/null || echo '?')
H2_ARGS="h2load -c $H2_CONNS -m $H2_STREAMS -t 1 -D $DURATION"
WRK_ARGS="wrk -t1 -c$WRK_CONNS -d${DURATION}s --latency"

row() { printf '| %-36s | %-34s | %9s | %8s | %8s | %9s |\n' "$@"; }
table() {
    echo "Load (warm-up ${WARMUP} s, then measured ${DURATION} s; 127.0.0.1, $(nproc) cores, .NET SDK $DOTNET_VERSION, $ASPNETCORE_ENVIRONMENT)"
    echo
    row "Load" "Tool" "Req/s" "p50 ms" "p99 ms" "Requests"
    row "------------------------------------" "----------------------------------" "--------:" "-------:" "-------:" "--------:"
    row "gRPC Recommend (Recommendations)" "$H2_ARGS" "${RPS[recommend]}" "${P50[recommend]}" "${P99[recommend]}" "${REQS[recommend]}"
    row "gRPC Health/Check (Recommendations)" "$H2_ARGS" "${RPS[health]}" "${P50[health]}" "${P99[health]}" "${REQS[health]}"
    row "GET / home page (Marketplace)" "$WRK_ARGS" "${RPS[home]}" "${P50[home]}" "${P99[home]}" "${REQS[home]}"
    row "GET /about.html static (Marketplace)" "$WRK_ARGS" "${RPS[static]}" "${P50[static]}" "${P99[static]}" "${REQS[static]}"
    echo
    printf '| %-16s | %-16s | %-26s |\n' "Service" "Peak RSS (MiB)" "RSS at end (MiB)"
    printf '| %-16s | %-16s | %-26s |\n' "----------------" "---------------:" "-------------------------:"
    printf '| %-16s | %16s | %26s |\n' "Recommendations" "$REC_PEAK" "$REC_RSS"
    printf '| %-16s | %16s | %26s |\n' "Marketplace" "$MKT_PEAK" "$MKT_RSS"
    echo
    printf '| %-52s | %-8s | %-8s | %-6s |\n' "Target" "Actual" "Limit" "Result"
    printf '| %-52s | %-8s | %-8s | %-6s |\n' "----------------------------------------------------" "-------:" "-------:" "------"
    printf '| %-52s | %8s | %8s | %-6s |\n' "Recommend req/s / Health/Check req/s" "$R1" ">= $RECOMMEND_VS_HEALTH_MIN" "$V1"
    printf '| %-52s | %8s | %8s | %-6s |\n' "Home page req/s / static page req/s" "$R2" ">= $HOME_VS_STATIC_MIN" "$V2"
    printf '| %-52s | %8s | %8s | %-6s |\n' "Recommendations peak RSS (MiB)" "$REC_PEAK" "<= $PEAK_RSS_MAX_MB" "$V3"
    printf '| %-52s | %8s | %8s | %-6s |\n' "Marketplace peak RSS (MiB)" "$MKT_PEAK" "<= $PEAK_RSS_MAX_MB" "$V4"
    echo
    echo "Recommendations peak RSS after the two gRPC loads only: $REC_PEAK_AFTER_GRPC MiB."
    echo "Home run: ${REQS[home]} pages, $home_calls Recommend calls served meanwhile; fallback notices shown: $mkt_unavailable."
    [[ -z "$BUILD_NOTE" ]] || echo "Build: $BUILD_NOTE"
    if ((${#PROBLEMS[@]})); then
        echo
        echo "Run problems (the figures above are not trustworthy):"
        printf -- '- %s\n' "${PROBLEMS[@]}"
    else
        echo "Run checks: every measured request answered 200, every gRPC call logged OK, no warnings or errors in the service logs."
    fi
}

TABLE=$(table)
echo
echo "$TABLE"
{
    echo "# Bookstore benchmark results"
    echo
    echo "- Date: $DATE"
    echo "- Command: \`$COMMAND_LINE\`"
    echo "- Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load generator and services share it"
    echo
    echo "$TABLE"
} >"$RESULTS"
log "results written to $RESULTS; logs in $LOG_DIR"

if ((${#PROBLEMS[@]})); then exit 2; fi
for v in "$V1" "$V2" "$V3" "$V4"; do [[ "$v" == PASS ]] || exit 1; done
exit 0
