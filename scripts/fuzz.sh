#!/usr/bin/env bash
# Long fuzz runs: scripts/fuzz.sh qtest|guest-pseries|guest-x86|guest-x86-kvm|ppc-cpu DURATION [SEED]
#
# Runs one fuzzer for DURATION (600, 600s, 10m, 1h) from SEED (decimal or 0x hex; default: a new
# random one, printed) through the same test class the normal build runs with a small fixed bound.
# It replays the committed corpus first. At the end it prints the summary line
#   fuzz NAME: seed=0x.. corpus=N executions=N escapes=N hangs=N divergences=N time=Ns slowest=Nms (...)
# and exits 0 only when there was no escape. Each distinct escape's input is left in
# MODULE/target/fuzz/NAME/escape-K.case (add it to MODULE/src/test/resources/fuzz/NAME/ once fixed),
# its stack trace beside it. A test JVM that dies counts as an escape (the summary is then missing).
set -u
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/fuzz.sh qtest|guest-pseries|guest-x86|guest-x86-kvm|ppc-cpu DURATION [SEED]" >&2
  exit 2
}
[ $# -ge 2 ] && [ $# -le 3 ] || usage
name=$1
duration=$2
seed=${3:-0x$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')}
case "$name" in
  qtest)         module=vmm-core;   test=QtestScriptsAlwaysAnswerEveryLine ;;
  guest-pseries) module=vmm-core;   test=PseriesGuestActionsNeverEscape ;;
  guest-x86)     module=vmm-core;   test=X86GuestExitsNeverEscape ;;
  guest-x86-kvm) module=guest-tests; test=X86KvmGuestAccessesNeverEscape ;;
  ppc-cpu)       module=kvm-bridge; test=RandomCodeNeverEscapesAndBothTiersAgree ;;
  *) echo "scripts/fuzz.sh: unknown fuzzer '$name'" >&2; usage ;;
esac
case "$duration" in
  *[0-9]|*[0-9][smh]) ;;
  *) echo "scripts/fuzz.sh: DURATION '$duration' is not a number of seconds or Ns/Nm/Nh" >&2; exit 2 ;;
esac

mkdir -p "$module/target" # a fresh clone has no target folder yet
summary=$module/target/fuzz/$name.summary
rm -f "$summary" "$module/target/surefire-reports/"*"$test"*
rm -rf "$module/target/fuzz/$name"
echo "fuzz $name: running for $duration from seed $seed ($module, $test)"
./mvnw -B -q test -pl "$module" -am -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
  -Djvmm.fuzz.duration="$duration" -Djvmm.fuzz.seed="$seed" -DtrimStackTrace=true >"$module/target/fuzz-$name.log" 2>&1
status=$?
if [ ! -f "$summary" ] && grep -q 'needs /dev/kvm' "$module/target/surefire-reports/"*"$test"*.xml 2>/dev/null; then
  echo "fuzz $name: skipped: $(grep -o 'needs /dev/kvm[^"<]*' "$module/target/surefire-reports/"*"$test"*.xml | head -n 1)"
  exit 3
fi
if [ ! -f "$summary" ]; then
  echo "fuzz $name: seed=$seed escapes=1 (the test JVM ended without a summary, exit $status; see $module/target/fuzz-$name.log)"
  exit 1
fi
cat "$summary"
grep -q ' escapes=0 ' "$summary" && [ $status -eq 0 ]
