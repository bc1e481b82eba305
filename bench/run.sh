#!/usr/bin/env bash
# Runs one bench scenario: Postern and its references side by side, alternately (A B A B),
# on 127.0.0.1 only, and prints the ratio lines of BENCHMARKS.md. See bench/README.md.
#
#   bench/run.sh [--runs N] [--warmup 10s] [--duration 30s] [-c 64] [--self-test] [--profile] <scenario>
#   scenarios: ping | send-small | send-attach | e2e-relay | smtp-accept | mx-accept | inbox-list
#              | inbox-fanout
#
# --self-test puts a second bare route where Postern would be (ratio ~1): it proves the
# plumbing without the gateway. --profile (or POSTERN_BENCH_PROFILE=1) records the gateway with
# JFR and prints the top frames of its measured windows. send-small, send-attach, e2e-relay
# and smtp-accept also print Postern's cost per accepted message (commits, WAL, rows, CPU).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/target/postern.jar"                   # the product, started as the system under test
BENCH_JAR="$ROOT/bench/target/postern-bench.jar" # the harness: bench/pom.xml, its own module
RUNS=3 WARMUP=10s DURATION=30s CONCURRENCY=64 SELF_TEST=0 SCENARIO=""
PROFILE=${POSTERN_BENCH_PROFILE:-0}
POSTFIX_MESSAGES_SMALL=${POSTFIX_MESSAGES_SMALL:-20000}
POSTFIX_MESSAGES_ATTACH=${POSTFIX_MESSAGES_ATTACH:-3000}
POSTFIX_MESSAGES_E2E=${POSTFIX_MESSAGES_E2E:-10000}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-120s}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    -c|--concurrency) CONCURRENCY=$2; shift 2 ;;
    --self-test) SELF_TEST=1; shift ;;
    --profile) PROFILE=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) SCENARIO=$1; shift ;;
  esac
done

case "$SCENARIO" in
  ping|send-small|send-attach) ;;
  e2e-relay)
    if (( SELF_TEST )); then echo "e2e-relay has no self-test (a bare route delivers nothing)" >&2; exit 2; fi ;;
  smtp-accept|mx-accept|inbox-list|inbox-fanout)
    if (( SELF_TEST )); then echo "$SCENARIO has no self-test (a bare route is no gateway)" >&2; exit 2; fi ;;
  *) echo "usage: bench/run.sh [--runs N] [--self-test] ping|send-small|send-attach|e2e-relay|smtp-accept|mx-accept|inbox-list|inbox-fanout" >&2
     exit 2 ;;
esac

OUT="$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$SCENARIO"
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/postern-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
POSTFIX_DIR=""

log() { echo "[run.sh] $*" >&2; }

# Everything started here runs in its own process group (setsid), so the whole group is
# stopped on exit, whatever way the script ends.
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [[ -n "$POSTFIX_DIR" ]]; then
    postfix -c "$POSTFIX_DIR/etc" stop >/dev/null 2>&1 || true
  fi
  stop_embedded_pg || true
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

wait_http() { # url seconds pid
  local deadline=$((SECONDS + $2))
  until curl -sf -o /dev/null "$1"; do
    kill -0 "$3" 2>/dev/null || { log "process $3 died while starting; see $OUT"; return 1; }
    (( SECONDS < deadline )) || { log "timed out waiting for $1"; return 1; }
    sleep 0.5
  done
}

# Waits until something listens on 127.0.0.1:port; logs "<what> not listening" after the limit.
wait_port() { # port seconds what
  local deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    (( SECONDS < deadline )) || { log "$3 not listening on $1"; return 1; }
    sleep 0.2
  done
}

need() { command -v "$1" >/dev/null || { log "installing $2"; DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null; }; }

[[ -f "$JAR" ]] || { log "building $JAR"; (cd "$ROOT" && mvn -B -q package -DskipTests); }
[[ -f "$BENCH_JAR" ]] || { log "building $BENCH_JAR"; mvn -B -q -f "$ROOT/bench/pom.xml" package -DskipTests; }
need jq jq
need curl curl

start_bare() { # name -> sets BARE_PORT, BARE_PID
  BARE_PORT=$(free_port)
  setsid java -cp "$BENCH_JAR" dev.postern.bench.BareRouteServer --port "$BARE_PORT" --instances 2 \
    >"$OUT/$1.log" 2>&1 &
  BARE_PID=$!
  PIDS+=("$BARE_PID")
  wait_http "http://127.0.0.1:$BARE_PORT/ping" 60 "$BARE_PID"
  log "$1 (bare route) on port $BARE_PORT"
}

