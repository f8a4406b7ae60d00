/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "clone-machine.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "agent-harness.h"
#include "mountns-fixture.h"

#define SSH_KEYGEN "/usr/bin/ssh-keygen"

const char * const clone_machine_key_types[CLONE_MACHINE_N_KEY_TYPES] = { "ecdsa", "ed25519", "rsa" };

/* A directory replaced by a tmpfs in each case. */
typedef struct {
  const char *dir;
  const char * const *controlled;   /* the entries the test writes; the rest link to the machine's */
  char *staging;                    /* the machine's own, read-only (mountns_stage()) */
} Overlay;

static const char * const etc_controlled[] = {
  "hostname", "hosts", "machine-id", "machine-info", "ssh", "udev", NULL
};
static const char * const var_lib_controlled[] = {
  "dbus", "dhcp", "dhclient", "NetworkManager", "systemd", "guestlink", NULL
};
/* /run/dbus too: the machine's system bus must not even be reachable. */
static const char * const run_controlled[] = { "systemd", "dbus", NULL };

static Overlay overlays[] = {
  { "/etc", etc_controlled, NULL },
  { "/var/lib", var_lib_controlled, NULL },
  { "/run", run_controlled, NULL },
};

static const char * const lease_files[] = {
  "/var/lib/dhcp/dhclient.eth0.leases",
  "/var/lib/NetworkManager/internal-5d0c-eth0.lease",
  "/run/systemd/netif/leases/2",
  "/etc/udev/rules.d/70-persistent-net.rules",
};

/* Made before anything is mounted: the template's host key pairs, and an
 * ssh-keygen first in PATH that waits on a FIFO while a file says so. */
static char *template_keys_dir;
static char *template_fingerprints[CLONE_MACHINE_N_KEY_TYPES];
static char *wrapper_dir;

/* Which overlay @path is below; fails the test for any other path. */
static const char *
overlay_of (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    {
      g_autofree char *prefix = g_strconcat (overlays[i].dir, "/", NULL);

      if (g_str_has_prefix (path, prefix))
        return overlays[i].dir;
    }
  harness_fail ("%s is not below a fixture directory", path);
}

static void
write_fixture (const char *path,
               const char *contents,
               mode_t      mode)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  mountns_assert_on_tmpfs (overlay_of (path));
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, mode, &error);
  g_assert_no_error (error);
}

char *
clone_machine_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

gboolean
clone_machine_path_exists (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0;
}

/* The template every clone starts from. */
static void
install_template (void)
{
  write_fixture ("/etc/hostname", CLONE_MACHINE_TEMPLATE_NAME "\n", 0644);
  write_fixture ("/etc/hosts",
                 "127.0.0.1\tlocalhost\n"
                 "127.0.1.1\t" CLONE_MACHINE_TEMPLATE_NAME ".example.org\t" CLONE_MACHINE_TEMPLATE_NAME "\n"
                 "\n::1     localhost ip6-localhost ip6-loopback\n", 0644);
  write_fixture ("/etc/machine-id", CLONE_MACHINE_TEMPLATE_ID "\n", 0444);
  write_fixture ("/etc/machine-info", "PRETTY_HOSTNAME=\"The template\"\nCHASSIS=vm\n", 0644);
  /* A copy of its own, as an old image may have: it must follow. */
  write_fixture ("/var/lib/dbus/machine-id", CLONE_MACHINE_TEMPLATE_ID "\n", 0444);
  write_fixture ("/var/lib/dhcp/dhcpd.leases", "a DHCP server's, kept\n", 0644);
  for (gsize i = 0; i < G_N_ELEMENTS (lease_files); i++)
    write_fixture (lease_files[i], "the template's lease\n", 0644);
  write_fixture ("/var/lib/systemd/random-seed", CLONE_MACHINE_TEMPLATE_SEED, 0600);
  for (gsize i = 0; i < CLONE_MACHINE_N_KEY_TYPES; i++)
    for (guint pub = 0; pub < 2; pub++)
      {
        g_autofree char *name = g_strdup_printf ("ssh_host_%s_key%s", clone_machine_key_types[i], pub ? ".pub" : "");
        g_autofree char *from = g_build_filename (template_keys_dir, name, NULL);
        g_autofree char *to = g_build_filename ("/etc/ssh", name, NULL);
        g_autofree char *contents = clone_machine_read_file (from);

        write_fixture (to, contents, pub ? 0644 : 0600);
      }
  g_assert_cmpint (g_mkdir ("/var/lib/guestlink", 0700), ==, 0);
  mountns_check (sethostname (CLONE_MACHINE_TEMPLATE_NAME, strlen (CLONE_MACHINE_TEMPLATE_NAME)) == 0, "sethostname");
}

