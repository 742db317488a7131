#!/usr/bin/env bash
# Builds bookstore/postgres:15 (deploy/postgres: PostgreSQL 15 from Debian's packages, a stand-in for the official
# postgres image for Aspire.Hosting.PostgreSQL) with the Docker engine at $DOCKER_HOST (or the default one).
#   The base image: BASE_IMAGE if given (e.g. debian:bookworm-slim, where a registry is reachable); otherwise
#   bookstore/runtime-deps:bookworm, the Debian base scripts/build-images.sh uses too (scripts/base-image.sh).
#   Skips the build when the image exists and was built from the same Dockerfile, entrypoint and base image (a
#   hash of the three, kept in the image's label org.bookstore.postgres.inputs).
# Usage: scripts/build-postgres-image.sh
# Use it from the AppHost with .WithImage("bookstore/postgres", "15").WithImageRegistry(null).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

image=bookstore/postgres:15
context=deploy/postgres
label=org.bookstore.postgres.inputs
source scripts/base-image.sh
base_image_ready

# A base not present locally (one to pull) counts by its name.
base_id=$(docker image inspect -f '{{.Id}}' "$base_image" 2>/dev/null || echo "$base_image")
inputs=$({ cat "$context/Dockerfile" "$context/docker-entrypoint.sh"; echo "$base_id"; } | sha256sum | cut -d' ' -f1)
if [[ $(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$image" 2>/dev/null || true) == "$inputs" ]]; then
  echo "$image is current"
  exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The legacy builder: Debian's docker.io has no buildx, and this Dockerfile needs nothing more.
DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$base_image" --label "$label=$inputs" -t "$image" "$context" \
  >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
echo "built $image"
