#!/usr/bin/env bash
# bench/startup.sh - start-up and shutdown of the app, ours against stock Aspire, measured side by side.
#
# "Ours" is Bookstore.AppHost; "stock" is bench/StockAppHost: the same two services as stock Aspire 13.6 runs them
# (dotnet run per project, Aspire's health checks, discovery through DCP's proxy), plus only the HTTP/2 health check
# without which WaitFor never ends. Runs are interleaved (ours, stock, ours, stock, ...) so that the machine's noise
# falls on both; each figure is the median of RUNS runs, and the targets are ratios of medians:
#   1. `dotnet run --project <AppHost> --no-build` until the home page shows 3 books      ours <= 0.6 x stock
#   2. SIGTERM to the AppHost until no process of the app (AppHost, DCP, dashboard, services) is left   <= 0.3 x stock
#   3. a distributed test class: Aspire.Hosting.Testing start, one home page, dispose (bench/TestClassTiming)  <= 0.6 x stock
# Before each pair of runs it prints how fast each CPU is relative to the fastest (bench/cpu-speed.sh): on the VM this
# is measured on, one of the two vCPUs runs at about 0.55 of the other's speed at times, which moves both AppHosts.
# Debug builds, as `dotnet run` and `dotnet test` use by default (CONFIGURATION=Release for Release).
#
# DCP generates a TLS certificate for its API server at every start (about 1.5 s of CPU here) unless Aspire finds a
# trusted ASP.NET Core development certificate, which it hands to DCP. DEV_CERT=1 (the default) creates and trusts one
# (`dotnet dev-certs https --trust`, SSL_CERT_DIR, as Aspire's Linux docs ask); DEV_CERT=0 measures without it.
# Usage: bench/startup.sh            RUNS=9 DEV_CERT=0 bench/startup.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
runs=${RUNS:-5}
configuration=${CONFIGURATION:-Debug}
log=$(mktemp)
pages=$(mktemp -u)
trap 'rm -f "$log" "$pages"' EXIT

if [[ ${DEV_CERT:-1} == 1 ]]; then
  dotnet dev-certs https --trust >/dev/null 2>&1 || true   # it says "error" about other trust stores; OpenSSL's is enough
  export SSL_CERT_DIR="$HOME/.aspnet/dev-certs/trust:${SSL_CERT_DIR:-/usr/lib/ssl/certs}"
  echo "== with a trusted development certificate (DCP reuses it)"
else
  echo "== without a development certificate (DCP generates its own at every start)"
fi

dotnet build bench/TestClassTiming -c "$configuration" -v quiet -nologo >/dev/null   # both AppHosts and both services

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Every process of one app: the AppHost, the DCP processes that monitor it (they detach) and all their descendants.
app_processes() {
  local apphost=$1 roots pid
  roots="$apphost $(pgrep -f -- "--monitor $apphost( |$)" || true)"
  for pid in $roots; do
    echo "$pid"
    descendants "$pid"
  done | sort -u
}
descendants() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# A process is running until it has exited: a zombie (state Z) has exited and only waits for its parent to collect its
# exit status. DCP's API server forks itself away from the AppHost, so it, and its controller after it, are collected by
# PID 1; here PID 1 is the sandbox's agent, which collects orphans only every second or two (measured: the controller's
# zombie stayed 1.2-2.0 s after its exit), where an init such as systemd or tini does it at once.
running() {
  local key value
  [[ -r /proc/$1/status ]] || return 1
  while read -r key value _; do
    [[ $key == State: ]] && { [[ $value != Z ]]; return; }
  done <"/proc/$1/status" 2>/dev/null
  return 1
}

# The waits below start no process while they wait: on this machine every fork and exec costs 5-25 ms of CPU (a
# `curl | grep | grep`, `date` and `sleep` per poll took 74 ms of CPU, so a poll every 20 ms kept one of the two cores
# busy), and a harness that takes a core from the app it measures measures the harness. The home page is asked for by
# one curl that fetches it 50 times a second (URL globbing, --rate) and one grep that passes on only the two marks we
# count; `pause` sleeps on a pipe that never delivers (bash's read -t), so it forks nothing.
exec {never}<> <(:)
pause() { read -r -t "$1" -u "$never" _ || true; }

