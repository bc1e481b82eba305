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
. scripts/lib/long-it.sh
run_long_it KillDuringSendLoadIT kill9-durability \
  'kill -9 durability|SIGKILL [0-9]|restarted and ready|load done|restart to ready|GET /v1|verified:|delivered:|not within' \
  "every acknowledged send survived and was delivered"
