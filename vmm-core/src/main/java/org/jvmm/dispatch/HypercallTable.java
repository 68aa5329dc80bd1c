package org.jvmm.dispatch;

import org.jvmm.kvm.VcpuExit;

/**
 * Where a PAPR_HCALL exit goes: the machine's one hypercall dispatch table (the pseries machine's
 * is {@code org.jvmm.papr.PaprHypercalls}). It answers in the exit's data (status and return
 * values); whatever the guest passed, it never throws.
 */
@FunctionalInterface
public interface HypercallTable {
    void dispatch(VcpuExit.PaprHcall call);
}
