package org.jvmm.papr;

/**
 * One hypercall's handler: reads its arguments (r4 on) and returns the PAPR status for r3,
 * writing return values (r4 on) into {@code rets}. Never throws for anything the guest passed.
 */
@FunctionalInterface
public interface Hypercall {
    long call(long[] args, long[] rets);
}
