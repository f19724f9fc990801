// SPDX-License-Identifier: MIT
/*
 * dedup.c - a reimplementation of PARSEC 3.0 dedup, pthreads version
 * (pkgs/kernels/dedup/src: encoder.c, queue.c, mbuffer.c, rabin.c,
 * hashtable.c), compressing with gzip and preloading its input as PARSEC's
 * run configurations do (`-c -p -v -t N`), for profiling.
 *
 * The pipeline is the original's, with its constants:
 *  - Fragment (1 thread) copies up to MAXBUF (128 MiB) of input into a new
 *    malloc()ed buffer and cuts it into coarse fragments at the first Rabin
 *    anchor at least ANCHOR_JUMP (2 MiB) past the previous cut; the pieces
 *    share the buffer through mbuffer reference counts (pthread spinlocks).
 *  - FragmentRefine (n) cuts each fragment into chunks at Rabin anchors
 *    (mask 0xfff: ~4 KiB) and mallocs a chunk_t for each.
 *  - Deduplicate (n) takes the SHA-1 of each chunk and looks it up in a
 *    global hash table with a pthread mutex per bucket: a new chunk is
 *    inserted and sent to Compress, a duplicate drops its data and goes
 *    straight to Reorder.
 *  - Compress (n) zlib-compress()es new chunks into a malloc()ed buffer,
 *    shrinks it with realloc() and releases the uncompressed data, under
 *    the chunk's mutex, then broadcasts its condition variable.
 *  - Reorder (1) restores the input order (a binary heap per fragment) and
 *    write()s each chunk (type, length, data: three calls), waiting on the
 *    chunk's condition variable when its compressed data is not ready; the
 *    compressed data is freed once written.
 * Stages are joined by PARSEC's queues: a ring of QUEUE_SIZE (1 Mi)
 * entries under a pthread mutex with notEmpty/notFull condition variables,
 * filled and drained in batches of up to 20 through per-thread rings, one
 * queue per MAX_THREADS_PER_QUEUE (4) threads of a stage.
 *
 * One pass is one run of the original over the whole input, in a child
 * process: the threads, queues, hash table and malloc arenas are new for
 * it. With -d passes repeat until the time is up. The input is generated in memory
 * (or read with -i FILE), so Fragment memcpy()s it as with PARSEC's -p.
 * README.md lists where this differs from the original.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <nettle/sha1.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* dedupdef.h and config.h */
#define MAXBUF (128 * 1024 * 1024)
#define ANCHOR_JUMP (2 * 1024 * 1024)
#define QUEUE_SIZE (1024UL * 1024)
#define MAX_PER_FETCH 10000
#define ITEM_PER_FETCH 20
#define ITEM_PER_INSERT 20
#define CHUNK_ANCHOR_PER_FETCH 20
#define CHUNK_ANCHOR_PER_INSERT 20
#define ANCHOR_DATA_PER_INSERT 1
#define MAX_THREADS_PER_QUEUE 4
#define MAX_THREADS 1024
#define SHA1_LEN 20
#define CHECKBIT 123456
#define TYPE_FINGERPRINT 0
#define TYPE_COMPRESS 1
#define COMPRESS_GZIP 0
/* encoder.c, mbuffer.c, rabin.h */
#define HASHTABLE_SIZE 65536
#define INITIAL_SEARCH_TREE_SIZE 4096
#define NUMBER_OF_LOCKS 1021
#define NWINDOW 32
#define RABIN_MASK 0xfff

typedef uint32_t u32int;

