package org.jvmm.hw.pci;

/** A function's place on its bus: device 0-31, function 0-7 (QEMU's devfn). */
public record PciDevfn(int device, int function) {

    public PciDevfn {
        if (device < 0 || device > 31 || function < 0 || function > 7) {
            throw new IllegalArgumentException("pci devfn: device " + device + " function " + function
                    + " outside 0-31 / 0-7");
        }
    }

    public int value() {
        return device << 3 | function;
    }

    @Override
    public String toString() {
        return String.format("%02x.%x", device, function);
    }
}
