package org.jvmm.papr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;
import static org.jvmm.kvm.spapr.Papr.KVMPPC_H_RTAS;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * QEMU 7.2 gives every RTAS call a fixed token (include/hw/ppc/spapr.h: RTAS_TOKEN_BASE 0x2000,
 * power-off 0x2003, ibm,read-pci-config 0x2016 ...), whatever order the calls are registered in.
 */
class RtasUsesQemu72FixedTokens {
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "display-character|0x2000", "get-time-of-day|0x2001", "power-off|0x2003", "system-reboot|0x2004",
        "ibm,set-xive|0x200a", "read-pci-config|0x2014", "write-pci-config|0x2015", "ibm,read-pci-config|0x2016",
        "ibm,write-pci-config|0x2017", "ibm,change-msi|0x2019", "ibm,os-term|0x201f", "ibm,set-eeh-option|0x2020",
        "ibm,configure-pe|0x2024", "ibm,query-pe-dma-window|0x2026", "ibm,reset-pe-dma-window|0x2029",
        "ibm,nmi-interlock|0x202c",
    })
    @DisplayName("each call's token is QEMU 7.2's")
    void tokenIsQemus(String name, String token) {
        assertEquals(Integer.decode(token), RtasTokens.of(name));
    }

    @Test
    @DisplayName("the machine's calls answer at QEMU's tokens whatever their registration order")
    void machineRegistersAtFixedTokens() {
        try (PaprRig r = new PaprRig()) {
            Map<String, Integer> t = r.m.rtas().tokens();
            assertEquals(0x2003, t.get("power-off"));
            assertEquals(0x2016, t.get("ibm,read-pci-config"));
            assertEquals(0x2026, t.get("ibm,query-pe-dma-window"));
            List<Integer> order = List.copyOf(t.values());
            assertEquals(order.stream().sorted().toList(), order, "tokens() lists calls in token order");
        }
    }

    @Test
    @DisplayName("a call QEMU 7.2 does not have is refused at registration, naming it")
    void unknownCallIsRefused() {
        try (PaprRig r = new PaprRig()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> r.m.rtas().register("ibm,frobnicate", a -> { }));
            assertEquals("RTAS call 'ibm,frobnicate' has no token in QEMU 7.2's table (include/hw/ppc/spapr.h)",
                    e.getMessage());
        }
    }

    @Test
    @DisplayName("token 0xa is display-character too (QEMU's answer to Linux's early debug code)")
    void legacyDisplayCharacterToken() {
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        org.jvmm.host.kernel.PowerHost host = org.jvmm.host.kernel.PowerHost.create();
        try (var m = new org.jvmm.machine.pseries.PseriesBuilder(org.jvmm.machine.config.MemoryConfig.of(16L << 20))
                .host(host).withoutEdu().ppcCpu(false).console(new java.io.PrintStream(console, true)).build()) {
            for (int i = 0; i < 5; i++) {
                m.systemMemory().write(new org.jvmm.address.GuestAddress(0x8000 + 4L * i), 4,
                        new long[] {0xa, 1, 1, 'J', 0x5a}[i]);
            }
            long[] args = new long[9];
            args[0] = 0x8000;
            assertEquals(H_SUCCESS, m.hypercalls().call(KVMPPC_H_RTAS, args, new long[9]));
            assertEquals(0, m.systemMemory().read(new org.jvmm.address.GuestAddress(0x8010), 4), "rets[0] RTAS_OUT_SUCCESS");
            assertEquals("J", console.toString());
        }
    }
}
