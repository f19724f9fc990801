// SPDX-License-Identifier: MIT
/*
 * newidle.c - loader of newidle.bpf.c: traces the scheduler's blocking
 * context switches while a command runs and writes the events to a file.
 *
 * Usage: newidle OUT.bin COMMAND [ARG...]
 *
 * Loads and attaches the BPF program (raw tracepoints sched_entry_tp,
 * sched_exit_tp, sched_update_nr_running_tp, sched_migrate_task,
 * sched_process_fork, sched_switch), starts COMMAND with its pid marked as
 * traced (its children are marked by the program on fork), drains the
 * ring buffer every 50 ms until COMMAND exits, and writes OUT.bin: a
 * struct newidle_file_header and the struct newidle_event records
 * (newidle.h), analysed by analyze.py.  SIGINT and SIGTERM are passed on
 * to COMMAND; tracing ends when it exits.
 *
 * Prints on stdout, "key value" per line:
 *   events        records written
 *   own_events    of which a task of COMMAND blocked
 *   dropped       records lost to a full ring buffer
 *   command_exit  COMMAND's exit status (128 + signal if killed)
 *
 * Exit status: 0, 1 on an error or if COMMAND failed, 2 on bad usage.
 * Needs root (CAP_BPF and CAP_PERFMON), a kernel with BTF
 * (/sys/kernel/btf/vmlinux) and the bare tracepoints above (sched_entry_tp
 * and sched_exit_tp are recent: present in 6.18).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "newidle.h"
#include "newidle.skel.h"

struct sink {
	FILE *out;
	unsigned long long events, own;
};

/* The program does not wake the reader (BPF_RB_NO_WAKEUP, less overhead
 * in the scheduler), so the ring buffer is read on a timer. */
static const struct timespec drain_interval = { .tv_nsec = 50 * 1000 * 1000 };

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct sink *sink = ctx;
	const struct newidle_event *e = data;

	if (size < sizeof(*e)) {
		fprintf(stderr, "newidle: short event (%zu bytes)\n", size);
		return -EINVAL;
	}
	if (fwrite(e, sizeof(*e), 1, sink->out) != 1) {
		perror("newidle: write");
		return -EIO;
	}
	sink->events++;
	sink->own += e->own != 0;
	return 0;
}

/*
 * Fork COMMAND, held on a pipe until its pid is in the tracked map.
 * Returns its pid, or -1 (message printed).
 */
static pid_t start_command(char **argv, int tracked_fd)
{
	int sync[2];
	if (pipe(sync) != 0) {
		perror("newidle: pipe");
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("newidle: fork");
		return -1;
	}
	if (pid == 0) {
		char go;
		close(sync[1]);
		if (read(sync[0], &go, 1) != 1)
			_exit(127);
		close(sync[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "newidle: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(sync[0]);
	__u32 key = (__u32)pid;
	__u8 one = 1;
	int err = bpf_map_update_elem(tracked_fd, &key, &one, BPF_ANY);
	if (err) {
		fprintf(stderr, "newidle: tracking pid %d: %s\n", (int)pid,
			strerror(errno));
		close(sync[1]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (write(sync[1], "g", 1) != 1) {
		perror("newidle: pipe write");
		close(sync[1]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(sync[1]);
	return pid;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argv[1][0] == '\0' || argv[2][0] == '\0') {
		fprintf(stderr, "usage: newidle OUT.bin COMMAND [ARG...]\n");
		return 2;
	}
	const char *path = argv[1];

	struct newidle_bpf *skel = newidle_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr,
			"newidle: loading the BPF program failed (%s); "
			"needs root and kernel BTF\n",
			strerror(errno));
		return 1;
	}
	int err = newidle_bpf__attach(skel);
	if (err) {
		fprintf(stderr,
			"newidle: attaching to the raw tracepoints "
			"failed (%s); needs sched_entry_tp, sched_exit_tp, "
			"sched_update_nr_running_tp (recent kernels, e.g. 6.18)\n",
			strerror(-err));
		newidle_bpf__destroy(skel);
		return 1;
	}
	struct sink sink = { .out = fopen(path, "wb") };
	struct newidle_file_header hdr = {
		.magic = NEWIDLE_MAGIC,
		.version = NEWIDLE_VERSION,
		.record_size = sizeof(struct newidle_event),
	};
	if (!sink.out || fwrite(&hdr, sizeof(hdr), 1, sink.out) != 1) {
		fprintf(stderr, "newidle: %s: %s\n", path, strerror(errno));
		newidle_bpf__destroy(skel);
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(
		bpf_map__fd(skel->maps.events), on_event, &sink, NULL);
	if (!rb) {
		fprintf(stderr, "newidle: ring buffer: %s\n", strerror(errno));
		newidle_bpf__destroy(skel);
		return 1;
	}

	struct sigaction sa = { .sa_handler = forward_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pid_t pid = start_command(argv + 2, bpf_map__fd(skel->maps.tracked));
	if (pid < 0) {
		ring_buffer__free(rb);
		newidle_bpf__destroy(skel);
		return 1;
	}
	child_pid = pid;

	int status = 0, rc = 0;
	for (;;) {
		nanosleep(&drain_interval, NULL);
		int n = ring_buffer__consume(rb);
		if (n < 0) {
			rc = 1;
			kill(pid, SIGTERM);
			waitpid(pid, &status, 0);
			break;
		}
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			perror("newidle: waitpid");
			rc = 1;
			break;
		}
	}
	child_pid = 0;
	newidle_bpf__detach(skel);
	if (ring_buffer__consume(rb) < 0)
		rc = 1;
	__u64 dropped = skel->bss->dropped;
	ring_buffer__free(rb);
	newidle_bpf__destroy(skel);
	if (fclose(sink.out) != 0) {
		fprintf(stderr, "newidle: %s: %s\n", path, strerror(errno));
		rc = 1;
	}

	int cmd_exit = WIFEXITED(status) ? WEXITSTATUS(status) :
					   128 + WTERMSIG(status);
	printf("events %llu\n", sink.events);
	printf("own_events %llu\n", sink.own);
	printf("dropped %llu\n", (unsigned long long)dropped);
	printf("command_exit %d\n", cmd_exit);
	if (cmd_exit != 0)
		fprintf(stderr, "newidle: %s exited with status %d\n", argv[2],
			cmd_exit);
	return rc || cmd_exit ? 1 : 0;
}
