# Sourced by the long fault runs (kill9-durability.sh, pg-restart-durability.sh): runs one
# integration test from the packaged build with no per-test timeout, then prints the lines of
# its log that carry figures.
#
#   run_long_it <TestClassIT> <short name for files> <egrep of log lines to print> <success message>
#
# The Maven output goes to target/<short name>.log, the test's own log to target/test-logs/jvm-*.log.
run_long_it() {
  local test="$1" name="$2" figures="$3" success="$4"
  # `package` compiles the tests too; rebuild when any source is newer than the jar.
  if [ ! -f target/postern.jar ] || [ -n "$(find src conf pom.xml -newer target/postern.jar -print -quit)" ]; then
    mvn -B -o -q package -DskipTests
  fi
  mkdir -p target/test-logs
  local marker status=0 log argline
  marker=$(mktemp)
  # Long runs outlast the suite's 10 minute per-test timeout (junit-platform.properties): a JVM
  # system property outranks that file. The rest of the argLine is the pom's test.argLine.
  argline="$(sed -n 's:.*<test.argLine>\(.*\)</test.argLine>.*:\1:p' pom.xml) -Djunit.jupiter.execution.timeout.default=4h"
  mvn -B -o failsafe:integration-test failsafe:verify -Dit.test="$test" -Dtest.argLine="$argline" \
    > "target/$name.log" 2>&1 || status=$?
  log=$(grep -l "$test" $(find target/test-logs -name 'jvm-*.log' -newer "$marker") 2>/dev/null | head -1 || true)
  rm -f "$marker"
  grep -hE "$figures" ${log:-/dev/null} | cut -c1-600 || true
  grep -E 'Tests run:|FAILURE|expected|Expecting' "target/$name.log" | grep -v '^\[INFO\] *$' || true
  if [ "$status" -ne 0 ]; then
    echo "$name: FAILED (exit $status); see target/$name.log and $log" >&2
    exit "$status"
  fi
  echo "$name: $success"
}
