#!/usr/bin/env bash
# Builds the PPC64 test guest images (little- and big-endian, ELFv2, real mode, linked at 0) into
# ../resources/ppc/: guest-{le,be}.bin (guest.c: stack, C, interrupts, traps, hypercalls, MMIO) and
# tce-{le,be}.bin (tce.c: batches of H_PUT_TCE). tce-le.bin is also copied to the benchmarks
# module, whose H_PUT_TCE guest-loop benchmark runs it, and the big-endian images to vmm-core's
# tests, which run them on the pseries machine. Needs powerpc64le-linux-gnu-gcc (and
# powerpc64-linux-gnu-gcc for big-endian).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/../resources/ppc"
bench="$here/../../../../benchmarks/src/main/resources/ppc"
vmm="$here/../../../../vmm-core/src/test/resources/ppc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-O2 -ffreestanding -fno-builtin -nostdlib -nostartfiles -static -mcpu=power8 -msoft-float
       -mno-altivec -mno-vsx -fno-stack-protector -fno-asynchronous-unwind-tables -mabi=elfv2
       -Wl,--build-id=none -Wl,-T,"$here/guest.ld")
build() {
    local cc=$1 endian=$2 tag=$3 name=$4
    "$cc" "${flags[@]}" "$endian" -o "$work/$name-$tag.elf" "$here/entry.S" "$here/$name.c"
    "${cc%gcc}objcopy" -O binary "$work/$name-$tag.elf" "$out/$name-$tag.bin"
    echo "$name-$tag.bin: $(stat -c %s "$out/$name-$tag.bin") bytes"
}
for name in guest tce; do
    build powerpc64le-linux-gnu-gcc -mlittle-endian le "$name"
    build powerpc64-linux-gnu-gcc -mbig-endian be "$name"
done
mkdir -p "$bench" "$vmm"
cp "$out/tce-le.bin" "$bench/tce-le.bin"
cp "$out/guest-be.bin" "$out/tce-be.bin" "$vmm/"
