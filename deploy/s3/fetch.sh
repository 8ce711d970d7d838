#!/usr/bin/env bash
# Build SeaweedFS's `weed` (master + volume + filer + S3 gateway in one binary) into
# deploy/s3/bin from the Go module proxy, unless the pinned version is already there. The S3
# blob-store tests run it (tests/s3.py); see README.md for why SeaweedFS and what it costs.
# Go's module and build caches make a rebuild after a version bump cheap.
set -euo pipefail
cd "$(dirname "$0")"
version="$(sed -n 's/^SEAWEEDFS_VERSION=//p' version.env)"
if [ -x bin/weed ] && [ "$(cat bin/VERSION 2>/dev/null)" = "$version" ]; then
  exit 0
fi
command -v go >/dev/null || { echo "Go >= 1.26 is needed to build SeaweedFS (https://go.dev/dl)"; exit 1; }
echo "building SeaweedFS ${version} (weed) from the Go module proxy into deploy/s3/bin"
module="github.com/seaweedfs/seaweedfs"
# `go install pkg@version` refuses modules with replace directives (SeaweedFS has one), so
# build inside the downloaded module, which is its own main module there.
src="$(go mod download -json "${module}@${version}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[ -d "$src" ] || { echo "could not download ${module}@${version}"; exit 1; }
mkdir -p bin
out="$PWD/bin"
(cd "$src" && go build -trimpath -ldflags="-s -w" -o "$out/weed.tmp" ./weed)
mv bin/weed.tmp bin/weed
echo "$version" > bin/VERSION
