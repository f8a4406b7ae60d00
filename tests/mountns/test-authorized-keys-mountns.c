/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-ssh-*-authorized-keys over fixture users and homes. Run by
 * run-in-mountns.sh in private mount and UTS namespaces: a tmpfs over
 * /etc holds a fixture passwd, group and nsswitch.conf (every other entry
 * links to the machine's own /etc, seen through a read-only bind mount),
 * and each case mounts a fresh tmpfs over /home with the users' homes and
 * a root-owned /home/victim that the symlink, hard link and FIFO attacks
 * aim at. No real home is ever touched.
 */
#include "config.h"

#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "agent-harness.h"
#include "mountns-fixture.h"

#define ALICE_UID 2001
#define BOB_UID 2002

#define K1 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF/1UXQuSKCA6pSMn0exm02Snc5UMOqsBOHp16kGr0zs"
#define K2 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAk7UrzcoixcIDajLi0UknI7KpSe9eEbZCfHeiAwazeZ"
#define K3 "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNA8C6yqRPaJKtfPFlb3nrlTBokjKoEMATgmMio1BA62e+mHp2Zog+E+RfwV50fhrJrtxizpYjuAEeCGBzTxlPY="

#define VICTIM_SECRET "root's secret\n"
#define VICTIM_PUBLIC "root's, readable by all\n"

static const char * const etc_controlled[] = {
  "passwd", "group", "shadow", "gshadow", "nsswitch.conf", NULL
};
static char *etc_staging;

/* Only below /home, and only on the case's tmpfs. */
static void
write_home_file (const char *path,
                 const char *contents,
                 mode_t      mode,
                 uid_t       uid)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (path, "/home/"));
  mountns_assert_on_tmpfs ("/home");
  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, mode, &error);
  g_assert_no_error (error);
  mountns_check (chown (path, uid, uid) == 0, path);
}

static void
make_home_dir (const char *path,
               mode_t      mode,
               uid_t       uid)
{
  g_assert_true (g_str_has_prefix (path, "/home/"));
  mountns_assert_on_tmpfs ("/home");
  mountns_check (mkdir (path, mode) == 0 && chmod (path, mode) == 0, path);
  mountns_check (chown (path, uid, uid) == 0, path);
}

/* /etc: a tmpfs with the fixture's user database, the rest linked to
 * the machine's /etc through a read-only bind mount. */
static void
install_fixture_etc (void)
{
  etc_staging = mountns_stage ("/etc");
  mountns_mount_overlay ("/etc", etc_staging, etc_controlled);

  mountns_assert_on_tmpfs ("/etc");
  g_assert_true (g_file_set_contents ("/etc/nsswitch.conf",
                                      "passwd: files\ngroup: files\nshadow: files\n", -1, NULL));
  g_assert_true (g_file_set_contents ("/etc/passwd",
                                      "root:x:0:0:root:/root:/bin/sh\n"
                                      "alice:x:2001:2001::/home/alice:/bin/sh\n"
                                      "bob:x:2002:2002::/home/bob:/bin/sh\n"
                                      "nohome:x:2003:2003::/home/nohome:/bin/sh\n", -1, NULL));
  g_assert_true (g_file_set_contents ("/etc/group",
                                      "root:x:0:\nalice:x:2001:\nbob:x:2002:\nnohome:x:2003:\n",
                                      -1, NULL));
}

typedef enum {
  ATTACK_SSH_DIR_SYMLINK,
  ATTACK_FILE_SYMLINK,
  ATTACK_FILE_SYMLINK_TO_DIR,
  ATTACK_HARD_LINK,
  ATTACK_FIFO,
  ATTACK_DIRECTORY,
} Attack;

/* A case's data: the agent (NULL: guestlinkd) and, for the attack
 * cases, what is planted. */
typedef struct {
  const char *program;
  Attack attack;
} CaseData;

