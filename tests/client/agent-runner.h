/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A real agent started for a test: qemu-ga by default, or the command line
 * in GUESTLINK_TEST_AGENT. */
typedef struct _TestAgent TestAgent;

/* The exit status meson's exitcode protocol reads as "skipped". */
#define TEST_EXIT_SKIP 77

TestAgent  *test_agent_start           (void);
void        test_agent_restart         (TestAgent *agent);
void        test_agent_free            (TestAgent *agent);
const char *test_agent_get_socket_path (TestAgent *agent);

int         test_agent_skip_unavailable (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestAgent, test_agent_free)

G_END_DECLS
