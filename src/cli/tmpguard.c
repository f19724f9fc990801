// SPDX-License-Identifier: MIT
/* Temporary output files removed on SIGINT/SIGTERM/SIGHUP (tmpguard.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
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
