#!/usr/bin/env bash
# Builds the container images bookstore/recommendations:latest and bookstore/marketplace:latest with the Docker
# engine at $DOCKER_HOST (or the default one).
#   1. The base image: BASE_IMAGE if given (e.g. the usual public runtime-deps image, where a registry is reachable);
#      otherwise bookstore/runtime-deps:bookworm, built from Debian packages with debootstrap (minbase plus what
#      .NET needs: ca-certificates, libssl3, zlib1g, libstdc++6) and cached as a tarball in $BASE_CACHE.
#   2. Each service: dotnet publish -c Release -r linux-x64 --self-contained, then docker build with its Dockerfile.
# Usage: scripts/build-images.sh            BASE_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0-bookworm-slim scripts/build-images.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/base-image.sh
base_image_ready

revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
for project in Recommendations Marketplace; do
  name=$(tr '[:upper:]' '[:lower:]' <<<"$project")
  publish=artifacts/publish/$name
  rm -rf "$publish"
  dotnet publish "Bookstore.$project" -c Release -r linux-x64 --self-contained true -o "$publish" -nologo -v quiet >/dev/null
  # The legacy builder: Debian's docker.io has no buildx, and this plain COPY needs nothing more.
  DOCKER_BUILDKIT=0 docker build -q -f "Bookstore.$project/Dockerfile" --build-arg "BASE_IMAGE=$base_image" --build-arg "REVISION=$revision" \
    -t "bookstore/$name:latest" "$publish" >/dev/null 2>"$publish.build.log" || { cat "$publish.build.log"; exit 1; }
  echo "built bookstore/$name:latest"
done
