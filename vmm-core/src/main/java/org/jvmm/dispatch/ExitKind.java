package org.jvmm.dispatch;

import org.jvmm.kvm.VcpuExit;

/** The kinds exits are counted by. */
public enum ExitKind {
    IO, MMIO, PAPR_HCALL, HALT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, SYSTEM_EVENT, INTERRUPTED, OTHER;

    public static ExitKind of(VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.Io io -> IO;
            case VcpuExit.Mmio m -> MMIO;
            case VcpuExit.PaprHcall h -> PAPR_HCALL;
            case VcpuExit.Halt h -> HALT;
            case VcpuExit.Shutdown s -> SHUTDOWN;
            case VcpuExit.FailEntry f -> FAIL_ENTRY;
            case VcpuExit.InternalError e -> INTERNAL_ERROR;
            case VcpuExit.SystemEvent e -> SYSTEM_EVENT;
            case VcpuExit.Interrupted i -> INTERRUPTED;
            case VcpuExit.Other o -> OTHER;
        };
    }
}
