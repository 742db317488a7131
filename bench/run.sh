#!/usr/bin/env bash
# bench/run.sh - load benchmark of the Bookstore services on this machine (127.0.0.1 only).
#
# Usage (from the repository root or anywhere):   bench/run.sh
#   Overrides (environment variables, defaults in brackets):
#     WARMUP=15        warm-up duration of each load, seconds (not measured)
#     DURATION=20      measured duration of each load, seconds
#     H2_CONNS=16      h2load connections        (-c), the two gRPC loads
#     H2_STREAMS=8     h2load streams/connection (-m)
#     WRK_CONNS=32     wrk connections           (-c), the two HTTP loads
#     PAIRS=5          home/static pairs of short runs, interleaved, for the home page target (see step 4)
#     PAIR_SECONDS=4   duration of each run of a pair, seconds
#     SKIP_BUILD=1     use the existing Release build output instead of building
#     QUIET_WAIT=180   seconds to wait, before starting, for other work on the machine to calm down
#     MEASURE_TRIES=3  a measured run during which other processes took more than 10% of the CPU is
#                      run again, up to this many times in all
#     REC_ENV="A=1 B=2", MKT_ENV="..."   extra environment for Recommendations / Marketplace, for
#                      diagnosis only (e.g. MKT_ENV=OTEL_SDK_DISABLED=true); recorded in results.md
#     BENCH_DEBUG=1    log the raw CPU tick counts of each measured run
#     BENCH_CATALOG    Recommendations' connection string instead of a SQLite file of its own (bench/postgres.sh sets it;
#                      not recorded in the results, as it holds a password); RESULTS_FILE: where the results go
#   e.g.  WARMUP=30 DURATION=30 bench/run.sh
#   Takes about 4 x (WARMUP + DURATION) + ~40 s: 3 minutes with the defaults (more if it has to
#   wait for a quiet machine or measure again).
#
# What it does:
#   1. installs h2load (nghttp2-client) and wrk if missing; `dotnet build Bookstore.sln -c Release`
#      (Release only: bin/Debug and obj/Debug are never touched);
#   2. starts Recommendations (gRPC over h2c) from its Release output on a free port, waits for /health;
#   3. one curl each of gRPC Recommend and grpc.health.v1.Health/Check must end with `grpc-status: 0`;
#      then h2load (1 thread) against each: warm-up run, then measured run;
#   4. starts Marketplace from its Release output, pointed at Recommendations, its per-address rate limit off (one load
#      generator is one address); checks that `/` lists
#      3 books; then wrk (1 thread) against `/` and against the static `/about.html`: warm-up, measured; then PAIRS
#      pairs of short runs, home then static, whose ratios' median is the home page target's figure: the host's
#      speed drifts from minute to minute (the same code measured 0.40 and 0.71 in two 20 s windows one after the
#      other), and runs seconds apart see the same machine;
#   5. reads each service's peak RSS (VmHWM in /proc/PID/status) after the loads;
#   6. prints the results (markdown) and writes them to bench/results.md.
# Exit status: 0 all targets pass; 1 a target fails; 2 the run itself is not valid (a service or tool
# failed, non-200 responses, gRPC calls not OK, unexpected warnings/errors in the service logs).
#
# Both services run in Production with working directory = their project directory (their content
# root), so the appsettings.json they ship (logging levels included: one log line per gRPC call) and
# wwwroot apply. Their stdout/stderr go to bench/logs/<service>.log (gzipped at exit; bench/logs is
# overwritten each run and not committed). Every process started here is stopped on exit (trap), and
# also if this script is SIGKILLed (setpriv --pdeathsig).
set -euo pipefail

# The command as invoked, with the overrides the caller set (for results.md).
COMMAND_LINE=""
for v in WARMUP DURATION H2_CONNS H2_STREAMS WRK_CONNS PAIRS PAIR_SECONDS SKIP_BUILD QUIET_WAIT MEASURE_TRIES REC_ENV MKT_ENV; do
    if [[ -n "${!v:-}" ]]; then
        if [[ "${!v}" == *" "* ]]; then COMMAND_LINE+="$v='${!v}' "; else COMMAND_LINE+="$v=${!v} "; fi
    fi
done
COMMAND_LINE+="bench/run.sh"

WARMUP=${WARMUP:-15}
DURATION=${DURATION:-20}
H2_CONNS=${H2_CONNS:-16}
H2_STREAMS=${H2_STREAMS:-8}
WRK_CONNS=${WRK_CONNS:-32}
PAIRS=${PAIRS:-5}
PAIR_SECONDS=${PAIR_SECONDS:-4}
SKIP_BUILD=${SKIP_BUILD:-0}
QUIET_WAIT=${QUIET_WAIT:-180}
MEASURE_TRIES=${MEASURE_TRIES:-3}
OTHERS_MAX=10   # % of the machine's CPU that other processes may take during a measured run
read -r -a REC_EXTRA_ENV <<<"${REC_ENV:-}"
read -r -a MKT_EXTRA_ENV <<<"${MKT_ENV:-}"

