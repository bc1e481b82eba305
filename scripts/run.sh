#!/usr/bin/env bash
# Builds the gateway if needed and runs it on the embedded default (its own PostgreSQL in
# $POSTERN_DATA_DIR, default ./data). Extra arguments go to the jar, e.g. `scripts/run.sh --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/postern.jar ] || [ -n "$(find src conf pom.xml -newer target/postern.jar -print -quit)" ]; then
  mvn -B -q package -DskipTests
fi
exec java -jar target/postern.jar "$@"
