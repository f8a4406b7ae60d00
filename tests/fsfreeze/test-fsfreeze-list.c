/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-fsfreeze-freeze-list, -status and -thaw on real ext4 and xfs loop
 * mounts: what is frozen really is (a writer blocks), what is thawed
 * really is, what runs while frozen, how a filesystem seen through two
 * mounts is counted, which mount points are refused, and a filesystem
 * frozen by someone else. Each case has a private root of its own
 * (fsfreeze-harness.h).
 */
#include "config.h"

#include <string.h>

#include "fsfreeze-harness.h"

#define FROZEN_DESC(command) "Command " command " has been disabled: the agent is in frozen state"

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The marker's lines, sorted, joined with commas; NULL if there is none. */
static char *
read_marker (FsRoot *root)
{
  g_autofree char *contents = fs_root_read_file (root, ROOT_MARKER);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  if (contents == NULL)
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    if (**line != '\0')
      g_ptr_array_add (kept, *line);
  g_ptr_array_sort (kept, compare_strings);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv (",", (char **) kept->pdata);
}

static void
test_freeze_thaw (void)
{
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = root_agent_start (root, NULL);
  g_autoptr(Writer) ext4_writer = NULL;
  g_autoptr(Writer) xfs_writer = NULL;
  g_autofree char *marker = NULL;

  root_agent_assert_status (agent, "thawed");
  g_assert_cmpint (root_agent_call_int (agent, FREEZE_BOTH), ==, 2);
  root_agent_assert_status (agent, "frozen");

  ext4_writer = writer_start (root, FS_EXT4);
  xfs_writer = writer_start (root, FS_XFS);
  writer_assert_blocked (ext4_writer, FS_BLOCKED_MS);
  writer_assert_blocked (xfs_writer, FS_BLOCKED_MS);

  /* The marker names what is frozen, for a restarted agent. */
  marker = read_marker (root);
  g_assert_cmpstr (marker, ==, FS_EXT4 "," FS_XFS);

  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 2);
  writer_assert_done (ext4_writer, FS_WRITER_DONE_MS);
  writer_assert_done (xfs_writer, FS_WRITER_DONE_MS);
  root_agent_assert_status (agent, "thawed");
  g_assert_false (fs_root_exists (root, ROOT_MARKER));

  root_agent_stop_cleanly (agent);
}

/* guest-info's "enabled" for @name. */
static gboolean
command_enabled (const char *info_reply,
                 const char *name)
{
  g_autoptr(JsonNode) info = harness_reply_get_return (info_reply);
  JsonArray *commands = json_object_get_array_member (json_node_get_object (info),
                                                      "supported_commands");

  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      JsonObject *command = json_array_get_object_element (commands, i);

      if (g_str_equal (json_object_get_string_member (command, "name"), name))
        return json_object_get_boolean_member (command, "enabled");
    }
  harness_fail ("guest-info does not list %s", name);
}

