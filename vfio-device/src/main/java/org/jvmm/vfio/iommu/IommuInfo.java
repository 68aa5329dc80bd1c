package org.jvmm.vfio.iommu;

/** What VFIO_IOMMU_GET_INFO returns; each backend has its own structure. */
public sealed interface IommuInfo permits Type1Info, SpaprTceInfo {
    /** The argsz after the call: raised to the size needed when the capabilities did not fit. */
    int argsz();

    /** The structure as the kernel copies it to user memory (little-endian), {@code min(argsz given, needed)} bytes. */
    byte[] encode();
}
