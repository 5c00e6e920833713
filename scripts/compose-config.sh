#!/usr/bin/env bash
# Validate docker-compose.yml with the Compose CLI itself: `docker compose config` for each profile.
# No Docker engine is needed for `config`. The CLI is built from the Go module proxy at a pinned
# version and cached in .cache/compose/<version>/ (gitignored); its go.mod has `replace` directives,
# which `go install module@version` refuses, so the module is downloaded and built in place.
# Usage: bash scripts/compose-config.sh          build (once) and check every profile
#        bash scripts/compose-config.sh --build  only build the CLI (needs the Go module proxy)
# Exit status 2 with a message on stderr when Go is absent and no built CLI is cached.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v2.40.3
profiles=(keycloak embedded)
bin="$PWD/.cache/compose/$version/docker-compose"

if [ ! -x "$bin" ]; then
  if ! command -v go >/dev/null; then
    echo "compose-config: Go is not installed and $bin is not built; install Go to build the Compose CLI" >&2
    exit 2
  fi
  start=$SECONDS
  # -json prints the module's directory in the module cache (read-only; the binary goes elsewhere).
  dir=$(go mod download -json "github.com/docker/compose/v2@$version" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = JSON.parse(s);
      if (m.Error || !m.Dir) { console.error(m.Error ?? "no module directory"); process.exit(1); }
      console.log(m.Dir);
    });')
  mkdir -p "$(dirname "$bin")"
  (cd "$dir" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" ./cmd)
  mv "$bin.tmp" "$bin"
  echo "compose-config: built Compose CLI $version in $((SECONDS - start)) s" >&2
fi
[ "${1:-}" = "--build" ] && exit 0

for profile in "${profiles[@]}"; do
  # COMPOSE_PROFILES from .env would add the default profile to every run: name exactly one.
  COMPOSE_PROFILES="$profile" "$bin" --project-directory . -f docker-compose.yml config --quiet
  echo "compose-config: Compose $version: profile $profile: valid"
done