# Waits until the home page shows 3 books: returns 1 if the runner ($1) exits first or after 60 s. curl is stopped by
# its pid at the end (it would go on polling otherwise: it ignores SIGPIPE and goes on to the next URL).
wait_for_home_page() {
  local runner=$1 deadline=$((${EPOCHREALTIME/./} + 60000000)) books=0 token poll poller
  rm -f "$pages" && mkfifo "$pages"
  curl -s -m 2 --rate 50/s -w '\nEND-OF-PAGE\n' "http://localhost:5190/?poll=[1-100000]" >"$pages" 2>/dev/null &
  poller=$!
  exec {poll}< <(grep --line-buffered -o 'data-book-id\|END-OF-PAGE' <"$pages")
  while read -r -u "$poll" token; do
    if [[ $token == END-OF-PAGE ]]; then
      ((books == 3)) && break
      books=0
      kill -0 "$runner" 2>/dev/null && ((${EPOCHREALTIME/./} < deadline)) || break
    else
      books=$((books + 1))
    fi
  done
  kill "$poller" 2>/dev/null || true
  wait "$poller" 2>/dev/null || true
  exec {poll}<&-   # grep has seen the end of curl's output and exits
  ((books == 3))
}

# One run of `dotnet run` on an AppHost: prints "<ms to home page> <ms from SIGTERM to no process left>".
run_apphost() {
  local project=$1 start runner apphost ready pids t
  start=$(now_ms)
  setsid dotnet run --project "$project" -c "$configuration" --no-build >"$log" 2>&1 &
  runner=$!
  if ! wait_for_home_page "$runner"; then
    cat "$log" >&2
    echo "$project: no home page with 3 books within 60 s, or it exited before" >&2
    exit 1
  fi
  ready=$(($(now_ms) - start))
  apphost=$(pgrep -P "$runner" | head -1)
  pids=$(app_processes "$apphost")
  t=$(now_ms)
  kill -TERM "$apphost"
  for pid in $pids; do
    while running "$pid"; do pause 0.02; done
  done
  wait "$runner" 2>/dev/null || true
  echo "$ready $(($(now_ms) - t))"
}

declare -A home stop testclass
for run in $(seq 0 "$runs"); do
  bash bench/cpu-speed.sh   # what the machine is like for this pair of runs (its vCPUs are not always equal)
  for who in ours stock; do
    project=$([[ $who == ours ]] && echo Bookstore.AppHost || echo bench/StockAppHost)
    read -r h s < <(run_apphost "$project")
    t=$(dotnet "bench/TestClassTiming/bin/$configuration/net10.0/TestClassTiming.dll" "$who" 2>/dev/null | tail -1 | awk '{print $4}')
    if [[ $run -eq 0 ]]; then
      echo "warm-up $who: home page ${h} ms, SIGTERM to no process ${s} ms, test class ${t} ms (not counted)"
      continue
    fi
    echo "run $run $who: home page ${h} ms, SIGTERM to no process ${s} ms, test class ${t} ms"
    home[$who]+="$h "
    stop[$who]+="$s "
    testclass[$who]+="$t "
  done
done

verdict() { # name ours-median stock-median target
  awk -v n="$1" -v o="$2" -v s="$3" -v t="$4" 'BEGIN { r = o / s; printf "%-48s ours %6d ms  stock %6d ms  ratio %.2f  target <= %.1f  %s\n", n, o, s, r, t, (r <= t ? "PASS" : "FAIL") }'
}
echo "== medians of $runs interleaved runs ($configuration)"
verdict "dotnet run to the home page with 3 books" "$(tr ' ' '\n' <<<"${home[ours]}" | grep . | median)" "$(tr ' ' '\n' <<<"${home[stock]}" | grep . | median)" 0.6
verdict "SIGTERM to no process left" "$(tr ' ' '\n' <<<"${stop[ours]}" | grep . | median)" "$(tr ' ' '\n' <<<"${stop[stock]}" | grep . | median)" 0.3
verdict "test class: start, one request, dispose" "$(tr ' ' '\n' <<<"${testclass[ours]}" | grep . | median)" "$(tr ' ' '\n' <<<"${testclass[stock]}" | grep . | median)" 0.6
