/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * __org.guestlink_ssh-rotate-host-keys as a host sees it, with a real
 * sshd: Debian's, unpacked by tests/tools/fetch-openssh-server (never
 * installed). Run by run-in-mountns.sh in private mount and UTS
 * namespaces: /etc is a tmpfs with a fixture passwd and group (sshd
 * wants its privilege separation user) and every other entry linked to
 * the machine's; each case mounts fresh tmpfs over /etc/ssh (template
 * keys made with ssh-keygen before anything was mounted, and an
 * sshd_config) and /run (sshd's pid file and privilege separation
 * directory). systemd is played on a private bus (tests/common/dbus-mock)
 * that the agent reaches through DBUS_SYSTEM_BUS_ADDRESS, and the exact
 * calls are checked; without it, the agent falls back to SIGHUP, tried
 * on an sshd the test starts on 127.0.0.1.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "agent-harness.h"
#include "dbus-mock.h"
#include "mountns-fixture.h"

#define HOST_NAME "guestlink-rotate"
#define COMMENT " root@" HOST_NAME "\n"
#define SSH_DIR "/etc/ssh"
#define PIDFILE "/run/sshd.pid"
#define SSH_KEYS_GID 990
#define NO_BUS "unix:path=/run/guestlink-test-no-bus"
/* Three key types made, sshd reloaded, on a loaded machine. */
#define ROTATE_TIMEOUT_MS 60000
#define SSHD_CACHE "/var/cache/guestlink-tests"

#define ROTATE "{\"execute\": \"__org.guestlink_ssh-rotate-host-keys\"}"
#define ROTATE_TYPES(types) \
  "{\"execute\": \"__org.guestlink_ssh-rotate-host-keys\", \"arguments\": {\"types\": " types "}}"

static const char * const key_types[] = { "ed25519", "ecdsa", "rsa" };
static const char * const etc_controlled[] = { "passwd", "group", "ssh", NULL };
static const char * const ssh_units[] = { "ssh.service", "sshd.service", NULL };
static const char * const ssh_unit[] = { "ssh.service", NULL };

static char *sshd_program;        /* the unpacked sbin/sshd */
static char *sshd_library_path;   /* for what sshd needs and this machine lacks */
static char *base_path;           /* PATH as the test was started */
static char *template_dir;        /* ssh_host_TYPE_key{,.pub}, made before mounting */
static char *template_fingerprints[G_N_ELEMENTS (key_types)];
static char *other_dir;           /* one more ed25519 pair */
static char *wrapper_dir;         /* an ssh-keygen that fails */
static char *etc_staging;
static guint sshd_port;

typedef enum {
  CASE_NONE = 0,
  CASE_SYSTEMD = 1 << 0,      /* systemd1 on a private bus; else no bus at all */
  CASE_SSHD_RUNNING = 1 << 1, /* a real sshd, started by the test */
  CASE_NO_SSHD = 1 << 2,      /* no sshd in PATH */
  CASE_KEYGEN_FAILS = 1 << 3, /* an ssh-keygen earlier in PATH that exits 1 */
} CaseFlags;

typedef struct {
  DbusMock *mock;
  TestAgent *agent;
  GSubprocess *sshd;
  char *sshd_log;
  JsonNode *reply;
} Fixture;

/* Setup, before anything is mounted. */

static char *
path_in (const char *dir,
         const char *type,
         const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("ssh_host_%s_key%s", type, suffix);

  return g_build_filename (dir, name, NULL);
}

static char *
fingerprint_of (const char *pub_path)
{
  const char *argv[] = { "/usr/bin/ssh-keygen", "-lf", pub_path, NULL };
  g_autofree char *out = harness_run_or_fail (argv);
  g_auto(GStrv) words = g_strsplit (out, " ", 3);

  g_assert_cmpuint (g_strv_length (words), >=, 2);
  return g_strdup (words[1]);
}

static void
generate_key (const char *dir,
              const char *type)
{
  g_autofree char *path = path_in (dir, type, "");
  const char *argv[] = { "/usr/bin/ssh-keygen", "-q", "-N", "", "-C", "root@template",
                         "-t", type, "-f", path, NULL };

  g_free (harness_run_or_fail (argv));
}

static void
generate_templates (void)
{
  template_dir = harness_make_dir ("template");
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_autofree char *pub_path = path_in (template_dir, key_types[i], ".pub");

      generate_key (template_dir, key_types[i]);
      template_fingerprints[i] = fingerprint_of (pub_path);
    }
  other_dir = harness_make_dir ("other");
  generate_key (other_dir, "ed25519");
}

