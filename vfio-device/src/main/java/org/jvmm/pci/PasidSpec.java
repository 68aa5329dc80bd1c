package org.jvmm.pci;

/**
 * The PCIe extended capabilities a PASID-capable function advertises (PCIe Base spec: ATS 0x000F,
 * PASID 0x001B, PRI 0x0013): the PASID width in bits (1 to 20), whether it can ask for execute
 * and privileged accesses, whether it has ATS and PRI, and its outstanding page request capacity.
 * The platform places them at config offsets {@link #ATS_OFFSET}, {@link #PASID_OFFSET} and
 * {@link #PRI_OFFSET}.
 */
public record PasidSpec(int widthBits, boolean exec, boolean priv, boolean ats, boolean pri, int prCapacity) {
    public static final int EXT_CAP_ID_ATS = 0x000F;
    public static final int EXT_CAP_ID_PASID = 0x001B;
    public static final int EXT_CAP_ID_PRI = 0x0013;
    public static final int ATS_OFFSET = 0x100;
    public static final int PASID_OFFSET = 0x110;
    public static final int PRI_OFFSET = 0x120;
    /** PASID Control: PASID Enable, Execute Permission Enable, Privileged Mode Enable. */
    public static final int PASID_CTRL_ENABLE = 1;
    /** PRI Control: Enable. */
    public static final int PRI_CTRL_ENABLE = 1;
    /** ATS Control: Enable (bit 15). */
    public static final int ATS_CTRL_ENABLE = 1 << 15;

    public PasidSpec {
        if (widthBits < 1 || widthBits > 20) {
            throw new IllegalArgumentException("PASID width " + widthBits + " is not 1 to 20 bits");
        }
    }
}