typedef struct {
  TestAgent *agent;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const CaseData *case_data = data;
  gboolean reference = case_data != NULL && case_data->program != NULL;

  mountns_mount_tmpfs ("/home");
  make_home_dir ("/home/alice", 0700, ALICE_UID);
  make_home_dir ("/home/bob", 0750, BOB_UID);
  make_home_dir ("/home/victim", 0755, 0);
  make_home_dir ("/home/victim/dir", 0755, 0);
  write_home_file ("/home/victim/secret", VICTIM_SECRET, 0600, 0);
  write_home_file ("/home/victim/public", VICTIM_PUBLIC, 0644, 0);
  fixture->agent = test_agent_start (reference ? case_data->program : harness_guestlinkd (),
                                     reference ? HARNESS_AGENT_ALLOW_WARNINGS : HARNESS_AGENT_NONE,
                                     NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const CaseData *case_data = data;

  if (case_data == NULL || case_data->program == NULL)
    test_agent_stop_cleanly (fixture->agent);
  else
    test_agent_stop_reference (fixture->agent);
  g_clear_pointer (&fixture->agent, test_agent_free);
  mountns_check (umount2 ("/home", MNT_DETACH) == 0, "/home");
}

/* Sends @command with @username and @keys (NULL-terminated; NULL: no
 * "keys") and returns the reply line. */
static char *
call (Fixture            *fixture,
      const char         *command,
      const char         *username,
      const char * const *keys,
      gboolean            reset)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *text = NULL;
  char *line;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "execute");
  json_builder_add_string_value (builder, command);
  json_builder_set_member_name (builder, "arguments");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  if (keys != NULL)
    {
      json_builder_set_member_name (builder, "keys");
      json_builder_begin_array (builder);
      for (gsize i = 0; keys[i] != NULL; i++)
        json_builder_add_string_value (builder, keys[i]);
      json_builder_end_array (builder);
    }
  if (reset)
    {
      json_builder_set_member_name (builder, "reset");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  text = json_to_string (request, FALSE);

  line = harness_exchange (test_agent_get_socket_path (fixture->agent), text);
  harness_message_bytes ("reply", line, -1);
  return line;
}

static void
call_ok (Fixture            *fixture,
         const char         *command,
         const char         *username,
         const char * const *keys,
         gboolean            reset)
{
  g_autofree char *line = call (fixture, command, username, keys, reset);
  g_autoptr(JsonNode) value = harness_reply_get_return (line);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (value));
  g_assert_cmpuint (json_object_get_size (json_node_get_object (value)), ==, 0);
}

static void
call_fails (Fixture            *fixture,
            const char         *command,
            const char         *username,
            const char * const *keys,
            gboolean            reset,
            const char         *desc_pattern)
{
  g_autofree char *line = call (fixture, command, username, keys, reset);
  g_autofree char *error_class = harness_reply_error_class (line);
  g_autofree char *desc = harness_reply_error_desc (line);

  if (error_class == NULL)
    harness_fail ("%s did not fail as expected: %s", command, line);
  g_assert_cmpstr (error_class, ==, "GenericError");
  if (desc == NULL || !g_pattern_match_simple (desc_pattern, desc))
    harness_fail ("\"%s\" does not match \"%s\"", desc, desc_pattern);
}

/* guest-ssh-get-authorized-keys's keys, NULL-terminated. */
static GStrv
get_keys (Fixture    *fixture,
          const char *username)
{
  g_autofree char *line = call (fixture, "guest-ssh-get-authorized-keys", username, NULL, FALSE);
  g_autoptr(JsonNode) value = harness_reply_get_return (line);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *keys;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (value));
  g_assert_cmpuint (json_object_get_size (json_node_get_object (value)), ==, 1);
  keys = json_object_get_array_member (json_node_get_object (value), "keys");
  g_assert_nonnull (keys);
  for (guint i = 0; i < json_array_get_length (keys); i++)
    g_strv_builder_add (builder, json_array_get_string_element (keys, i));
  return g_strv_builder_end (builder);
}

static void
assert_keys (Fixture            *fixture,
             const char         *username,
             const char * const *expected)
{
  g_auto(GStrv) keys = get_keys (fixture, username);

  g_assert_true (g_strv_equal ((const char * const *) keys, expected));
}

