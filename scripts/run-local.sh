#!/usr/bin/env bash
# ./atpin run [--with-pds] [--with-keycloak] — the service on 127.0.0.1:8080 with everything it needs,
# all local: an embedded PostgreSQL (data in .atpin/postgres) and one Kubo node (repo in .atpin/kubo).
# With --with-pds it also starts the reference atproto PDS and a PLC directory on loopback with a
# demo account (printed), so that atproto login and the repo watcher work with no outside service.
# With --with-keycloak it also starts Keycloak (home and data in .atpin/keycloak), provisions it with
# `keycloak-setup` (realm atpin, demo operators) and turns the operator console on at /console.
# Builds Kubo and the service when missing. Ctrl-C stops everything it started.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
state="$root/.atpin"
mkdir -p "$state"

with_pds=false
with_keycloak=false
for arg in "$@"; do
  case "$arg" in
    --with-pds) with_pds=true ;;
    --with-keycloak) with_keycloak=true ;;
    *) echo "usage: ./atpin run [--with-pds] [--with-keycloak]" >&2; exit 2 ;;
  esac
done

port="${ATPIN_PORT:-8080}"
kubo_api_port="${ATPIN_KUBO_API_PORT:-5101}"
dev_did="${ATPIN_DEV_DID:-did:plc:localdevelopmentaaaaaaaa}"

kubo_pid=""
pds_pid=""
keycloak_pid=""
service_pid=""
# Everything started here is stopped on exit, whatever the reason.
stop() {
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  if [ -n "$kubo_pid" ]; then kill "$kubo_pid" 2>/dev/null || true; wait "$kubo_pid" 2>/dev/null || true; fi
  if [ -n "$keycloak_pid" ]; then kill "$keycloak_pid" 2>/dev/null || true; wait "$keycloak_pid" 2>/dev/null || true; fi
  if [ -n "$pds_pid" ]; then
    kill "$pds_pid" 2>/dev/null || true; wait "$pds_pid" 2>/dev/null || true
    rm -rf "${pds_data:-}"
  fi
}
trap stop EXIT INT TERM

ipfs="$(scripts/kubo.sh)"
export IPFS_PATH="$state/kubo" IPFS_TELEMETRY=off

if curl -fsS -X POST "http://127.0.0.1:$kubo_api_port/api/v0/id" >/dev/null 2>&1; then
  echo "atpin: using the Kubo node already running on 127.0.0.1:$kubo_api_port"
else
  if [ ! -f "$IPFS_PATH/config" ]; then
    "$ipfs" init --profile test >/dev/null
    "$ipfs" config Addresses.API "/ip4/127.0.0.1/tcp/$kubo_api_port"
    "$ipfs" config Addresses.Gateway "/ip4/127.0.0.1/tcp/$((kubo_api_port + 79))"
    "$ipfs" config --json Addresses.Swarm "[\"/ip4/127.0.0.1/tcp/$((kubo_api_port - 1000))\"]"
  fi
  "$ipfs" daemon --migrate=false >"$state/kubo.log" 2>&1 &
  kubo_pid=$!
  for _ in $(seq 1 300); do
    curl -fsS -X POST "http://127.0.0.1:$kubo_api_port/api/v0/id" >/dev/null 2>&1 && break
    kill -0 "$kubo_pid" 2>/dev/null || { echo "atpin: Kubo failed to start, see $state/kubo.log" >&2; exit 1; }
    sleep 0.2
  done
fi

pds_args=()
if $with_pds; then
  scripts/pds.sh install
  pds_port="${ATPIN_PDS_PORT:-2583}"
  plc_port="${ATPIN_PLC_PORT:-2582}"
  # The PLC directory is in memory: the PDS's data must start fresh with it every time.
  pds_data="$(mktemp -d "$state/pds-XXXXXX")"
  ATPIN_PDS_DEMO_ACCOUNT="${ATPIN_PDS_DEMO_ACCOUNT:-alice}" \
    scripts/pds.sh start "$pds_port" "$plc_port" "$pds_data/data" >"$pds_data/ready" 2>"$state/pds.log" &
  pds_pid=$!
  for _ in $(seq 1 300); do
    [ -s "$pds_data/ready" ] && break
    kill -0 "$pds_pid" 2>/dev/null || { echo "atpin: the PDS failed to start: $(tail -3 "$state/pds.log")" >&2; exit 1; }
    sleep 0.2
  done
  ready="$(head -1 "$pds_data/ready")"
  field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval("d"+sys.argv[2]))' "$ready" "$1"; }
  pds_url="$(field "['pdsUrl']")"
  plc_url="$(field "['plcUrl']")"
  demo_handle="$(field "['demo']['handle']")"
  demo_password="$(field "['demo']['password']")"
  pds_args=(-Datpin.identity.allow-insecure-local=true -Datpin.identity.plc-url="$plc_url"
            -Datpin.identity.dev-handle-resolver="$pds_url")
fi