static void die(const char *what)
{
	fprintf(stderr, "dedup: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (p == NULL)
		die("malloc");
	return p;
}

/* ---- mbuffer.c: reference-counted buffers, split without copying ---- */

typedef struct {
	unsigned int i; /* reference counter */
	unsigned char *ptr; /* what malloc() returned */
} mcb_t;

typedef struct {
	unsigned char *ptr;
	size_t n;
	mcb_t *mcb;
} mbuffer_t;

static pthread_spinlock_t mbuffer_locks[NUMBER_OF_LOCKS];

static pthread_spinlock_t *mcb_lock(const mcb_t *mcb)
{
	return &mbuffer_locks[(uintptr_t)mcb % NUMBER_OF_LOCKS];
}

static void mbuffer_create(mbuffer_t *m, size_t size)
{
	m->ptr = xmalloc(size);
	m->mcb = xmalloc(sizeof(mcb_t));
	m->n = size;
	m->mcb->i = 1;
	m->mcb->ptr = m->ptr;
}

static void mbuffer_free(mbuffer_t *m)
{
	unsigned int ref;

	pthread_spin_lock(mcb_lock(m->mcb));
	ref = --m->mcb->i;
	pthread_spin_unlock(mcb_lock(m->mcb));
	if (ref == 0) {
		free(m->mcb->ptr);
		free(m->mcb);
	}
	m->mcb = NULL;
}

/* Only ever called on an unshared, unsplit buffer, as in the original. */
static void mbuffer_realloc(mbuffer_t *m, size_t size)
{
	pthread_spinlock_t *l = mcb_lock(m->mcb);

	pthread_spin_lock(l);
	unsigned char *r = realloc(m->ptr, size);
	if (r != NULL) {
		m->ptr = r;
		m->n = size;
		m->mcb->ptr = r;
	}
	pthread_spin_unlock(l);
	if (r == NULL)
		die("realloc");
}

static void mbuffer_split(mbuffer_t *m1, mbuffer_t *m2, size_t split)
{
	pthread_spin_lock(mcb_lock(m1->mcb));
	m1->mcb->i++;
	pthread_spin_unlock(mcb_lock(m1->mcb));
	m2->ptr = m1->ptr + split;
	m2->n = m1->n - split;
	m2->mcb = m1->mcb;
	m1->n = split;
}

/* ---- dedupdef.h: chunks and their two-level sequence numbers ---- */

typedef enum {
	CHUNK_STATE_UNCOMPRESSED = 0,
	CHUNK_STATE_COMPRESSED = 1,
	CHUNK_STATE_FLUSHED = 2
} chunk_state_t;

typedef uint32_t sequence_number_t;

typedef struct {
	sequence_number_t l1num; /* coarse fragment */
	sequence_number_t l2num; /* chunk within it */
} sequence_t;

typedef struct chunk {
	struct {
		int isDuplicate;
		chunk_state_t state;
		pthread_mutex_t lock;
		pthread_cond_t update;
	} header;
	unsigned int sha1[SHA1_LEN / sizeof(unsigned int)];
	mbuffer_t uncompressed_data;
	mbuffer_t compressed_data;
	struct chunk *compressed_data_ref; /* the original, for a duplicate */
	sequence_t sequence;
	int isLastL2Chunk;
} chunk_t;

/* ---- queue.h / queue.c ---- */

typedef struct {
	size_t head, tail, size;
	void **data;
} ringbuffer_t;

typedef struct {
	ringbuffer_t buf;
	int nProducers;
	int nTerminated;
	pthread_mutex_t mutex;
	pthread_cond_t notEmpty, notFull;
} queue_t;

static void ringbuffer_init(ringbuffer_t *buf, size_t size)
{
	/* One element stays unused to tell full from empty. */
	buf->data = xmalloc(sizeof(void *) * (size + 1));
	buf->size = size + 1;
	buf->head = 0;
	buf->tail = 0;
}

static int ringbuffer_isEmpty(const ringbuffer_t *buf)
{
	return buf->tail == buf->head;
}

static int ringbuffer_isFull(const ringbuffer_t *buf)
{
	return buf->head == (buf->tail - 1 + buf->size) % buf->size;
}

static void *ringbuffer_remove(ringbuffer_t *buf)
{
	if (ringbuffer_isEmpty(buf))
		return NULL;
	void *ptr = buf->data[buf->tail];
	if (++buf->tail >= buf->size)
		buf->tail = 0;
	return ptr;
}

static void ringbuffer_insert(ringbuffer_t *buf, void *ptr)
{
	buf->data[buf->head] = ptr;
	if (++buf->head == buf->size)
		buf->head = 0;
}

static void queue_init(queue_t *que, size_t size, int nProducers)
{
	pthread_mutex_init(&que->mutex, NULL);
	pthread_cond_init(&que->notEmpty, NULL);
	pthread_cond_init(&que->notFull, NULL);
	ringbuffer_init(&que->buf, size);
	que->nProducers = nProducers;
	que->nTerminated = 0;
}

static void queue_destroy(queue_t *que)
{
	pthread_mutex_destroy(&que->mutex);
	pthread_cond_destroy(&que->notEmpty);
	pthread_cond_destroy(&que->notFull);
	free(que->buf.data);
}

static int queue_isTerminated(const queue_t *que)
{
	return que->nTerminated == que->nProducers;
}

static void queue_terminate(queue_t *que)
{
	pthread_mutex_lock(&que->mutex);
	que->nTerminated++;
	if (queue_isTerminated(que))
		pthread_cond_broadcast(&que->notEmpty);
	pthread_mutex_unlock(&que->mutex);
}

/* Move up to limit items into buf; -1 once the queue is empty and all its producers are done. */
static int queue_dequeue(queue_t *que, ringbuffer_t *buf, int limit)
{
	int i;

	pthread_mutex_lock(&que->mutex);
	while (ringbuffer_isEmpty(&que->buf) && !queue_isTerminated(que))
		pthread_cond_wait(&que->notEmpty, &que->mutex);
	if (ringbuffer_isEmpty(&que->buf) && queue_isTerminated(que)) {
		pthread_mutex_unlock(&que->mutex);
		return -1;
	}
	for (i = 0; i < limit && !ringbuffer_isEmpty(&que->buf) && !ringbuffer_isFull(buf); i++)
		ringbuffer_insert(buf, ringbuffer_remove(&que->buf));
	if (i > 0)
		pthread_cond_signal(&que->notFull);
	pthread_mutex_unlock(&que->mutex);
	return i;
}

static void queue_enqueue(queue_t *que, ringbuffer_t *buf, int limit)
{
	int i;

	pthread_mutex_lock(&que->mutex);
	while (ringbuffer_isFull(&que->buf))
		pthread_cond_wait(&que->notFull, &que->mutex);
	for (i = 0; i < limit && !ringbuffer_isFull(&que->buf) && !ringbuffer_isEmpty(buf); i++)
		ringbuffer_insert(&que->buf, ringbuffer_remove(buf));
	if (i > 0)
		pthread_cond_signal(&que->notEmpty);
	pthread_mutex_unlock(&que->mutex);
}

/* ---- hashtable.c: chained buckets, one pthread mutex per bucket ---- */

struct hash_entry {
	void *k, *v;
	unsigned int h;
	struct hash_entry *next;
};

struct hashtable {
	unsigned int tablelength;
	struct hash_entry **table;
	pthread_mutex_t *locks;
};

static struct hashtable *hashtable_create(unsigned int minsize)
{
	static const unsigned int primes[] = {
		53, 97, 193, 389, 769, 1543, 3079, 6151, 12289, 24593, 49157, 98317,
		196613, 393241, 786433, 1572869, 3145739, 6291469, 12582917, 25165843,
		50331653, 100663319, 201326611, 402653189, 805306457, 1610612741
	};
	unsigned int size = primes[0];

	for (size_t p = 0; p < sizeof(primes) / sizeof(primes[0]); p++) {
		if (primes[p] > minsize) {
			size = primes[p];
			break;
		}
	}
	struct hashtable *h = xmalloc(sizeof(*h));
	h->table = calloc(size, sizeof(struct hash_entry *));
	h->locks = xmalloc(sizeof(pthread_mutex_t) * size);
	if (h->table == NULL)
		die("calloc");
	for (unsigned int i = 0; i < size; i++)
		pthread_mutex_init(&h->locks[i], NULL);
	h->tablelength = size;
	return h;
}

/* The key is a SHA-1 sum: its first word, then Java 1.4's mixing. */
static unsigned int hash(const void *k)
{
	unsigned int i = ((const unsigned int *)k)[0];
	i += ~(i << 9);
	i ^= ((i >> 14) | (i << 18));
	i += (i << 4);
	i ^= ((i >> 10) | (i << 22));
	return i;
}

static pthread_mutex_t *hashtable_getlock(struct hashtable *h, const void *k)
{
	return &h->locks[hash(k) % h->tablelength];
}

static void *hashtable_search(struct hashtable *h, const void *k)
{
	unsigned int hashvalue = hash(k);

	for (struct hash_entry *e = h->table[hashvalue % h->tablelength]; e != NULL; e = e->next)
		if (hashvalue == e->h && memcmp(k, e->k, SHA1_LEN) == 0)
			return e->v;
	return NULL;
}

static void hashtable_insert(struct hashtable *h, void *k, void *v)
{
	struct hash_entry *e = xmalloc(sizeof(*e));
	unsigned int index;

	e->h = hash(k);
	index = e->h % h->tablelength;
	e->k = k;
	e->v = v;
	e->next = h->table[index];
	h->table[index] = e;
}

/* Frees the entries and their values: the unique chunks. */
static void hashtable_destroy(struct hashtable *h)
{
	for (unsigned int i = 0; i < h->tablelength; i++) {
		struct hash_entry *e = h->table[i];
		while (e != NULL) {
			struct hash_entry *f = e;
			e = e->next;
			free(f->v);
			free(f);
		}
		pthread_mutex_destroy(&h->locks[i]);
	}
	free(h->locks);
	free(h->table);
	free(h);
}

/* ---- rabin.c ---- */

static const u32int irrpoly = 0x45c2b6a1;

static u32int fpreduce(u32int x, u32int irr)
{
	for (int i = 32; i != 0; i--) {
		if (x >> 31) {
			x <<= 1;
			x ^= irr;
		} else {
			x <<= 1;
		}
	}
	return x;
}

/*
 * PARSEC calls this with winlen = 0 (rf_win and rf_win_dataprocess are
 * never set), which makes rabinwintab the identity; kept as is.
 */
static void rabininit(int winlen, u32int *rabintab, u32int *rabinwintab)
{
	for (u32int i = 0; i < 256; i++)
		rabintab[i] = fpreduce(i, irrpoly);
	for (u32int i = 0; i < 256; i++) {
		u32int winval = i ^ rabintab[0];
		for (int j = 1; j < winlen; j++)
			winval = (winval << 8) ^ rabintab[winval >> 24];
		rabinwintab[i] = winval;
	}
}

/* Length of the first segment of p: up to the first anchor, or n. */
static int rabinseg(const unsigned char *p, int n, const u32int *rabintab, const u32int *rabinwintab)
{
	int i;
	u32int h = 0, x;

	if (n < NWINDOW)
		return n;
	for (i = 0; i < NWINDOW; i++) {
		x = h >> 24;
		h = (h << 8) | p[i];
		h ^= rabintab[x];
	}
	if ((h & RABIN_MASK) == 0)
		return i;
	while (i < n) {
		x = p[i - NWINDOW];
		h ^= rabinwintab[x];
		x = h >> 24;
		h <<= 8;
		h |= p[i++];
		h ^= rabintab[x];
		if ((h & RABIN_MASK) == 0)
			return i;
	}
	return n;
}

/* ---- encoder.c ---- */

enum stage { FRAGMENT, REFINE, DEDUPLICATE, COMPRESS, REORDER, NSTAGES };

typedef struct {
	size_t total_input, total_dedup, total_compressed, total_output;
	unsigned long nChunks, nDuplicates;
	double sum_size_sq;
	double cpu[NSTAGES]; /* thread CPU time (user + sys) by stage, s */
} stats_t;

struct thread_args {
	int tid;
	int nqueues;
	stats_t stats;
};

static int nthreads = 1;
static unsigned char *input;
static size_t input_size;
static int out_fd;
static struct hashtable *cache;
static queue_t *deduplicate_que, *refine_que, *reorder_que, *compress_que;

static void merge_stats(stats_t *s1, const stats_t *s2)
{
	s1->total_input += s2->total_input;
	s1->total_dedup += s2->total_dedup;
	s1->total_compressed += s2->total_compressed;
	s1->total_output += s2->total_output;
	s1->nChunks += s2->nChunks;
	s1->nDuplicates += s2->nDuplicates;
	s1->sum_size_sq += s2->sum_size_sq;
	for (int i = 0; i < NSTAGES; i++)
		s1->cpu[i] += s2->cpu[i];
}

/* A stage thread's last act: note the CPU time it used. */
static void stage_done(stats_t *s, enum stage stage)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	s->cpu[stage] = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void xwrite(int fd, const void *buf, size_t len, stats_t *s)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t rv = write(fd, p, len);
		if (rv < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("write");
		}
		p += rv;
		len -= (size_t)rv;
		s->total_output += (size_t)rv;
	}
}