static void
make_keygen_wrapper (void)
{
  g_autofree char *path = NULL;

  wrapper_dir = harness_make_dir ("wrapper");
  path = g_build_filename (wrapper_dir, "ssh-keygen", NULL);
  g_assert_true (g_file_set_contents_full (path,
                                           "#!/bin/sh\n"
                                           "echo 'ssh-keygen: simulated failure' >&2\n"
                                           "exit 1\n",
                                           -1, G_FILE_SET_CONTENTS_NONE, 0755, NULL));
}

/* The newest sshd fetch-openssh-server unpacked, and its libraries. */
static gboolean
find_sshd (void)
{
  g_autoptr(GDir) cache = g_dir_open (SSHD_CACHE, 0, NULL);
  g_autofree char *best = NULL;
  const char *name;

  while (cache != NULL && (name = g_dir_read_name (cache)) != NULL)
    {
      g_autofree char *done = g_build_filename (SSHD_CACHE, name, "done", NULL);

      if (g_str_has_prefix (name, "openssh-server_") && g_file_test (done, G_FILE_TEST_EXISTS) &&
          (best == NULL || strcmp (name, best) > 0))
        {
          g_free (best);
          best = g_strdup (name);
        }
    }
  if (best == NULL)
    return FALSE;

  sshd_program = g_build_filename (SSHD_CACHE, best, "root", "usr", "sbin", "sshd", NULL);
  {
    g_autofree char *library_file = g_build_filename (SSHD_CACHE, best, "library-path", NULL);

    if (!g_file_get_contents (library_file, &sshd_library_path, NULL, NULL))
      return FALSE;
    g_strstrip (sshd_library_path);
  }
  return g_file_test (sshd_program, G_FILE_TEST_IS_EXECUTABLE);
}

/* A TCP port nobody listens on now, for sshd on 127.0.0.1. */
static guint
free_port (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0,
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  mountns_check (fd >= 0, "socket");
  mountns_check (bind (fd, (struct sockaddr *) &address, sizeof address) == 0, "bind");
  mountns_check (getsockname (fd, (struct sockaddr *) &address, &length) == 0, "getsockname");
  close (fd);
  return ntohs (address.sin_port);
}

/* /etc: the machine's user database plus sshd's user and the ssh_keys
 * group, and a directory for the per-case /etc/ssh tmpfs. */
static void
install_fixture_etc (void)
{
  g_autofree char *passwd_path = g_build_filename (etc_staging, "passwd", NULL);
  g_autofree char *group_path = g_build_filename (etc_staging, "group", NULL);
  g_autofree char *passwd = NULL;
  g_autofree char *group = NULL;
  g_autofree char *new_passwd = NULL;
  g_autofree char *new_group = NULL;

  g_assert_true (g_file_get_contents (passwd_path, &passwd, NULL, NULL));
  g_assert_true (g_file_get_contents (group_path, &group, NULL, NULL));
  mountns_mount_overlay ("/etc", etc_staging, etc_controlled);
  mountns_assert_on_tmpfs ("/etc");
  new_passwd = g_strconcat (passwd, "sshd:x:981:65534::/run/sshd:/usr/sbin/nologin\n", NULL);
  new_group = g_strdup_printf ("%sssh_keys:x:%d:\n", group, SSH_KEYS_GID);
  g_assert_true (g_file_set_contents ("/etc/passwd", new_passwd, -1, NULL));
  g_assert_true (g_file_set_contents ("/etc/group", new_group, -1, NULL));
  mountns_check (g_mkdir (SSH_DIR, 0755) == 0, SSH_DIR);
}

/* Per case. */

static void
copy_file (const char *from,
           const char *to,
           mode_t      mode)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (to, SSH_DIR "/"));
  mountns_assert_on_tmpfs (SSH_DIR);
  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_file_set_contents_full (to, contents, (gssize) length, G_FILE_SET_CONTENTS_NONE, mode, &error);
  g_assert_no_error (error);
  mountns_check (chmod (to, mode) == 0, to);
}

/* The pair of @type from @dir at @name in /etc/ssh (or in @into). */
static void
install_pair (const char *dir,
              const char *type,
              const char *into,
              const char *name)
{
  g_autofree char *from = path_in (dir, type, "");
  g_autofree char *from_pub = path_in (dir, type, ".pub");
  g_autofree char *to = g_build_filename (into, name, NULL);
  g_autofree char *to_pub = g_strconcat (to, ".pub", NULL);

  copy_file (from, to, 0600);
  copy_file (from_pub, to_pub, 0644);
}

