/* SPDX-License-Identifier: MIT */
/* The one-message error convention: a function that fails writes why
 * into the caller's buffer (which may be NULL) and returns -EINVAL. */
#ifndef OVERSUB_CORE_ERRMSG_H
#define OVERSUB_CORE_ERRMSG_H

#include <stddef.h>

/* printf @fmt into @buf (@len bytes; nothing if NULL or 0): -EINVAL. */
int errmsg_set(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
