/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel definitions kernel/flow*.c use, for their userspace build
 * (unit tests, fuzzing): fixed-size and big-endian types, byte order, and
 * the generic csum helpers of include/net/checksum.h with the same
 * semantics (a 32-bit partial sum that folds to the 16-bit Internet
 * checksum as stored in memory).
 */
#ifndef _ATNET_FLOW_HOST_H
#define _ATNET_FLOW_HOST_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef uint16_t __sum16;
typedef uint32_t __wsum;

#define cpu_to_be16(x)	htons(x)
#define cpu_to_be32(x)	htonl(x)
#define be16_to_cpu(x)	ntohs(x)
#define be32_to_cpu(x)	ntohl(x)

#define U32_MAX		UINT32_MAX
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))

#define CSUM_MANGLED_0	((__sum16)0xffff)

static inline __wsum csum_fold32(uint64_t s)
{
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (__wsum)s;
}

static inline __wsum csum_partial(const void *buf, int len, __wsum sum)
{
	const u8 *p = buf;
	uint64_t s = sum;
	u16 w;

	for (; len > 1; len -= 2, p += 2) {
		memcpy(&w, p, 2);
		s += w;
	}
	if (len > 0) {
		w = 0;
		memcpy(&w, p, 1);
		s += w;
	}
	return csum_fold32(s);
}

static inline __wsum csum_add(__wsum a, __wsum b)
{
	return csum_fold32((uint64_t)a + b);
}

static inline __sum16 csum_fold(__wsum sum)
{
	u32 s = sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__sum16)~s;
}

static inline __sum16 ip_fast_csum(const void *iph, unsigned int ihl)
{
	return csum_fold(csum_partial(iph, ihl * 4, 0));
}

static inline __sum16 csum_tcpudp_magic(__be32 saddr, __be32 daddr, u32 len,
					u8 proto, __wsum sum)
{
	uint64_t s = sum;
	__be16 w;

	s += csum_partial(&saddr, 4, 0);
	s += csum_partial(&daddr, 4, 0);
	w = htons(proto);
	s += w;
	w = htons((u16)len);
	s += w;
	return csum_fold(csum_fold32(s));
}

#endif /* _ATNET_FLOW_HOST_H */