char *
clone_machine_host_name (void)
{
  struct utsname uts;

  g_assert_cmpint (uname (&uts), ==, 0);
  return g_strdup (uts.nodename);
}

/* For g_ptr_array_sort(), which passes pointers to the elements. */
static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A digest of everything a set-identity may change: the controlled
 * entries of the fixture directories (type, mode, contents or link
 * target) and the kernel's host name. */
static void
checksum_entry (GChecksum  *checksum,
                const char *path)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_checksum_update (checksum, (const guchar *) path, -1);
  g_checksum_update (checksum, (const guchar *) &st.st_mode, sizeof st.st_mode);
  if (S_ISREG (st.st_mode))
    {
      g_autofree char *contents = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_checksum_update (checksum, (const guchar *) contents, (gssize) length);
    }
  else if (S_ISLNK (st.st_mode))
    {
      g_autofree char *target = g_file_read_link (path, NULL);

      g_checksum_update (checksum, (const guchar *) target, -1);
    }
  else if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *child = g_build_filename (path, names->pdata[i], NULL);

          checksum_entry (checksum, child);
        }
    }
}

char *
clone_machine_checksum (void)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *host_name = clone_machine_host_name ();

  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    for (const char * const *name = overlays[i].controlled; *name != NULL; name++)
      {
        g_autofree char *path = g_build_filename (overlays[i].dir, *name, NULL);

        if (clone_machine_path_exists (path))
          checksum_entry (checksum, path);
      }
  g_checksum_update (checksum, (const guchar *) host_name, -1);
  return g_strdup (g_checksum_get_string (checksum));
}

static char *
run_ssh_keygen (const char *option,
                const char *path)
{
  const char *argv[] = { SSH_KEYGEN, option, path, NULL };

  return harness_run_or_fail (argv);
}

/* The "SHA256:..." of the key in @path (private or public). */
static char *
fingerprint_of (const char *path)
{
  g_autofree char *out = run_ssh_keygen ("-lf", path);
  g_auto(GStrv) words = g_strsplit (out, " ", 3);

  g_assert_cmpuint (g_strv_length (words), >=, 2);
  return g_strdup (words[1]);
}

static void
generate_template_keys (void)
{
  template_keys_dir = harness_make_dir ("template-keys");
  for (gsize i = 0; i < CLONE_MACHINE_N_KEY_TYPES; i++)
    {
      g_autofree char *name = g_strdup_printf ("ssh_host_%s_key", clone_machine_key_types[i]);
      g_autofree char *path = g_build_filename (template_keys_dir, name, NULL);
      const char *argv[] = { SSH_KEYGEN, "-q", "-N", "", "-C", "root@" CLONE_MACHINE_TEMPLATE_NAME,
                             "-t", clone_machine_key_types[i], "-f", path, NULL };

      g_free (harness_run_or_fail (argv));
      template_fingerprints[i] = fingerprint_of (path);
    }
}

static char *
wrapper_file (const char *name)
{
  return g_build_filename (wrapper_dir, name, NULL);
}

static void
make_keygen_wrapper (void)
{
  g_autofree char *script = NULL;
  g_autofree char *path = NULL;
  g_autofree char *fifo = NULL;

  wrapper_dir = harness_make_dir ("keygen-wrapper");
  path = wrapper_file ("ssh-keygen");
  fifo = wrapper_file ("fifo");
  mountns_check (mkfifo (fifo, 0600) == 0, fifo);
  script = g_strdup_printf ("#!/bin/sh\n"
                            "if [ -e '%s/block' ]; then\n"
                            "  echo $$ > '%s/blocked.pid'\n"
                            "  read line < '%s'\n"
                            "fi\n"
                            "exec " SSH_KEYGEN " \"$@\"\n",
                            wrapper_dir, wrapper_dir, fifo);
  g_assert_true (g_file_set_contents_full (path, script, -1, G_FILE_SET_CONTENTS_NONE, 0755, NULL));
}

/* Every host key in /etc/ssh is a valid private key whose .pub is its
 * public half: what sshd needs to start. Returns the fingerprints. */
