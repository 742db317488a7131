#!/usr/bin/env bash
# Sourced by scripts/build-images.sh and scripts/build-postgres-image.sh: the base image both build FROM.
#   base_image_ready   sets base_image: BASE_IMAGE if given (e.g. a public runtime-deps image where a registry is
#                      reachable); otherwise bookstore/runtime-deps:bookworm, built from Debian packages with debootstrap
#                      (installed from Debian when missing; minbase plus what .NET needs: ca-certificates, libssl3,
#                      zlib1g, libstdc++6), cached as a tarball
#                      in $BASE_CACHE and imported into the engine at $DOCKER_HOST when missing there.
base_image_ready() {
  local base_cache=${BASE_CACHE:-/var/cache/bookstore} local_base=bookstore/runtime-deps:bookworm tarball mirror rootfs
  base_image=${BASE_IMAGE:-$local_base}
  [[ $base_image == "$local_base" ]] || return 0
  docker image inspect "$local_base" >/dev/null 2>&1 && return 0
  tarball=$base_cache/runtime-deps-bookworm.tar
  if [[ ! -s $tarball ]]; then
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
    rootfs=$(mktemp -d)
    echo "building the base image from Debian packages ($mirror)"
    # Installed here, where it is used: every script that builds an image comes through this function.
    if ! command -v debootstrap >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    debootstrap --variant=minbase --include=ca-certificates,libssl3,zlib1g,libstdc++6 bookworm "$rootfs" "$mirror" >/dev/null
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    mkdir -p "$base_cache"
    tar -C "$rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
  fi
  docker import --change 'CMD ["/bin/bash"]' "$tarball" "$local_base" >/dev/null
}
