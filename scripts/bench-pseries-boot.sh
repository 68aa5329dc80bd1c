#!/usr/bin/env bash
# Process start to power-off of a ppc64 -bios guest (default: the edu/TCE guest, big-endian),
# jvmm's pseries on the soft CPU against QEMU 7.2's pseries (TCG) on the same image, with
# hyperfine; prints both means and their ratio (jvmm / QEMU).
#   scripts/bench-pseries-boot.sh [IMAGE] [hyperfine options...]
# e.g. scripts/bench-pseries-boot.sh guest-tests/images/ppc64/edu-le.bin --runs 20
# Needs hyperfine and qemu-system-ppc64. jvmm is built first (./vmm builds when stale), so the
# build is not measured. KVM_TCE=on measures jvmm with -M pseries,kvm-tce=on.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
img=${1:-"$root/guest-tests/images/ppc64/edu-be.bin"}
[ $# -gt 0 ] && shift
for tool in hyperfine qemu-system-ppc64; do
  command -v "$tool" >/dev/null || { echo "bench-pseries-boot: $tool is not installed" >&2; exit 2; }
done
[ -f "$img" ] || { echo "bench-pseries-boot: no image $img" >&2; exit 2; }
tce=${KVM_TCE:-off}
jvmm="$root/vmm -M pseries,kvm-tce=$tce -m 512M -bios $img"
qemu="qemu-system-ppc64 -M pseries -m 512M -nodefaults -nographic -chardev stdio,id=c -device spapr-vty,chardev=c -device edu,dma_mask=0xffffffffffffffff -bios $img"
# one untimed run of each: builds jvmm if stale and shows that both power off with status 0
$jvmm >/dev/null </dev/null || { echo "bench-pseries-boot: jvmm run failed: $jvmm" >&2; exit 1; }
$qemu >/dev/null 2>&1 </dev/null || { echo "bench-pseries-boot: QEMU run failed: $qemu" >&2; exit 1; }
csv=$(mktemp)
trap 'rm -f "$csv"' EXIT
hyperfine -N --warmup 2 --export-csv "$csv" "$@" -n jvmm "$jvmm" -n qemu-7.2 "$qemu" </dev/null >&2
awk -F, 'NR == 2 { j = $2 } NR == 3 { q = $2 }
         END { printf "jvmm     %.3f s\nqemu-7.2 %.3f s\nratio    %.2f (jvmm / QEMU, process start to power-off)\n", j, q, j / q }' "$csv"
