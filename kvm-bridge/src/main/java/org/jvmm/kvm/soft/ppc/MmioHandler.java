package org.jvmm.kvm.soft.ppc;

/**
 * The CPU's bus beyond guest RAM. The CPU reads and writes RAM itself (the segment it was given for
 * guest-physical [0, ramSize)); every other access comes here, on the vCPU thread, before the
 * instruction has changed any register. Answering {@link MmioReply#EXIT} ends the run with
 * {@link PpcExit.Mmio}: a store is then complete from the guest's point of view (the VMM performs
 * it), a load is finished when the VMM calls {@link PpcCpu#completeMmioLoad(long)} and runs again.
 */
public interface MmioHandler {

    MmioReply load(MmioAccess access);

    MmioReply store(MmioAccess access);

    /** Sends every access out to the VMM, as KVM does. */
    MmioHandler EXIT_ALWAYS = new MmioHandler() {
        @Override
        public MmioReply load(MmioAccess access) {
            return MmioReply.EXIT;
        }

        @Override
        public MmioReply store(MmioAccess access) {
            return MmioReply.EXIT;
        }
    };
}
