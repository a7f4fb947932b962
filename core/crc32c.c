// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C (Castagnoli, reflected polynomial 0x82f63b78), the image checksum.
 * The SSE4.2 crc32 instruction when the CPU has it (about 8 bytes a cycle
 * per 3 cycles: near memory speed); a table otherwise, e.g. under qemu's
 * default CPU model.
 */
#include <string.h>

#include "core/image_io.h"

#define CRC32C_POLY	0x82f63b78U

static u32 crc32c_table[8][256];
static bool crc32c_have_hw;
static bool crc32c_ready;

/* one-time setup; the table is a constant once built, not state */
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
	crc32c_ready = true;
}

__attribute__((target("sse4.2")))
static u32 crc32c_hw(u32 crc, const u8 *p, size_t n)
{
	u64 c = crc;

	for (; n && ((uintptr_t)p & 7); n--)
		c = __builtin_ia32_crc32qi((u32)c, *p++);
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