# Targets.
RECOMMEND_VS_HEALTH_MIN=0.85
HOME_VS_STATIC_MIN=0.5
PEAK_RSS_MAX_MB=150

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
LOG_DIR=$BENCH_DIR/logs
RESULTS=${RESULTS_FILE:-$BENCH_DIR/results.md}

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

for v in WARMUP DURATION H2_CONNS H2_STREAMS WRK_CONNS PAIRS PAIR_SECONDS QUIET_WAIT MEASURE_TRIES; do
    [[ "${!v}" =~ ^[0-9]+$ ]] && { [[ $v == QUIET_WAIT ]] || (( ${!v} > 0 )); } || die "$v must be a positive integer (got '${!v}')"
done
for kv in "${REC_EXTRA_ENV[@]}" "${MKT_EXTRA_ENV[@]}"; do
    [[ "$kv" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "REC_ENV/MKT_ENV take VAR=VALUE words (got '$kv')"
done

# ---------------------------------------------------------------- cleanup
PIDS=()       # services
TOOL_PID=""   # the load tool running now
cleanup() {
    local status=$? pid
    trap - EXIT INT TERM
    [[ -z "$TOOL_PID" ]] || kill -TERM "$TOOL_PID" 2>/dev/null || true
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid did not stop within 10 s of SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    # The services log one line per call (hundreds of MB): keep their logs, compressed.
    for f in "$LOG_DIR"/recommendations.log "$LOG_DIR"/marketplace.log; do
        if [[ -s "$f" ]]; then gzip -f "$f" 2>/dev/null || true; fi
    done
    [[ -z "${REC_DB_DIR:-}" ]] || rm -rf "$REC_DB_DIR"
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
for tool in h2load wrk curl ss setpriv dotnet awk sort gzip od; do
    command -v "$tool" >/dev/null || die "$tool is required"
done

LOADAVG_AT_START=$(cut -d" " -f1-3 /proc/loadavg)
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
# Free = no socket of any state on it (a connection still in TIME_WAIT or one a load tool opened also holds a port), and
# below the kernel's ephemeral range, where the load tools' own connections take their ports (a port picked there was
# once taken between the check and the bind: "address already in use").
port_is_free() { [[ -z "$(ss -Htan "sport = :$1")" ]]; }
free_port() { # free_port [port to avoid]
    local p low
    low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range)
    for _ in $(seq 1 200); do
        p=$(( 20000 + RANDOM % (low > 21000 ? low - 20000 : 1000) ))
        if [[ "$p" != "${1:-}" ]] && port_is_free "$p"; then echo "$p"; return 0; fi
    done
    return 1
}

# run_tool OUTFILE CMD...: runs a load tool in the background and waits for it, so that a signal
# reaches our trap at once (bash runs traps only between foreground commands).
run_tool() {
    local out=$1; shift
    setpriv --pdeathsig TERM -- "$@" >"$out" 2>&1 &
    TOOL_PID=$!
    local status=0
    wait "$TOOL_PID" || status=$?
    TOOL_PID=""
    return "$status"
}

# start_service NAME PROJECT_DIR DLL LOGFILE [VAR=VALUE ...]; sets STARTED_PID.
start_service() {
    local name=$1 dir=$2 dll=$3 logfile=$4; shift 4
    (cd "$ROOT/$dir" && exec setpriv --pdeathsig TERM -- env ASPNETCORE_ENVIRONMENT=Production "$@" dotnet "$dll") \
        >"$logfile" 2>&1 &
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
        if [[ "$answer" == Healthy ]]; then
            # The PID must be the service itself (its CPU time and RSS are read from /proc/PID).
            [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dotnet ]] || die "pid $pid is not the $name process"
            log "$name is Healthy"; return 0
        fi
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

status_mb() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }   # status_mb PID VmHWM
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }                                 # utime + stime
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6, $7 + $8 + $9 }' /proc/stat; } # busy idle irq
CLK_TCK=$(getconf CLK_TCK)

PROBLEMS=()
problem() { PROBLEMS+=("$*"); log "PROBLEM: $*"; }

count_in() { grep -c -- "$2" "$1" || true; }

declare -A RPS P50 P99 REQS REC_CPU MKT_CPU BUSY OK_CALLS
declare -A M_REC M_MKT M_TOOL M_BUSY M_IDLE M_IRQ M_OK OTHER
NOTES=()
# The log line each gRPC call leaves in Recommendations, for the loads that make gRPC calls.
declare -A OK_LINE=([recommend]="/Recommendations/Recommend finished with OK"
    [health]="/grpc.health.v1.Health/Check finished with OK" [home]="/Recommendations/Recommend finished with OK")

# child_ticks: CPU ticks of the children this shell has waited for (the load tools, mostly), from
# the output of `times` (which must run in this shell, not in a $(subshell): that has children of its own).
child_ticks() {
    awk -v hz="$CLK_TCK" '
        function secs(t,  m) { m = t; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", t); sub(/s$/, "", t); return m * 60 + t }
        NR == 2 { printf "%.0f", (secs($1) + secs($2)) * hz }' "$LOG_DIR/times.txt"
}

# proc_ticks: "PID TICKS NAME" of every process (to name the other work when there is some).
proc_ticks() {
    # A process that exits between the glob and the read makes cat fail: not an error here (set -o pipefail).
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{ i = match($0, /\) [A-Z] /); name = substr($0, index($0, "(") + 1, i - index($0, "(") - 1)
        n = split(substr($0, i + 2), f, " "); print $1, f[12] + f[13], name }'
}

