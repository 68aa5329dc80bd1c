package org.jvmm.hw.pci;

import org.jvmm.memory.AccessRules;
import org.jvmm.memory.Endianness;
import org.jvmm.memory.MmioOps;

/**
 * The PC's configuration mechanism #1: a 32-bit address register at port 0xCF8 (enable bit 31,
 * bus 23:16, device 15:11, function 10:8, register 7:2) and a data window at 0xCFC-0xCFF. Only
 * bus 0 exists; any other bus, or a disabled address, reads all-ones. As in QEMU's
 * pci_host_config_read/write, only 4-byte accesses reach the address register.
 */
public final class PciHostBridge {
    public static final int CONFIG_ADDRESS_PORT = 0xcf8;
    public static final int CONFIG_DATA_PORT = 0xcfc;

    private final PciBus bus;
    private volatile int configAddress;

    public PciHostBridge(PciBus bus) {
        this.bus = bus;
    }

    public PciBus bus() {
        return bus;
    }

    /** The register at 0xCF8 (4 bytes). */
    public MmioOps addressPort() {
        return new MmioOps() {
            @Override
            public AccessRules rules() {
                return new AccessRules(1, 4, false, 1, 4, Endianness.LITTLE);
            }

            @Override
            public long read(long offset, int size) {
                return offset == 0 && size == 4 ? configAddress & 0xffff_ffffL : (1L << (8 * size)) - 1;
            }

            @Override
            public void write(long offset, int size, long value) {
                if (offset == 0 && size == 4) {
                    configAddress = (int) value;
                }
            }
        };
    }

    /** The window at 0xCFC (4 bytes; 1-, 2- and 4-byte accesses at their offsets). */
    public MmioOps dataPort() {
        return new MmioOps() {
            @Override
            public AccessRules rules() {
                return new AccessRules(1, 4, false, 1, 4, Endianness.LITTLE);
            }

            @Override
            public long read(long offset, int size) {
                int a = configAddress;
                if (!targetsBusZero(a)) {
                    return (1L << (8 * size)) - 1;
                }
                return bus.configRead(devfn(a), register(a, offset), size) & ((1L << (8 * size)) - 1);
            }

            @Override
            public void write(long offset, int size, long value) {
                int a = configAddress;
                if (targetsBusZero(a)) {
                    bus.configWrite(devfn(a), register(a, offset), size, (int) value);
                }
            }
        };
    }

    private static boolean targetsBusZero(int address) {
        return (address & 0x8000_0000) != 0 && ((address >>> 16) & 0xff) == 0;
    }

    private static int devfn(int address) {
        return (address >>> 8) & 0xff;
    }

    private static int register(int address, long offset) {
        return (address & 0xfc) | (int) offset;
    }
}
