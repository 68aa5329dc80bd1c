#!/usr/bin/env python3
"""Regenerates the PPC64 instruction oracle vectors.

For every instruction variant in CASES it writes one assembly snippet (cases.S) that loads r5-r7,
CR, XER, LR and CTR from an input record, executes the instruction and stores the results; driver.c
runs every snippet over a deterministic operand set. The program is built statically with
powerpc64le-linux-gnu-gcc (and powerpc64-linux-gnu-gcc for big-endian) and run under qemu-ppc64le
(qemu-ppc64); the output goes gzip-compressed to ../resources/ppc/vectors-{le,be}.txt.gz.

Big-endian vectors cover only the kinds whose result depends on the byte order (loads and stores)
plus a few ALU cases as a sanity check.

Usage: gen_vectors.py [--out DIR]   (needs the cross compilers and qemu-user on PATH)
"""
import gzip
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ALU, BRANCH, MEM, TRAP, BRCTR = 0, 1, 2, 3, 4

rnd = random.Random(20261121)


def cases():
    out = []

    def add(kind, text):
        out.append((kind, text))

    for op in ["add", "subf", "addc", "subfc", "adde", "subfe", "mullw", "mulld", "divw", "divwu", "divd", "divdu"]:
        for suf in ["", ".", "o", "o."]:
            add(ALU, f"{op}{suf} 5,6,7")
    for op in ["addme", "subfme", "addze", "subfze", "neg"]:
        for suf in ["", ".", "o", "o."]:
            add(ALU, f"{op}{suf} 5,6")
    for op in ["mulhw", "mulhwu", "mulhd", "mulhdu"]:
        for suf in ["", "."]:
            add(ALU, f"{op}{suf} 5,6,7")
    for op in ["modsw", "moduw", "modsd", "modud"]:
        add(ALU, f"{op} 5,6,7")
    for op in ["maddld", "maddhd", "maddhdu"]:
        add(ALU, f"{op} 5,6,7,5")
        add(ALU, f"{op} 5,6,7,6")
    for op in ["and", "andc", "or", "orc", "xor", "nand", "nor", "eqv", "slw", "srw", "sraw", "sld", "srd", "srad"]:
        for suf in ["", "."]:
            add(ALU, f"{op}{suf} 5,6,7")
    for sh in [0, 1, 5, 31]:
        for suf in ["", "."]:
            add(ALU, f"srawi{suf} 5,6,{sh}")
    for sh in [0, 1, 31, 32, 63]:
        for suf in ["", "."]:
            add(ALU, f"sradi{suf} 5,6,{sh}")
    for sh in [0, 3, 32, 63]:
        add(ALU, f"extswsli 5,6,{sh}")
        add(ALU, f"extswsli. 5,6,{sh}")
    for op in ["cntlzw", "cntlzd", "cnttzw", "cnttzd", "extsb", "extsh", "extsw"]:
        for suf in ["", "."]:
            add(ALU, f"{op}{suf} 5,6")
    for op in ["popcntb", "popcntw", "popcntd"]:
        add(ALU, f"{op} 5,6")
    add(ALU, "cmpb 5,6,7")
    for bf in [0, 3, 7]:
        for l in [0, 1]:
            add(ALU, f"cmp {bf},{l},6,7")
            add(ALU, f"cmpl {bf},{l},6,7")
    for imm in [0, 1, -1, 0x7fff, -0x8000, 0x1234]:
        add(ALU, f"cmpdi 1,6,{imm}")
        add(ALU, f"cmpwi 0,6,{imm}")
    for imm in [0, 1, 0xffff, 0x8000, 0x1234]:
        add(ALU, f"cmpldi 6,6,{imm}")
        add(ALU, f"cmplwi 2,6,{imm}")
    for imm in [0, 1, -1, 0x7fff, -0x8000, 0x1234]:
        for op in ["addi", "addis", "addic", "addic.", "subfic", "mulli"]:
            add(ALU, f"{op} 5,6,{imm}")
    for imm in [-5, 0x7fff]:
        add(ALU, f"li 5,{imm}")
        add(ALU, f"lis 5,{imm}")
    for imm in [0, 1, 0xffff, 0x8000, 0x1234]:
        for op in ["ori", "oris", "xori", "xoris", "andi.", "andis."]:
            add(ALU, f"{op} 5,6,{imm}")
    for _ in range(10):
        sh, mb, me = rnd.randrange(32), rnd.randrange(32), rnd.randrange(32)
        add(ALU, f"rlwinm 5,6,{sh},{mb},{me}")
        add(ALU, f"rlwinm. 5,6,{sh},{mb},{me}")
        add(ALU, f"rlwnm 5,6,7,{mb},{me}")
        add(ALU, f"rlwimi 5,6,{sh},{mb},{me}")
    for sh, mb, me in [(0, 0, 31), (5, 10, 3), (31, 31, 0), (16, 16, 15)]:
        add(ALU, f"rlwinm 5,6,{sh},{mb},{me}")
        add(ALU, f"rlwimi. 5,6,{sh},{mb},{me}")
    for _ in range(8):
        sh, mb = rnd.randrange(64), rnd.randrange(64)
        add(ALU, f"rldicl 5,6,{sh},{mb}")
        add(ALU, f"rldicr 5,6,{sh},{mb}")
        add(ALU, f"rldic 5,6,{sh},{mb}")
        add(ALU, f"rldimi 5,6,{sh},{mb}")
        add(ALU, f"rldcl 5,6,7,{mb}")
        add(ALU, f"rldcr 5,6,7,{mb}")
    for sh, mb in [(0, 0), (63, 63), (32, 31), (1, 0), (0, 32)]:
        add(ALU, f"rldicl. 5,6,{sh},{mb}")
        add(ALU, f"rldicr. 5,6,{sh},{mb}")
        add(ALU, f"rldic. 5,6,{sh},{mb}")
        add(ALU, f"rldimi. 5,6,{sh},{mb}")
        add(ALU, f"rldcl. 5,6,7,{mb}")
    for bc in [0, 2, 5, 31]:
        add(ALU, f"isel 5,6,7,{bc}")
    add(ALU, "isel 5,0,7,1")
    for op in ["crand", "crnand", "cror", "crnor", "crxor", "creqv", "crandc", "crorc"]:
        for _ in range(2):
            add(ALU, f"{op} {rnd.randrange(32)},{rnd.randrange(32)},{rnd.randrange(32)}")
    add(ALU, "mcrf 1,6")
    add(ALU, "mcrf 7,0")
    add(ALU, "mfcr 5")
    add(ALU, "mfocrf 5,0x20")
    add(ALU, "mtcrf 0x81,6")
    add(ALU, "mtcrf 0xff,6")
    add(ALU, "mtocrf 0x10,6")
    add(ALU, "mcrxrx 3")
    add(ALU, "setb 5,0")
    add(ALU, "setb 5,5")
    add(ALU, "mtxer 6")
    add(ALU, "mfxer 5")
    add(ALU, "mtctr 6")
    add(ALU, "mfctr 5")
    add(ALU, "nop")
    add(ALU, "sync")
    add(ALU, "lwsync")
    add(ALU, "eieio")
    add(ALU, "isync")

    add(BRANCH, "b 3f")
    add(BRANCH, "bl 3f")
    for bo in [0, 2, 4, 8, 10, 12, 14, 15, 16, 18, 20, 25]:
        bi = rnd.randrange(32)
        add(BRANCH, f"bc {bo},{bi},3f")
        add(BRANCH, f"bclr {bo},{bi}")
    for bo, bi in [(16, 0), (12, 2), (4, 30)]:
        add(BRANCH, f"bcl {bo},{bi},3f")
        add(BRANCH, f"bclrl {bo},{bi}")
    for bo in [4, 12, 20, 14]:
        bi = rnd.randrange(32)
        add(BRCTR, f"bcctr {bo},{bi}")
        add(BRCTR, f"bcctrl {bo},{bi}")

    for op, disps in [("lbz", [0, 1, -8, 13]), ("lhz", [0, 1, -6]), ("lha", [0, 3, -2]),
                      ("lwz", [0, 2, -4]), ("lwa", [0, 4, -8]), ("ld", [0, 8, -8])]:
        for dsp in disps:
            add(MEM, f"{op} 5,{dsp}(6)")
        if op != "lwa":
            add(MEM, f"{op}u 5,{disps[-1]}(6)")
        add(MEM, f"{op}x 5,6,7")
        add(MEM, f"{op}ux 5,6,7")
    add(MEM, "lwa 5,4(0)".replace("(0)", "(6)"))
    for op, disps in [("stb", [0, 5, -8]), ("sth", [0, 3]), ("stw", [0, 2, -4]), ("std", [0, 8, -8])]:
        for dsp in disps:
            add(MEM, f"{op} 5,{dsp}(6)")
        add(MEM, f"{op}u 5,{disps[-1]}(6)")
        add(MEM, f"{op}x 5,6,7")
        add(MEM, f"{op}ux 5,6,7")
    for op in ["lhbrx", "lwbrx", "ldbrx", "sthbrx", "stwbrx", "stdbrx"]:
        add(MEM, f"{op} 5,6,7")
    add(MEM, "lbzx 5,0,6")

    for to in [0, 1, 2, 4, 6, 8, 16, 24, 31, 5]:
        add(TRAP, f"tw {to},6,7")
        add(TRAP, f"td {to},6,7")
    for to, imm in [(4, 0), (16, 1), (8, -1), (1, 0x7fff), (2, -0x8000), (31, 0), (12, 5)]:
        add(TRAP, f"twi {to},6,{imm}")
        add(TRAP, f"tdi {to},6,{imm}")
    return out


