/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the integration tests. An agent (guestlinkd or the reference
 * qemu-ga) runs as a real process in a private temporary directory and is
 * spoken to through raw sockets, so a test sees exactly the bytes a host
 * would see, and nothing of the project's own client code.
 */
#pragma once

#include <sys/types.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "find-program.h"

G_BEGIN_DECLS

/* Replies come within milliseconds; the margin is for loaded CI machines
 * and sanitizer builds. */
#define HARNESS_REPLY_TIMEOUT_MS 5000
/* How long an agent must stay silent before "no reply" is believed. */
#define HARNESS_SILENCE_MS 300
/* An agent that takes longer than this to start, stop or take our bytes
 * is broken (or the machine is); sanitizer builds need most of it for the
 * leak check at exit. */
#define HARNESS_PROCESS_TIMEOUT_MS 20000
/* Exit code meson reads as "skipped". */
#define HARNESS_EXIT_SKIP 77

/* The request every test sends to see that an agent still answers, and
 * the reply both agents give it. */
#define PING "{\"execute\":\"guest-ping\"}"
#define PING_REPLY "{\"return\": {}}\n"

typedef enum {
  HARNESS_AGENT_NONE = 0,
  /* The agent is expected to warn (a blocked guest-sync, an unknown
   * config key): G_DEBUG=fatal-warnings from the test environment would
   * turn that into a crash, so it is not passed on. */
  HARNESS_AGENT_ALLOW_WARNINGS = 1 << 0,
  /* The caller passes -m and -p itself and waits for readiness itself;
   * there is no unix socket to wait for. */
  HARNESS_AGENT_CUSTOM_CHANNEL = 1 << 1,
} HarnessAgentFlags;

/* Fails the running test with a message, as g_assert() does (TAP too). */
G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN
void harness_fail (const char *format,
                   ...);

/* g_test_init(), plus what every integration test needs. */
void harness_init (int    *argc,
                   char ***argv);
/* g_test_run(), then removes the run's temporary directory. */
int harness_run (void);

/* Set by meson: the guestlinkd under test and the project version. */
const char *harness_guestlinkd (void);
const char *harness_project_version (void);
/* Built with -Db_sanitize: memory figures mean little. */
gboolean harness_is_sanitized (void);

/* A new empty directory below the run's temporary directory. */
char *harness_make_dir (const char *name);

/* A running agent with its own directory: agent.sock, state/, agent.pid
 * and agent.log (its standard output and error). */
typedef struct _TestAgent TestAgent;

/* Starts @program with -m unix-listen -p SOCK -t STATEDIR -f PIDFILE and
 * @extra_args (NULL-terminated, may be NULL), and waits until it listens
 * and handles SIGTERM. Fails the test if it does not. */
TestAgent *test_agent_start (const char         *program,
                             HarnessAgentFlags   flags,
                             const char * const *extra_args);
/* For HARNESS_AGENT_CUSTOM_CHANNEL agents on a unix socket of their own:
 * waits until the agent listens there and handles SIGTERM. */
void test_agent_wait_listening (TestAgent  *agent,
                                const char *socket_path);
/* Whether someone listen()s on @path, without connecting to it. */
gboolean harness_unix_socket_is_listening (const char *path);
const char *test_agent_get_socket_path (TestAgent *agent);
const char *test_agent_get_pidfile (TestAgent *agent);
const char *test_agent_get_dir (TestAgent *agent);
pid_t test_agent_get_pid (TestAgent *agent);
gboolean test_agent_is_running (TestAgent *agent);
char *test_agent_get_log (TestAgent *agent);
/* SIGTERM, then waits; returns the wait status. An agent that does not
 * exit within the timeout is killed and the test fails. */
int test_agent_stop (TestAgent *agent);
/* test_agent_stop(), and the test fails unless the agent exited 0: a
 * crash, or a leak in a sanitizer build, shows up even when every reply
 * was right. */
void test_agent_stop_cleanly (TestAgent *agent);
/* The same with another signal than SIGTERM. */
int test_agent_stop_with (TestAgent *agent,
                          int        signum);
/* For the reference agent, whose way out is not under test: SIGTERM, and
 * SIGKILL by its PID if it has not gone within half a second (qemu-ga
 * 7.2 now and then hangs in its SIGTERM handler). Returns the wait
 * status. */
int test_agent_stop_reference (TestAgent *agent);
/* Kills the agent by its PID if it still runs and removes its directory. */
void test_agent_free (TestAgent *agent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestAgent, test_agent_free)

/* A fixture for g_test_add(): a guestlinkd of its own for each case,
 * stopped cleanly (exit 0) after it. */