static void write_file(int fd, unsigned char type, uint64_t len, const void *content, stats_t *s)
{
	xwrite(fd, &type, sizeof(type), s);
	xwrite(fd, &len, sizeof(len), s);
	xwrite(fd, content, len, s);
}

static void write_header(int fd, stats_t *s)
{
	int checkbit = CHECKBIT;
	unsigned char compress_type = COMPRESS_GZIP;

	xwrite(fd, &checkbit, sizeof(checkbit), s);
	xwrite(fd, &compress_type, sizeof(compress_type), s);
}

/*
 * Write a chunk: its compressed data the first time, its SHA-1 after
 * that. Waits until Compress has produced the data.
 */
static void write_chunk_to_file(int fd, chunk_t *chunk, stats_t *s)
{
	if (chunk->header.isDuplicate)
		chunk = chunk->compressed_data_ref;

	pthread_mutex_lock(&chunk->header.lock);
	while (chunk->header.state == CHUNK_STATE_UNCOMPRESSED)
		pthread_cond_wait(&chunk->header.update, &chunk->header.lock);
	if (chunk->header.state == CHUNK_STATE_COMPRESSED) {
		write_file(fd, TYPE_COMPRESS, chunk->compressed_data.n, chunk->compressed_data.ptr, s);
		mbuffer_free(&chunk->compressed_data);
		chunk->header.state = CHUNK_STATE_FLUSHED;
	} else {
		write_file(fd, TYPE_FINGERPRINT, SHA1_LEN, chunk->sha1, s);
	}
	pthread_mutex_unlock(&chunk->header.lock);
}