static void
write_sshd_config (void)
{
  g_autofree char *config = NULL;

  mountns_assert_on_tmpfs (SSH_DIR);
  config = g_strdup_printf ("Port %u\n"
                            "ListenAddress 127.0.0.1\n"
                            "HostKey " SSH_DIR "/ssh_host_ed25519_key\n"
                            "HostKey " SSH_DIR "/ssh_host_ecdsa_key\n"
                            "HostKey " SSH_DIR "/ssh_host_rsa_key\n"
                            "PidFile " PIDFILE "\n"
                            "UsePAM no\n",
                            sshd_port);
  g_assert_true (g_file_set_contents (SSH_DIR "/sshd_config", config, -1, NULL));
}

static gboolean
process_alive_as_sshd (pid_t pid)
{
  g_autofree char *exe_link = g_strdup_printf ("/proc/%d/exe", (int) pid);
  g_autofree char *exe = g_file_read_link (exe_link, NULL);

  return exe != NULL && g_str_equal (exe, sshd_program);
}

static pid_t
read_sshd_pid (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (PIDFILE, &text, NULL, NULL))
    return 0;
  return (pid_t) g_ascii_strtoll (text, NULL, 10);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
start_sshd (Fixture *fixture)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log_dir = harness_make_dir ("sshd");
  const char *argv[] = { sshd_program, "-D", "-f", SSH_DIR "/sshd_config", "-E", NULL, NULL };

  fixture->sshd_log = g_build_filename (log_dir, "sshd.log", NULL);
  argv[5] = fixture->sshd_log;
  mountns_check (g_mkdir ("/run/sshd", 0755) == 0, "/run/sshd");
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  /* Never outlives a test that crashed: it listens on the machine's
   * loopback. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fixture->sshd = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  for (guint waited = 0; read_sshd_pid () == 0; waited += 10)
    {
      if (waited > HARNESS_PROCESS_TIMEOUT_MS || !harness_process_is_running (fixture->sshd))
        {
          g_autofree char *log = NULL;

          g_file_get_contents (fixture->sshd_log, &log, NULL, NULL);
          harness_fail ("sshd did not start: %s", log != NULL ? log : "(no log)");
        }
      g_usleep (10 * 1000);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  CaseFlags flags = GPOINTER_TO_UINT (data);
  g_autofree char *path = NULL;

  mountns_mount_tmpfs (SSH_DIR);
  mountns_mount_tmpfs ("/run");
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_autofree char *name = g_strdup_printf ("ssh_host_%s_key", key_types[i]);

      install_pair (template_dir, key_types[i], SSH_DIR, name);
    }
  write_sshd_config ();

  if (flags & CASE_SYSTEMD)
    {
      fixture->mock = dbus_mock_new ();
      dbus_mock_own_systemd (fixture->mock);
      g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", dbus_mock_get_address (fixture->mock), TRUE);
    }
  else
    g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", NO_BUS, TRUE);

  if (flags & CASE_NO_SSHD)
    path = g_strdup (base_path);
  else
    {
      g_autofree char *sshd_dir = g_path_get_dirname (sshd_program);

      path = g_strconcat ((flags & CASE_KEYGEN_FAILS) ? wrapper_dir : "",
                          (flags & CASE_KEYGEN_FAILS) ? ":" : "", sshd_dir, ":", base_path, NULL);
    }
  g_setenv ("PATH", path, TRUE);

  if (flags & CASE_SSHD_RUNNING)
    start_sshd (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->agent != NULL)
    test_agent_stop_cleanly (fixture->agent);
  g_clear_pointer (&fixture->agent, test_agent_free);
  if (fixture->sshd != NULL)
    {
      g_subprocess_send_signal (fixture->sshd, SIGTERM);
      g_assert_true (harness_wait_for_exit (fixture->sshd, HARNESS_PROCESS_TIMEOUT_MS));
    }
  g_clear_object (&fixture->sshd);
  g_clear_pointer (&fixture->sshd_log, g_free);
  g_clear_pointer (&fixture->mock, dbus_mock_free);
  g_clear_pointer (&fixture->reply, json_node_unref);
  g_setenv ("PATH", base_path, TRUE);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  mountns_check (umount2 ("/run", MNT_DETACH) == 0, "/run");
  mountns_check (umount2 (SSH_DIR, MNT_DETACH) == 0, SSH_DIR);
}

static void
start_agent (Fixture *fixture)
{
  fixture->agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, NULL);
}

/* Sends @request without waiting: the mocked systemd must answer the
 * agent's calls before it can reply. */
