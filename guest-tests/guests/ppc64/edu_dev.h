/* QEMU's edu device (1234:11e8) on PHB 0: finding it, placing BAR0, registers, DMA through TCEs. */
#ifndef EDU_H
#define EDU_H
#include "rt.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_ID 0x00
#define EDU_LIVENESS 0x04
#define EDU_FACTORIAL 0x08
#define EDU_STATUS 0x20
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_BUFFER 0x40000UL
#define EDU_DMA_RUN 1
#define EDU_DMA_TO_RAM 2
#define EDU_DMA_IRQ 4
#define EDU_IRQ_DMA 0x100

/* The edu's devfn and BAR0's CPU address after edu_setup. */
extern int edu_devfn;
extern u64 edu_bar;
/* Finds the edu, places BAR0 at the start of the PHB's 32-bit window, enables memory decode and
 * bus mastering; prints what it did; 0 on success. */
int edu_setup(void);
static inline u32 edu_read(int reg) { return mmio_read32(edu_bar + (u64) reg); }
static inline void edu_write(int reg, u32 v) { mmio_write32(edu_bar + (u64) reg, v); }
/* Runs one DMA (cmd: EDU_DMA_TO_RAM and/or EDU_DMA_IRQ) and waits until RUN clears; returns the
 * final command register, or ~0 when it does not clear or reads all-ones (a frozen PE). */
u32 edu_dma(u64 src, u64 dst, u64 count, u32 cmd);
#endif