static void sub_Compress(chunk_t *chunk)
{
	pthread_mutex_lock(&chunk->header.lock);
	/* zlib needs 0.1% more than the source plus 12 bytes. */
	uLongf n = chunk->uncompressed_data.n + (chunk->uncompressed_data.n >> 9) + 12;
	mbuffer_create(&chunk->compressed_data, n);
	if (compress(chunk->compressed_data.ptr, &n, chunk->uncompressed_data.ptr,
		     chunk->uncompressed_data.n) != Z_OK) {
		fprintf(stderr, "dedup: compression failed\n");
		exit(1);
	}
	if (n < chunk->compressed_data.n)
		mbuffer_realloc(&chunk->compressed_data, n);
	mbuffer_free(&chunk->uncompressed_data);

	chunk->header.state = CHUNK_STATE_COMPRESSED;
	pthread_cond_broadcast(&chunk->header.update);
	pthread_mutex_unlock(&chunk->header.lock);
}

static void *Compress(void *targs)
{
	struct thread_args *args = targs;
	const int qid = args->tid / MAX_THREADS_PER_QUEUE;
	ringbuffer_t recv_buf, send_buf;
	chunk_t *chunk;

	ringbuffer_init(&recv_buf, ITEM_PER_FETCH);
	ringbuffer_init(&send_buf, ITEM_PER_INSERT);
	for (;;) {
		if (ringbuffer_isEmpty(&recv_buf) &&
		    queue_dequeue(&compress_que[qid], &recv_buf, ITEM_PER_FETCH) < 0)
			break;
		chunk = ringbuffer_remove(&recv_buf);
		sub_Compress(chunk);
		args->stats.total_compressed += chunk->compressed_data.n;
		ringbuffer_insert(&send_buf, chunk);
		if (ringbuffer_isFull(&send_buf))
			queue_enqueue(&reorder_que[qid], &send_buf, ITEM_PER_INSERT);
	}
	while (!ringbuffer_isEmpty(&send_buf))
		queue_enqueue(&reorder_que[qid], &send_buf, ITEM_PER_INSERT);
	free(recv_buf.data);
	free(send_buf.data);
	queue_terminate(&reorder_que[qid]);
	stage_done(&args->stats, COMPRESS);
	return NULL;
}

/* SHA-1 the chunk and look it up; insert it if new, else drop its data. */
static int sub_Deduplicate(chunk_t *chunk)
{
	struct sha1_ctx ctx;
	chunk_t *entry;
	int isDuplicate;

	sha1_init(&ctx);
	sha1_update(&ctx, chunk->uncompressed_data.n, chunk->uncompressed_data.ptr);
	sha1_digest(&ctx, SHA1_DIGEST_SIZE, (uint8_t *)chunk->sha1);

	pthread_mutex_t *ht_lock = hashtable_getlock(cache, chunk->sha1);
	pthread_mutex_lock(ht_lock);
	entry = hashtable_search(cache, chunk->sha1);
	isDuplicate = (entry != NULL);
	chunk->header.isDuplicate = isDuplicate;
	if (!isDuplicate) {
		pthread_mutex_init(&chunk->header.lock, NULL);
		pthread_cond_init(&chunk->header.update, NULL);
		hashtable_insert(cache, chunk->sha1, chunk);
	} else {
		chunk->compressed_data_ref = entry;
		mbuffer_free(&chunk->uncompressed_data);
	}
	pthread_mutex_unlock(ht_lock);
	return isDuplicate;
}

static void *Deduplicate(void *targs)
{
	struct thread_args *args = targs;
	const int qid = args->tid / MAX_THREADS_PER_QUEUE;
	ringbuffer_t recv_buf, send_buf_reorder, send_buf_compress;
	chunk_t *chunk;

	ringbuffer_init(&recv_buf, CHUNK_ANCHOR_PER_FETCH);
	ringbuffer_init(&send_buf_reorder, ITEM_PER_INSERT);
	ringbuffer_init(&send_buf_compress, ITEM_PER_INSERT);
	for (;;) {
		if (ringbuffer_isEmpty(&recv_buf) &&
		    queue_dequeue(&deduplicate_que[qid], &recv_buf, CHUNK_ANCHOR_PER_FETCH) < 0)
			break;
		chunk = ringbuffer_remove(&recv_buf);
		size_t n = chunk->uncompressed_data.n;
		if (sub_Deduplicate(chunk)) {
			args->stats.nDuplicates++;
			ringbuffer_insert(&send_buf_reorder, chunk);
			if (ringbuffer_isFull(&send_buf_reorder))
				queue_enqueue(&reorder_que[qid], &send_buf_reorder, ITEM_PER_INSERT);
		} else {
			args->stats.total_dedup += n;
			ringbuffer_insert(&send_buf_compress, chunk);
			if (ringbuffer_isFull(&send_buf_compress))
				queue_enqueue(&compress_que[qid], &send_buf_compress, ITEM_PER_INSERT);
		}
	}
	while (!ringbuffer_isEmpty(&send_buf_compress))
		queue_enqueue(&compress_que[qid], &send_buf_compress, ITEM_PER_INSERT);
	while (!ringbuffer_isEmpty(&send_buf_reorder))
		queue_enqueue(&reorder_que[qid], &send_buf_reorder, ITEM_PER_INSERT);
	free(recv_buf.data);
	free(send_buf_reorder.data);
	free(send_buf_compress.data);
	queue_terminate(&compress_que[qid]);
	stage_done(&args->stats, DEDUPLICATE);
	return NULL;
}

static void refine_send(struct thread_args *args, ringbuffer_t *send_buf, chunk_t *chunk, int qid)
{
	size_t n = chunk->uncompressed_data.n;

	args->stats.nChunks++;
	args->stats.total_input += n;
	args->stats.sum_size_sq += (double)n * (double)n;
	ringbuffer_insert(send_buf, chunk);
	if (ringbuffer_isFull(send_buf))
		queue_enqueue(&deduplicate_que[qid], send_buf, CHUNK_ANCHOR_PER_INSERT);
}

