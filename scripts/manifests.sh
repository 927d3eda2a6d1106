#!/usr/bin/env bash
# kubernetes-validate (PyPI) in its own virtualenv, cached: validates rendered manifests offline against the
# Kubernetes OpenAPI schemas it ships. `scripts/manifests.sh` installs and prints the command's path;
# `scripts/manifests.sh validate ARGS...` runs it.
set -euo pipefail
version=1.37.0
dir="${ATPIN_CACHE:-$HOME/.cache/atpin}/kubernetes-validate/$version"
bin="$dir/venv/bin/kubernetes-validate"
if [ ! -x "$bin" ]; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
    else
      echo "manifests.sh: needs Python's venv: sudo apt-get install python3-venv" >&2
      exit 1
    fi
  fi
  mkdir -p "$dir"
  exec 9>"$dir.lock"
  flock 9
  if [ ! -x "$bin" ]; then
    rm -rf "$dir/venv"
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$version" >&2
  fi
fi
if [ "${1:-}" = validate ]; then
  shift
  exec "$bin" "$@"
fi
echo "$bin"
