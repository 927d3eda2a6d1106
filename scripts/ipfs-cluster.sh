#!/usr/bin/env bash
# Builds the pinned IPFS Cluster release from its Go module (once) and prints the directory
# holding its two binaries.
#
#   scripts/ipfs-cluster.sh   build if missing, print the directory with
#                             `ipfs-cluster-service` and `ipfs-cluster-ctl`
#
# Same approach as scripts/kubo.sh: download the module from the Go module proxy and build
# inside its directory (its go.mod has replace/exclude directives `go install` would refuse).
# The binaries are cached outside the repo:
# ${ATPIN_CACHE:-~/.cache/atpin}/ipfs-cluster/<version>/{ipfs-cluster-service,ipfs-cluster-ctl}.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

cache="${ATPIN_CACHE:-$HOME/.cache/atpin}/ipfs-cluster/$IPFS_CLUSTER_VERSION"
service="$cache/ipfs-cluster-service"
ctl="$cache/ipfs-cluster-ctl"
if [ -x "$service" ] && [ -x "$ctl" ] && "$service" --version >/dev/null 2>&1 && "$ctl" --version >/dev/null 2>&1; then
  echo "$cache"
  exit 0
fi

command -v go >/dev/null || { echo "ipfs-cluster.sh: the Go toolchain is needed to build IPFS Cluster (apt-get install golang or see go.dev)" >&2; exit 1; }
mkdir -p "$cache"
echo "ipfs-cluster.sh: building IPFS Cluster $IPFS_CLUSTER_VERSION from the Go module proxy (takes a few minutes once)" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# `go mod download` needs a module context to run in; a throwaway one is enough.
( cd "$work" && go mod init atpin-ipfs-cluster-build >/dev/null 2>&1 )
dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/ipfs-cluster/ipfs-cluster@$IPFS_CLUSTER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] && [ -d "$dir" ] || { echo "ipfs-cluster.sh: could not download github.com/ipfs-cluster/ipfs-cluster@$IPFS_CLUSTER_VERSION" >&2; exit 1; }
for cmd in ipfs-cluster-service ipfs-cluster-ctl; do
  ( cd "$dir" && CGO_ENABLED=0 go build -trimpath -o "$work/$cmd" "./cmd/$cmd" )
done
for cmd in ipfs-cluster-service ipfs-cluster-ctl; do
  mv "$work/$cmd" "$cache/$cmd.tmp" && mv "$cache/$cmd.tmp" "$cache/$cmd"
done
"$service" --version >&2
"$ctl" --version >&2
echo "$cache"
