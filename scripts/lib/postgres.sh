# A throwaway PostgreSQL for Keycloak's production mode, sourced by scripts/keycloak.sh and
# scripts/test-keycloak-cluster.sh: initdb in a fresh temp dir, the server on 127.0.0.1 at a free
# port (no Unix socket outside that dir, no system service), one database `keycloak` owned by the
# role `keycloak` with a generated password (SCRAM over TCP). PostgreSQL refuses to run as root, so
# as root every PostgreSQL command runs as the `postgres` account (made by Debian's package; else
# `nobody`) through runuser, and the temp dir is handed to that account.
#
#   postgres_start            # sets PG_DIR, PG_PORT, PG_URL (jdbc), PG_USER, PG_PASSWORD
#   postgres_stop DIR         # stops the server of DIR and deletes DIR
#
# Binaries: PG_BINDIR when set, else the newest /usr/lib/postgresql/<major>/bin (Debian's
# `postgresql` package), else initdb and pg_ctl on PATH (e.g. /usr/local/bin).

pg_log() { printf '[postgres] %s\n' "$*" >&2; }

postgres_bindir() {
  local d
  for d in "${PG_BINDIR:-}" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  d="$(command -v initdb 2>/dev/null)" || return 1
  d="$(dirname "$(readlink -f "$d")")"
  [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  return 1
}

# The account PostgreSQL runs as: ourselves, or (as root) postgres / nobody.
postgres_account() {
  if [ "$(id -u)" != 0 ]; then id -un; return 0; fi
  if id postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
}

pg_as() { # pg_as ACCOUNT CMD...
  local account="$1"; shift
  if [ "$(id -u)" = 0 ]; then runuser -u "$account" -- "$@"; else "$@"; fi
}

# A TCP port nothing listens on now (the kernel's choice for port 0).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

postgres_start() {
  local bin account pwfile
  bin="$(postgres_bindir)" || {
    echo "postgres: no PostgreSQL server binaries (initdb, pg_ctl) found in /usr/lib/postgresql/*/bin or on PATH; install them with: apt-get install -y postgresql" >&2
    return 1
  }
  account="$(postgres_account)"
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/aauth-postgres.XXXXXX")"
  PG_PORT="$(free_port)"
  PG_USER=keycloak
  PG_PASSWORD="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
  pwfile="$PG_DIR/pwfile"
  printf '%s\n' "$PG_PASSWORD" >"$pwfile"
  chmod 600 "$pwfile"
  [ "$(id -u)" = 0 ] && chown -R "$account" "$PG_DIR"
  pg_log "initdb in $PG_DIR ($($bin/postgres --version), as $account)"
  pg_as "$account" "$bin/initdb" -D "$PG_DIR/data" -U "$PG_USER" --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
    cat "$PG_DIR/initdb.log" >&2; return 1; }
  rm -f "$pwfile"
  # Keycloak opens a pool per node; two nodes stay well under 200. fsync off: the data dies with the
  # temp dir anyway.
  pg_as "$account" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 120 start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories='$PG_DIR' -c max_connections=200 -c fsync=off" >/dev/null || {
    tail -n 20 "$PG_DIR/server.log" >&2; return 1; }
  PGPASSWORD="$PG_PASSWORD" pg_as "$account" env PGPASSWORD="$PG_PASSWORD" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" keycloak || return 1
  PG_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/keycloak"
  printf '%s\n' "$bin" >"$PG_DIR/bindir"
  printf '%s\n' "$account" >"$PG_DIR/account"
  pg_log "PostgreSQL on 127.0.0.1:$PG_PORT, database keycloak (data $PG_DIR/data)"
}

postgres_stop() {
  local dir="$1" bin account
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  bin="$(cat "$dir/bindir" 2>/dev/null || postgres_bindir)"
  account="$(cat "$dir/account" 2>/dev/null || postgres_account)"
  pg_as "$account" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
