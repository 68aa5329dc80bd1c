/*
 * The virtual VT-d (scalable mode) as the pasid-* guests drive it: the register block whose
 * address the VMM passes in the boot argument, a root and scalable-mode context table for the
 * edu, a PASID directory and table, first-stage (x86-64 format) tables of a process address
 * space, a 256-bit invalidation queue and a page request queue. Offsets and bits are VT-d's.
 */
#ifndef VTD_H
#define VTD_H
#include "edu.h"

#define VTD_VER 0x00
#define VTD_CAP 0x08
#define VTD_ECAP 0x10
#define VTD_GCMD 0x18
#define VTD_GSTS 0x1c
#define VTD_RTADDR 0x20
#define VTD_FSTS 0x34
#define VTD_FECTL 0x38
#define VTD_FEDATA 0x3c
#define VTD_FEADDR 0x40
#define VTD_IQH 0x80
#define VTD_IQT 0x88
#define VTD_IQA 0x90
#define VTD_IECTL 0xa0
#define VTD_PQH 0xc0
#define VTD_PQT 0xc8
#define VTD_PQA 0xd0
#define VTD_PRS 0xdc
#define VTD_PECTL 0xe0
#define VTD_PEDATA 0xe4
#define VTD_PEADDR 0xe8
#define VTD_FRCD 0x220

#define GCMD_TE (1u << 31)
#define GCMD_SRTP (1u << 30)
#define GCMD_QIE (1u << 26)

#define FS_P 1UL
#define FS_RW 2UL
#define FS_US 4UL

#define VTD_FAULT_VECTOR 0x44
#define VTD_PRQ_VECTOR 0x45

/* Guest-physical places of the structures (identity mapped). */
#define VTD_ROOT 0x400000UL
#define VTD_CONTEXT 0x401000UL
#define VTD_PASID_DIR 0x402000UL
#define VTD_PASID_TABLE 0x403000UL
#define VTD_IQ 0x404000UL
#define VTD_PRQ 0x405000UL
#define VTD_STATUS 0x406000UL
#define VTD_PML4 0x410000UL
/* Data pages the process's buffers live in. */
#define DATA_PAGE(n) (0x600000UL + ((u64) (n) << 12))
/* The process's buffer: a user address far above the guest's RAM. */
#define GVA 0x00007f1234500000UL
#define PASID 5
#define DID 7

extern u64 vtd_base;
extern int vtd_sid;
extern volatile int edu_done;
extern volatile int vtd_fault_irqs;
extern volatile int vtd_prq_irqs;
/* What the page request handler answers: 0 success (after mapping the page to prq_fill_page), 1 invalid. */
extern volatile int prq_answer;
extern volatile u64 prq_fill_page;
extern volatile u64 prq_last_addr;

u32 vtd_read32(u32 off);
u64 vtd_read64(u32 off);
void vtd_write32(u32 off, u32 v);
void vtd_write64(u32 off, u64 v);

/* Finds edu, checks the IOMMU's capabilities, sets up tables, queues and interrupts; pre enables page requests. 0 on success. */
int vtd_setup(u64 base, int pre, const char *name);
/* Maps the 4 KiB page va to gpa in the process's first-stage tables with leaf flags; returns the PTE. */
volatile u64 *fs_map(u64 va, u64 gpa, u64 flags);
/* Writes the PASID entry (first stage, 4 levels) with fault processing disabled or not. */
void pasid_entry(int pasid, int fpd);
void pasid_entry_clear(int pasid);
/* Descriptors: PASID-cache (PASID-selective), page-selective PASID-IOTLB, and a wait polled to completion. */
void inv_pasid_cache(int pasid);
void inv_piotlb_page(int pasid, u64 addr);
int inv_wait(void);
/* One edu DMA of count bytes tagged with pasid, waiting for its completion interrupt; returns 0 when it completed. */
int pasid_dma(int pasid, u64 src, u64 dst, u32 count, int to_ram);
/* Fills page gpa with byte b; counts bytes of page gpa that differ from b. */
void fill(u64 gpa, u8 b, u32 n);
int differ(u64 gpa, u8 b, u32 n);
#endif
