// SPDX-License-Identifier: MIT
/* Temporary output files removed on SIGINT/SIGTERM/SIGHUP (tmpguard.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/tmpguard.h"

static char guarded[4096];
static volatile sig_atomic_t armed;

static void on_signal(int sig)
{
	if (armed)
		unlink(guarded);
	signal(sig, SIG_DFL);
	raise(sig);
}

void tmpguard_set(const char *path)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	static int installed;

	armed = 0;
	snprintf(guarded, sizeof(guarded), "%s", path);
	armed = 1;
	if (installed)
		return;
	installed = 1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa = { .sa_handler = on_signal }, old;

		sigemptyset(&sa.sa_mask);
		/* a signal the shell ignores (nohup, background) stays so */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

void tmpguard_clear(void)
{
	armed = 0;
}

int tmpguard_create(const char *path, bool keep_ext, char **tmp)
{
	const char *ext = keep_ext ? strrchr(path, '.') : NULL;
	size_t n = strlen(path) + 16;
	struct stat st;
	mode_t mask;
	int fd;

	*tmp = malloc(n);
	if (!*tmp) {
		errno = ENOMEM;
		return -1;
	}
	if (ext)
		snprintf(*tmp, n, "%.*s.tmp.XXXXXX%s", (int)(ext - path), path,
			 ext);
	else
		snprintf(*tmp, n, "%s.tmp.XXXXXX", path);
	fd = ext ? mkstemps(*tmp, (int)strlen(ext)) : mkstemp(*tmp);
	if (fd < 0)
		return -1;
	tmpguard_set(*tmp);
	if (!stat(path, &st)) {
		fchmod(fd, st.st_mode & 07777);
	} else {
		mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	return fd;
}

int tmpguard_finish(const char *tmp, const char *path, bool ok)
{
	int ret = 0, e = 0;

	if (ok && rename(tmp, path)) {
		e = errno;
		ret = -1;
	}
	if (!ok || ret)
		unlink(tmp);
	tmpguard_clear();
	errno = e;
	return ret;
}
