#!/usr/bin/env bash
# Regenerates aspirate-output/ from the app model: the Aspire manifest, written by Aspire's own manifest publisher
# (the AppHost with --publisher manifest), then the Kustomize tree and the Compose file, written from that manifest by
# Bookstore.DeploymentGenerator (Aspirate's job; Aspirate is not served here).
# Usage: scripts/generate-deployment.sh [OUTPUT_DIR] (default aspirate-output). CONFIGURATION=Release to use Release builds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(realpath -m "${1:-aspirate-output}")
configuration=${CONFIGURATION:-Debug}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
mkdir -p "$out"
dotnet run --project Bookstore.AppHost -c "$configuration" --no-launch-profile -- --publisher manifest --output-path "$out/aspire-manifest.json"
dotnet run --project Bookstore.DeploymentGenerator -c "$configuration" -- "$out/aspire-manifest.json" "$out"
