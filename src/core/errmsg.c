// SPDX-License-Identifier: MIT
/* One error message into the caller's buffer (errmsg.h). */
#include "core/errmsg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int errmsg_set(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf && len) {
		va_start(ap, fmt);
		vsnprintf(buf, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}
