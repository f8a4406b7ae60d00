/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fsfreeze suite's harness. FIFREEZE acts on a filesystem, not on a
 * mount, so an agent under test never runs where it could see one of
 * the machine's filesystems: each case gets a private root (a tmpfs,
 * pivoted into in a mount namespace of its own, the old root detached)
 * holding an ext4 and an xfs loop mount and copies of the programs it
 * needs, held by the fsfreeze-root helper. Agents are started inside it
 * with setns() + chroot(), and before anyone sends them anything their
 * /proc/PID/mountinfo is checked to hold nothing but that tmpfs, virtual
 * filesystems and the case's loop mounts.
 *
 * The test itself stays outside and reaches the root through
 * /proc/HOLDER/root (files, hooks, writers) and the agent's socket
 * through /proc/AGENT/root.
 */
#pragma once

#include <sys/types.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "agent-harness.h"

G_BEGIN_DECLS

/* The loop mounts every private root has, and the bind mount some get. */
#define FS_EXT4 "/mnt/ext4"
#define FS_XFS "/mnt/xfs"
#define FS_EXT4_BIND "/mnt/ext4-bind"

/* Inside the root: where hooks may write (the tmpfs, never frozen), the
 * agent's state directory, and a hook directory for --fsfreeze-hook-dir. */
#define ROOT_LOG_DIR "/log"
#define ROOT_STATE_DIR "/state"
#define ROOT_HOOK_DIR "/hooks.d"
#define ROOT_MARKER ROOT_STATE_DIR "/fsfreeze-frozen"
/* Where the cases' hooks log "NAME ARG", and the option that points the
 * agent at ROOT_HOOK_DIR. */
#define HOOK_LOG ROOT_LOG_DIR "/hooks.log"
#define HOOK_DIR_ARG "--fsfreeze-hook-dir=" ROOT_HOOK_DIR

/* The requests the cases send most. */
#define FREEZE_LIST(list) \
  "{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":" list "}}"
#define FREEZE_BOTH FREEZE_LIST ("[\"" FS_EXT4 "\",\"" FS_XFS "\"]")
#define THAW "{\"execute\":\"guest-fsfreeze-thaw\"}"
#define GET_TIME "{\"execute\":\"guest-get-time\"}"

/* How long a writer must stay stuck to count as blocked by a freeze. */
#define FS_BLOCKED_MS 1000
/* "At once": a local socket, with room for a loaded sanitizer build. */
#define FS_PROMPT_MS 1000
/* How long a thawed writer may take; it only has 256 KiB to write. */
#define FS_WRITER_DONE_MS 5000

/* Longest a case may take in its subprocess. */
#define FS_CASE_TIMEOUT_S 60

/* harness_init(), then exits 77 ("SKIP: ...") where loop devices or
 * mount namespaces do not exist, fails where the tools are missing, and
 * makes the images every case mounts. */
void fsfreeze_init (int    *argc,
                    char ***argv);
/* Like g_test_add_func() and g_test_add_data_func(), but each case runs
 * in a subprocess of its own, so that a failing case does not keep the
 * others from running. */
void fsfreeze_add_func (const char *path,
                        GTestFunc   func);
void fsfreeze_add_data_func (const char    *path,
                             gconstpointer  data,
                             GTestDataFunc  func);
int fsfreeze_run (void);

typedef enum {
  FS_ROOT_NONE = 0,
  /* FS_EXT4 is also bind-mounted on FS_EXT4_BIND. */
  FS_ROOT_BIND = 1 << 0,
} FsRootFlags;

typedef struct _FsRoot FsRoot;

FsRoot *fs_root_new (FsRootFlags flags);
/* Thaws and unmounts through the holder, and fails the test unless the
 * holder exits cleanly and the loop devices go away. */
void fs_root_free (FsRoot *root);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsRoot, fs_root_free)

