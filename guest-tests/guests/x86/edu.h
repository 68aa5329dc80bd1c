/* QEMU's edu device as the guests drive it (docs/specs/edu.rst). */
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
#define EDU_DMA_RUN 0x1
#define EDU_DMA_TO_RAM 0x2
#define EDU_DMA_IRQ 0x4
#define EDU_BUFFER 0x40000
#define EDU_MSI_VECTOR 0x41

/* Where the guests place edu's BAR0 (1 MiB) in the PCI hole. */
#define EDU_BAR0 0xc0000000UL

/* Finds edu, places BAR0, turns on memory decode and bus mastering; returns its device number or -1. */
int edu_setup(void);
/* Enables MSI on edu and the LAPIC, with a handler that counts edu interrupts and acknowledges them. */
void edu_irq_setup(int dev);
/* Interrupts taken so far. */
extern volatile int edu_irqs;
/* Runs one DMA (cmd without RUN) of count bytes and waits for its interrupt; returns 0 on time. */
int edu_dma(u64 src, u64 dst, u32 count, u32 cmd);
#endif
