package org.jvmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.machine.x86.X86ToyLayout;
import org.jvmm.memory.MemoryListener;
import org.jvmm.memory.MemoryRegionSection;
import org.jvmm.memory.RamRegion;
import org.junit.jupiter.api.Test;

/** Closing a machine's memory releases every mapping and file descriptor it took. */
class ClosingMachineMemoryReleasesEveryMappingAndFd {

    @Test
    void closingTheMachineReleasesEveryMappingAndFileDescriptor() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        var fdsBefore = ProcessFds.snapshot();
        List<String> removed = new ArrayList<>();
        MachineMemory mem = new MachineMemory(registry);
        X86ToyLayout layout = X86ToyLayout.build(mem, 8L << 30, new ByteArrayOutputStream(), s -> { });
        mem.allocateRom("bios", 0x10000);
        layout.memory().addListener(new MemoryListener() {
            @Override
            public void regionDel(MemoryRegionSection s) {
                removed.add(s.toString());
            }
        });
        assertEquals(2, registry.mappingCount());
        assertEquals(2, ProcessFds.openedSince(fdsBefore).size(), "one memfd per mapping");

        mem.close();

        assertEquals(0, registry.mappingCount());
        assertEquals(0, registry.mappedBytes());
        assertEquals(java.util.Map.of(), ProcessFds.openedSince(fdsBefore));
        assertEquals(List.of("pc.ram@0x0+0xc0000000", "pc.ram@0x100000000+0x140000000 (region offset 0xc0000000)"),
                removed);
        assertThrows(IllegalStateException.class, mem::close);
    }

    @Test
    void aRegionStillPlacedCannotBeReleased() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (MachineMemory mem = new MachineMemory(registry)) {
            X86ToyLayout layout = X86ToyLayout.build(mem, 64L << 20, new ByteArrayOutputStream(), s -> { });
            RamRegion hotplug = mem.allocateRam("dimm0", 1L << 20);
            org.jvmm.memory.ContainerRegion system = (org.jvmm.memory.ContainerRegion) layout.memory().root();
            system.addSubregion(0x1_0000_0000L, hotplug);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> mem.release(hotplug));
            assertEquals("release dimm0: still placed in system", e.getMessage());
            system.removeSubregion(hotplug);
            mem.release(hotplug);
            assertEquals(1, registry.mappingCount());
        }
    }
}
