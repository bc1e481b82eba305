#!/usr/bin/env bash
# Builds the gateway if needed and runs it on the embedded default (its own PostgreSQL in
# $POSTERN_DATA_DIR, default ./data). Extra arguments go to the jar, e.g. `scripts/run.sh --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/postern.jar ] || [ -n "$(find src conf pom.xml -newer target/postern.jar -print -quit)" ]; then
  mvn -B -q package -DskipTests
fi
# A bounded heap: left to the JVM it sizes itself from the machine (a quarter of RAM) and grows
# lazily under load. Override with JAVA_OPTS.
exec java ${JAVA_OPTS:--Xms128m -Xmx256m -XX:MaxDirectMemorySize=128m} -jar target/postern.jar "$@"
