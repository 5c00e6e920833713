#!/usr/bin/env bash
# The Keycloak provider's whole test run:
#   1. Java unit tests (mvn -B test in packages/keycloak-provider: RFC 9421 vectors, parsers, policy, fetcher);
#   2. a real Keycloak with the provider (scripts/keycloak.sh, dev mode, in-memory database, loopback only);
#   3. the provider's end-to-end checks (packages/keycloak-provider/e2e/run.mjs, realms aauth-e2e and
#      aauth-e2e-other: two realms in one server, for the realm-isolation checks);
#   3a. the Person Server of the current draft (packages/keycloak-provider/e2e/person-server.mjs, realm
#      aauth-ps with aauth.personServer = "true"): missions, person tokens, auth tokens, sub-agents,
#      pending URLs and problem+json errors, the person through Keycloak's login and review page;
#   3b. the admin console's AAuth tab in headless Chromium (packages/keycloak-provider/e2e/admin-console.mjs):
#      an admin marks a client as an agent through the tab and its next token request is served;
#      skipped with a message where /usr/bin/chromium is absent (a failure with CI=true);
#   3c. MCP over AAuth (packages/mcp/test/mcp-keycloak.integration.test.ts, realm aauth-e2e): an assistant
#      the user approved through Keycloak's login page calls an MCP tool; the tool's downstream call is
#      answered by an RFC 8693 exchange at the provider, the downstream sees act = MCP server ← assistant;
#   4. the TypeScript conformance suite against the same server, when conformance/ exists (realms
#      aauth-conformance and aauth-conformance-minimum);
#      also: the production realm template (keycloak-realm.production.json) imports and serves its
#      issuer metadata;
#   5. the demo (`npm run demo -- --once`, user mode: consent through Keycloak's login page and the
#      provider's consent page) against the same server's aauth-test realm, which keycloak.sh imports
#      from keycloak-realm.json; then the current profile's demo (`--profile current`: backend →
#      supply-chain → market-analysis, chained through the Person Server) against the realm
#      aauth-test-current, the same realm as a Person Server (scripts/demo-realm-current.mjs); the
#      demo's services run on their default ports (the realm names them), so these steps are skipped
#      when one of those ports is taken;
#   6. Keycloak is stopped, whatever happened.
#
#   bash scripts/test-keycloak.sh [--port N]
#   KEYCLOAK_VERSION=26.4.0 bash scripts/test-keycloak.sh    # the same jar in another 26.x server
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROVIDER_DIR="$ROOT/packages/keycloak-provider"
PORT=8180
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --port=*) PORT="${1#*=}"; shift ;;
    *) echo "test-keycloak.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
PIDFILE="$ROOT/.keycloak/test-keycloak-$PORT.pid"
BASE="http://127.0.0.1:$PORT"

log() { printf '[test-keycloak] %s\n' "$*" >&2; }
T0=$(date +%s)
STATUS=0
declare -a SUMMARY=()
step() { # step NAME SECONDS RESULT
  SUMMARY+=("$(printf '%-28s %5ss  %s' "$1" "$2" "$3")")
}

cleanup() {
  bash "$ROOT/scripts/keycloak.sh" --stop --port "$PORT" --pidfile "$PIDFILE" || true
}
trap cleanup EXIT

