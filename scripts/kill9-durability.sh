#!/usr/bin/env bash
# kill -9 durability, issue #4's full run (the CI run of the same test, KillDuringSendLoadIT, is
# 12 s). For 30 s, 24 concurrent senders post emails (one in eight with a 300 KB attachment, so
# both inline and blob-store MIME are exercised) to the packaged gateway on its embedded
# PostgreSQL; the gateway is SIGKILLed at random moments (2 by default) and restarted on the same
# data directory each time. Then every id that got a 200 must be found by GET /v1/emails/:id, and
# its stored MIME (the row's inline bytes or the blob file) must parse back to exactly what was
# sent. Exits non-zero if any acknowledged send is lost or unreadable, or the run fails otherwise.
#
#   scripts/kill9-durability.sh
#   KILL9_SECONDS=60 KILL9_KILLS=3 KILL9_SENDERS=32 KILL9_SEED=42 scripts/kill9-durability.sh
#
# Prints the figures at the end (acknowledged sends, kills, result); the whole Maven output goes
# to target/kill9-durability.log and each gateway's output to target/kill9-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
export POSTERN_KILL9_SECONDS="${KILL9_SECONDS:-30}"
export POSTERN_KILL9_KILLS="${KILL9_KILLS:-2}"
export POSTERN_KILL9_SENDERS="${KILL9_SENDERS:-24}"
[ -n "${KILL9_SEED:-}" ] && export POSTERN_KILL9_SEED="$KILL9_SEED"
# `package` compiles the tests too; rebuild when any source is newer than the jar.
if [ ! -f target/postern.jar ] || [ -n "$(find src conf pom.xml -newer target/postern.jar -print -quit)" ]; then
  mvn -B -q package -DskipTests
fi
mkdir -p target
status=0
mvn -B failsafe:integration-test failsafe:verify -Dit.test=KillDuringSendLoadIT \
  > target/kill9-durability.log 2>&1 || status=$?
grep -E 'kill -9 durability|SIGKILL|restarted and ready|load done|verified:|Tests run:|FAILURE|expected|Expecting' \
  target/kill9-durability.log | grep -v '^\[INFO\] *$' || true
if [ "$status" -ne 0 ]; then
  echo "kill -9 durability: FAILED (exit $status); see target/kill9-durability.log" >&2
  exit "$status"
fi
echo "kill -9 durability: every acknowledged send survived"
