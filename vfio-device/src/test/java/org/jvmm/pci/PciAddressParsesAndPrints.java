package org.jvmm.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PciAddressParsesAndPrints {
    @Test
    void parsesTheSysfsFormAndPrintsItBack() {
        PciAddress a = PciAddress.parse("0000:06:0d.1");
        assertEquals(new PciAddress(0, 6, 0x0d, 1), a);
        assertEquals("0000:06:0d.1", a.toString());
        assertEquals(0x0669, a.requesterId());
        assertEquals("001f:ff:1f.7", PciAddress.parse("001f:ff:1f.7").toString());
    }

    @Test
    void parsesTheShortLspciForm() {
        assertEquals(new PciAddress(0, 0, 0x1e, 0), PciAddress.parse("00:1e.0"));
    }

    @Test
    void rejectsMalformedAndOutOfRangeAddressesNamingTheText() {
        for (String bad : new String[] {"0000:06:0d", "0:06:0d.0", "0000:06:20.0", "0000:06:0d.8", "zz:00.0", "0000:06:0d.0.1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PciAddress.parse(bad));
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
    }

    @Test
    void printsEveryFieldAtItsLimits() {
        assertEquals("ffff:ff:1f.7", new PciAddress(0xffff, 0xff, 0x1f, 7).toString());
        assertEquals("0000:00:00.0", new PciAddress(0, 0, 0, 0).toString());
        assertEquals("a0b1:c2:0e.3", new PciAddress(0xa0b1, 0xc2, 0x0e, 3).toString());
    }

    @Test
    void equalAddressesAreThoseWithEveryFieldEqual() {
        PciAddress a = new PciAddress(0x12, 0x34, 0x15, 6);
        assertEquals(a, new PciAddress(0x12, 0x34, 0x15, 6));
        assertEquals(a.hashCode(), new PciAddress(0x12, 0x34, 0x15, 6).hashCode());
        for (PciAddress other : new PciAddress[] {new PciAddress(0x13, 0x34, 0x15, 6), new PciAddress(0x12, 0x35, 0x15, 6),
            new PciAddress(0x12, 0x34, 0x16, 6), new PciAddress(0x12, 0x34, 0x15, 7)}) {
            assertTrue(!a.equals(other) && a.hashCode() != other.hashCode(), other.toString());
        }
        assertTrue(!a.equals("0012:34:15.6"));
        assertTrue(!a.equals(null));
    }

    @Test
    void ordersByDomainBusDeviceFunction() {
        assertTrue(PciAddress.parse("0000:00:1e.0").compareTo(PciAddress.parse("0000:06:0d.0")) < 0);
        assertTrue(PciAddress.parse("0000:06:0d.1").compareTo(PciAddress.parse("0000:06:0d.0")) > 0);
        assertTrue(PciAddress.parse("0001:00:00.0").compareTo(PciAddress.parse("0000:ff:1f.7")) > 0);
    }
}
