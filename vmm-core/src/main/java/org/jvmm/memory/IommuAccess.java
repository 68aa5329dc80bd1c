package org.jvmm.memory;

/** The direction of an access that an IOMMU translates. */
public enum IommuAccess {
    READ, WRITE
}
