/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of fsfreeze-bench share: how the program speaks, and the
 * exit status meson counts as a skip.
 */

#pragma once

#include <glib.h>

#define FSBENCH_EXIT_SKIP 77

/* One line on stderr, after the program's name. */
void fsbench_note (const char *format, ...) G_GNUC_PRINTF (1, 2);