POSTERN_ENV=() # extra NAME=value settings for the gateway (e2e-relay: the relay)
# --profile: JFR from the gateway's start ("profile" settings: a Java stack sample every 10 ms
# per running thread), dumped at the end; JfrHotFrames keeps only the measured windows' samples.
PROFILE_OPTS=()
(( PROFILE )) && PROFILE_OPTS=(-XX:StartFlightRecording=name=bench,settings=profile
  -XX:FlightRecorderOptions=stackdepth=128)
COST_ARGS=() # the load generator's cost probe: the gateway's PostgreSQL data dir and JVM
start_postern() { # -> sets POSTERN_PORT, POSTERN_PID, KEY, KEY_ID, COST_ARGS
  POSTERN_ADMIN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  launch_postern
  create_identity
}
# Starts the gateway on $WORK/postern-data (kept across restarts) with POSTERN_ENV.
launch_postern() { # -> sets POSTERN_PORT, POSTERN_SMTPS_PORT, POSTERN_MX_PORT, POSTERN_PID, COST_ARGS
  POSTERN_PORT=$(free_port) POSTERN_SMTPS_PORT=$(free_port) POSTERN_MX_PORT=$(free_port)
  local data="$WORK/postern-data"
  mkdir -p "$data"
  # Same bounded heap as scripts/run.sh (override with JAVA_OPTS).
  POSTERN_DATA_DIR="$data" POSTERN_HTTP_PORT="$POSTERN_PORT" POSTERN_ADMIN_TOKEN="$POSTERN_ADMIN" \
    POSTERN_SMTP_PORT=$(free_port) POSTERN_SMTPS_PORT=$POSTERN_SMTPS_PORT POSTERN_MX_PORT=$POSTERN_MX_PORT \
    setsid env "${POSTERN_ENV[@]}" java ${JAVA_OPTS:--Xms256m -Xmx256m -XX:MaxDirectMemorySize=128m -XX:MaxGCPauseMillis=20} \
    "${PROFILE_OPTS[@]}" -jar "$JAR" >>"$OUT/postern.log" 2>&1 &
  POSTERN_PID=$!
  PIDS+=("$POSTERN_PID")
  # The embedded PostgreSQL lives in <data dir>/pg; its postmaster.pid gives its pid and port.
  COST_ARGS=(--cost-pg-data "$data/pg" --cost-gateway-pid "$POSTERN_PID")
  wait_http "http://127.0.0.1:$POSTERN_PORT/readyz" 120 "$POSTERN_PID"
  log "postern on port $POSTERN_PORT"
}
# Two identities: the mailbox key (KEY, bound to the hosted mailbox bench@bench.test) reads the
# inbox and is what mx-accept and the inbox scenarios use; the transactional sender (SEND_KEY,
# bound to the domain bench.test, From SENDER = app@bench.test, which is no mailbox) is what the
# send and SMTP-accept scenarios use: mail from a hosted mailbox is also filed in its sent
# folder, work Postfix accepting does not do (bench/README.md, "The sender").
SENDER=app@bench.test
create_key() { # binding-json-fields -> prints "key id"
  local created
  created=$(curl -sf -X POST "http://127.0.0.1:$POSTERN_PORT/admin/v1/keys" \
    -H "Authorization: Bearer $POSTERN_ADMIN" -H 'Content-Type: application/json' \
    -d "{$1,\"scope\":\"full_access\",\"rate_limit_per_hour\":100000000}") \
    || { log "POST /admin/v1/keys {$1} failed"; return 1; }
  jq -er '.key + " " + .id' <<<"$created" \
    || { log "POST /admin/v1/keys returned no key or id: $created"; return 1; }
}
create_identity() { # -> sets KEY, KEY_ID, SEND_KEY, SEND_KEY_ID
  log "creating the bench sending identity"
  curl -sf -X POST "http://127.0.0.1:$POSTERN_PORT/admin/v1/mailboxes" \
    -H "Authorization: Bearer $POSTERN_ADMIN" -H 'Content-Type: application/json' \
    -d '{"address":"bench@bench.test","encryption_tier":"plaintext"}' >/dev/null \
    || { log "POST /admin/v1/mailboxes failed: the admin API is not there yet?"; return 1; }
  local pair
  pair=$(create_key '"name":"bench","mailbox":"bench@bench.test"') || return 1
  read -r KEY KEY_ID <<<"$pair"
  pair=$(create_key '"name":"bench-send","domain":"bench.test"') || return 1
  read -r SEND_KEY SEND_KEY_ID <<<"$pair"
}
# Stops the gateway (SIGTERM to the JVM: a graceful stop) and then its embedded PostgreSQL,
# which runs in a session of its own and has been seen to outlive the JVM; the data directory
# stays for the next launch_postern.
stop_postern() {
  kill -TERM "$POSTERN_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$POSTERN_PID" 2>/dev/null; do
    (( SECONDS < deadline )) || { log "postern did not stop within 60 s"; return 1; }
    sleep 0.5
  done
  stop_embedded_pg
}
stop_embedded_pg() { # SIGINT: PostgreSQL's fast shutdown
  local pidfile="$WORK/postern-data/pg/postmaster.pid" pg deadline=$((SECONDS + 60))
  [[ -f $pidfile ]] || return 0
  pg=$(head -1 "$pidfile")
  # Only that data directory's postmaster: a stale file's pid may belong to anything by now.
  tr '\0' ' ' <"/proc/$pg/cmdline" 2>/dev/null | grep -qF -- "-D $WORK/postern-data/pg" || return 0
  kill -INT "$pg" 2>/dev/null || return 0
  while kill -0 "$pg" 2>/dev/null; do
    (( SECONDS < deadline )) || { log "PostgreSQL $pg did not stop within 60 s"; return 1; }
    sleep 0.5
  done
}

