package org.jvmm.pci;

/**
 * A PCI function's address, {@code dddd:bb:dd.f}: domain (segment, 16 bits), bus (8 bits), device
 * (slot, 5 bits) and function (3 bits), as sysfs names it ({@code /sys/bus/pci/devices/0000:06:0d.0}).
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    public PciAddress {
        if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || device < 0 || device > 0x1f
                || function < 0 || function > 7) {
            throw new IllegalArgumentException(String.format(
                    "PCI address out of range: domain=0x%x bus=0x%x device=0x%x function=%d "
                            + "(limits 0xffff, 0xff, 0x1f, 7)", domain, bus, device, function));
        }
    }

    public static PciAddress of(int domain, int bus, int device, int function) {
        return new PciAddress(domain, bus, device, function);
    }

    /**
     * Parses {@code dddd:bb:dd.f} (hex domain, bus and device, decimal function), or the short
     * form {@code bb:dd.f} with domain 0, as lspci prints it.
     *
     * @throws IllegalArgumentException naming the text when it is not such an address
     */
    public static PciAddress parse(String text) {
        String s = text.trim();
        try {
            String[] parts = s.split(":");
            int domain;
            String bus;
            String devFn;
            if (parts.length == 3) {
                if (parts[0].length() != 4) {
                    throw new IllegalArgumentException("domain must be 4 hex digits");
                }
                domain = Integer.parseInt(parts[0], 16);
                bus = parts[1];
                devFn = parts[2];
            } else if (parts.length == 2) {
                domain = 0;
                bus = parts[0];
                devFn = parts[1];
            } else {
                throw new IllegalArgumentException("expected dddd:bb:dd.f");
            }
            int dot = devFn.indexOf('.');
            if (bus.length() != 2 || dot != 2 || devFn.length() != 4) {
                throw new IllegalArgumentException("expected dddd:bb:dd.f");
            }
            return new PciAddress(domain, Integer.parseInt(bus, 16), Integer.parseInt(devFn.substring(0, 2), 16),
                    Integer.parseInt(devFn.substring(3), 10));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PCI address: \"" + text + "\" (" + e.getMessage() + ")", e);
        }
    }

    /** The 16-bit requester ID (bus << 8 | devfn) a function puts on its DMA transactions. */
    public int requesterId() {
        return bus << 8 | device << 3 | function;
    }

    /** The same slot, another function. */
    public PciAddress withFunction(int fn) {
        return new PciAddress(domain, bus, device, fn);
    }

    @Override
    public int compareTo(PciAddress o) {
        int c = Integer.compare(domain, o.domain);
        return c != 0 ? c : Integer.compare(requesterId(), o.requesterId());
    }

    // equals, hashCode and toString are written out: a record's own are bootstrapped on first use,
    // which costs milliseconds in a JVM that has just started, and machines start often.

    @Override
    public boolean equals(Object o) {
        return o instanceof PciAddress a && a.domain == domain && a.bus == bus && a.device == device
                && a.function == function;
    }

    @Override
    public int hashCode() {
        return domain << 16 | requesterId();
    }

    @Override
    public String toString() {
        char[] c = new char[12];
        hex(c, 0, domain, 4);
        c[4] = ':';
        hex(c, 5, bus, 2);
        c[7] = ':';
        hex(c, 8, device, 2);
        c[10] = '.';
        c[11] = (char) ('0' + function);
        return new String(c);
    }

    private static void hex(char[] c, int at, int value, int digits) {
        for (int i = digits - 1; i >= 0; i--, value >>>= 4) {
            c[at + i] = Character.forDigit(value & 0xf, 16);
        }
    }
}
