/**
 * An ELF64 loader for guest kernels and toy guests: {@link org.jvmm.kvm.elf.Elf64Image} parses
 * and validates an executable, {@link org.jvmm.kvm.elf.Elf64Image#load} copies its PT_LOAD
 * segments to their physical addresses in guest RAM and zero-fills the rest of each segment.
 */
package org.jvmm.kvm.elf;