static void
test_allow_list (void)
{
  static const char * const allowed[] = {
    "guest-ping", "guest-info", "guest-sync", "guest-sync-delimited",
    "guest-fsfreeze-status", "guest-fsfreeze-thaw",
  };
  static const char * const refused[] = {
    "guest-get-osinfo", "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list",
    "guest-get-time", "guest-get-host-name", "guest-fstrim", "guest-get-fsinfo",
  };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = root_agent_start (root, NULL);
  g_autoptr(Writer) xfs_writer = NULL;
  g_autoptr(Writer) ext4_writer = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *info = NULL;
  gint64 time_ns;

  g_assert_cmpint (root_agent_call_int (agent, FREEZE_LIST ("[\"" FS_EXT4 "\"]")), ==, 1);

  /* What a host needs to talk to a frozen guest and to thaw it. */
  reply = root_agent_exchange (agent, PING);
  g_assert_cmpstr (reply, ==, "{\"return\": {}}\n");
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (root_agent_call_int (agent, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1234}}"),
                   ==, 1234);
  reply = root_agent_exchange (agent, "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":99}}");
  g_assert_cmpstr (reply, ==, "\xff{\"return\": 99}\n");
  root_agent_assert_status (agent, "frozen");

  /* guest-info answers, and says what is disabled, as qemu-ga's does. */
  info = root_agent_exchange (agent, "{\"execute\":\"guest-info\"}");
  for (gsize i = 0; i < G_N_ELEMENTS (allowed); i++)
    if (!command_enabled (info, allowed[i]))
      harness_fail ("guest-info says %s is disabled while frozen: %s", allowed[i], info);
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    if (command_enabled (info, refused[i]))
      harness_fail ("guest-info says %s is enabled while frozen: %s", refused[i], info);
  g_clear_pointer (&info, g_free);

  /* Everything else is refused, with qemu-ga's words. */
  root_agent_call_error (agent, "{\"execute\":\"guest-get-osinfo\"}", "CommandNotFound",
                         FROZEN_DESC ("guest-get-osinfo"));
  root_agent_call_error (agent, GET_TIME, "CommandNotFound", FROZEN_DESC ("guest-get-time"));
  root_agent_call_error (agent, "{\"execute\":\"guest-fsfreeze-freeze\"}", "CommandNotFound",
                         FROZEN_DESC ("guest-fsfreeze-freeze"));
  /* A trim would write to the frozen filesystem; only ever sent here, in
   * the private root. */
  root_agent_call_error (agent, "{\"execute\":\"guest-fstrim\"}", "CommandNotFound",
                         FROZEN_DESC ("guest-fstrim"));
  root_agent_call_error (agent, FREEZE_LIST ("[\"" FS_XFS "\"]"), "CommandNotFound",
                         FROZEN_DESC ("guest-fsfreeze-freeze-list"));
  /* An unknown command stays unknown. */
  root_agent_call_error (agent, "{\"execute\":\"guest-no-such-command\"}", "CommandNotFound",
                         "The command guest-no-such-command has not been found");

  /* The refused freeze-list froze nothing: xfs takes writes. */
  xfs_writer = writer_start (root, FS_XFS);
  writer_assert_done (xfs_writer, FS_WRITER_DONE_MS);
  ext4_writer = writer_start (root, FS_EXT4);
  writer_assert_blocked (ext4_writer, FS_BLOCKED_MS);

  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 1);
  writer_assert_done (ext4_writer, FS_WRITER_DONE_MS);

  /* And after the thaw, the others run again. */
  time_ns = root_agent_call_int (agent, GET_TIME);
  g_assert_cmpint (time_ns, >, 0);
  info = root_agent_exchange (agent, "{\"execute\":\"guest-info\"}");
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    if (!command_enabled (info, refused[i]))
      harness_fail ("guest-info says %s is still disabled after the thaw: %s", refused[i], info);

  root_agent_stop_cleanly (agent);
}

static void
test_thaw_nothing (void)
{
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = root_agent_start (root, NULL);

  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 0);
  root_agent_assert_status (agent, "thawed");

  g_assert_cmpint (root_agent_call_int (agent, FREEZE_LIST ("[\"" FS_XFS "\"]")), ==, 1);
  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 1);
  /* A second thaw finds nothing left. */
  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 0);
  root_agent_assert_status (agent, "thawed");

  root_agent_stop_cleanly (agent);
}

static void
test_bind_counted_once (void)
{
  static const char * const lists[] = {
    FREEZE_LIST ("[\"" FS_EXT4 "\",\"" FS_EXT4_BIND "\"]"),
    FREEZE_LIST ("[\"" FS_EXT4_BIND "\",\"" FS_EXT4 "\"]"),
    FREEZE_LIST ("[\"" FS_EXT4 "\",\"" FS_EXT4 "\"]"),
  };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_BIND);
  g_autoptr(RootAgent) agent = root_agent_start (root, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_autoptr(Writer) writer = NULL;

      g_test_message ("%s", lists[i]);
      g_assert_cmpint (root_agent_call_int (agent, lists[i]), ==, 1);
      writer = writer_start (root, FS_EXT4_BIND);
      writer_assert_blocked (writer, FS_BLOCKED_MS);
      g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 1);
      writer_assert_done (writer, FS_WRITER_DONE_MS);
    }

  /* The bind mount alone freezes the filesystem behind both. */
  {
    g_autoptr(Writer) writer = NULL;

    g_assert_cmpint (root_agent_call_int (agent, FREEZE_LIST ("[\"" FS_EXT4_BIND "\"]")), ==, 1);
    writer = writer_start (root, FS_EXT4);
    writer_assert_blocked (writer, FS_BLOCKED_MS);
    g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 1);
    writer_assert_done (writer, FS_WRITER_DONE_MS);
  }

  root_agent_stop_cleanly (agent);
}

