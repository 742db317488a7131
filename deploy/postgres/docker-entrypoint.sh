#!/usr/bin/env bash
# Entrypoint of bookstore/postgres (deploy/postgres/Dockerfile). Behaves like the official postgres image's for what
# .NET Aspire uses, and a little more:
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE, POSTGRES_DB (default
#   POSTGRES_USER; made unless it is "postgres"), POSTGRES_HOST_AUTH_METHOD (default scram-sha-256),
#   POSTGRES_INITDB_ARGS, PGDATA, and /docker-entrypoint-initdb.d/*.sql, *.sql.gz, *.sh on first start.
# The password is only ever in this process's memory and in the pipe initdb reads it from: never echoed, never in
# an argv (`ps`), never in a file (only its hash ends up in PGDATA). So: never add `set -x` here.
set -euo pipefail

# `docker run IMAGE -c work_mem=64MB` means options for postgres, as with the official image.
if [[ ${1:-} == -* ]]; then set -- postgres "$@"; fi
# Any other command (e.g. `bash`), and `postgres --version`/`--help`, run as is, with no initialisation.
if [[ ${1:-} != postgres || ${2:-} =~ ^(-V|--version|-\?|--help)$ ]]; then exec "$@"; fi

: "${PGDATA:?PGDATA must be set}"

if [[ $(id -u) == 0 ]]; then
  # Root only for this: a fresh volume is root-owned, and postgres must own its data directory (mode 700).
  mkdir -p "$PGDATA"
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 700 "$PGDATA"
  # Then drop to postgres for good. setpriv (util-linux, Essential in Debian, so always in the image) exec()s in
  # place, with no fork and no PAM session (unlike runuser/su): this script, and then the server, stays PID 1 and
  # receives `docker stop`'s signal itself.
  export HOME=/var/lib/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
fi

error() { printf 'error: %s\n' "$@" >&2; exit 1; }

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  : "${POSTGRES_USER:=postgres}"
  : "${POSTGRES_DB:=$POSTGRES_USER}"
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

  if [[ -n ${POSTGRES_PASSWORD:-} && -n ${POSTGRES_PASSWORD_FILE:-} ]]; then
    error 'both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set (but are exclusive)'
  fi
  if [[ -n ${POSTGRES_PASSWORD_FILE:-} ]]; then
    [[ -r $POSTGRES_PASSWORD_FILE ]] || error "POSTGRES_PASSWORD_FILE ($POSTGRES_PASSWORD_FILE) is not readable by user postgres"
    # $(< file) is done by bash itself: no cat process with the file in its argv.
    POSTGRES_PASSWORD=$(<"$POSTGRES_PASSWORD_FILE")
  fi
  # Fail fast, with the official image's explanation, rather than make a superuser nobody can log in as.
  if [[ -z ${POSTGRES_PASSWORD:-} && $auth != trust ]]; then
    cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
       (Or POSTGRES_PASSWORD_FILE: the path of a file that holds it.)

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
MSG
    exit 1
  fi

  # POSTGRES_INITDB_ARGS is a word list (e.g. Aspire's '--auth-host=scram-sha-256 --auth-local=scram-sha-256');
  # read -a splits it without glob expansion.
  read -ra initdb_args <<<"${POSTGRES_INITDB_ARGS:-}"
  if [[ -n ${POSTGRES_PASSWORD:-} ]]; then
    # The password file is a pipe (/dev/fd/N) fed by the printf builtin: nothing is written to disk, so there is
    # no temporary file to forget to delete, and nothing shows in `ps`.
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${initdb_args[@]}"
  else
    initdb --username="$POSTGRES_USER" "${initdb_args[@]}"
  fi

  # initdb only lets in 127.0.0.1 and ::1 over TCP; other containers and the host's published port come from
  # anywhere on the container network.
  if [[ $auth == trust ]]; then
    echo 'warning: POSTGRES_HOST_AUTH_METHOD=trust lets anyone who reaches port 5432 in without a password' >&2
  fi
  printf '\n# Added by docker-entrypoint.sh: any address, POSTGRES_HOST_AUTH_METHOD.\nhost all all all %s\n' "$auth" \
    >>"$PGDATA/pg_hba.conf"

  # POSTGRES_DB and init scripts need a running server. It is a temporary one with no TCP listener and its socket
  # in a private directory (mode 700, owned by postgres), with its own pg_hba that trusts that socket: so nothing
  # outside this container user can reach it, and the password need not be handed to psql or the scripts.
  shopt -s nullglob
  init_scripts=(/docker-entrypoint-initdb.d/*)
  shopt -u nullglob
  if [[ $POSTGRES_DB != postgres ]] || ((${#init_scripts[@]})); then
    sock=$(mktemp -d)
    printf 'local all all trust\n' >"$sock/pg_hba.conf"
    pg_ctl -D "$PGDATA" -w -s \
      -o "-c listen_addresses='' -c unix_socket_directories=$sock -c hba_file=$sock/pg_hba.conf" start
    # Plain `psql` in the .sh scripts reaches it too.
    export PGHOST=$sock PGUSER=$POSTGRES_USER PGDATABASE=postgres
    psql_run=(psql -X -q -v ON_ERROR_STOP=1 --no-password)
    if [[ $POSTGRES_DB != postgres ]]; then
      "${psql_run[@]}" -v db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
    fi
    export PGDATABASE=$POSTGRES_DB
    for f in "${init_scripts[@]}"; do
      case $f in
        *.sh)     echo "$0: running $f"; if [[ -x $f ]]; then "$f"; else . "$f"; fi ;;
        *.sql)    echo "$0: running $f"; "${psql_run[@]}" -f "$f" ;;
        *.sql.gz) echo "$0: running $f"; gzip -dc "$f" | "${psql_run[@]}" ;;
        *)        echo "$0: ignoring $f" ;;
      esac
    done
    pg_ctl -D "$PGDATA" -w -s -m fast stop
    rm -rf "$sock"
    unset PGHOST PGUSER PGDATABASE
  fi
  echo "$0: PostgreSQL init process complete; ready for start up."
fi

# The server does not need the password in its environment once the cluster exists.
unset POSTGRES_PASSWORD
# exec: postgres replaces this script as PID 1 and gets `docker stop`'s SIGINT itself (fast shutdown).
exec "$@"
