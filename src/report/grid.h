/* SPDX-License-Identifier: MIT */
/*
 * Aligned text columns for the report tables: fill cells row by row, then
 * print with every column as wide as its widest cell; the first column is
 * left-aligned, the others right-aligned (numbers).
 */
#ifndef OVERSUB_REPORT_GRID_H
#define OVERSUB_REPORT_GRID_H

#include <stdio.h>

struct grid {
	unsigned int cols;
	unsigned int nr_cells, cap;
	char **cells; /* row-major; a short row is padded with "" */
	int err; /* first allocation failure, reported by grid_print */
};

void grid_init(struct grid *g, unsigned int cols);
/* Append a cell to the current row. */
void grid_cell(struct grid *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Finish the current row, padding it to the column count. */
void grid_row_end(struct grid *g);
/* Print with @indent spaces before each row and 2 between columns; frees
 * the cells. 0 or -ENOMEM. */
int grid_print(FILE *f, struct grid *g, int indent);
void grid_free(struct grid *g);

#endif