# top_others: the processes other than ours that took the most CPU between the last two marks.
top_others() {
    local total=$1
    awk -v total="$total" -v ours=" ${REC_PID:-} ${MKT_PID:-} " '
        NR == FNR { before[$1] = $2; next }
        { d = ($1 in before) ? $2 - before[$1] : $2 }
        index(ours, " " $1 " ") == 0 && d > 0 { use[$3] += d }
        END { for (p in use) printf "%d %s\n", use[p], p }' "$LOG_DIR/procs-before.txt" "$LOG_DIR/procs-after.txt" \
        | sort -rn | head -n 3 | awk -v total="$total" '{ printf "%s%s %.0f%%", (NR > 1 ? ", " : ""), $2, 100 * $1 / total }'
}

# mark KEY before|after: samples the services' and the load tool's CPU time, the machine's CPU and
# the gRPC calls logged OK, just before / just after the measured run.
mark() {
    local key=$1 when=$2 busy idle irq
    [[ $when == after ]] || count_ok_calls "$key" "$when"
    M_REC[$key.$when]=$(cpu_ticks "$REC_PID")
    M_MKT[$key.$when]=$( [[ -n "${MKT_PID:-}" ]] && cpu_ticks "$MKT_PID" || echo 0)
    times >"$LOG_DIR/times.txt"
    M_TOOL[$key.$when]=$(child_ticks)
    proc_ticks >"$LOG_DIR/procs-$when.txt"
    read -r busy idle irq < <(machine_ticks)
    M_BUSY[$key.$when]=$busy; M_IDLE[$key.$when]=$idle; M_IRQ[$key.$when]=$irq
    [[ $when == before ]] || count_ok_calls "$key" "$when"
}
count_ok_calls() { # count_ok_calls KEY before|after
    if [[ -n "${OK_LINE[$1]:-}" ]]; then
        [[ $2 == before ]] || sleep 1   # the log is written asynchronously: let it settle
        M_OK[$1.$2]=$(count_in "$REC_LOG" "${OK_LINE[$1]}")
    fi
}

# others_pct KEY: % of the machine's CPU that processes other than the two services and the load
# tool used during the measured run (the other work skews the figures). Interrupt time (the loopback
# traffic's softirqs, mostly) is left out: it belongs to no process.
others_pct() {
    local key=$1
    awk -v b=$(( M_BUSY[$key.after] - M_BUSY[$key.before] - M_IRQ[$key.after] + M_IRQ[$key.before] )) -v i=$(( M_IDLE[$key.after] - M_IDLE[$key.before]  + M_IRQ[$key.after] - M_IRQ[$key.before] )) \
        -v o=$(( M_REC[$key.after] - M_REC[$key.before] + M_MKT[$key.after] - M_MKT[$key.before] + M_TOOL[$key.after] - M_TOOL[$key.before] )) \
        'BEGIN { x = 100 * (b - o) / (b + i); if (x < 0) x = 0; printf "%.0f", x }'
}

# measure KEY OUTFILE CMD...: the measured run, between two marks; run again (up to MEASURE_TRIES
# times in all) while other processes take more than OTHERS_MAX % of the CPU.
measure() {
    local key=$1 out=$2; shift 2
    local try others
    for try in $(seq 1 "$MEASURE_TRIES"); do
        mark "$key" before
        run_tool "$out" "$@" || die "$1 failed (see $out)"
        mark "$key" after
        others=$(others_pct "$key")
        [[ -z "${BENCH_DEBUG:-}" ]] || log "debug $key: busy $(( M_BUSY[$key.after] - M_BUSY[$key.before] )) idle $(( M_IDLE[$key.after] - M_IDLE[$key.before] )) irq $(( M_IRQ[$key.after] - M_IRQ[$key.before] )) rec $(( M_REC[$key.after] - M_REC[$key.before] )) mkt $(( M_MKT[$key.after] - M_MKT[$key.before] )) tool $(( M_TOOL[$key.after] - M_TOOL[$key.before] ))"
        (( others > OTHERS_MAX && try < MEASURE_TRIES )) || break
        log "other processes used ${others}% of the CPU during that run ($(top_others $(( M_BUSY[$key.after] - M_BUSY[$key.before] + M_IDLE[$key.after] - M_IDLE[$key.before] )))): measuring again ($(( try + 1 ))/$MEASURE_TRIES)"
    done
}

