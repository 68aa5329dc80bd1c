#!/usr/bin/env bash
# Runs every ppc64 image on QEMU's pseries (Debian's qemu-system-ppc64, 7.2) and writes what the
# guest printed on the vty to ../../src/test/resources/ppc64/qemu/NAME-ENDIAN.txt: the transcripts
# the suites compare jvmm's output with. The command for each image is the one in the README
# beside the transcripts; run this after rebuilding the images and commit the results.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
images="$here/../../images/ppc64"
out="$here/../../src/test/resources/ppc64/qemu"
mkdir -p "$out"
for img in "$images"/*.bin; do
  base=$(basename "$img" .bin)
  timeout 60 qemu-system-ppc64 -M pseries -m 512M -nodefaults -nographic -chardev stdio,id=c \
      -device spapr-vty,chardev=c -device edu,dma_mask=0xffffffffffffffff -bios "$img" \
      </dev/null >"$out/$base.txt" 2>/dev/null
  echo "$base: $(wc -l <"$out/$base.txt") lines"
done
# The -kernel guests on QEMU's Virtual Open Firmware (x-vof=on). Their client-interface exit
# pauses QEMU rather than ending it, so QEMU is stopped once the guest's last line is out.
for elf in "$images"/*.elf; do
  base=$(basename "$elf" .elf)
  qemu-system-ppc64 -M pseries,x-vof=on -m 512M -nodefaults -nographic -chardev stdio,id=c \
      -device spapr-vty,chardev=c -device edu,dma_mask=0xffffffffffffffff -kernel "$elf" \
      -append "console=hvc0" </dev/null >"$out/$base.txt" 2>/dev/null &
  pid=$!
  for _ in $(seq 600); do
    grep -q ': exit$' "$out/$base.txt" && break
    sleep 0.1
  done
  kill "$pid"
  wait "$pid" || true
  echo "$base: $(wc -l <"$out/$base.txt") lines"
done