jar="service/target/quarkus-app/quarkus-run.jar"
if [ ! -f "$jar" ] || [ -n "$(find service/src migrations openapi pom.xml service/pom.xml -newer "$jar" -print -quit)" ]; then
  echo "atpin: building the service"
  ./mvnw -B -q -ntp -DskipTests package
fi

# A secret made here once, kept in .atpin (mode 600), never in the repo.
local_secret() {
  local file="$state/$1"
  if [ ! -s "$file" ]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(24))' >"$file")
  fi
  cat "$file"
}

keycloak_args=()
if $with_keycloak; then
  scripts/keycloak.sh install >/dev/null
  kc_port="${ATPIN_KEYCLOAK_PORT:-8180}"
  kc_admin_password="$(scripts/keycloak.sh admin-password)"
  console_secret="$(local_secret console-client-secret)"
  demo_password="$(local_secret console-demo-password)"
  KC_MANAGEMENT_PORT=$((kc_port + 1)) \
    scripts/keycloak.sh start "$kc_port" "$state/keycloak" >"$state/keycloak.log" 2>&1 &
  keycloak_pid=$!
  echo "atpin: starting Keycloak on 127.0.0.1:$kc_port (log: $state/keycloak.log)"
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$((kc_port + 1))/health/ready" >/dev/null 2>&1 && break
    kill -0 "$keycloak_pid" 2>/dev/null || { echo "atpin: Keycloak failed to start, see $state/keycloak.log" >&2; exit 1; }
    sleep 0.5
  done
  keycloak_args=(-Datpin.operators.oidc.auth-server-url="http://127.0.0.1:$kc_port/realms/atpin"
                 -Datpin.operators.oidc.client-secret="$console_secret"
                 -Datpin.accounts.operators="$dev_did")
  java -Datpin.embedded-postgres.data-dir="$state/postgres" -Datpin.auth.key-dir="$state/keys" \
       -Datpin.oauth.public-url="http://127.0.0.1:$port" \
       -Datpin.kubo.nodes.local.rpc-url="http://127.0.0.1:$kubo_api_port" \
       -Datpin.operators.keycloak.admin-username=admin \
       -Datpin.operators.keycloak.admin-password="$kc_admin_password" \
       -Datpin.operators.keycloak.demo-password="$demo_password" \
       "${keycloak_args[@]}" -jar "$jar" keycloak-setup
fi

java -Dquarkus.http.port="$port" \
     -Datpin.kubo.nodes.local.rpc-url="http://127.0.0.1:$kubo_api_port" \
     -Datpin.dispatch.dial-private-origins=true \
     -Datpin.auth.dev-token-did="$dev_did" \
     -Datpin.auth.dev-token-file="$state/dev-token" \
     -Datpin.embedded-postgres.data-dir="$state/postgres" \
     -Datpin.auth.key-dir="$state/keys" \
     -Datpin.oauth.public-url="http://127.0.0.1:$port" \
     ${pds_args[@]+"${pds_args[@]}"} \
     ${keycloak_args[@]+"${keycloak_args[@]}"} \
     -jar "$jar" &
service_pid=$!


for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; then
    cat <<MSG

  atpin is running on http://127.0.0.1:$port  (Ctrl-C stops it, the Kubo node and the database)

  Pinning Service API   http://127.0.0.1:$port/psa        contract: http://127.0.0.1:$port/openapi/pinning-service.yaml
  Health, metrics       http://127.0.0.1:$port/q/health   http://127.0.0.1:$port/q/metrics
  An API token for $dev_did is in $state/dev-token

  Try it (in another terminal):
    curl -s -H "Authorization: Bearer \$(cat $state/dev-token)" http://127.0.0.1:$port/psa/pins
    export IPFS_PATH=$IPFS_PATH
    $ipfs pin remote service add atpin http://127.0.0.1:$port/psa "\$(cat $state/dev-token)"
    $ipfs pin remote add --service=atpin --name=hello "\$(echo hello | $ipfs add -q)"
    $ipfs pin remote ls --service=atpin

MSG
    if $with_keycloak; then
      cat <<MSG
  Operator console      http://127.0.0.1:$port/console   (Keycloak: http://127.0.0.1:$kc_port, admin / scripts/keycloak.sh admin-password)
  Demo operators        operator-admin (atpin-admin) and operator-viewer (atpin-viewer), password $demo_password
  Admin API as a script:
    TOKEN=\$(curl -s -d grant_type=password -d client_id=atpin-cli -d username=operator-admin -d password=$demo_password \\
      http://127.0.0.1:$kc_port/realms/atpin/protocol/openid-connect/token | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -s -H "Authorization: Bearer \$TOKEN" http://127.0.0.1:$port/admin/v1/accounts

MSG
    fi
    if $with_pds; then
      cat <<MSG
  Demo atproto PDS      $pds_url   (PLC directory $plc_url)
  Demo account          handle $demo_handle   password $demo_password

MSG
    fi
    break
  fi
  kill -0 "$service_pid" 2>/dev/null || { echo "atpin: the service failed to start" >&2; exit 1; }
  sleep 0.5
done
wait "$service_pid"
