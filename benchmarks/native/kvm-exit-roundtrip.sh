#!/usr/bin/env bash
# KVM exit round trips, Java (FFM, JMH) against C, back to back on this machine.
#   benchmarks/native/kvm-exit-roundtrip.sh [exits]
# Compiles kvm_exit_roundtrip.c with gcc and runs it (1,000,000 exits after 100,000 warm-up
# exits), then the JMH benchmark KvmExitRoundTrip (1 warm-up and 3 measured single shots of
# 1,000,000 exits each), then the C program again, and prints both rates and the ratio of Java's
# time per exit to C's (the mean of the C runs before and after, so drift on a shared machine
# shows). JMH allows one instance per machine: while another runs, this script waits.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
exits=${1:-1000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

gcc -O2 -Wall -o "$out/kvm_exit_roundtrip" "$here/kvm_exit_roundtrip.c"
c_ns() { sed -n 's/.*ns_per_exit=\([0-9.]*\).*/\1/p' <<<"$1"; }

for attempt in $(seq 1 40); do
    while pgrep -f 'org.openjdk.jmh.Main' >/dev/null; do sleep 5; done
    c_before=$("$out/kvm_exit_roundtrip" "$exits" 100000)
    echo "before: $c_before"
    if "$root/bench" 'org.jvmm.bench.kvm.KvmExitRoundTrip' -f 1 -wi 1 -i 3 -rf csv -rff "$out/jmh.csv" \
            >"$out/jmh.log" 2>&1; then
        break
    fi
    if ! grep -q 'Unable to acquire the JMH lock' "$out/jmh.log"; then
        cat "$out/jmh.log" >&2
        exit 1
    fi
    echo "another JMH run holds the lock; retrying" >&2
    sleep 10
done
c_after=$("$out/kvm_exit_roundtrip" "$exits" 100000)
echo "after:  $c_after"
grep -E '^(# Warmup Iteration|Iteration|Benchmark  |KvmExitRoundTrip)' "$out/jmh.log" || true
# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"
java_ns=$(awk -F, 'NR==2 {gsub(/"/,"",$5); print $5}' "$out/jmh.csv")
java_best=$(sed -n 's/^Iteration *[0-9]*: *\([0-9.]*\) ns\/op/\1/p' "$out/jmh.log" | sort -g | head -n 1)

awk -v b="$(c_ns "$c_before")" -v a="$(c_ns "$c_after")" -v j="$java_ns" -v jb="$java_best" 'BEGIN {
    c = (a + b) / 2; cb = a < b ? a : b;
    printf "C:    %.1f ns/exit, %.0f exits/s (mean of before %.1f and after %.1f)\n", c, 1e9 / c, b, a;
    printf "Java: %.1f ns/exit, %.0f exits/s (JMH mean of 3 single shots of 1M exits)\n", j, 1e9 / j;
    printf "Java/C time per exit, means: %.3f (target <= 1.10)\n", j / c;
    printf "Java/C time per exit, best runs (%.1f / %.1f): %.3f\n", jb, cb, jb / cb;
}'
