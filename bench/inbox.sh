# inbox-list and inbox-fanout (bench/README.md, issue #14). Sourced by bench/run.sh after its
# helpers. Postern is started with the per-key bounds out of the way (the inbox read budget,
# 3 600/h by default, and 10 streams per key) and given the plaintext mailbox bench@bench.test
# and a full_access key bound to it, so no ?mailbox= is needed.
#   inbox-list:   InboxSeed puts INBOX_MESSAGES (100 000) messages into the mailbox (2 000 through
#                 the filing pipeline, the rest SQL copies of them: bench/RECEIVING.md), then
#                 GET /v1/inbox/messages?limit=50&before=<cursor> (1 000 cursors spread over the
#                 mailbox, in turn) against GET /v1/inbox/_ping with the
#                 same key, closed model, alternately: ratio (goal >= 0.3) and p99.
#   inbox-fanout: StreamFanout opens INBOX_STREAMS (1 000) streams on the mailbox, sends
#                 FANOUT_MESSAGES (100) messages into the MX one at a time, and reports the p99
#                 from each 250 to each stream's new_email (goal <= 100 ms).
INBOX_MESSAGES=${INBOX_MESSAGES:-100000}
INBOX_STREAMS=${INBOX_STREAMS:-1000}
FANOUT_MESSAGES=${FANOUT_MESSAGES:-100}
FANOUT_WARMUP=${FANOUT_WARMUP:-10}
FANOUT_INTERVAL=${FANOUT_INTERVAL:-200ms}

cat >"$WORK/postern-inbox.json" <<JSON
{"keys": {"inbox_reads_per_hour": 2000000000},
 "inbox": {"stream_max_per_key": 100000, "stream_max_per_node": 100000},
 "smtp": {"max_connections_per_address": 100}}
JSON
POSTERN_ENV=("POSTERN_CONFIG=$WORK/postern-inbox.json")
start_postern
API="http://127.0.0.1:$POSTERN_PORT/v1/inbox"

if [[ $SCENARIO == inbox-list ]]; then
  log "seeding $INBOX_MESSAGES messages into bench@bench.test (the filing pipeline, then SQL copies)"
  java -cp "$BENCH_JAR" dev.postern.bench.InboxSeed --pg-data "$WORK/postern-data/pg" \
    --mailbox bench@bench.test --messages "$INBOX_MESSAGES" --paths-out "$WORK/inbox-list.paths" \
    | tee -a "$OUT/summary.txt"
  cp "$WORK/inbox-list.paths" "$OUT/inbox-list.paths"
  # A 2xx is only worth counting if it is the page: 50 messages, for the first cursor.
  page=$(curl -sf -H "Authorization: Bearer $KEY" "http://127.0.0.1:$POSTERN_PORT$(head -1 "$WORK/inbox-list.paths")") \
    || { log "the first list target failed"; exit 1; }
  [[ $(jq '.messages | length' <<<"$page") == 50 ]] \
    || { log "the list page has $(jq '.messages | length' <<<"$page") messages, want 50"; exit 1; }
  PING_FILES=() LIST_FILES=()
  run_ping() { load "ping-$run" ping "$API/_ping" --key "$KEY" "${COST_ARGS[@]}"; PING_FILES+=("$OUT/ping-$run.json"); }
  run_list() {
    load "list-$run" ping "$API/messages" --key "$KEY" --paths-file "$WORK/inbox-list.paths" "${COST_ARGS[@]}"
    LIST_FILES+=("$OUT/list-$run.json")
  }
  for run in $(seq 1 "$RUNS"); do
    if (( run % 2 )); then run_ping; run_list; else run_list; run_ping; fi
  done
  echo
  compare inbox-list/inbox-ping list ping "$(joined "${LIST_FILES[@]}")" "$(joined "${PING_FILES[@]}")"
  report_profile "profile inbox-list (page of 50)" "${LIST_FILES[@]}"
else
  FANOUT_FILES=()
  for run in $(seq 1 "$RUNS"); do
    log "fanout-$run: $INBOX_STREAMS streams, $FANOUT_MESSAGES messages into the MX every $FANOUT_INTERVAL"
    java -cp "$BENCH_JAR" dev.postern.bench.StreamFanout -u "$API/stream" --key "$KEY" \
      --streams "$INBOX_STREAMS" --mx-port "$POSTERN_MX_PORT" --to bench@bench.test \
      --messages "$FANOUT_MESSAGES" --warmup-messages "$FANOUT_WARMUP" --interval "$FANOUT_INTERVAL" \
      --label "fanout-$run" --out "$OUT/fanout-$run.json" --pg-data "$WORK/postern-data/pg" \
      | tee -a "$OUT/tables.txt"
    FANOUT_FILES+=("$OUT/fanout-$run.json")
  done
  echo
  jq -rs 'map(.latency_us.p99 / 1000) | sort as $p
    | "inbox-fanout: p99 from the MX 250 to new_email, median " + ($p[length/2|floor]*10|round/10|tostring)
    + " ms over \(length) runs [" + ($p[0]*10|round/10|tostring) + " – " + ($p[-1]*10|round/10|tostring)
    + "] (goal <= 100 ms)"' "${FANOUT_FILES[@]}" | sed "s/ runs \[/ runs of $INBOX_STREAMS streams × $FANOUT_MESSAGES messages [/" \
    | tee -a "$OUT/summary.txt"
fi
echo "postern peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MB"}' "/proc/$POSTERN_PID/status") (goal <= 512 MB)" \
  | tee -a "$OUT/summary.txt"
log "results, tables and charts in $OUT"
