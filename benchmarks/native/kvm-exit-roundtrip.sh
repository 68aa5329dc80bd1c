#!/usr/bin/env bash
# KVM exit round trips, Java (FFM, JMH) against C, back to back on this machine.
#   benchmarks/native/kvm-exit-roundtrip.sh [exits]
# Compiles kvm_exit_roundtrip.c with gcc, runs it (1,000,000 exits after 100,000 warm-up exits),
# then runs the JMH benchmark KvmExitRoundTrip (1 warm-up and 3 measured single shots of
# 1,000,000 exits each), and prints both rates and the ratio of Java's time per exit to C's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
exits=${1:-1000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

gcc -O2 -Wall -o "$out/kvm_exit_roundtrip" "$here/kvm_exit_roundtrip.c"
c_line=$("$out/kvm_exit_roundtrip" "$exits" 100000)
echo "$c_line"
c_ns=$(sed -n 's/.*ns_per_exit=\([0-9.]*\).*/\1/p' <<<"$c_line")

"$root/bench" 'org.jvmm.bench.kvm.KvmExitRoundTrip' -f 1 -wi 1 -i 3 -rf csv -rff "$out/jmh.csv" >"$out/jmh.log" 2>&1 || {
    cat "$out/jmh.log" >&2
    exit 1
}
grep -E '^(# Warmup Iteration|Iteration|Benchmark  |KvmExitRoundTrip)' "$out/jmh.log" || true
# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"
java_ns=$(awk -F, 'NR==2 {gsub(/"/,"",$5); print $5}' "$out/jmh.csv")

awk -v c="$c_ns" -v j="$java_ns" 'BEGIN {
    printf "C:    %.1f ns/exit, %.0f exits/s\n", c, 1e9 / c;
    printf "Java: %.1f ns/exit, %.0f exits/s\n", j, 1e9 / j;
    printf "Java/C time per exit: %.3f (target <= 1.10)\n", j / c;
}'