/* Cut coarse fragments into chunks at Rabin anchors. */
static void *FragmentRefine(void *targs)
{
	struct thread_args *args = targs;
	const int qid = args->tid / MAX_THREADS_PER_QUEUE;
	ringbuffer_t recv_buf, send_buf;
	u32int rabintab[256], rabinwintab[256];
	chunk_t *chunk, *temp;

	ringbuffer_init(&recv_buf, MAX_PER_FETCH);
	ringbuffer_init(&send_buf, CHUNK_ANCHOR_PER_INSERT);
	for (;;) {
		if (ringbuffer_isEmpty(&recv_buf) &&
		    queue_dequeue(&refine_que[qid], &recv_buf, MAX_PER_FETCH) < 0)
			break;
		chunk = ringbuffer_remove(&recv_buf);
		rabininit(0, rabintab, rabinwintab);

		sequence_number_t chcount = 0;
		for (;;) {
			int offset = rabinseg(chunk->uncompressed_data.ptr, (int)chunk->uncompressed_data.n,
					      rabintab, rabinwintab);
			chunk->sequence.l2num = chcount++;
			if ((size_t)offset < chunk->uncompressed_data.n) {
				temp = xmalloc(sizeof(chunk_t));
				temp->header.state = chunk->header.state;
				temp->sequence.l1num = chunk->sequence.l1num;
				mbuffer_split(&chunk->uncompressed_data, &temp->uncompressed_data, (size_t)offset);
				chunk->isLastL2Chunk = 0;
				refine_send(args, &send_buf, chunk, qid);
				chunk = temp;
			} else {
				chunk->isLastL2Chunk = 1;
				refine_send(args, &send_buf, chunk, qid);
				break;
			}
		}
	}
	while (!ringbuffer_isEmpty(&send_buf))
		queue_enqueue(&deduplicate_que[qid], &send_buf, CHUNK_ANCHOR_PER_INSERT);
	free(recv_buf.data);
	free(send_buf.data);
	queue_terminate(&deduplicate_que[qid]);
	stage_done(&args->stats, REFINE);
	return NULL;
}

/*
 * Copy the input into MAXBUF buffers (PARSEC's preloading) and cut them
 * into coarse fragments at the first anchor ANCHOR_JUMP past each cut.
 */
static void *Fragment(void *targs)
{
	struct thread_args *args = targs;
	size_t preloading_buffer_seek = 0;
	sequence_number_t anchorcount = 0;
	ringbuffer_t send_buf;
	u32int rabintab[256], rabinwintab[256];
	chunk_t *temp = NULL, *chunk;
	int qid = 0;

	ringbuffer_init(&send_buf, ANCHOR_DATA_PER_INSERT);
	rabininit(0, rabintab, rabinwintab);
	for (;;) {
		size_t bytes_left = temp != NULL ? temp->uncompressed_data.n : 0;

		chunk = xmalloc(sizeof(chunk_t));
		mbuffer_create(&chunk->uncompressed_data, MAXBUF + bytes_left);
		chunk->header.state = CHUNK_STATE_UNCOMPRESSED;
		if (bytes_left > 0) {
			/* Continue the left-over stub in the new buffer. */
			chunk->sequence.l1num = temp->sequence.l1num;
			memcpy(chunk->uncompressed_data.ptr, temp->uncompressed_data.ptr, bytes_left);
			mbuffer_free(&temp->uncompressed_data);
			free(temp);
			temp = NULL;
		} else {
			chunk->sequence.l1num = anchorcount++;
		}
		size_t bytes_read = input_size - preloading_buffer_seek;
		if (bytes_read > MAXBUF)
			bytes_read = MAXBUF;
		memcpy(chunk->uncompressed_data.ptr + bytes_left, input + preloading_buffer_seek, bytes_read);
		preloading_buffer_seek += bytes_read;
		if (bytes_left + bytes_read == 0) {
			mbuffer_free(&chunk->uncompressed_data);
			free(chunk);
			break;
		}
		if (bytes_left + bytes_read < chunk->uncompressed_data.n)
			mbuffer_realloc(&chunk->uncompressed_data, bytes_left + bytes_read);
		if (bytes_read == 0) {
			/* End of input: the stub is the last fragment. */
			ringbuffer_insert(&send_buf, chunk);
			break;
		}
		for (;;) {
			size_t n = chunk->uncompressed_data.n;
			if (n <= ANCHOR_JUMP) {
				temp = chunk;
				break;
			}
			size_t offset = (size_t)rabinseg(chunk->uncompressed_data.ptr + ANCHOR_JUMP,
							 (int)(n - ANCHOR_JUMP), rabintab, rabinwintab);
			if (offset + ANCHOR_JUMP >= n) {
				temp = chunk;
				break;
			}
			temp = xmalloc(sizeof(chunk_t));
			mbuffer_split(&chunk->uncompressed_data, &temp->uncompressed_data, offset + ANCHOR_JUMP);
			temp->header.state = CHUNK_STATE_UNCOMPRESSED;
			temp->sequence.l1num = anchorcount++;
			ringbuffer_insert(&send_buf, chunk);
			if (ringbuffer_isFull(&send_buf)) {
				queue_enqueue(&refine_que[qid], &send_buf, ANCHOR_DATA_PER_INSERT);
				qid = (qid + 1) % args->nqueues;
			}
			chunk = temp;
			temp = NULL;
		}
	}
	while (!ringbuffer_isEmpty(&send_buf)) {
		queue_enqueue(&refine_que[qid], &send_buf, ANCHOR_DATA_PER_INSERT);
		qid = (qid + 1) % args->nqueues;
	}
	free(send_buf.data);
	for (int i = 0; i < args->nqueues; i++)
		queue_terminate(&refine_que[i]);
	stage_done(&args->stats, FRAGMENT);
	return NULL;
}

/* binheap.c: chunks of one fragment waiting for their turn, by l2num. */
typedef struct {
	int capacity, size;
	chunk_t **elements; /* 1-based */
} heap_t;

static heap_t *heap_create(int capacity)
{
	heap_t *h = xmalloc(sizeof(*h));
	h->elements = xmalloc((size_t)(capacity + 1) * sizeof(chunk_t *));
	h->capacity = capacity;
	h->size = 0;
	return h;
}

static void heap_destroy(heap_t *h)
{
	free(h->elements);
	free(h);
}

static void heap_insert(heap_t *h, chunk_t *x)
{
	int i;

	if (h->size == h->capacity) {
		h->capacity *= 2;
		h->elements = realloc(h->elements, (size_t)(h->capacity + 1) * sizeof(chunk_t *));
		if (h->elements == NULL)
			die("realloc");
	}
	for (i = ++h->size; i > 1 && h->elements[i / 2]->sequence.l2num > x->sequence.l2num; i /= 2)
		h->elements[i] = h->elements[i / 2];
	h->elements[i] = x;
}

