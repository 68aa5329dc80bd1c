typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

/* The kernels, in the order of their numbers (the guest's r3 at entry, the Linux binary's name). */
#define SUITE_KERNELS 5
#define SUITE_NAMES { "crc32", "matmul", "qsort", "memops", "branchy" }

/* Sets up the kernels' input data; call once before suite_run. */
void suite_init(void);
/* One call of kernel `which` on the previous call's result `state`; returns the next result. */
u64 suite_run(u32 which, u64 state);
