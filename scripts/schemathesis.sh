#!/usr/bin/env bash
# Schemathesis (PyPI) in a venv of its own under the cache, and a bounded run of it.
#
#   scripts/schemathesis.sh install                          install once (idempotent)
#   scripts/schemathesis.sh run BASE_URL TOKEN SPEC [N] [-- extra schemathesis args]
#        fuzz BASE_URL (e.g. http://127.0.0.1:8080/psa) with SPEC, N examples per operation (default 25);
#        exit 0 only when no check failed: no 5xx, every status, content type and body as the spec says.
#        TOKEN may be empty when a hooks file (SCHEMATHESIS_HOOKS) sets Authorization itself (a header given
#        here would override it); SCHEMATHESIS_EXTRA_CHECKS adds that file's checks (comma-separated names)
#
# A longer run by hand: scripts/schemathesis.sh run http://127.0.0.1:8080/psa "$TOKEN" openapi/pinning-service.yaml 1000
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
venv="${ATPIN_CACHE:-$HOME/.cache/atpin}/schemathesis/$SCHEMATHESIS_VERSION"

install() {
  if [ -x "$venv/bin/schemathesis" ] && "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    return 0
  fi
  command -v python3 >/dev/null || { echo "schemathesis.sh: python3 is needed" >&2; exit 1; }
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
}

run() {
  local url="$1" token="$2" spec="$3" n="${4:-25}"
  shift 3; [ $# -gt 0 ] && shift
  [ "${1:-}" = "--" ] && shift
  install
  local auth=()
  [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
  local checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
  "$venv/bin/schemathesis" run "$spec" --url "$url" "${auth[@]}" \
    --checks "$checks${SCHEMATHESIS_EXTRA_CHECKS:+,$SCHEMATHESIS_EXTRA_CHECKS}" \
    --phases examples,fuzzing,stateful --max-examples "$n" --seed 14 --workers 1 --request-timeout 30 \
    --suppress-health-check all "$@"
}

case "${1:-}" in
  install) install ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 install | run BASE_URL TOKEN SPEC [N]" >&2; exit 2 ;;
esac
