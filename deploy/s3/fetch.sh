#!/usr/bin/env bash
# Download S3Proxy's self-contained jar (jar-with-dependencies) from Maven Central into
# deploy/s3/lib, unless the version pinned in version.env is already there. The download is
# checked against the SHA-1 pinned next to the version (Maven Central's <jar>.sha1) before it
# takes the jar's place; a version change removes the other version's jar. The S3 blob-store
# tests run it (tests/s3.py); see README.md for why S3Proxy.
set -euo pipefail
cd "$(dirname "$0")"
version="$(sed -n 's/^S3PROXY_VERSION=//p' version.env)"
sha1="$(sed -n 's/^S3PROXY_SHA1=//p' version.env)"
jar="lib/s3proxy-${version}.jar"
if [ -f "$jar" ]; then
  exit 0
fi
command -v java >/dev/null || { echo "S3Proxy needs Java >= 17 (make system-deps installs it)"; exit 1; }
echo "fetching S3Proxy ${version} from Maven Central into deploy/s3/lib"
url="https://repo1.maven.org/maven2/org/gaul/s3proxy/${version}/s3proxy-${version}-jar-with-dependencies.jar"
mkdir -p lib
part="$(mktemp lib/download.XXXXXX)"
trap 'rm -f "$part"' EXIT
curl -fsSL --retry 3 -o "$part" "$url"
got="$(sha1sum "$part" | cut -d' ' -f1)"
if [ "$got" != "$sha1" ]; then
  echo "SHA-1 mismatch for ${url}: got ${got}, version.env pins ${sha1}"
  exit 1
fi
chmod 644 "$part"
mv "$part" "$jar"
find lib -name 's3proxy-*.jar' ! -name "s3proxy-${version}.jar" -delete  # another version's