static Client *
send_request (Fixture    *fixture,
              const char *request)
{
  Client *client;

  if (fixture->agent == NULL)
    start_agent (fixture);
  client = client_connect (test_agent_get_socket_path (fixture->agent));
  client_send_str (client, request);
  return client;
}

static char *
read_reply (Client *client)
{
  char *line = client_read_line (client, ROTATE_TIMEOUT_MS);

  if (line == NULL)
    harness_fail ("No reply within %u ms", ROTATE_TIMEOUT_MS);
  harness_message_bytes ("reply", line, -1);
  return line;
}

static JsonObject *
read_return (Fixture *fixture,
             Client  *client)
{
  g_autofree char *line = read_reply (client);

  g_clear_pointer (&fixture->reply, json_node_unref);
  fixture->reply = harness_reply_get_return (line);
  if (fixture->reply == NULL || !JSON_NODE_HOLDS_OBJECT (fixture->reply))
    harness_fail ("Expected an object, got: %s", line);
  return json_node_get_object (fixture->reply);
}

static char *
read_error (Client *client)
{
  g_autofree char *line = read_reply (client);
  g_autofree char *error_class = harness_reply_error_class (line);

  g_assert_cmpstr (error_class, ==, "GenericError");
  return harness_reply_error_desc (line);
}

/* systemd's side of a reload of ssh.service (Debian's name, with
 * sshd.service its alias): the unit found, the job queued and ended
 * with @result, and, when done, the unit found running. */
static void
expect_systemd_reload (Fixture    *fixture,
                       guint32     job_id,
                       const char *result)
{
  static const DbusMockUnit units[] = {
    { "ssh.service", "loaded", "active" },
    { "ssh.service", "loaded", "active" },
  };
  g_autoptr(GDBusMethodInvocation) job = NULL;

  dbus_mock_systemd_expect_list_units (fixture->mock, ssh_units, units, G_N_ELEMENTS (units));
  job = dbus_mock_systemd_expect_job (fixture->mock, "ReloadOrRestartUnit", "ssh.service", job_id);
  dbus_mock_systemd_emit_job_removed (job, job_id, "ssh.service", result);
  if (g_str_equal (result, "done"))
    dbus_mock_systemd_expect_list_units (fixture->mock, ssh_unit, units, 1);
}

static void
assert_no_bus_calls (Fixture *fixture)
{
  if (fixture->mock != NULL)
    {
      g_assert_false (dbus_mock_wait_for_call (fixture->mock, 200));
      dbus_mock_assert_no_calls (fixture->mock);
    }
}

/* Checks. */

static void
assert_mode (const char *path,
             mode_t      mode,
             gid_t       group)
{
  struct stat st;

  mountns_check (lstat (path, &st) == 0, path);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, mode);
  g_assert_cmpint (st.st_uid, ==, 0);
  g_assert_cmpint (st.st_gid, ==, group);
}

static gboolean
same_contents (const char *a,
               const char *b)
{
  g_autofree char *contents_a = NULL;
  g_autofree char *contents_b = NULL;

  return g_file_get_contents (a, &contents_a, NULL, NULL) &&
         g_file_get_contents (b, &contents_b, NULL, NULL) &&
         g_str_equal (contents_a, contents_b);
}

static gboolean
pair_is_template (guint index)
{
  g_autofree char *path = path_in (SSH_DIR, key_types[index], "");
  g_autofree char *pub_path = path_in (SSH_DIR, key_types[index], ".pub");
  g_autofree char *template = path_in (template_dir, key_types[index], "");
  g_autofree char *template_pub = path_in (template_dir, key_types[index], ".pub");

  return same_contents (path, template) && same_contents (pub_path, template_pub);
}

