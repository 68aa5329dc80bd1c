#!/usr/bin/env bash
# Builds the pseries -bios test guest (big-endian, ELFv2, linked at 0) into
# ../resources/pseries/hello-be.bin. Needs Debian's gcc-powerpc64le-linux-gnu (its -mbig-endian).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/../resources/pseries"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
powerpc64le-linux-gnu-gcc -mbig-endian -mabi=elfv2 -O2 -ffreestanding -fno-builtin -nostdlib -nostartfiles -static \
    -mcpu=power8 -msoft-float -mno-altivec -mno-vsx -fno-stack-protector -fno-asynchronous-unwind-tables \
    -Wl,--build-id=none -Wl,-T,"$here/pseries.ld" -o "$work/hello-be.elf" "$here/entry.S" "$here/hello.c"
powerpc64le-linux-gnu-objcopy -O binary "$work/hello-be.elf" "$out/hello-be.bin"
echo "hello-be.bin: $(stat -c %s "$out/hello-be.bin") bytes"
