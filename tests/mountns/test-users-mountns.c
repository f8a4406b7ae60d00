/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-get-users over a fixture utmp: a user logged in twice is listed
 * once with the earlier login, and entries that are not user sessions
 * are left out. The fixture replaces /run/utmp only inside the private
 * mount namespace run-in-mountns.sh makes (a tmpfs over /run); the
 * result must also equal qemu-ga's on the same file.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <utmpx.h>

#include <json-glib/json-glib.h>

#include "agent-harness.h"
#include "mountns-fixture.h"

#define UTMP_PATH "/run/utmp"

static void
add_entry (short       type,
           const char *user,
           const char *line,
           gint64      seconds,
           gint64      microseconds)
{
  struct utmpx entry = { 0 };

  entry.ut_type = type;
  entry.ut_pid = (pid_t) (1000 + seconds % 1000);
  g_strlcpy (entry.ut_user, user, sizeof entry.ut_user);
  g_strlcpy (entry.ut_line, line, sizeof entry.ut_line);
  g_strlcpy (entry.ut_id, line + strlen (line) - MIN (strlen (line), 4), sizeof entry.ut_id);
  entry.ut_tv.tv_sec = (int32_t) seconds;
  entry.ut_tv.tv_usec = (int32_t) microseconds;
  if (pututxline (&entry) == NULL)
    harness_fail ("pututxline: %s", g_strerror (errno));
}

/* A tmpfs over /run in this namespace, holding the fixture utmp. */
static void
install_fixture_utmp (void)
{
  mountns_mount_tmpfs ("/run");
  mountns_assert_on_tmpfs ("/run");

  /* glibc writes utmp records itself, so the layout is the real one; it
   * opens the file without creating it. */
  if (!g_file_set_contents (UTMP_PATH, "", 0, NULL) || utmpxname (UTMP_PATH) < 0)
    harness_fail ("utmpxname: %s", g_strerror (errno));
  setutxent ();
  add_entry (USER_PROCESS, "alice", "pts/1", 1000000000, 250000);
  add_entry (USER_PROCESS, "bob", "pts/2", 1100000000, 0);
  add_entry (USER_PROCESS, "alice", "pts/3", 900000000, 500000);   /* earlier */
  add_entry (DEAD_PROCESS, "carol", "pts/4", 800000000, 0);        /* logged out */
  add_entry (LOGIN_PROCESS, "LOGIN", "tty1", 700000000, 0);        /* a getty */
  endutxent ();
}

static JsonNode *
get_users (TestAgent *agent)
{
  g_autofree char *line = harness_exchange (test_agent_get_socket_path (agent),
                                            "{\"execute\": \"guest-get-users\"}");

  g_test_message ("%s", line);
  return harness_reply_get_return (line);
}

static void
test_users (void)
{
  g_autoptr(TestAgent) ours = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  g_autoptr(JsonNode) users = get_users (ours);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *qemu_ga = harness_find_program ("qemu-ga");
  g_autoptr(GError) error = NULL;

  /* Once each, first-seen order, the earliest login of each. */
  json_parser_load_from_data (parser,
                              "[{\"user\": \"alice\", \"login-time\": 900000000.5},"
                              " {\"user\": \"bob\", \"login-time\": 1100000000.0}]", -1, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (users, json_parser_get_root (parser)));
  test_agent_stop_cleanly (ours);

  if (qemu_ga == NULL)
    {
      g_test_skip ("qemu-ga is not installed: no reference reply");
      return;
    }

  {
    g_autoptr(TestAgent) theirs = test_agent_start (qemu_ga, HARNESS_AGENT_ALLOW_WARNINGS, NULL);
    g_autoptr(JsonNode) their_users = get_users (theirs);

    g_assert_true (json_node_equal (users, their_users));
    test_agent_stop_reference (theirs);
  }
}

int
main (int    argc,
      char **argv)
{
  mountns_require_private ();
  harness_init (&argc, &argv);
  install_fixture_utmp ();
  g_test_add_func ("/users-mountns/earliest-login-once-each", test_users);
  return harness_run ();
}