# smtp-sink, the relay both e2e-relay sides deliver to. -c writes a running counter record
# ("sess=N quit=N mesg=N\r") to stdout after every message; E2eRelay reads the last one.
start_sink() { # -> sets SINK_PORT, SINK_COUNTER
  need smtp-sink postfix
  SINK_PORT=$(free_port)
  SINK_COUNTER="$WORK/sink.counter"
  setsid smtp-sink -u nobody -c "127.0.0.1:$SINK_PORT" 1024 >"$SINK_COUNTER" 2>"$OUT/sink.log" &
  PIDS+=("$!")
  wait_port "$SINK_PORT" 10 "smtp-sink ($OUT/sink.log)" || return 1
  log "smtp-sink on port $SINK_PORT"
}

# Postfix: start_postfix hold|relay, run_postfix (bench/postfix.sh).
source "$ROOT/bench/postfix.sh"

load() { # name workload url [extra LoadGenerator options...]
  local name=$1 workload=$2 url=$3
  shift 3
  local model=(-c "$CONCURRENCY")
  [[ " $* " == *" -R "* ]] && model=()
  log "$name: $workload $url"
  java -cp "$BENCH_JAR" dev.postern.bench.LoadGenerator -w "$workload" -u "$url" "${model[@]}" \
    --warmup "$WARMUP" --duration "$DURATION" --label "$name" --out "$OUT/$name.json" "$@" \
    | tee -a "$OUT/tables.txt"
}

compare() { # name posternLabel referenceLabel posternFiles referenceFiles [unit]
  java -cp "$BENCH_JAR" dev.postern.bench.CompareResults --name "$1" --postern-label "$2" \
    --reference-label "$3" --postern "$4" --reference "$5" --html "$OUT/${1//\//-vs-}.html" \
    --summary "$OUT/summary.txt" --unit "${6:-req/s}"
}

# e2e-relay, one side: E2eRelay sends (REST) or runs smtp-source (Postfix), then waits until
# the sink has every accepted message; msg/s = messages / (last arrival - first submission).
e2e_postern() { # name
  log "$1: REST sends, -c $CONCURRENCY, until the sink has every accepted message"
  java -cp "$BENCH_JAR" dev.postern.bench.E2eRelay --sink-counter "$SINK_COUNTER" \
    -u "http://127.0.0.1:$POSTERN_PORT/v1/emails" --key "$SEND_KEY" --from "$SENDER" -c "$CONCURRENCY" --size 2KB \
    "${COST_ARGS[@]}" \
    --warmup "$WARMUP" --duration "$DURATION" --drain-timeout "$DRAIN_TIMEOUT" \
    --label "$1" --out "$OUT/$1.json" | tee -a "$OUT/tables.txt"
}
e2e_postfix() { # name
  # smtp-source wants the host last.
  local src="smtp-source -d -s 20 -l 2048 -f $SENDER -t sink@sink.test"
  local dst="127.0.0.1:$POSTFIX_PORT"
  log "$1: $POSTFIX_MESSAGES_E2E messages by smtp-source, until the sink has them all"
  java -cp "$BENCH_JAR" dev.postern.bench.E2eRelay --sink-counter "$SINK_COUNTER" \
    --warmup-command "$src -m 500 $dst" --warmup-messages 500 \
    --command "$src -m $POSTFIX_MESSAGES_E2E $dst" --messages "$POSTFIX_MESSAGES_E2E" \
    --drain-timeout "$DRAIN_TIMEOUT" --label "$1" --out "$OUT/$1.json" | tee -a "$OUT/tables.txt"
}