static void
assert_templates (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (!pair_is_template (i))
      harness_fail ("The %s pair is not the old one", key_types[i]);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* /etc/ssh holds the keys, sshd_config and the fixture's marker, and
 * no staging or aside directory. */
static void
assert_ssh_dir_clean (void)
{
  g_autoptr(GDir) dir = g_dir_open (SSH_DIR, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *listed = NULL;
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, ".guestlink-mountns-fixture"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  listed = g_strjoinv (" ", (char **) names->pdata);
  g_assert_cmpstr (listed, ==,
                   "ssh_host_ecdsa_key ssh_host_ecdsa_key.pub ssh_host_ed25519_key "
                   "ssh_host_ed25519_key.pub ssh_host_rsa_key ssh_host_rsa_key.pub sshd_config");
}

static guint
type_index (const char *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (g_str_equal (key_types[i], type))
      return i;
  g_assert_not_reached ();
}

/* @key of the reply is the new key of @type, in its file, in place of
 * the template's. */
static void
assert_rotated (JsonObject *key,
                const char *type,
                gid_t       private_group)
{
  guint index = type_index (type);
  g_autofree char *path = path_in (SSH_DIR, type, "");
  g_autofree char *pub_path = path_in (SSH_DIR, type, ".pub");
  g_autofree char *line = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *derived = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  const char *derive[] = { "/usr/bin/ssh-keygen", "-y", "-f", path, NULL };
  const char *public_key = json_object_get_string_member (key, "public-key");

  g_assert_cmpstr (json_object_get_string_member (key, "type"), ==, type);
  g_assert_cmpstr (json_object_get_string_member (key, "path"), ==, path);

  /* The .pub is the reply's key, with Debian's comment. */
  g_assert_true (g_file_get_contents (pub_path, &line, NULL, NULL));
  g_assert_true (g_str_has_prefix (line, public_key));
  g_assert_cmpstr (line + strlen (public_key), ==, COMMENT);
  /* ssh-keygen agrees on the fingerprint and on the private key. */
  fingerprint = fingerprint_of (pub_path);
  g_assert_cmpstr (json_object_get_string_member (key, "fingerprint"), ==, fingerprint);
  /* Debian's ssh-keygen, unlike Fedora's, refuses a group-readable
   * key: read a private copy of it. */
  if (private_group != 0)
    {
      g_autofree char *copy_dir = harness_make_dir ("private-copy");

      copy = g_build_filename (copy_dir, "key", NULL);
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_true (g_file_set_contents_full (copy, contents, (gssize) length,
                                               G_FILE_SET_CONTENTS_NONE, 0600, NULL));
      derive[3] = copy;
    }
  derived = harness_run_or_fail (derive);
  g_assert_true (g_str_has_prefix (derived, public_key));
  /* The template's went. */
  g_assert_cmpstr (json_object_get_string_member (key, "old-fingerprint"), ==,
                   template_fingerprints[index]);
  g_assert_cmpstr (fingerprint, !=, template_fingerprints[index]);

  assert_mode (path, private_group != 0 ? 0640 : 0600, private_group);
  assert_mode (pub_path, 0644, 0);
}

static JsonObject *
key_at (JsonObject *reply,
        guint       index)
{
  return json_array_get_object_element (json_object_get_array_member (reply, "keys"), index);
}

static void
assert_reload (JsonObject *reply,
               const char *method)
{
  g_assert_cmpstr (json_object_get_string_member (reply, "sshd-reload-method"), ==, method);
  g_assert_cmpint (json_object_get_boolean_member (reply, "sshd-reloaded"), ==,
                   !g_str_equal (method, "none"));
}

/* The host keys sshd serves on its port, "TYPE BASE64" lines sorted. */
static char *
scan_host_keys (void)
{
  g_autofree char *port = g_strdup_printf ("%u", sshd_port);
  const char *argv[] = { "/usr/bin/ssh-keyscan", "-p", port, "-t", "ed25519,ecdsa,rsa",
                         "127.0.0.1", NULL };
  g_autofree char *out = harness_run_or_fail (argv);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (lines[i], " ", -1);

      if (g_strv_length (words) >= 3 && lines[i][0] != '#')
        g_ptr_array_add (keys, g_strconcat (words[1], " ", words[2], NULL));
    }
  g_ptr_array_sort (keys, compare_names);
  g_ptr_array_add (keys, NULL);
  return g_strjoinv ("\n", (char **) keys->pdata);
}

/* The "TYPE BASE64" of the .pub files in @dir, sorted as above. */
static char *
public_keys_in (const char *dir)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_autofree char *pub_path = path_in (dir, key_types[i], ".pub");
      g_autofree char *line = NULL;
      g_auto(GStrv) words = NULL;

      g_assert_true (g_file_get_contents (pub_path, &line, NULL, NULL));
      words = g_strsplit (line, " ", 3);
      g_ptr_array_add (keys, g_strconcat (words[0], " ", words[1], NULL));
    }
  g_ptr_array_sort (keys, compare_names);
  g_ptr_array_add (keys, NULL);
  return g_strjoinv ("\n", (char **) keys->pdata);
}

/* Cases. */

/* The keys sshd -T names, in its order; systemd reloads ssh.service;
 * get-host-keys tells the new keys afterwards. */
