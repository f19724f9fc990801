// SPDX-License-Identifier: MIT
/*
 * The shared engine room of `oversub run` and `oversub compare`: options,
 * the job list (policy x seed), running it in-process or in -j N forked
 * children that send their metrics back through a pipe, the TTY progress
 * line, the trace written to a temporary file and renamed on success, and
 * the report. Output is printed only after every job succeeded.
 */
#include "cli/runner.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/kvmjob.h"
#include "cli/tmpguard.h"
#include "vmm/costs.h"
#include "vmm/vmm.h"
#include "core/guard.h"
#include "report/report.h"
#include "report/trace.h"
#include "scenario/units.h"
#include "sim/sim.h"

enum {
	OPT_SEED = 256,
	OPT_JSON,
	OPT_CSV,
	OPT_TRACE,
	OPT_TRACE_WINDOW,
	OPT_PER_VCPU,
	OPT_CHECK,
	OPT_POLICIES,
	OPT_ENGINE,
	OPT_IRQCHIP,
	OPT_TRACE_MAX,
};

int runner_parse_jobs(const char *cmd, const char *arg, unsigned int *jobs)
{
	u64 v;

	if (parse_u64(arg, &v) || v < 1 || v > RUNNER_MAX_JOBS)
		return cli_usage_error(cmd, "-j: expected 1..%d, got '%s'",
				       RUNNER_MAX_JOBS, arg);
	*jobs = (unsigned int)v;
	return 0;
}

/* "START..END", either side may be empty (0 .. end of the run). */
static int parse_window(struct run_opts *o, const char *arg)
{
	const char *dots = strstr(arg, "..");
	char start[64];
	size_t n;

	if (!dots || (size_t)(dots - arg) >= sizeof(start))
		return cli_usage_error(
			o->cmd,
			"--trace-window: expected START..END (e.g. 100ms..200ms), got '%s'",
			arg);
	n = (size_t)(dots - arg);
	memcpy(start, arg, n);
	start[n] = '\0';
	o->win_start = 0;
	o->win_end = UINT64_MAX;
	if (n && parse_duration_ns(start, &o->win_start))
		return cli_usage_error(
			o->cmd,
			"--trace-window: bad start '%s' (a duration like 100ms)",
			start);
	if (dots[2] && parse_duration_ns(dots + 2, &o->win_end))
		return cli_usage_error(
			o->cmd,
			"--trace-window: bad end '%s' (a duration like 200ms)",
			dots + 2);
	if (o->win_end <= o->win_start)
		return cli_usage_error(
			o->cmd,
			"--trace-window: end must be after start, got '%s'",
			arg);
	return 0;
}

/* "512M", "2G", "1048576": bytes, K/M/G binary multiples, at least 1 MiB */
static int parse_size(const char *s, u64 *out)
{
	char digits[32];
	size_t n = strspn(s, "0123456789");
	u64 v, mul = 1;

	if (!n || n >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (parse_u64(digits, &v))
		return -EINVAL;
	if (s[n]) {
		const char *units = "KMG";
		const char *u = strchr(units, s[n]);

		if (!u || s[n + 1])
			return -EINVAL;
		mul = 1ull << (10 * (u - units + 1));
	}
	if (v > UINT64_MAX / mul || v * mul < (1u << 20))
		return -EINVAL;
	*out = v * mul;
	return 0;
}

static int parse_policies(struct run_opts *o, char *arg)
{
	struct policy p;
	char *save = NULL, *tok;

	o->nr_policies = 0;
	if (!*arg || arg[strlen(arg) - 1] == ',' || *arg == ',' ||
	    strstr(arg, ",,"))
		return cli_usage_error(
			o->cmd, "--policies: empty policy name in '%s'", arg);
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (policy_preset(&p, tok)) {
			fprintf(stderr,
				"%s: --policies: unknown policy '%s' (one of:",
				o->cmd, tok);
			for (size_t i = 0; i < policy_nr_presets; i++)
				fprintf(stderr, " %s", policy_presets[i].name);
			fprintf(stderr, ")\n");
			return EXIT_USAGE;
		}
		if (o->nr_policies == RUNNER_MAX_POLICIES)
			return cli_usage_error(
				o->cmd, "--policies: at most %d policies",
				RUNNER_MAX_POLICIES);
		for (unsigned int i = 0; i < o->nr_policies; i++)
			if (!strcmp(o->policies[i], tok))
				return cli_usage_error(
					o->cmd, "--policies: '%s' twice", tok);
		o->policies[o->nr_policies++] = tok;
	}
	return 0;
}