static void heap_delete_min(heap_t *h)
{
	chunk_t *last = h->elements[h->size--];
	int i, child;

	for (i = 1; i * 2 <= h->size; i = child) {
		child = i * 2;
		if (child != h->size &&
		    h->elements[child + 1]->sequence.l2num < h->elements[child]->sequence.l2num)
			child++;
		if (last->sequence.l2num > h->elements[child]->sequence.l2num)
			h->elements[i] = h->elements[child];
		else
			break;
	}
	h->elements[i] = last;
}

/*
 * Write chunks in input order. Out-of-order chunks wait in a heap per
 * coarse fragment (PARSEC keeps those heaps in a search tree by l1num;
 * here an array indexed by l1num holds them).
 */
static void *Reorder(void *targs)
{
	struct thread_args *args = targs;
	sequence_t next = { 0, 0 };
	size_t max = 1024;
	sequence_number_t *chunks_per_anchor = calloc(max, sizeof(*chunks_per_anchor));
	heap_t **pending = calloc(max, sizeof(*pending));
	ringbuffer_t recv_buf;
	chunk_t *chunk;
	unsigned long cached = 0;
	int qid = 0, r;

	if (chunks_per_anchor == NULL || pending == NULL)
		die("calloc");
	ringbuffer_init(&recv_buf, ITEM_PER_FETCH);
	write_header(out_fd, &args->stats);
	for (;;) {
		if (ringbuffer_isEmpty(&recv_buf)) {
			/* Visit the queues round-robin. */
			r = 0;
			for (int i = 0; r <= 0 && i < args->nqueues; i++) {
				r = queue_dequeue(&reorder_que[qid], &recv_buf, ITEM_PER_FETCH);
				qid = (qid + 1) % args->nqueues;
			}
			if (r < 0)
				break;
		}
		chunk = ringbuffer_remove(&recv_buf);
		while (chunk->sequence.l1num >= max) {
			chunks_per_anchor = realloc(chunks_per_anchor, 2 * max * sizeof(*chunks_per_anchor));
			pending = realloc(pending, 2 * max * sizeof(*pending));
			if (chunks_per_anchor == NULL || pending == NULL)
				die("realloc");
			memset(&chunks_per_anchor[max], 0, max * sizeof(*chunks_per_anchor));
			memset(&pending[max], 0, max * sizeof(*pending));
			max *= 2;
		}
		if (chunk->isLastL2Chunk)
			chunks_per_anchor[chunk->sequence.l1num] = chunk->sequence.l2num + 1;

		if (chunk->sequence.l1num != next.l1num || chunk->sequence.l2num != next.l2num) {
			heap_t **h = &pending[chunk->sequence.l1num];
			if (*h == NULL)
				*h = heap_create(INITIAL_SEARCH_TREE_SIZE);
			heap_insert(*h, chunk);
			cached++;
			continue;
		}
		/* chunk is next: write it and every cached successor. */
		while (chunk != NULL) {
			write_chunk_to_file(out_fd, chunk, &args->stats);
			if (chunk->header.isDuplicate)
				free(chunk);
			next.l2num++;
			if (chunks_per_anchor[next.l1num] != 0 && next.l2num == chunks_per_anchor[next.l1num]) {
				next.l1num++;
				next.l2num = 0;
			}
			heap_t **h = next.l1num < max ? &pending[next.l1num] : NULL;
			chunk = NULL;
			if (h != NULL && *h != NULL && (*h)->elements[1]->sequence.l2num == next.l2num) {
				chunk = (*h)->elements[1];
				heap_delete_min(*h);
				cached--;
				if ((*h)->size == 0) {
					heap_destroy(*h);
					*h = NULL;
				}
			}
		}
	}
	if (cached != 0) {
		fprintf(stderr, "dedup: reorder: %lu chunks out of sequence at the end\n", cached);
		exit(1);
	}
	free(recv_buf.data);
	free(chunks_per_anchor);
	free(pending);
	stage_done(&args->stats, REORDER);
	return NULL;
}

/* One run of the original's Encode() over the whole input. */
static void encode(stats_t *total)
{
	const int nqueues = (nthreads + MAX_THREADS_PER_QUEUE - 1) / MAX_THREADS_PER_QUEUE;
	pthread_t t_fragment, t_reorder, t_refine[MAX_THREADS], t_dedup[MAX_THREADS], t_compress[MAX_THREADS];
	struct thread_args a_fragment = { 0, nqueues, { 0 } }, a_reorder = { 0, nqueues, { 0 } };
	struct thread_args a_refine[MAX_THREADS], a_dedup[MAX_THREADS], a_compress[MAX_THREADS];
	int err = 0;

	cache = hashtable_create(HASHTABLE_SIZE);
	deduplicate_que = xmalloc(sizeof(queue_t) * (size_t)nqueues);
	refine_que = xmalloc(sizeof(queue_t) * (size_t)nqueues);
	reorder_que = xmalloc(sizeof(queue_t) * (size_t)nqueues);
	compress_que = xmalloc(sizeof(queue_t) * (size_t)nqueues);
	for (int i = 0; i < nqueues; i++) {
		int per_queue = (i < nqueues - 1 || nthreads % MAX_THREADS_PER_QUEUE == 0)
					? MAX_THREADS_PER_QUEUE : nthreads % MAX_THREADS_PER_QUEUE;
		queue_init(&deduplicate_que[i], QUEUE_SIZE, per_queue);
		queue_init(&refine_que[i], QUEUE_SIZE, 1);
		queue_init(&reorder_que[i], QUEUE_SIZE, per_queue);
		queue_init(&compress_que[i], QUEUE_SIZE, per_queue);
	}

	err |= pthread_create(&t_fragment, NULL, Fragment, &a_fragment);
	for (int i = 0; i < nthreads; i++) {
		a_refine[i] = (struct thread_args){ i, nqueues, { 0 } };
		err |= pthread_create(&t_refine[i], NULL, FragmentRefine, &a_refine[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		a_dedup[i] = (struct thread_args){ i, nqueues, { 0 } };
		err |= pthread_create(&t_dedup[i], NULL, Deduplicate, &a_dedup[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		a_compress[i] = (struct thread_args){ i, nqueues, { 0 } };
		err |= pthread_create(&t_compress[i], NULL, Compress, &a_compress[i]);
	}
	err |= pthread_create(&t_reorder, NULL, Reorder, &a_reorder);
	if (err) {
		fprintf(stderr, "dedup: pthread_create failed\n");
		exit(1);
	}

	pthread_join(t_fragment, NULL);
	merge_stats(total, &a_fragment.stats);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t_refine[i], NULL);
		merge_stats(total, &a_refine[i].stats);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t_dedup[i], NULL);
		merge_stats(total, &a_dedup[i].stats);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t_compress[i], NULL);
		merge_stats(total, &a_compress[i].stats);
	}
	pthread_join(t_reorder, NULL);
	merge_stats(total, &a_reorder.stats);

	for (int i = 0; i < nqueues; i++) {
		queue_destroy(&deduplicate_que[i]);
		queue_destroy(&refine_que[i]);
		queue_destroy(&reorder_que[i]);
		queue_destroy(&compress_que[i]);
	}
	free(deduplicate_que);
	free(refine_que);
	free(reorder_que);
	free(compress_que);
	hashtable_destroy(cache);
}