typedef struct {
  TestAgent *agent;
} AgentFixture;

void agent_fixture_set_up (AgentFixture  *fixture,
                           gconstpointer  data);
void agent_fixture_tear_down (AgentFixture  *fixture,
                              gconstpointer  data);

/* Runs a command that is expected to exit by itself (guestlinkd -V, a
 * second agent refused by the pid file) and returns its wait status. */
int harness_run_command (const char * const  *argv,
                         HarnessAgentFlags    flags,
                         char               **out_stdout,
                         char               **out_stderr);
/* harness_run_command() for a tool (mkfs, ssh-keygen): returns its
 * standard output, and fails the test with its output unless it exits 0. */
char *harness_run_or_fail (const char * const *argv);

/* Whether @process still runs: GLib's worker thread reaps it. */
gboolean harness_process_is_running (GSubprocess *process);
/* Waits up to @timeout_ms for @process to exit; TRUE if it did, and its
 * status may then be read. */
gboolean harness_wait_for_exit (GSubprocess *process,
                                guint        timeout_ms);
/* Whether @pid has a handler for SIGTERM: guestlinkd listens before it
 * has one, and an agent stopped then would die of the signal instead. */
gboolean harness_process_catches_sigterm (pid_t pid);

/* @length bytes (-1: up to a NUL) as printable ASCII, for test messages:
 * TAP output must be valid UTF-8, and a 0xFF or a newline inside a reply is
 * the point of some tests. */
char *harness_escape (const char *bytes,
                      gssize      length);

/* g_test_message ("@label @bytes"), @bytes escaped as above. */
void harness_message_bytes (const char *label,
                            const char *bytes,
                            gssize      length);

/* An exit status as text, for failure messages. */
char *harness_describe_status (int wait_status);

/* agent-client.c: a raw byte stream to an agent, a unix socket, a vsock
 * or a pty master. */
typedef struct _Client Client;

Client *client_connect (const char *socket_path);
/* A raw connection to the fixture's agent. */
Client *agent_fixture_connect (AgentFixture *fixture);
/* Like client_connect(), but returns NULL with @error set. */
Client *client_try_connect (const char  *socket_path,
                            GError     **error);
/* Takes ownership of @fd. */
Client *client_new_for_fd (int fd);
int client_get_fd (Client *client);
void client_send (Client     *client,
                  const void *data,
                  gsize       length);
void client_send_str (Client     *client,
                      const char *text);
/* Sends @text one byte per write(), pausing @pause_us between bytes. */
void client_send_bytewise (Client     *client,
                           const char *text,
                           gulong      pause_us);
/* The next line with its '\n' (and a leading 0xFF, if any), or NULL if
 * none is complete within @timeout_ms or the agent closed the stream. */
char *client_read_line (Client *client,
                        guint   timeout_ms);
/* Exactly @n lines, each within HARNESS_REPLY_TIMEOUT_MS; fails the test
 * otherwise. */
GPtrArray *client_read_lines (Client *client,
                              guint   n);
/* Lines up to and including one equal to @last; fails the test if it
 * does not arrive within HARNESS_REPLY_TIMEOUT_MS of the previous line. */
GPtrArray *client_read_lines_until (Client     *client,
                                    const char *last);
/* Everything received until the agent has been silent for @silence_ms. */
GByteArray *client_read_for (Client *client,
                             guint   silence_ms);
/* TRUE if the agent closed the stream within @timeout_ms. */
gboolean client_wait_closed (Client *client,
                             guint   timeout_ms);
void client_free (Client *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

/* Connects, sends @request, and returns the single reply line. */
char *harness_exchange (const char *socket_path,
                        const char *request);

/* A guest-ping whose id nests arrays so that the request is @depth deep
 * (qemu's limit is 1024). */
char *harness_ping_of_depth (guint depth);

/* A "Key:   123 kB" field of /proc/PID/status, in KiB. */
guint64 harness_read_status_kib (pid_t       pid,
                                 const char *field);

/* The "desc" of an error reply line, the "class", or NULL. */
char *harness_reply_error_class (const char *line);
char *harness_reply_error_desc (const char *line);
/* The "return" value of a reply line (NULL: none came), or, for the
 * next two, that value as an integer or a string; each fails the test
 * when the line has no such value. */
JsonNode *harness_reply_get_return (const char *line);
gint64 harness_reply_get_int (const char *line);
char *harness_reply_get_string (const char *line);
/* Fails the test unless @line is the error @error_class, @error_desc. */
void harness_reply_assert_error (const char *line,
                                 const char *error_class,
                                 const char *error_desc);

G_END_DECLS