int runner_parse(int argc, char **argv, struct run_opts *o,
		 void (*usage)(FILE *f))
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "trace-window", required_argument, NULL, OPT_TRACE_WINDOW },
		{ "per-vcpu", no_argument, NULL, OPT_PER_VCPU },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "jobs", required_argument, NULL, 'j' },
		{ "policies", required_argument, NULL, OPT_POLICIES },
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
		{ "trace-max", required_argument, NULL, OPT_TRACE_MAX },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, csv = false, window = false, irqchip = false;
	int c, ret;

	o->out = OUT_TEXT;
	o->jobs = 1;
	o->trace_max = RUNNER_TRACE_MAX_DEFAULT;
	o->win_start = 0;
	o->win_end = UINT64_MAX;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hj:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return -1;
		case OPT_SEED:
			if (parse_u64(optarg, &o->seed))
				return cli_usage_error(
					o->cmd,
					"--seed: expected an unsigned integer, got '%s'",
					optarg);
			o->has_seed = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_CSV:
			csv = true;
			break;
		case OPT_TRACE:
			if (!*optarg)
				return cli_usage_error(
					o->cmd, "--trace: empty file name");
			o->trace = optarg;
			break;
		case OPT_TRACE_MAX:
			if (parse_size(optarg, &o->trace_max))
				return cli_usage_error(
					o->cmd,
					"--trace-max: a size like 512M or 2G "
					"(bytes, K, M, G; at least 1M), got '%s'",
					optarg);
			break;
		case OPT_TRACE_WINDOW:
			ret = parse_window(o, optarg);
			if (ret)
				return ret;
			window = true;
			break;
		case OPT_PER_VCPU:
			o->per_vcpu = true;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case 'j':
			ret = runner_parse_jobs(o->cmd, optarg, &o->jobs);
			if (ret)
				return ret;
			break;
		case OPT_ENGINE:
			if (o->engine_fixed)
				return cli_usage_error(
					o->cmd, "--engine: %s always runs on "
					"the KVM engine", o->cmd);
			if (!strcmp(optarg, "kvm"))
				o->kvm = true;
			else if (!strcmp(optarg, "sim"))
				o->kvm = false;
			else
				return cli_usage_error(
					o->cmd,
					"--engine: sim or kvm, got '%s'",
					optarg);
			break;
		case OPT_IRQCHIP:
			if (!strcmp(optarg, "kernel"))
				o->kernel_irqchip = true;
			else if (!strcmp(optarg, "user"))
				o->kernel_irqchip = false;
			else
				return cli_usage_error(
					o->cmd,
					"--irqchip: user or kernel, got '%s'",
					optarg);
			irqchip = true;
			break;
		case OPT_POLICIES:
			if (!o->compare)
				return cli_bad_option(o->cmd, argc, argv);
			ret = parse_policies(o, optarg);
			if (ret)
				return ret;
			break;
		case ':':
			return cli_usage_error(o->cmd,
					       "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_bad_option(o->cmd, argc, argv);
		}
	}
	if (json && csv)
		return cli_usage_error(o->cmd,
				       "--json and --csv exclude each other");
	o->out = json ? OUT_JSON : csv ? OUT_CSV : OUT_TEXT;
	if (window && !o->trace)
		return cli_usage_error(o->cmd,
				       "--trace-window needs --trace FILE");
	ret = cli_scenario_arg(o->cmd, argc, argv, &o->file);
	if (ret)
		return ret;
	if (o->compare && !o->nr_policies)
		return cli_usage_error(o->cmd,
				       "--policies a,b,... is required");
	if (irqchip && !o->kvm)
		return cli_usage_error(o->cmd, "--irqchip: with the KVM engine "
				       "only (--engine kvm)");
	if (o->kvm && o->trace)
		return cli_usage_error(o->cmd, "--trace: not with the KVM "
				       "engine yet");
	if (o->kvm && o->check)
		return cli_usage_error(o->cmd, "--check: the simulator's only");
	if (o->kvm && o->jobs > 1)
		return cli_usage_error(o->cmd, "-j: the KVM engine runs one "
				       "job at a time (they would share the "
				       "host CPUs)");
	return 0;
}