joined() { local IFS=,; echo "$*"; }

# The median cost per accepted message over Postern's runs (each result JSON carries its own).
report_cost() { # name files...
  local name=$1
  shift
  java -cp "$BENCH_JAR" dev.postern.bench.CostReport --name "$name" --results "$(joined "$@")" \
    --summary "$OUT/summary.txt" --out "$OUT/cost-${name// /-}.json"
}

# --profile: dump the recording and rank the samples of the given runs' measured windows.
report_profile() { # title files...
  (( PROFILE )) || return 0
  local title=$1
  shift
  jcmd "$POSTERN_PID" JFR.dump name=bench filename="$OUT/postern.jfr" >/dev/null \
    || { log "jcmd JFR.dump failed"; return 1; }
  java -cp "$BENCH_JAR" dev.postern.bench.JfrHotFrames --recording "$OUT/postern.jfr" \
    --results "$(joined "$@")" --top 15 --title "$title" | tee -a "$OUT/summary.txt"
  log "JFR recording: $OUT/postern.jfr (jfr print --events jdk.ExecutionSample ...)"
}

# ---- start what the scenario needs ----
if [[ $SCENARIO == smtp-accept ]]; then
  source "$ROOT/bench/smtp-accept.sh" # smtp-source into the LAN shim and into Postfix
  exit 0
fi
if [[ $SCENARIO == mx-accept ]]; then
  source "$ROOT/bench/mx-accept.sh" # smtp-source into the MX and into Postfix, then the filing drain
  exit 0
fi
if [[ $SCENARIO == inbox-* ]]; then
  source "$ROOT/bench/inbox.sh" # inbox-list (page vs _ping) or inbox-fanout (SSE latency)
  exit 0
fi
if [[ $SCENARIO == e2e-relay ]]; then
  start_sink
  POSTERN_ENV=("POSTERN_RELAY_URL=smtp://127.0.0.1:$SINK_PORT")
  start_postern
  start_postfix relay
  PF_FILES=() SUT_FILES=()
  for run in $(seq 1 "$RUNS"); do
    if (( run % 2 )); then e2e_postfix "postfix-$run"; e2e_postern "postern-$run"
    else e2e_postern "postern-$run"; e2e_postfix "postfix-$run"; fi
    PF_FILES+=("$OUT/postfix-$run.json") SUT_FILES+=("$OUT/postern-$run.json")
  done
  echo
  compare e2e-relay/postfix postern postfix "$(joined "${SUT_FILES[@]}")" "$(joined "${PF_FILES[@]}")" msg/s
  report_cost e2e-relay "${SUT_FILES[@]}"
  report_profile "profile e2e-relay (accept + delivery)" "${SUT_FILES[@]}"
  echo "postern peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MB"}' "/proc/$POSTERN_PID/status") (goal <= 512 MB)" \
    | tee -a "$OUT/summary.txt"
  log "results, tables and charts in $OUT"
  exit 0
fi

start_bare reference
REF_PORT=$BARE_PORT REF_PID=$BARE_PID
if (( SELF_TEST )); then
  start_bare postern-stand-in
  SUT_PORT=$BARE_PORT SUT_PID=$BARE_PID KEY=self-test SEND_KEY=self-test
  SUT_LABEL=bare-b
else
  start_postern
  SUT_PORT=$POSTERN_PORT SUT_PID=$POSTERN_PID
  SUT_LABEL=postern
fi

case "$SCENARIO" in
  ping)
    REF_ARGS=(get "http://127.0.0.1:$REF_PORT/ping")
    if (( SELF_TEST )); then SUT_ARGS=(get "http://127.0.0.1:$SUT_PORT/ping")
    else SUT_ARGS=(ping "http://127.0.0.1:$SUT_PORT/v1/emails/_ping" --key "$KEY"); fi
    BODY_ARGS=() ;;
  send-small|send-attach)
    BODY_ARGS=(--size 2KB)
    [[ $SCENARIO == send-attach ]] && BODY_ARGS+=(--attach 200KB)
    REF_ARGS=(send "http://127.0.0.1:$REF_PORT/echo")
    if (( SELF_TEST )); then SUT_ARGS=(send "http://127.0.0.1:$SUT_PORT/echo")
    else SUT_ARGS=(send "http://127.0.0.1:$SUT_PORT/v1/emails" --key "$SEND_KEY" --from "$SENDER"); fi
    start_postfix hold ;;
