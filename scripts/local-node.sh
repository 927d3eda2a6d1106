#!/usr/bin/env bash
# The local Kubo nodes of `./atpin run --nodes=N`, one repo each under .atpin/: node 1 in .atpin/kubo
# (the one plain `./atpin run` uses), node i in .atpin/kubo-i. All on loopback, from the API port base
# ATPIN_KUBO_API_PORT (default 5101): node i has its RPC API on base+i-1, its gateway on base+79+i-1 and
# its swarm on base-1000+i-1 (distinct for up to 5 nodes). `--profile test`: no bootstrap peers, no mDNS,
# no AutoTLS/AutoConf, no NAT port mapping; each node peers with the others only (Peering.Peers).
#
#   scripts/local-node.sh setup N    create or update the repos of nodes 1..N (ports, peering); nodes running are left alone
#   scripts/local-node.sh start I    start node I in the background (PID in .atpin/kubo-I.pid, log in .atpin/kubo-I.log,
#                                    node 1: kubo.log), wait until its API answers; e.g. to bring back a node killed with kill -9
#   scripts/local-node.sh stop I     stop node I (the PID in its file, when it is that node's daemon)
#   scripts/local-node.sh api I      print node I's RPC API multiaddr (for `ipfs --api=...`)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="$root/.atpin"
max_nodes=5
base="${ATPIN_KUBO_API_PORT:-5101}"

usage() { sed -n '8,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

index() {
  if [[ "${1:-}" =~ ^[1-9][0-9]*$ ]] && [ "$1" -le "$max_nodes" ]; then return 0; fi
  { echo "local-node.sh: a node number from 1 to $max_nodes, not '${1:-}'" >&2; exit 2; }
}
repo() { if [ "$1" = 1 ]; then echo "$state/kubo"; else echo "$state/kubo-$1"; fi; }
log() { if [ "$1" = 1 ]; then echo "$state/kubo.log"; else echo "$state/kubo-$1.log"; fi; }
pid_file() { echo "$state/kubo-$1.pid"; }
node_ipfs() { local i="$1"; shift; IPFS_PATH="$(repo "$i")" IPFS_TELEMETRY=off "$ipfs" "$@"; }
# The TCP port of node I's RPC API, from its own config (so `start` works whatever the environment says now).
api_port() { node_ipfs "$1" config Addresses.API | tr -d '"[] \n' | sed 's#.*/tcp/\([0-9]*\).*#\1#'; }
answers() { curl -fsS -m 2 -X POST "http://127.0.0.1:$1/api/v0/id" >/dev/null 2>&1; }
# A daemon killed with kill -9 leaves its repo's `api` file behind, and the CLI would then refuse to work offline.
clear_stale_api() {
  local file port
  file="$(repo "$1")/api"
  [ -f "$file" ] || return 0
  port="$(sed 's#.*/tcp/\([0-9]*\).*#\1#' "$file")"
  answers "$port" || rm -f "$file"
}

# The PID in node I's file when that process is the daemon of node I's repo (a stale file's PID may be reused).
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [ -s "$file" ] || return 1
  pid="$(cat "$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/environ" ] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qx daemon || return 1
  tr '\0' '\n' <"/proc/$pid/environ" | grep -qxF "IPFS_PATH=$(repo "$1")" || return 1
  echo "$pid"
}

setup() {
  local n="$1" i j peers
  if [[ ! "$base" =~ ^[0-9]+$ ]] || [ "$base" -lt 2025 ] || [ "$base" -gt $((65535 - 79 - max_nodes)) ]; then
    echo "local-node.sh: ATPIN_KUBO_API_PORT=$base leaves no room for the swarm (port-1000) and gateway (port+79) ports" >&2
    exit 2
  fi
  mkdir -p "$state"
  for i in $(seq 1 "$n"); do
    running_pid "$i" >/dev/null && continue
    clear_stale_api "$i"
    [ -f "$(repo "$i")/config" ] || node_ipfs "$i" init --profile test >/dev/null
    node_ipfs "$i" config Addresses.API "/ip4/127.0.0.1/tcp/$((base + i - 1))"
    node_ipfs "$i" config Addresses.Gateway "/ip4/127.0.0.1/tcp/$((base + 79 + i - 1))"
    node_ipfs "$i" config --json Addresses.Swarm "[\"/ip4/127.0.0.1/tcp/$((base - 1000 + i - 1))\"]"
  done
  # Each node keeps a connection to every other one (and reconnects when one comes back).
  for i in $(seq 1 "$n"); do
    running_pid "$i" >/dev/null && continue
    peers=""
    for j in $(seq 1 "$n"); do
      [ "$j" = "$i" ] && continue
      peers+="${peers:+,}{\"ID\":\"$(node_ipfs "$j" config Identity.PeerID)\",\"Addrs\":[\"/ip4/127.0.0.1/tcp/$((base - 1000 + j - 1))\"]}"
    done
    node_ipfs "$i" config --json Peering.Peers "[$peers]"
  done
}

start() {
  local i="$1" pid port
  [ -f "$(repo "$i")/config" ] || { echo "local-node.sh: node $i has no repo yet ($(repo "$i")); ./atpin run --nodes=N makes it" >&2; exit 1; }
  running_pid "$i" >/dev/null || clear_stale_api "$i"
  port="$(api_port "$i")"
  if pid="$(running_pid "$i")"; then
    echo "local-node.sh: node $i is already running (PID $pid, API 127.0.0.1:$port)"
    return 0
  fi
  if answers "$port"; then
    echo "local-node.sh: something else already answers on 127.0.0.1:$port (node $i's API port)" >&2
    exit 1
  fi
  IPFS_PATH="$(repo "$i")" IPFS_TELEMETRY=off "$ipfs" daemon --migrate=false </dev/null >"$(log "$i")" 2>&1 &
  pid=$!
  echo "$pid" >"$(pid_file "$i")"
  for _ in $(seq 1 300); do
    answers "$port" && { echo "local-node.sh: node $i running (PID $pid, API 127.0.0.1:$port, log $(log "$i"))"; return 0; }
    kill -0 "$pid" 2>/dev/null || { echo "local-node.sh: node $i failed to start, see $(log "$i")" >&2; rm -f "$(pid_file "$i")"; exit 1; }
    sleep 0.2
  done
  echo "local-node.sh: node $i did not answer on 127.0.0.1:$port within 60 s, see $(log "$i")" >&2
  exit 1
}

stop() {
  local i="$1" pid
  if pid="$(running_pid "$i")"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do running_pid "$i" >/dev/null || break; sleep 0.1; done
    if running_pid "$i" >/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$(pid_file "$i")"
}

cmd="${1:-}"
[ $# -eq 2 ] || usage
ipfs="$("$root/scripts/kubo.sh")"
case "$cmd" in
  setup) index "$2"; setup "$2" ;;
  start) index "$2"; start "$2" ;;
  stop) index "$2"; stop "$2" ;;
  api) index "$2"; echo "/ip4/127.0.0.1/tcp/$(api_port "$2")" ;;
  *) usage ;;
esac
