#!/usr/bin/env bash
# A real Compose run of aspirate-output/docker-compose.yaml (scripts/test.sh calls it):
# installs Debian's docker-compose if missing; uses the Docker engine at the default socket, or starts
# one (scripts/docker-engine.sh; scripts/test.sh has one running for Aspire's PostgreSQL tests already); builds the images (scripts/build-images.sh, scripts/build-postgres-image.sh); creates the
# secrets (scripts/generate-secrets.sh: aspirate-output/.env, postgres/postgres.env and the services' certificates
# for mutual TLS, git-ignored, removed again if
# this run made them); `docker-compose up -d` (PostgreSQL, then the one-shot migrate service, then the services);
# checks that migrate exited 0; waits for Marketplace's /health, then until the home page, on the published port 8080,
# shows 3 books and until each replica has served a call; checks that 30 pages spread their calls over the 3 replicas of Recommendations (client-side round
# robin over Compose's DNS answers); rates a book through the JSON API and checks that the rating is still there after
# `docker-compose restart recommendations` (it lives in PostgreSQL); stops Recommendations and checks the fallback
# notice (HTTP 200); then tears everything down (containers, network, volumes) and stops dockerd if it started it,
# also on failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v docker-compose >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi

source scripts/docker-engine.sh
compose=(docker-compose -p bookstore-ci -f aspirate-output/docker-compose.yaml)
# The secret files this run creates (and removes again); ones that were there before are the user's and stay.
made_secrets=()
for file in aspirate-output/.env aspirate-output/postgres/postgres.env aspirate-output/certs aspirate-output/recommendations/tls aspirate-output/marketplace/tls; do
  [[ -e $file ]] || made_secrets+=("$file")
done
cleanup() {
  "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "${made_secrets[@]}"
  docker_engine_stop
}
trap cleanup EXIT

docker_engine_start

scripts/build-images.sh
scripts/build-postgres-image.sh
scripts/generate-secrets.sh aspirate-output

# up -d waits for PostgreSQL's health check, then for migrate to finish, before it starts Recommendations.
if ! "${compose[@]}" up -d; then
  "${compose[@]}" ps; "${compose[@]}" logs --tail 30 postgres migrate
  echo "docker-compose up failed" >&2
  exit 1
fi
migrate_exit=$(docker inspect -f '{{.State.ExitCode}} {{.State.Status}}' "$("${compose[@]}" ps -q migrate)")
if [[ $migrate_exit != "0 exited" ]]; then
  "${compose[@]}" logs --tail 30 migrate
  echo "the migrate service did not exit 0 (exit code and state: $migrate_exit)" >&2
  exit 1
fi
echo "migrate: exited 0 ($("${compose[@]}" logs --no-color migrate | grep -o -m1 -E 'Applied [0-9]+ migration.*|The catalog database is up to date'))"

for _ in $(seq 1 120); do
  [[ $(curl -s --max-time 2 http://127.0.0.1:8080/health || true) == Healthy ]] && break
  sleep 0.5
done
[[ $(curl -s --max-time 2 http://127.0.0.1:8080/health || true) == Healthy ]] || { "${compose[@]}" logs --tail 30; echo "Marketplace never reported Healthy" >&2; exit 1; }
echo "marketplace: Healthy"

home() { curl -s --max-time 5 -w '\n%{http_code}' http://127.0.0.1:8080/ || true; }
books() { grep -c '<li ' <<<"$1" || true; }
for _ in $(seq 1 120); do
  page=$(home)
  [[ $(books "$page") == 3 ]] && break
  sleep 0.5
done
if [[ $(books "$page") != 3 ]]; then
  "${compose[@]}" ps; "${compose[@]}" logs --tail 30
  echo "the home page never showed 3 books" >&2
  exit 1
fi
echo "home page: 3 books"

# Compose's DNS answers with every replica; service discovery must spread the calls over all three. Compose starts the
# replicas without waiting for them to listen, and the Marketplace skips a replica that refused a connection for a
# moment, so first wait until each replica has served a call (the condition, bounded), then count 30 pages' calls.
replicas=$(docker ps --filter label=com.docker.compose.project=bookstore-ci \
  --filter label=com.docker.compose.service=recommendations --format '{{.Names}}' | sort)
calls() { docker logs "$1" 2>&1 | grep -c 'gRPC /Recommendations/Recommend finished with OK' || true; }
all_served() { local name; for name in $replicas; do (($(calls "$name") > 0)) || return 1; done; }
# (Paced under the Marketplace's rate limit of 20 requests a second per client address.)
for _ in $(seq 1 300); do
  all_served && break
  home >/dev/null
  sleep 0.1
done
declare -A before
for name in $replicas; do before[$name]=$(calls "$name"); done
for _ in $(seq 1 30); do home >/dev/null; done
# Console lines reach docker logs a moment after the answer: wait until the 30 calls are all counted (bounded).
spread=
for _ in $(seq 1 50); do
  spread=$(for name in $replicas; do echo "$(($(calls "$name") - before[$name])) $name"; done)
  (($(awk '{ sum += $1 } END { print sum }' <<<"$spread") >= 30)) && break
  sleep 0.1
done
echo "Recommend calls per replica over 30 pages:"; echo "$spread"
if [[ $(wc -l <<<"$spread") -ne 3 ]] || awk '$1 < 6 { bad = 1 } END { exit !bad }' <<<"$spread"; then
  echo "the calls did not spread over the 3 Recommendations replicas (each needs at least 6 of 30)" >&2
  exit 1
fi

# A rating goes to PostgreSQL: it is still there after every Recommendations replica has restarted. (Rating drops the
# book from Marketplace's cache, so the read after the restart asks Recommendations again.)
rated=$(curl -s --max-time 10 -w '\n%{http_code}' -H 'Content-Type: application/json' -d '{"userId": 4242, "stars": 5}' \
  http://127.0.0.1:8080/api/books/3/ratings || true)
count() { grep -o -E '"ratingCount": ?[0-9]+' <<<"$1" | grep -o -E '[0-9]+$' || echo 0; }
if [[ $(tail -1 <<<"$rated") != 200 ]] || (($(count "$rated") < 1)); then
  "${compose[@]}" logs --tail 30 recommendations
  echo "POST /api/books/3/ratings did not answer 200 with ratingCount >= 1: $rated" >&2
  exit 1
fi
echo "rated book 3: $(head -1 <<<"$rated")"
"${compose[@]}" restart recommendations >/dev/null
for _ in $(seq 1 120); do
  book=$(curl -s --max-time 5 -w '\n%{http_code}' http://127.0.0.1:8080/api/books/3 || true)
  [[ $(tail -1 <<<"$book") == 200 ]] && (($(count "$book") >= 1)) && break
  sleep 0.5
done
if [[ $(tail -1 <<<"$book") != 200 ]] || (($(count "$book") < 1)); then
  "${compose[@]}" logs --tail 30 recommendations
  echo "after docker-compose restart recommendations, GET /api/books/3 did not show the rating: $book" >&2
  exit 1
fi
echo "after restarting Recommendations: $(head -1 <<<"$book")"

"${compose[@]}" stop recommendations >/dev/null
page=$(home)
if [[ $(tail -1 <<<"$page") != 200 ]] || ! grep -q "Recommendations are unavailable right now" <<<"$page"; then
  "${compose[@]}" logs --tail 30 marketplace
  echo "with Recommendations stopped, the home page did not answer 200 with the notice" >&2
  exit 1
fi
echo "Recommendations stopped: HTTP 200 with the notice"
