#!/usr/bin/env bash
# Runs a real Keycloak (the Quarkus distribution from Maven Central, no container engine) with the
# AAuth provider from packages/keycloak-provider, on 127.0.0.1: in dev mode with an in-memory
# database (the default), or in production mode on PostgreSQL (--db postgres).
#
#   bash scripts/keycloak.sh [--port N] [--hostname URL] [--background] [--pidfile FILE] [--import FILE]... [--skip-tests]
#                            [--db dev-mem|postgres] [--db-url JDBC_URL --db-username U --db-password P]
#                            [--management-port N] [--cluster-port N] [--prebuilt]
#   bash scripts/keycloak.sh --stop [--port N] [--pidfile FILE]
#
# --hostname pins Keycloak's public origin, and so the issuer (<origin>/realms/<realm>); default
# http://127.0.0.1:<port>. The demo uses http://localhost:<port> (its identifiers' layout).
# Realms imported: keycloak-realm.json at the repository root when it exists, plus every --import FILE.
# With neither, the provider's own test realm (packages/keycloak-provider/src/test/resources/realm-e2e.json).
# --db postgres: `kc.sh build` once (provider, postgres, clustered Infinispan with jdbc-ping discovery,
# health on the management port), then `kc.sh start --optimized` over plain HTTP on loopback. Without
# --db-url (or KC_DB_URL, KC_DB_USERNAME, KC_DB_PASSWORD in the environment) a throwaway PostgreSQL
# is started in a temp dir (scripts/lib/postgres.sh) and stopped by --stop. Nodes given the same
# database form one cluster; give each its own --port, --management-port (default 9000) and
# --cluster-port (JGroups, default 7800), all on 127.0.0.1. --prebuilt: use the provider jar
# already in target/ (a cluster's second node) instead of running Maven again.
# The distribution is unpacked once under .keycloak/ (gitignored); Maven keeps the zip in ~/.m2.
# Environment: JAVA_HOME (tried first), KEYCLOAK_START_TIMEOUT (seconds, default 600),
# KEYCLOAK_VERSION (the server to run, e.g. 26.4.0; default the provider's keycloak.version in pom.xml:
# the provider jar is always built against pom.xml, as an admin would install the released jar),
# JAVA_OPTS_KC_HEAP (production mode; default -Xms64m -Xmx512m, see the provider README).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROVIDER_DIR="$ROOT/packages/keycloak-provider"
WORK="$ROOT/.keycloak"

PORT=8180
BACKGROUND=0
STOP=0
PIDFILE=""
HOSTNAME_URL=""
SKIP_TESTS=0
PREBUILT=0
IMPORTS=()
DB=dev-mem
DB_URL=""
DB_USERNAME=""
DB_PASSWORD=""
MGMT_PORT=9000
CLUSTER_PORT=7800

usage() { sed -n '2,/^set -euo pipefail$/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --port=*) PORT="${1#*=}"; shift ;;
    --hostname) HOSTNAME_URL="$2"; shift 2 ;;
    --hostname=*) HOSTNAME_URL="${1#*=}"; shift ;;
    --background) BACKGROUND=1; shift ;;
    --pidfile) PIDFILE="$2"; shift 2 ;;
    --pidfile=*) PIDFILE="${1#*=}"; shift ;;
    --import) IMPORTS+=("$2"); shift 2 ;;
    --import=*) IMPORTS+=("${1#*=}"); shift ;;
    --skip-tests) SKIP_TESTS=1; shift ;;
    --prebuilt) PREBUILT=1; shift ;;
    --db) DB="$2"; shift 2 ;;
    --db=*) DB="${1#*=}"; shift ;;
    --db-url) DB_URL="$2"; shift 2 ;;
    --db-url=*) DB_URL="${1#*=}"; shift ;;
    --db-username) DB_USERNAME="$2"; shift 2 ;;
    --db-username=*) DB_USERNAME="${1#*=}"; shift ;;
    --db-password) DB_PASSWORD="$2"; shift 2 ;;
    --db-password=*) DB_PASSWORD="${1#*=}"; shift ;;
    --management-port) MGMT_PORT="$2"; shift 2 ;;
    --management-port=*) MGMT_PORT="${1#*=}"; shift ;;
    --cluster-port) CLUSTER_PORT="$2"; shift 2 ;;
    --cluster-port=*) CLUSTER_PORT="${1#*=}"; shift ;;
    --stop) STOP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "keycloak.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$PORT" "$MGMT_PORT" "$CLUSTER_PORT"; do
  case "$n" in (*[!0-9]*|'') echo "keycloak.sh: --port, --management-port and --cluster-port need a number" >&2; exit 2 ;; esac
