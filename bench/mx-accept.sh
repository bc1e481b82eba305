# mx-accept (bench/README.md, issue #13): Postfix's smtp-source drives Postern's inbound MX (no
# AUTH: an MX takes mail for its hosted mailboxes from anyone) and the private Postfix smtpd
# (messages held) with the same message (2 KB payload, smtp-source's own headers), the same 20
# reused sessions and the same count, alternately. Every Postern run must have committed exactly
# one delivery per acknowledged message; then the filing backlog left at the end of the run is
# timed until it is empty (parse, thread, file), and every message must have been filed.
# Sourced by bench/run.sh after its helpers.
# As smtp-accept.sh: a 20 000-message window (8 s) carries the JIT's reaction to the run's new
# connections; with 80 000, C2 took 2.5 % of the machine mid-window and the gateway measured
# 0.20 ms CPU per message (0.26-0.31 over 20 000), session 11.
MX_ACCEPT_MESSAGES=${MX_ACCEPT_MESSAGES:-80000}
# Past the JIT (see smtp-accept.sh). The MX path is longer than submission's (parse, thread,
# file): after 20 000 messages C2 still took 28 % of the machine in the measured window (perf,
# session 10) and the gateway measured 0.58 ms CPU per message; after 60 000, C2 took 7-14 % of
# one core and the gateway 0.30 ms per message.
# Postfix (C) gets the same warm-up and needs none.
MX_ACCEPT_WARMUP=${MX_ACCEPT_WARMUP:-60000}
SMTP_SESSIONS=20

# Back-to-back smtp-source runs: the next run's 20 connections can arrive before the gateway has
# seen the previous run's last ones close, so the per-address limit (20 by default) gets room.
echo '{"smtp": {"max_connections_per_address": 100}}' >"$WORK/postern-mx-accept.json"
POSTERN_ENV=("POSTERN_CONFIG=$WORK/postern-mx-accept.json")
start_postern # the hosted mailbox bench@bench.test (plaintext tier) through the admin API
wait_port "$POSTERN_MX_PORT" 30 "the MX ($OUT/postern.log)" || exit 1
log "postern MX on port $POSTERN_MX_PORT, mailbox bench@bench.test"
start_postfix hold # bench.test is local there: the same recipient is accepted and held

mx_side() { # name port [SmtpSourceRun options...]
  local name=$1 port=$2
  shift 2
  local src="smtp-source -d -s $SMTP_SESSIONS -l 2048 -f sender@senders.test -t bench@bench.test"
  log "$name: smtp-source -s $SMTP_SESSIONS, $MX_ACCEPT_MESSAGES messages of 2048 bytes to port $port"
  java -cp "$BENCH_JAR" dev.postern.bench.SmtpSourceRun --label "$name" \
    --url "smtp://127.0.0.1:$port" --sessions "$SMTP_SESSIONS" --workload "smtp-source 2048 bytes" \
    --warmup-command "$src -m $MX_ACCEPT_WARMUP 127.0.0.1:$port" \
    --command "$src -m $MX_ACCEPT_MESSAGES 127.0.0.1:$port" --messages "$MX_ACCEPT_MESSAGES" \
    --out "$OUT/$name.json" "$@" | tee -a "$OUT/tables.txt"
}
mx_postfix() {
  mx_side "postfix-$run" "$POSTFIX_PORT" --verify-command "find '$POSTFIX_DIR/queue/hold' -type f | wc -l"
  postsuper -c "$POSTFIX_DIR/etc" -d ALL hold >/dev/null 2>&1 || true
  PF_FILES+=("$OUT/postfix-$run.json")
}
# Accepted = an inbound_deliveries row committed before the 250 (one recipient, so one per
# message); pending = accepted, not yet filed; filed = a mail_messages row.
mx_postern() {
  mx_side "postern-$run" "$POSTERN_MX_PORT" "${COST_ARGS[@]}" \
    --verify-sql "SELECT count(*) FROM inbound_deliveries" \
    --backlog-sql "SELECT count(*) FROM inbound_deliveries WHERE state = 'pending'" \
    --filed-sql "SELECT count(*) FROM mail_messages" \
    --filed-out "$OUT/postern-$run-filed.json" --drain-out "$OUT/postern-$run-drain.json"
  SUT_FILES+=("$OUT/postern-$run.json") FILED_FILES+=("$OUT/postern-$run-filed.json")
  DRAIN_FILES+=("$OUT/postern-$run-drain.json")
}

PF_FILES=() SUT_FILES=() FILED_FILES=() DRAIN_FILES=()
for run in $(seq 1 "$RUNS"); do
  if (( run % 2 )); then mx_postfix; mx_postern; else mx_postern; mx_postfix; fi
done
echo
compare mx-accept/postfix postern postfix "$(joined "${SUT_FILES[@]}")" "$(joined "${PF_FILES[@]}")" msg/s
compare mx-accept-and-filed/postfix postern-filed postfix "$(joined "${FILED_FILES[@]}")" \
  "$(joined "${PF_FILES[@]}")" msg/s
report_cost mx-accept "${SUT_FILES[@]}"
report_cost "mx-accept incl. filing" "${FILED_FILES[@]}"
# The pipeline keeps up when, in every run, there was no backlog or it drained at >= the accept rate.
jq -rs '"mx-accept filing: backlog " + (map(.backlog|tostring)|join(" / "))
  + " at the end of the runs, drain " + (map(.drain_rate|floor|tostring)|join(" / "))
  + " msg/s vs accept " + (map(.accept_rate|floor|tostring)|join(" / "))
  + " msg/s; accepted→filed " + (map(.pipeline_rate|floor|tostring)|join(" / "))
  + " msg/s; keeps up: " + (if all(.kept_up) then "yes" else "NO" end)
  + " (goal: backlog drains at >= the accept rate)"' "${DRAIN_FILES[@]}" | tee -a "$OUT/summary.txt"
report_profile "profile mx-accept (MX accept + filing)" "${SUT_FILES[@]}"
echo "postern peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MB"}' "/proc/$POSTERN_PID/status") (goal <= 512 MB)" \
  | tee -a "$OUT/summary.txt"
log "results, tables and charts in $OUT"
