package org.jvmm.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jvmm.kvm.elf.Elf64Image;
import org.jvmm.kvm.elf.ElfFormatException;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.machine.pseries.vof.VofBoot;

/**
 * {@code -M pseries -kernel ELF [-append CMDLINE]}: the ELF booted as QEMU 7.2's
 * {@code -M pseries,x-vof=on} boots it, with the Open Firmware client interface served in the VMM
 * ({@link VofBoot}). {@code x-vof=on} is accepted and changes nothing (jvmm has no SLOF, so every
 * -kernel boots this way); -bios cannot be given with it (there is no firmware to replace).
 */
final class VofKernel {
    /** The run's last line when the client called exit. */
    static final String EXIT_LINE = "the guest called exit (Open Firmware client interface)";

    /** Loads and enters the kernel (at first boot and after each system-reboot). */
    interface Booter {
        void boot();

        boolean exited();
    }

    private final Path path;
    private final byte[] file;
    private final Elf64Image elf;

    private VofKernel(Path path, byte[] file, Elf64Image elf) {
        this.path = path;
        this.file = file;
        this.elf = elf;
    }

    /** Reads and checks {@code -kernel path}; {@code bios} is the -bios option, which must be absent. */
    static VofKernel read(Path path, Path bios) {
        String where = "-kernel " + path;
        if (bios != null) {
            throw new UsageException("-bios " + bios + ": not with " + where + " (jvmm serves the Open Firmware client"
                    + " interface itself, as QEMU's x-vof=on, so there is no firmware to give)");
        }
        byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                throw new UsageException(where + ": is a directory, not an ELF file");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new UsageException(where + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UsageException(where + ": permission denied");
        } catch (IOException e) {
            throw new UsageException(where + ": cannot be read (" + e.getMessage() + ")");
        }
        try {
            return new VofKernel(path, bytes, Elf64Image.parse(bytes, Elf64Image.EM_PPC64));
        } catch (ElfFormatException e) {
            throw new UsageException(where + ": " + e.getMessage());
        }
    }

    /** Registers the client interface in {@code m}; checks that the kernel fits in its RAM. */
    Booter booter(PseriesMachine m, String append) {
        try {
            VofBoot.checkFits(elf, m.ram().size());
        } catch (IllegalArgumentException e) {
            throw new UsageException("-kernel " + path + ": " + e.getMessage());
        }
        VofBoot b = new VofBoot(m, file, elf, append == null || append.isEmpty() ? null : append); // QEMU: no empty bootargs
        return new Booter() {
            @Override
            public void boot() {
                b.boot();
            }

            @Override
            public boolean exited() {
                return b.exited();
            }
        };
    }
}
