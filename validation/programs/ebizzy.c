// SPDX-License-Identifier: MIT
/*
 * ebizzy.c - a reimplementation of ebizzy 0.3 (Valerie Henson, Intel; as
 * shipped in LTP, utils/benchmark/ebizzy-0.3/ebizzy.c) for profiling.
 *
 * The algorithm is ebizzy's: `chunks` buffers of `chunk_size` bytes are
 * allocated (malloc, or mmap with -m) and filled with the records 0, 1, 2,
 * ...; then every thread loops until the time is up: pick a random chunk,
 * allocate a new buffer of its size, memcpy the chunk into it, pick a
 * random record and look it up (bsearch, or a linear scan with -z), free
 * the buffer. One loop is one record. The options are ebizzy's.
 *
 * Differences from the original, all deliberate (README.md has the list):
 * rand_num() is the intended LCG (LTP's copy multiplies by a constant and
 * stays at 0, so every pick is chunk 0, record 0); records are summed
 * atomically; the work phase is timed with CLOCK_MONOTONIC, not time();
 * -d takes fractional seconds; bad arguments exit 2, not 1; the run ends
 * with the `unit`/`ops`/`seconds` lines a profiler parses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

typedef size_t record_t;

static const char *cmd;
static unsigned int always_mmap, never_mmap, use_permissions, use_holes;
static unsigned int random_size, linear, touch_pages, no_lib_memcpy;
static unsigned int verbose;
static unsigned int chunks = 10;
static size_t chunk_size = sizeof(record_t) * 64 * 1024;
static double seconds = 10.0;
static unsigned int threads;
static size_t page_size;

static record_t **mem;
static atomic_int threads_go;
static atomic_ullong records_read;

static void usage(void)
{
	fprintf(stderr,
		"Usage: %s [options]\n"
		"-T\t\t Just 'touch' the allocated pages\n"
		"-l\t\t Don't use library memcpy\n"
		"-m\t\t Always use mmap instead of malloc\n"
		"-M\t\t Never use mmap\n"
		"-n <num>\t Number of memory chunks to allocate\n"
		"-p \t\t Prevent mmap coalescing using permissions\n"
		"-P \t\t Prevent mmap coalescing using holes\n"
		"-R\t\t Randomize size of memory to copy and search\n"
		"-s <size>\t Size of memory chunks, in bytes\n"
		"-S <seconds>\t Number of seconds to run\n"
		"-d <seconds>\t Same as -S, fractions allowed\n"
		"-t <num>\t Number of threads (2 * number cpus by default)\n"
		"-v[v[v]]\t Be verbose (more v's for more verbose)\n"
		"-z\t\t Linear search instead of binary search\n",
		cmd);
}

#include "opts.h"

static unsigned long parse_count(int opt, const char *arg, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v == 0 || v > max)
		bad_option(opt, "expects a positive integer in range");
	return v;
}

static void read_options(int argc, char *argv[])
{
	int c;

	cmd = argv[0];
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	threads = 2 * (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);

	opterr = 0;
	while ((c = getopt(argc, argv, ":lmMn:pPRs:S:d:t:vzT")) != -1) {
		switch (c) {
		case 'l': no_lib_memcpy = 1; break;
		case 'm': always_mmap = 1; break;
		case 'M': never_mmap = 1; break;
		case 'n': chunks = (unsigned int)parse_count(c, optarg, 1u << 20); break;
		case 'p': use_permissions = 1; break;
		case 'P': use_holes = 1; break;
		case 'R': random_size = 1; break;
		case 's': chunk_size = parse_count(c, optarg, 1ul << 34); break;
		case 'S': seconds = (double)parse_count(c, optarg, 1000000); break;
		case 'd': seconds = parse_seconds(c, optarg, false); break;
		case 't': threads = (unsigned int)parse_count(c, optarg, 4096); break;
		case 'T': touch_pages = 1; break;
		case 'v': verbose++; break;
		case 'z': linear = 1; break;
		case ':': bad_option(optopt, "needs an argument"); break;
		default: bad_option(optopt, "unknown option"); break;
		}
	}
	no_operands(argc, argv);
	if (always_mmap && never_mmap)
		bad_option('M', "both -m \"always mmap\" and -M \"never mmap\" given");
	if (chunk_size < sizeof(record_t))
		bad_option('s', "chunk size smaller than the record size");

	if (verbose) {
		printf("ebizzy 0.3 (reimplementation)\n");
		printf("always_mmap %u\n", always_mmap);
		printf("never_mmap %u\n", never_mmap);
		printf("chunks %u\n", chunks);
		printf("prevent coalescing using permissions %u\n", use_permissions);
		printf("prevent coalescing using holes %u\n", use_holes);
		printf("random_size %u\n", random_size);
		printf("chunk_size %zu\n", chunk_size);
		printf("seconds %g\n", seconds);
		printf("threads %u\n", threads);
		printf("verbose %u\n", verbose);
		printf("linear %u\n", linear);
		printf("touch_pages %u\n", touch_pages);
		printf("page size %zu\n", page_size);
	}

	if (never_mmap)
		mallopt(M_MMAP_MAX, 0);
}

static void *alloc_mem(size_t size)
{
	void *p;

	if (always_mmap) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			p = NULL;
	} else {
		p = malloc(size);
	}
	if (p == NULL) {
		fprintf(stderr, "Couldn't allocate %zu bytes, try smaller chunks or size options\n"
			"Using -n %u chunks and -s %zu size\n", size, chunks, chunk_size);
		exit(1);
	}
	return p;
}

static void free_mem(void *p, size_t size)
{
	if (always_mmap)
		munmap(p, size);
	else
		free(p);
}

static void touch_mem(char *dest, size_t size)
{
	for (size_t i = 0; i < size; i += page_size)
		dest[i] = (char)0xff;
}

/* -l: ebizzy's own byte loop; keep gcc from turning it back into memcpy(). */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void my_memcpy(void *dest, const void *src, size_t len)
{
	char *d = dest;
	const char *s = src;

	for (size_t i = 0; i < len; i++)
		d[i] = s[i];
}