static void
assert_file (const char *path,
             const char *expected,
             mode_t      mode,
             uid_t       uid)
{
  g_autofree char *contents = NULL;
  struct stat st;

  mountns_check (lstat (path, &st) == 0, path);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_nlink, ==, 1);
  g_assert_cmpint (st.st_mode & 07777, ==, mode);
  g_assert_cmpint (st.st_uid, ==, uid);
  g_assert_cmpint (st.st_gid, ==, uid);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

static void
assert_dir (const char *path,
            mode_t      mode,
            uid_t       uid)
{
  struct stat st;

  mountns_check (lstat (path, &st) == 0, path);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, mode);
  g_assert_cmpint (st.st_uid, ==, uid);
  g_assert_cmpint (st.st_gid, ==, uid);
}

/* Nothing of /home/victim changed (@hard_linked: public has two links). */
static void
assert_victim_untouched (gboolean hard_linked)
{
  g_autoptr(GDir) dir = g_dir_open ("/home/victim/dir", 0, NULL);

  assert_file ("/home/victim/secret", VICTIM_SECRET, 0600, 0);
  g_assert_nonnull (dir);
  if (!hard_linked)
    assert_file ("/home/victim/public", VICTIM_PUBLIC, 0644, 0);
  g_assert_null (g_dir_read_name (dir));
}

static void
assert_no_temporary_files (const char *ssh_dir)
{
  g_autoptr(GDir) dir = g_dir_open (ssh_dir, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, ".authorized_keys"));
}

#define ALICE_KEYS "/home/alice/.ssh/authorized_keys"

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  const char * const k1_k2[] = { K1 " k1@host", K2 " k2@host", NULL };
  const char * const k2_k3[] = { K2 " k2 again", "  " K3 " k3  ", NULL };
  const char * const k1[] = { K1, NULL };
  const char * const k3[] = { K3 " k3", NULL };
  const char * const none[] = { NULL };

  /* No ~/.ssh yet: no keys, and nothing created by asking. */
  assert_keys (fixture, "alice", none);
  g_assert_false (g_file_test ("/home/alice/.ssh", G_FILE_TEST_EXISTS));
  call_ok (fixture, "guest-ssh-remove-authorized-keys", "alice", k1, FALSE);
  g_assert_false (g_file_test ("/home/alice/.ssh", G_FILE_TEST_EXISTS));

  call_ok (fixture, "guest-ssh-add-authorized-keys", "alice", k1_k2, FALSE);
  assert_dir ("/home/alice/.ssh", 0700, ALICE_UID);
  assert_file (ALICE_KEYS, K1 " k1@host\n" K2 " k2@host\n", 0600, ALICE_UID);
  assert_keys (fixture, "alice", k1_k2);

  /* K2 is there already (another comment does not make it new). */
  call_ok (fixture, "guest-ssh-add-authorized-keys", "alice", k2_k3, FALSE);
  assert_file (ALICE_KEYS, K1 " k1@host\n" K2 " k2@host\n" K3 " k3\n", 0600, ALICE_UID);

  call_ok (fixture, "guest-ssh-remove-authorized-keys", "alice", k1, FALSE);
  assert_file (ALICE_KEYS, K2 " k2@host\n" K3 " k3\n", 0600, ALICE_UID);

  call_ok (fixture, "guest-ssh-add-authorized-keys", "alice", k3, TRUE);
  assert_file (ALICE_KEYS, K3 " k3\n", 0600, ALICE_UID);
  assert_keys (fixture, "alice", k3);

  call_ok (fixture, "guest-ssh-add-authorized-keys", "alice", none, TRUE);
  assert_file (ALICE_KEYS, "", 0600, ALICE_UID);
  assert_keys (fixture, "alice", none);
  assert_no_temporary_files ("/home/alice/.ssh");

  /* bob's home is 0750: the agent, acting as bob, still gets in. */
  call_ok (fixture, "guest-ssh-add-authorized-keys", "bob", k1, FALSE);
  assert_dir ("/home/bob/.ssh", 0700, BOB_UID);
  assert_file ("/home/bob/.ssh/authorized_keys", K1 "\n", 0600, BOB_UID);
}

