// SPDX-License-Identifier: MIT
/* Aligned text columns for the report tables (grid.h). */
#include "report/grid.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/guard.h"

void grid_init(struct grid *g, unsigned int cols)
{
	memset(g, 0, sizeof(*g));
	g->cols = cols;
}

static void grid_push(struct grid *g, char *s)
{
	if (!s) {
		g->err = -ENOMEM;
		return;
	}
	if (g->nr_cells == g->cap) {
		unsigned int cap = g->cap ? 2 * g->cap : 64;
		char **cells = realloc(g->cells, cap * sizeof(*cells));

		if (!cells) {
			free(s);
			g->err = -ENOMEM;
			return;
		}
		g->cells = cells;
		g->cap = cap;
	}
	g->cells[g->nr_cells++] = s;
}

void grid_cell(struct grid *g, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	grid_push(g, s);
}

void grid_row_end(struct grid *g)
{
	while (g->nr_cells % g->cols)
		grid_push(g, strdup(""));
}

/* Columns @s takes on a terminal: UTF-8 continuation bytes take none. */
static int text_width(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void grid_free(struct grid *g)
{
	for (unsigned int i = 0; i < g->nr_cells; i++)
		free(g->cells[i]);
	free(g->cells);
	g->cells = NULL;
	g->nr_cells = g->cap = 0;
}

int grid_print(FILE *f, struct grid *g, int indent)
{
	__free(free) int *w = calloc(g->cols, sizeof(*w));

	grid_row_end(g);
	if (!w || g->err) {
		grid_free(g);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < g->nr_cells; i++) {
		int n = text_width(g->cells[i]);
		unsigned int c = i % g->cols;

		w[c] = n > w[c] ? n : w[c];
	}
	for (unsigned int i = 0; i < g->nr_cells; i++) {
		unsigned int c = i % g->cols;

		int pad = w[c] - text_width(g->cells[i]);

		if (!c) {
			fprintf(f, "%*s%s", indent, "", g->cells[i]);
			/* no trailing blanks after a last, left-aligned cell */
			if (g->cols > 1)
				fprintf(f, "%*s", pad, "");
		} else {
			fprintf(f, "  %*s%s", pad, "", g->cells[i]);
		}
		if (c == g->cols - 1)
			fputc('\n', f);
	}
	grid_free(g);
	return 0;
}
