/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fixture-dir: the temporary directories unit tests build fixture trees in.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes @path and everything below it; symlinks are removed, never
 * followed. Fails the test if anything cannot be removed. */
void fixture_dir_remove (const char *path);

/* The names in @path, sorted, space-separated: a directory's whole
 * contents in one string a test can compare. */
char *fixture_dir_list (const char *path);

G_END_DECLS