/* --- jobs --- */

struct runner {
	const struct run_opts *o;
	const char *const *names; /* [nr_policies] */
	const u64 *seeds;
	unsigned int nr_policies, nr_seeds;
	struct runner_batch b;
};

typedef struct runner_batch batch_t;
typedef struct runner_job job_t;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "1:02:03" or "2:03" */
static void hms(char *buf, size_t len, double s)
{
	unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60,
			 t % 60);
	else
		snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

/*
 * The progress line: done/total, elapsed time and, once a job of this
 * batch ended, the time left at the pace so far. On a TTY redrawn in
 * place with the job's label (@j, or NULL); with log, one line every 5 s.
 */
static void progress(batch_t *r, const job_t *j)
{
	unsigned int total = r->total ? r->total : r->nr_jobs;
	unsigned int done = r->before + r->done;
	double t = now(), el = t - r->start;
	char e[32], left[64] = "";

	if (!r->tty && (!r->log || t - r->last_log < 5))
		return;
	hms(e, sizeof(e), el);
	if (r->done) {
		char l[32];

		hms(l, sizeof(l), el / r->done * (r->nr_jobs - r->done));
		snprintf(left, sizeof(left), ", ETA %s", l);
	}
	if (r->tty) {
		struct winsize ws;
		char line[256];
		int n = snprintf(line, sizeof(line), "[%u/%u] %s elapsed%s%s%s",
				 done, total, e, left, j ? " - " : "",
				 j ? j->label : "");

		/* one screen line, or \r would not go back to its start */
		if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 1 &&
		    n >= ws.ws_col && (size_t)ws.ws_col - 1 < sizeof(line))
			line[ws.ws_col - 1] = '\0';
		fprintf(stderr, "\r%s\033[K", line);
	} else {
		fprintf(stderr, "%s: %u/%u runs, %s elapsed%s\n",
			r->cmd ? r->cmd : "oversub", done, total, e, left);
		r->last_log = t;
	}
	fflush(stderr);
}

static void progress_clear(batch_t *r)
{
	if (r->tty)
		fputs("\r\033[K", stderr);
}

static int run_one(batch_t *r, job_t *j, const struct sim_trace_ops *trace)
{
	char err[400];
	int ret;

	if (r->kvm)
		ret = kvmjob_run(&j->cfg, NULL, r->kernel_irqchip, &j->m, err,
				 sizeof(err));
	else
		ret = sim_run(&j->cfg, trace, r->check, &j->m, err,
			      sizeof(err));
	if (ret)
		snprintf(r->err, sizeof(r->err), "%s: %s: %s", r->file,
			 j->label, err);
	return ret;
}

/* Child: run @j and write 'M' + metrics or 'E' + message to @fd. */
static void __attribute__((noreturn)) child_run(batch_t *r, job_t *j, int fd)
{
	FILE *f = fdopen(fd, "w");
	int ret;

	if (!f)
		_exit(3);
	ret = run_one(r, j, NULL);
	if (ret) {
		fprintf(f, "E%d:%s", ret, r->err);
	} else {
		fputc('M', f);
		if (metrics_write(f, &j->m))
			_exit(3);
	}
	_exit(fclose(f) ? 3 : 0);
}