# summarize KEY: CPU per request of each service (microseconds) and machine CPU busy (%) over the measured run.
summarize() {
    local key=$1 n=${REQS[$1]}
    local d_rec=$(( M_REC[$key.after] - M_REC[$key.before] )) d_mkt=$(( M_MKT[$key.after] - M_MKT[$key.before] ))
    REC_CPU[$key]=$(awk -v t="$d_rec" -v n="$n" -v hz="$CLK_TCK" \
        'BEGIN { printf "%.0f", t / hz * 1e6 / n }')
    MKT_CPU[$key]=$(awk -v t="$d_mkt" -v n="$n" -v hz="$CLK_TCK" \
        'BEGIN { if (t == 0) print "-"; else printf "%.0f", t / hz * 1e6 / n }')
    local d_tool=$(( M_TOOL[$key.after] - M_TOOL[$key.before] ))
    local d_busy=$(( M_BUSY[$key.after] - M_BUSY[$key.before] )) d_idle=$(( M_IDLE[$key.after] - M_IDLE[$key.before] ))
    BUSY[$key]=$(awk -v b="$d_busy" -v i="$d_idle" 'BEGIN { printf "%.0f%%", 100 * b / (b + i) }')
    OTHER[$key]="$(others_pct "$key")%"
    if (( ${OTHER[$key]%\%} > OTHERS_MAX )); then
        local top
        top=$(top_others $(( M_BUSY[$key.after] - M_BUSY[$key.before] + M_IDLE[$key.after] - M_IDLE[$key.before] ))) || top="?"
        NOTES+=("$key: other processes used ${OTHER[$key]} of the machine's CPU during the measured run ($top); its figures are skewed")
        log "WARNING: ${NOTES[-1]}"
    fi
    if [[ -n "${OK_LINE[$key]:-}" ]]; then
        OK_CALLS[$key]=$(( M_OK[$key.after] - M_OK[$key.before] ))
        # Each measured request makes one gRPC call (a few more: calls in flight when the tool stopped).
        if (( OK_CALLS[$key] == 0 )) && [[ -n "${REC_ENV:-}" ]]; then
            NOTES+=("$key: Recommendations logged no calls (REC_ENV changed its logging?): gRPC statuses not verified")
        elif (( OK_CALLS[$key] < n )); then
            problem "$key: ${n} requests completed but Recommendations logged only ${OK_CALLS[$key]} OK calls"
        fi
    fi
}

