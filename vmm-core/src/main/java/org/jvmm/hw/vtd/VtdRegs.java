package org.jvmm.hw.vtd;

/**
 * The register offsets, bits, table formats, descriptor fields and fault reasons of the virtual
 * VT-d (the scalable-mode subset), with the values of the VT-d 3.x/4.x specification as QEMU's
 * hw/i386/intel_iommu_internal.h names them. Nothing here is code from there; the numbers are facts.
 */
public final class VtdRegs {
    private VtdRegs() {
    }

    /** Where x86-toy places the register block (QEMU's q35 DMAR address) and its size. */
    public static final long BASE = 0xfed9_0000L;
    public static final long SIZE = 0x1000;

    // ---- register offsets
    public static final int VER = 0x00;
    public static final int CAP = 0x08;
    public static final int ECAP = 0x10;
    public static final int GCMD = 0x18;
    public static final int GSTS = 0x1c;
    public static final int RTADDR = 0x20;
    public static final int CCMD = 0x28;
    public static final int FSTS = 0x34;
    public static final int FECTL = 0x38;
    public static final int FEDATA = 0x3c;
    public static final int FEADDR = 0x40;
    public static final int FEUADDR = 0x44;
    public static final int IQH = 0x80;
    public static final int IQT = 0x88;
    public static final int IQA = 0x90;
    public static final int ICS = 0x9c;
    public static final int IECTL = 0xa0;
    public static final int IEDATA = 0xa4;
    public static final int IEADDR = 0xa8;
    public static final int IQERCD = 0xb0;
    public static final int PQH = 0xc0;
    public static final int PQT = 0xc8;
    public static final int PQA = 0xd0;
    public static final int PRS = 0xdc;
    public static final int PECTL = 0xe0;
    public static final int PEDATA = 0xe4;
    public static final int PEADDR = 0xe8;
    /** The IOTLB registers (ECAP.IRO): IVA, then IOTLB. */
    public static final int IVA = 0x200;
    /** The one fault recording register (CAP.FRO), 16 bytes. */
    public static final int FRCD = 0x220;

    /** VER: architecture version 3.0 (scalable mode). */
    public static final int VERSION = 0x30;

    // ---- CAP: 16-bit domain ids (ND 6), 4-level second stage (SAGAW bit 2), MGAW 47, FRO 0x22,
    // one fault register (NFR 0), page-selective invalidation, MAMV 9, first-stage 1 GiB pages
    public static final long CAP_VALUE = 6L | (0b00100L << 8) | (47L << 16) | ((long) (FRCD >> 4) << 24) | (1L << 39)
            | (9L << 48) | (1L << 56);

    // ---- ECAP bits
    public static final long ECAP_QI = 1L << 1;
    public static final long ECAP_DT = 1L << 2;
    public static final long ECAP_PRS = 1L << 29;
    public static final long ECAP_PASID = 1L << 40;
    public static final long ECAP_SMTS = 1L << 43;
    public static final long ECAP_FSTS = 1L << 47;
    /** PSS: PASID size minus one (20-bit PASIDs). */
    public static final long ECAP_PSS_20 = 19L << 35;
    /** ECAP as offered: QI, DT, IRO 0x20, PRS, PSS 19, PASID, SMTS, FSTS (first-stage only, no second stage). */
    public static final long ECAP_VALUE = ECAP_QI | ECAP_DT | ((long) (IVA >> 4) << 8) | ECAP_PRS | ECAP_PSS_20 | ECAP_PASID
            | ECAP_SMTS | ECAP_FSTS;

    // ---- GCMD / GSTS
    public static final int GCMD_TE = 1 << 31;
    public static final int GCMD_SRTP = 1 << 30;
    public static final int GCMD_QIE = 1 << 26;
    public static final int GSTS_TES = 1 << 31;
    public static final int GSTS_RTPS = 1 << 30;
    public static final int GSTS_QIES = 1 << 26;

    /** RTADDR bit 10: the root table is a scalable-mode one. */
    public static final long RTADDR_SMT = 1L << 10;

    // ---- FSTS / FECTL and friends
    public static final int FSTS_PFO = 1;
    public static final int FSTS_PPF = 1 << 1;
    public static final int FSTS_IQE = 1 << 4;
    public static final int CTL_IM = 1 << 31;
    public static final int CTL_IP = 1 << 30;
    public static final int ICS_IWC = 1;
    public static final int PRS_PPR = 1;
    public static final int PRS_PRO = 1 << 1;

