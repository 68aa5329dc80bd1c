#!/usr/bin/env bash
# KVM exit round trips, Java (FFM, JMH) against C, back to back on this machine.
#   benchmarks/native/kvm-exit-roundtrip.sh [rounds] [exits]
# Compiles kvm_exit_roundtrip.c with gcc. Each round runs the C program (1,000,000 exits after
# 100,000 warm-up exits) and then the JMH benchmark KvmExitRoundTrip (one warm-up and one measured
# single shot of 1,000,000 exits), so C and Java alternate and share whatever load the machine
# has at that moment. Prints every round, both rates, the per-round ratio of Java's time per exit
# to C's, the median ratio, and the ratio of the best runs. JMH allows one instance per machine:
# while another runs, this script waits.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=${1:-3}
exits=${2:-1000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

gcc -O2 -Wall -o "$out/kvm_exit_roundtrip" "$here/kvm_exit_roundtrip.c"

run_java() {
    local attempt
    for attempt in $(seq 1 60); do
        while pgrep -f 'org.openjdk.jmh.Main' >/dev/null; do sleep 5; done
        if "$root/bench" 'org.jvmm.bench.kvm.KvmExitRoundTrip' -f 1 -wi 1 -i 1 >"$out/jmh.log" 2>&1; then
            sed -n 's/^Iteration *1: *\([0-9.]*\) ns\/op/\1/p' "$out/jmh.log"
            return 0
        fi
        if ! grep -q 'Unable to acquire the JMH lock' "$out/jmh.log"; then
            cat "$out/jmh.log" >&2
            return 1
        fi
        sleep 10
    done
    echo "kvm-exit-roundtrip: the JMH lock stayed taken" >&2
    return 1
}

: >"$out/rounds"
for r in $(seq 1 "$rounds"); do
    while pgrep -f 'org.openjdk.jmh.Main' >/dev/null; do sleep 5; done
    c_line=$("$out/kvm_exit_roundtrip" "$exits" 100000)
    c=$(sed -n 's/.*ns_per_exit=\([0-9.]*\).*/\1/p' <<<"$c_line")
    j=$(run_java)
    echo "$r $c $j" >>"$out/rounds"
    awk -v r="$r" -v c="$c" -v j="$j" 'BEGIN { printf "round %d: C %.1f ns/exit (%.0f/s), Java %.1f ns/exit (%.0f/s), Java/C %.3f\n", r, c, 1e9 / c, j, 1e9 / j, j / c }'
done

sort -k2 -g "$out/rounds" | awk '
    { c[NR] = $2; j[NR] = $3; ratio[NR] = $3 / $2 }
    END {
        n = NR; cb = c[1]; jb = j[1];
        for (i = 1; i <= n; i++) { if (c[i] < cb) cb = c[i]; if (j[i] < jb) jb = j[i] }
        # median of the per-round ratios
        for (i = 1; i <= n; i++) for (k = i + 1; k <= n; k++) if (ratio[k] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[k]; ratio[k] = t }
        med = n % 2 ? ratio[(n + 1) / 2] : (ratio[n / 2] + ratio[n / 2 + 1]) / 2;
        printf "best C:    %.1f ns/exit, %.0f exits/s\n", cb, 1e9 / cb;
        printf "best Java: %.1f ns/exit, %.0f exits/s\n", jb, 1e9 / jb;
        printf "Java/C time per exit: median of rounds %.3f, best vs best %.3f (target <= 1.10)\n", med, jb / cb;
    }'
