#!/usr/bin/env bash
# Builds the soft-CPU benchmark suite (kernels.c) once into kernels.o and links it twice: as a
# real-mode guest image for the soft PPC64 CPU (resources/ppc/suite-guest-le.bin; entry and linker
# script shared with ../ppc-kernel) and as a static Linux binary for qemu-ppc64le
# (benchmarks/ppc-kernel-bin/suite-linux-le). Needs powerpc64le-linux-gnu-gcc. OUT and BIN, when
# set, name other directories for the image and the binary (the rebuild check uses them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${OUT:-"$here/../resources/ppc"}
bin=${BIN:-"$here/../../../ppc-kernel-bin"}
mkdir -p "$out" "$bin"
cc=powerpc64le-linux-gnu-gcc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No vector or floating-point code: the soft CPU has neither unit.
codegen=(-O2 -mcpu=power8 -mno-altivec -mno-vsx -fno-stack-protector)
"$cc" "${codegen[@]}" -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -c -o "$work/kernels.o" \
    "$here/kernels.c"
"$cc" "${codegen[@]}" -ffreestanding -fno-builtin -nostdlib -nostartfiles -static -msoft-float \
    -fno-asynchronous-unwind-tables -Wl,--build-id=none -Wl,-T,"$here/../ppc-kernel/guest.ld" \
    -o "$work/suite-guest.elf" "$here/../ppc-kernel/entry.S" "$here/guest.c" "$work/kernels.o"
powerpc64le-linux-gnu-objcopy -O binary "$work/suite-guest.elf" "$out/suite-guest-le.bin"
"$cc" "${codegen[@]}" -static -o "$bin/suite-linux-le" "$here/linux.c" "$work/kernels.o"
powerpc64le-linux-gnu-strip "$bin/suite-linux-le"
# Both link the same kernels.o, so both run the same kernel machine code.
ls -l "$out/suite-guest-le.bin" "$bin/suite-linux-le"
