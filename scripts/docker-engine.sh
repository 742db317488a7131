#!/usr/bin/env bash
# Sourced by scripts/test.sh and scripts/compose-run.sh: a Docker engine at the default socket for the tests.
#   docker_engine_start   installs Debian's docker.io if missing; uses the engine that answers at
#                         unix:///var/run/docker.sock, or starts dockerd there (state in a temporary directory);
#   docker_engine_stop    stops the dockerd that docker_engine_start started (never one it found running).
# The default socket because Aspire's orchestrator (DCP) talks to the engine there, whatever DOCKER_HOST says; DCP also
# needs a Docker CLI of version 25 or newer first in PATH (this kind of machine has one in /usr/local/bin; Debian's
# docker.io brings 20.10, with which DCP marks the runtime unhealthy and never starts a container).
DOCKER_ENGINE_SOCKET=/var/run/docker.sock
DOCKER_ENGINE_STATE=

docker_engine_start() {
  export DOCKER_HOST=unix://$DOCKER_ENGINE_SOCKET
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v dockerd >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null || return 1
  fi
  DOCKER_ENGINE_STATE=$(mktemp -d /tmp/bookstore-docker.XXXXXX)
  dockerd --data-root "$DOCKER_ENGINE_STATE/data" --exec-root "$DOCKER_ENGINE_STATE/exec" -H "$DOCKER_HOST" \
    --pidfile "$DOCKER_ENGINE_STATE/docker.pid" >"$DOCKER_ENGINE_STATE/dockerd.log" 2>&1 &
  for _ in $(seq 1 150); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$DOCKER_ENGINE_STATE/dockerd.log" >&2
  echo "dockerd did not start" >&2
  return 1
}

docker_engine_stop() {
  [[ -n $DOCKER_ENGINE_STATE ]] || return 0
  if [[ -s $DOCKER_ENGINE_STATE/docker.pid ]]; then
    kill "$(cat "$DOCKER_ENGINE_STATE/docker.pid")" 2>/dev/null || true
    for _ in $(seq 1 100); do [[ -e $DOCKER_ENGINE_STATE/docker.pid ]] || break; sleep 0.1; done
  fi
  umount -R "$DOCKER_ENGINE_STATE/data" 2>/dev/null || true
  rm -rf "$DOCKER_ENGINE_STATE" 2>/dev/null || true
  DOCKER_ENGINE_STATE=
}

docker_cli_is_recent() {
  local version
  version=$(docker version --format '{{.Client.Version}}' 2>/dev/null) || return 1
  ((${version%%.*} >= 25)) || { echo "docker CLI $version ($(command -v docker)) is older than 25: Aspire's orchestrator cannot use it" >&2; return 1; }
}
