package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.hw.vtd.VtdBackend;
import org.jvmm.hw.vtd.VtdIommu;
import org.jvmm.hw.vtd.VtdIommufdBackend;
import org.jvmm.hw.vtd.VtdPasidApi;
import org.jvmm.hw.vtd.VtdRegs;
import org.jvmm.hw.vtd.VtdSeedBackend;
import org.jvmm.iommufd.NestedHwpt;
import org.jvmm.machine.config.HostDeviceConfig;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.VfioPciConfig;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.vfio.SeedVsvm;
import org.jvmm.vfio.Vfio;

/**
 * The five PASID guests of issue 15 (reference C.6) on KVM with the virtual VT-d, each in both
 * designs: {@code pasid-api=iommufd} ({@code -host-device edu-pasid,host=0000:00:03.0 -object
 * iommufd,id=iommufd0 -device vfio-pci,host=0000:00:03.0,addr=3,iommufd=iommufd0 -device
 * intel-iommu,pasid-api=iommufd}) and {@code pasid-api=seed} (the device on the VFIO container,
 * {@code -device intel-iommu,pasid-api=seed}), the register block's address in the boot argument. Each prints what it saw and PASS; the VMM's
 * counters say what the IOMMUs did. Without /dev/kvm the same behaviour is covered by vmm-core's
 * VtdNestingOverIommufd and the Vtd* unit tests.
 */
class PasidGuestsOnTheVirtualVtd {
    private static final String HEADER = ": VT-d 3.0 at 0xfed90000, ecap 0x899820002006: scalable yes, first-stage yes, PASID 20 bits,"
            + " page requests yes\n";

    record Run(String console, X86ToyMachine.RunResult result, VtdIommu vtd, VtdBackend backend, EduDevice edu, long hostWalks,
            java.util.Set<Integer> boundAtEnd, long passdowns, long stage2Lookups, long seedUnbinds, long seedLeaked) {
        VtdIommufdBackend nested() {
            return (VtdIommufdBackend) backend;
        }

        boolean iommufd() {
            return backend instanceof VtdIommufdBackend;
        }
    }

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    private static Run run(String guest, VtdPasidApi api) throws Exception {
        return run(guest, api, SeedVsvm.VFIO_SVM_PASID_RELEASE_CLEAN);
    }