/*
 * A pass runs in a child process, so that every pass starts with fresh
 * malloc arenas, as a run of the original does: in a process that has
 * run a pass before, the arenas are grown already and glibc trims them
 * (madvise, TLB shootdowns) far less often.
 */
static void run_pass(stats_t *total)
{
	stats_t s = { 0 };
	size_t got = 0;
	int fds[2], status;

	if (pipe(fds) < 0)
		die("pipe");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(fds[0]);
		encode(&s);
		if (write(fds[1], &s, sizeof(s)) != (ssize_t)sizeof(s))
			die("write to parent");
		_exit(0);
	}
	close(fds[1]);
	while (got < sizeof(s)) {
		ssize_t r = read(fds[0], (char *)&s + got, sizeof(s) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (got != sizeof(s) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "dedup: a pass failed\n");
		exit(1);
	}
	merge_stats(total, &s);
}

/* ---- input generation ---- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* rabinseg() fed one byte at a time: does the segment begun at start end after buf[pos]? */
struct anchor_scan {
	size_t start;
	u32int h;
};

static int scan_step(struct anchor_scan *s, const unsigned char *buf, size_t pos,
		     const u32int *rabintab, const u32int *rabinwintab)
{
	u32int x;

	if (pos - s->start < NWINDOW) {
		x = s->h >> 24;
		s->h = ((s->h << 8) | buf[pos]) ^ rabintab[x];
		return pos - s->start == NWINDOW - 1 && (s->h & RABIN_MASK) == 0;
	}
	s->h ^= rabinwintab[buf[pos - NWINDOW]];
	x = s->h >> 24;
	s->h = ((s->h << 8) | buf[pos]) ^ rabintab[x];
	return (s->h & RABIN_MASK) == 0;
}

/* Fresh data: regions of text-like words (compressible) or random bytes. */
struct fresh {
	uint64_t rng;
	size_t left; /* bytes left in the current region */
	int text;
	int text_percent;
	char words[4096][12];
	const char *word; /* rest of the current word, text regions */
};

static void fresh_init(struct fresh *f, int text_percent)
{
	f->rng = 0xded0b;
	f->left = 0;
	f->word = "";
	f->text_percent = text_percent;
	for (int i = 0; i < 4096; i++) {
		int len = 2 + (int)(rng_next(&f->rng) % 9);
		for (int j = 0; j < len; j++)
			f->words[i][j] = (char)('a' + rng_next(&f->rng) % 26);
		f->words[i][len] = (rng_next(&f->rng) % 10 == 0) ? '\n' : ' ';
		f->words[i][len + 1] = '\0';
	}
}

static unsigned char fresh_byte(struct fresh *f)
{
	if (f->left == 0) {
		f->text = (int)(rng_next(&f->rng) % 100) < f->text_percent;
		f->left = 16384 + rng_next(&f->rng) % (256 * 1024);
	}
	f->left--;
	if (!f->text)
		return (unsigned char)rng_next(&f->rng);
	if (*f->word == '\0') {
		/* Skewed word choice: small indices are common, as in prose. */
		uint64_t r = rng_next(&f->rng);
		unsigned a = (unsigned)(r & 4095), b = (unsigned)((r >> 12) & 4095);
		f->word = f->words[a < b ? a : b];
	}
	return (unsigned char)*f->word++;
}

/*
 * The generator's scratch memory bypasses malloc: freeing an mmap()ed
 * malloc block raises glibc's mmap and trim thresholds for the whole
 * process, and the pipeline would then trim its arenas less than the
 * original does.
 */