PROLOGUE = r"""
    .machine power9
    .abiversion ABIVER
    .section .rodata
"""


def write_asm(path, entries):
    lines = []
    lines.append("#if _CALL_ELF == 2")
    lines.append("    .abiversion 2")
    lines.append("#endif")
    lines.append("    .machine power9")
    lines.append("    .text")
    # run_case(code, in, out, buf): calls the snippet with r3=out, r4=in, r11=buffer base.
    lines.append("    .globl run_case")
    lines.append("#if _CALL_ELF == 2")
    lines.append("    .type run_case,@function")
    lines.append("run_case:")
    lines.append("#else")
    lines.append("    .section .opd,\"aw\"")
    lines.append("    .align 3")
    lines.append("run_case:")
    lines.append("    .quad .L.run_case,.TOC.@tocbase,0")
    lines.append("    .previous")
    lines.append(".L.run_case:")
    lines.append("#endif")
    lines.append("""    mflr 0
    std 0,16(1)
    mfcr 0
    stw 0,8(1)
    stdu 1,-256(1)
    std 2,40(1)
    mtctr 3
    mr 3,5
    mr 11,6
    bctrl
    ld 2,40(1)
    addi 1,1,256
    ld 0,16(1)
    mtlr 0
    lwz 0,8(1)
    mtcrf 0xff,0
    blr""")
    for i, (kind, text) in enumerate(entries):
        lines.append(f"    .p2align 4")
        lines.append(f"case_{i}:")
        lines.append("    mflr 0")
        lines.append("    std 0,128(1)")
        lines.append("    bl 1f")
        lines.append("1:  mflr 9")
        lines.append(f"    addi 9,9,insn_{i}-1b")
        lines.append("    ld 5,0(4)")
        lines.append("    ld 6,8(4)")
        lines.append("    ld 7,16(4)")
        lines.append("    ld 8,24(4)")
        lines.append("    mtcrf 0xff,8")
        lines.append("    ld 8,32(4)")
        lines.append("    mtxer 8")
        lines.append("    ld 8,40(4)")
        lines.append("    add 8,8,9")
        lines.append("    mtlr 8")
        lines.append("    ld 8,48(4)")
        if kind == BRCTR:
            lines.append("    add 8,8,9")
        lines.append("    mtctr 8")
        if kind == MEM:
            lines.append("    add 6,6,11")
        lines.append("    li 10,0")
        lines.append(f"insn_{i}:")
        lines.append(f"    {text}")
        if kind in (BRANCH, BRCTR):
            lines.append("    b 2f")
            lines.append("3:  li 10,1")
            lines.append("2:")
        lines.append("    std 5,0(3)")
        if kind == MEM:
            lines.append("    subf 6,11,6")
        lines.append("    std 6,8(3)")
        lines.append("    std 7,16(3)")
        lines.append("    mfcr 8")
        lines.append("    std 8,24(3)")
        lines.append("    mfxer 8")
        lines.append("    std 8,32(3)")
        lines.append("    mflr 8")
        lines.append("    subf 8,9,8")
        lines.append("    std 8,40(3)")
        lines.append("    mfctr 8")
        if kind == BRCTR:
            lines.append("    subf 8,9,8")
        lines.append("    std 8,48(3)")
        lines.append("    std 10,56(3)")
        lines.append("    ld 0,128(1)")
        lines.append("    mtlr 0")
        lines.append("    blr")
    lines.append("    .section .rodata")
    for i, (kind, text) in enumerate(entries):
        name = text.replace(" ", ":")
        lines.append(f"name_{i}: .asciz \"{name}\"")
    lines.append("    .data")
    lines.append("    .p2align 3")
    lines.append("    .globl case_table")
    lines.append("case_table:")
    for i, (kind, text) in enumerate(entries):
        lines.append(f"    .quad case_{i}, insn_{i}, {kind}, name_{i}")
    lines.append("    .globl case_count")
    lines.append("case_count:")
    lines.append(f"    .quad {len(entries)}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def build_and_run(gcc, qemu, entries, workdir, tag):
    asm = os.path.join(workdir, f"cases-{tag}.S")
    exe = os.path.join(workdir, f"oracle-{tag}")
    write_asm(asm, entries)
    subprocess.run([gcc, "-O1", "-static", "-mcpu=power9", "-o", exe, os.path.join(HERE, "driver.c"), asm],
                   check=True)
    return subprocess.run([qemu, "-cpu", "power9", exe], check=True, capture_output=True, text=True).stdout


def main():
    out_dir = os.path.join(HERE, "..", "resources", "ppc")
    if len(sys.argv) == 3 and sys.argv[1] == "--out":
        out_dir = sys.argv[2]
    entries = cases()
    be_entries = [e for e in entries if e[0] == MEM] + [e for e in entries if e[0] == ALU][:16]
    with tempfile.TemporaryDirectory() as work:
        le = build_and_run("powerpc64le-linux-gnu-gcc", "qemu-ppc64le", entries, work, "le")
        be = build_and_run("powerpc64-linux-gnu-gcc", "qemu-ppc64", be_entries, work, "be")
    for tag, text in (("le", le), ("be", be)):
        path = os.path.join(out_dir, f"vectors-{tag}.txt.gz")
        with gzip.GzipFile(path, "wb", mtime=0) as f:
            f.write(text.encode())
        print(f"{path}: {text.count(chr(10))} cases")


if __name__ == "__main__":
    main()