static void allocate(void)
{
	char **hole_mem = NULL;

	mem = alloc_mem(chunks * sizeof(record_t *));
	if (use_holes)
		hole_mem = alloc_mem(chunks * sizeof(char *));
	for (unsigned int i = 0; i < chunks; i++) {
		mem[i] = alloc_mem(chunk_size);
		/* Prevent coalescing using holes */
		if (use_holes)
			hole_mem[i] = alloc_mem(page_size);
	}
	if (use_holes) {
		for (unsigned int i = 0; i < chunks; i++)
			free_mem(hole_mem[i], page_size);
		free_mem(hole_mem, chunks * sizeof(char *));
	}
	if (verbose)
		printf("Allocated memory\n");
}

static void write_pattern(void)
{
	for (unsigned int i = 0; i < chunks; i++) {
		for (size_t j = 0; j < chunk_size / sizeof(record_t); j++)
			mem[i][j] = (record_t)j;
		/* Prevent coalescing by alternating permissions */
		if (use_permissions && i % 2 == 0)
			mprotect(mem[i], chunk_size, PROT_READ);
	}
	if (verbose)
		printf("Wrote memory\n");
}

static record_t *linear_search(record_t key, record_t *base, size_t size)
{
	record_t *end = base + size / sizeof(record_t);

	for (record_t *p = base; p < end; p++)
		if (*p == key)
			return p;
	return NULL;
}

static int compare(const void *p1, const void *p2)
{
	record_t a = *(const record_t *)p1, b = *(const record_t *)p2;

	return (a > b) - (a < b);
}

/* ebizzy's "stupid ranged random number function", as intended. */
static inline unsigned int rand_num(unsigned int max, unsigned int *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state / 65536) % max;
}

/*
 * The meat of ebizzy: pick a random chunk, copy it into a newly allocated
 * buffer, pick a random key, look it up, free the buffer.
 */
