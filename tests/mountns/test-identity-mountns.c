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

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "agent-harness.h"

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"
#define MARKER ".guestlink-mountns-fixture"
#define KERNEL_HOST_NAME "guestlink-mountns"

/* A directory replaced by a tmpfs during each case. */
typedef struct {
  const char *dir;
  /* Entries the cases control; the others are linked to the real ones. */
  const char * const *controlled;
  char *staging;     /* the real directory, bind-mounted read-only */
} Overlay;

static const char * const etc_controlled[] = {
  "hostname", "machine-id", "machine-info", "os-release", "ssh", NULL
};
static const char * const var_lib_controlled[] = { "dbus", NULL };

static Overlay overlays[] = {
  { "/etc", etc_controlled, NULL },
  { "/var/lib", var_lib_controlled, NULL },
};

static char *staging_root;     /* outside the harness's run directory */
static char *keys_dir;         /* ssh-keygen's keys, made before any mount */
static const char * const key_types[] = { "ecdsa", "ed25519", "rsa" };
static char *key_fingerprints[G_N_ELEMENTS (key_types)];

static void
check_or_fail (gboolean    ok,
               const char *what)
{
  if (!ok)
    harness_fail ("%s: %s", what, g_strerror (errno));
}

static char *
read_link (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *target = g_file_read_link (path, &error);

  g_assert_no_error (error);
  return target;
}

/* Our namespaces must differ from our parent's (meson's): otherwise a
 * mount over /etc would be the machine's. */
static gboolean
in_private_namespaces (void)
{
  static const char * const kinds[] = { "mnt", "uts" };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *self_path = g_strdup_printf ("/proc/self/ns/%s", kinds[i]);
      g_autofree char *parent_path = g_strdup_printf ("/proc/%d/ns/%s", (int) getppid (), kinds[i]);
      g_autofree char *self_ns = read_link (self_path);
      g_autofree char *parent_ns = read_link (parent_path);

      if (g_str_equal (self_ns, parent_ns))
        return FALSE;
    }
  return TRUE;
}

/* And no mount may propagate back ("shared:N" in mountinfo). */
static gboolean
no_shared_mounts (void)
{
  g_autofree char *mountinfo = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  return strstr (mountinfo, " shared:") == NULL;
}

static void
assert_on_fixture_tmpfs (const char *dir)
{
  g_autofree char *marker = g_build_filename (dir, MARKER, NULL);
  struct statfs st;

  check_or_fail (statfs (dir, &st) == 0, dir);
  if (st.f_type != TMPFS_MAGIC || !g_file_test (marker, G_FILE_TEST_EXISTS))
    harness_fail ("%s is not the test's tmpfs; refusing to write there", dir);
}

/* Writes @path (below /etc or /var/lib/dbus) on the case's tmpfs. */
static void
write_fixture (const char *path,
               const char *contents)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (path, "/etc/") || g_str_has_prefix (path, "/var/lib/dbus/"));
  assert_on_fixture_tmpfs (g_str_has_prefix (path, "/etc/") ? "/etc" : "/var/lib");
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
symlink_fixture (const char *target,
                 const char *path)
{
  g_assert_true (g_str_has_prefix (path, "/var/lib/dbus/"));
  assert_on_fixture_tmpfs ("/var/lib");
  check_or_fail (symlink (target, path) == 0, path);
}

static void
overlay_mount (Overlay *overlay)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree char *marker = g_build_filename (overlay->dir, MARKER, NULL);
  const char *name;

  check_or_fail (mount ("tmpfs", overlay->dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0,
                 overlay->dir);
  g_assert_true (g_file_set_contents (marker, "", 0, NULL));

  dir = g_dir_open (overlay->staging, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *target = g_build_filename (overlay->staging, name, NULL);
      g_autofree char *link_path = g_build_filename (overlay->dir, name, NULL);

      if (!g_strv_contains (overlay->controlled, name))
        check_or_fail (symlink (target, link_path) == 0, link_path);
    }
}

static void
overlay_unmount (Overlay *overlay)
{
  check_or_fail (umount2 (overlay->dir, MNT_DETACH) == 0, overlay->dir);
}

static char *
run_or_fail (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    harness_fail ("%s failed: %s: %s", argv[0], error->message, err);
  return out;
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

      g_free (run_or_fail (generate));
      out = run_or_fail (list);
      words = g_strsplit (out, " ", 3);
      g_assert_cmpuint (g_strv_length (words), >=, 2);
      key_fingerprints[i] = g_strdup (words[1]);
    }
}

static void
setup_staging (void)
{
  g_autoptr(GError) error = NULL;

  staging_root = g_dir_make_tmp ("guestlink-mountns-XXXXXX", &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    {
      Overlay *overlay = &overlays[i];
      g_autofree char *base = g_path_get_basename (overlay->dir);

      overlay->staging = g_build_filename (staging_root, base, NULL);
      g_assert_cmpint (g_mkdir (overlay->staging, 0700), ==, 0);
      check_or_fail (mount (overlay->dir, overlay->staging, NULL, MS_BIND, NULL) == 0,
                     overlay->staging);
      check_or_fail (mount (NULL, overlay->staging, NULL,
                            MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0,
                     overlay->staging);
    }
}

static void
teardown_staging (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    {
      check_or_fail (umount2 (overlays[i].staging, MNT_DETACH) == 0, overlays[i].staging);
      g_assert_cmpint (g_rmdir (overlays[i].staging), ==, 0);
      g_free (overlays[i].staging);
    }
  g_assert_cmpint (g_rmdir (staging_root), ==, 0);
  g_free (staging_root);
}

typedef struct {
  JsonNode *reply;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    overlay_mount (&overlays[i]);
  g_assert_cmpint (g_mkdir ("/var/lib/dbus", 0755), ==, 0);
  check_or_fail (sethostname (KERNEL_HOST_NAME, strlen (KERNEL_HOST_NAME)) == 0, "sethostname");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->reply, json_node_unref);
  for (gsize i = G_N_ELEMENTS (overlays); i > 0; i--)
    overlay_unmount (&overlays[i - 1]);
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
  check_or_fail (mount (fallback, "/usr/lib/os-release", NULL, MS_BIND, NULL) == 0,
                 "/usr/lib/os-release");
  reply = ask_identity (fixture);
  check_or_fail (umount2 ("/usr/lib/os-release", MNT_DETACH) == 0, "/usr/lib/os-release");
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

  harness_init (&argc, &argv);
  if (!in_private_namespaces () || !no_shared_mounts ())
    {
      g_print ("SKIP: not in private mount and UTS namespaces; run through run-in-mountns.sh\n");
      return HARNESS_EXIT_SKIP;
    }

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
