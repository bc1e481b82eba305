#!/usr/bin/env bash
# Builds the gateway if needed and runs it on the embedded default (its own PostgreSQL in
# $POSTERN_DATA_DIR, default ./data). Extra arguments go to the jar, e.g. `scripts/run.sh --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/postern.jar ] || [ -n "$(find src conf pom.xml -newer target/postern.jar -print -quit)" ]; then
  mvn -B -q package -DskipTests
fi
# A bounded heap: left to the JVM it sizes itself from the machine (a quarter of RAM) and grows
# lazily under load. Fixed at its size and with a 20 ms pause goal: under send-small G1 logged
# young pauses of 50-148 ms with its 200 ms default and a growing heap (session 8), each one a
# stall of every request in flight.
# Override with JAVA_OPTS.
exec java ${JAVA_OPTS:--Xms256m -Xmx256m -XX:MaxDirectMemorySize=128m -XX:MaxGCPauseMillis=20} -jar target/postern.jar "$@"
