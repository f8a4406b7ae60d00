/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for commands/identity.c on trees of fixture files: how each
 * file is read and what the reply says when it is missing, empty or wrong.
 * tests/mountns/ runs the same command in the agent against a real /etc.
 */
#include "config.h"

#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fixture-dir.h"
#include "identity.h"

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"
#define ED25519_LINE \
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID68KvblsEq1rWiEa/Bm4pLHzX568CuF7BerA28QiuuN"
#define ED25519_FINGERPRINT "SHA256:QyAXEEDTlGVl5Vy6aq/N/OeYDZCqsxfc+UhwLEX2sHE"

typedef struct {
  char *root;
  JsonNode *reply;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = g_dir_make_tmp ("test-identity-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  fixture_dir_remove (fixture->root);
  g_free (fixture->root);
  g_clear_pointer (&fixture->reply, json_node_unref);
}

static char *
fixture_path (Fixture    *fixture,
              const char *relative_path)
{
  g_autofree char *path = g_build_filename (fixture->root, relative_path, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  return g_steal_pointer (&path);
}

static void
write_file (Fixture    *fixture,
            const char *relative_path,
            const char *contents)
{
  g_autofree char *path = fixture_path (fixture, relative_path);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
make_symlink (Fixture    *fixture,
              const char *target,
              const char *relative_path)
{
  g_autofree char *path = fixture_path (fixture, relative_path);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* Collects the identity of the fixture tree; the reply is the fixture's. */
static JsonObject *
collect (Fixture *fixture)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  g_clear_pointer (&fixture->reply, json_node_unref);
  fixture->reply = identity_collect (fixture->root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (fixture->reply));
  json_generator_set_root (generator, fixture->reply);
  text = json_generator_to_data (generator, NULL);
  g_test_message ("%s", text);
  return json_node_get_object (fixture->reply);
}

static void
assert_member_str (JsonObject *object,
                   const char *name,
                   const char *expected)
{
  if (expected == NULL)
    {
      g_assert_false (json_object_has_member (object, name));
      return;
    }
  g_assert_true (json_object_has_member (object, name));
  g_assert_cmpstr (json_object_get_string_member (object, name), ==, expected);
}

static void
assert_member_bool (JsonObject *object,
                    const char *name,
                    gboolean    expected)
{
  g_assert_true (json_object_has_member (object, name));
  g_assert_cmpint (json_object_get_boolean_member (object, name), ==, expected);
}

static void
test_empty_root (Fixture       *fixture,
                 gconstpointer  data)
{
  JsonObject *reply = collect (fixture);
  struct utsname uts;
  static const char * const members[] = {
    "host-name", "machine-id-state", "dbus-machine-id-state", "dbus-machine-id-is-link",
    "dbus-machine-id-matches", "os", "ssh-host-keys",
  };
  GList *names = json_object_get_members (reply);

  g_assert_cmpint (uname (&uts), ==, 0);
  assert_member_str (reply, "host-name", uts.nodename);
  assert_member_str (reply, "static-host-name", NULL);
  assert_member_str (reply, "pretty-host-name", NULL);
  assert_member_str (reply, "machine-id-state", "missing");
  assert_member_str (reply, "machine-id", NULL);
  assert_member_str (reply, "dbus-machine-id-state", "missing");
  assert_member_str (reply, "dbus-machine-id", NULL);
  assert_member_bool (reply, "dbus-machine-id-is-link", FALSE);
  assert_member_bool (reply, "dbus-machine-id-matches", FALSE);
  assert_member_str (reply, "boot-id", NULL);
  assert_member_str (reply, "product-uuid", NULL);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (reply, "os")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply, "ssh-host-keys")), ==, 0);

  /* Nothing else, in this order. */
  g_assert_cmpuint (g_list_length (names), ==, G_N_ELEMENTS (members));
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_cmpstr (g_list_nth_data (names, (guint) i), ==, members[i]);
  g_list_free (names);
}

typedef struct {
  const char *contents;
  const char *state;
  const char *id;
} MachineIdCase;

