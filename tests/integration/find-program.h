/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * find-program: where a program the tests need is, in a file of its own
 * so that tests with a harness of their own (tests/client) can link it
 * without the integration harness.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @name as given if it contains '/', else searched in PATH and the sbin
 * directories, which are not in every user's PATH (Debian keeps qemu-ga
 * in /usr/sbin). NULL if not found. */
char *harness_find_program (const char *name);

G_END_DECLS