# h2load_run KEY LABEL PATH BODY_FILE: warm-up + measured run against Recommendations.
h2load_run() {
    local key=$1 label=$2 path=$3 body=$4
    local url="http://127.0.0.1:$REC_PORT$path" out=$LOG_DIR/h2load-$key.txt tsv=$LOG_DIR/h2load-$key.tsv
    local -a args=(-c "$H2_CONNS" -m "$H2_STREAMS" -t 1 -d "$body" -H 'content-type: application/grpc' -H 'te: trailers')
    log "h2load $label: warm-up ${WARMUP}s"
    run_tool "$LOG_DIR/h2load-$key-warmup.txt" h2load "${args[@]}" -D "$WARMUP" "$url" \
        || die "h2load warm-up failed (see $LOG_DIR/h2load-$key-warmup.txt)"
    log "h2load $label: measured ${DURATION}s (-c $H2_CONNS -m $H2_STREAMS -t 1)"
    measure "$key" "$out" h2load "${args[@]}" -D "$DURATION" --log-file="$tsv" "$url"

    local total ndone ok failed errored timeout s2xx non200 p50 p99
    RPS[$key]=$(awk '/^finished in/ { sub(/,$/, "", $4); printf "%.0f", $4 }' "$out")
    read -r total ndone ok failed errored timeout < <(awk '/^requests:/ { print $2, $6, $8, $10, $12, $14 }' "$out")
    s2xx=$(awk '/^status codes:/ { print $3 }' "$out")
    [[ -n "${RPS[$key]}" && -n "$ndone" && -n "$s2xx" ]] || die "cannot parse $out"
    REQS[$key]=$ndone
    if (( failed + errored + timeout > 0 || s2xx != ndone || ndone == 0 )); then
        problem "$label: $ndone done, $s2xx 2xx, $failed failed, $errored errored, $timeout timeout"
    fi
    non200=$(awk -F'\t' '$2 != 200 { n++ } END { print n + 0 }' "$tsv")
    (( non200 == 0 )) || problem "$label: $non200 responses other than HTTP 200 in $tsv"
    # Nearest-rank percentiles of the per-request latency (microseconds, column 3).
    read -r p50 p99 < <(cut -f3 "$tsv" | sort -n | awk '{ v[NR] = $1 }
        function rank(p,  i) { i = int(NR * p); if (i < NR * p) i++; if (i < 1) i = 1; return v[i] }
        END { if (NR == 0) print "nan nan"; else printf "%.2f %.2f\n", rank(0.50) / 1000, rank(0.99) / 1000 }')
    P50[$key]=$p50; P99[$key]=$p99
    summarize "$key"
    log "$label: ${RPS[$key]} req/s, p50 $p50 ms, p99 $p99 ms ($ndone calls, CPU ${REC_CPU[$key]} us/call, machine ${BUSY[$key]} busy, ${OTHER[$key]} by others)"
}

# wrk_run KEY LABEL PATH: warm-up + measured run against Marketplace, as a returning visitor (the Marketplace's visitor
# cookie; without it every request would be a new visitor, whose id gets a cookie and a first look-up of its ratings).
VISITOR_COOKIE="Cookie: bookstore-visitor=424242"
wrk_run() {
    local key=$1 label=$2 path=$3
    local url="http://127.0.0.1:$MKT_PORT$path" out=$LOG_DIR/wrk-$key.txt
    log "wrk $label: warm-up ${WARMUP}s"
    run_tool "$LOG_DIR/wrk-$key-warmup.txt" wrk -t1 -c"$WRK_CONNS" -d"${WARMUP}s" -H "$VISITOR_COOKIE" "$url" \
        || die "wrk warm-up failed (see $LOG_DIR/wrk-$key-warmup.txt)"
    log "wrk $label: measured ${DURATION}s (-t1 -c$WRK_CONNS)"
    measure "$key" "$out" wrk -t1 -c"$WRK_CONNS" -d"${DURATION}s" --latency -H "$VISITOR_COOKIE" "$url"

    local non2xx sockerr
    RPS[$key]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
    P50[$key]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    P99[$key]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    REQS[$key]=$(awk '/requests in/ { print $1 }' "$out")
    [[ -n "${RPS[$key]}" && -n "${REQS[$key]}" ]] || die "cannot parse $out"
    non2xx=$(awk -F': ' '/Non-2xx or 3xx responses/ { print $2 }' "$out")
    sockerr=$(awk '/Socket errors/ { print }' "$out")
    [[ -z "$non2xx" ]] || problem "$label: $non2xx non-2xx/3xx responses"
    [[ -z "$sockerr" ]] || problem "$label: $sockerr"
    summarize "$key"
    log "$label: ${RPS[$key]} req/s, p50 ${P50[$key]} ms, p99 ${P99[$key]} ms (${REQS[$key]} requests, CPU us/req Marketplace ${MKT_CPU[$key]} + Recommendations ${REC_CPU[$key]}, machine ${BUSY[$key]} busy, ${OTHER[$key]} by others)"
}

# grpc_check LABEL PATH BODY_FILE: one call with curl; the trailers must say grpc-status: 0.
grpc_check() {
    local label=$1 path=$2 body=$3 headers=$LOG_DIR/curl-$1.txt
    curl -sS --http2-prior-knowledge --max-time 5 -H 'content-type: application/grpc' -H 'te: trailers' \
        --data-binary @"$body" -D "$headers" -o "$LOG_DIR/curl-$label.bin" \
        "http://127.0.0.1:$REC_PORT$path" || die "curl $label failed"
    grep -qix 'grpc-status: *0' < <(tr -d '\r' <"$headers") \
        || die "$label: no 'grpc-status: 0' in the response (see $headers)"
    log "$label: curl got HTTP/2 200 with grpc-status: 0"
}

# log_entries LOG ABORT_REGEX: counts the warn/fail/crit entries of a console log as "ABORTS OTHERS";
# ABORTS are the entries whose text matches ABORT_REGEX (requests cut off by a client that went away).
log_entries() {
    awk -v re="$2" '
        function flush() { if (inentry) { if (text ~ re) a++; else o++ } inentry = 0; text = "" }
        /^[a-z]+: / { flush(); if ($1 ~ /^(warn|fail|crit):$/) { inentry = 1; text = $0 }; next }
        inentry { text = text "\n" $0 }
        END { flush(); print a + 0, o + 0 }' "$1"
}

# ---------------------------------------------------------------- quiet machine
# Other work on these 2 cores skews every figure: wait (up to QUIET_WAIT s) until the machine is
# less than 25% busy over 3 s; the "Others" column then shows what other processes took meanwhile.
machine_busy_pct() { # over $1 seconds
    local b1 i1 b2 i2
    read -r b1 i1 _ < <(machine_ticks); sleep "$1"; read -r b2 i2 _ < <(machine_ticks)
    echo $(( 100 * (b2 - b1) / (b2 - b1 + i2 - i1 + 1) ))
}
quiet_deadline=$(( SECONDS + QUIET_WAIT ))
while busy=$(machine_busy_pct 3); (( busy >= 25 )); do
    if (( SECONDS >= quiet_deadline )); then
        NOTES+=("the machine was still ${busy}% busy with other work when the run started (waited ${QUIET_WAIT} s)")
        log "WARNING: ${NOTES[-1]}"
        break
    fi
    log "the machine is ${busy}% busy with other work: waiting for it to calm down"
    sleep 5
done

# ---------------------------------------------------------------- Recommendations
REC_PORT=$(free_port) || die "no free port"
REC_LOG=$LOG_DIR/recommendations.log
# Its catalog: a SQLite file of its own (created and migrated at start), as the embedded default runs it; or the
# database in BENCH_CATALOG (bench/postgres.sh: PostgreSQL, migrated before), which is not recorded: it holds a password.
REC_DB_DIR=$(mktemp -d)
start_service Recommendations Bookstore.Recommendations "$REC_DLL" "$REC_LOG" \
    "ASPNETCORE_URLS=http://127.0.0.1:$REC_PORT" "ConnectionStrings__catalog=${BENCH_CATALOG:-Data Source=$REC_DB_DIR/catalog.db}" "${REC_EXTRA_ENV[@]}"
REC_PID=$STARTED_PID
wait_healthy Recommendations "$REC_PID" "http://127.0.0.1:$REC_PORT/health" --http2-prior-knowledge
REC_START_RSS=$(status_mb "$REC_PID" VmRSS)

RECOMMEND_BODY=$LOG_DIR/recommend-request.bin
HEALTH_BODY=$LOG_DIR/health-request.bin
printf '\x00\x00\x00\x00\x04\x08\x01\x18\x03' >"$RECOMMEND_BODY"   # user_id 1, MYSTERY, max_results 3
printf '\x00\x00\x00\x00\x00' >"$HEALTH_BODY"                      # empty HealthCheckRequest
grpc_check recommend /Recommendations/Recommend "$RECOMMEND_BODY"
grpc_check health /grpc.health.v1.Health/Check "$HEALTH_BODY"
# Recommend's reply must hold 3 books (field 1, tag 0x0a, three times); Check's must be SERVING (08 01).
[[ $(od -An -tx1 -v "$LOG_DIR/curl-recommend.bin" | tr -s ' \n' ' ' | grep -o ' 0a ' | wc -l) -ge 3 ]] \
    || die "the Recommend reply does not hold 3 books (see $LOG_DIR/curl-recommend.bin)"
[[ "$(od -An -tx1 -v "$LOG_DIR/curl-health.bin" | tr -s ' \n' ' ')" == " 00 00 00 00 02 08 01 " ]] \
    || die "the Health/Check reply is not SERVING (see $LOG_DIR/curl-health.bin)"

h2load_run recommend "gRPC Recommend" /Recommendations/Recommend "$RECOMMEND_BODY"
h2load_run health "gRPC Health/Check" /grpc.health.v1.Health/Check "$HEALTH_BODY"
REC_PEAK_AFTER_GRPC=$(status_mb "$REC_PID" VmHWM)

# ---------------------------------------------------------------- Marketplace
MKT_PORT=$(free_port "$REC_PORT") || die "no free port"
MKT_LOG=$LOG_DIR/marketplace.log
start_service Marketplace Bookstore.Marketplace "$MKT_DLL" "$MKT_LOG" \
    "ASPNETCORE_URLS=http://127.0.0.1:$MKT_PORT" "services__recommendations__http__0=http://127.0.0.1:$REC_PORT" \
    RateLimiting__Enabled=false "${MKT_EXTRA_ENV[@]}"
MKT_PID=$STARTED_PID
wait_healthy Marketplace "$MKT_PID" "http://127.0.0.1:$MKT_PORT/health"
MKT_START_RSS=$(status_mb "$MKT_PID" VmRSS)

home_status=$(curl -sS --max-time 10 -o "$LOG_DIR/home.html" -w '%{http_code}' "http://127.0.0.1:$MKT_PORT/") \
    || die "GET / failed"
books=$(grep -oE '<li[[:space:]>]' "$LOG_DIR/home.html" | wc -l)   # <li ...>, not <link>
[[ "$home_status" == 200 && "$books" -eq 3 ]] \
    || die "home page: HTTP $home_status with $books <li> (want 200 and 3; see $LOG_DIR/home.html)"
log "home page: HTTP 200 with 3 books"
grep -q '<h1>About</h1>' <(curl -sS --max-time 10 "http://127.0.0.1:$MKT_PORT/about.html") \
    || die "/about.html is not the static About page"

wrk_run home "Marketplace /" /
wrk_run static "Marketplace /about.html" /about.html

# The home page target: PAIRS pairs of short runs, home then static, and the median of their ratios.
PAIR_RATIOS=()
for pair in $(seq 1 "$PAIRS"); do
    declare -A pair_rps=()
    for target in home:/ static:/about.html; do
        key=${target%%:*} path=${target#*:}
        out=$LOG_DIR/wrk-pair-$pair-$key.txt
        run_tool "$out" wrk -t1 -c"$WRK_CONNS" -d"${PAIR_SECONDS}s" -H "$VISITOR_COOKIE" "http://127.0.0.1:$MKT_PORT$path" \
            || die "wrk failed (see $out)"
        ! grep -q 'Non-2xx or 3xx responses\|Socket errors' "$out" || problem "pair $pair, $key: $(grep 'Non-2xx or 3xx responses\|Socket errors' "$out")"
        pair_rps[$key]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
        [[ -n "${pair_rps[$key]}" ]] || die "cannot parse $out"
    done
    PAIR_RATIOS+=("$(awk -v a="${pair_rps[home]}" -v b="${pair_rps[static]}" 'BEGIN { printf "%.2f", a / b }')")
    log "pair $pair: home ${pair_rps[home]} req/s, static ${pair_rps[static]} req/s, ratio ${PAIR_RATIOS[-1]}"
done
PAIR_MEDIAN=$(printf '%s\n' "${PAIR_RATIOS[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

REC_PEAK=$(status_mb "$REC_PID" VmHWM); REC_RSS=$(status_mb "$REC_PID" VmRSS)
MKT_PEAK=$(status_mb "$MKT_PID" VmHWM); MKT_RSS=$(status_mb "$MKT_PID" VmRSS)
rss_parts() { echo "$(status_mb "$1" RssAnon) + $(status_mb "$1" RssFile) + $(status_mb "$1" RssShmem)"; }
REC_PARTS=$(rss_parts "$REC_PID"); MKT_PARTS=$(rss_parts "$MKT_PID")
REC_THREADS=$(awk '$1 == "Threads:" { print $2 }' "/proc/$REC_PID/status")
MKT_THREADS=$(awk '$1 == "Threads:" { print $2 }' "/proc/$MKT_PID/status")

# ---------------------------------------------------------------- checks of the run itself
# Every gRPC call leaves one log line with its status code; any status but OK is a failed call.
rec_not_ok=$(grep -- 'finished with ' "$REC_LOG" | grep -vc -- 'finished with OK' || true)
(( rec_not_ok == 0 )) || problem "Recommendations logged $rec_not_ok calls that did not finish with OK"
# A load tool that stops closes its connections under the requests still in flight; the services log
# those as errors. At most (connections x streams) per tool run: beyond that, something else went wrong.
read -r rec_aborts rec_others < <(log_entries "$REC_LOG" 'HTTP/2 connection faulted|request stream was aborted|ConnectionAbortedException')
read -r mkt_aborts mkt_others < <(log_entries "$MKT_LOG" 'StatusCode="Cancelled", Detail="Call canceled by the client[.]"')
(( rec_others == 0 )) || problem "Recommendations logged $rec_others warn/fail/crit entries (see $REC_LOG.gz)"
(( mkt_others == 0 )) || problem "Marketplace logged $mkt_others warn/fail/crit entries (see $MKT_LOG.gz)"
(( rec_aborts <= 4 * H2_CONNS * H2_STREAMS + (2 + 2 * PAIRS) * WRK_CONNS )) \
    || problem "Recommendations logged $rec_aborts aborted calls: more than the load tools' stops explain"
(( mkt_aborts <= (2 + 2 * PAIRS) * WRK_CONNS )) \
    || problem "Marketplace logged $mkt_aborts aborted pages: more than wrk's stops explain"
mkt_unavailable=$(count_in "$MKT_LOG" "are unavailable")
(( mkt_unavailable == 0 )) || problem "Marketplace showed the fallback notice $mkt_unavailable times (Recommend failed)"
kill -0 "$REC_PID" 2>/dev/null || problem "Recommendations died during the run"
kill -0 "$MKT_PID" 2>/dev/null || problem "Marketplace died during the run"

# ---------------------------------------------------------------- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }
verdict_ge() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "nan" && v + 0 >= t + 0) ? "PASS" : "FAIL" }'; }
verdict_le() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "" && v + 0 <= t + 0) ? "PASS" : "FAIL" }'; }

