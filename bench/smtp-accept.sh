# smtp-accept (bench/README.md): Postfix's smtp-source drives Postern's plaintext LAN shim
# (127.0.0.1/32 mapped to the bench key, so no AUTH) and the private Postfix smtpd (messages held)
# with the same message (2 KB payload, smtp-source's own headers), the same 20 reused sessions
# and the same message count, alternately; every Postern run must have stored exactly what
# smtp-source was told was accepted, or the run fails. Sourced by bench/run.sh after its helpers.
# BENCHMARKS.md: at least 20 s measured. 150 000 messages are 21 s at 7 000 msg/s (3x a fast
# Postfix run); with 80 000 the window was 12-14 s, and the JIT's reaction to a new run (fresh
# connections: deoptimisations and recompiles) a larger part of it.
SMTP_ACCEPT_MESSAGES=${SMTP_ACCEPT_MESSAGES:-150000}
# The warm-up must outlast the JIT, which Postfix (C) never pays. The gateway's C2 thread compiles
# ~1 250 methods (~11 s of one core) once the SMTP path gets hot, and on two cores that takes
# 15-20 s of load: after a 20 000-message warm-up (4 s) C2 still took 0.6-0.8 cores during the
# measured window, after 80 000 (16 s) 0.47; after 150 000 (25-30 s) it compiled 0.75 s in the
# first seconds of the window and little after (-XX:+LogCompilation, session 15).
SMTP_ACCEPT_WARMUP=${SMTP_ACCEPT_WARMUP:-150000}
POSTFIX_SMTP_WARMUP=${POSTFIX_SMTP_WARMUP:-20000}
# Extra top-level members of the gateway's config for a tuning run, e.g.
# SMTP_ACCEPT_EXTRA=', "postgres": {"group_commit": {"max_in_flight": 2}}'
SMTP_ACCEPT_EXTRA=${SMTP_ACCEPT_EXTRA:-}
SMTP_ACCEPT_TLS=${SMTP_ACCEPT_TLS:-1} # 0: no TLS+AUTH side
SMTP_SESSIONS=${SMTP_SESSIONS:-20} # Postern's default smtp.max_connections_per_address is 20 as well

# The LAN networks map to a key by its id, known only once the key exists: create the identity,
# then restart the gateway on the same data directory with the shim on.
start_postern
stop_postern
LAN_PORT=$(free_port)
# Back-to-back smtp-source runs: the next run's 20 connections can arrive before the gateway has
# seen the previous run's last ones close, so the per-address limit (20 by default) gets room.
echo "{\"smtp\": {\"max_connections_per_address\": 100}${SMTP_ACCEPT_EXTRA}}" >"$WORK/postern-smtp-accept.json"
POSTERN_ENV=("POSTERN_CONFIG=$WORK/postern-smtp-accept.json" "POSTERN_SMTP_LAN_PORT=$LAN_PORT"
  "POSTERN_SMTP_LAN_HOST=127.0.0.1" "POSTERN_SMTP_LAN_NETWORKS=127.0.0.1/32=$SEND_KEY_ID")
launch_postern
wait_port "$LAN_PORT" 30 "the LAN shim ($OUT/postern.log)" || exit 1
log "postern LAN shim on port $LAN_PORT (127.0.0.1/32 -> key $SEND_KEY_ID)"
start_postfix hold

