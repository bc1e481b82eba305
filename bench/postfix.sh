# Postfix, the SMTP reference of send-small, send-attach, e2e-relay and smtp-accept: sourced
# by bench/run.sh (uses its log, need, free_port, $WORK, $OUT; sets POSTFIX_DIR for cleanup).
# Postfix as the SMTP reference: a private instance (own config, queue and data directories
# under $WORK), smtpd on a loopback port.
#   hold:  every accepted message is put on HOLD, so it is queued and fsynced but never
#          delivered: that is "accepting", nothing more (send-small, send-attach).
#   relay: every message is relayed (relayhost) to the smtp-sink on $SINK_PORT (e2e-relay);
#          sink.test is not a local domain then, so sink@sink.test goes to the relayhost.
start_postfix() { # mode -> sets POSTFIX_PORT
  local mode=$1 destinations restrictions relay=""
  if [[ $mode == relay ]]; then
    destinations=localhost
    restrictions="permit_mynetworks, reject"
    relay="relayhost = [127.0.0.1]:$SINK_PORT"
  else
    destinations="bench.test, localhost"
    restrictions="check_client_access static:HOLD, permit_mynetworks, reject"
  fi
  need postfix postfix
  POSTFIX_PORT=$(free_port)
  POSTFIX_DIR="$WORK/postfix"
  local d=$POSTFIX_DIR
  mkdir -p "$d/etc" "$d/queue" "$d/data"
  chown postfix "$d/data"
  cp /etc/postfix/master.cf "$d/etc/"
  cat >"$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench.localdomain
mydestination = $destinations
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
smtpd_recipient_restrictions = $restrictions
$relay
maillog_file_prefixes = $d
maillog_file = $d/maillog
EOF
  if [[ $mode == relay && ${POSTFIX_DKIM:-0} == 1 ]]; then
    sign_with_opendkim "$d" || return 1
  fi
  postconf -c "$d/etc" -F '*/*/chroot = n'
  postconf -c "$d/etc" -M# smtp/inet
  postconf -c "$d/etc" -Me "127.0.0.1:$POSTFIX_PORT/inet = 127.0.0.1:$POSTFIX_PORT inet n - n - - smtpd"
  postconf -c "$d/etc" -Me "postlog/unix-dgram = postlog unix-dgram n - n - 1 postlogd"
  postfix -c "$d/etc" start >/dev/null 2>&1 || { log "postfix failed to start: $d/maillog"; return 1; }
  wait_port "$POSTFIX_PORT" 30 "postfix smtpd ($d/maillog)" || return 1
  if [[ $mode == relay ]]; then log "postfix smtpd on port $POSTFIX_PORT, relaying to 127.0.0.1:$SINK_PORT"
  else log "postfix smtpd on port $POSTFIX_PORT (messages held, not delivered)"; fi
}

# POSTFIX_DKIM=1 (e2e-relay only): the relaying Postfix signs too, as Postern does — Debian's
# OpenDKIM as a milter, RSA-2048, relaxed/relaxed, a key made for this run — so the two sides do
# the same work per message. Not the goal's reference (BENCHMARKS.md compares with Postfix as
# installed, signing nothing); a second figure for the note.
sign_with_opendkim() { # postfix-dir
  local d=$1 port
  need opendkim opendkim
  need opendkim-genkey opendkim-tools
  port=$(free_port)
  mkdir -p "$d/dkim"
  opendkim-genkey -b 2048 -d bench.test -s bench -D "$d/dkim" || { log "opendkim-genkey failed"; return 1; }
  chown -R opendkim "$d/dkim"
  # RequireSafeKeys off: the key lives under $WORK in /tmp, which other users may write.
  cat >"$d/dkim/opendkim.conf" <<EOF
Syslog no
Mode s
Domain bench.test
Selector bench
KeyFile $d/dkim/bench.private
RequireSafeKeys false
Socket inet:$port@127.0.0.1
Canonicalization relaxed/relaxed
SignatureAlgorithm rsa-sha256
UserID opendkim
EOF
  setsid opendkim -f -x "$d/dkim/opendkim.conf" >"$OUT/opendkim.log" 2>&1 &
  PIDS+=("$!")
  wait_port "$port" 30 "opendkim ($OUT/opendkim.log)" || return 1
  cat >>"$d/etc/main.cf" <<EOF
smtpd_milters = inet:127.0.0.1:$port
milter_default_action = tempfail
EOF
  log "postfix signs through opendkim on port $port"
}

# smtp-source reuses each of its 20 sessions (-d), Postfix's faster case, so the ratio is
# conservative. Throughput = messages / wall time; smtp-source reports no latency.
run_postfix() { # name messages length
  local name=$1 messages=$2 length=$3 start end
  smtp-source -d -s 20 -l "$length" -m 500 -f "$SENDER" -t sink@sink.test \
    "127.0.0.1:$POSTFIX_PORT" >/dev/null # warm-up
  start=$(date +%s.%N)
  smtp-source -d -s 20 -l "$length" -m "$messages" -f "$SENDER" -t sink@sink.test \
    "127.0.0.1:$POSTFIX_PORT" >"$OUT/$name.smtp-source.log" 2>&1
  end=$(date +%s.%N)
  postsuper -c "$POSTFIX_DIR/etc" -d ALL hold >/dev/null 2>&1 || true
  jq -n --arg name postfix --argjson n "$messages" --argjson s "$(awk "BEGIN {print $end - $start}")" \
    --arg url "smtp://127.0.0.1:$POSTFIX_PORT" --argjson len "$length" \
    '{"label": $name, "tool": "smtp-source -d -s 20",
      "workload": ("smtp " + ($len|tostring) + " bytes"), "mode": "closed", "url": $url,
      "concurrency": 20, "requests": $n, "ok": $n, "measured_seconds": $s,
      "throughput": ($n/$s), "ok_throughput": ($n/$s)}' >"$OUT/$name.json"
  log "$name: $(jq -r '.ok_throughput|floor' "$OUT/$name.json") msg/s"
}
