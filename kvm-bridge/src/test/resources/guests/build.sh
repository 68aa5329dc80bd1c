#!/usr/bin/env bash
# Rebuilds the toy guests kvm-bridge's tests boot, from the sources beside this script, with the
# host's x86-64 gcc and binutils. The built images are committed so tests need no compiler; run
# this after changing a source and commit the results.
#   hello16.bin  16-bit real-mode hello (load at 0x1000)
#   guest64.elf  64-bit freestanding C guest (ELF64, loads at 1 MiB)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

as --32 -o "$tmp/hello16.o" hello16.S
ld -m elf_i386 -Ttext=0x1000 -e _start --oformat binary -o hello16.bin "$tmp/hello16.o"
expected="be0f10baf803ac84c07403eeebf8f4"
actual=$(head -c 15 hello16.bin | od -An -tx1 | tr -d ' \n')
if [ "$actual" != "$expected" ]; then
    echo "hello16: assembler output $actual differs from the hand assembly $expected" >&2
    exit 1
fi

CFLAGS="-O2 -ffreestanding -nostdlib -static -fno-pic -fno-pie -no-pie -mno-red-zone -mgeneral-regs-only
        -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -mcmodel=small -Wall -Wextra"
gcc $CFLAGS -c -o "$tmp/start64.o" start64.S
gcc $CFLAGS -c -o "$tmp/guest64.o" guest64.c
gcc $CFLAGS -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,norelro -Wl,--no-warn-rwx-segments -T guest64.ld \
    -o guest64.elf "$tmp/start64.o" "$tmp/guest64.o"
echo "built hello16.bin ($(stat -c %s hello16.bin) bytes), guest64.elf ($(stat -c %s guest64.elf) bytes)"