static void
test_machine_id_states (Fixture       *fixture,
                        gconstpointer  data)
{
  static const MachineIdCase cases[] = {
    { ID_A "\n", "valid", ID_A },
    { ID_A, "valid", ID_A },
    { "", "empty", NULL },
    { " \n", "empty", NULL },
    { "uninitialized\n", "uninitialized", NULL },
    { "0123456789ABCDEF0123456789ABCDEF\n", "invalid", NULL },
    { "0123456789abcdef\n", "invalid", NULL },
    { ID_A "0\n", "invalid", NULL },
    { "00000000000000000000000000000000\n", "invalid", NULL },
    { "01234567-89ab-cdef-0123-456789abcdef\n", "invalid", NULL },
    { ID_A "\n" ID_B "\n", "invalid", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      JsonObject *reply;

      write_file (fixture, "etc/machine-id", cases[i].contents);
      write_file (fixture, "var/lib/dbus/machine-id", cases[i].contents);
      reply = collect (fixture);
      assert_member_str (reply, "machine-id-state", cases[i].state);
      assert_member_str (reply, "machine-id", cases[i].id);
      assert_member_str (reply, "dbus-machine-id-state", cases[i].state);
      assert_member_str (reply, "dbus-machine-id", cases[i].id);
      /* Equal copies, not one file. */
      assert_member_bool (reply, "dbus-machine-id-is-link", FALSE);
      assert_member_bool (reply, "dbus-machine-id-matches", cases[i].id != NULL);
    }
}

static void
test_machine_id_unreadable (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "etc/machine-id");
  JsonObject *reply;

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  reply = collect (fixture);
  assert_member_str (reply, "machine-id-state", "unreadable");
  assert_member_str (reply, "machine-id", NULL);
}

static void
test_dbus_machine_id (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *etc_path = NULL;
  g_autofree char *dbus_path = NULL;
  JsonObject *reply;

  write_file (fixture, "etc/machine-id", ID_A "\n");
  write_file (fixture, "var/lib/dbus/machine-id", ID_B "\n");
  reply = collect (fixture);
  assert_member_str (reply, "machine-id", ID_A);
  assert_member_str (reply, "dbus-machine-id", ID_B);
  assert_member_bool (reply, "dbus-machine-id-is-link", FALSE);
  assert_member_bool (reply, "dbus-machine-id-matches", FALSE);

  /* What Debian's dbus package sets up. */
  dbus_path = fixture_path (fixture, "var/lib/dbus/machine-id");
  g_assert_cmpint (g_unlink (dbus_path), ==, 0);
  make_symlink (fixture, "../../../etc/machine-id", "var/lib/dbus/machine-id");
  reply = collect (fixture);
  assert_member_str (reply, "dbus-machine-id-state", "valid");
  assert_member_str (reply, "dbus-machine-id", ID_A);
  assert_member_bool (reply, "dbus-machine-id-is-link", TRUE);
  assert_member_bool (reply, "dbus-machine-id-matches", TRUE);

  /* A link to a missing file. */
  etc_path = fixture_path (fixture, "etc/machine-id");
  g_assert_cmpint (g_unlink (etc_path), ==, 0);
  reply = collect (fixture);
  assert_member_str (reply, "machine-id-state", "missing");
  assert_member_str (reply, "dbus-machine-id-state", "missing");
  assert_member_bool (reply, "dbus-machine-id-is-link", FALSE);
  assert_member_bool (reply, "dbus-machine-id-matches", FALSE);

  /* A hard link is the same file too. */
  g_assert_cmpint (g_unlink (dbus_path), ==, 0);
  write_file (fixture, "etc/machine-id", ID_B "\n");
  g_assert_cmpint (link (etc_path, dbus_path), ==, 0);
  reply = collect (fixture);
  assert_member_bool (reply, "dbus-machine-id-is-link", TRUE);
  assert_member_bool (reply, "dbus-machine-id-matches", TRUE);
}

static void
test_host_names (Fixture       *fixture,
                 gconstpointer  data)
{
  JsonObject *reply;

  write_file (fixture, "etc/hostname", "\n# set by the installer\n  web-1.example.com  \nignored\n");
  write_file (fixture, "etc/machine-info",
              "# comment\nCHASSIS=vm\nPRETTY_HOSTNAME=\"Lennart's \\\"Web\\\" \\u2603 box\"\n");
  reply = collect (fixture);
  assert_member_str (reply, "static-host-name", "web-1.example.com");
  assert_member_str (reply, "pretty-host-name", "Lennart's \"Web\" \\u2603 box");

  write_file (fixture, "etc/machine-info", "PRETTY_HOSTNAME='Single quoted $HOME'\n");
  reply = collect (fixture);
  assert_member_str (reply, "pretty-host-name", "Single quoted $HOME");

  write_file (fixture, "etc/machine-info", "PRETTY_HOSTNAME=Caf\xc3\xa9\\ Bar\n");
  reply = collect (fixture);
  assert_member_str (reply, "pretty-host-name", "Caf\xc3\xa9 Bar");

  /* Unterminated quoting, empty, and a key that merely contains the name. */
  write_file (fixture, "etc/machine-info",
              "PRETTY_HOSTNAME=\"open\nMY_PRETTY_HOSTNAME=x\n");
  reply = collect (fixture);
  assert_member_str (reply, "pretty-host-name", NULL);
  write_file (fixture, "etc/machine-info", "PRETTY_HOSTNAME=\n");
  reply = collect (fixture);
  assert_member_str (reply, "pretty-host-name", NULL);

  write_file (fixture, "etc/hostname", "  \n# nothing\n");
  reply = collect (fixture);
  assert_member_str (reply, "static-host-name", NULL);
  write_file (fixture, "etc/hostname", "");
  reply = collect (fixture);
  assert_member_str (reply, "static-host-name", NULL);
}