static void
test_other_lines_kept (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char original[] =
    "# managed by hand\n"
    "\n"
    "from=\"10.0.0.0/8\",no-pty " K1 " restricted\n"
    K2 " k2\n"
    "   # indented comment\n"
    "something sshd ignores\n"
    K2 " k2 duplicate\n"
    K3;   /* no final newline */
  const char * const restricted[] = { "from=\"10.0.0.0/8\",no-pty " K1 " other comment", NULL };
  const char * const k1[] = { K1 " plain", NULL };
  const char * const k2[] = { K2, NULL };
  const char * const expected_keys[] = {
    "from=\"10.0.0.0/8\",no-pty " K1 " restricted", K2 " k2", "something sshd ignores",
    K2 " k2 duplicate", K3, NULL
  };

  make_home_dir ("/home/alice/.ssh", 0700, ALICE_UID);
  write_home_file (ALICE_KEYS, original, 0644, ALICE_UID);
  assert_keys (fixture, "alice", expected_keys);

  /* The restricted entry exists; the plain K1 is another entry. */
  call_ok (fixture, "guest-ssh-add-authorized-keys", "alice", restricted, FALSE);
  assert_file (ALICE_KEYS, original, 0644, ALICE_UID);
  call_ok (fixture, "guest-ssh-add-authorized-keys", "alice", k1, FALSE);
  assert_file (ALICE_KEYS,
               "# managed by hand\n"
               "\n"
               "from=\"10.0.0.0/8\",no-pty " K1 " restricted\n"
               K2 " k2\n"
               "   # indented comment\n"
               "something sshd ignores\n"
               K2 " k2 duplicate\n"
               K3 "\n"
               K1 " plain\n", 0600, ALICE_UID);

  /* Both K2 lines go, whatever their comments; the rest stays put. */
  call_ok (fixture, "guest-ssh-remove-authorized-keys", "alice", k2, FALSE);
  assert_file (ALICE_KEYS,
               "# managed by hand\n"
               "\n"
               "from=\"10.0.0.0/8\",no-pty " K1 " restricted\n"
               "   # indented comment\n"
               "something sshd ignores\n"
               K3 "\n"
               K1 " plain\n", 0600, ALICE_UID);
}

