/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * set-identity-session: one case of the set-identity namespace tests. A
 * session mounts the template machine (clone-machine.h), starts a
 * private bus where the test plays hostname1 and systemd1
 * (tests/common/dbus-mock.h; the agent reaches it through
 * DBUS_SYSTEM_BUS_ADDRESS), runs the agent with its journal on the
 * fixture, and plays the services through a set-identity run, checking
 * each call the agent makes, in order, up to where the case wants the
 * agent stopped.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "agent-harness.h"
#include "dbus-mock.h"
#include "urandom-fifo.h"

G_BEGIN_DECLS

#define SESSION_JOURNAL "/var/lib/guestlink/set-identity.json"
/* Where a rotation keeps the old pairs until sshd has reloaded. */
#define SESSION_ROTATE_ASIDE "/etc/ssh/.guestlink-rotate-old"
/* A whole run writes keys and waits on the test's answers; generous for
 * a sanitizer build on a loaded machine. */
#define SESSION_RUN_TIMEOUT_MS 60000

/* A set-identity request; NULL and FALSE members are left out. */
typedef struct {
  const char *instance_id;
  const char *host_name;
  const char *pretty_host_name;
  const char *machine_id;
  gboolean regenerate_machine_id;
  gboolean rotate_ssh_host_keys;
  gboolean reset_network_state;
  GBytes *random_seed;
} Request;

char *session_request_text (const Request *request);
/* @length bytes counting up from @first in steps of 13. */
GBytes *session_make_seed (guint8 first,
                           gsize  length);

/* The services on the private bus: the data of session_set_up(). */
typedef enum {
  SERVICES_NONE = 0,
  SERVICES_HOSTNAMED = 1 << 0,
  SERVICES_SYSTEMD = 1 << 1,
} Services;

typedef struct {
  DbusMock *bus;
  TestAgent *agent;
  Client *client;
  char *fifo_dir;
  UrandomFifo *urandom;    /* NULL: /dev/urandom is the machine's */
  /* The call the agent was killed waiting for: answered, to no one,
   * after the kill. */
  GDBusMethodInvocation *unanswered;
} Session;

/* For g_test_add(): @data is the Services. */
void session_set_up (Session       *session,
                     gconstpointer  data);
void session_tear_down (Session       *session,
                        gconstpointer  data);

/* What a set-identity test program does before adding its cases: into
 * a private mount namespace, the harness, the staged template machine.
 * FALSE when the program must skip (it has said why): no ssh-keygen. */
gboolean session_init (int    *argc,
                       char ***argv);
/* Adds the case /@suite/@name, with a session of @services. */
void session_add_case (const char *suite,
                       const char *name,
                       Services    services,
                       void      (*func) (Session *, gconstpointer));
/* Runs the cases, then removes the staged machine; the exit status. */
int session_run (void);

/* guestlinkd with --identity-journal SESSION_JOURNAL. */
void session_start_agent (Session *session);
/* SIGTERM; it must exit 0. */
void session_stop_agent (Session *session);
/* SIGKILL: no clean-up of any kind, as a power cut would leave it. */
void session_kill_agent (Session *session);

/* Sends @request on a new connection, without waiting. */
void session_send (Session       *session,
                   const Request *request);
/* The reply to it, as a line; or its return value, which must be an
 * object. Either way /dev/urandom is the machine's again afterwards. */
char *session_read_reply_line (Session *session);
JsonNode *session_read_reply (Session *session);
void session_restore_urandom (Session *session);

/* The steps of the reply, in order. */
typedef enum {
  STEP_HOST_NAME,
  STEP_HOSTS_FILE,
  STEP_MACHINE_ID,
  STEP_JOURNALD,
  STEP_SSH_HOST_KEYS,
  STEP_NETWORK_STATE,
  STEP_RANDOM_SEED,
  STEP_COUNT,
} Step;

/* Where a run stops: the agent waits there, unanswered. */
typedef enum {
  BLOCK_NONE,
  BLOCK_SET_STATIC_HOSTNAME,   /* hostnamed's SetStaticHostname */
  BLOCK_RESTART_JOURNALD,      /* systemd's RestartUnit of journald */
  BLOCK_SSH_KEYGEN,            /* the first ssh-keygen (clone_machine_block_keygen()) */
  BLOCK_RELOAD_SSH,            /* systemd's ReloadOrRestartUnit of ssh.service */
  BLOCK_RESTART_NETWORK,       /* systemd's RestartUnit of NetworkManager */
  BLOCK_RANDOM_SEED,           /* the write to /dev/urandom */
} BlockAt;

/* Plays the services for @request's steps from @first on, as the agent
 * must call them with @services on the bus, and stops at @block (the
 * agent then waits there). With a random seed to write, /dev/urandom is
 * a FIFO until the reply is read, and the seed read from it is
 * returned. */
GBytes *session_serve (Session       *session,
                       const Request *request,
                       Services       services,
                       Step           first,
                       BlockAt        block);

/* hostnamed's @method (@value, interactive false): popped, or popped
 * and answered. */
GDBusMethodInvocation *session_expect_hostnamed (DbusMock   *bus,
                                                 const char *method,
                                                 const char *value);
void session_answer_hostnamed (DbusMock   *bus,
                               const char *method,
                               const char *value);
/* systemd's side of a restart, as systemd_units_run_job() waits for it:
 * the job, its end, and the unit found running. */
void session_answer_restart (DbusMock   *bus,
                             const char *unit,
                             guint32     job_id);
/* The same for a reload of ssh.service, found active among
 * ssh.service and sshd.service (Debian's alias) first. */
void session_answer_ssh_reload (DbusMock *bus,
                                guint32   job_id);
/* The network reset's look for a running network manager, which finds
 * NetworkManager.service (then restarted with session_answer_restart()). */
void session_answer_network_units (DbusMock *bus);

/* Checks of a reply. */
const char *session_member_string (JsonObject *object,
                                   const char *name);
JsonObject *session_reply_step (JsonObject *reply,
                                Step        step);
/* @detail NULL: any. */
void session_assert_step (JsonObject *reply,
                          Step        step,
                          const char *status,
                          const char *detail);
/* The reply's "ssh-host-keys" names the keys now in /etc/ssh
 * (@fingerprints, in clone_machine_key_types order), each new, each
 * with the template's as its old fingerprint. */
void session_assert_rotation_reply (JsonObject  *reply,
                                    char       **fingerprints);

/* Checks of the machine. */
/* The machine-id the journal holds. */
char *session_journal_machine_id (void);
/* /var/lib/systemd/random-seed holds @seed, mode 0600. */
void session_assert_seed_file (GBytes *seed);
/* /etc/machine-id (0444) and D-Bus's own copy hold @machine_id. */
void session_assert_machine_id (const char *machine_id);

G_END_DECLS