static void
test_rotate_all (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(Client) client = send_request (fixture, ROTATE);
  JsonObject *reply;
  JsonArray *keys;
  JsonArray *listed;

  expect_systemd_reload (fixture, 1, "done");
  reply = read_return (fixture, client);
  keys = json_object_get_array_member (reply, "keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, 3);
  for (guint i = 0; i < 3; i++)
    assert_rotated (key_at (reply, i), key_types[i], 0);
  assert_reload (reply, "systemd");
  assert_no_bus_calls (fixture);
  assert_ssh_dir_clean ();
  /* sshd -T wanted its privilege separation directory. */
  g_assert_true (g_file_test ("/run/sshd", G_FILE_TEST_IS_DIR));
  /* The agent serves one connection at a time. */
  g_clear_pointer (&client, client_free);

  {
    g_autoptr(Client) again = send_request (fixture, "{\"execute\": \"__org.guestlink_ssh-get-host-keys\"}");
    g_autoptr(JsonNode) rotated = json_node_ref (fixture->reply);
    JsonObject *host_keys = read_return (fixture, again);

    listed = json_object_get_array_member (host_keys, "keys");
    g_assert_cmpuint (json_array_get_length (listed), ==, 3);
    /* Sorted by path: ecdsa, ed25519, rsa. */
    for (guint i = 0; i < 3; i++)
      {
        JsonObject *entry = json_array_get_object_element (listed, i);
        const char *path = json_object_get_string_member (entry, "path");

        for (guint k = 0; k < 3; k++)
          {
            JsonObject *changed = key_at (json_node_get_object (rotated), k);

            if (g_str_equal (json_object_get_string_member (changed, "path"), path))
              {
                g_assert_cmpstr (json_object_get_string_member (entry, "fingerprint"), ==,
                                 json_object_get_string_member (changed, "fingerprint"));
                g_assert_cmpstr (json_object_get_string_member (entry, "public-key"), ==,
                                 json_object_get_string_member (changed, "public-key"));
              }
          }
      }
  }
}

static void
test_types_subset (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(Client) client = send_request (fixture, ROTATE_TYPES ("[\"ecdsa\"]"));
  JsonObject *reply;

  expect_systemd_reload (fixture, 7, "done");
  reply = read_return (fixture, client);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply, "keys")), ==, 1);
  assert_rotated (key_at (reply, 0), "ecdsa", 0);
  assert_reload (reply, "systemd");
  g_assert_true (pair_is_template (type_index ("ed25519")));
  g_assert_true (pair_is_template (type_index ("rsa")));
  assert_ssh_dir_clean ();
}

static void
test_unknown_type (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(Client) client = send_request (fixture, ROTATE_TYPES ("[\"ed25519\", \"dsa\"]"));
  g_autofree char *desc = read_error (client);

  g_assert_cmpstr (desc, ==, "Parameter 'types' expects 'ed25519', 'ecdsa' or 'rsa', not 'dsa'");
  assert_no_bus_calls (fixture);
  assert_templates ();
  assert_ssh_dir_clean ();
}

static void
test_keygen_fails (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(Client) client = send_request (fixture, ROTATE);
  g_autofree char *desc = read_error (client);

  g_assert_cmpstr (desc, ==,
                   "Cannot rotate the SSH host keys: ssh-keygen exited with status 1: "
                   "ssh-keygen: simulated failure; the old host keys are back in place");
  assert_no_bus_calls (fixture);
  assert_templates ();
  assert_ssh_dir_clean ();
}

/* The reload job fails: the old keys come back and sshd is reloaded
 * with them. */
static void
test_reload_fails (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(Client) client = send_request (fixture, ROTATE);
  g_autofree char *desc = NULL;

  expect_systemd_reload (fixture, 1, "failed");
  expect_systemd_reload (fixture, 2, "done");
  desc = read_error (client);
  g_assert_cmpstr (desc, ==,
                   "Cannot rotate the SSH host keys: Reloading ssh.service failed: systemd's job "
                   "ended with 'failed'; the old host keys are back in place and sshd was "
                   "reloaded with them");
  assert_no_bus_calls (fixture);
  assert_templates ();
  assert_ssh_dir_clean ();
}

/* No bus: SIGHUP to the sshd in the pid file, which then serves the new
 * keys. */
