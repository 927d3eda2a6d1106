#!/usr/bin/env bash
# Keycloak, the reference identity provider of the operator console, from Maven Central.
#
#   scripts/keycloak.sh install                 download and unpack once (idempotent), print the home dir
#   scripts/keycloak.sh start PORT DIR          run `kc.sh start-dev` on 127.0.0.1:PORT (management and
#                                               health on PORT+1) with its own home and data in DIR
#                                               (in the foreground; Ctrl-C / SIGTERM stops it)
#   scripts/keycloak.sh admin-password          print the password of the development servers' admin
#                                               (user "admin" in realm master; made at install, mode 600)
#
# The server distribution is the Maven artifact org.keycloak:keycloak-quarkus-dist:<version>:tar.gz
# (~160 MB), fetched with Maven itself and unpacked outside the repo into
# ${ATPIN_CACHE:-~/.cache/atpin}/keycloak/<version>/. It needs a JDK >= 21 (JAVA_HOME, as ./atpin finds it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${ATPIN_CACHE:-$HOME/.cache/atpin}/keycloak/$KEYCLOAK_VERSION"
home="$cache/keycloak-$KEYCLOAK_VERSION"

install() {
  mkdir -p "$cache"
  # one install at a time (test runs and local runs may start together)
  exec 9>"$cache/.lock"
  flock 9
  if ! { [ -x "$home/bin/kc.sh" ] && { [ -f "$cache/.unpacked" ] || [ -f "$cache/.complete" ]; }; }; then
    download
  fi
  if ! { [ -d "$cache/dev-build" ] && [ -d "$cache/dev-data" ] && [ -s "$cache/dev-admin-password" ]; }; then
    warm_up
  fi
  flock -u 9
  echo "$home"
}

download() {
  local work; work="$(mktemp -d "$cache/download-XXXXXX")"
  echo "keycloak.sh: downloading Keycloak $KEYCLOAK_VERSION from Maven Central (~160 MB, once)" >&2
  "$root/mvnw" -B -q -ntp -f "$root/pom.xml" -N dependency:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" -DoutputDirectory="$work" >&2
  rm -rf "$home" "$cache/dev-build" "$cache/dev-data"
  tar -xzf "$work/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" -C "$cache"
  rm -rf "$work"
  [ -x "$home/bin/kc.sh" ] || { echo "keycloak.sh: no bin/kc.sh in the distribution" >&2; exit 1; }
  # Maven keeps its own copy in the local repository; the unpacked one is all we need.
  rm -rf "${HOME}/.m2/repository/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION"
  touch "$cache/.unpacked"
}

# The distribution is built for production: its first `start-dev` re-augments it for development,
# then creates its database and the master realm (together a minute on an idle machine, several
# on a busy one). Do all that once here, on a throwaway server, and keep the results for every
# server started later: the augmented lib/quarkus (dev-build) and the initialised database
# (dev-data, whose bootstrap admin has the password in dev-admin-password, made here, mode 600).
warm_up() {
  local dir port pid
  dir="$(mktemp -d "$cache/warm-up-XXXXXX")/server"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  echo "keycloak.sh: preparing Keycloak's development mode once (a minute or more)" >&2
  rm -rf "$cache/dev-build" "$cache/dev-data"
  (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(16))' >"$cache/dev-admin-password")
  instance "$dir"
  KC_BOOTSTRAP_ADMIN_PASSWORD="$(cat "$cache/dev-admin-password")" KC_MANAGEMENT_PORT=$((port + 1)) \
    run_server "$port" "$dir" >"$dir.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1800); do
    curl -fsS "http://127.0.0.1:$((port + 1))/health/ready" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { echo "keycloak.sh: Keycloak did not start: $(tail -5 "$dir.log")" >&2; exit 1; }
    sleep 1
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  cp -r "$dir/lib/quarkus" "$cache/dev-build.tmp" && mv "$cache/dev-build.tmp" "$cache/dev-build"
  cp -r "$dir/data" "$cache/dev-data.tmp" && rm -rf "$cache/dev-data.tmp/tmp" && mv "$cache/dev-data.tmp" "$cache/dev-data"
  rm -rf "$(dirname "$dir")"
}

# A server of its own: a home dir made of hard links to the cached distribution (no copy of the
# 160 MB of jars), except what a server writes (lib/quarkus: start-dev re-augments there; conf;
# data: the dev H2 database, transaction logs). Runs and tests never share state.
instance() {
  local dir="$1"
  [ -x "$dir/bin/kc.sh" ] && return 0
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir.tmp"
  cp -al "$home" "$dir.tmp" 2>/dev/null || cp -r "$home" "$dir.tmp"
  rm -rf "$dir.tmp/lib/quarkus" "$dir.tmp/conf" "$dir.tmp/bin"
  cp -r "$home/conf" "$home/bin" -t "$dir.tmp/"
  if [ -d "$cache/dev-build" ]; then cp -r "$cache/dev-build" "$dir.tmp/lib/quarkus"
  else cp -r "$home/lib/quarkus" "$dir.tmp/lib/quarkus"; fi
  if [ -d "$cache/dev-data" ]; then cp -r "$cache/dev-data" "$dir.tmp/data"; fi
  mv "$dir.tmp" "$dir"
}

run_server() {
  local port="$1" dir="$2"
  export KC_BOOTSTRAP_ADMIN_USERNAME=admin
  export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-$(cat "$cache/dev-admin-password")}"
  # a development server on a small machine: start fast rather than reach peak speed
  export JAVA_OPTS_APPEND="${JAVA_OPTS_APPEND:--XX:TieredStopAtLevel=1}"
  # exec: the caller's SIGTERM reaches kc.sh, which passes it on to the JVM
  exec "$dir/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$port" \
    --http-management-port="${KC_MANAGEMENT_PORT:-$((port + 1))}" --health-enabled=true
}

start() {
  local port="$1" dir="$2"
  install >/dev/null
  instance "$dir"
  run_server "$port" "$dir"
}

case "${1:-install}" in
  install) install ;;
  admin-password) install >/dev/null; cat "$cache/dev-admin-password" ;;
  start) [ $# -eq 3 ] || { echo "usage: scripts/keycloak.sh start PORT DIR" >&2; exit 2; }; start "$2" "$3" ;;
  *) echo "usage: scripts/keycloak.sh install | start PORT DIR | admin-password" >&2; exit 2 ;;
esac
