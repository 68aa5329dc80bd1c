#!/usr/bin/env bash
# Rebuilds the x86-toy guests from the sources beside this script with the host's x86-64 gcc and
# writes the images to ../../images/x86/. The images are committed, so the tests need no compiler;
# run this after changing a source and commit the results. Builds are reproducible (no build id,
# no timestamps): the same sources and gcc give the same bytes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/../../images/x86"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
CFLAGS="-O2 -ffreestanding -nostdlib -static -fno-pic -fno-pie -no-pie -mno-red-zone -mgeneral-regs-only
        -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -mcmodel=small -Wall -Wextra -Werror"
LDFLAGS="-Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,norelro -Wl,--no-warn-rwx-segments -T guest.ld"
gcc $CFLAGS -c -o "$tmp/start.o" start.S
gcc $CFLAGS -c -o "$tmp/rt.o" rt.c
gcc $CFLAGS -c -o "$tmp/edu.o" edu.c
gcc $CFLAGS -c -o "$tmp/vtd.o" vtd.c
for src in *.c; do
  name=${src%.c}
  case "$name" in rt|edu|vtd) continue ;; esac
  extra=""
  case "$name" in pasid_*) extra="$tmp/vtd.o" ;; esac
  gcc $CFLAGS -c -o "$tmp/$name.o" "$src"
  gcc $CFLAGS $LDFLAGS -o "$out/${name//_/-}.elf" "$tmp/start.o" "$tmp/rt.o" "$tmp/edu.o" $extra "$tmp/$name.o"
  echo "built images/x86/${name//_/-}.elf ($(stat -c %s "$out/${name//_/-}.elf") bytes)"
done
