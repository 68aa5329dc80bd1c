package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.address.GuestAddress;
import org.jvmm.dispatch.ExitHandlingFailure;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.MmioOps;
import org.jvmm.memory.MmioRegion;

/**
 * The last-resort guard on pseries: a device model that throws while the VMM handles a guest load
 * (a VMM bug) is reported as an {@link ExitHandlingFailure} naming the access and the region, and
 * the machine stops: the vCPU does not run again, each later attempt names the first failure.
 */
@DisplayName("pseries: an exception from MMIO dispatch stops the machine with a message naming the exit and the device")
class PseriesStopsAfterAnInternalError {

    @Test
    void aThrowingDeviceStopsTheVcpuAndEveryLaterRunSaysWhy() {
        PowerHost host = PowerHost.create();
        try (PseriesMachine m = PseriesMachine.create(host.platform(), 16L << 20, false)) {
            ((ContainerRegion) m.systemMemory().root()).addSubregion(0x1000_0000_0000L, new MmioRegion("broken-dev", 0x1000,
                    new MmioOps() {
                        @Override
                        public long read(long offset, int size) {
                            throw new ArithmeticException("long overflow");
                        }

                        @Override
                        public void write(long offset, int size, long value) {
                        }
                    }));
            CompletableFuture<Long> load = m.cpu().load(new GuestAddress(0x1000_0000_0010L), 4);
            ExitHandlingFailure e = assertThrows(ExitHandlingFailure.class, m::runUntilIdle);
            assertEquals("internal error in the VMM while handling an MMIO read of 4 bytes at "
                    + new GuestAddress(0x1000_0000_0010L) + " (region broken-dev): java.lang.ArithmeticException: long overflow",
                    e.getMessage());
            assertTrue(!load.isDone(), "the load was never answered");
            IllegalStateException again = assertThrows(IllegalStateException.class, m::runUntilIdle);
            assertEquals("pseries machine stopped after an internal error: " + e.getMessage(), again.getMessage());
        }
    }
}
