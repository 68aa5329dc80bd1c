package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jvmm.host.kernel.PowerHost;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.pci.host.spapr.PartitionableEndpoint;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("pseries machine: closing gives back every fd, host mapping, locked page and PE, and closing twice throws")
class PseriesMachineLeavesNothingOpen {

    @Test
    void closeReleasesEverythingTheMachineMadeOnBothPaths() {
        for (boolean kvmTce : new boolean[] {true, false}) {
            PowerHost host = PowerHost.create();
            var fds = ProcessFds.snapshot();
            PseriesMachine m = PseriesMachine.create(host.platform(), 32L << 20, kvmTce);
            m.addVfioPci(PowerHost.EDU, 1);
            var group = host.platform().function("test", PowerHost.EDU).iommuGroup();
            var pe = host.phb().pe(group);
            m.close();
            assertThrows(IllegalStateException.class, m::close);
            assertEquals(java.util.Map.of(), ProcessFds.openedSince(fds), "fds (memfds of RAM) given back");
            assertEquals(0, host.memory().mappingCount(), "guest RAM unmapped");
            assertEquals(0, host.platform().memlock().lockedBytes(), "pre-registered RAM and TCE tables uncharged");
            assertEquals(0, host.phb().preregistered().regionCount());
            assertSame(PartitionableEndpoint.PLATFORM, pe.owner(), "the PE went back to the platform");
            assertNull(group.dmaDomain());
            assertEquals(0, m.vm().files().openCount(), "no soft fd left (groups, TCE tables)");
        }
    }
}
