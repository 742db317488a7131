#!/usr/bin/env bash
# Runs every test of the repository on a fresh machine (Debian 12 with the .NET 10 SDK) and installs what it needs:
#   1. the contract checks: buf lint, buf breaking against contract-baseline/, and proof that buf breaking
#      does catch a breaking change;
#   2. the .NET test suite (unit, interceptor, integration, distributed on Aspire.Hosting.Testing, the AppHost as a
#      process, the dashboard in Chromium, security, 10,000 fuzzed inputs per entry point with a fixed seed
#      (TestResults/fuzz/report.txt), publishing), built in Release, with line coverage (TestResults/coverage/),
#      and then that no process of the app and no temporary folder of the tests is left;
#   3. that aspirate-output/ is exactly what scripts/generate-deployment.sh writes (Aspire's manifest, then ours);
#   4. a real Compose run of it (scripts/compose-run.sh: Docker engine, images, secrets, docker-compose up with PostgreSQL).
# It ends with one line "N passed, N failed" and exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

configuration=${CONFIGURATION:-Release}
logs=$(mktemp -d)
passed=0
failed=0

check() {
  local name=$1
  shift
  if "$@" >"$logs/check.log" 2>&1; then
    passed=$((passed + 1))
    echo "passed  $name"
  else
    failed=$((failed + 1))
    echo "FAILED  $name"
    sed 's/^/    /' "$logs/check.log"
  fi
}

