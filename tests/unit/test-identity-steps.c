/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The file work of set-identity's steps, on fixture trees: /etc/hosts,
 * machine-info, the machine-id and D-Bus's copy of it, DHCP leases and
 * the random seed. The steps as a whole (hostnamed, systemd, the
 * kernel) are tested in tests/mountns.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "fixture-dir.h"
#include "identity-steps.h"
#include "identity-validate.h"

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"

typedef struct {
  char *root;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = g_dir_make_tmp ("guestlink-identity-steps-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  fixture_dir_remove (fixture->root);
  g_free (fixture->root);
}

static char *
fixture_path (Fixture    *fixture,
              const char *guest_path)
{
  return g_build_filename (fixture->root, guest_path, NULL);
}

static void
make_dir (Fixture    *fixture,
          const char *guest_path)
{
  g_autofree char *path = fixture_path (fixture, guest_path);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

static void
write_file (Fixture    *fixture,
            const char *guest_path,
            const char *contents)
{
  g_autofree char *path = fixture_path (fixture, guest_path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
make_link (Fixture    *fixture,
           const char *target,
           const char *guest_path)
{
  g_autofree char *path = fixture_path (fixture, guest_path);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void
assert_file (Fixture    *fixture,
             const char *guest_path,
             const char *contents,
             mode_t      mode)
{
  g_autofree char *path = fixture_path (fixture, guest_path);
  g_autofree char *read = NULL;
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, mode);
  g_assert_true (g_file_get_contents (path, &read, NULL, NULL));
  g_assert_cmpstr (read, ==, contents);
}

static void
assert_link (Fixture    *fixture,
             const char *guest_path,
             const char *target)
{
  g_autofree char *path = fixture_path (fixture, guest_path);
  g_autofree char *read = g_file_read_link (path, NULL);

  g_assert_cmpstr (read, ==, target);
}

static gboolean
exists (Fixture    *fixture,
        const char *guest_path)
{
  g_autofree char *path = fixture_path (fixture, guest_path);
  struct stat st;

  return lstat (path, &st) == 0;
}

/* ---- /etc/hosts --------------------------------------------------------- */

static void
assert_rewrite (const char *contents,
                const char *host_name,
                const char *expected)
{
  g_autofree char *rewritten = identity_hosts_rewrite (contents, host_name);

  g_assert_cmpstr (rewritten, ==, expected);
}

static void
test_hosts_rewrite (void)
{
  /* Debian's own, as the installer writes it. */
  assert_rewrite ("127.0.0.1\tlocalhost\n127.0.1.1\ttemplate.example.org\ttemplate\n\n"
                  "# The following lines are desirable for IPv6 capable hosts\n"
                  "::1     localhost ip6-localhost ip6-loopback\n",
                  "web-7.example.org",
                  "127.0.0.1\tlocalhost\n127.0.1.1\tweb-7.example.org\tweb-7\n\n"
                  "# The following lines are desirable for IPv6 capable hosts\n"
                  "::1     localhost ip6-localhost ip6-loopback\n");
  /* A short name has no second one. */
  assert_rewrite ("127.0.1.1\ttemplate\n", "web-7", "127.0.1.1\tweb-7\n");
  /* Blanks, indentation and a comment kept; no final newline kept so. */
  assert_rewrite ("  127.0.1.1   old  other # mine", "new.lan",
                  "  127.0.1.1   new.lan   new # mine");
  assert_rewrite ("127.0.1.1 # placeholder\n", "new", "127.0.1.1 new # placeholder\n");
  assert_rewrite ("127.0.1.1\n", "new", "127.0.1.1\tnew\n");
  /* Every such line. */
  assert_rewrite ("127.0.1.1 a\n10.0.0.1 db\n127.0.1.1 b\n", "c",
                  "127.0.1.1 c\n10.0.0.1 db\n127.0.1.1 c\n");
  /* Comments and other addresses are not lines to change. */
  assert_rewrite ("#127.0.1.1 old\n127.0.1.10 other\n127.0.0.1 localhost\n", "new", NULL);
  assert_rewrite ("", "new", NULL);
}

static IdentityStepStatus
update_hosts (Fixture     *fixture,
              const char  *host_name,
              char       **out_detail)
{
  g_autoptr(GError) error = NULL;
  IdentityStepStatus status = identity_hosts_file_update (fixture->root, host_name, out_detail, &error);

  g_assert_no_error (error);
  return status;
}

static void
test_hosts_file (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "/etc/hosts");
  g_autofree char *detail = NULL;

  make_dir (fixture, "/etc");
  g_assert_cmpint (update_hosts (fixture, "new", &detail), ==, IDENTITY_STEP_SKIPPED);
  g_assert_cmpstr (detail, ==, "no /etc/hosts");
  g_clear_pointer (&detail, g_free);

  write_file (fixture, "/etc/hosts", "127.0.0.1 localhost\n");
  g_assert_cmpint (update_hosts (fixture, "new", &detail), ==, IDENTITY_STEP_SKIPPED);
  g_assert_cmpstr (detail, ==, "no 127.0.1.1 line in /etc/hosts");
  g_clear_pointer (&detail, g_free);
  assert_file (fixture, "/etc/hosts", "127.0.0.1 localhost\n", 0644);

  /* The file's mode is kept. */
  write_file (fixture, "/etc/hosts", "127.0.0.1 localhost\n127.0.1.1 old\n");
  g_assert_cmpint (chmod (path, 0640), ==, 0);
  g_assert_cmpint (update_hosts (fixture, "new.example", &detail), ==, IDENTITY_STEP_DONE);
  g_assert_cmpstr (detail, ==, "the 127.0.1.1 line of /etc/hosts names new.example");
  g_clear_pointer (&detail, g_free);
  assert_file (fixture, "/etc/hosts", "127.0.0.1 localhost\n127.0.1.1 new.example new\n", 0640);

  /* Again: the same. */
  g_assert_cmpint (update_hosts (fixture, "new.example", &detail), ==, IDENTITY_STEP_DONE);
  g_clear_pointer (&detail, g_free);
  assert_file (fixture, "/etc/hosts", "127.0.0.1 localhost\n127.0.1.1 new.example new\n", 0640);

  /* A link is someone else's file. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  write_file (fixture, "/run/hosts", "127.0.1.1 old\n");
  make_link (fixture, "../run/hosts", "/etc/hosts");
  g_assert_cmpint (update_hosts (fixture, "new", &detail), ==, IDENTITY_STEP_SKIPPED);
  g_assert_cmpstr (detail, ==, "/etc/hosts is a symbolic link; left alone");
  assert_file (fixture, "/run/hosts", "127.0.1.1 old\n", 0644);
}

/* ---- machine-info ------------------------------------------------------- */

static void
assert_pretty (const char *contents,
               const char *pretty_name,
               const char *expected)
{
  g_autofree char *result = identity_machine_info_set_pretty (contents, pretty_name);

  g_assert_cmpstr (result, ==, expected);
}

static void
test_machine_info (void)
{
  assert_pretty (NULL, "Web 7", "PRETTY_HOSTNAME=\"Web 7\"\n");
  assert_pretty (NULL, "", "");
  assert_pretty ("CHASSIS=vm\n", "Web", "CHASSIS=vm\nPRETTY_HOSTNAME=\"Web\"\n");
  /* In place, later duplicates dropped, other lines and comments kept. */
  assert_pretty ("# mine\nPRETTY_HOSTNAME=Old\nCHASSIS=vm\n PRETTY_HOSTNAME = \"Older\"\nDEPLOYMENT=prod",
                 "New", "# mine\nPRETTY_HOSTNAME=\"New\"\nCHASSIS=vm\nDEPLOYMENT=prod\n");
  assert_pretty ("PRETTY_HOSTNAME=Old\nCHASSIS=vm\n", "", "CHASSIS=vm\n");
  /* Not the key, though it starts like it. */
  assert_pretty ("PRETTY_HOSTNAMES=x\n", "", "PRETTY_HOSTNAMES=x\n");
  /* What is special inside double quotes is escaped. */
  assert_pretty (NULL, "a \"b\" \\c $d `e` 'f'",
                 "PRETTY_HOSTNAME=\"a \\\"b\\\" \\\\c \\$d \\`e\\` 'f'\"\n");
}

static void
test_pretty_quoting_round_trip (void)
{
  const char *name = "Guest's \"pretty\" $name \\ `x`";
  g_autofree char *contents = identity_machine_info_set_pretty (NULL, name);
  g_autofree char *unquoted = NULL;
  const char *value;

  g_assert_true (g_str_has_prefix (contents, "PRETTY_HOSTNAME="));
  value = contents + strlen ("PRETTY_HOSTNAME=");
  g_strchomp ((char *) value);
  /* The shell reads it back as it was (identity.c reads it so). */
  unquoted = g_shell_unquote (value, NULL);
  g_assert_cmpstr (unquoted, ==, name);
}

static void
test_host_name_files (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  make_dir (fixture, "/etc");
  g_assert_true (identity_host_name_write_files (fixture->root, "web-7", NULL, &error));
  g_assert_no_error (error);
  assert_file (fixture, "/etc/hostname", "web-7\n", 0644);
  g_assert_false (exists (fixture, "/etc/machine-info"));

  /* No machine-info and no pretty name wanted: none made. */
  g_assert_true (identity_host_name_write_files (fixture->root, NULL, "", &error));
  g_assert_false (exists (fixture, "/etc/machine-info"));

  write_file (fixture, "/etc/machine-info", "CHASSIS=vm\n");
  g_assert_true (identity_host_name_write_files (fixture->root, "web-8", "Web 8", &error));
  g_assert_no_error (error);
  assert_file (fixture, "/etc/hostname", "web-8\n", 0644);
  assert_file (fixture, "/etc/machine-info", "CHASSIS=vm\nPRETTY_HOSTNAME=\"Web 8\"\n", 0644);
}

/* ---- machine-id --------------------------------------------------------- */

static void
test_machine_id_generate (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 64; i++)
    {
      g_autoptr(GError) error = NULL;
      char *id = identity_machine_id_generate (&error);

      g_assert_no_error (error);
      g_assert_true (identity_validate_machine_id (id, NULL));
      /* Version 4, variant 10xx: hex digit 12 is '4', digit 16 one of 8-b. */
      g_assert_cmpint (id[12], ==, '4');
      g_assert_nonnull (strchr ("89ab", id[16]));
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }
}

static void
write_machine_id (Fixture    *fixture,
                  const char *machine_id,
                  const char *expected_detail)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;

  g_assert_true (identity_machine_id_write (fixture->root, machine_id, &detail, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (detail, ==, expected_detail);
  assert_file (fixture, "/etc/machine-id", ID_B "\n", 0444);
}

static void
test_machine_id_write (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *dbus_path = fixture_path (fixture, "/var/lib/dbus/machine-id");
  g_autofree char *read = NULL;
  struct stat before, after;

  make_dir (fixture, "/etc");
  g_assert_null (identity_machine_id_read (fixture->root));
  write_file (fixture, "/etc/machine-id", "uninitialized\n");
  g_assert_null (identity_machine_id_read (fixture->root));
  write_file (fixture, "/etc/machine-id", ID_A "\n");
  read = identity_machine_id_read (fixture->root);
  g_assert_cmpstr (read, ==, ID_A);

  /* No /var/lib/dbus: nothing to agree with. */
  write_machine_id (fixture, ID_B, "/etc/machine-id is " ID_B "; no /var/lib/dbus");

  /* Missing, where the directory exists: a link. */
  make_dir (fixture, "/var/lib/dbus");
  write_machine_id (fixture, ID_B, "/etc/machine-id is " ID_B
                    "; /var/lib/dbus/machine-id made a link to it");
  assert_link (fixture, "/var/lib/dbus/machine-id", "/etc/machine-id");

  /* That link is left as it is. */
  g_assert_cmpint (lstat (dbus_path, &before), ==, 0);
  write_machine_id (fixture, ID_B, "/etc/machine-id is " ID_B
                    "; /var/lib/dbus/machine-id links to it");
  g_assert_cmpint (lstat (dbus_path, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, ==, after.st_ino);

  /* A link elsewhere (the template's own id file) becomes ours. */
  g_assert_cmpint (g_unlink (dbus_path), ==, 0);
  write_file (fixture, "/var/lib/dbus/template-id", ID_A "\n");
  make_link (fixture, "template-id", "/var/lib/dbus/machine-id");
  write_machine_id (fixture, ID_B, "/etc/machine-id is " ID_B
                    "; /var/lib/dbus/machine-id made a link to it");
  assert_link (fixture, "/var/lib/dbus/machine-id", "/etc/machine-id");
  assert_file (fixture, "/var/lib/dbus/template-id", ID_A "\n", 0644);

  /* A copy of its own is rewritten. */
  g_assert_cmpint (g_unlink (dbus_path), ==, 0);
  write_file (fixture, "/var/lib/dbus/machine-id", ID_A "\n");
  write_machine_id (fixture, ID_B, "/etc/machine-id is " ID_B "; /var/lib/dbus/machine-id rewritten");
  assert_file (fixture, "/var/lib/dbus/machine-id", ID_B "\n", 0444);

  /* Something else: an error, with /etc/machine-id written. */
  g_assert_cmpint (g_unlink (dbus_path), ==, 0);
  make_dir (fixture, "/var/lib/dbus/machine-id");
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *detail = NULL;

    g_assert_false (identity_machine_id_write (fixture->root, ID_B, &detail, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
    g_assert_cmpstr (detail, ==, "/etc/machine-id is " ID_B);
  }
}

/* ---- network state ---------------------------------------------------- */

static void
test_network_state (Fixture       *fixture,
                    gconstpointer  data)
{
  const char * const leases[] = {
    "/var/lib/dhcp/dhclient.leases",
    "/var/lib/dhcp/dhclient.eth0.leases",
    "/var/lib/dhcp/dhclient6.eth0.leases",
    "/var/lib/NetworkManager/internal-5d0c-eth0.lease",
    "/var/lib/NetworkManager/dhclient-5d0c-eth0.lease",
    "/run/systemd/netif/leases/2",
    "/etc/udev/rules.d/70-persistent-net.rules",
  };
  const char * const kept[] = {
    "/var/lib/dhcp/dhcpd.leases",                     /* a DHCP server's */
    "/var/lib/dhcp/.dhclient.leases.swp",
    "/var/lib/NetworkManager/NetworkManager.state",
    "/var/lib/NetworkManager/dhclient-eth0.conf",
    "/etc/udev/rules.d/70-other.rules",
    "/victim/secret",
    "/victim/dhclient-eth0.lease",
  };
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *fifo = fixture_path (fixture, "/var/lib/dhcp/dhclient.fifo.leases");
  g_autofree char *joined = NULL;

  /* Nothing there at all: nothing to do. */
  g_assert_true (identity_network_state_remove (fixture->root, removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (leases); i++)
    write_file (fixture, leases[i], "lease");
  for (gsize i = 0; i < G_N_ELEMENTS (kept); i++)
    write_file (fixture, kept[i], "keep");
  /* Planted: a link to a file elsewhere, a FIFO, and a lease directory
   * that is a link to another (whose files are not leases to remove). */
  make_link (fixture, "../../../victim/secret", "/var/lib/dhcp/dhclient.link.leases");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  make_link (fixture, "../../victim", "/var/lib/dhclient");

  g_assert_true (identity_network_state_remove (fixture->root, removed, &error));
  g_assert_no_error (error);
  g_ptr_array_add (removed, NULL);
  joined = g_strjoinv (" ", (char **) removed->pdata);
  g_assert_cmpstr (joined, ==,
                   "/var/lib/dhcp/dhclient.eth0.leases /var/lib/dhcp/dhclient.leases "
                   "/var/lib/dhcp/dhclient6.eth0.leases "
                   "/var/lib/NetworkManager/dhclient-5d0c-eth0.lease "
                   "/var/lib/NetworkManager/internal-5d0c-eth0.lease "
                   "/run/systemd/netif/leases/2 "
                   "/etc/udev/rules.d/70-persistent-net.rules");
  for (gsize i = 0; i < G_N_ELEMENTS (leases); i++)
    g_assert_false (exists (fixture, leases[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (kept); i++)
    assert_file (fixture, kept[i], "keep", 0644);
  assert_link (fixture, "/var/lib/dhcp/dhclient.link.leases", "../../../victim/secret");
  g_assert_true (exists (fixture, "/var/lib/dhcp/dhclient.fifo.leases"));

  /* Red Hat's dhclient directory, when it is one. */
  {
    g_autofree char *victim = fixture_path (fixture, "/victim");
    g_autofree char *link = fixture_path (fixture, "/var/lib/dhclient");

    fixture_dir_remove (victim);
    g_assert_cmpint (g_unlink (link), ==, 0);
  }
  g_ptr_array_set_size (removed, 0);
  write_file (fixture, "/var/lib/dhclient/dhclient-5d0c-eth0.lease", "lease");
  g_assert_true (identity_network_state_remove (fixture->root, removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 1);
  g_assert_cmpstr (removed->pdata[0], ==, "/var/lib/dhclient/dhclient-5d0c-eth0.lease");
}

/* ---- random seed -------------------------------------------------------- */

static void
test_random_seed_file (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GBytes) seed = g_bytes_new_static ("\x00\x01\xfe\xff", 4);
  g_autofree char *dir = fixture_path (fixture, "/var/lib/systemd");
  g_autofree char *path = fixture_path (fixture, "/var/lib/systemd/random-seed");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gboolean saved = TRUE;
  gsize length;
  struct stat st;

  /* No systemd to read a seed at boot: nothing written, no directory
   * made. */
  make_dir (fixture, "/var/lib");
  g_assert_true (identity_random_seed_write_file (fixture->root, seed, &saved, &error));
  g_assert_no_error (error);
  g_assert_false (saved);
  g_assert_cmpint (stat (dir, &st), ==, -1);

  make_dir (fixture, "/var/lib/systemd");
  g_assert_true (identity_random_seed_write_file (fixture->root, seed, &saved, &error));
  g_assert_no_error (error);
  g_assert_true (saved);
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, "\x00\x01\xfe\xff", 4);

  /* Replaced whole, mode and all. */
  g_assert_cmpint (chmod (path, 0644), ==, 0);
  g_clear_pointer (&seed, g_bytes_unref);
  seed = g_bytes_new_static ("xy", 2);
  g_assert_true (identity_random_seed_write_file (fixture->root, seed, &saved, &error));
  assert_file (fixture, "/var/lib/systemd/random-seed", "xy", 0600);

  /* A seed path that cannot be replaced (a directory is in the way)
   * fails. */
  g_assert_cmpint (unlink (path), ==, 0);
  make_dir (fixture, "/var/lib/systemd/random-seed/in-the-way");
  g_assert_false (identity_random_seed_write_file (fixture->root, seed, &saved, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/identity-steps/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  g_test_add_func ("/identity-steps/hosts-rewrite", test_hosts_rewrite);
  ADD ("hosts-file", test_hosts_file);
  g_test_add_func ("/identity-steps/machine-info", test_machine_info);
  g_test_add_func ("/identity-steps/pretty-quoting-round-trip", test_pretty_quoting_round_trip);
  ADD ("host-name-files", test_host_name_files);
  g_test_add_func ("/identity-steps/machine-id-generate", test_machine_id_generate);
  ADD ("machine-id-write", test_machine_id_write);
  ADD ("network-state", test_network_state);
  ADD ("random-seed-file", test_random_seed_file);
#undef ADD
  return g_test_run ();
}