static void
test_signal_fallback (Fixture       *fixture,
                      gconstpointer  data)
{
  pid_t pid = read_sshd_pid ();
  g_autofree char *before = scan_host_keys ();
  g_autofree char *templates = public_keys_in (template_dir);
  g_autofree char *after = NULL;
  g_autofree char *rotated = NULL;
  g_autoptr(Client) client = NULL;
  g_autofree char *log = NULL;
  JsonObject *reply;

  g_assert_cmpstr (before, ==, templates);
  client = send_request (fixture, ROTATE);
  reply = read_return (fixture, client);
  assert_reload (reply, "signal");
  for (guint i = 0; i < 3; i++)
    assert_rotated (key_at (reply, i), key_types[i], 0);
  assert_ssh_dir_clean ();

  /* The same sshd, re-executed, with the new keys. */
  g_assert_true (process_alive_as_sshd (pid));
  g_assert_cmpint (read_sshd_pid (), ==, pid);
  after = scan_host_keys ();
  rotated = public_keys_in (SSH_DIR);
  g_assert_cmpstr (after, ==, rotated);
  g_assert_true (g_file_get_contents (fixture->sshd_log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "Received SIGHUP; restarting."));
}

/* Neither bus nor sshd, and the Fedora convention for private keys. */
static void
test_ssh_keys_group (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *rsa_path = path_in (SSH_DIR, "rsa", "");
  g_autoptr(Client) client = NULL;
  JsonObject *reply;

  if (g_file_test ("/usr/sbin/sshd", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("this machine has /usr/sbin/sshd, which the agent would find");
      return;
    }
  mountns_check (chown (rsa_path, 0, SSH_KEYS_GID) == 0 && chmod (rsa_path, 0640) == 0, rsa_path);
  client = send_request (fixture, ROTATE_TYPES ("[\"rsa\", \"ed25519\"]"));
  reply = read_return (fixture, client);
  assert_rotated (key_at (reply, 0), "rsa", SSH_KEYS_GID);
  assert_rotated (key_at (reply, 1), "ed25519", 0);
  assert_reload (reply, "none");
  assert_ssh_dir_clean ();
}

/* What an agent that died midway leaves: the ed25519 pair replaced with
 * the old one aside, a new pair where there was none, a staging
 * directory. The next agent puts it back at start. */
static void
test_recovered_at_start (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *aside = SSH_DIR "/.guestlink-rotate-old";
  const char *staging = SSH_DIR "/.guestlink-rotate-new";
  g_autoptr(Client) client = NULL;
  g_autofree char *log = NULL;
  JsonObject *reply;
  JsonArray *listed;

  mountns_assert_on_tmpfs (SSH_DIR);
  mountns_check (g_mkdir (aside, 0700) == 0 && g_mkdir (staging, 0700) == 0, aside);
  install_pair (template_dir, "ed25519", aside, "ssh_host_ed25519_key");
  install_pair (other_dir, "ed25519", SSH_DIR, "ssh_host_ed25519_key");
  install_pair (other_dir, "ed25519", SSH_DIR, "ssh_host_extra_key");
  g_assert_true (g_file_set_contents (SSH_DIR "/.guestlink-rotate-old/ssh_host_extra_key.absent",
                                      "", 0, NULL));
  g_assert_true (g_file_set_contents (SSH_DIR "/.guestlink-rotate-old/ssh_host_extra_key.pub.absent",
                                      "", 0, NULL));
  install_pair (other_dir, "ed25519", staging, "ssh_host_rsa_key");

  start_agent (fixture);
  for (guint waited = 0; g_file_test (aside, G_FILE_TEST_EXISTS); waited += 10)
    {
      g_assert_cmpuint (waited, <, HARNESS_PROCESS_TIMEOUT_MS);
      g_usleep (10 * 1000);
    }
  assert_templates ();
  assert_ssh_dir_clean ();

  client = send_request (fixture, "{\"execute\": \"__org.guestlink_ssh-get-host-keys\"}");
  reply = read_return (fixture, client);
  listed = json_object_get_array_member (reply, "keys");
  g_assert_cmpuint (json_array_get_length (listed), ==, 3);
  /* Sorted by path: ecdsa, ed25519, rsa. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (listed, 1),
                                                  "fingerprint"), ==, template_fingerprints[0]);

  test_agent_stop_cleanly (fixture->agent);
  log = test_agent_get_log (fixture->agent);
  g_clear_pointer (&fixture->agent, test_agent_free);
  g_assert_nonnull (strstr (log, "Put back 2 host key pair(s) of a rotation that did not finish"));
}

/* The agent is killed while systemd reloads sshd with the new keys: the
 * next one puts the old keys back and has sshd reloaded again. */
static void
test_killed_during_reload (Fixture       *fixture,
                           gconstpointer  data)
{
  static const DbusMockUnit units[] = {
    { "ssh.service", "loaded", "active" },
    { "ssh.service", "loaded", "active" },
  };
  g_autoptr(Client) client = send_request (fixture, ROTATE);
  g_autoptr(GDBusMethodInvocation) job = NULL;
  int status;

  dbus_mock_systemd_expect_list_units (fixture->mock, ssh_units, units, G_N_ELEMENTS (units));
  job = dbus_mock_pop_call (fixture->mock, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                            "ReloadOrRestartUnit", "('ssh.service', 'replace')");
  /* The new keys are in place, the old ones aside. */
  g_assert_false (pair_is_template (0));
  g_assert_true (g_file_test (SSH_DIR "/.guestlink-rotate-old/ssh_host_ed25519_key",
                              G_FILE_TEST_IS_REGULAR));
  status = test_agent_stop_with (fixture->agent, SIGKILL);
  g_assert_true (WIFSIGNALED (status));
  g_clear_pointer (&fixture->agent, test_agent_free);
  g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&job),
                                              "org.freedesktop.DBus.Error.NoReply", "gone");

  start_agent (fixture);
  expect_systemd_reload (fixture, 2, "done");
  for (guint waited = 0; g_file_test (SSH_DIR "/.guestlink-rotate-old", G_FILE_TEST_EXISTS);
       waited += 10)
    {
      g_assert_cmpuint (waited, <, HARNESS_PROCESS_TIMEOUT_MS);
      g_usleep (10 * 1000);
    }
  assert_templates ();
  assert_ssh_dir_clean ();
  assert_no_bus_calls (fixture);
}

