#!/usr/bin/env bash
# A longer fuzz campaign by hand, on the same fuzzer the test command runs (Bookstore.Tests/Fuzzing, 10,000 inputs per
# entry point with a fixed seed there). Every input gets a verdict; failures print with the seed and index to replay.
#   scripts/fuzz.sh [INPUTS per entry point, default 200000] [SEED, default: a new one] [MINUTES per entry point, default 60]
# Replay one input:  FUZZ_SEED=S FUZZ_ONLY=I dotnet test --project Bookstore.Tests -c Release -- --filter-namespace Bookstore.Tests.Fuzzing
# The tallies go to TestResults/fuzz/report.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export FUZZ_INPUTS=${1:-200000} FUZZ_SEED=${2:-$RANDOM$RANDOM} FUZZ_MINUTES=${3:-60}
echo "Fuzzing with seed $FUZZ_SEED, $FUZZ_INPUTS inputs per entry point"
rm -f TestResults/fuzz/report.txt
dotnet build Bookstore.Tests -c Release -nologo -v quiet
status=0
mkdir -p TestResults/fuzz
dotnet test --project Bookstore.Tests -c Release --no-build -- --filter-namespace Bookstore.Tests.Fuzzing >TestResults/fuzz/dotnet-test.log 2>&1 || status=$?
cat TestResults/fuzz/report.txt
grep -E '^\s*(total|failed|succeeded):' TestResults/fuzz/dotnet-test.log
exit $status
