#!/usr/bin/env bash
# Creates the git-ignored secret files that the generated deployment reads, each only when missing (an existing one
# is kept: the database was initialised with that password), mode 600, with a random password:
#   DIR/postgres/postgres.env  POSTGRES_PASSWORD=...  (Kubernetes: kustomize's secretGenerator makes the Secret postgres-secrets)
#   DIR/.env                   POSTGRES_PASSWORD=...  (Compose substitutes ${POSTGRES_PASSWORD} from it)
#   DIR/certs/                 the deployment's own CA (ca.crt, ca.key) and the services' certificates, made with .NET's
#                              cryptography by `Bookstore.DeploymentGenerator certificates` (reused while good)
#   DIR/{service}/tls/         ca.crt, tls.crt, tls.key of each service that uses TLS (Kubernetes: the Secret
#                              {service}-tls; Compose: mounted read-only), owned by the images' user 1654 when run as root
#   DIR/{service}/dataprotection/keyring.xml  the Marketplace's ASP.NET Core Data Protection key ring, shared by its
#                              replicas (Kubernetes: the Secret {service}-dataprotection; Compose: mounted read-only),
#                              made by `Bookstore.DeploymentGenerator keyrings` (a key a year, a new one a month before
#                              the newest ends, the old ones kept), owned by uid 1654 when run as root
# The generator never writes a secret value; these files are the only place one lives. Never commit them.
# Usage: scripts/generate-secrets.sh [DIR] (default aspirate-output)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-aspirate-output}

# 32 characters of [A-Za-z0-9] from the kernel's random source: safe in a connection string, a URL and $(VAR) expansion.
password() {
  local random
  random=$(head -c 48 /dev/urandom | base64 -w0 | tr -d '/+=')
  printf '%s' "${random:0:32}"
}

write_once() {
  local file=$1 key=$2
  if [[ -e $file ]]; then
    echo "kept $file"
    return
  fi
  mkdir -p "$(dirname "$file")"
  # Mode 600 from the start: the value is never in a file anyone else could read, not even for a moment.
  (umask 077 && printf '%s=%s\n' "$key" "$(password)" >"$file.partial") && mv "$file.partial" "$file"
  echo "wrote $file ($key)"
}

write_once "$out/postgres/postgres.env" POSTGRES_PASSWORD
write_once "$out/.env" POSTGRES_PASSWORD

# Certificates for the services that the manifest says use TLS (CONFIGURATION picks the generator's build, as in
# scripts/generate-deployment.sh).
dotnet run --project Bookstore.DeploymentGenerator -c "${CONFIGURATION:-Debug}" -- certificates "$out"
dotnet run --project Bookstore.DeploymentGenerator -c "${CONFIGURATION:-Debug}" --no-build -- keyrings "$out"
for folder in "$out"/*/tls "$out"/*/dataprotection; do
  [[ -d $folder ]] || continue
  if ((EUID == 0)); then
    # The services run as uid 1654: Compose mounts these files as they are, so that user must own them.
    chown -R 1654:1654 "$folder"
    [[ ! -e $folder/tls.key ]] || chmod 0400 "$folder/tls.key"
  else
    echo "note: $folder stays readable by you alone; Compose's services (uid 1654) need it: chown 1654 it as root" >&2
  fi
done
