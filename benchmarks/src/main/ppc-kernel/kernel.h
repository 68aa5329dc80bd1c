typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#define BENCH_BUF_LEN 4096

void crc_init(u8 *buf, u64 len);
u32 crc_kernel(const u8 *p, u64 len, u32 crc);
