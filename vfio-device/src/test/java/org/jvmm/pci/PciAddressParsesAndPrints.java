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
    void ordersByDomainBusDeviceFunction() {
        assertTrue(PciAddress.parse("0000:00:1e.0").compareTo(PciAddress.parse("0000:06:0d.0")) < 0);
        assertTrue(PciAddress.parse("0000:06:0d.1").compareTo(PciAddress.parse("0000:06:0d.0")) > 0);
        assertTrue(PciAddress.parse("0001:00:00.0").compareTo(PciAddress.parse("0000:ff:1f.7")) > 0);
    }
}
