#!/usr/bin/env bash
# Two Keycloak nodes in production mode, one cluster, one issuer (`npm run test:keycloak-cluster`):
#   1. a throwaway PostgreSQL on loopback (scripts/lib/postgres.sh), shared by both nodes: their
#      database and their JGroups discovery (jdbc-ping);
#   2. node 1 (http 8181, management 9101, JGroups 7800) builds the provider jar and the optimized
#      Keycloak once and imports the conformance realms; node 2 (8182, 9102, 7801) starts from the
#      same build; both name node 2's origin as their public origin (--hostname), so one issuer;
#   3. the cluster has formed when both nodes log Infinispan's two-member view;
#   4. the conformance suite with AAUTH_ISSUER = node 2 and AAUTH_TOKEN_ORIGIN = node 1: every token
#      request is served by node 1, metadata, polls and consent pages by node 2, then the cluster
#      cases (conformance/cases/cluster.ts), the last of which stops node 1 mid-flow;
#   5. both nodes and PostgreSQL are stopped, whatever happened.
# Figures printed at the end: build and start times, cluster formation, each node's peak RSS.
#
#   bash scripts/test-keycloak-cluster.sh
# Environment: KEYCLOAK_START_TIMEOUT (per node, seconds), KEYCLOAK_CLUSTER_TIMEOUT (cluster
# formation after node 2 is ready, seconds, default 600), JAVA_OPTS_KC_HEAP (see scripts/keycloak.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/.keycloak"
# node: http port, management port, JGroups port
NODE1=(8181 9101 7800)
NODE2=(8182 9102 7801)
ORIGIN1="http://127.0.0.1:${NODE1[0]}"
ORIGIN2="http://127.0.0.1:${NODE2[0]}"
PIDFILE1="$WORK/cluster-${NODE1[0]}.pid"
PIDFILE2="$WORK/cluster-${NODE2[0]}.pid"
LOG1="$WORK/keycloak-${NODE1[0]}.log"
LOG2="$WORK/keycloak-${NODE2[0]}.log"

log() { printf '[test-keycloak-cluster] %s\n' "$*" >&2; }
T0=$(date +%s)
STATUS=0
declare -a SUMMARY=()
step() { SUMMARY+=("$(printf '%-34s %6s  %s' "$1" "$2" "$3")"); }
finish() {
  step "total" "$(( $(date +%s) - T0 ))s" "$([ "$STATUS" = 0 ] && echo ok || echo FAILED)"
  printf '\n'
  printf '%s\n' "${SUMMARY[@]}"
}

# shellcheck source=lib/postgres.sh
. "$ROOT/scripts/lib/postgres.sh"
PG_DIR=""
SAMPLER=""
cleanup() {
  if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; fi
  bash "$ROOT/scripts/keycloak.sh" --stop --port "${NODE2[0]}" --pidfile "$PIDFILE2" || true
  bash "$ROOT/scripts/keycloak.sh" --stop --port "${NODE1[0]}" --pidfile "$PIDFILE1" || true
  if [ -n "$PG_DIR" ]; then postgres_stop "$PG_DIR"; fi
  PG_DIR=""
}
trap cleanup EXIT

for p in "${NODE1[@]}" "${NODE2[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "test-keycloak-cluster: port $p on 127.0.0.1 is taken" >&2
    exit 1
  fi
done
mkdir -p "$WORK"

# 1. The database both nodes share.
t=$(date +%s)
postgres_start
export KC_DB_URL="$PG_URL" KC_DB_USERNAME="$PG_USER" KC_DB_PASSWORD="$PG_PASSWORD"
step "postgresql initdb+start" "$(( $(date +%s) - t ))s" ok

IMPORTS=(--import "$ROOT/conformance/realm.json" --import "$ROOT/conformance/realm-draft-minimum.json"
  --import "$ROOT/conformance/realm-current.json")
node_args() { # node_args PORT MGMT JGROUPS PIDFILE
  echo --db postgres --port "$1" --management-port "$2" --cluster-port "$3" --pidfile "$4" --hostname "$ORIGIN2" --background
}

# 2. Node 1 builds (provider jar, kc.sh build) and creates the schema and realms; then node 2.
t=$(date +%s)
log "node 1 on $ORIGIN1"
# shellcheck disable=SC2046
if ! bash "$ROOT/scripts/keycloak.sh" $(node_args "${NODE1[@]}" "$PIDFILE1") --skip-tests "${IMPORTS[@]}"; then
  step "node 1 build+start" "$(( $(date +%s) - t ))s" FAILED
  STATUS=1; finish; exit 1