static unsigned long long search_mem(void)
{
	record_t key, *found, *src, *copy;
	size_t copy_size = chunk_size;
	unsigned int state = 0;
	unsigned long long i;

	for (i = 0; atomic_load_explicit(&threads_go, memory_order_relaxed) == 1; i++) {
		src = mem[rand_num(chunks, &state)];
		/* Random sizes need a non-zero multiple of the record size. */
		if (random_size)
			copy_size = (rand_num((unsigned int)(chunk_size / sizeof(record_t)), &state) + 1)
				    * sizeof(record_t);
		copy = alloc_mem(copy_size);

		if (touch_pages) {
			touch_mem((char *)copy, copy_size);
		} else {
			if (no_lib_memcpy)
				my_memcpy(copy, src, copy_size);
			else
				memcpy(copy, src, copy_size);

			key = rand_num((unsigned int)(copy_size / sizeof(record_t)), &state);
			if (verbose > 2)
				printf("Search key %zu, copy size %zu\n", key, copy_size);
			if (linear)
				found = linear_search(key, copy, copy_size);
			else
				found = bsearch(&key, copy, copy_size / sizeof(record_t),
						sizeof(record_t), compare);
			/* Mainly a check for memory corruption or other bugs */
			if (found == NULL) {
				fprintf(stderr, "Couldn't find key %zu\n", key);
				exit(1);
			}
		}
		free_mem(copy, copy_size);
	}
	return i;
}

static void *thread_run(void *arg)
{
	(void)arg;
	if (verbose > 1)
		printf("Thread started\n");
	/* Wait for the start signal (ebizzy spins here). */
	while (atomic_load_explicit(&threads_go, memory_order_relaxed) == 0)
		;
	unsigned long long n = search_mem();
	atomic_fetch_add(&records_read, n);
	if (verbose > 1)
		printf("Thread finished, %llu records\n", n);
	return NULL;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static double tv_diff(const struct timeval *a, const struct timeval *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_usec - b->tv_usec) / 1e6;
}

static void start_threads(void)
{
	pthread_t *tid = calloc(threads, sizeof(*tid));
	struct rusage start_ru, end_ru;
	struct timespec start, end;
	int err;

	if (tid == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	if (verbose)
		printf("Threads starting\n");
	for (unsigned int i = 0; i < threads; i++) {
		err = pthread_create(&tid[i], NULL, thread_run, NULL);
		if (err) {
			fprintf(stderr, "Error creating thread %u: %s\n", i, strerror(err));
			exit(1);
		}
	}

	/* Begin accounting: this is when the measured work happens. */
	getrusage(RUSAGE_SELF, &start_ru);
	clock_gettime(CLOCK_MONOTONIC, &start);
	atomic_store(&threads_go, 1);
	sleep_until(start, seconds);
	atomic_store(&threads_go, 0);
	clock_gettime(CLOCK_MONOTONIC, &end);
	getrusage(RUSAGE_SELF, &end_ru);

	for (unsigned int i = 0; i < threads; i++) {
		err = pthread_join(tid[i], NULL);
		if (err) {
			fprintf(stderr, "Error joining thread %u: %s\n", i, strerror(err));
			exit(1);
		}
	}
	free(tid);
	if (verbose)
		printf("Threads finished\n");

	double elapsed = ts_diff(&end, &start);
	unsigned long long records = atomic_load(&records_read);

	printf("%llu records/s\n", (unsigned long long)((double)records / elapsed));
	printf("real %5.2f s\n", elapsed);
	printf("user %5.2f s\n", tv_diff(&end_ru.ru_utime, &start_ru.ru_utime));
	printf("sys  %5.2f s\n", tv_diff(&end_ru.ru_stime, &start_ru.ru_stime));
	printf("unit record\n");
	printf("ops %llu\n", records);
	printf("seconds %.6f\n", elapsed);
}

int main(int argc, char *argv[])
{
	read_options(argc, argv);
	allocate();
	write_pattern();
	start_threads();
	return 0;
}
