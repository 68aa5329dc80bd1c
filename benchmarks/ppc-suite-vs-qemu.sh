#!/usr/bin/env bash
# The soft PPC64 CPU against qemu-ppc64le on the benchmark suite (src/main/ppc-suite: crc32, matmul,
# qsort, memops, branchy), measured side by side (PpcSuiteVsQemu): per kernel the soft CPU warms up
# for WARM seconds, then ROUNDS times qemu-ppc64le runs the same kernels object as a static Linux
# binary for CALLS calls (timed by its own clock_gettime) while the soft CPU runs on the other core
# until QEMU exits, so that both see the same state of a shared machine; with two CPUs and
# taskset each round pins the JVM to one CPU and QEMU to the other, swapping them the next round.
# A kernel's ratio is its median round; the line shows the range of the rounds too, and x(geo), the
# rounds' geometric mean (with an even ROUNDS, each pinning weighs alike where one CPU is slower). The
# interpreted tier is measured the same way (at most 3 s of warm-up, at most 3 rounds). A result
# that differs between the soft CPU and QEMU fails the script. Without qemu-ppc64le (Debian
# package qemu-user) it says so and runs the soft CPU alone (JMH PpcSuiteBenchmark).
# Usage: benchmarks/ppc-suite-vs-qemu.sh [CALLS] [ROUNDS] [WARM] [KERNEL...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
calls=${1:-3000}
rounds=${2:-7}
warm=${3:-10}
shift $(( $# > 3 ? 3 : $# )) || true
. "$root/scripts/jdk.sh"
jvmm_find_jdk || exit 1
if ! command -v qemu-ppc64le >/dev/null 2>&1; then
  echo "qemu-ppc64le not found (Debian package qemu-user): QEMU side skipped, soft CPU alone (JMH), no ratio"
  exec "$root/bench" PpcSuiteBenchmark -f 1 -wi 3 -i 3 -w 1 -r 1
fi
export JAVA_HOME="$JVMM_JAVA_HOME"
jvmm_build_if_stale "$root" benchmarks || { echo "jvmm: build failed" >&2; exit 1; }
cp="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/runtime-classpath.txt")"
echo "qemu-ppc64le $(qemu-ppc64le --version | head -n 1 | awk '{print $3}'); per kernel $warm s warm-up, then $rounds rounds of $calls QEMU calls with the soft CPU running alongside"
exec "$JVMM_JAVA" --enable-native-access=ALL-UNNAMED -cp "$cp" org.jvmm.bench.ppc.PpcSuiteVsQemu \
  qemu-ppc64le "$root/benchmarks/ppc-kernel-bin/suite-linux-le" "$calls" "$rounds" "$warm" "$@"
