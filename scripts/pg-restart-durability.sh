#!/usr/bin/env bash
# PostgreSQL restarts under send load, issue #15 item 10 (the CI run of the same test,
# PostgresRestartDuringSendLoadIT, restarts twice). The packaged gateway runs against a
# PostgreSQL it does not own (support/RestartablePostgres); under a concurrent send load that
# server is restarted again and again, by turns a fast shutdown and a SIGKILL of the postmaster
# (crash recovery at the next start). Every round has acknowledged sends before its outage and a
# 503 during it; every answer but 200 must be 503 unavailable. Then every acknowledged id must be
# found by GET, read back as sent, and be delivered with its stored MIME (duplicates counted).
#
#   scripts/pg-restart-durability.sh
#   PG_RESTARTS=50 PG_RESTART_SENDERS=8 PG_RESTART_LIVE_MS=1500 PG_RESTART_SEED=42 scripts/pg-restart-durability.sh
#
# Prints the figures at the end; the Maven output goes to target/pg-restart-durability.log, the
# test's own log to target/test-logs/jvm-*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export POSTERN_PG_RESTARTS="${PG_RESTARTS:-10}"
export POSTERN_PG_RESTART_SENDERS="${PG_RESTART_SENDERS:-8}"
export POSTERN_PG_RESTART_LIVE_MS="${PG_RESTART_LIVE_MS:-1500}"
[ -n "${PG_RESTART_SEED:-}" ] && export POSTERN_PG_RESTART_SEED="$PG_RESTART_SEED"
. scripts/lib/long-it.sh
run_long_it PostgresRestartDuringSendLoadIT pg-restart-durability \
  'restart durability|restart [0-9]+ \(|load done|GET /v1|verified:|delivered:|not within' \
  "every acknowledged send survived and was delivered"