realm_name() { sed -n 's/^[[:space:]]*"realm"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$1" | head -n1; }

# 1. Java unit tests.
t=$(date +%s)
log "Java unit tests"
if (cd "$PROVIDER_DIR" && mvn -B test); then
  step "java unit tests" $(( $(date +%s) - t )) ok
else
  step "java unit tests" $(( $(date +%s) - t )) FAILED
  STATUS=1
  printf '%s\n' "${SUMMARY[@]}"
  exit 1
fi

# 2. Keycloak with the provider, the e2e realm and (when present) the conformance realm.
IMPORTS=(--import "$PROVIDER_DIR/src/test/resources/realm-e2e.json" --import "$PROVIDER_DIR/src/test/resources/realm-e2e-other.json"
  --import "$PROVIDER_DIR/src/test/resources/realm-ps.json")
PRODUCTION_REALM=""
if [ -f "$ROOT/keycloak-realm.production.json" ]; then
  IMPORTS+=(--import "$ROOT/keycloak-realm.production.json")
  PRODUCTION_REALM="$(realm_name "$ROOT/keycloak-realm.production.json")"
fi
CONFORMANCE_REALM=""
if [ -f "$ROOT/conformance/realm.json" ]; then
  IMPORTS+=(--import "$ROOT/conformance/realm.json")
  CONFORMANCE_REALM="$(realm_name "$ROOT/conformance/realm.json")"
  # The suite's second realm (aauth.signatureComponents = draft-minimum), on the same server.
  [ -f "$ROOT/conformance/realm-draft-minimum.json" ] && IMPORTS+=(--import "$ROOT/conformance/realm-draft-minimum.json")
  # The Person Server realm of the current draft (aauth.personServer), also on the same server.
  [ -f "$ROOT/conformance/realm-current.json" ] && IMPORTS+=(--import "$ROOT/conformance/realm-current.json")
fi
# The current profile's demo realm (built from the compiled launcher, so the examples first).
DEMO_CURRENT_REALM="$ROOT/.keycloak/realm-demo-current.json"
DEMO_CURRENT_ISSUER="$BASE/realms/aauth-test-current"
mkdir -p "$ROOT/.keycloak"
(cd "$ROOT" && npx tsc -b examples && node scripts/demo-realm-current.mjs "$DEMO_CURRENT_ISSUER" "$DEMO_CURRENT_REALM")
IMPORTS+=(--import "$DEMO_CURRENT_REALM")
t=$(date +%s)
log "starting Keycloak on $BASE"
if bash "$ROOT/scripts/keycloak.sh" --background --skip-tests --port "$PORT" --pidfile "$PIDFILE" "${IMPORTS[@]}"; then
  step "keycloak build+start" $(( $(date +%s) - t )) ok
else
  step "keycloak build+start" $(( $(date +%s) - t )) FAILED
  printf '%s\n' "${SUMMARY[@]}"
  exit 1
fi
grep -E "started in [0-9.]+s" "$ROOT/.keycloak/keycloak-$PORT.log" | tail -n1 | sed 's/.*started in \([0-9.]*\)s.*/[test-keycloak] Keycloak reports: started in \1 s/' >&2 || true

# 3. Provider e2e checks.
t=$(date +%s)
log "provider end-to-end checks"
if AAUTH_E2E_KEYCLOAK_LOG="$ROOT/.keycloak/keycloak-$PORT.log" node "$PROVIDER_DIR/e2e/run.mjs" "$BASE/realms/aauth-e2e" "$BASE/realms/aauth-e2e-other"; then
  step "provider e2e" $(( $(date +%s) - t )) ok
else
  step "provider e2e" $(( $(date +%s) - t )) FAILED
  STATUS=1
fi

# 3a. The Person Server of the current draft.
t=$(date +%s)
log "Person Server (current draft) end-to-end checks"
if AAUTH_E2E_KEYCLOAK_LOG="$ROOT/.keycloak/keycloak-$PORT.log" node "$PROVIDER_DIR/e2e/person-server.mjs" "$BASE/realms/aauth-ps" "$BASE/realms/aauth-e2e"; then
  step "person server e2e (current)" $(( $(date +%s) - t )) ok
else
  step "person server e2e (current)" $(( $(date +%s) - t )) FAILED
  STATUS=1
fi

# 3b. The production realm template is a realm Keycloak imports and the provider serves.
if [ -n "$PRODUCTION_REALM" ]; then
  t=$(date +%s)
  if curl -sf --max-time 10 "$BASE/realms/$PRODUCTION_REALM/.well-known/aauth-issuer.json" | grep -q "\"issuer\":\"$BASE/realms/$PRODUCTION_REALM\""; then
    step "production realm import" $(( $(date +%s) - t )) ok
  else
    step "production realm import" $(( $(date +%s) - t )) FAILED
    STATUS=1
  fi
fi

# 3c. The admin console's AAuth tab, in a real browser.
if [ -x /usr/bin/chromium ] || [ "${CI:-}" = "true" ]; then
  t=$(date +%s)
  log "admin console AAuth tab (headless Chromium)"
  if (cd "$ROOT" && node "$PROVIDER_DIR/e2e/admin-console.mjs" "$BASE/realms/aauth-e2e"); then
    step "admin console (browser)" $(( $(date +%s) - t )) ok
  else
    step "admin console (browser)" $(( $(date +%s) - t )) FAILED
    STATUS=1
  fi
else
  log "admin console browser test skipped: /usr/bin/chromium is absent (install it with: apt-get install -y chromium)"
  step "admin console (browser)" 0 "skipped (no chromium)"
fi

# MCP over AAuth with this Keycloak as the auth server (the hosts' ports are named in realm-e2e.json).
t=$(date +%s)
log "MCP over AAuth against $BASE/realms/aauth-e2e"
if (cd "$ROOT" && AAUTH_MCP_KEYCLOAK_ISSUER="$BASE/realms/aauth-e2e" node --experimental-vm-modules node_modules/jest/bin/jest.js packages/mcp/test/mcp-keycloak.integration.test.ts); then
  step "mcp over keycloak" $(( $(date +%s) - t )) ok
else
  step "mcp over keycloak" $(( $(date +%s) - t )) FAILED
  STATUS=1
fi

# 4. Conformance suite (the same cases the embedded server runs), when it exists.
if [ -n "$CONFORMANCE_REALM" ] && [ -f "$ROOT/conformance/jest.config.js" ]; then
  t=$(date +%s)
  if [ ! -d "$ROOT/packages/core/dist" ] || [ ! -d "$ROOT/packages/auth-server/dist" ]; then
    log "building the TypeScript packages the suite imports"
    (cd "$ROOT" && npx tsc -b)
  fi
  log "conformance suite against $BASE/realms/$CONFORMANCE_REALM"
  if (cd "$ROOT" && AAUTH_ISSUER="$BASE/realms/$CONFORMANCE_REALM" AAUTH_SERVER_KIND=keycloak npm run conformance); then
    step "conformance (keycloak)" $(( $(date +%s) - t )) ok
  else
    step "conformance (keycloak)" $(( $(date +%s) - t )) FAILED
    STATUS=1
  fi
else
  log "conformance/ not present yet; skipped"
fi

# 5. The demo against the same Keycloak (one Keycloak start for the whole run).
DEMO_PORTS=(8000 8001 9002 9003)
busy=""
for p in "${DEMO_PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy="$busy $p"; fi
done
if [ -n "$busy" ]; then
  log "demo skipped: port(s)$busy already in use (the realm names the demo's services by their default ports)"
  step "demo --once (keycloak)" 0 "skipped (ports$busy busy)"
  step "demo --once current (kc)" 0 "skipped (ports$busy busy)"
else
  t=$(date +%s)
  log "demo --once against $BASE/realms/aauth-test"
  if (cd "$ROOT" && npx tsc -b examples && node scripts/demo.js --once --auth-server external --issuer "$BASE/realms/aauth-test" --log json); then
    step "demo --once (keycloak)" $(( $(date +%s) - t )) ok
  else
    step "demo --once (keycloak)" $(( $(date +%s) - t )) FAILED
    STATUS=1
  fi
  t=$(date +%s)
  log "demo --once --profile current against $DEMO_CURRENT_ISSUER"
  if (cd "$ROOT" && node scripts/demo.js --once --profile current --auth-server external --issuer "$DEMO_CURRENT_ISSUER" --realm "$DEMO_CURRENT_REALM" --log json); then
    step "demo --once current (kc)" $(( $(date +%s) - t )) ok
  else
    step "demo --once current (kc)" $(( $(date +%s) - t )) FAILED
    STATUS=1
  fi
fi

cleanup
trap - EXIT
step "total" $(( $(date +%s) - T0 )) "$([ "$STATUS" = 0 ] && echo ok || echo FAILED)"
printf '\n'
printf '%s\n' "${SUMMARY[@]}"
exit "$STATUS"
