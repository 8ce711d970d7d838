#!/usr/bin/env bash
# Fill deploy/kafka/lib with the broker's jars (mvn dependency:copy-dependencies) unless the jars
# of the version pinned in pom.xml are already there. A version change clears lib/ first (stale
# jars of another version break the classpath); an up-to-date lib/ is never touched, so running
# brokers keep their jars.
set -euo pipefail
cd "$(dirname "$0")"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' pom.xml)"
if [ -f "lib/kafka_2.13-${version}.jar" ] && [ -f "lib/kafka-server-${version}.jar" ]; then
  exit 0
fi
echo "fetching Apache Kafka ${version} jars from Maven Central into deploy/kafka/lib"
rm -rf lib
mvn -B -q dependency:copy-dependencies