void
clone_machine_assert_host_keys_valid (char **out_fingerprints)
{
  for (gsize i = 0; i < CLONE_MACHINE_N_KEY_TYPES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/etc/ssh/ssh_host_%s_key", clone_machine_key_types[i]);
      g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
      g_autofree char *derived = run_ssh_keygen ("-yf", path);
      g_autofree char *pub = clone_machine_read_file (pub_path);
      g_auto(GStrv) derived_words = g_strsplit (g_strstrip (derived), " ", 3);
      g_auto(GStrv) pub_words = g_strsplit (g_strstrip (pub), " ", 3);
      struct stat st;

      g_assert_cmpuint (g_strv_length (pub_words), >=, 2);
      g_assert_cmpstr (derived_words[0], ==, pub_words[0]);
      g_assert_cmpstr (derived_words[1], ==, pub_words[1]);
      g_assert_cmpint (stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0077, ==, 0);
      if (out_fingerprints != NULL)
        out_fingerprints[i] = fingerprint_of (path);
    }
}

static gboolean
process_waits_on_fifo (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/wchan", (int) pid);
  g_autofree char *wchan = NULL;

  return g_file_get_contents (path, &wchan, NULL, NULL) && g_str_equal (wchan, "wait_for_partner");
}

static pid_t
blocked_keygen_pid (void)
{
  g_autofree char *path = wrapper_file ("blocked.pid");
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  return (pid_t) g_ascii_strtoll (text, NULL, 10);
}

/* Until the agent's first ssh-keygen waits on the wrapper's FIFO. */
void
clone_machine_wait_for_blocked_keygen (guint timeout_ms)
{
  for (guint waited = 0; ; waited += 10)
    {
      pid_t pid = blocked_keygen_pid ();

      if (pid > 0 && process_waits_on_fifo (pid))
        return;
      if (waited > timeout_ms)
        harness_fail ("ssh-keygen never ran");
      g_usleep (10 * 1000);
    }
}

/* Blocks ssh-keygen from now on, or lets it run. */
void
clone_machine_block_keygen (gboolean block)
{
  g_autofree char *flag = wrapper_file ("block");
  g_autofree char *pid_file = wrapper_file ("blocked.pid");

  if (block)
    g_assert_true (g_file_set_contents (flag, "", 0, NULL));
  else
    {
      g_assert_true (g_unlink (flag) == 0 || errno == ENOENT);
      g_assert_true (g_unlink (pid_file) == 0 || errno == ENOENT);
    }
}

/* The wrapper the agent left waiting when it was killed: not ours to
 * leave running. */
void
clone_machine_kill_blocked_keygen (void)
{
  pid_t pid = blocked_keygen_pid ();

  if (pid > 0 && process_waits_on_fifo (pid))
    mountns_check (kill (pid, SIGKILL) == 0, "kill ssh-keygen");
  clone_machine_block_keygen (FALSE);
}

char *
clone_machine_read_stripped (const char *path)
{
  char *contents = clone_machine_read_file (path);

  return g_strstrip (contents);
}

void
clone_machine_assert_leases_gone (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (lease_files); i++)
    if (clone_machine_path_exists (lease_files[i]))
      harness_fail ("%s is still there", lease_files[i]);
  /* The DHCP server's leases are not the client's. */
  g_assert_true (clone_machine_path_exists ("/var/lib/dhcp/dhcpd.leases"));
}

const char *
clone_machine_template_fingerprint (guint index)
{
  g_assert_cmpuint (index, <, CLONE_MACHINE_N_KEY_TYPES);
  return template_fingerprints[index];
}

void
clone_machine_init (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    overlays[i].staging = mountns_stage (overlays[i].dir);
  generate_template_keys ();
  make_keygen_wrapper ();
  {
    g_autofree char *path = g_strconcat (wrapper_dir, ":", g_getenv ("PATH"), NULL);

    /* The agent's ssh-keygen is the wrapper. */
    g_setenv ("PATH", path, TRUE);
  }
}

void
clone_machine_cleanup (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    {
      mountns_unstage (overlays[i].staging);
      g_clear_pointer (&overlays[i].staging, g_free);
    }
  for (gsize i = 0; i < CLONE_MACHINE_N_KEY_TYPES; i++)
    g_clear_pointer (&template_fingerprints[i], g_free);
  g_clear_pointer (&template_keys_dir, g_free);
  g_clear_pointer (&wrapper_dir, g_free);
}

void
clone_machine_mount (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    mountns_mount_overlay (overlays[i].dir, overlays[i].staging, overlays[i].controlled);
  install_template ();
}

void
clone_machine_unmount (void)
{
  for (gsize i = G_N_ELEMENTS (overlays); i > 0; i--)
    mountns_check (umount2 (overlays[i - 1].dir, MNT_DETACH) == 0, overlays[i - 1].dir);
}