    // ---- fault recording register, high quadword
    public static final long FRCD_F = 1L << 63;
    /** Type: 1 read, 0 write. */
    public static final long FRCD_T = 1L << 62;
    public static final long FRCD_PP = 1L << 31;

    // ---- tables
    public static final long ROOT_P = 1;
    public static final long CTX_P = 1;
    public static final long CTX_FPD = 1L << 1;
    /** Scalable-mode context entry word 0 bit 4: page requests enabled for the device. */
    public static final long CTX_PRE = 1L << 4;
    public static final long PDE_P = 1;
    public static final long PDE_FPD = 1L << 1;
    public static final long PE_P = 1;
    public static final long PE_FPD = 1L << 1;
    public static final int PGTT_FIRST_STAGE = 1;
    public static final int PGTT_SECOND_STAGE = 2;
    public static final int PGTT_NESTED = 3;
    public static final int PGTT_PASS_THROUGH = 4;
    /** PASID entry word 2 controls. */
    public static final long PE2_SRE = 1;
    public static final long PE2_WPE = 1L << 4;
    public static final long PE2_EAFE = 1L << 7;
    public static final long ADDR_MASK = 0x000f_ffff_ffff_f000L;

    // ---- first-stage entries (x86-64 long-mode format)
    public static final long FS_P = 1;
    public static final long FS_RW = 1L << 1;
    public static final long FS_US = 1L << 2;
    public static final long FS_A = 1L << 5;
    public static final long FS_D = 1L << 6;
    public static final long FS_PS = 1L << 7;
    /** Bits a first-stage entry must leave zero at every level in this model: 62:52 (XD at 63 is allowed). */
    public static final long FS_RSVD = 0x7ff0_0000_0000_0000L;

    // ---- invalidation descriptors (type in bits 3:0)
    public static final int DESC_CC = 1;
    public static final int DESC_IOTLB = 2;
    public static final int DESC_DEVTLB = 3;
    public static final int DESC_IEC = 4;
    public static final int DESC_WAIT = 5;
    public static final int DESC_PIOTLB = 6;
    public static final int DESC_PASIDC = 7;
    public static final int DESC_PDEVTLB = 8;
    public static final int DESC_PGRESP = 9;
    public static final long WAIT_IF = 1L << 4;
    public static final long WAIT_SW = 1L << 5;
    public static final long WAIT_FN = 1L << 6;
    public static final int PIOTLB_G_PASID = 2;
    public static final int PIOTLB_G_PAGE = 3;
    public static final long PIOTLB_RSVD_LO = 0xfff0_0000_0000_f1c0L;
    public static final long PIOTLB_RSVD_HI = 0xf80L;
    public static final int PASIDC_G_DOMAIN = 0;
    public static final int PASIDC_G_PASID = 1;
    public static final int PASIDC_G_GLOBAL = 3;

    // ---- page request descriptor (32 bytes) fields
    public static final long PRD_TYPE = 1;
    public static final long PRD_PASID_PRESENT = 1L << 8;
    public static final long PRD_RD = 1;
    public static final long PRD_WR = 1L << 1;
    public static final long PRD_LPIG = 1L << 2;
    public static final int PGRESP_SUCCESS = 0;
    public static final int PGRESP_INVALID = 1;
    public static final int PGRESP_FAILURE = 0xf;

    // ---- fault reasons (C.3)
    public static final int FR_ROOT_ENTRY_P = 0x1;
    public static final int FR_CONTEXT_ENTRY_P = 0x2;
    public static final int FR_PASID_DIR_ACCESS = 0x50;
    public static final int FR_PASID_DIR_ENTRY_P = 0x51;
    public static final int FR_PASID_TABLE_ACCESS = 0x58;
    public static final int FR_PASID_ENTRY_P = 0x59;
    public static final int FR_PASID_ENTRY_INV = 0x5b;
    public static final int FR_FS_ENTRY_INV = 0x70;
    public static final int FR_FS_ENTRY_P = 0x71;
    public static final int FR_FS_ENTRY_RSVD = 0x72;
    public static final int FR_FSPTPTR_INV = 0x73;
    public static final int FR_FS_NON_CANONICAL = 0x80;
    public static final int FR_FS_US = 0x81;
    public static final int FR_SM_WRITE = 0x85;
    public static final int FR_FS_BIT_UPDATE = 0x91;
}