R1=$(ratio "${RPS[recommend]}" "${RPS[health]}"); V1=$(verdict_ge "$R1" "$RECOMMEND_VS_HEALTH_MIN")
R2=$(ratio "${RPS[home]}" "${RPS[static]}")
V2=$(verdict_ge "$PAIR_MEDIAN" "$HOME_VS_STATIC_MIN")
V3=$(verdict_le "$REC_PEAK" "$PEAK_RSS_MAX_MB")
V4=$(verdict_le "$MKT_PEAK" "$PEAK_RSS_MAX_MB")
# A ratio of loads of which one ran while other work took CPU is marked: run again on a quiet machine.
# (Peak RSS hardly depends on it.)
skewed() { local k; for k in "$@"; do (( ${OTHER[$k]%\%} > OTHERS_MAX )) && return 0; done; return 1; }
S1=""; S2=""
if skewed recommend health; then S1=" *"; fi
if skewed home static; then S2=" *"; fi

H2_ARGS="h2load -c$H2_CONNS -m$H2_STREAMS -t1"
WRK_ARGS="wrk -t1 -c$WRK_CONNS"

report() {
    local fmt='| %-38s | %-21s | %7s | %6s | %6s | %8s | %10s | %10s | %7s | %6s |\n'
    echo "# Bookstore benchmark results"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- Command: \`$COMMAND_LINE\` (warm-up ${WARMUP} s, then measured ${DURATION} s, per load)"
    echo "- Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM," \
        "load generator and services on the same cores; .NET SDK $(dotnet --version 2>/dev/null || echo '?'), Production;" \
        "load average at start: $LOADAVG_AT_START"
    [[ -z "$BUILD_NOTE" ]] || echo "- Build: $BUILD_NOTE"
    echo
    # shellcheck disable=SC2059
    {
        printf "$fmt" "Load" "Tool" "Req/s" "p50 ms" "p99 ms" "Requests" "Mkt CPU us" "Rec CPU us" "CPU busy" "Others"
        printf "$fmt" "--------------------------------------" "---------------------" "------:" "-----:" "-----:" "-------:" "---------:" "---------:" "------:" "-----:"
        printf "$fmt" "gRPC Recommend (Recommendations)" "$H2_ARGS" "${RPS[recommend]}" "${P50[recommend]}" "${P99[recommend]}" "${REQS[recommend]}" "-" "${REC_CPU[recommend]}" "${BUSY[recommend]}" "${OTHER[recommend]}"
        printf "$fmt" "gRPC Health/Check (Recommendations)" "$H2_ARGS" "${RPS[health]}" "${P50[health]}" "${P99[health]}" "${REQS[health]}" "-" "${REC_CPU[health]}" "${BUSY[health]}" "${OTHER[health]}"
        printf "$fmt" "GET / home page (Marketplace)" "$WRK_ARGS" "${RPS[home]}" "${P50[home]}" "${P99[home]}" "${REQS[home]}" "${MKT_CPU[home]}" "${REC_CPU[home]}" "${BUSY[home]}" "${OTHER[home]}"
        printf "$fmt" "GET /about.html static (Marketplace)" "$WRK_ARGS" "${RPS[static]}" "${P50[static]}" "${P99[static]}" "${REQS[static]}" "${MKT_CPU[static]}" "${REC_CPU[static]}" "${BUSY[static]}" "${OTHER[static]}"
    }
    echo
    echo "Mkt/Rec CPU us = CPU time (user + system) the service spent per request of the measured run; CPU busy = whole machine; Others = CPU used by other processes than the services and the load tool (more than $OTHERS_MAX% skews the figures; such runs are measured again up to $MEASURE_TRIES times)."
    echo
    local mfmt='| %-16s | %14s | %13s | %13s | %28s | %7s |\n'
    # shellcheck disable=SC2059
    {
        printf "$mfmt" "Service" "Peak RSS (MiB)" "RSS at start" "RSS at end" "at end: anon + file + shmem" "Threads"
        printf "$mfmt" "----------------" "-------------:" "------------:" "------------:" "---------------------------:" "------:"
        printf "$mfmt" "Recommendations" "$REC_PEAK" "$REC_START_RSS" "$REC_RSS" "$REC_PARTS" "$REC_THREADS"
        printf "$mfmt" "Marketplace" "$MKT_PEAK" "$MKT_START_RSS" "$MKT_RSS" "$MKT_PARTS" "$MKT_THREADS"
    }
    echo
    echo "Peak RSS = VmHWM after all loads (Recommendations' was $REC_PEAK_AFTER_GRPC MiB after its own two loads, before the home page load)."
    echo
    local tfmt='| %-40s | %7s | %7s | %-6s |\n'
    # shellcheck disable=SC2059
    {
        printf "$tfmt" "Target" "Actual" "Limit" "Result"
        printf "$tfmt" "----------------------------------------" "------:" "------:" "------"
        printf "$tfmt" "Recommend req/s / Health/Check req/s" "$R1" ">= $RECOMMEND_VS_HEALTH_MIN" "$V1$S1"
        printf "$tfmt" "Home page req/s / static page req/s" "$PAIR_MEDIAN" ">= $HOME_VS_STATIC_MIN" "$V2$S2"
        printf "$tfmt" "Recommendations peak RSS (MiB)" "$REC_PEAK" "<= $PEAK_RSS_MAX_MB" "$V3"
        printf "$tfmt" "Marketplace peak RSS (MiB)" "$MKT_PEAK" "<= $PEAK_RSS_MAX_MB" "$V4"
    }
    echo
    echo "Home page / static page: the median of $PAIRS pairs of ${PAIR_SECONDS} s runs, home then static, interleaved (ratios: ${PAIR_RATIOS[*]}); the two ${DURATION} s windows of the table above give $R2."
    if [[ -n "$S1$S2" ]]; then
        echo
        echo "\* measured while other processes took more than $OTHERS_MAX% of the CPU (see Others): not a fair verdict; run again on a quiet machine."
    fi
    echo
    echo "Run checks:"
    echo "- gRPC calls logged OK by Recommendations during the measured runs: Recommend ${OK_CALLS[recommend]}, Health/Check ${OK_CALLS[health]}, Recommend during the home page run ${OK_CALLS[home]}; calls logged with another status: $rec_not_ok; fallback notices on the home page: $mkt_unavailable."
    echo "- Errors logged because a load tool stopped with requests in flight (client aborts, expected): Recommendations $rec_aborts, Marketplace $mkt_aborts."
    if ((${#NOTES[@]})); then printf -- '- Note: %s\n' "${NOTES[@]}"; fi
    if ((${#PROBLEMS[@]})); then
        echo "- PROBLEMS (the figures are not trustworthy):"
        printf -- '  - %s\n' "${PROBLEMS[@]}"
    else
        echo "- Every measured request answered 200; no other warnings or errors in the service logs."
    fi
}

report >"$RESULTS"
echo
cat "$RESULTS"
log "results written to $RESULTS; logs in $LOG_DIR"

if ((${#PROBLEMS[@]})); then exit 2; fi
for v in "$V1" "$V2" "$V3" "$V4"; do [[ "$v" == PASS ]] || exit 1; done
exit 0