# One side: SmtpSourceRun runs the warm-up, then times the measured smtp-source run and checks
# the stored count's growth (Postern: rows of source 'smtp'; Postfix: files in the hold queue).
smtp_side() { # name port warm-up-messages [SmtpSourceRun options...]
  local name=$1 port=$2 warmup=$3
  shift 3
  local src="smtp-source -d -s $SMTP_SESSIONS -l 2048 -f $SENDER -t sink@sink.test"
  log "$name: smtp-source -s $SMTP_SESSIONS, $SMTP_ACCEPT_MESSAGES messages of 2048 bytes to port $port"
  java -cp "$BENCH_JAR" dev.postern.bench.SmtpSourceRun --label "$name" \
    --url "smtp://127.0.0.1:$port" --sessions "$SMTP_SESSIONS" --workload "smtp-source 2048 bytes" \
    --warmup-command "$src -m $warmup 127.0.0.1:$port" \
    --command "$src -m $SMTP_ACCEPT_MESSAGES 127.0.0.1:$port" --messages "$SMTP_ACCEPT_MESSAGES" \
    --out "$OUT/$name.json" "$@" | tee -a "$OUT/tables.txt"
}
smtp_postfix() {
  # Postfix (C) has no JIT to warm: its warm-up stays short, so its hold queue holds few files
  # when the timed run starts (after a 150 000-message warm-up, every message still held, it
  # measured 2 105-2 166 msg/s against 2 294-2 388 after 20 000: session 15).
  smtp_side "postfix-$run" "$POSTFIX_PORT" "$POSTFIX_SMTP_WARMUP" \
    --verify-command "find '$POSTFIX_DIR/queue/hold' -type f | wc -l"
  postsuper -c "$POSTFIX_DIR/etc" -d ALL hold >/dev/null 2>&1 || true
  PF_FILES+=("$OUT/postfix-$run.json")
}
smtp_postern() {
  smtp_side "postern-$run" "$LAN_PORT" "$SMTP_ACCEPT_WARMUP" "${COST_ARGS[@]}" \
    --verify-sql "SELECT count(*) FROM outbound_messages WHERE source = 'smtp'"
  SUT_FILES+=("$OUT/postern-$run.json")
}
# What smtp-source cannot do: implicit TLS + AUTH PLAIN with the key (SmtpTlsLoad, in-process,
# same sessions, message shape and count), on the submission TLS port; checked and costed alike.
smtp_postern_tls() {
  local name="postern-tls-$run"
  log "$name: SmtpTlsLoad -s $SMTP_SESSIONS, implicit TLS + AUTH PLAIN, port $POSTERN_SMTPS_PORT"
  java -cp "$BENCH_JAR" dev.postern.bench.SmtpSourceRun --label "$name" \
    --tls-port "$POSTERN_SMTPS_PORT" --key "$SEND_KEY" --from "$SENDER" --sessions "$SMTP_SESSIONS" --size 2048 \
    --workload "TLS+AUTH 2048 bytes" --warmup-messages "$SMTP_ACCEPT_WARMUP" \
    --messages "$SMTP_ACCEPT_MESSAGES" --out "$OUT/$name.json" "${COST_ARGS[@]}" \
    --verify-sql "SELECT count(*) FROM outbound_messages WHERE source = 'smtp'" | tee -a "$OUT/tables.txt"
  TLS_FILES+=("$OUT/$name.json")
}

PF_FILES=() SUT_FILES=() TLS_FILES=()
for run in $(seq 1 "$RUNS"); do
  if (( run % 2 )); then smtp_postfix; smtp_postern; else smtp_postern; smtp_postfix; fi
  if (( SMTP_ACCEPT_TLS )); then smtp_postern_tls; fi
done
echo
compare smtp-accept/postfix postern postfix "$(joined "${SUT_FILES[@]}")" "$(joined "${PF_FILES[@]}")" msg/s
report_cost smtp-accept "${SUT_FILES[@]}"
if (( SMTP_ACCEPT_TLS )); then # Postfix stays plaintext without AUTH: the harder comparison for us
  compare smtp-tls-auth/postfix-plain postern-tls postfix "$(joined "${TLS_FILES[@]}")" \
    "$(joined "${PF_FILES[@]}")" msg/s
  report_cost "smtp-accept TLS+AUTH" "${TLS_FILES[@]}"
fi
report_profile "profile smtp-accept (LAN shim accept path)" "${SUT_FILES[@]}"
echo "postern peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MB"}' "/proc/$POSTERN_PID/status") (goal <= 512 MB)" \
  | tee -a "$OUT/summary.txt"
log "results, tables and charts in $OUT"