static void
test_os_release (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *etc_path = NULL;
  JsonObject *reply;
  JsonObject *os;

  write_file (fixture, "usr/lib/os-release",
              "NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\n");
  reply = collect (fixture);
  os = json_object_get_object_member (reply, "os");
  assert_member_str (os, "id", "debian");
  assert_member_str (os, "version-id", "12");

  /* /etc/os-release wins, even without the fields. */
  write_file (fixture, "etc/os-release", "ID='fedora'\n");
  reply = collect (fixture);
  os = json_object_get_object_member (reply, "os");
  assert_member_str (os, "id", "fedora");
  assert_member_str (os, "version-id", NULL);

  etc_path = fixture_path (fixture, "etc/os-release");
  g_assert_cmpint (g_unlink (etc_path), ==, 0);
  make_symlink (fixture, "../usr/lib/os-release", "etc/os-release");
  reply = collect (fixture);
  os = json_object_get_object_member (reply, "os");
  assert_member_str (os, "id", "debian");
  assert_member_str (os, "version-id", "12");
}

static void
test_boot_id_and_product_uuid (Fixture       *fixture,
                               gconstpointer  data)
{
  JsonObject *reply;

  write_file (fixture, "proc/sys/kernel/random/boot_id", "6f1c1f5e-2a9b-4c3d-8e7f-0123456789ab\n");
  write_file (fixture, "sys/class/dmi/id/product_uuid", "EC2A1B3C-0D4E-5F60-7182-93A4B5C6D7E8\n");
  reply = collect (fixture);
  assert_member_str (reply, "boot-id", "6f1c1f5e2a9b4c3d8e7f0123456789ab");
  assert_member_str (reply, "product-uuid", "ec2a1b3c-0d4e-5f60-7182-93a4b5c6d7e8");

  write_file (fixture, "proc/sys/kernel/random/boot_id", "6f1c1f5e2a9b4c3d8e7f0123456789ab\n");
  write_file (fixture, "sys/class/dmi/id/product_uuid", "Not Settable\n");
  reply = collect (fixture);
  assert_member_str (reply, "boot-id", NULL);
  assert_member_str (reply, "product-uuid", NULL);
}

static void
test_ssh_host_keys (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *ed25519_path = g_build_filename (fixture->root, "etc/ssh/ssh_host_ed25519_key", NULL);
  g_autofree char *bad_path = g_build_filename (fixture->root, "etc/ssh/ssh_host_bad_key", NULL);
  JsonObject *reply;
  JsonArray *keys;
  JsonObject *key;

  write_file (fixture, "etc/ssh/ssh_host_ed25519_key.pub", ED25519_LINE " root@old-name\n");
  write_file (fixture, "etc/ssh/ssh_host_bad_key.pub", "ssh-rsa AAAA\n");
  write_file (fixture, "etc/ssh/sshd_config", "Port 22\n");
  reply = collect (fixture);
  keys = json_object_get_array_member (reply, "ssh-host-keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, 2);

  key = json_array_get_object_element (keys, 0);
  assert_member_str (key, "path", bad_path);
  assert_member_str (key, "error", "ssh_host_bad_key.pub: The key's type does not match its line");
  assert_member_str (key, "fingerprint", NULL);

  key = json_array_get_object_element (keys, 1);
  assert_member_str (key, "type", "ssh-ed25519");
  assert_member_str (key, "path", ed25519_path);
  assert_member_str (key, "public-key", ED25519_LINE);
  assert_member_str (key, "fingerprint", ED25519_FINGERPRINT);
  assert_member_str (key, "error", NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/identity/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("empty-root", test_empty_root);
  ADD ("machine-id-states", test_machine_id_states);
  ADD ("machine-id-unreadable", test_machine_id_unreadable);
  ADD ("dbus-machine-id", test_dbus_machine_id);
  ADD ("host-names", test_host_names);
  ADD ("os-release", test_os_release);
  ADD ("boot-id-and-product-uuid", test_boot_id_and_product_uuid);
  ADD ("ssh-host-keys", test_ssh_host_keys);
#undef ADD

  return g_test_run ();
}