echo "== Installing tools (npm: buf, ajv, kubernetes-models, yaml from package-lock.json; Debian: docker-compose, chromium, the seed's Python gRPC client tools)"
install_tools() {
  npm install --no-audit --no-fund --loglevel=error || return 1
  local missing=()
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  # The seed tutorial's Python client (Integration/SeedClientTests): Debian's grpcio, protoc and its Python gRPC plugin.
  /usr/bin/python3 -c 'import grpc' 2>/dev/null || missing+=(python3-grpcio)
  command -v protoc >/dev/null || missing+=(protobuf-compiler)
  [[ -x /usr/bin/grpc_python_plugin ]] || missing+=(protobuf-compiler-grpc)
  if ((${#missing[@]})); then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" || return 1
  fi
  # kubectl (with kustomize) comes with this kind of machine; no registry here serves it.
  command -v kubectl >/dev/null || { echo "kubectl is missing: the deployment tests need 'kubectl kustomize'"; return 1; }
}
if ! install_tools >"$logs/install.log" 2>&1; then
  cat "$logs/install.log"
  echo "0 passed, 1 failed"
  exit 1
fi
buf=node_modules/.bin/buf

echo "== Contract checks"
check "buf lint" "$buf" lint
check "buf breaking against the published contract" "$buf" breaking Bookstore.Protos --against contract-baseline
breaking_change_is_caught() {
  local copy
  copy=$(mktemp -d)
  mkdir "$copy/Bookstore.Protos"
  cp buf.yaml "$copy/"
  sed 's/int32 max_results = 3;/int32 max_results = 4;/' Bookstore.Protos/recommendations.proto >"$copy/Bookstore.Protos/recommendations.proto"
  # buf must fail here: a field renumbered breaks every existing client.
  ! (cd "$copy" && "$OLDPWD/$buf" breaking Bookstore.Protos --against "$OLDPWD/contract-baseline")
}
check "buf breaking catches a renumbered field" breaking_change_is_caught

echo "== Docker engine and the PostgreSQL image (Aspire's PostgreSQL tests, then the Compose run)"
source scripts/docker-engine.sh
trap docker_engine_stop EXIT
docker_ready() { docker_engine_start && docker_cli_is_recent && bash scripts/build-postgres-image.sh; }
check "a Docker engine at the default socket and bookstore/postgres:15" docker_ready

echo "== .NET tests ($configuration)"
# Processes that run from this checkout (the services, the AppHost) or that Aspire brings (DCP, the dashboard) before
# the tests: anything of the app still running after them that was not running before is a leak.
app_processes() {
  ps -eo pid=,args= | grep -E "$PWD/Bookstore\\.|aspire\\.hosting\\.orchestration|aspire\\.dashboard\\.sdk" | grep -v -E "grep|dotnet (test|build)" | awk '{print $1}' | sort
}
app_processes >"$logs/before.pids"
# The temporary folders the tests make (catalogs, key rings, certificates: Directory.CreateTempSubdirectory("bookstore-…")).
temporary_folders() {
  find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'bookstore-*' 2>/dev/null | sort
}
temporary_folders >"$logs/before.folders"
# A failed test prints the Aspire apps' own logs (resources' output, DCP): the console gets the test results without
# them, TestResults/dotnet-test.log everything.
mkdir -p TestResults
# Line coverage (coverlet, then ReportGenerator into TestResults/coverage/): of the code that runs inside the test process.
# Coverlet cannot instrument ReadyToRun images, so this build leaves them out (BookstoreReadyToRun=false).
rm -rf TestResults/coverage-data TestResults/coverage TestResults/dcp-logs
dotnet tool restore >/dev/null
# DCP's own debug logs (one file per command it runs), to see why it called the Docker engine unhealthy if it ever does.
export DCP_DIAGNOSTICS_LOG_FOLDER=$PWD/TestResults/dcp-logs DCP_DIAGNOSTICS_LOG_LEVEL=debug
dotnet test --project Bookstore.Tests -c "$configuration" -p:BookstoreReadyToRun=false --results-directory TestResults/coverage-data -- \
  --coverlet --coverlet-output-format cobertura --coverlet-exclude-by-file "**/obj/**" --coverlet-exclude-by-file "**/Migrations/*.cs" \
  --coverlet-include "[Bookstore.Recommendations]*" --coverlet-include "[Bookstore.Marketplace]*" \
  --coverlet-include "[Bookstore.ServiceDefaults]*" --coverlet-include "[Bookstore.AppHost]*" 2>&1 | tee TestResults/dotnet-test.log |
  grep -v -E '^\s+(info|warn|dbug|fail): |^\s+[0-9]+: [0-9]{4}-' | tee "$logs/dotnet.log"
unset DCP_DIAGNOSTICS_LOG_FOLDER DCP_DIAGNOSTICS_LOG_LEVEL
if grep -h '"Runtime status"' TestResults/dcp-logs/*info*.log 2>/dev/null | grep -v '"Running":true' | grep .; then
  echo "(above: DCP found the Docker engine not running when it checked; TestResults/dcp-logs/ has its logs)"
fi
total=$(grep -oP '^\s*total: \K\d+' "$logs/dotnet.log" | tail -1)
dotnet_failed=$(grep -oP '^\s*failed: \K\d+' "$logs/dotnet.log" | tail -1)
dotnet_passed=$(grep -oP '^\s*succeeded: \K\d+' "$logs/dotnet.log" | tail -1)
# Each failed test's name, message and first stack lines, printed again at the very end: the console shows the
# failures first and then the test process's whole standard output (every Aspire app's logs), so a CI log that keeps
# only its tail would otherwise not say which test failed. (The first 8 lines of each, 100 in all.)
awk '/^failed /{keep=1; n=0} /^[^ ]/ && !/^failed /{keep=0} /^  Standard output/{keep=0} keep && n++ < 8' "$logs/dotnet.log" | head -n 100 >"$logs/failures.txt"
if [[ -z $total || -z $dotnet_failed || -z $dotnet_passed || $total -eq 0 ]]; then
  echo "FAILED  the .NET test run did not finish (build error, crash, or no test ran)"
  failed=$((failed + 1))
else
  passed=$((passed + dotnet_passed))
  failed=$((failed + dotnet_failed))
fi

echo "== Line coverage (TestResults/coverage/index.html)"
if dotnet tool run reportgenerator "-reports:TestResults/coverage-data/*.cobertura*.xml" -targetdir:TestResults/coverage \
  "-reporttypes:Html;TextSummary" -verbosity:Warning >"$logs/coverage.log" 2>&1; then
  grep -E '^  Line coverage|^Bookstore\.[A-Za-z]+ ' TestResults/coverage/Summary.txt | sed 's/^ */  /'
else
  cat "$logs/coverage.log"
  echo "FAILED  the coverage report"
  failed=$((failed + 1))
fi

no_app_process_is_left() {
  # DCP cleans up after an AppHost within a few seconds: wait for that, not longer than 30 s.
  local left
  for _ in $(seq 60); do
    left=$(comm -13 "$logs/before.pids" <(app_processes))
    [[ -z $left ]] && return 0
    sleep 0.5
  done
  echo "Still running after the tests:"
  for pid in $left; do ps -o pid=,args= -p "$pid"; done
  return 1
}
check "no process of the app (service, AppHost, DCP, dashboard) is left after the tests" no_app_process_is_left

no_temporary_folder_is_left() {
  local left
  left=$(comm -13 "$logs/before.folders" <(temporary_folders))
  [[ -z $left ]] && return 0
  echo "Left by the tests (or by another test run of this repository at the same time):"
  head -n 20 <<<"$left"
  return 1
}
check "the tests delete the temporary folders they make (bookstore-* in ${TMPDIR:-/tmp})" no_temporary_folder_is_left

echo "== Generated manifests"
aspirate_output_is_current() {
  CONFIGURATION=$configuration bash scripts/generate-deployment.sh aspirate-output &&
    git diff --exit-code -- aspirate-output &&
    [[ -z $(git status --porcelain -- aspirate-output) ]]
}
check "aspirate-output/ is what scripts/generate-deployment.sh writes (regenerate and commit it if not)" aspirate_output_is_current

echo "== Benchmarks (not run here: they need a quiet machine; their programs must still build)"
check "bench/StockAppHost, bench/TestClassTiming and bench/RatingLoad build" \
  bash -c "dotnet build bench/StockAppHost -c $configuration -nologo -v quiet && dotnet build bench/TestClassTiming -c $configuration -nologo -v quiet && dotnet build bench/RatingLoad -c $configuration -nologo -v quiet"

echo "== Real Compose run (images, secrets, docker-compose up with PostgreSQL, home page, rating, fallback)"
check "docker-compose up of aspirate-output (mutual TLS between the services): migration exits 0, 3 books, calls spread over 3 replicas, a rating survives restarting Recommendations, fallback when Recommendations stops" env CONFIGURATION="$configuration" bash scripts/compose-run.sh

if [[ -s $logs/failures.txt ]]; then
  echo "== Failed .NET tests (everything they printed: TestResults/dotnet-test.log)"
  cat "$logs/failures.txt"
fi
rm -rf "$logs"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
