// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C (Castagnoli, reflected polynomial 0x82f63b78), the image checksum.
 * The SSE4.2 crc32 instruction when the CPU has it; a table otherwise, e.g.
 * under qemu's default CPU model.
 *
 * The crc32 instruction takes 3 cycles and can start one a cycle: a single
 * chain of them runs at a third of what the CPU can do. So the hardware
 * path runs three chains over three adjacent blocks at once and joins
 * them: the CRC register is linear, so the register after A then B is the
 * register after A followed by len(B) zero bytes, xor the register of B
 * started from zero. "Followed by n zero bytes" is a fixed linear map of
 * the 32-bit register, kept as four byte tables (Mark Adler's crc32c.c).
 * The blocks are sized so that three fit a page: the image is checksummed
 * a page at a time.
 */
#include <string.h>

#include "core/image_io.h"

#define CRC32C_POLY	0x82f63b78U

/* three blocks of CRC32C_LONG fit a 4 KiB page, with 64 bytes left */
#define CRC32C_LONG	1344
#define CRC32C_SHORT	128

static u32 crc32c_table[8][256];
/* the register after CRC32C_LONG (CRC32C_SHORT) zero bytes, by byte */
static u32 crc32c_long[4][256];
static u32 crc32c_short[4][256];
static bool crc32c_have_hw;
static bool crc32c_ready;

/* Fill @zeros with the map "feed @len zero bytes" (@len a multiple of 8). */
__attribute__((target("sse4.2")))
static void crc32c_zeros(u32 zeros[4][256], size_t len)
{
	u32 basis[32];
	size_t n;
	int i, j, k;

	for (i = 0; i < 32; i++) {
		u64 c = 1U << i;

		for (n = 0; n < len; n += 8)
			c = __builtin_ia32_crc32di(c, 0);
		basis[i] = c;
	}
	for (k = 0; k < 4; k++) {
		for (i = 0; i < 256; i++) {
			u32 v = 0;

			for (j = 0; j < 8; j++)
				if (i & (1 << j))
					v ^= basis[8 * k + j];
			zeros[k][i] = v;
		}
	}
}

static inline u32 crc32c_shift(const u32 zeros[4][256], u32 crc)
{
	return zeros[0][crc & 0xff] ^ zeros[1][(crc >> 8) & 0xff] ^
	       zeros[2][(crc >> 16) & 0xff] ^ zeros[3][crc >> 24];
}

/* one-time setup; the tables are constants once built, not state */
static void crc32c_init(void)
{
	u32 crc;
	int i, j;

	for (i = 0; i < 256; i++) {
		crc = i;
		for (j = 0; j < 8; j++)
			crc = (crc >> 1) ^ (CRC32C_POLY & -(crc & 1));
		crc32c_table[0][i] = crc;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			crc32c_table[j][i] = (crc32c_table[j - 1][i] >> 8) ^
				crc32c_table[0][crc32c_table[j - 1][i] & 0xff];

	__builtin_cpu_init();
	crc32c_have_hw = __builtin_cpu_supports("sse4.2");
	if (crc32c_have_hw) {
		crc32c_zeros(crc32c_long, CRC32C_LONG);
		crc32c_zeros(crc32c_short, CRC32C_SHORT);
	}
	crc32c_ready = true;
}

/* Three chains over the blocks [p, p + len), then the next two, joined. */
__attribute__((target("sse4.2")))
static inline u64 crc32c_hw_3way(u64 c0, const u8 *p, size_t len,
				 const u32 zeros[4][256])
{
	const u8 *end = p + len;
	u64 c1 = 0, c2 = 0, v0, v1, v2;

	do {
		memcpy(&v0, p, 8);
		memcpy(&v1, p + len, 8);
		memcpy(&v2, p + 2 * len, 8);
		c0 = __builtin_ia32_crc32di(c0, v0);
		c1 = __builtin_ia32_crc32di(c1, v1);
		c2 = __builtin_ia32_crc32di(c2, v2);
		p += 8;
	} while (p < end);
	c0 = crc32c_shift(zeros, c0) ^ c1;
	return crc32c_shift(zeros, c0) ^ c2;
}

__attribute__((target("sse4.2")))
static u32 crc32c_hw(u32 crc, const u8 *p, size_t n)
{
	u64 c = crc;

	for (; n && ((uintptr_t)p & 7); n--)
		c = __builtin_ia32_crc32qi((u32)c, *p++);
	for (; n >= 3 * CRC32C_LONG; n -= 3 * CRC32C_LONG) {
		c = crc32c_hw_3way(c, p, CRC32C_LONG, crc32c_long);
		p += 3 * CRC32C_LONG;
	}
	for (; n >= 3 * CRC32C_SHORT; n -= 3 * CRC32C_SHORT) {
		c = crc32c_hw_3way(c, p, CRC32C_SHORT, crc32c_short);
		p += 3 * CRC32C_SHORT;
	}
	for (; n >= 8; n -= 8, p += 8) {
		u64 v;

		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
	}
	for (; n; n--)
		c = __builtin_ia32_crc32qi((u32)c, *p++);
	return (u32)c;
}

/* slice-by-8 */
static u32 crc32c_sw(u32 crc, const u8 *p, size_t n)
{
	for (; n && ((uintptr_t)p & 7); n--)
		crc = crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	for (; n >= 8; n -= 8, p += 8) {
		u32 lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = crc32c_table[7][lo & 0xff] ^
		      crc32c_table[6][(lo >> 8) & 0xff] ^
		      crc32c_table[5][(lo >> 16) & 0xff] ^
		      crc32c_table[4][lo >> 24] ^
		      crc32c_table[3][hi & 0xff] ^
		      crc32c_table[2][(hi >> 8) & 0xff] ^
		      crc32c_table[1][(hi >> 16) & 0xff] ^
		      crc32c_table[0][hi >> 24];
	}
	for (; n; n--)
		crc = crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/**
 * cr_crc32c() - extend a CRC32C over @n bytes
 * @crc: the CRC so far; 0 to start
 * @buf: the bytes
 * @n: how many
 *
 * The pre- and post-inversion are done here, so cr_crc32c(cr_crc32c(0, a),
 * b) equals the CRC of a followed by b. The CRC of "123456789" is 0xe3069283.
 *
 * Return: the CRC of everything so far.
 */
u32 cr_crc32c(u32 crc, const void *buf, size_t n)
{
	if (unlikely(!crc32c_ready))
		crc32c_init();
	crc = ~crc;
	if (crc32c_have_hw)
		crc = crc32c_hw(crc, buf, n);
	else
		crc = crc32c_sw(crc, buf, n);
	return ~crc;
}