static void
test_invalid_arguments (Fixture       *fixture,
                        gconstpointer  data)
{
  const char * const bad_second[] = { K1, "algo key1 comments", NULL };
  const char * const two_lines[] = { K1 "\n" K2, NULL };
  const char * const comment[] = { "# " K1, NULL };
  const char * const truncated[] = { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF/1UXQuSKCA6pSMn0exm02Snc5UMOqsBOHp16kGr0z", NULL };
  const char * const k1[] = { K1, NULL };

  call_fails (fixture, "guest-ssh-add-authorized-keys", "alice", bad_second, FALSE,
              "keys[1] is not a valid public key: *");
  call_fails (fixture, "guest-ssh-add-authorized-keys", "alice", two_lines, FALSE,
              "keys[0] is not a valid public key: The line has a control character");
  call_fails (fixture, "guest-ssh-add-authorized-keys", "alice", comment, TRUE,
              "keys[0] is not a valid public key: The line is a comment");
  call_fails (fixture, "guest-ssh-remove-authorized-keys", "alice", truncated, FALSE,
              "keys[0] is not a valid public key: *");
  /* Nothing was created by any of them. */
  g_assert_false (g_file_test ("/home/alice/.ssh", G_FILE_TEST_EXISTS));

  call_fails (fixture, "guest-ssh-add-authorized-keys", "nosuchuser", k1, FALSE,
              "failed to lookup user 'nosuchuser': *");
  call_fails (fixture, "guest-ssh-get-authorized-keys", "nosuchuser", NULL, FALSE,
              "failed to lookup user 'nosuchuser': *");
  call_fails (fixture, "guest-ssh-remove-authorized-keys", "", k1, FALSE,
              "failed to lookup user '': *");
  call_fails (fixture, "guest-ssh-add-authorized-keys", "nohome", k1, FALSE,
              "failed to open home directory '/home/nohome': *");
  call_fails (fixture, "guest-ssh-add-authorized-keys", "alice", NULL, FALSE,
              "Parameter 'keys' is missing");
}

static void
plant (Attack attack)
{
  mountns_assert_on_tmpfs ("/home");
  if (attack == ATTACK_SSH_DIR_SYMLINK)
    {
      mountns_check (symlink ("/home/victim/dir", "/home/alice/.ssh") == 0, "symlink");
      mountns_check (lchown ("/home/alice/.ssh", ALICE_UID, ALICE_UID) == 0, "lchown");
      return;
    }

  make_home_dir ("/home/alice/.ssh", 0700, ALICE_UID);
  switch (attack)
    {
    case ATTACK_FILE_SYMLINK:
      mountns_check (symlink ("/home/victim/secret", ALICE_KEYS) == 0, "symlink");
      break;
    case ATTACK_FILE_SYMLINK_TO_DIR:
      mountns_check (symlink ("/home/victim/dir", ALICE_KEYS) == 0, "symlink");
      break;
    case ATTACK_HARD_LINK:
      /* Readable by alice, so only the link count gives it away (the
       * secret, 0600, is out of reach of alice's fsuid anyway). */
      mountns_check (link ("/home/victim/public", ALICE_KEYS) == 0, "link");
      break;
    case ATTACK_FIFO:
      mountns_check (mkfifo (ALICE_KEYS, 0600) == 0, "mkfifo");
      mountns_check (chown (ALICE_KEYS, ALICE_UID, ALICE_UID) == 0, "chown");
      break;
    case ATTACK_DIRECTORY:
      make_home_dir (ALICE_KEYS, 0700, ALICE_UID);
      break;
    case ATTACK_SSH_DIR_SYMLINK:
      g_assert_not_reached ();
    }
}

static void
test_attack (Fixture       *fixture,
             gconstpointer  data)
{
  Attack attack = ((const CaseData *) data)->attack;
  const char * const k1[] = { K1 " attacker wants this in", NULL };
  const char *refusal = attack == ATTACK_SSH_DIR_SYMLINK ? "*.ssh' is a symbolic link*"
                        : attack == ATTACK_HARD_LINK ? "*authorized_keys' has other hard links*"
                        : attack == ATTACK_FIFO || attack == ATTACK_DIRECTORY
                          ? "*authorized_keys' is not a regular file*"
                          : "*authorized_keys' is a symbolic link*";
  struct stat before, after;

  plant (attack);
  mountns_check (lstat (attack == ATTACK_SSH_DIR_SYMLINK ? "/home/alice/.ssh" : ALICE_KEYS,
                        &before) == 0, "lstat");

  call_fails (fixture, "guest-ssh-add-authorized-keys", "alice", k1, FALSE, refusal);
  call_fails (fixture, "guest-ssh-add-authorized-keys", "alice", k1, TRUE, refusal);
  call_fails (fixture, "guest-ssh-remove-authorized-keys", "alice", k1, FALSE, refusal);
  call_fails (fixture, "guest-ssh-get-authorized-keys", "alice", NULL, FALSE, refusal);

  assert_victim_untouched (attack == ATTACK_HARD_LINK);
  if (attack == ATTACK_HARD_LINK)
    {
      g_autofree char *contents = NULL;

      /* Still the victim's bytes, through both names. */
      g_assert_true (g_file_get_contents ("/home/victim/public", &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, VICTIM_PUBLIC);
    }
  mountns_check (lstat (attack == ATTACK_SSH_DIR_SYMLINK ? "/home/alice/.ssh" : ALICE_KEYS,
                        &after) == 0, "lstat");
  g_assert_cmpuint (before.st_ino, ==, after.st_ino);
  g_assert_cmpint (before.st_mode, ==, after.st_mode);
  if (attack != ATTACK_SSH_DIR_SYMLINK)
    assert_no_temporary_files ("/home/alice/.ssh");
}

/* qemu-ga 7.2 on the same fixture: the same replies, but for the order
 * of get (qemu-ga lists the file backwards) and its missing last
 * newline. */
static void
test_qemu_ga (Fixture       *fixture,
              gconstpointer  data)
{
  const char * const k1_k2[] = { K1 " k1@host", K2 " k2@host", NULL };
  const char * const k1[] = { K1 " k1@host", NULL };
  const char * const k3[] = { K3 " k3", NULL };
  const char * const bad[] = { K1 "\n" K2, NULL };
  const char * const reversed[] = { K3 " k3", K2 " k2@host", NULL };

  call_ok (fixture, "guest-ssh-add-authorized-keys", "alice", k1_k2, FALSE);
  assert_dir ("/home/alice/.ssh", 0700, ALICE_UID);
  assert_file (ALICE_KEYS, K1 " k1@host\n" K2 " k2@host", 0600, ALICE_UID);
  call_ok (fixture, "guest-ssh-add-authorized-keys", "alice", k1, FALSE);
  call_ok (fixture, "guest-ssh-add-authorized-keys", "alice", k3, FALSE);
  call_ok (fixture, "guest-ssh-remove-authorized-keys", "alice", k1, FALSE);
  assert_file (ALICE_KEYS, K2 " k2@host\n" K3 " k3", 0600, ALICE_UID);
  assert_keys (fixture, "alice", reversed);

  call_fails (fixture, "guest-ssh-add-authorized-keys", "alice", bad, FALSE,
              "invalid OpenSSH public key: *");
  call_fails (fixture, "guest-ssh-get-authorized-keys", "nosuchuser", NULL, FALSE,
              "failed to lookup user 'nosuchuser': *");
}

int
main (int    argc,
      char **argv)
{
  static const struct { const char *name; CaseData data; } attacks[] = {
    { "ssh-dir-symlink", { NULL, ATTACK_SSH_DIR_SYMLINK } },
    { "file-symlink", { NULL, ATTACK_FILE_SYMLINK } },
    { "file-symlink-to-dir", { NULL, ATTACK_FILE_SYMLINK_TO_DIR } },
    { "hard-link", { NULL, ATTACK_HARD_LINK } },
    { "fifo", { NULL, ATTACK_FIFO } },
    { "directory", { NULL, ATTACK_DIRECTORY } },
  };
  static CaseData qemu_ga_case;
  g_autofree char *qemu_ga = NULL;
  int status;

  mountns_require_private ();
  harness_init (&argc, &argv);

  install_fixture_etc ();
  qemu_ga = harness_find_program ("qemu-ga");

  g_test_add ("/authorized-keys-mountns/round-trip", Fixture, NULL,
              fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/authorized-keys-mountns/other-lines-kept", Fixture, NULL,
              fixture_set_up, test_other_lines_kept, fixture_tear_down);
  g_test_add ("/authorized-keys-mountns/invalid-arguments", Fixture, NULL,
              fixture_set_up, test_invalid_arguments, fixture_tear_down);
  for (gsize i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      g_autofree char *path = g_strdup_printf ("/authorized-keys-mountns/attack/%s",
                                               attacks[i].name);

      g_test_add (path, Fixture, &attacks[i].data, fixture_set_up, test_attack, fixture_tear_down);
    }
  qemu_ga_case.program = qemu_ga;
  if (qemu_ga != NULL)
    g_test_add ("/authorized-keys-mountns/qemu-ga", Fixture, &qemu_ga_case,
                fixture_set_up, test_qemu_ga, fixture_tear_down);

  status = harness_run ();
  mountns_check (umount2 ("/etc", MNT_DETACH) == 0, "/etc");
  mountns_unstage (etc_staging);
  g_free (etc_staging);
  return status;
}