static int job_start(batch_t *r, job_t *j)
{
	pid_t parent;
	int p[2];

	if (pipe(p)) {
		snprintf(r->err, sizeof(r->err), "pipe: %s", strerror(errno));
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	parent = getpid();
	j->pid = fork();
	if (j->pid < 0) {
		snprintf(r->err, sizeof(r->err), "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -EAGAIN;
	}
	if (!j->pid) {
		/* die with the parent, also when it is killed outright */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(3);
		close(p[0]);
		child_run(r, j, p[1]);
	}
	close(p[1]);
	j->fd = p[0];
	return 0;
}

/* All of @j's output is in: reap the child and decode. */
static int job_finish(batch_t *r, job_t *j)
{
	int status = 0, ret = 0;
	FILE *f;

	close(j->fd);
	j->fd = -1;
	while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
		;
	j->pid = 0;
	if (!j->len || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(r->err, sizeof(r->err),
			 "%s: %s: worker process failed", r->file, j->label);
		return -EIO;
	}
	if (j->buf[0] == 'E') {
		char *colon = memchr(j->buf, ':', j->len);

		ret = atoi(j->buf + 1);
		snprintf(r->err, sizeof(r->err), "%.*s",
			 colon ? (int)(j->len - (size_t)(colon + 1 - j->buf)) :
				 0,
			 colon ? colon + 1 : "");
		return ret ? ret : -EIO;
	}
	f = fmemopen(j->buf + 1, j->len - 1, "r");
	if (!f || j->buf[0] != 'M' || metrics_read(f, &j->m)) {
		snprintf(r->err, sizeof(r->err),
			 "%s: %s: bad result from worker", r->file, j->label);
		ret = -EIO;
	}
	if (f)
		fclose(f);
	free(j->buf); /* a sweep has thousands of jobs */
	j->buf = NULL;
	j->len = j->cap = 0;
	return ret;
}

/* Read what is there; 1 at end of file, 0 for more, -errno. */
static int job_read(job_t *j)
{
	ssize_t n;

	if (j->cap - j->len < 65536) {
		size_t cap = j->cap ? 2 * j->cap : 65536 * 2;
		char *b = realloc(j->buf, cap);

		if (!b)
			return -ENOMEM;
		j->buf = b;
		j->cap = cap;
	}
	n = read(j->fd, j->buf + j->len, j->cap - j->len);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	j->len += (size_t)n;
	return n == 0;
}

static void jobs_abort(batch_t *r)
{
	for (unsigned int i = 0; i < r->nr_jobs; i++) {
		job_t *j = &r->jobs[i];

		if (j->pid <= 0)
			continue;
		kill(j->pid, SIGKILL);
		close(j->fd);
		while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
			;
		j->pid = 0;
	}
}

static int run_parallel(batch_t *r)
{
	unsigned int next = 0, active = 0, max = r->max_jobs;
	__free(free) struct pollfd *pfd = calloc(max, sizeof(*pfd));
	__free(free) unsigned int *who = calloc(max, sizeof(*who));
	int ret = 0;

	if (!pfd || !who) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		return -ENOMEM;
	}
	while (!ret && r->done < r->nr_jobs) {
		unsigned int n = 0;

		while (!ret && active < max && next < r->nr_jobs) {
			ret = job_start(r, &r->jobs[next]);
			if (!ret) {
				next++;
				active++;
			}
		}
		if (ret)
			break;
		for (unsigned int i = 0; i < next; i++) {
			if (r->jobs[i].pid > 0) {
				pfd[n].fd = r->jobs[i].fd;
				pfd[n].events = POLLIN;
				who[n++] = i;
			}
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(r->err, sizeof(r->err), "poll: %s",
				 strerror(errno));
			ret = -errno;
			break;
		}
		for (unsigned int k = 0; k < n && !ret; k++) {
			job_t *j = &r->jobs[who[k]];
			int eof;

			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			eof = job_read(j);
			if (eof < 0) {
				snprintf(r->err, sizeof(r->err),
					 "reading a worker: %s",
					 strerror(-eof));
				ret = eof;
			} else if (eof) {
				active--;
				ret = job_finish(r, j);
				if (!ret && r->done_fn)
					ret = r->done_fn(r, j);
				if (!ret) {
					r->done++;
					progress(r, j);
				}
			}
		}
	}
	if (ret)
		jobs_abort(r);
	return ret;
}

static int run_sequential(batch_t *r)
{
	for (unsigned int i = 0; i < r->nr_jobs; i++) {
		int ret;

		progress(r, &r->jobs[i]);
		ret = run_one(r, &r->jobs[i], NULL);
		if (!ret && r->done_fn)
			ret = r->done_fn(r, &r->jobs[i]);
		if (ret)
			return ret;
		r->done++;
	}
	return 0;
}

int runner_batch_run(struct runner_batch *b)
{
	int ret;

	for (unsigned int i = 0; i < b->nr_jobs; i++)
		b->jobs[i].fd = -1;
	b->done = 0;
	b->err[0] = '\0';
	b->start = b->last_log = now();
	if (b->max_jobs > 1 && b->nr_jobs > 1)
		ret = run_parallel(b);
	else
		ret = run_sequential(b);
	progress_clear(b);
	return ret;
}

struct runner_job *runner_jobs_alloc(unsigned int nr)
{
	struct runner_job *j = calloc(nr ? nr : 1, sizeof(*j));

	for (unsigned int i = 0; j && i < nr; i++)
		j[i].fd = -1;
	return j;
}

void runner_jobs_free(struct runner_job *jobs, unsigned int nr)
{
	if (!jobs)
		return;
	for (unsigned int i = 0; i < nr; i++) {
		sim_metrics_free(&jobs[i].m);
		free(jobs[i].buf);
	}
	free(jobs);
}

/* The single job with a trace: written to a temporary file beside the
 * trace (tmpguard.h), renamed into place at the end. */
static int run_traced(batch_t *r, const struct run_opts *o)
{
	job_t *j = &r->jobs[0];
	__free(free) char *tmp = NULL;
	struct trace_writer *w;
	struct sim_trace_ops ops;
	FILE *f = NULL;
	int fd, ret, cret;

	fd = tmpguard_create(o->trace, false, &tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(r->err, sizeof(r->err),
			 "--trace: cannot create %s: %s",
			 tmp ? tmp : o->trace, strerror(errno));
		if (fd >= 0) {
			close(fd);
			tmpguard_finish(tmp, o->trace, false);
		}
		return -EIO;
	}
	w = trace_writer_open(f, j->cfg.host.cpus, o->win_start, o->win_end,
			      o->trace_max);
	if (!w) {
		fclose(f);
		tmpguard_finish(tmp, o->trace, false);
		snprintf(r->err, sizeof(r->err), "out of memory");
		return -ENOMEM;
	}
	trace_writer_ops(w, &ops);
	r->start = now();
	progress(r, j);
	ret = run_one(r, j, &ops);
	cret = trace_writer_close(w);
	if (cret == -EFBIG && !ret) {
		snprintf(r->err, sizeof(r->err), "--trace: the trace grew past "
			 "--trace-max (%llu MiB); nothing written: narrow "
			 "--trace-window or raise --trace-max",
			 (unsigned long long)(o->trace_max >> 20));
		ret = -EIO;
	} else if (cret && !ret) {
		snprintf(r->err, sizeof(r->err), "--trace: writing %s: %s",
			 tmp, strerror(errno ? errno : EIO));
		ret = -EIO;
	}
	if (fclose(f) && !ret) {
		snprintf(r->err, sizeof(r->err), "--trace: writing %s: %s", tmp,
			 strerror(errno));
		ret = -EIO;
	}
	if (tmpguard_finish(tmp, o->trace, !ret)) {
		snprintf(r->err, sizeof(r->err), "--trace: rename to %s: %s",
			 o->trace, strerror(errno));
		ret = -EIO;
	}
	if (!ret)
		r->done++;
	return ret;
}

/*
 * The policy of compare job @name: the preset, then every knob the scenario
 * set differently from its own preset (its [policy] overrides).
 */
static int print_report(struct runner *r, const struct scenario *sc)
{
	const struct run_opts *o = r->o;
	struct report_opts ro = { .scenario = o->file,
				  .per_vcpu = o->per_vcpu };
	__free(free) struct report_set *sets =
		calloc(r->nr_policies, sizeof(*sets));
	__free(free) struct sim_metrics *m = calloc(r->b.nr_jobs, sizeof(*m));
	json_t *j = NULL;
	int ret = 0;

	(void)sc;
	if (!sets || !m)
		return -ENOMEM;
	for (unsigned int i = 0; i < r->b.nr_jobs; i++)
		m[i] = r->b.jobs[i].m; /* shallow: freed with the jobs */
	for (unsigned int p = 0; p < r->nr_policies; p++) {
		sets[p].policy = r->names[p];
		sets[p].seeds = r->seeds;
		sets[p].runs = &m[p * r->nr_seeds];
		sets[p].nr_runs = r->nr_seeds;
	}
	switch (o->out) {
	case OUT_TEXT:
		ret = o->compare ? report_table_compare(stdout, sets,
							r->nr_policies, &ro) :
				   report_table_run(stdout, sets, &ro);
		break;
	case OUT_JSON:
		j = o->compare ?
			    report_json_compare(sets, r->nr_policies, &ro) :
			    report_json_run(sets, &ro);
		ret = j ? report_json_dump(stdout, j) : -ENOMEM;
		json_decref(j);
		break;
	case OUT_CSV:
		ret = o->compare ?
			      report_csv_compare(stdout, sets, r->nr_policies) :
			      report_csv_run(stdout, sets);
		break;
	}
	return ret;
}

/*
 * --trace's path, before the run: an existing path must be a regular file
 * and its folder must take new files (else 2); a window that starts after
 * the run ends gets a warning (the trace would hold only the tracks).
 */
static int trace_path_check(const struct run_opts *o, const struct scenario *sc)
{
	u64 end = sc->cfg.warmup_ns + sc->cfg.duration_ns;

	if (cli_out_path_check(o->cmd, "--trace", o->trace))
		return EXIT_USAGE;
	if (o->win_start >= end)
		fprintf(stderr, "%s: warning: --trace-window starts at %llu ns, "
			"after the run ends (%llu ns, warm-up included): the "
			"trace will hold no events\n", o->cmd,
			(unsigned long long)o->win_start,
			(unsigned long long)end);
	return 0;
}

/* Before a KVM engine run: policies it cannot run are refused (2); then
 * /dev/kvm and, for --irqchip kernel, the host's LAPIC must work (1). */
static int runner_kvm_ready(const struct run_opts *o, const char *const *names,
			    const struct policy *pol, unsigned int nr)
{
	char err[256];

	for (unsigned int p = 0; p < nr; p++) {
		if (pol[p].kvm.oracle_yield) {
			fprintf(stderr, "%s: policy %s: the oracle needs the "
				"engine to name the vCPU a spinner awaits; the "
				"KVM engine does not yet\n", o->cmd, names[p]);
			return EXIT_USAGE;
		}
	}
	if (!vmm_kvm_available(err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", o->cmd, err);
		return 1;
	}
	if (o->kernel_irqchip && !vmm_kernel_irqchip_works(err, sizeof(err))) {
		fprintf(stderr, "%s: --irqchip kernel: %s\n", o->cmd, err);
		return 1;
	}
	return 0;
}

static int runner_go(struct runner *r, struct scenario *sc)
{
	const struct run_opts *o = r->o;
	__free(free) struct policy *pol = calloc(r->nr_policies, sizeof(*pol));
	char err[256];
	int ret;

	if (!pol)
		return 1;
	for (unsigned int p = 0; p < r->nr_policies; p++) {
		if (!o->compare) {
			pol[p].sched = sc->cfg.sched;
			pol[p].kvm = sc->cfg.kvm;
		} else if (scenario_policy(sc, r->names[p], &pol[p], err,
					 sizeof(err))) {
			fprintf(stderr, "%s: policy %s: %s\n", o->cmd,
				r->names[p], err);
			return EXIT_USAGE;
		}
	}
	if (o->kvm) {
		ret = runner_kvm_ready(o, r->names, pol, r->nr_policies);
		if (ret)
			return ret;
	}
	for (unsigned int i = 0; i < r->b.nr_jobs; i++) {
		job_t *j = &r->b.jobs[i];
		unsigned int policy = i / r->nr_seeds, seed = i % r->nr_seeds;

		j->cfg = sc->cfg;
		j->cfg.sched = pol[policy].sched;
		j->cfg.kvm = pol[policy].kvm;
		j->cfg.seed = r->seeds[seed];
		snprintf(j->label, sizeof(j->label), "policy %s, seed %" PRIu64,
			 r->names[policy], r->seeds[seed]);
	}

	if (o->trace) {
		ret = run_traced(&r->b, o);
		progress_clear(&r->b);
	} else {
		ret = runner_batch_run(&r->b);
	}
	if (ret) {
		fprintf(stderr, "%s: %s\n", o->cmd, r->b.err);
		return ret == -EINVAL ? EXIT_USAGE : 1;
	}
	ret = print_report(r, sc);
	if (ret) {
		fprintf(stderr, "%s: writing the report: %s\n", o->cmd,
			strerror(-ret));
		return 1;
	}
	return 0;
}

int runner_main(struct run_opts *o)
{
	struct scenario sc;
	struct runner r = { .o = o };
	const char *names[RUNNER_MAX_POLICIES];
	char err[512];
	u64 one_seed = o->seed;
	int ret;

	ret = cli_load_scenario(o->cmd, o->file, &sc);
	if (ret)
		return ret;
	if (sc.table) {
		fprintf(stderr,
			"%s: %s has a [table] section: its [vm] is a template; "
			"run it with 'oversub table %s'\n",
			o->cmd, o->file, o->file);
		scenario_free(&sc);
		return EXIT_USAGE;
	}
	if (o->kvm && kvmjob_check(&sc, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", o->cmd, err);
		scenario_free(&sc);
		return EXIT_USAGE;
	}
	if (o->trace) {
		ret = trace_path_check(o, &sc);
		if (ret) {
			scenario_free(&sc);
			return ret;
		}
	}
	r.seeds = o->has_seed ? &one_seed : sc.seeds;
	r.nr_seeds = o->has_seed ? 1 : sc.nr_seeds;
	if (o->compare) {
		for (unsigned int i = 0; i < o->nr_policies; i++)
			names[i] = o->policies[i];
		r.nr_policies = o->nr_policies;
	} else {
		names[0] = sc.preset;
		r.nr_policies = 1;
	}
	r.names = names;
	r.b.nr_jobs = r.nr_policies * r.nr_seeds;
	r.b.tty = isatty(STDERR_FILENO);
	r.b.file = o->file;
	r.b.check = o->check;
	r.b.max_jobs = o->jobs;
	r.b.kvm = o->kvm;
	r.b.kernel_irqchip = o->kernel_irqchip;
	if (o->trace && r.b.nr_jobs != 1) {
		fprintf(stderr,
			"%s: --trace needs a single run, this is %u (%u polic%s x %u seed%s); pick one with --seed%s\n",
			o->cmd, r.b.nr_jobs, r.nr_policies,
			r.nr_policies == 1 ? "y" : "ies", r.nr_seeds,
			r.nr_seeds == 1 ? "" : "s",
			o->compare ? " and one policy" : "");
		scenario_free(&sc);
		return EXIT_USAGE;
	}
	r.b.jobs = runner_jobs_alloc(r.b.nr_jobs);
	if (!r.b.jobs) {
		scenario_free(&sc);
		fprintf(stderr, "%s: out of memory\n", o->cmd);
		return 1;
	}
	ret = runner_go(&r, &sc);
	runner_jobs_free(r.b.jobs, r.b.nr_jobs);
	scenario_free(&sc);
	return ret;
}
