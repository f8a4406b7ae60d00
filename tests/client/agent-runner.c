/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "agent-runner.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "find-program.h"
#include "fixture-dir.h"

#define DEFAULT_AGENT "qemu-ga"

struct _TestAgent
{
  char *tmpdir;
  char *socket_path;
  char *state_dir;
  GStrv argv;
  GSubprocess *process;
};

/* GUESTLINK_TEST_AGENT is a command line; @SOCKET@ and @STATEDIR@ in it
 * are replaced, and without them the qemu-ga options are appended. */
static GStrv
agent_template (GError **error)
{
  const char *template = g_getenv ("GUESTLINK_TEST_AGENT");
  g_auto(GStrv) argv = NULL;
  char *program;

  if (template == NULL || *template == '\0')
    template = DEFAULT_AGENT;

  if (!g_shell_parse_argv (template, NULL, &argv, error))
    return NULL;

  program = harness_find_program (argv[0]);
  if (program == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "the agent '%s' was not found (install qemu-guest-agent "
                   "or set GUESTLINK_TEST_AGENT)", argv[0]);
      return NULL;
    }
  g_free (argv[0]);
  argv[0] = program;

  return g_steal_pointer (&argv);
}

static gboolean
test_agent_check_available (char **out_reason)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = agent_template (&error);

  if (argv == NULL && out_reason != NULL)
    *out_reason = g_strdup (error->message);

  return argv != NULL;
}

int
test_agent_skip_unavailable (void)
{
  g_autofree char *reason = NULL;

  if (test_agent_check_available (&reason))
    return 0;

  g_printerr ("SKIP: %s\n", reason);
  return TEST_EXIT_SKIP;
}

static char *
replace (const char *text,
         const char *placeholder,
         const char *value,
         gboolean   *replaced)
{
  g_auto(GStrv) parts = g_strsplit (text, placeholder, -1);

  if (g_strv_length (parts) > 1)
    *replaced = TRUE;

  return g_strjoinv (value, parts);
}

static GStrv
agent_argv (TestAgent *agent)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) template = agent_template (&error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean replaced = FALSE;

  g_assert_no_error (error);

  for (gsize i = 0; template[i] != NULL; i++)
    {
      g_autofree char *with_socket = replace (template[i], "@SOCKET@",
                                              agent->socket_path, &replaced);
      g_autofree char *arg = replace (with_socket, "@STATEDIR@",
                                      agent->state_dir, &replaced);

      g_strv_builder_add (builder, arg);
    }

  if (!replaced)
    {
      const char *options[] = {
        "-m", "unix-listen", "-p", agent->socket_path, "-t", agent->state_dir, NULL,
      };

      g_strv_builder_addv (builder, options);
    }

  return g_strv_builder_end (builder);
}

/* The agent must not outlive a test that crashed. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
socket_accepts (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;
  gboolean ok;

  g_assert_cmpuint (strlen (path), <, sizeof (addr.sun_path));
  strncpy (addr.sun_path, path, sizeof (addr.sun_path) - 1);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  ok = connect (fd, (struct sockaddr *) &addr, sizeof (addr)) == 0;
  close (fd);

  return ok;
}

static void
agent_launch (TestAgent *agent)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  agent->process = g_subprocess_launcher_spawnv (launcher,
                                                 (const char * const *) agent->argv,
                                                 &error);
  g_assert_no_error (error);

  /* Ready once it accepts: the socket file alone may be a left-over of the
   * previous instance. */
  while (!socket_accepts (agent->socket_path))
    {
      if (g_subprocess_get_identifier (agent->process) == NULL)
        g_error ("the agent %s exited before listening on %s",
                 agent->argv[0], agent->socket_path);
      if (g_get_monotonic_time () > deadline)
        g_error ("the agent %s did not listen on %s within 10 s",
                 agent->argv[0], agent->socket_path);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

TestAgent *
test_agent_start (void)
{
  g_autoptr(GError) error = NULL;
  TestAgent *agent = g_new0 (TestAgent, 1);

  agent->tmpdir = g_dir_make_tmp ("guestlink-client-test-XXXXXX", &error);
  g_assert_no_error (error);
  agent->socket_path = g_build_filename (agent->tmpdir, "agent.sock", NULL);
  agent->state_dir = g_build_filename (agent->tmpdir, "state", NULL);
  g_assert_cmpint (g_mkdir (agent->state_dir, 0700), ==, 0);
  agent->argv = agent_argv (agent);

  agent_launch (agent);

  return agent;
}

static void
wait_done (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source_object), result, NULL);
  *done = TRUE;
}

static gboolean
kill_stuck (gpointer user_data)
{
  g_subprocess_force_exit (G_SUBPROCESS (user_data));
  return G_SOURCE_REMOVE;
}

/* SIGTERM to the agent's own pid, SIGKILL if it has not gone in half a
 * second: qemu-ga 7.2 now and then hangs in its SIGTERM handler (it quits
 * its main loop from signal context), and the tests need not wait on it. */
static void
agent_stop (TestAgent *agent)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (500);
  gboolean done = FALSE;

  if (agent->process == NULL)
    return;

  g_main_context_push_thread_default (context);

  g_subprocess_send_signal (agent->process, SIGTERM);
  g_subprocess_wait_async (agent->process, NULL, wait_done, &done);
  g_source_set_callback (timeout, kill_stuck, agent->process, NULL);
  g_source_attach (timeout, context);

  while (!done)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
  g_clear_object (&agent->process);
}

void
test_agent_restart (TestAgent *agent)
{
  agent_stop (agent);
  agent_launch (agent);
}

const char *
test_agent_get_socket_path (TestAgent *agent)
{
  return agent->socket_path;
}

void
test_agent_free (TestAgent *agent)
{
  if (agent == NULL)
    return;

  agent_stop (agent);
  fixture_dir_remove (agent->tmpdir);
  g_free (agent->tmpdir);
  g_free (agent->socket_path);
  g_free (agent->state_dir);
  g_strfreev (agent->argv);
  g_free (agent);
}
