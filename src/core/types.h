/* SPDX-License-Identifier: MIT */
/* Fixed-width kernel-style integer names and time units used by every layer. */
#ifndef OVERSUB_CORE_TYPES_H
#define OVERSUB_CORE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define clamp_t(t, v, lo, hi) min_t(t, max_t(t, v, lo), hi)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* floor(log2(v)) for v > 0; 0 for v == 0. */
static inline unsigned int ilog2_u64(u64 v)
{
	return v ? 63u - (unsigned int)__builtin_clzll(v) : 0u;
}

#endif
