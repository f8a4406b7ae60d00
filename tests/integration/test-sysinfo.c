/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The system information family, checked against the machine itself
 * (gethostname, uname, os-release, /proc) and, where qemu-ga has the
 * command, against qemu-ga's reply on the same machine. Replies are
 * compared as JSON values: qemu-ga orders members by its hash table.
 */
#include "config.h"

#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "agent-harness.h"

typedef struct {
  TestAgent *ours;
  TestAgent *theirs;   /* NULL when qemu-ga is not installed */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *qemu_ga = harness_find_program ("qemu-ga");

  fixture->ours = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  if (qemu_ga != NULL)
    fixture->theirs = test_agent_start (qemu_ga, HARNESS_AGENT_ALLOW_WARNINGS, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  test_agent_stop_cleanly (fixture->ours);
  g_clear_pointer (&fixture->ours, test_agent_free);
  if (fixture->theirs != NULL)
    test_agent_stop_reference (fixture->theirs);
  g_clear_pointer (&fixture->theirs, test_agent_free);
}

/* The "return" member of @command's reply, asserting there was one. */
static JsonNode *
call (TestAgent  *agent,
      const char *command)
{
  g_autofree char *request = g_strdup_printf ("{\"execute\": \"%s\"}", command);
  g_autofree char *line = harness_exchange (test_agent_get_socket_path (agent), request);

  return harness_reply_get_return (line);
}

static const char *
member_string (JsonNode   *node,
               const char *member)
{
  JsonObject *object = json_node_get_object (node);

  return json_object_has_member (object, member)
         ? json_object_get_string_member (object, member) : NULL;
}

/* The same reply from both agents, as JSON values. */
static void
assert_same_as_qemu_ga (Fixture    *fixture,
                        const char *command)
{
  g_autoptr(JsonNode) ours = NULL;
  g_autoptr(JsonNode) theirs = NULL;
  g_autofree char *ours_text = NULL;
  g_autofree char *theirs_text = NULL;

  if (fixture->theirs == NULL)
    {
      g_test_skip ("qemu-ga is not installed: no reference reply");
      return;
    }

  ours = call (fixture->ours, command);
  theirs = call (fixture->theirs, command);
  ours_text = json_to_string (ours, FALSE);
  theirs_text = json_to_string (theirs, FALSE);
  g_test_message ("guestlinkd: %s", ours_text);
  g_test_message ("qemu-ga:    %s", theirs_text);
  g_assert_true (json_node_equal (ours, theirs));
}

static void
test_host_name (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(JsonNode) reply = call (fixture->ours, "guest-get-host-name");
  char name[256] = "";

  g_assert_cmpint (gethostname (name, sizeof name - 1), ==, 0);
  g_assert_cmpstr (member_string (reply, "host-name"), ==, name);
  assert_same_as_qemu_ga (fixture, "guest-get-host-name");
}

static void
test_osinfo (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JsonNode) reply = call (fixture->ours, "guest-get-osinfo");
  struct utsname kernel;

  g_assert_cmpint (uname (&kernel), ==, 0);
  g_assert_cmpstr (member_string (reply, "kernel-release"), ==, kernel.release);
  g_assert_cmpstr (member_string (reply, "kernel-version"), ==, kernel.version);
  g_assert_cmpstr (member_string (reply, "machine"), ==, kernel.machine);
  g_assert_nonnull (member_string (reply, "id"));
  assert_same_as_qemu_ga (fixture, "guest-get-osinfo");
}

static void
test_timezone (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(JsonNode) reply = call (fixture->ours, "guest-get-timezone");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "offset"), ==,
                   g_date_time_get_utc_offset (now) / G_USEC_PER_SEC);
  assert_same_as_qemu_ga (fixture, "guest-get-timezone");
}

static void
test_users (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JsonNode) reply = call (fixture->ours, "guest-get-users");

  g_assert_true (JSON_NODE_HOLDS_ARRAY (reply));
  assert_same_as_qemu_ga (fixture, "guest-get-users");
}