static void *scratch_alloc(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/*
 * Build `size` bytes in which a chunk repeats an earlier one with the
 * given probability. PARSEC's anchoring only finds a repeat whose first
 * byte starts a segment, because with a window length of 0 the fingerprint
 * depends on every byte since the segment began. So the generator runs
 * both anchorings (Fragment's coarse one, FragmentRefine's fine one) as
 * it writes, starts repeats only at a fine anchor, and copies only whole
 * fine segments; fresh data runs up to the next anchor.
 */
static void generate_input(size_t size, int dup_percent, int text_percent)
{
	u32int rabintab[256], rabinwintab[256];
	struct anchor_scan fine = { 0, 0 }, coarse = { 0, 0 };
	size_t coarse_from = ANCHOR_JUMP; /* where the next coarse scan starts */
	/* Where repeatable segments start: at most one per NWINDOW bytes. */
	size_t nlib = 0, pos = 0, lib_bytes = (size / NWINDOW + 1) * sizeof(size_t);
	size_t *lib = scratch_alloc(lib_bytes);
	struct fresh *f = scratch_alloc(sizeof(*f));
	uint64_t rng = 0xd0b1e;

	input = xmalloc(size);
	input_size = size;
	rabininit(0, rabintab, rabinwintab);
	fresh_init(f, text_percent);
	while (pos < size) {
		/* Here a fine segment begins: repeat a whole earlier one, or write fresh data. */
		size_t start = pos, src = 0;
		int copy = nlib > 0 && (int)(rng_next(&rng) % 100) < dup_percent;
		if (copy)
			src = lib[rng_next(&rng) % nlib];
		for (;;) {
			input[pos] = copy ? input[src + pos - start] : fresh_byte(f);
			int coarse_cut = pos >= coarse_from &&
					 scan_step(&coarse, input, pos, rabintab, rabinwintab);
			int fine_cut = scan_step(&fine, input, pos, rabintab, rabinwintab);
			pos++;
			if (coarse_cut)
				coarse_from = pos + ANCHOR_JUMP;
			else if (pos == coarse_from)
				coarse = (struct anchor_scan){ pos, 0 };
			/* A fresh segment that ends at a fine anchor can be repeated. */
			if (fine_cut && !copy)
				lib[nlib++] = start;
			if (fine_cut || coarse_cut) {
				fine = (struct anchor_scan){ pos, 0 };
				break;
			}
			if (pos == size)
				break;
		}
	}
	munmap(lib, lib_bytes);
	munmap(f, sizeof(*f));
}

static void read_input(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	input_size = (size_t)st.st_size;
	input = xmalloc(input_size ? input_size : 1);
	for (size_t got = 0; got < input_size;) {
		ssize_t r = read(fd, input + got, input_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die(path);
		got += (size_t)r;
	}
	close(fd);
}

/* ---- main ---- */

static const char *cmd;

static void usage(void)
{
	fprintf(stderr,
		"Usage: %s [-t THREADS] [-d SECONDS] [-s MIB] [-u PERCENT] [-x PERCENT] [-i FILE] [-o FILE]\n"
		"-t THREADS  threads per parallel stage (1); 3 * THREADS + 2 in all\n"
		"-d SECONDS  repeat passes over the input until at least this long (0: one pass)\n"
		"-s MIB      size of the generated input (64)\n"
		"-u PERCENT  chance that a chunk repeats an earlier one (40)\n"
		"-x PERCENT  share of fresh data that is text rather than random bytes (60)\n"
		"-i FILE     use this file as the input instead of generating one\n"
		"-o FILE     output file (/dev/null)\n",
		cmd);
}

#include "opts.h"

static long parse_long(int opt, const char *arg, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		char why[80];
		snprintf(why, sizeof(why), "expects an integer from %ld to %ld", min, max);
		bad_option(opt, why);
	}
	return v;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

int main(int argc, char *argv[])
{
	const char *in_path = NULL, *out_path = "/dev/null";
	long size_mib = 64, dup_percent = 40, text_percent = 60;
	double seconds = 0.0;
	int c;

	cmd = argv[0];
	opterr = 0;
	while ((c = getopt(argc, argv, ":t:d:s:u:x:i:o:")) != -1) {
		switch (c) {
		case 't': nthreads = (int)parse_long(c, optarg, 1, MAX_THREADS); break;
		case 's': size_mib = parse_long(c, optarg, 1, 4096); break;
		case 'u': dup_percent = parse_long(c, optarg, 0, 100); break;
		case 'x': text_percent = parse_long(c, optarg, 0, 100); break;
		case 'i': in_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'd': seconds = parse_seconds(c, optarg, true); break;
		case ':': bad_option(optopt, "needs an argument"); break;
		default: bad_option(optopt, "unknown option"); break;
		}
	}
	no_operands(argc, argv);

	if (in_path != NULL)
		read_input(in_path);
	else
		generate_input((size_t)size_mib << 20, (int)dup_percent, (int)text_percent);
	out_fd = open(out_path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (out_fd < 0)
		die(out_path);
	for (int i = 0; i < NUMBER_OF_LOCKS; i++)
		pthread_spin_init(&mbuffer_locks[i], PTHREAD_PROCESS_PRIVATE);

	stats_t s = { 0 };
	struct timespec start, now;
	long passes = 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		run_pass(&s);
		passes++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (ts_diff(&now, &start) < seconds);
	double elapsed = ts_diff(&now, &start);
	close(out_fd);

	double mean = s.nChunks ? (double)s.total_input / (double)s.nChunks : 0.0;
	double var = s.nChunks ? s.sum_size_sq / (double)s.nChunks - mean * mean : 0.0;
	printf("Passes:                        %14ld (input %.2f MiB, %d threads per stage)\n",
	       passes, (double)input_size / 1048576.0, nthreads);
	printf("Total input size:              %14.2f MiB\n", (double)s.total_input / 1048576.0);
	printf("Total output size:             %14.2f MiB\n", (double)s.total_output / 1048576.0);
	printf("Effective compression factor:  %14.2fx\n", (double)s.total_input / (double)s.total_output);
	printf("Mean data chunk size:          %14.2f KiB (stddev: %.2f KiB)\n",
	       mean / 1024.0, sqrt(var > 0.0 ? var : 0.0) / 1024.0);
	printf("Amount of duplicate chunks:    %14.2f%%\n",
	       s.nChunks ? 100.0 * (double)s.nDuplicates / (double)s.nChunks : 0.0);
	printf("Data size after deduplication: %14.2f MiB\n", (double)s.total_dedup / 1048576.0);
	printf("Data size after compression:   %14.2f MiB\n", (double)s.total_compressed / 1048576.0);
	printf("Stage CPU time (s):            Fragment %.2f, FragmentRefine %.2f, Deduplicate %.2f, "
	       "Compress %.2f, Reorder %.2f\n", s.cpu[FRAGMENT], s.cpu[REFINE], s.cpu[DEDUPLICATE],
	       s.cpu[COMPRESS], s.cpu[REORDER]);
	double us = s.nChunks ? 1e6 / (double)s.nChunks : 0.0;
	printf("Stage CPU per chunk (us):      Fragment %.1f, FragmentRefine %.1f, Deduplicate %.1f, "
	       "Compress %.1f (%.1f per new chunk), Reorder %.1f\n", s.cpu[FRAGMENT] * us,
	       s.cpu[REFINE] * us, s.cpu[DEDUPLICATE] * us, s.cpu[COMPRESS] * us,
	       s.nChunks > s.nDuplicates ? s.cpu[COMPRESS] * 1e6 / (double)(s.nChunks - s.nDuplicates) : 0.0,
	       s.cpu[REORDER] * us);
	printf("%.0f chunks/s, %.2f MiB/s\n", (double)s.nChunks / elapsed,
	       (double)s.total_input / 1048576.0 / elapsed);
	printf("unit chunk\n");
	printf("ops %lu\n", s.nChunks);
	printf("seconds %.6f\n", elapsed);
	return 0;
}