static void
test_bad_mountpoints (void)
{
  static const struct {
    const char *request;
    const char *desc;
  } cases[] = {
    { FREEZE_LIST ("[\"mnt/ext4\"]"), "Mount point 'mnt/ext4' is not an absolute path" },
    { FREEZE_LIST ("[\"\"]"), "Mount point '' is not an absolute path" },
    { FREEZE_LIST ("[\"/notmounted\"]"), "'/notmounted' is not a mount point" },
    { FREEZE_LIST ("[\"/file\"]"), "'/file' is not a mount point" },
    { FREEZE_LIST ("[\"/nonexistent\"]"), "'/nonexistent' is not a mount point" },
    /* A directory of a loop filesystem is not its mount point. */
    { FREEZE_LIST ("[\"" FS_EXT4 "/sub\"]"), "'" FS_EXT4 "/sub' is not a mount point" },
    { FREEZE_LIST ("[\"/proc\"]"), "'/proc' is not a local filesystem and cannot be frozen" },
    { FREEZE_LIST ("[\"/\"]"), "'/' is not a local filesystem and cannot be frozen" },
    /* Every mount point is checked before anything is frozen. */
    { FREEZE_LIST ("[\"" FS_EXT4 "\",\"" FS_XFS "\",\"/notmounted\"]"),
      "'/notmounted' is not a mount point" },
    { FREEZE_LIST ("[\"" FS_XFS "\",\"relative\"]"),
      "Mount point 'relative' is not an absolute path" },
    { FREEZE_LIST ("[\"" FS_EXT4 "\",\"/proc\"]"),
      "'/proc' is not a local filesystem and cannot be frozen" },
    /* The argument layer's words, as qemu-ga's. */
    { FREEZE_LIST ("\"" FS_EXT4 "\""), "Invalid parameter type for 'mountpoints', expected: array" },
    { FREEZE_LIST ("[1]"), "Invalid parameter type for 'mountpoints[0]', expected: string" },
  };
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = NULL;

  fs_root_mkdir (root, "/notmounted");
  fs_root_write_file (root, "/file", "not a mount point\n", 0644);
  fs_root_mkdir (root, FS_EXT4 "/sub");
  agent = root_agent_start (root, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Writer) ext4_writer = NULL;
      g_autoptr(Writer) xfs_writer = NULL;

      g_test_message ("%s", cases[i].request);
      root_agent_call_error (agent, cases[i].request, "GenericError", cases[i].desc);

      /* Nothing frozen, nothing half-done. */
      root_agent_assert_status (agent, "thawed");
      g_assert_false (fs_root_exists (root, ROOT_MARKER));
      ext4_writer = writer_start (root, FS_EXT4);
      xfs_writer = writer_start (root, FS_XFS);
      writer_assert_done (ext4_writer, FS_WRITER_DONE_MS);
      writer_assert_done (xfs_writer, FS_WRITER_DONE_MS);
    }

  /* No gate was left on. */
  g_assert_cmpint (root_agent_call_int (agent, GET_TIME), >, 0);
  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 0);
  root_agent_stop_cleanly (agent);
}

/* A filesystem frozen by someone else (fsfreeze -f) is not the agent's:
 * FIFREEZE says EBUSY, it is not counted, and the agent's thaw leaves it
 * frozen. */
static void
test_frozen_by_someone_else (void)
{
  g_autoptr(FsRoot) root = fs_root_new (FS_ROOT_NONE);
  g_autoptr(RootAgent) agent = root_agent_start (root, NULL);
  g_autoptr(Writer) ext4_writer = NULL;
  g_autoptr(Writer) xfs_writer = NULL;

  fs_root_freeze_by_test (root, FS_XFS);
  g_assert_cmpint (root_agent_call_int (agent, FREEZE_BOTH), ==, 1);
  root_agent_assert_status (agent, "frozen");
  ext4_writer = writer_start (root, FS_EXT4);
  xfs_writer = writer_start (root, FS_XFS);
  writer_assert_blocked (ext4_writer, FS_BLOCKED_MS);

  g_assert_cmpint (root_agent_call_int (agent, THAW), ==, 1);
  writer_assert_done (ext4_writer, FS_WRITER_DONE_MS);
  root_agent_assert_status (agent, "thawed");
  /* Still frozen: the agent did not thaw what it did not freeze. */
  writer_assert_blocked (xfs_writer, 2 * FS_BLOCKED_MS);

  fs_root_thaw_by_test (root, FS_XFS);
  writer_assert_done (xfs_writer, FS_WRITER_DONE_MS);
  root_agent_stop_cleanly (agent);
}

int
main (int    argc,
      char **argv)
{
  fsfreeze_init (&argc, &argv);

  fsfreeze_add_func ("/fsfreeze/list/freeze-thaw", test_freeze_thaw);
  fsfreeze_add_func ("/fsfreeze/list/allow-list", test_allow_list);
  fsfreeze_add_func ("/fsfreeze/list/thaw-nothing", test_thaw_nothing);
  fsfreeze_add_func ("/fsfreeze/list/bind-counted-once", test_bind_counted_once);
  fsfreeze_add_func ("/fsfreeze/list/bad-mountpoints", test_bad_mountpoints);
  fsfreeze_add_func ("/fsfreeze/list/frozen-by-someone-else", test_frozen_by_someone_else);

  return fsfreeze_run ();
}
