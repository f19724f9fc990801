/* SPDX-License-Identifier: MIT */
/*
 * Scope guards built on __attribute__((cleanup)), after the kernel's
 * include/linux/cleanup.h idea (written anew here):
 *
 *   __free(free) char *buf = malloc(n);      freed when buf leaves scope
 *   return no_free_ptr(buf);                 hand ownership out
 *   guard(mutex)(&m);                        unlocked at end of scope
 *
 * New resource kinds: DEFINE_FREE(name, type, expr using _T) and
 * DEFINE_GUARD(name, type, lock-expr, unlock-expr using _T).
 * House rule: never mix guards and goto-cleanup in one function.
 */
#ifndef OVERSUB_CORE_GUARD_H
#define OVERSUB_CORE_GUARD_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define __guard_cat2(a, b) a##b
#define __guard_cat(a, b) __guard_cat2(a, b)
#define __guard_uniq(p) __guard_cat(p, __COUNTER__)

#define DEFINE_FREE(_name, _type, _free)                              \
	static inline void __free_##_name(void *p)                    \
	{                                                             \
		_type _T = *(_type *)p;                               \
		_free;                                                \
	}

#define __free(_name) __attribute__((cleanup(__free_##_name)))

/* Take the value out of a __free variable so it is not released. */
#define no_free_ptr(p)                               \
	({                                           \
		__auto_type __ptr = (p);             \
		(p) = NULL;                          \
		__ptr;                               \
	})

DEFINE_FREE(free, void *, free(_T))
DEFINE_FREE(fclose, FILE *, if (_T) fclose(_T))

#define DEFINE_GUARD(_name, _type, _lock, _unlock)                      \
	typedef struct {                                                \
		_type lock;                                             \
	} guard_##_name##_t;                                            \
	static inline void guard_##_name##_release(guard_##_name##_t *g) \
	{                                                               \
		_type _T = g->lock;                                     \
		_unlock;                                                \
	}                                                               \
	static inline guard_##_name##_t guard_##_name##_take(_type _T)  \
	{                                                               \
		_lock;                                                  \
		return (guard_##_name##_t){ .lock = _T };               \
	}

#define guard(_name)                                                       \
	guard_##_name##_t __guard_uniq(__guard_)                            \
		__attribute__((cleanup(guard_##_name##_release), unused)) = \
			guard_##_name##_take

DEFINE_GUARD(mutex, pthread_mutex_t *, pthread_mutex_lock(_T),
	     pthread_mutex_unlock(_T))

#endif
