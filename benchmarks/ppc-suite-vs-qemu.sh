#!/usr/bin/env bash
# The soft PPC64 CPU against qemu-ppc64le on the benchmark suite (src/main/ppc-suite: crc32, matmul,
# qsort, memops, branchy), back to back:
#   1. JMH PpcSuiteBenchmark: guest instructions/s of the soft CPU per kernel, translated and interpreted;
#   2. PpcSuiteReference: the guest instructions CALLS calls of each kernel take and the last result;
#   3. qemu-ppc64le running the same kernels object as a static Linux binary for CALLS calls, timed by
#      its own clock_gettime; instructions/s = instructions of those calls / time. Best of RUNS.
# Prints per kernel the three figures and the ratios soft/QEMU, then their geometric means. A result
# that differs between the soft CPU and QEMU fails the script. Without qemu-ppc64le, step 3 is
# skipped with a message.
# Usage: benchmarks/ppc-suite-vs-qemu.sh [CALLS] [RUNS] [extra JMH args...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
calls=${1:-1000}
runs=${2:-3}
shift $(( $# > 2 ? 2 : $# )) || true
jmh_args=("$@")
[ ${#jmh_args[@]} -eq 0 ] && jmh_args=(-f 1 -wi 3 -i 3 -w 1 -r 1)
kernels=(crc32 matmul qsort memops branchy)
. "$root/scripts/jdk.sh"
jvmm_find_jdk || exit 1
out="$root/benchmarks/target/ppc-suite-vs-qemu"
mkdir -p "$out"

"$root/bench" PpcSuiteBenchmark "${jmh_args[@]}" -rf csv -rff "$out/jmh.csv" >"$out/jmh.log"
cp="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/runtime-classpath.txt")"
have_qemu=1
command -v qemu-ppc64le >/dev/null 2>&1 || have_qemu=0
[ "$have_qemu" = 1 ] || echo "qemu-ppc64le not found (Debian package qemu-user): QEMU side skipped, no ratio"
[ "$have_qemu" = 1 ] && echo "qemu-ppc64le $(qemu-ppc64le --version | head -n 1 | awk '{print $3}'), best of $runs runs of $calls calls"
printf '%-8s %12s %14s %14s %14s %8s %8s\n' kernel insns/call "translated/s" "interpreted/s" "qemu/s" "x(tr)" "x(int)"
rows=()
for k in "${kernels[@]}"; do
  ref=$("$JVMM_JAVA" --enable-native-access=ALL-UNNAMED -cp "$cp" org.jvmm.bench.ppc.PpcSuiteReference "$k" "$calls")
  insns=$(sed -n 's/.*insns=\([0-9]*\).*/\1/p' <<<"$ref")
  soft_result=$(sed -n 's/.*result=\(0x[0-9a-f]*\).*/\1/p' <<<"$ref")
  # JMH csv: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: kernel","Param: tier"
  tr_ips=$(awk -F, -v k="$k" '{gsub(/["\r]/, "")} $8 == k && $9 == "translated" {print $5}' "$out/jmh.csv")
  in_ips=$(awk -F, -v k="$k" '{gsub(/["\r]/, "")} $8 == k && $9 == "interpreted" {print $5}' "$out/jmh.csv")
  q_ips=0
  if [ "$have_qemu" = 1 ]; then
    best_ns=
    for _ in $(seq "$runs"); do
      line=$(qemu-ppc64le "$root/benchmarks/ppc-kernel-bin/suite-linux-le" "$k" "$calls")
      q_result=$(sed -n 's/.*result=\(0x[0-9a-f]*\).*/\1/p' <<<"$line")
      ns=$(sed -n 's/.*ns=\([0-9]*\).*/\1/p' <<<"$line")
      if [ "$q_result" != "$soft_result" ]; then
        echo "$k: result mismatch after $calls calls: qemu-ppc64le $q_result, soft CPU $soft_result" >&2
        exit 1
      fi
      if [ -z "$best_ns" ] || [ "$ns" -lt "$best_ns" ]; then best_ns=$ns; fi
    done
    q_ips=$(awk -v i="$insns" -v ns="$best_ns" 'BEGIN {printf "%.0f", i / (ns / 1e9)}')
  fi
  awk -v k="$k" -v i="$insns" -v c="$calls" -v t="$tr_ips" -v n="$in_ips" -v q="$q_ips" 'BEGIN {
    if (q > 0) printf "%-8s %12.0f %14.4g %14.4g %14.4g %8.2f %8.3f\n", k, i / c, t, n, q, t / q, n / q;
    else printf "%-8s %12.0f %14.4g %14.4g %14s %8s %8s\n", k, i / c, t, n, "-", "-", "-" }'
  rows+=("$tr_ips $in_ips $q_ips")
done
if [ "$have_qemu" = 1 ]; then
  printf '%s\n' "${rows[@]}" | awk '{ lt += log($1 / $3); li += log($2 / $3); n++ }
    END { printf "geometric mean soft/qemu: translated %.2fx, interpreted %.3fx\n", exp(lt / n), exp(li / n) }'
fi
