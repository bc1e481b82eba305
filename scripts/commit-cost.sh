#!/usr/bin/env bash
# The database cost of one accepted message, measured as issue #11 did: a gateway on its own
# embedded PostgreSQL (no relay configured), a closed-model send load (default 64 in flight,
# 2 KB text bodies) for a fixed time, and the deltas of pg_stat_database.xact_commit,
# pg_current_wal_lsn() and pg_stat_user_tables.n_tup_* around it, divided by the messages
# accepted. Needs target/postern.jar and bench/target/postern-bench.jar (mvn package in both).
#
#   scripts/commit-cost.sh [-c 64] [--duration 10s] [--warmup 5s]
#   POSTERN_JAR=/tmp/other.jar scripts/commit-cost.sh     # measure another build the same way
#   scripts/commit-cost.sh --to sink@bench.test           # recipients (default sink@sink.test, a
#       domain not hosted: relayed. bench.test is hosted, so sink@bench.test is an unknown local
#       recipient, bounced at accept; bench@bench.test is the sender's own mailbox: local
#       delivery plus its sent copy)
#   scripts/commit-cost.sh --from noreply@bench.test      # a domain-bound key sending as an
#       address that is no mailbox: no sent copy (default: the key of mailbox bench@bench.test,
#       whose mail is also filed in its sent folder)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONCURRENCY=64 DURATION=10s WARMUP=5s TO=sink@sink.test FROM=bench@bench.test
while [[ $# -gt 0 ]]; do
  case "$1" in
    -c) CONCURRENCY=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --to) TO=$2; shift 2 ;;
    --from) FROM=$2; shift 2 ;;
    *) echo "usage: scripts/commit-cost.sh [-c N] [--duration 10s] [--warmup 5s] [--to ADDR] [--from ADDR]" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d /tmp/postern-cost.XXXXXX)
PID=""
cleanup() {
  if [[ -n "$PID" ]]; then
    kill -TERM -- "-$PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

PORT=$(free_port)
ADMIN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
POSTERN_DATA_DIR="$WORK/data" POSTERN_HTTP_PORT="$PORT" POSTERN_ADMIN_TOKEN="$ADMIN" \
  POSTERN_SMTP_PORT=$(free_port) POSTERN_SMTPS_PORT=$(free_port) POSTERN_MX_PORT=$(free_port) \
  setsid java ${JAVA_OPTS:--Xms128m -Xmx256m -XX:MaxDirectMemorySize=128m} -jar "${POSTERN_JAR:-$ROOT/target/postern.jar}" \
  >"$WORK/postern.log" 2>&1 &
PID=$!
for _ in $(seq 1 240); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz" && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/postern.log" >&2; exit 1; }
  sleep 0.5
done
API="http://127.0.0.1:$PORT/admin/v1"
curl -sf -X POST "$API/mailboxes" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"address":"bench@bench.test","encryption_tier":"plaintext"}' >/dev/null
if [[ "$FROM" == bench@bench.test ]]; then BINDING='"mailbox":"bench@bench.test"'; else BINDING='"domain":"bench.test"'; fi
KEY=$(curl -sf -X POST "$API/keys" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",$BINDING,\"scope\":\"full_access\",\"rate_limit_per_hour\":100000000}" \
  | jq -er .key)
PG_PORT=$(sed -n 4p "$WORK/data/pg/postmaster.pid")
PSQL=(psql -X -q -t -A -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres)

# Transactions that stored accepted messages (their rows' distinct xmin), so the mean batch.
stored_by() {
  "${PSQL[@]}" -F ' ' -c "SELECT count(DISTINCT xmin::text), count(*) FROM outbound_messages"
}
snapshot() { # -> "commits wal_lsn_bytes ins upd del accepted" (accepted: outbound_messages rows)
  "${PSQL[@]}" -F ' ' -c "SELECT xact_commit, pg_current_wal_lsn() - '0/0'::pg_lsn,
      (SELECT sum(n_tup_ins) FROM pg_stat_user_tables), (SELECT sum(n_tup_upd) FROM pg_stat_user_tables),
      (SELECT sum(n_tup_del) FROM pg_stat_user_tables), (SELECT count(*) FROM outbound_messages)
      FROM pg_stat_database WHERE datname = current_database()"
}
tables() {
  "${PSQL[@]}" -F ' ' -c "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables
      WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY relname"
}

# Warm-up first (JIT, pool, caches), then the measured run. pg_stat counters are flushed by
# backends at most once a second (PG 15+ at transaction end when idle): wait before reading.
java -cp "$ROOT/bench/target/postern-bench.jar" dev.postern.bench.LoadGenerator -w send \
  -u "http://127.0.0.1:$PORT/v1/emails" --key "$KEY" --from "$FROM" --to "$TO" -c "$CONCURRENCY" --warmup 0s --duration "$WARMUP" \
  --quiet >/dev/null
sleep 2
before=($(snapshot)); tables >"$WORK/tables.before"; stored_before=($(stored_by))
java -cp "$ROOT/bench/target/postern-bench.jar" dev.postern.bench.LoadGenerator -w send \
  -u "http://127.0.0.1:$PORT/v1/emails" --key "$KEY" --from "$FROM" --to "$TO" -c "$CONCURRENCY" --warmup 0s --duration "$DURATION" \
  --quiet | tail -n 3
sleep 2
after=($(snapshot)); tables >"$WORK/tables.after"; stored_after=($(stored_by))
n=$((after[5] - before[5]))
if (( n <= 0 )); then echo "no message accepted" >&2; tail -n 30 "$WORK/postern.log" >&2; exit 1; fi
awk -v n="$n" -v c=$((after[0] - before[0])) -v w=$((after[1] - before[1])) \
    -v i=$((after[2] - before[2])) -v u=$((after[3] - before[3])) -v d=$((after[4] - before[4])) 'BEGIN {
  printf "accepted messages: %d\ncommits/msg: %.3f\nWAL bytes/msg: %.0f\nrows inserted/msg: %.2f  updated/msg: %.2f  deleted/msg: %.2f\n",
    n, c / n, w / n, i / n, u / n, d / n }'
echo "transactions storing messages: $((stored_after[0] - stored_before[0])) for $((stored_after[1] - stored_before[1])) messages"
echo "per table (ins upd del per message):"
join -a 2 "$WORK/tables.before" "$WORK/tables.after" | awk -v n="$n" 'NF == 7 {
  printf "  %-22s %6.2f %6.2f %6.2f\n", $1, ($5 - $2) / n, ($6 - $3) / n, ($7 - $4) / n }
  NF == 4 { printf "  %-22s %6.2f %6.2f %6.2f\n", $1, $2 / n, $3 / n, $4 / n }'
