#!/usr/bin/env bash
# Rebuilds the ppc64 pseries guests from the sources beside this script with Debian's
# powerpc64le-linux-gnu-gcc and writes raw -bios images to ../../images/ppc64/, little-endian
# (NAME-le.bin) and big-endian (NAME-be.bin, -mbig-endian). The images are committed, so the tests
# need no cross compiler; run this after changing a source and commit the results. Builds are
# reproducible (fixed flags, no build id, no timestamps): the same sources and gcc give the same bytes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# OUT overrides where the images go (the reproducibility test builds into a temporary folder);
# ELF_DIR, when set, keeps the linked ELF files there (for objdump).
out=${OUT:-"$here/../../images/ppc64"}
CC=${CC:-powerpc64le-linux-gnu-gcc}
OBJCOPY=${OBJCOPY:-powerpc64le-linux-gnu-objcopy}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
# The soft CPU has no FPU, VMX/VSX or MMU: no floating point or vector code, no lmw/stmw.
CFLAGS="-O2 -mcpu=power8 -ffreestanding -nostdlib -static -fno-pic -fno-pie -no-pie -mcmodel=medium
        -msoft-float -mno-altivec -mno-vsx -mno-multiple -mno-string -fno-stack-protector
        -fno-asynchronous-unwind-tables -fno-builtin -fno-tree-loop-distribute-patterns
        -Wall -Wextra -Werror -ffile-prefix-map=$here=."
LDFLAGS="-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T guest.ld"
# The compiler's version line: the rebuild check compares bytes only with the same compiler.
$CC --version | head -1 >"$out/COMPILER"
for endian in le be; do
  ef=$([ $endian = be ] && echo -mbig-endian || echo -mlittle-endian)
  d="$tmp/$endian"
  mkdir -p "$d"
  # The big-endian trampoline a little-endian image starts with (see tramp.S).
  $CC -mbig-endian -c -o "$d/tramp.o" tramp.S
  $OBJCOPY -O binary -j .text "$d/tramp.o" "$d/tramp.bin"
  $CC $ef $CFLAGS -Wa,-I"$d" -c -o "$d/start.o" start.S
  $CC $ef $CFLAGS -c -o "$d/rt.o" rt.c
  $CC $ef $CFLAGS -c -o "$d/edu_dev.o" edu_dev.c
  for src in *.c; do
    name=${src%.c}
    case "$name" in rt|edu_dev) continue ;; esac
    $CC $ef $CFLAGS -c -o "$d/$name.o" "$src"
    $CC $ef $CFLAGS $LDFLAGS -o "$d/$name.elf" "$d/start.o" "$d/rt.o" "$d/edu_dev.o" "$d/$name.o"
    img="$out/${name//_/-}-$endian.bin"
    $OBJCOPY -O binary "$d/$name.elf" "$img"
    if [ -n "${ELF_DIR:-}" ]; then mkdir -p "$ELF_DIR"; cp "$d/$name.elf" "$ELF_DIR/${name//_/-}-$endian.elf"; fi
    echo "built $(basename "$img") ($(stat -c %s "$img") bytes)"
  done
done
# The -kernel guests (vof/): ELF images for QEMU's pseries with x-vof=on, linked at 0x400000 with
# physical addresses from 0 (vof/vof.ld), written as NAME-ENDIAN.elf.
for endian in le be; do
  ef=$([ $endian = be ] && echo -mbig-endian || echo -mlittle-endian)
  d="$tmp/vof-$endian"
  mkdir -p "$d"
  for t in enter_le back_le; do
    $CC -mbig-endian -c -o "$d/$t.o" vof/$t.S
    $OBJCOPY -O binary -j .text "$d/$t.o" "$d/$t.bin"
  done
  $CC $ef $CFLAGS -Wa,-I"$d" -c -o "$d/start.o" vof/start.S
  for src in vof/*.c; do
    name=$(basename "${src%.c}")
    $CC $ef $CFLAGS -c -o "$d/$name.o" "$src"
    img="$out/${name//_/-}-$endian.elf"
    $CC $ef $CFLAGS -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T vof/vof.ld \
        -o "$img" "$d/start.o" "$d/$name.o"
    echo "built $(basename "$img") ($(stat -c %s "$img") bytes)"
  done
done
