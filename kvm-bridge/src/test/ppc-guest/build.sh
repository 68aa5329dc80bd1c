#!/usr/bin/env bash
# Builds the PPC64 test guest images (little- and big-endian, ELFv2, real mode, linked at 0) into
# ../resources/ppc/. Needs powerpc64le-linux-gnu-gcc (and powerpc64-linux-gnu-gcc for big-endian).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/../resources/ppc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-O2 -ffreestanding -fno-builtin -nostdlib -nostartfiles -static -mcpu=power8 -msoft-float
       -mno-altivec -mno-vsx -fno-stack-protector -fno-asynchronous-unwind-tables -mabi=elfv2
       -Wl,--build-id=none -Wl,-T,"$here/guest.ld")
build() {
    local cc=$1 endian=$2 tag=$3
    "$cc" "${flags[@]}" "$endian" -o "$work/guest-$tag.elf" "$here/entry.S" "$here/guest.c"
    "${cc%gcc}objcopy" -O binary "$work/guest-$tag.elf" "$out/guest-$tag.bin"
    echo "guest-$tag.bin: $(stat -c %s "$out/guest-$tag.bin") bytes"
}
build powerpc64le-linux-gnu-gcc -mlittle-endian le
build powerpc64-linux-gnu-gcc -mbig-endian be
