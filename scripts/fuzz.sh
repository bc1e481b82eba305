#!/usr/bin/env bash
# Fuzzes the Jazzer targets (issue #15 item 10): scripts/fuzz.sh [target] [minutes]
#   target: keys | send | mime | smtp | all (default all, one after another)
#   minutes: fuzzing time per target (default 10, the @FuzzTest maxDuration)
# Each run is `JAZZER_FUZZ=1 mvn test -Dtest=<class>`. Crashing inputs land in the target's
# src/test/resources/<package>/<Class>Inputs/<method>/ directory, where every `mvn test` replays
# them; the coverage corpus grows in .cifuzz-corpus/ (git-ignored: copy the entries worth keeping
# into the Inputs directory). Logs: target/fuzz-<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-all}"
minutes="${2:-10}"

class_of() {
  case "$1" in
    keys) echo KeyParseFuzzTest ;;
    send) echo SendRequestFuzzTest ;;
    mime) echo MimeComposerFuzzTest ;;
    smtp) echo SmtpServerDecoderFuzzTest ;;
    *) echo "unknown target '$1' (keys, send, mime, smtp, all)" >&2; exit 2 ;;
  esac
}

run() {
  local name="$1" class
  class="$(class_of "$name")"
  mkdir -p target
  echo "fuzzing $class for $minutes min (log target/fuzz-$name.log)"
  # Instrument only our code; JAZZER_MAX_DURATION overrides the annotation's 10m; the pom
  # turns Jazzer's hooks off for plain `mvn test` (replay only), so switch them back on. The
  # suite's 10 minute per-test timeout (junit-platform.properties) would cut a 10 minute run at
  # its last second: a JVM system property outranks that file (the rest is the pom's argLine).
  local argline
  argline="$(sed -n 's:.*<test.argLine>\(.*\)</test.argLine>.*:\1:p' pom.xml) -Djunit.jupiter.execution.timeout.default=$((minutes + 10))m"
  JAZZER_FUZZ=1 JAZZER_INSTRUMENTATION_INCLUDES='dev.postern.**' \
    JAZZER_MAX_DURATION="${minutes}m" \
    nice -n 10 mvn -B -o test -Dtest="$class" -Djazzer.hooks=true -Dtest.argLine="$argline" \
    >"target/fuzz-$name.log" 2>&1 && status=0 || status=$?
  grep -E '^#[0-9]+ *(DONE|pulse)|Done [0-9]+ runs|== Java Exception|Tests run:' \
    "target/fuzz-$name.log" | tail -4 || true
  return "$status"
}

if [ "$target" = all ]; then
  failed=0
  for t in keys send mime smtp; do run "$t" || failed=1; done
  exit "$failed"
fi
run "$target"
