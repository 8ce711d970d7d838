#!/usr/bin/env bash
# Install the Debian packages the tests use as real peers, if missing: PostgreSQL (unifier store),
# Dovecot IMAP and swaks (email intake), NSD (DNS for DKIM/DMARC), Chromium (browser tests), Debian's python3.11 (built
# with PGO and LTO), plus uv from PyPI.
# Idempotent and quiet when everything is there. Needs root (or sudo) for apt-get.
set -euo pipefail
need=()
[ -x /usr/bin/python3.11 ] || need+=(python3.11)  # the optimized build the Makefile prefers
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
command -v swaks >/dev/null || need+=(swaks)
command -v chromium >/dev/null || need+=(chromium)
[ -x /usr/sbin/nsd ] || need+=(nsd)  # authoritative DNS for the DKIM/DMARC tests
command -v openssl >/dev/null || need+=(openssl)  # the DKIM test keys (tests/dns_server.py)
command -v mvn >/dev/null || need+=(maven)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v curl >/dev/null || need+=(curl)  # deploy/s3/fetch.sh downloads S3Proxy
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The postinst scripts may start system-wide servers on default ports; ours use private ones.