fi
step "node 1 build+start" "$(( $(date +%s) - t ))s" ok

t=$(date +%s)
log "node 2 on $ORIGIN2"
# shellcheck disable=SC2046
if ! bash "$ROOT/scripts/keycloak.sh" $(node_args "${NODE2[@]}" "$PIDFILE2") --prebuilt "${IMPORTS[@]}"; then
  step "node 2 start" "$(( $(date +%s) - t ))s" FAILED
  STATUS=1; finish; exit 1
fi
NODE2_READY=$(( $(date +%s) - t ))
step "node 2 start (joins the cluster)" "${NODE2_READY}s" ok

# 3. Formed when each node's log shows Infinispan's view with two members ("ISPN000094: Received new
#    cluster view for channel ISPN: [...] (2) [...]"), and both report ready.
view2() { grep -q 'ISPN000094: Received new cluster view .* (2) ' "$1" 2>/dev/null; }
TIMEOUT="${KEYCLOAK_CLUSTER_TIMEOUT:-600}"
until view2 "$LOG1" && view2 "$LOG2" \
    && curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:${NODE1[1]}/health/ready" \
    && curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:${NODE2[1]}/health/ready"; do
  if [ $(( $(date +%s) - t - NODE2_READY )) -ge "$TIMEOUT" ]; then
    log "no two-member cluster view $TIMEOUT s after node 2 was ready"
    grep -h 'ISPN000094\|JGRP' "$LOG1" "$LOG2" | tail -n 20 >&2 || true
    step "cluster formed" "-" FAILED
    STATUS=1; finish; exit 1
  fi
  sleep 1
done
FORMED=$(( $(date +%s) - t ))
step "cluster formed (from node 2 start)" "${FORMED}s" ok
grep -h 'ISPN000094' "$LOG2" | tail -n1 | sed 's/^.*ISPN000094/[test-keycloak-cluster] ISPN000094/' >&2 || true

# Peak RSS (VmHWM) of each node's JVM, sampled until the end (node 1 stops during step 4).
jvm_of() { # the java process in the process group led by the pid in $1
  local leader
  leader="$(cat "$1" 2>/dev/null)" || return 1
  pgrep -g "$leader" -x java | head -n1
}
JVM1="$(jvm_of "$PIDFILE1")"; JVM2="$(jvm_of "$PIDFILE2")"
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null || true; }
(
  set +e
  while :; do
    for n in 1 2; do
      pid="$([ "$n" = 1 ] && echo "$JVM1" || echo "$JVM2")"
      v="$(hwm "$pid")"
      if [ -n "$v" ]; then echo "$v" >"$WORK/cluster-node$n.hwm"; fi
    done
    sleep 2
  done
) &
SAMPLER=$!

# 4. Conformance suite against node 2 with node 1 serving token requests, then the cluster cases.
t=$(date +%s)
if [ ! -d "$ROOT/packages/core/dist" ] || [ ! -d "$ROOT/packages/auth-server/dist" ]; then
  (cd "$ROOT" && npx tsc -b)
fi
log "conformance against $ORIGIN2 (token requests to $ORIGIN1), then the cluster cases"
if (cd "$ROOT" && AAUTH_ISSUER="$ORIGIN2/realms/aauth-conformance" AAUTH_SERVER_KIND=keycloak \
    AAUTH_TOKEN_ORIGIN="$ORIGIN1" AAUTH_TOKEN_NODE_PIDFILE="$PIDFILE1" npm run conformance); then
  step "conformance + cluster cases" "$(( $(date +%s) - t ))s" ok
else
  step "conformance + cluster cases" "$(( $(date +%s) - t ))s" FAILED
  STATUS=1
fi

kill "$SAMPLER" 2>/dev/null || true
SAMPLER=""
for n in 1 2; do
  v="$(cat "$WORK/cluster-node$n.hwm" 2>/dev/null || echo 0)"
  step "node $n peak RSS" "$(( v / 1024 ))MB" "heap: ${JAVA_OPTS_KC_HEAP:--Xms64m -Xmx512m}"
  rm -f "$WORK/cluster-node$n.hwm"
done

cleanup
trap - EXIT
finish
exit "$STATUS"
