#!/usr/bin/env bash
# The official IPFS Pinning Service API compliance suite, installed from npm and run offline.
#
#   scripts/compliance.sh install                  install once into the cache (idempotent)
#   scripts/compliance.sh run ENDPOINT TOKEN SPEC  run it against ENDPOINT (e.g. http://127.0.0.1:8080/psa)
#                                                  with the spec file SPEC; exit 0 only if all 9 checks pass
#
# The suite validates bodies against the spec fetched from a public URL; offline four of its
# nine checks silently vanish. We point it at a local copy of the spec instead (one constant),
# and require total == 9 && success from its JSON report, since it exits 0 even when checks fail.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
dir="${ATPIN_CACHE:-$HOME/.cache/atpin}/compliance/$COMPLIANCE_VERSION"
pkg="$dir/node_modules/@ipfs-shipyard/pinning-service-compliance"

install() {
  if [ -f "$pkg/.atpin-patched" ]; then return 0; fi
  command -v npm >/dev/null || { echo "compliance.sh: npm is needed (Node.js 20+)" >&2; exit 1; }
  mkdir -p "$dir"
  ( cd "$dir" && [ -f package.json ] || echo '{"private":true}' > package.json )
  ( cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
      "@ipfs-shipyard/pinning-service-compliance@$COMPLIANCE_VERSION" >&2 )
  local constants="$pkg/dist/src/utils/constants.js"
  grep -q '^const specLocation = `https://' "$constants" \
    || { echo "compliance.sh: unexpected $constants, cannot point the suite at a local spec" >&2; exit 1; }
  sed -i 's|^const specLocation = `|const specLocation = process.env.ATPIN_SPEC_LOCATION ?? `|' "$constants"
  touch "$pkg/.atpin-patched"
}

run() {
  local endpoint="$1" token="$2" spec="$3"
  [ -f "$spec" ] || { echo "compliance.sh: no spec file at $spec" >&2; exit 1; }
  install
  local host; host="$(echo "$endpoint" | sed -E 's#^[a-z]+://([^/:]+).*#\1#')"
  rm -rf "$pkg/dist/docs"
  ( cd "$dir" && ATPIN_SPEC_LOCATION="$(readlink -f "$spec")" \
      npx --no-install pinning-service-compliance -s "$endpoint" "$token" )
  local report; report="$(ls "$pkg"/dist/docs/*.json 2>/dev/null | head -1)"
  [ -n "$report" ] || { echo "compliance.sh: the suite wrote no report for $host" >&2; exit 1; }
  echo "compliance report: $(cat "$report")"
  node -e 'const r=require(process.argv[1]); process.exit(r.total===9 && r.success===true ? 0 : 1)' "$report"
}

case "${1:-}" in
  install) install ;;
  run) shift; [ $# -eq 3 ] || { echo "usage: $0 run ENDPOINT TOKEN SPEC" >&2; exit 2; }; run "$@" ;;
  *) echo "usage: $0 install | run ENDPOINT TOKEN SPEC" >&2; exit 2 ;;
esac
