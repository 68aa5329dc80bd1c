#!/usr/bin/env bash
# Two builds of the soft PPC64 CPU against each other on one suite kernel, at the same time: the
# kvm-bridge classes (the soft CPU) of git revisions A and B, each with this tree's benchmark
# harness (PpcSuiteRate: guest instructions per second of the vCPU thread's CPU time, median of
# WINDOWS 0.5 s windows after WARM seconds), run as two JVMs at once, pinned one per CPU with
# taskset and swapped each round, so that both see the same state of a shared machine. Prints each
# round's A and B rates (G instr/s) and B/A, then the median B/A. Without two CPUs or taskset the
# two run one after the other and the script says so. The revisions are built in temporary git
# worktrees, removed at the end.
# Usage: benchmarks/ppc-pairwise.sh REV_A REV_B KERNEL [ROUNDS] [WARM] [WINDOWS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 3 ]; then
  echo "usage: benchmarks/ppc-pairwise.sh REV_A REV_B KERNEL [ROUNDS] [WARM] [WINDOWS] (kernels crc32 matmul qsort memops branchy)" >&2
  exit 2
fi
rev_a=$1 rev_b=$2 kernel=$3 rounds=${4:-5} warm=${5:-8} windows=${6:-10}
. "$root/scripts/jdk.sh"
jvmm_find_jdk || exit 1
export JAVA_HOME="$JVMM_JAVA_HOME"
jvmm_build_if_stale "$root" benchmarks || { echo "jvmm: build failed" >&2; exit 1; }
work=$(mktemp -d)
cleanup() {
  for side in a b; do
    [ -d "$work/$side" ] && git -C "$root" worktree remove --force "$work/$side" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
for side in a b; do
  rev=$rev_a; [ $side = b ] && rev=$rev_b
  git -C "$root" worktree add --detach -q "$work/$side" "$rev"
  echo "jvmm: building kvm-bridge at $rev ($(git -C "$root" rev-parse --short "$rev")) ..." >&2
  (cd "$work/$side" && ./mvnw -q -B -pl kvm-bridge -am compile) >&2
done
cp_tail="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/runtime-classpath.txt")"
cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status 2>/dev/null || true)
first_two=$(echo "$cpus" | tr ',' '\n' | while IFS=- read -r lo hi; do seq "$lo" "${hi:-$lo}"; done 2>/dev/null | head -n 2 | tr '\n' ' ')
set -- $first_two
pin=no
if [ $# -eq 2 ] && command -v taskset >/dev/null 2>&1; then
  pin=yes c0=$1 c1=$2
  echo "$kernel: $rev_a (A) against $rev_b (B), $rounds rounds, both at once on CPUs $c0 and $c1, swapped each round"
else
  echo "$kernel: $rev_a (A) against $rev_b (B), $rounds rounds, one after the other (not pinned: needs two CPUs and taskset)"
fi
run() { # SIDE CPU -> the rate line
  local side=$1 cpu=$2 pre=()
  [ "$pin" = yes ] && pre=(taskset -c "$cpu")
  "${pre[@]}" "$JVMM_JAVA" --enable-native-access=ALL-UNNAMED -cp "$work/$side/kvm-bridge/target/classes:$cp_tail" \
    org.jvmm.bench.ppc.PpcSuiteRate "$kernel" "$warm" "$windows" > "$work/$side.out"
}
median_of() { sed -n 's/.*median=\([0-9.]*\).*/\1/p' "$1"; }
ratios=()
for r in $(seq "$rounds"); do
  if [ "$pin" = yes ]; then
    if [ $((r % 2)) = 1 ]; then ca=$c0 cb=$c1; else ca=$c1 cb=$c0; fi
    run a "$ca" & pa=$!
    run b "$cb" & pb=$!
    wait "$pa"; wait "$pb"
  else
    run a 0; run b 0
  fi
  a=$(median_of "$work/a.out"); b=$(median_of "$work/b.out")
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')
  ratios+=("$ratio")
  echo "round $r: A $a  B $b  B/A $ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median B/A %.3f (%s to %s, %d rounds)\n", m, v[1], v[NR], NR }'