done
case "$DB" in (dev-mem|postgres) ;; (*) echo "keycloak.sh: --db is dev-mem or postgres" >&2; exit 2 ;; esac
if [ -n "$DB_URL" ] && [ "$DB" != postgres ]; then echo "keycloak.sh: --db-url needs --db postgres" >&2; exit 2; fi
if [ "$DB" = postgres ]; then
  DB_URL="${DB_URL:-${KC_DB_URL:-}}" DB_USERNAME="${DB_USERNAME:-${KC_DB_USERNAME:-}}" DB_PASSWORD="${DB_PASSWORD:-${KC_DB_PASSWORD:-}}"
fi
PIDFILE="${PIDFILE:-$WORK/keycloak-$PORT.pid}"
HOSTNAME_URL="${HOSTNAME_URL:-http://127.0.0.1:$PORT}"
case "$HOSTNAME_URL" in (http://*|https://*) ;; (*) echo "keycloak.sh: --hostname needs an http(s) URL" >&2; exit 2 ;; esac
LOG="$WORK/keycloak-$PORT.log"
# Production mode's per-start state: the node's Keycloak home (hard links into the built one, its own
# data/), and the temp dir of the PostgreSQL this script started, if any.
RUN="$WORK/run-$PORT"

log() { printf '[keycloak.sh] %s\n' "$*" >&2; }

# --stop: end the process group we started (its id is in the pidfile), nothing else.
stop_keycloak() {
  if [ ! -f "$PIDFILE" ]; then
    log "no pidfile $PIDFILE; no Keycloak to stop"
    stop_run_state
    return 0
  fi
  local pid
  pid="$(cat "$PIDFILE")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping Keycloak (process group $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "still running after 30 s; killing process group $pid"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PIDFILE"
  stop_run_state
}

# Production mode: the PostgreSQL this script started for the node, and the node's home.
stop_run_state() {
  [ -d "$RUN" ] || return 0
  if [ -f "$RUN/postgres-dir" ]; then
    # shellcheck source=lib/postgres.sh
    . "$ROOT/scripts/lib/postgres.sh"
    log "stopping the PostgreSQL started with this node"
    postgres_stop "$(cat "$RUN/postgres-dir")"
  fi
  rm -rf "$RUN"
}

if [ "$STOP" = 1 ]; then
  stop_keycloak
  exit 0
fi

# Keycloak version: the one property in the provider's pom.xml, so SPI jars and server match, unless
# KEYCLOAK_VERSION names another 26.x server to run the same jar in (the supported range, README).
KC_VERSION="$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' "$PROVIDER_DIR/pom.xml" | head -n1)"
[ -n "$KC_VERSION" ] || { echo "keycloak.sh: cannot read keycloak.version from $PROVIDER_DIR/pom.xml" >&2; exit 1; }
KC_VERSION="${KEYCLOAK_VERSION:-$KC_VERSION}"
case "$KC_VERSION" in (*[!0-9.]*|'') echo "keycloak.sh: KEYCLOAK_VERSION must look like 26.4.0, got $KC_VERSION" >&2; exit 2 ;; esac
KC_HOME="$WORK/keycloak-$KC_VERSION"

# A JDK this Keycloak runs on: 26.7 supports 17, 21 and 25 (its classes target 17).
java_major() {
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\(\.[^"]*\)\{0,1\}".*/\1/p' | head -n1
}
find_jdk() {
  local candidates=() dir major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for want in 21 17 25; do
    for dir in /usr/lib/jvm/*; do
      [ -x "$dir/bin/java" ] || continue
      [ -L "$dir" ] && continue
      major="$(java_major "$dir")"
      [ "$major" = "$want" ] && candidates+=("$dir")
    done
  done
  for dir in "${candidates[@]}"; do
    [ -x "$dir/bin/java" ] || continue
    major="$(java_major "$dir")"
    case "$major" in 17|21|25) echo "$dir"; return 0 ;; esac
  done
  return 1
}
JDK="$(find_jdk)" || {
  echo "keycloak.sh: no JDK 17, 21 or 25 found (looked at JAVA_HOME and /usr/lib/jvm/*). Install one, e.g. 'apt-get install openjdk-17-jdk-headless', or set JAVA_HOME." >&2
  exit 1
}
export JAVA_HOME="$JDK"
export PATH="$JAVA_HOME/bin:$PATH"
log "using JDK $(java_major "$JDK") at $JDK"

command -v mvn >/dev/null || { echo "keycloak.sh: Maven (mvn) is needed to fetch Keycloak and build the provider" >&2; exit 1; }

# Refuse to start a second server on a port that is taken.
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; then
  echo "keycloak.sh: something already answers on 127.0.0.1:$PORT (stop it with: bash scripts/keycloak.sh --stop --port $PORT)" >&2
  exit 1
fi

mkdir -p "$WORK"

# 1. Distribution: org.keycloak:keycloak-quarkus-dist:<version>:zip from Maven Central, unpacked once.
if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
  log "fetching keycloak-quarkus-dist $KC_VERSION with Maven"
  mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" -DoutputDirectory="$WORK/dist" -Dmdep.overWriteIfNewer=true
  ZIP="$WORK/dist/keycloak-quarkus-dist-$KC_VERSION.zip"
  rm -rf "$KC_HOME.tmp" && mkdir -p "$KC_HOME.tmp"
  if command -v unzip >/dev/null; then
    unzip -q "$ZIP" -d "$KC_HOME.tmp"
  else
    (cd "$KC_HOME.tmp" && "$JAVA_HOME/bin/jar" xf "$ZIP")
  fi
  mv "$KC_HOME.tmp/keycloak-$KC_VERSION" "$KC_HOME"
  rm -rf "$KC_HOME.tmp" "$WORK/dist"
  chmod +x "$KC_HOME/bin/"*.sh
fi

# 2. Provider jar.
if [ "$PREBUILT" = 1 ]; then
  log "using the provider jar already built"
elif [ "$SKIP_TESTS" = 1 ]; then
  log "building the provider"
  (cd "$PROVIDER_DIR" && mvn -B -q -Dstyle.color=never package -DskipTests)
else
  log "building the provider"
  (cd "$PROVIDER_DIR" && mvn -B -q -Dstyle.color=never package)
fi
JAR="$PROVIDER_DIR/target/aauth-keycloak-provider.jar"
[ -f "$JAR" ] || { echo "keycloak.sh: $JAR was not built" >&2; exit 1; }

if [ "$DB" = dev-mem ]; then
  rm -f "$KC_HOME/providers/"aauth-*.jar
  cp "$JAR" "$KC_HOME/providers/"
  NODE_HOME="$KC_HOME"
else
  # Production mode: a second copy of the distribution, so that start-dev (which re-augments its
  # home on every start) never touches the optimized build. `kc.sh build` runs again only when the
  # jar or the build options changed; every node starts from this one build. Clustering itself
  # (`--cache=ispn`) is a run-time option and production mode's default.
  PROD_HOME="$WORK/keycloak-$KC_VERSION-postgres"
  BUILD_OPTS=(--db=postgres --cache-stack=jdbc-ping --health-enabled=true --features=declarative-ui)
  if [ ! -x "$PROD_HOME/bin/kc.sh" ]; then
    rm -rf "$PROD_HOME.tmp"
    cp -a "$KC_HOME" "$PROD_HOME.tmp"
    rm -rf "$PROD_HOME.tmp/data" "$PROD_HOME.tmp/providers/"aauth-*.jar
    mv "$PROD_HOME.tmp" "$PROD_HOME"
  fi
  STAMP="$(sha256sum "$JAR" | cut -d' ' -f1) ${BUILD_OPTS[*]}"
  if [ "$(cat "$PROD_HOME/aauth-build.stamp" 2>/dev/null)" != "$STAMP" ]; then
    rm -f "$PROD_HOME/providers/"aauth-*.jar "$PROD_HOME/aauth-build.stamp"
    cp "$JAR" "$PROD_HOME/providers/"
    t=$(date +%s)
    log "kc.sh build ${BUILD_OPTS[*]}"
    "$PROD_HOME/bin/kc.sh" build "${BUILD_OPTS[@]}" >"$WORK/keycloak-build.log" 2>&1 || {
      echo "keycloak.sh: kc.sh build failed; last log lines:" >&2; tail -n 40 "$WORK/keycloak-build.log" >&2; exit 1; }
    printf '%s\n' "$STAMP" >"$PROD_HOME/aauth-build.stamp"
    log "built in $(( $(date +%s) - t )) s"
  fi
  # This node's home: hard links to the build (nothing there is written at run time) and its own
  # data/ (transaction logs, temp files, the realms to import).
  stop_run_state
  mkdir -p "$RUN"
  NODE_HOME="$RUN/home"
  cp -al "$PROD_HOME" "$NODE_HOME"
  rm -rf "$NODE_HOME/data"
  if [ -z "$DB_URL" ]; then
    # shellcheck source=lib/postgres.sh
    . "$ROOT/scripts/lib/postgres.sh"
    postgres_start || { rm -rf "$RUN"; exit 1; }
    printf '%s\n' "$PG_DIR" >"$RUN/postgres-dir"
    DB_URL="$PG_URL" DB_USERNAME="$PG_USER" DB_PASSWORD="$PG_PASSWORD"
  fi
fi

# 3. Realms to import (dev-mem starts empty every time, so import always applies; on a database
#    that already holds a realm of that name, Keycloak skips it). Keycloak's directory import wants
#    each file named <realm>-realm.json.
IMPORT_DIR="$NODE_HOME/data/import"
rm -rf "$IMPORT_DIR" && mkdir -p "$IMPORT_DIR"
add_realm() {
  local f="$1" name
  [ -f "$f" ] || { echo "keycloak.sh: realm file $f: no such file" >&2; exit 1; }
  name="$(sed -n 's/^[[:space:]]*"realm"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | head -n1)"
  [ -n "$name" ] || { echo "keycloak.sh: $f has no top-level \"realm\" name" >&2; exit 1; }
  cp "$f" "$IMPORT_DIR/$name-realm.json"
}
if [ -f "$ROOT/keycloak-realm.json" ]; then
  add_realm "$ROOT/keycloak-realm.json"
fi
for f in "${IMPORTS[@]+"${IMPORTS[@]}"}"; do
  add_realm "$f"
done
if [ -z "$(ls -A "$IMPORT_DIR")" ]; then
  log "no keycloak-realm.json at the repository root; importing the provider's test realm"
  add_realm "$PROVIDER_DIR/src/test/resources/realm-e2e.json"
fi
log "importing: $(ls "$IMPORT_DIR" | tr '\n' ' ')"

# 4. Start on loopback. --hostname pins the issuer to <hostname>/realms/<realm>.
# declarative-ui shows the provider's AAuth tabs (clients, realm settings) in the admin console.
export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"
START=$(date +%s)
if [ "$DB" = dev-mem ]; then
  log "starting Keycloak $KC_VERSION on http://127.0.0.1:$PORT as $HOSTNAME_URL (log: $LOG)"
  setsid "$KC_HOME/bin/kc.sh" start-dev \
    --http-host=127.0.0.1 --http-port="$PORT" \
    --db=dev-mem --import-realm \
    --hostname="$HOSTNAME_URL" \
    --features=declarative-ui \
    >"$LOG" 2>&1 </dev/null &
else
  # Plain HTTP on loopback, TLS left to the proxy in front (provider README, "Production shape and
  # clustering"). A bounded heap: Keycloak's default takes 70 % of the machine's memory per node.
  export JAVA_OPTS_KC_HEAP="${JAVA_OPTS_KC_HEAP:--Xms64m -Xmx512m}"
  # Secrets through the environment, not the command line (ps shows the latter).
  export KC_DB_URL="$DB_URL" KC_DB_USERNAME="$DB_USERNAME" KC_DB_PASSWORD="$DB_PASSWORD"
  log "starting Keycloak $KC_VERSION (production mode, $DB_URL) on http://127.0.0.1:$PORT as $HOSTNAME_URL, management :$MGMT_PORT, JGroups 127.0.0.1:$CLUSTER_PORT (log: $LOG)"
  setsid "$NODE_HOME/bin/kc.sh" start --optimized \
    --http-enabled=true --http-host=127.0.0.1 --http-port="$PORT" \
    --hostname="$HOSTNAME_URL" --hostname-strict=true \
    --http-management-port="$MGMT_PORT" \
    --cache-embedded-network-bind-address=127.0.0.1 --cache-embedded-network-bind-port="$CLUSTER_PORT" \
    --import-realm \
    >"$LOG" 2>&1 </dev/null &
fi
PID=$!
echo "$PID" >"$PIDFILE"

# 5. Ready when the master realm's discovery document answers.
TIMEOUT="${KEYCLOAK_START_TIMEOUT:-600}"
until curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/realms/master/.well-known/openid-configuration"; do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "keycloak.sh: Keycloak exited during startup; last log lines:" >&2
    tail -n 40 "$LOG" >&2
    rm -f "$PIDFILE"
    stop_run_state
    exit 1
  fi
  if [ $(( $(date +%s) - START )) -ge "$TIMEOUT" ]; then
    echo "keycloak.sh: Keycloak not ready after $TIMEOUT s; last log lines:" >&2
    tail -n 40 "$LOG" >&2
    stop_keycloak
    exit 1
  fi
  sleep 1
done
READY=$(( $(date +%s) - START ))
log "Keycloak ready in ${READY} s at http://127.0.0.1:$PORT, issuer origin $HOSTNAME_URL (pid $PID, pidfile $PIDFILE)"
grep -E "started in [0-9.]+s" "$LOG" | tail -n1 | sed 's/^/[keycloak.sh] /' >&2 || true

if [ "$BACKGROUND" = 1 ]; then
  exit 0
fi
trap 'stop_keycloak; exit 0' INT TERM
log "running in the foreground; Ctrl-C stops it"
wait "$PID" || true
rm -f "$PIDFILE"
