/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * __org.guestlink_get-identity as a host sees it, with the agent reading a
 * fixture /etc. Run by run-in-mountns.sh in private mount and UTS
 * namespaces: each case mounts fresh tmpfs over /etc and /var/lib (with
 * symlinks to everything else the real ones hold, so programs still find
 * ld.so.cache and passwd), starts guestlinkd, asks, and unmounts. The
 * machine's own /etc is only ever read, through a read-only bind mount.
 */
#include "config.h"

#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "agent-harness.h"
#include "mountns-fixture.h"

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"
#define KERNEL_HOST_NAME "guestlink-mountns"

/* A directory replaced by a tmpfs during each case. */
typedef struct {
  const char *dir;
  /* Entries the cases control; the others are linked to the real ones. */
  const char * const *controlled;
  char *staging;     /* the real directory (mountns_stage()) */
} Overlay;

static const char * const etc_controlled[] = {
  "hostname", "machine-id", "machine-info", "os-release", "ssh", NULL
};
static const char * const var_lib_controlled[] = { "dbus", NULL };

static Overlay overlays[] = {
  { "/etc", etc_controlled, NULL },
  { "/var/lib", var_lib_controlled, NULL },
};

static char *keys_dir;         /* ssh-keygen's keys, made before any mount */
static const char * const key_types[] = { "ecdsa", "ed25519", "rsa" };
static char *key_fingerprints[G_N_ELEMENTS (key_types)];

/* Writes @path (below /etc or /var/lib/dbus) on the case's tmpfs. */
static void
write_fixture (const char *path,
               const char *contents)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (path, "/etc/") || g_str_has_prefix (path, "/var/lib/dbus/"));
  mountns_assert_on_tmpfs (g_str_has_prefix (path, "/etc/") ? "/etc" : "/var/lib");
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
symlink_fixture (const char *target,
                 const char *path)
{
  g_assert_true (g_str_has_prefix (path, "/var/lib/dbus/"));
  mountns_assert_on_tmpfs ("/var/lib");
  mountns_check (symlink (target, path) == 0, path);
}

/* Before anything is mounted: ssh-keygen wants the real passwd. */
static void
generate_keys (void)
{
  g_autofree char *program = g_find_program_in_path ("ssh-keygen");

  if (program == NULL)
    return;
  keys_dir = harness_make_dir ("keys");
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_autofree char *name = g_strdup_printf ("ssh_host_%s_key", key_types[i]);
      g_autofree char *path = g_build_filename (keys_dir, name, NULL);
      g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
      const char *generate[] = { program, "-q", "-N", "", "-C", "root@fixture",
                                 "-t", key_types[i], "-f", path, NULL };
      const char *list[] = { program, "-lf", pub_path, NULL };
      g_autofree char *out = NULL;
      g_auto(GStrv) words = NULL;

      g_free (harness_run_or_fail (generate));
      out = harness_run_or_fail (list);
      words = g_strsplit (out, " ", 3);
      g_assert_cmpuint (g_strv_length (words), >=, 2);
      key_fingerprints[i] = g_strdup (words[1]);
    }
}

static void
setup_staging (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    overlays[i].staging = mountns_stage (overlays[i].dir);
}

static void
teardown_staging (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    {
      mountns_unstage (overlays[i].staging);
      g_free (overlays[i].staging);
    }
}

typedef struct {
  JsonNode *reply;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    mountns_mount_overlay (overlays[i].dir, overlays[i].staging, overlays[i].controlled);
  g_assert_cmpint (g_mkdir ("/var/lib/dbus", 0755), ==, 0);
  mountns_check (sethostname (KERNEL_HOST_NAME, strlen (KERNEL_HOST_NAME)) == 0, "sethostname");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->reply, json_node_unref);
  for (gsize i = G_N_ELEMENTS (overlays); i > 0; i--)
    mountns_check (umount2 (overlays[i - 1].dir, MNT_DETACH) == 0, overlays[i - 1].dir);
}