static void
test_time (Fixture       *fixture,
           gconstpointer  data)
{
  gint64 before = g_get_real_time () * 1000;
  g_autoptr(JsonNode) reply = call (fixture->ours, "guest-get-time");
  gint64 after = g_get_real_time () * 1000;

  g_assert_cmpint (json_node_get_int (reply), >=, before);
  g_assert_cmpint (json_node_get_int (reply), <=, after);
}

static void
test_load (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(JsonNode) reply = call (fixture->ours, "guest-get-load");
  JsonObject *load = json_node_get_object (reply);

  /* guest-get-load is newer than qemu-ga 7.2: checked for shape only. */
  for (const char * const *member = (const char *[]) { "load1", "load5", "load15", NULL };
       *member != NULL; member++)
    g_assert_cmpfloat (json_object_get_double_member (load, *member), >=, 0.0);
}

static void
test_vcpus (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JsonNode) reply = call (fixture->ours, "guest-get-vcpus");
  JsonArray *cpus = json_node_get_array (reply);
  g_autoptr(JsonNode) theirs = NULL;

  g_assert_cmpuint (json_array_get_length (cpus), ==, (guint) sysconf (_SC_NPROCESSORS_CONF));
  if (fixture->theirs == NULL)
    return;

  /* The same CPUs and states; qemu-ga lists them in directory order. */
  theirs = call (fixture->theirs, "guest-get-vcpus");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (theirs)), ==,
                    json_array_get_length (cpus));
  for (guint i = 0; i < json_array_get_length (cpus); i++)
    {
      JsonNode *cpu = json_array_get_element (cpus, i);
      gboolean found = FALSE;

      for (guint j = 0; j < json_array_get_length (json_node_get_array (theirs)); j++)
        found |= json_node_equal (cpu, json_array_get_element (json_node_get_array (theirs), j));
      g_assert_true (found);
    }
}

/* Counters move between two calls: the same CPUs and disks, with the
 * same members, is what can be compared. */
static void
assert_same_shape_as_qemu_ga (Fixture    *fixture,
                              const char *command,
                              const char *key_member)
{
  g_autoptr(JsonNode) ours = call (fixture->ours, command);
  g_autoptr(JsonNode) theirs = NULL;
  JsonArray *ours_array = json_node_get_array (ours);

  g_assert_cmpuint (json_array_get_length (ours_array), >, 0);
  if (fixture->theirs == NULL)
    {
      g_test_skip ("qemu-ga is not installed: no reference reply");
      return;
    }

  theirs = call (fixture->theirs, command);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (theirs)), ==,
                    json_array_get_length (ours_array));
  for (guint i = 0; i < json_array_get_length (ours_array); i++)
    {
      JsonObject *ours_entry = json_array_get_object_element (ours_array, i);
      JsonObject *theirs_entry = json_array_get_object_element (json_node_get_array (theirs), i);
      g_autoptr(GList) ours_members = json_object_get_members (ours_entry);
      JsonNode *ours_key = json_object_get_member (ours_entry, key_member);

      g_assert_true (json_node_equal (ours_key, json_object_get_member (theirs_entry, key_member)));
      g_assert_cmpuint (g_list_length (ours_members), ==, json_object_get_size (theirs_entry));
      for (GList *member = ours_members; member != NULL; member = member->next)
        g_assert_true (json_object_has_member (theirs_entry, member->data));
    }
}

static void
test_cpustats (Fixture       *fixture,
               gconstpointer  data)
{
  assert_same_shape_as_qemu_ga (fixture, "guest-get-cpustats", "cpu");
}

static void
test_diskstats (Fixture       *fixture,
                gconstpointer  data)
{
  assert_same_shape_as_qemu_ga (fixture, "guest-get-diskstats", "name");
}

int
main (int    argc,
      char **argv)
{
  harness_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sysinfo/host-name", test_host_name);
  ADD ("/sysinfo/osinfo", test_osinfo);
  ADD ("/sysinfo/timezone", test_timezone);
  ADD ("/sysinfo/users", test_users);
  ADD ("/sysinfo/time", test_time);
  ADD ("/sysinfo/load", test_load);
  ADD ("/sysinfo/vcpus", test_vcpus);
  ADD ("/sysinfo/cpustats", test_cpustats);
  ADD ("/sysinfo/diskstats", test_diskstats);
#undef ADD

  return harness_run ();
}
