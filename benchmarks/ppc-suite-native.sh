#!/usr/bin/env bash
# How far a translator can go on the benchmark suite: the same C (src/main/ppc-suite/kernels.c and
# linux.c) built for this host with its own gcc, at -O2 without vectorization (the PPC64 build has
# no vector unit either), timed against qemu-ppc64le running the committed PPC64 binary for the
# same calls. Both print the last result, which must be equal (the kernels compute in fixed-width
# unsigned types); both time their loop with their own clock_gettime, so start-up is left out.
# Per kernel, ROUNDS rounds of one native run and one QEMU run, back to back on the same CPU
# (pinned with taskset when it is there); the ratio is the median of the rounds' QEMU/native, with
# the range. A kernel where native code is R times QEMU leaves a translator at 1.5x QEMU only if it
# runs at 1.5/R of native speed. Needs gcc and qemu-ppc64le (Debian packages gcc and qemu-user).
# Usage: benchmarks/ppc-suite-native.sh [CALLS] [ROUNDS] [KERNEL...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
calls=${1:-3000}
rounds=${2:-5}
shift $(( $# > 2 ? 2 : $# )) || true
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(crc32 matmul qsort memops branchy)
for cmd in gcc qemu-ppc64le; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "ppc-suite-native: $cmd not found (Debian package $([ "$cmd" = gcc ] && echo gcc || echo qemu-user))" >&2
    exit 2
  fi
done
src="$root/benchmarks/src/main/ppc-suite"
ppc="$root/benchmarks/ppc-kernel-bin/suite-linux-le"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-O2 -fno-tree-vectorize -fno-tree-loop-distribute-patterns -fno-builtin -fno-stack-protector)
gcc "${flags[@]}" -c -o "$work/kernels.o" "$src/kernels.c"
gcc -O2 -o "$work/suite-native" "$src/linux.c" "$work/kernels.o"
pin=()
if command -v taskset >/dev/null 2>&1; then
  cpu=$(taskset -cp $$ | sed 's/.*: //; s/[,-].*//')
  pin=(taskset -c "$cpu")
fi
echo "gcc $(gcc -dumpfullversion) ${flags[*]} against qemu-ppc64le $(qemu-ppc64le --version | head -n 1 | awk '{print $3}');" \
  "$calls calls, $rounds rounds per kernel, ${pin[*]:-not pinned (no taskset)}"
# field NAME LINE: the value of NAME= in a result line
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
logsum=0
for k in "${kernels[@]}"; do
  ratios=()
  for ((r = 0; r < rounds; r++)); do
    n=$("${pin[@]}" "$work/suite-native" "$k" "$calls")
    q=$("${pin[@]}" qemu-ppc64le "$ppc" "$k" "$calls")
    if [ "$(field result "$n")" != "$(field result "$q")" ]; then
      echo "ppc-suite-native: $k: native result $(field result "$n"), QEMU $(field result "$q")" >&2
      exit 1
    fi
    nn=$(field ns "$n")
    qn=$(field ns "$q")
    ratios+=("$(awk -v q="$qn" -v n="$nn" 'BEGIN { printf "%.3f", q / n }')")
    echo "  $k round $((r + 1)): native $(awk -v t="$nn" -v c="$calls" 'BEGIN { printf "%.1f", t / c / 1000 }') us/call," \
      "QEMU $(awk -v t="$qn" -v c="$calls" 'BEGIN { printf "%.1f", t / c / 1000 }') us/call, QEMU/native ${ratios[-1]}"
  done
  sorted=($(printf '%s\n' "${ratios[@]}" | sort -g))
  median=${sorted[$((rounds / 2))]}
  echo "$k: native is ${median}x QEMU (${sorted[0]}x to ${sorted[-1]}x, result $(field result "$n"));" \
    "a translator at 1.5x QEMU runs at $(awk -v m="$median" 'BEGIN { printf "%.2f", 1.5 / m }')x native"
  logsum=$(awk -v s="$logsum" -v m="$median" 'BEGIN { printf "%.9f", s + log(m) }')
done
echo "geometric mean: native is $(awk -v s="$logsum" -v n="${#kernels[@]}" 'BEGIN { printf "%.2f", exp(s / n) }')x QEMU"