/* Starts an agent on the fixture files, asks @request, and stops it: the
 * return value, which must be an object. */
static JsonObject *
ask_agent (Fixture    *fixture,
           const char *request)
{
  g_autoptr(TestAgent) agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
  g_autofree char *line = harness_exchange (test_agent_get_socket_path (agent), request);

  test_agent_stop_cleanly (agent);
  harness_message_bytes ("reply", line, -1);
  g_clear_pointer (&fixture->reply, json_node_unref);
  fixture->reply = harness_reply_get_return (line);
  if (!JSON_NODE_HOLDS_OBJECT (fixture->reply))
    harness_fail ("Expected an object, got: %s", line);
  return json_node_get_object (fixture->reply);
}

/* The return value of __org.guestlink_get-identity. */
static JsonObject *
ask_identity (Fixture *fixture)
{
  return ask_agent (fixture, "{\"execute\": \"__org.guestlink_get-identity\"}");
}

static void
assert_member_str (JsonObject *object,
                   const char *name,
                   const char *expected)
{
  if (expected == NULL)
    {
      if (json_object_has_member (object, name))
        harness_fail ("unexpected member %s", name);
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
assert_machine_ids (JsonObject *reply,
                    const char *state,
                    const char *id,
                    const char *dbus_state,
                    const char *dbus_id)
{
  assert_member_str (reply, "machine-id-state", state);
  assert_member_str (reply, "machine-id", id);
  assert_member_str (reply, "dbus-machine-id-state", dbus_state);
  assert_member_str (reply, "dbus-machine-id", dbus_id);
}

static char *
strip_dashes (const char *text)
{
  GString *stripped = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (stripped, *p);
  return g_string_free (stripped, FALSE);
}

static void
test_machine_id_valid (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *boot_id = NULL;
  g_autofree char *product_uuid = NULL;
  g_autofree char *expected_boot_id = NULL;
  JsonObject *reply;

  write_fixture ("/etc/machine-id", ID_A "\n");
  write_fixture ("/var/lib/dbus/machine-id", ID_A "\n");
  reply = ask_identity (fixture);
  assert_machine_ids (reply, "valid", ID_A, "valid", ID_A);
  assert_member_bool (reply, "dbus-machine-id-is-link", FALSE);
  assert_member_bool (reply, "dbus-machine-id-matches", TRUE);
  assert_member_str (reply, "host-name", KERNEL_HOST_NAME);

  /* The kernel's own, without dashes. */
  g_assert_true (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL));
  expected_boot_id = strip_dashes (g_strstrip (boot_id));
  assert_member_str (reply, "boot-id", expected_boot_id);

  /* Only where the firmware has DMI. */
  if (g_file_get_contents ("/sys/class/dmi/id/product_uuid", &product_uuid, NULL, NULL))
    {
      g_autofree char *expected_uuid = g_ascii_strdown (g_strstrip (product_uuid), -1);

      assert_member_str (reply, "product-uuid", expected_uuid);
    }
  else
    assert_member_str (reply, "product-uuid", NULL);
}

static void
test_machine_id_missing (Fixture       *fixture,
                         gconstpointer  data)
{
  JsonObject *reply = ask_identity (fixture);

  assert_machine_ids (reply, "missing", NULL, "missing", NULL);
  assert_member_bool (reply, "dbus-machine-id-is-link", FALSE);
  assert_member_bool (reply, "dbus-machine-id-matches", FALSE);
}

static void
test_machine_id_empty (Fixture       *fixture,
                       gconstpointer  data)
{
  JsonObject *reply;

  write_fixture ("/etc/machine-id", "");
  write_fixture ("/var/lib/dbus/machine-id", "\n");
  reply = ask_identity (fixture);
  assert_machine_ids (reply, "empty", NULL, "empty", NULL);
  assert_member_bool (reply, "dbus-machine-id-matches", FALSE);
}

static void
test_machine_id_uninitialized (Fixture       *fixture,
                               gconstpointer  data)
{
  JsonObject *reply;

  write_fixture ("/etc/machine-id", "uninitialized\n");
  write_fixture ("/var/lib/dbus/machine-id", "not-an-id\n");
  reply = ask_identity (fixture);
  assert_machine_ids (reply, "uninitialized", NULL, "invalid", NULL);
}

static void
test_dbus_machine_id_differs (Fixture       *fixture,
                              gconstpointer  data)
{
  JsonObject *reply;

  write_fixture ("/etc/machine-id", ID_A "\n");
  write_fixture ("/var/lib/dbus/machine-id", ID_B "\n");
  reply = ask_identity (fixture);
  assert_machine_ids (reply, "valid", ID_A, "valid", ID_B);
  assert_member_bool (reply, "dbus-machine-id-is-link", FALSE);
  assert_member_bool (reply, "dbus-machine-id-matches", FALSE);
}

/* The absolute link Debian's dbus package makes. */
static void
test_dbus_machine_id_symlink (Fixture       *fixture,
                              gconstpointer  data)
{
  JsonObject *reply;

  write_fixture ("/etc/machine-id", ID_B "\n");
  symlink_fixture ("/etc/machine-id", "/var/lib/dbus/machine-id");
  reply = ask_identity (fixture);
  assert_machine_ids (reply, "valid", ID_B, "valid", ID_B);
  assert_member_bool (reply, "dbus-machine-id-is-link", TRUE);
  assert_member_bool (reply, "dbus-machine-id-matches", TRUE);
}

static void
test_host_names (Fixture       *fixture,
                 gconstpointer  data)
{
  JsonObject *reply = ask_identity (fixture);

  assert_member_str (reply, "host-name", KERNEL_HOST_NAME);
  assert_member_str (reply, "static-host-name", NULL);
  assert_member_str (reply, "pretty-host-name", NULL);

  write_fixture ("/etc/hostname", "# written by the template\nstatic-name\n");
  write_fixture ("/etc/machine-info", "CHASSIS=vm\nPRETTY_HOSTNAME=\"Guest's \\\"pretty\\\" name\"\n");
  reply = ask_identity (fixture);
  assert_member_str (reply, "host-name", KERNEL_HOST_NAME);
  assert_member_str (reply, "static-host-name", "static-name");
  assert_member_str (reply, "pretty-host-name", "Guest's \"pretty\" name");
}

static void
test_os_release (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *fallback_dir = harness_make_dir ("os-release");
  g_autofree char *fallback = g_build_filename (fallback_dir, "os-release", NULL);
  JsonObject *reply;
  JsonObject *os;

  write_fixture ("/etc/os-release", "NAME=Fixture\nID=fixture-os\nVERSION_ID=\"1.2\"\n");
  reply = ask_identity (fixture);
  os = json_object_get_object_member (reply, "os");
  assert_member_str (os, "id", "fixture-os");
  assert_member_str (os, "version-id", "1.2");

  /* Without /etc/os-release, /usr/lib's is read. */
  g_assert_true (g_file_set_contents (fallback, "ID='usr-lib-os'\n", -1, NULL));
  g_assert_cmpint (g_unlink ("/etc/os-release"), ==, 0);
  if (!g_file_test ("/usr/lib/os-release", G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("no /usr/lib/os-release to mount over");
      return;
    }
  mountns_check (mount (fallback, "/usr/lib/os-release", NULL, MS_BIND, NULL) == 0,
                 "/usr/lib/os-release");
  reply = ask_identity (fixture);
  mountns_check (umount2 ("/usr/lib/os-release", MNT_DETACH) == 0, "/usr/lib/os-release");
  os = json_object_get_object_member (reply, "os");
  assert_member_str (os, "id", "usr-lib-os");
  assert_member_str (os, "version-id", NULL);
}

static void
test_ssh_host_keys (Fixture       *fixture,
                    gconstpointer  data)
{
  JsonObject *reply;
  JsonArray *keys;
  guint n_keys = G_N_ELEMENTS (key_types);

  if (keys_dir == NULL)
    {
      g_test_skip ("ssh-keygen (openssh-client) is not installed");
      return;
    }
  for (gsize i = 0; i < n_keys; i++)
    {
      g_autofree char *name = g_strdup_printf ("ssh_host_%s_key.pub", key_types[i]);
      g_autofree char *source = g_build_filename (keys_dir, name, NULL);
      g_autofree char *target = g_build_filename ("/etc/ssh", name, NULL);
      g_autofree char *contents = NULL;

      g_assert_true (g_file_get_contents (source, &contents, NULL, NULL));
      write_fixture (target, contents);
    }
  /* Reported, not fatal; sorts last. */
  write_fixture ("/etc/ssh/ssh_host_zz_key.pub", "ssh-ed25519 AAAA\n");

  reply = ask_identity (fixture);
  keys = json_object_get_array_member (reply, "ssh-host-keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, n_keys + 1);
  for (guint i = 0; i < n_keys; i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);
      g_autofree char *path = g_strdup_printf ("/etc/ssh/ssh_host_%s_key", key_types[i]);
      g_autofree char *pub_path = g_strdup_printf ("%s/ssh_host_%s_key.pub", keys_dir, key_types[i]);
      g_autofree char *line = NULL;
      const char *public_key = json_object_get_string_member (key, "public-key");

      assert_member_str (key, "path", path);
      assert_member_str (key, "fingerprint", key_fingerprints[i]);
      g_assert_true (g_file_get_contents (pub_path, &line, NULL, NULL));
      g_assert_true (g_str_has_prefix (line, public_key));
      g_assert_cmpstr (line + strlen (public_key), ==, " root@fixture\n");
    }
  assert_member_str (json_array_get_object_element (keys, 0), "type", "ecdsa-sha2-nistp256");
  assert_member_str (json_array_get_object_element (keys, 1), "type", "ssh-ed25519");
  assert_member_str (json_array_get_object_element (keys, 2), "type", "ssh-rsa");
  assert_member_str (json_array_get_object_element (keys, n_keys), "path", "/etc/ssh/ssh_host_zz_key");
  g_assert_true (json_object_has_member (json_array_get_object_element (keys, n_keys), "error"));

  /* __org.guestlink_ssh-get-host-keys tells the same keys. */
  {
    g_autoptr(JsonNode) identity_keys = json_node_copy (json_object_get_member (reply, "ssh-host-keys"));
    JsonObject *host_keys = ask_agent (fixture, "{\"execute\": \"__org.guestlink_ssh-get-host-keys\"}");

    g_assert_true (json_node_equal (json_object_get_member (host_keys, "keys"), identity_keys));
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  mountns_require_private ();
  harness_init (&argc, &argv);

  generate_keys ();
  setup_staging ();

#define ADD(path, func) \
  g_test_add ("/identity-mountns/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("machine-id-valid", test_machine_id_valid);
  ADD ("machine-id-missing", test_machine_id_missing);
  ADD ("machine-id-empty", test_machine_id_empty);
  ADD ("machine-id-uninitialized", test_machine_id_uninitialized);
  ADD ("dbus-machine-id-differs", test_dbus_machine_id_differs);
  ADD ("dbus-machine-id-symlink", test_dbus_machine_id_symlink);
  ADD ("host-names", test_host_names);
  ADD ("os-release", test_os_release);
  ADD ("ssh-host-keys", test_ssh_host_keys);
#undef ADD

  status = harness_run ();
  teardown_staging ();
  for (gsize i = 0; i < G_N_ELEMENTS (key_fingerprints); i++)
    g_free (key_fingerprints[i]);
  g_free (keys_dir);
  return status;
}
