#!/usr/bin/env bash
# Builds the CRC32 benchmark kernel twice with the same code-generation flags: as a real-mode guest
# image for the soft PPC64 CPU (crc-guest-le.bin) and as a static Linux binary for qemu-ppc64le
# (benchmarks/ppc-kernel-bin/crc-linux-le). Needs powerpc64le-linux-gnu-gcc.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/../resources/ppc"
cc=powerpc64le-linux-gnu-gcc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No vector or floating-point code: the soft CPU has neither unit.
codegen=(-O2 -mcpu=power8 -mno-altivec -mno-vsx -fno-stack-protector)
"$cc" "${codegen[@]}" -ffreestanding -fno-builtin -c -o "$work/kernel-guest.o" "$here/kernel.c"
"$cc" "${codegen[@]}" -ffreestanding -fno-builtin -nostdlib -nostartfiles -static -msoft-float -mno-altivec -mno-vsx \
    -fno-asynchronous-unwind-tables -Wl,--build-id=none -Wl,-T,"$here/guest.ld" \
    -o "$work/crc-guest.elf" "$here/entry.S" "$here/guest.c" "$work/kernel-guest.o"
powerpc64le-linux-gnu-objcopy -O binary "$work/crc-guest.elf" "$out/crc-guest-le.bin"
"$cc" "${codegen[@]}" -static -o "$here/../../../ppc-kernel-bin/crc-linux-le" "$here/linux.c" "$work/kernel-guest.o"
powerpc64le-linux-gnu-strip "$here/../../../ppc-kernel-bin/crc-linux-le"
# Both link the same kernel object (kernel-guest.o), so both run the same crc_kernel machine code.
ls -l "$out/crc-guest-le.bin" "$here/../../../ppc-kernel-bin/crc-linux-le"