    private static Run run(String guest, VtdPasidApi api, int seedRelease) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        X86ToyBuilder b = new X86ToyBuilder(MemoryConfig.of(64L << 20)).memlock(1L << 30).console(console)
                .hostDevice(HostDeviceConfig.eduPasid(EduMachine.EDU)).intelIommu(api, seedRelease);
        if (api == VtdPasidApi.IOMMUFD) {
            b.iommufd("iommufd0").vfioPci(VfioPciConfig.of(EduMachine.EDU, 3), "iommufd0");
        } else {
            b.vfioPci(VfioPciConfig.of(EduMachine.EDU, 3));
        }
        X86ToyBuilder.X86Host host = b.buildHost(new HostMemoryRegistry());
        EduDevice edu = (EduDevice) host.platform().function("test", EduMachine.EDU).model();
        try (X86ToyMachine m = b.build(host)) {
            m.boot(GuestImages.x86(guest), VtdRegs.BASE);
            X86ToyMachine.RunResult r = m.run(Duration.ofSeconds(30), null);
            VtdBackend backend = m.vtd().backend(3 << 3);
            int h = backend instanceof VtdIommufdBackend n ? n.hwpt(5) : 0;
            NestedHwpt n = h == 0 ? null : (NestedHwpt) m.iommufds().get("iommufd0").iommufd().hwpt(h);
            long walks = n == null ? -1 : n.walks();
            long lookups = n == null ? -1 : n.stage2Lookups();
            long passdowns = backend instanceof VtdSeedBackend sb ? sb.passdowns() : -1;
            return new Run(console.toString(StandardCharsets.US_ASCII), r, m.vtd(), backend, edu, walks, backend.bound(), passdowns, lookups,
                    Vfio.of(host.platform()).seedVsvm().unbinds(), Vfio.of(host.platform()).seedVsvm().leaked());
        }
    }

    @ParameterizedTest(name = "pasid-api={0}")
    @EnumSource(VtdPasidApi.class)
    @DisplayName("pasid-dma: edu copies GVA page 0 to GVA page 1 with PASID 5 through a nested HWPT; one stage-1 walk per page in the host")
    void pasidDma(VtdPasidApi api) throws Exception {
        Run r = run("pasid-dma", api);
        assertEquals("pasid-dma" + HEADER
                + "pasid-dma: PASID 5, GVA 0x7f1234500000 -> GVA 0x7f1234501000, 8192 bytes moved, 0 bytes differ, 0 faults\n"
                + "pasid-dma: PASS\n", r.console());
        assertTrue(r.result().exitedWith(1), r.result().toString());
        assertEquals(8192, r.edu().dmaBytesMoved());
        if (r.iommufd()) {
            assertEquals(1, r.nested().binds());
            assertEquals(2, r.hostWalks(), "the host walked the guest's stage-1 tables once per page");
            assertEquals(10, r.stage2Lookups(), "4 table entries per walk and the 2 output pages, each through stage 2");
        } else {
            assertEquals(2, r.passdowns(), "BIND_PASIDTP, then the PASID_CACHE invalidation of PASID 5");
        }
        assertEquals(List.of(), r.vtd().backendErrors());
        assertEquals(0, r.vtd().faultsRecorded());
    }

    @ParameterizedTest(name = "pasid-api={0}")
    @EnumSource(VtdPasidApi.class)
    @DisplayName("pasid-stale: a PTE changed without invalidation leaves the old page in use; a page-selective PASID-IOTLB invalidation and a wait, forwarded as HWPT_INVALIDATE, bring the new one")
    void pasidStale(VtdPasidApi api) throws Exception {
        Run r = run("pasid-stale", api);
        assertEquals("pasid-stale" + HEADER
                + "pasid-stale: PTE changed without invalidation: the DMA wrote the old page\n"
                + "pasid-stale: after PASID-IOTLB invalidation and wait: the DMA wrote the new page\n"
                + "pasid-stale: PASS\n", r.console());
        assertTrue(r.result().exitedWith(1), r.result().toString());
        if (r.iommufd()) {
            assertEquals(1, r.nested().invalidations(), "one HWPT_INVALIDATE");
            assertEquals(3, r.hostWalks(), "GVA page 0, GVA page 1, and page 1 again after the invalidation");
        } else {
            assertEquals(3, r.passdowns(), "BIND_PASIDTP, PASID_CACHE, then the page's EXTENDED_IOTLB invalidation");
        }
        assertEquals(1, r.vtd().descriptors(org.jvmm.hw.vtd.VtdRegs.DESC_PIOTLB));
    }

    @ParameterizedTest(name = "pasid-api={0}")
    @EnumSource(VtdPasidApi.class)
    @DisplayName("pasid-faults: 0x80, 0x71, 0x81, 0x85 recorded with source 00:03.0 and PASID 5, one interrupt each; with FPD set nothing is recorded or signalled")
    void pasidFaults(VtdPasidApi api) throws Exception {
        Run r = run("pasid-faults", api);
        assertEquals("pasid-faults" + HEADER
                + "pasid-faults: non-canonical: reason 0x80, source 18, PASID 5, address 0x800000000000, write\n"
                + "pasid-faults: not present: reason 0x71, source 18, PASID 5, address 0x7f1234501000, write\n"
                + "pasid-faults: user bit clear: reason 0x81, source 18, PASID 5, address 0x7f1234502000, write\n"
                + "pasid-faults: write to read-only: reason 0x85, source 18, PASID 5, address 0x7f1234503000, write\n"
                + "pasid-faults: with fault processing disabled: 0 interrupts, FSTS 0x0\n"
                + "pasid-faults: PASS\n", r.console());
        assertTrue(r.result().exitedWith(1), r.result().toString());
        assertEquals(List.of(0x80, 0x71, 0x81, 0x85), r.vtd().faultLog().stream().map(VtdIommu.Fault::reason).toList());
        assertEquals(4, r.vtd().faultsSuppressed());
        if (r.iommufd()) {
            assertEquals(2, r.nested().binds(), "the FPD change replaced the nested HWPT");
        }
        assertEquals(8, r.edu().pasidDmaFailures());
        assertEquals(0, r.edu().dmaBytesMoved());
    }

    @ParameterizedTest(name = "pasid-api={0}")
    @EnumSource(VtdPasidApi.class)
    @DisplayName("pasid-pri: the edu's page request reaches the guest's queue; answered success the device retries and completes, answered invalid it gives up")
    void pasidPri(VtdPasidApi api) throws Exception {
        Run r = run("pasid-pri", api);
        assertEquals("pasid-pri" + HEADER
                + "pasid-pri: page request for 0x7f1234501000 answered success: 0 bytes differ after the retry\n"
                + "pasid-pri: page request for 0x7f1234502000 answered invalid: the device wrote nothing\n"
                + "pasid-pri: PASS\n", r.console());
        assertTrue(r.result().exitedWith(1), r.result().toString());
        assertEquals(2, r.vtd().pageRequests());
        assertEquals(2, r.vtd().pageResponses());
        assertEquals(2, r.edu().pageRequests());
        assertEquals(1, r.edu().pasidDmaFailures());
        assertEquals(1024, r.edu().dmaBytesMoved());
        assertEquals(0, r.vtd().faultsRecorded());
    }

    @ParameterizedTest(name = "pasid-api={0}")
    @EnumSource(VtdPasidApi.class)
    @DisplayName("pasid-teardown: clearing PASID 5's entry and invalidating the PASID cache detaches it; the next DMA with PASID 5 is blocked")
    void pasidTeardown(VtdPasidApi api) throws Exception {
        Run r = run("pasid-teardown", api);
        assertEquals("pasid-teardown" + HEADER
                + "pasid-teardown: PASID 5 bound: DMA moved the bytes\n"
                + "pasid-teardown: PASID 5 torn down: DMA blocked\n"
                + "pasid-teardown: PASS\n", r.console());
        assertTrue(r.result().exitedWith(1), r.result().toString());
        assertEquals(java.util.Set.of(), r.boundAtEnd(), "PASID 5 is no longer bound");
        if (!r.iommufd()) {
            assertEquals(4, r.passdowns(), "BIND_PASIDTP, PASID_CACHE, then PASID_CACHE and the unbind with RELEASE_CLEAN");
        }
        assertEquals(256, r.edu().dmaBytesMoved());
        assertEquals(1, r.edu().pasidDmaFailures());
    }

    @ParameterizedTest(name = "release flags {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {SeedVsvm.VFIO_SVM_PASID_RELEASE_CLEAN, SeedVsvm.VFIO_SVM_PASID_RELEASE_FLUSHED, 0})
    @DisplayName("pasid-teardown in seed mode with each release flag (-device intel-iommu,pasid-api=seed,release=clean|flushed|none): the table is unbound once, DMA is blocked; with neither flag the PASIDs leak")
    void seedTeardownWithEachReleaseFlag(int release) throws Exception {
        Run r = run("pasid-teardown", VtdPasidApi.SEED, release);
        assertTrue(r.console().endsWith("pasid-teardown: PASID 5 torn down: DMA blocked\npasid-teardown: PASS\n"), r.console());
        assertEquals(1, r.seedUnbinds());
        assertEquals(release == 0 ? 1 : 0, r.seedLeaked());
        assertEquals(1, r.edu().pasidDmaFailures());
    }
}
