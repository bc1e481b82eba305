#!/usr/bin/env bash
# Issue #15 item 1: memory a real gateway (embedded PostgreSQL, 127.0.0.1) holds while 200
# unauthenticated clients each declare a 40 MiB body and send 4 MiB of it at 512 KiB/s.
# Runs dev.postern.http.SlowSendersMemory from the test classes; stops by itself (~20 s).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q test-compile
mvn -B -o -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java ${JAVA_OPTS:--Xmx2g} -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.postern.http.SlowSendersMemory
