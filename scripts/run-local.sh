#!/usr/bin/env bash
# ./atpin run [--with-pds] [--with-keycloak] — the service on 127.0.0.1:8080 with everything it needs,
# all local: an embedded PostgreSQL (data in .atpin/postgres) and one Kubo node (repo in .atpin/kubo).
# With --with-pds it also starts the reference atproto PDS and a PLC directory on loopback with a
# demo account (printed), so that atproto login and the repo watcher work with no outside service.
# With --with-keycloak it also starts Keycloak (home and data in .atpin/keycloak), provisions it with
# `keycloak-setup` (realm atpin, demo operators) and turns the operator console on at /console.
# With --nodes=N (1 to 5, default 1) it starts N Kubo nodes instead of one, peered with each other on
# loopback (node 1 in .atpin/kubo as before, node i in .atpin/kubo-i, PID in .atpin/kubo-i.pid; ports and
# profile: scripts/local-node.sh), registers them all as local, local-2, ..., gives the default plan
# replication 2 and the dispatch demo timings below (each overridable through its environment variable),
# mints an operator token (.atpin/operator-token) for the admin API, and prints how to kill a node and bring
# it back. Builds Kubo and the service when missing. Ctrl-C stops everything it started.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
state="$root/.atpin"
mkdir -p "$state"

with_pds=false
with_keycloak=false
nodes=1
for arg in "$@"; do
  case "$arg" in
    --with-pds) with_pds=true ;;
    --with-keycloak) with_keycloak=true ;;
    --nodes=[1-5]) nodes="${arg#--nodes=}" ;;
    *) echo "usage: ./atpin run [--nodes=N (1-5)] [--with-pds] [--with-keycloak]" >&2; exit 2 ;;
  esac
done

port="${ATPIN_PORT:-8080}"
kubo_api_port="${ATPIN_KUBO_API_PORT:-5101}"
dev_did="${ATPIN_DEV_DID:-did:plc:localdevelopmentaaaaaaaa}"

kubo_pid=""
nodes_started=0
pds_pid=""
keycloak_pid=""
service_pid=""
# Everything started here is stopped on exit, whatever the reason.
stop() {
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  if [ -n "$kubo_pid" ]; then kill "$kubo_pid" 2>/dev/null || true; wait "$kubo_pid" 2>/dev/null || true; fi
  # --nodes=N: by their PID files, so that a node brought back by hand (local-node.sh start) is stopped too
  for i in $(seq 1 "$nodes_started"); do scripts/local-node.sh stop "$i" || true; done
  if [ -n "$keycloak_pid" ]; then kill "$keycloak_pid" 2>/dev/null || true; wait "$keycloak_pid" 2>/dev/null || true; fi
  if [ -n "$pds_pid" ]; then
    kill "$pds_pid" 2>/dev/null || true; wait "$pds_pid" 2>/dev/null || true
    rm -rf "${pds_data:-}"
  fi
}
trap stop EXIT INT TERM

ipfs="$(scripts/kubo.sh)"
export IPFS_PATH="$state/kubo" IPFS_TELEMETRY=off

node_args=(-Datpin.kubo.nodes.local.rpc-url="http://127.0.0.1:$kubo_api_port")
if [ "$nodes" -gt 1 ]; then
  scripts/local-node.sh setup "$nodes"
  for i in $(seq 1 "$nodes"); do
    nodes_started=$i
    scripts/local-node.sh start "$i"
    [ "$i" = 1 ] || node_args+=("-Datpin.kubo.nodes.local-$i.rpc-url=http://127.0.0.1:$((kubo_api_port + i - 1))")
  done
  # Demo timings: a killed node is down after a few seconds and its copies are made again at once; a node that
  # comes back has our surplus pins removed by the next reconciliation. Production defaults: see the README.
  export ATPIN_ACCOUNTS_PLANS_FREE_REPLICATION="${ATPIN_ACCOUNTS_PLANS_FREE_REPLICATION:-2}"
  export ATPIN_DISPATCH_HEALTH_INTERVAL="${ATPIN_DISPATCH_HEALTH_INTERVAL:-1s}"
  export ATPIN_DISPATCH_DOWN_AFTER="${ATPIN_DISPATCH_DOWN_AFTER:-5s}"
  export ATPIN_KUBO_RPC_TIMEOUT="${ATPIN_KUBO_RPC_TIMEOUT:-3s}"
  export ATPIN_DISPATCH_HEAL_INTERVAL="${ATPIN_DISPATCH_HEAL_INTERVAL:-1s}"
  export ATPIN_DISPATCH_UNPIN_INTERVAL="${ATPIN_DISPATCH_UNPIN_INTERVAL:-1s}"
  export ATPIN_DISPATCH_INITIAL_BACKOFF="${ATPIN_DISPATCH_INITIAL_BACKOFF:-1s}"
  export ATPIN_DISPATCH_MAX_BACKOFF="${ATPIN_DISPATCH_MAX_BACKOFF:-10s}"
  export ATPIN_DISPATCH_RECONCILE_DELAY="${ATPIN_DISPATCH_RECONCILE_DELAY:-5s}"
  export ATPIN_DISPATCH_RECONCILE_INTERVAL="${ATPIN_DISPATCH_RECONCILE_INTERVAL:-10s}"
  # The dev DID opens the admin API with the operator token minted below (the dev token itself has no admin scope).
  node_args+=(-Datpin.accounts.operators="$dev_did")
