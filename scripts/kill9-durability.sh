#!/usr/bin/env bash
# kill -9 durability, issue #4 and #15 item 10 (the CI run of the same test, KillDuringSendLoadIT,
# is 12 s and 2 kills). Concurrent senders post emails (one in eight with a 300 KB attachment, so
# both inline and blob-store MIME are exercised) to the packaged gateway on its embedded
# PostgreSQL; the gateway is SIGKILLed at random moments, each after it acknowledged sends, and
# restarted on the same data directory each time. Then every id that got a 200 must be found by
# GET /v1/emails/:id, its stored MIME must parse back to exactly what was sent, and the last
# gateway must deliver every one to the recording relay with its stored MIME (duplicates counted).
# Exits non-zero if any acknowledged send is lost, unreadable or undelivered.
#
#   scripts/kill9-durability.sh
#   KILL9_KILLS=200 KILL9_SECONDS=400 KILL9_SENDERS=8 KILL9_SEED=42 scripts/kill9-durability.sh
#
# KILL9_SECONDS is the live load time over all rounds (each kill falls at a random moment of its
# slice, 30–100 %). Prints the figures at the end; the Maven output goes to
# target/kill9-durability.log, the test's own log to target/test-logs/jvm-*.log and each
# gateway's output to target/test-logs/gateway-*.
set -euo pipefail
cd "$(dirname "$0")/.."
export POSTERN_KILL9_SECONDS="${KILL9_SECONDS:-30}"
export POSTERN_KILL9_KILLS="${KILL9_KILLS:-2}"
export POSTERN_KILL9_SENDERS="${KILL9_SENDERS:-24}"
[ -n "${KILL9_SEED:-}" ] && export POSTERN_KILL9_SEED="$KILL9_SEED"
# `package` compiles the tests too; rebuild when any source is newer than the jar.
if [ ! -f target/postern.jar ] || [ -n "$(find src conf pom.xml -newer target/postern.jar -print -quit)" ]; then
  mvn -B -o -q package -DskipTests
fi
mkdir -p target/test-logs
marker=$(mktemp)
status=0
# Long runs outlast the suite's 10 minute per-test timeout (junit-platform.properties): a JVM
# system property outranks that file. The rest of the argLine is the pom's test.argLine.
argline="$(sed -n 's:.*<test.argLine>\(.*\)</test.argLine>.*:\1:p' pom.xml) -Djunit.jupiter.execution.timeout.default=4h"
mvn -B -o failsafe:integration-test failsafe:verify -Dit.test=KillDuringSendLoadIT -Dtest.argLine="$argline" \
  > target/kill9-durability.log 2>&1 || status=$?
log=$(grep -l "KillDuringSendLoadIT" $(find target/test-logs -name 'jvm-*.log' -newer "$marker") 2>/dev/null | head -1 || true)
rm -f "$marker"
grep -hE 'kill -9 durability|SIGKILL [0-9]|restarted and ready|load done|restart to ready|GET /v1|verified:|delivered:|not within' \
  ${log:-/dev/null} | cut -c1-600 || true
grep -E 'Tests run:|FAILURE|expected|Expecting' target/kill9-durability.log | grep -v '^\[INFO\] *$' || true
if [ "$status" -ne 0 ]; then
  echo "kill -9 durability: FAILED (exit $status); see target/kill9-durability.log and $log" >&2
  exit "$status"
fi
echo "kill -9 durability: every acknowledged send survived and was delivered"