esac

# The Postfix message for send-attach is as large as Postern's on the wire: 2 KB of text plus
# the 200 KB attachment in base64, 76 characters + CRLF a line (smtp-source's -l counts the
# payload's wire bytes, CRLFs included). Measured: Postern's MIME body of this send is
# 282 725 bytes (MIME boundaries and part headers included), this is 282 302.
B64=$(( (204800 + 2) / 3 * 4 ))
ATTACH_WIRE_BYTES=$(( 2048 + B64 + 2 * ((B64 + 75) / 76) ))

# ---- alternate the sides ----
REF_FILES=() SUT_FILES=() PF_FILES=()
# Odd runs go reference first, even runs Postern first (A B B A ...), so a drift of the shared
# machine's load over the run does not always favour the same side.
# Each JVM side warms up until its own JIT compilers are quiet (JitWarmup), then gets the usual
# --warmup before the measured window; Postfix has no JIT.
run_reference() {
  load "reference-$run" "${REF_ARGS[@]}" "${BODY_ARGS[@]}" --warmup-jit-pid "$REF_PID"
  REF_FILES+=("$OUT/reference-$run.json")
}
SIDE_COST=() # Postern's closed-model runs of send-* measure their cost (not ping, not the stand-in)
[[ $SCENARIO == send-* ]] && SIDE_COST=("${COST_ARGS[@]}")
run_postern_side() {
  load "$SUT_LABEL-$run" "${SUT_ARGS[@]}" "${BODY_ARGS[@]}" "${SIDE_COST[@]}" --warmup-jit-pid "$SUT_PID"
  SUT_FILES+=("$OUT/$SUT_LABEL-$run.json")
}
for run in $(seq 1 "$RUNS"); do
  if (( run % 2 )); then run_reference; run_postern_side; else run_postern_side; run_reference; fi
  if [[ -n "$POSTFIX_DIR" ]]; then
    if [[ $SCENARIO == send-small ]]; then run_postfix "postfix-$run" "$POSTFIX_MESSAGES_SMALL" 2048
    else run_postfix "postfix-$run" "$POSTFIX_MESSAGES_ATTACH" "$ATTACH_WIRE_BYTES"; fi
    PF_FILES+=("$OUT/postfix-$run.json")
  fi
done

echo
REF_NAME=bare-route; [[ $SCENARIO != ping ]] && REF_NAME=bare-echo
compare "$SCENARIO/$REF_NAME" "$SUT_LABEL" reference "$(joined "${SUT_FILES[@]}")" "$(joined "${REF_FILES[@]}")"
if (( ${#PF_FILES[@]} )); then
  compare "$SCENARIO/postfix" "$SUT_LABEL" postfix "$(joined "${SUT_FILES[@]}")" "$(joined "${PF_FILES[@]}")" msg/s
fi
(( ${#SIDE_COST[@]} )) && report_cost "$SCENARIO" "${SUT_FILES[@]}"
if (( ! SELF_TEST )); then
  PROFILE_TITLE="profile $SCENARIO"
  [[ $SCENARIO == send-* ]] && PROFILE_TITLE+=" (accept path)"
  report_profile "$PROFILE_TITLE" "${SUT_FILES[@]}"
fi

# The send-small latency goal (p99 <= 25 ms at half the peak rate) needs the open model.
if [[ $SCENARIO == send-small ]]; then
  HALF=$(jq -s 'map(.ok_throughput) | sort | .[length/2|floor] / 2 | floor' "${SUT_FILES[@]}")
  load "$SUT_LABEL-open-half-peak" "${SUT_ARGS[@]}" "${BODY_ARGS[@]}" -R "$HALF" --connections 128 \
    "${SIDE_COST[@]}" --warmup-jit-pid "$SUT_PID"
  echo "open model at half the peak ($HALF req/s): p99 $(jq -r '.latency_us.p99 / 100 | round / 10' \
    "$OUT/$SUT_LABEL-open-half-peak.json") ms (goal <= 25 ms)" | tee -a "$OUT/summary.txt"
  (( ${#SIDE_COST[@]} )) && report_cost "$SCENARIO at half the peak" "$OUT/$SUT_LABEL-open-half-peak.json"
fi
if [[ -n "${POSTERN_PID:-}" ]]; then
  echo "postern peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MB"}' "/proc/$POSTERN_PID/status") (goal <= 512 MB)" \
    | tee -a "$OUT/summary.txt"
fi
log "results, tables and charts in $OUT"
