#!/usr/bin/env bash
# Runs a real Keycloak (the Quarkus distribution from Maven Central, no container engine) with the
# AAuth provider from packages/keycloak-provider, on 127.0.0.1, in dev mode with an in-memory database.
#
#   bash scripts/keycloak.sh [--port N] [--hostname URL] [--background] [--pidfile FILE] [--import FILE]... [--skip-tests]
#   bash scripts/keycloak.sh --stop [--port N] [--pidfile FILE]
#
# --hostname pins Keycloak's public origin, and so the issuer (<origin>/realms/<realm>); default
# http://127.0.0.1:<port>. The demo uses http://localhost:<port> (its identifiers' layout).
# Realms imported: keycloak-realm.json at the repository root when it exists, plus every --import FILE.
# With neither, the provider's own test realm (packages/keycloak-provider/src/test/resources/realm-e2e.json).
# The distribution is unpacked once under .keycloak/ (gitignored); Maven keeps the zip in ~/.m2.
# Environment: JAVA_HOME (tried first), KEYCLOAK_START_TIMEOUT (seconds, default 600),
# KEYCLOAK_VERSION (the server to run, e.g. 26.4.0; default the provider's keycloak.version in pom.xml:
# the provider jar is always built against pom.xml, as an admin would install the released jar).
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
IMPORTS=()

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

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
    --stop) STOP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "keycloak.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$PORT" in (*[!0-9]*|'') echo "keycloak.sh: --port needs a number" >&2; exit 2 ;; esac
PIDFILE="${PIDFILE:-$WORK/keycloak-$PORT.pid}"
HOSTNAME_URL="${HOSTNAME_URL:-http://127.0.0.1:$PORT}"
case "$HOSTNAME_URL" in (http://*|https://*) ;; (*) echo "keycloak.sh: --hostname needs an http(s) URL" >&2; exit 2 ;; esac
LOG="$WORK/keycloak-$PORT.log"

log() { printf '[keycloak.sh] %s\n' "$*" >&2; }

# --stop: end the process group we started (its id is in the pidfile), nothing else.
stop_keycloak() {
  if [ ! -f "$PIDFILE" ]; then
    log "no pidfile $PIDFILE; nothing to stop"
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
log "building the provider"
if [ "$SKIP_TESTS" = 1 ]; then
  (cd "$PROVIDER_DIR" && mvn -B -q -Dstyle.color=never package -DskipTests)
else
  (cd "$PROVIDER_DIR" && mvn -B -q -Dstyle.color=never package)
fi
JAR="$PROVIDER_DIR/target/aauth-keycloak-provider.jar"
[ -f "$JAR" ] || { echo "keycloak.sh: $JAR was not built" >&2; exit 1; }
rm -f "$KC_HOME/providers/"aauth-*.jar
cp "$JAR" "$KC_HOME/providers/"

# 3. Realms to import (dev-mem starts empty every time, so import always applies). Keycloak's
#    directory import wants each file named <realm>-realm.json.
rm -rf "$KC_HOME/data/import" && mkdir -p "$KC_HOME/data/import"
add_realm() {
  local f="$1" name
  [ -f "$f" ] || { echo "keycloak.sh: realm file $f: no such file" >&2; exit 1; }
  name="$(sed -n 's/^[[:space:]]*"realm"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | head -n1)"
  [ -n "$name" ] || { echo "keycloak.sh: $f has no top-level \"realm\" name" >&2; exit 1; }
  cp "$f" "$KC_HOME/data/import/$name-realm.json"
}
if [ -f "$ROOT/keycloak-realm.json" ]; then
  add_realm "$ROOT/keycloak-realm.json"
fi
for f in "${IMPORTS[@]+"${IMPORTS[@]}"}"; do
  add_realm "$f"
done
if [ -z "$(ls -A "$KC_HOME/data/import")" ]; then
  log "no keycloak-realm.json at the repository root; importing the provider's test realm"
  add_realm "$PROVIDER_DIR/src/test/resources/realm-e2e.json"
fi
log "importing: $(ls "$KC_HOME/data/import" | tr '\n' ' ')"

# 4. Start in dev mode on loopback. --hostname pins the issuer to <hostname>/realms/<realm>.
# declarative-ui shows the provider's AAuth tabs (clients, realm settings) in the admin console.
export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"
START=$(date +%s)
log "starting Keycloak $KC_VERSION on http://127.0.0.1:$PORT as $HOSTNAME_URL (log: $LOG)"
setsid "$KC_HOME/bin/kc.sh" start-dev \
  --http-host=127.0.0.1 --http-port="$PORT" \
  --db=dev-mem --import-realm \
  --hostname="$HOSTNAME_URL" \
  --features=declarative-ui \
  >"$LOG" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$PIDFILE"

# 5. Ready when the master realm's discovery document answers.
TIMEOUT="${KEYCLOAK_START_TIMEOUT:-600}"
until curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/realms/master/.well-known/openid-configuration"; do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "keycloak.sh: Keycloak exited during startup; last log lines:" >&2
    tail -n 40 "$LOG" >&2
    rm -f "$PIDFILE"
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
