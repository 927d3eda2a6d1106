#!/usr/bin/env bash
# Builds the pinned Kubo release from its Go module (once) and prints the binary's path.
#
#   scripts/kubo.sh          build if missing, print the path of the `ipfs` binary
#
# `go install github.com/ipfs/kubo/cmd/ipfs@VERSION` refuses Kubo's go.mod (it has
# `exclude` directives), so we download the module and build inside its directory.
# The binary is cached outside the repo: ${ATPIN_CACHE:-~/.cache/atpin}/kubo/<version>/ipfs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

cache="${ATPIN_CACHE:-$HOME/.cache/atpin}/kubo/$KUBO_VERSION"
bin="$cache/ipfs"
if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "kubo.sh: the Go toolchain is needed to build Kubo (apt-get install golang or see go.dev)" >&2; exit 1; }
mkdir -p "$cache"
echo "kubo.sh: building Kubo $KUBO_VERSION from the Go module proxy (takes a few minutes once)" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# `go mod download` needs a module context to run in; a throwaway one is enough.
( cd "$work" && go mod init atpin-kubo-build >/dev/null 2>&1 )
dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/ipfs/kubo@$KUBO_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] && [ -d "$dir" ] || { echo "kubo.sh: could not download github.com/ipfs/kubo@$KUBO_VERSION" >&2; exit 1; }
( cd "$dir" && CGO_ENABLED=0 go build -trimpath -o "$work/ipfs" ./cmd/ipfs )
mv "$work/ipfs" "$bin.tmp" && mv "$bin.tmp" "$bin"
"$bin" version >&2
echo "$bin"