pid_t fs_root_get_holder_pid (FsRoot *root);
/* @inner (absolute, in the root) as the test reaches it. */
char *fs_root_path (FsRoot     *root,
                    const char *inner);
void fs_root_write_file (FsRoot     *root,
                         const char *inner,
                         const char *contents,
                         mode_t      mode);
void fs_root_mkdir (FsRoot     *root,
                    const char *inner);
/* NULL if there is no such file. */
char *fs_root_read_file (FsRoot     *root,
                         const char *inner);
gboolean fs_root_exists (FsRoot     *root,
                         const char *inner);
/* Fails unless HOOK_LOG in @root holds exactly @expected ("" when there
 * is no log). */
void fs_root_assert_hook_log (FsRoot     *root,
                              const char *expected);
/* FIFREEZE / FITHAW by the test itself ("someone else" to the agent), on
 * one of the root's loop mounts and nothing else. */
void fs_root_freeze_by_test (FsRoot     *root,
                             const char *mountpoint);
void fs_root_thaw_by_test (FsRoot     *root,
                           const char *mountpoint);

/* An agent running inside a root. */
typedef struct _RootAgent RootAgent;

/* Starts guestlinkd -m unix-listen -p SOCK -t ROOT_STATE_DIR -f PIDFILE
 * @extra_args in @root, waits until it listens and handles SIGTERM, and
 * checks its mount table; fails the test if any of that goes wrong. */
RootAgent *root_agent_start (FsRoot             *root,
                             const char * const *extra_args);
void root_agent_free (RootAgent *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RootAgent, root_agent_free)

pid_t root_agent_get_pid (RootAgent *agent);
gboolean root_agent_is_running (RootAgent *agent);
/* Its standard output and error. */
char *root_agent_get_log (RootAgent *agent);
Client *root_agent_connect (RootAgent *agent);
/* Connects, sends @request, returns the reply line (failing the test if
 * none comes within HARNESS_REPLY_TIMEOUT_MS) and disconnects. */
char *root_agent_exchange (RootAgent  *agent,
                           const char *request);
/* Sends @signum and waits; returns the wait status. */
int root_agent_stop_with (RootAgent *agent,
                          int        signum);
/* SIGTERM, and fails the test unless the agent exits 0. */
void root_agent_stop_cleanly (RootAgent *agent);

/* Shorthands over root_agent_exchange() for replies of a known shape. */
gint64 root_agent_call_int (RootAgent  *agent,
                            const char *request);
char *root_agent_call_string (RootAgent  *agent,
                              const char *request);
void root_agent_call_error (RootAgent  *agent,
                            const char *request,
                            const char *error_class,
                            const char *error_desc);
char *root_agent_status (RootAgent *agent);
/* Fails unless guest-fsfreeze-status says @expected. */
void root_agent_assert_status (RootAgent  *agent,
                               const char *expected);

/* A process writing a new file in @inner_dir of @root and fsync()ing it:
 * it blocks while that filesystem is frozen. */
typedef struct _Writer Writer;

Writer *writer_start (FsRoot     *root,
                      const char *inner_dir);
gboolean writer_is_running (Writer *writer);
/* Fails unless the writer is still running after @ms. */
void writer_assert_blocked (Writer *writer,
                            guint   ms);
/* Fails unless the writer exits 0 within @timeout_ms. */
void writer_assert_done (Writer *writer,
                         guint   timeout_ms);
void writer_free (Writer *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Writer, writer_free)

/* Waits up to @timeout_ms for @needle in @agent's log; TRUE if it came. */
gboolean root_agent_wait_log (RootAgent  *agent,
                              const char *needle,
                              guint       timeout_ms);
/* Waits up to @timeout_ms for @needle in file @inner of @root. */
gboolean fs_root_wait_file_contains (FsRoot     *root,
                                     const char *inner,
                                     const char *needle,
                                     guint       timeout_ms);

G_END_DECLS
