#!/usr/bin/env bash
# The soft PPC64 CPU against qemu-ppc64le on the same CRC32 kernel, back to back:
#   1. JMH PpcCrcKernelBenchmark: guest instructions/s of the soft CPU (translated and interpreted);
#   2. PpcKernelReference: instructions per kernel call and the CRC after CALLS calls, on the soft CPU;
#   3. qemu-ppc64le running the same kernel object as a static Linux binary for CALLS calls, timed by
#      its own clock_gettime; instructions/s = CALLS * instructions per call / time. Best of RUNS.
# Prints both figures and the ratio. Without qemu-ppc64le, step 3 is skipped with a message.
# Usage: benchmarks/ppc-vs-qemu.sh [CALLS] [RUNS] [extra JMH args...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
calls=${1:-10000}
runs=${2:-3}
shift $(( $# > 2 ? 2 : $# )) || true
jmh_args=("$@")
[ ${#jmh_args[@]} -eq 0 ] && jmh_args=(-f 1 -wi 3 -i 5 -w 2 -r 2)
. "$root/scripts/jdk.sh"
jvmm_find_jdk || exit 1
out="$root/benchmarks/target/ppc-vs-qemu"
mkdir -p "$out"

"$root/bench" PpcCrcKernelBenchmark "${jmh_args[@]}" -rf csv -rff "$out/jmh.csv" | tail -n 4
cp="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/runtime-classpath.txt")"
ref=$("$JVMM_JAVA" --enable-native-access=ALL-UNNAMED -cp "$cp" org.jvmm.bench.ppc.PpcKernelReference "$calls")
per_call=$(sed -n 's/.*insns_per_call=\([0-9]*\).*/\1/p' <<<"$ref")
soft_crc=$(sed -n 's/.*crc=\(0x[0-9a-f]*\).*/\1/p' <<<"$ref")
soft_ips=$(awk -F, '/translated/ {gsub(/"/, "", $5); print $5}' "$out/jmh.csv")
interp_ips=$(awk -F, '/interpreted/ {gsub(/"/, "", $5); print $5}' "$out/jmh.csv")
echo "soft CPU: $per_call instructions per kernel call, crc after $calls calls $soft_crc"
printf 'soft CPU (translated):  %.0f instructions/s\n' "$soft_ips"
printf 'soft CPU (interpreted): %.0f instructions/s\n' "$interp_ips"

if ! command -v qemu-ppc64le >/dev/null 2>&1; then
  echo "qemu-ppc64le not found (Debian package qemu-user): QEMU side skipped, no ratio"
  exit 0
fi
best_ns=
for _ in $(seq "$runs"); do
  line=$(qemu-ppc64le "$root/benchmarks/ppc-kernel-bin/crc-linux-le" "$calls")
  qemu_crc=$(sed -n 's/.*crc=\(0x[0-9a-f]*\).*/\1/p' <<<"$line")
  ns=$(sed -n 's/.*ns=\([0-9]*\).*/\1/p' <<<"$line")
  if [ "$qemu_crc" != "$soft_crc" ]; then
    echo "CRC mismatch: qemu-ppc64le $qemu_crc, soft CPU $soft_crc" >&2
    exit 1
  fi
  if [ -z "$best_ns" ] || [ "$ns" -lt "$best_ns" ]; then best_ns=$ns; fi
done
qemu_ips=$(awk -v c="$calls" -v p="$per_call" -v ns="$best_ns" 'BEGIN {printf "%.0f", c * p / (ns / 1e9)}')
printf 'qemu-ppc64le %s:  %.0f instructions/s (best of %d runs of %d calls, crc %s)\n' \
  "$(qemu-ppc64le --version | head -n 1 | awk '{print $3}')" "$qemu_ips" "$runs" "$calls" "$qemu_crc"
awk -v s="$soft_ips" -v i="$interp_ips" -v q="$qemu_ips" \
  'BEGIN {printf "ratio soft/qemu: translated %.2f, interpreted %.2f\n", s / q, i / q}'