elif curl -fsS -X POST "http://127.0.0.1:$kubo_api_port/api/v0/id" >/dev/null 2>&1; then
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
     "${node_args[@]}" \
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


# --nodes=N: an admin-scoped token for the dev DID in .atpin/operator-token (mode 600), minted once and reused
# while the service accepts it; never printed. The one-shot command uses the running service's database.
operator_token() {
  local file="$state/operator-token"
  if [ -s "$file" ] && curl -fsS -o /dev/null -H "Authorization: Bearer $(cat "$file")" \
      "http://127.0.0.1:$port/admin/v1/nodes" 2>/dev/null; then
    return 0
  fi
  (umask 077 && java -Datpin.embedded-postgres.data-dir="$state/postgres" -Datpin.auth.key-dir="$state/keys" \
       -jar "$jar" mint-token "$dev_did" admin --label "local operator (./atpin run --nodes)" \
       >"$file.new" 2>"$state/operator-token.log" && mv "$file.new" "$file") \
    || { rm -f "$file.new"; echo "atpin: could not mint the operator token, see $state/operator-token.log" >&2; }
}

kubo_nodes="the Kubo node"
[ "$nodes" = 1 ] || kubo_nodes="the $nodes Kubo nodes"
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; then
    cat <<MSG

  atpin is running on http://127.0.0.1:$port  (Ctrl-C stops it, $kubo_nodes and the database)

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
    if [ "$nodes" -gt 1 ]; then
      operator_token
      ports="$(seq -s ' ' "$kubo_api_port" "$((kubo_api_port + nodes - 1))")"
      cat <<MSG
  $nodes Kubo nodes (local, local-2, ...: APIs on 127.0.0.1 ports $ports), 2 copies of each pin:
    # pin a few CIDs (the blocks are added to node 1 without pinning them there)
    for i in 1 2 3 4 5; do cid=\$(echo "demo \$i \$RANDOM" | $ipfs --api=/ip4/127.0.0.1/tcp/$kubo_api_port add -q --pin=false)
      curl -s -H "Authorization: Bearer \$(cat $state/dev-token)" -H 'Content-Type: application/json' \\
        -d "{\"cid\":\"\$cid\",\"name\":\"demo-\$i\"}" http://127.0.0.1:$port/psa/pins; echo; done
    # the pins on each node: ours are named atpin:<CID in base32>
    for p in $ports; do echo "node on \$p:"; $ipfs --api=/ip4/127.0.0.1/tcp/\$p pin ls --type=recursive --names; done
    # the nodes as the service sees them (state, copies pinned), every second
    while sleep 1; do date +%T; curl -s -H "Authorization: Bearer \$(cat $state/operator-token)" \\
      http://127.0.0.1:$port/admin/v1/nodes | python3 -c 'import json,sys; [print(" ", n["name"], n["state"], "pinned", n["pinned"]) for n in json.load(sys.stdin)]'; done
    # kill node 2: down after ${ATPIN_DISPATCH_DOWN_AFTER}, its copies made again on the others
    kill -9 \$(cat $state/kubo-2.pid)
    # bring it back: its surplus pins of ours are removed by a reconciliation (every ${ATPIN_DISPATCH_RECONCILE_INTERVAL})
    $root/scripts/local-node.sh start 2

MSG
    fi
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