int
main (int    argc,
      char **argv)
{
  const char *library_path;
  int status;

  mountns_require_private ();
  if (!find_sshd ())
    {
      g_print ("SKIP: no unpacked openssh-server in " SSHD_CACHE
               "; run tests/tools/fetch-openssh-server (packaging/install-deps does)\n");
      return HARNESS_EXIT_SKIP;
    }
  if (!g_file_test ("/usr/bin/ssh-keygen", G_FILE_TEST_IS_EXECUTABLE) ||
      !g_file_test ("/usr/bin/ssh-keyscan", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("SKIP: ssh-keygen and ssh-keyscan (openssh-client) are not installed\n");
      return HARNESS_EXIT_SKIP;
    }
  harness_init (&argc, &argv);

  /* For sshd and the agent's sshd -T and -t, before any thread. */
  library_path = g_getenv ("LD_LIBRARY_PATH");
  if (sshd_library_path[0] != '\0')
    {
      g_autofree char *joined = library_path != NULL
                                ? g_strconcat (sshd_library_path, ":", library_path, NULL)
                                : g_strdup (sshd_library_path);

      g_setenv ("LD_LIBRARY_PATH", joined, TRUE);
    }
  base_path = g_strdup (g_getenv ("PATH"));
  mountns_check (sethostname (HOST_NAME, strlen (HOST_NAME)) == 0, "sethostname");
  sshd_port = free_port ();

  /* ssh-keygen wants the real passwd: before anything is mounted. */
  generate_templates ();
  make_keygen_wrapper ();
  etc_staging = mountns_stage ("/etc");
  install_fixture_etc ();

#define ADD(path, func, flags) \
  g_test_add ("/ssh-rotate-mountns/" path, Fixture, GUINT_TO_POINTER (flags), \
              fixture_set_up, func, fixture_tear_down)
  ADD ("rotate-all", test_rotate_all, CASE_SYSTEMD);
  ADD ("types-subset", test_types_subset, CASE_SYSTEMD);
  ADD ("unknown-type", test_unknown_type, CASE_SYSTEMD);
  ADD ("keygen-fails", test_keygen_fails, CASE_SYSTEMD | CASE_KEYGEN_FAILS);
  ADD ("reload-fails", test_reload_fails, CASE_SYSTEMD);
  ADD ("signal-fallback", test_signal_fallback, CASE_SSHD_RUNNING);
  ADD ("ssh-keys-group", test_ssh_keys_group, CASE_NO_SSHD);
  ADD ("recovered-at-start", test_recovered_at_start, CASE_NONE);
  ADD ("killed-during-reload", test_killed_during_reload, CASE_SYSTEMD);
#undef ADD

  status = harness_run ();
  mountns_check (umount2 ("/etc", MNT_DETACH) == 0, "/etc");
  mountns_unstage (etc_staging);
  g_free (etc_staging);
  for (gsize i = 0; i < G_N_ELEMENTS (template_fingerprints); i++)
    g_free (template_fingerprints[i]);
  g_free (template_dir);
  g_free (other_dir);
  g_free (wrapper_dir);
  g_free (base_path);
  g_free (sshd_program);
  g_free (sshd_library_path);
  return status;
}
