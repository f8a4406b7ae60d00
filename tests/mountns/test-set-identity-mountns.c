/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * __org.guestlink_set-identity as a host sees it, on a fixture machine:
 * run by run-in-mountns.sh in private mount and UTS namespaces, each case
 * mounts tmpfs over /etc, /var/lib and /run holding a template's
 * identity (host name, hosts line, machine-id and D-Bus's copy, DHCP
 * leases, udev rule, random seed, SSH host keys), and the agent talks to
 * hostname1 and systemd1 on a private bus, where the test plays them
 * with GtDBusQueue and checks every call. The machine's own files,
 * host name and services are never touched: the real /run/dbus is not
 * even visible to the agent. There is no sshd: the keys rotated are the
 * files present, and systemd is told to reload ssh.service.
 *
 * Crashes are injected where the agent waits on something the test
 * controls (a D-Bus call it does not answer, an ssh-keygen that waits on
 * a FIFO, a FIFO over /dev/urandom): the agent is killed there, started
 * again, and asked again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "agent-harness.h"
#include "dbus-mock.h"
#include "mountns-fixture.h"

#define TEMPLATE_ID "0123456789abcdef0123456789abcdef"
#define TEMPLATE_NAME "template"
#define TEMPLATE_SEED "the template's random seed"
#define JOURNAL "/var/lib/guestlink/set-identity.json"
#define URANDOM "/dev/urandom"
#define SSH_KEYGEN "/usr/bin/ssh-keygen"
#define ROTATE_ASIDE "/etc/ssh/.guestlink-rotate-old"

#define HOSTNAMED_NAME "org.freedesktop.hostname1"
#define HOSTNAMED_PATH "/org/freedesktop/hostname1"
#define HOSTNAMED_INTERFACE "org.freedesktop.hostname1"

/* A whole run writes keys and waits on the test's answers; generous for
 * a sanitizer build on a loaded machine. */
#define RUN_TIMEOUT_MS 60000

/* ---- the fixture machine ---------------------------------------------- */

typedef struct {
  const char *dir;
  const char * const *controlled;
  char *staging;
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

static const char * const key_types[] = { "ecdsa", "ed25519", "rsa" };
static const char * const ssh_units[] = { "ssh.service", "sshd.service", NULL };
static const char * const ssh_unit[] = { "ssh.service", NULL };

/* Made before anything is mounted: the template's host key pairs, and an
 * ssh-keygen first in PATH that waits on a FIFO while a file says so. */
static char *template_keys_dir;
static char *template_fingerprints[G_N_ELEMENTS (key_types)];
static char *wrapper_dir;

static const char * const network_units[] = {
  "NetworkManager.service", "systemd-networkd.service", "networking.service", NULL
};

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

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static gboolean
path_exists (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  if (!json_object_has_member (object, name))
    harness_fail ("no member %s", name);
  return json_object_get_string_member (object, name);
}

/* The template every clone starts from. */
static void
install_template (void)
{
  write_fixture ("/etc/hostname", TEMPLATE_NAME "\n", 0644);
  write_fixture ("/etc/hosts",
                 "127.0.0.1\tlocalhost\n"
                 "127.0.1.1\t" TEMPLATE_NAME ".example.org\t" TEMPLATE_NAME "\n"
                 "\n::1     localhost ip6-localhost ip6-loopback\n", 0644);
  write_fixture ("/etc/machine-id", TEMPLATE_ID "\n", 0444);
  write_fixture ("/etc/machine-info", "PRETTY_HOSTNAME=\"The template\"\nCHASSIS=vm\n", 0644);
  /* A copy of its own, as an old image may have: it must follow. */
  write_fixture ("/var/lib/dbus/machine-id", TEMPLATE_ID "\n", 0444);
  write_fixture ("/var/lib/dhcp/dhcpd.leases", "a DHCP server's, kept\n", 0644);
  for (gsize i = 0; i < G_N_ELEMENTS (lease_files); i++)
    write_fixture (lease_files[i], "the template's lease\n", 0644);
  write_fixture ("/var/lib/systemd/random-seed", TEMPLATE_SEED, 0600);
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    for (guint pub = 0; pub < 2; pub++)
      {
        g_autofree char *name = g_strdup_printf ("ssh_host_%s_key%s", key_types[i], pub ? ".pub" : "");
        g_autofree char *from = g_build_filename (template_keys_dir, name, NULL);
        g_autofree char *to = g_build_filename ("/etc/ssh", name, NULL);
        g_autofree char *contents = read_file (from);

        write_fixture (to, contents, pub ? 0644 : 0600);
      }
  g_assert_cmpint (g_mkdir ("/var/lib/guestlink", 0700), ==, 0);
  mountns_check (sethostname (TEMPLATE_NAME, strlen (TEMPLATE_NAME)) == 0, "sethostname");
}

static char *
kernel_host_name (void)
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

static char *
checksum_machine (void)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *host_name = kernel_host_name ();

  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    for (const char * const *name = overlays[i].controlled; *name != NULL; name++)
      {
        g_autofree char *path = g_build_filename (overlays[i].dir, *name, NULL);

        if (path_exists (path))
          checksum_entry (checksum, path);
      }
  g_checksum_update (checksum, (const guchar *) host_name, -1);
  return g_strdup (g_checksum_get_string (checksum));
}

/* ---- the mocked services ------------------------------------------------ */

static const char hostnamed_xml[] =
  "<node>"
  "  <interface name='" HOSTNAMED_INTERFACE "'>"
  "    <method name='SetStaticHostname'>"
  "      <arg type='s' name='hostname' direction='in'/>"
  "      <arg type='b' name='interactive' direction='in'/>"
  "    </method>"
  "    <method name='SetPrettyHostname'>"
  "      <arg type='s' name='hostname' direction='in'/>"
  "      <arg type='b' name='interactive' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* Pops hostnamed's @method (@value, interactive false). */
static GDBusMethodInvocation *
expect_hostnamed (DbusMock *queue,
                  const char  *method,
                  const char  *value)
{
  g_autoptr(GVariant) parameters = g_variant_ref_sink (g_variant_new ("(sb)", value, FALSE));
  g_autofree char *text = g_variant_print (parameters, TRUE);

  return dbus_mock_pop_call (queue, HOSTNAMED_PATH, HOSTNAMED_INTERFACE, method, text);
}

static void
answer_hostnamed (DbusMock *queue,
                  const char  *method,
                  const char  *value)
{
  GDBusMethodInvocation *call = expect_hostnamed (queue, method, value);

  g_dbus_method_invocation_return_value (call, NULL);
}

/* A restart systemd_units_run_job() waits for: the job, its end, and
 * the check that the unit runs. */
static void
answer_restart (DbusMock *queue,
                const char  *unit,
                guint32      job_id)
{
  g_autoptr(GDBusMethodInvocation) call =
    dbus_mock_systemd_expect_job (queue, "RestartUnit", unit, job_id);
  const char * const names[] = { unit, NULL };
  const DbusMockUnit running = { unit, "loaded", "active" };

  dbus_mock_systemd_emit_job_removed (call, job_id, unit, "done");
  dbus_mock_systemd_expect_list_units (queue, names, &running, 1);
}

static void
answer_network_units (DbusMock *queue)
{
  const DbusMockUnit units[] = {
    { "NetworkManager.service", "loaded", "active" },
    { "systemd-networkd.service", "loaded", "inactive" },
    { "networking.service", "not-found", "inactive" },
  };

  dbus_mock_systemd_expect_list_units (queue, network_units, units, G_N_ELEMENTS (units));
}

/* ---- requests ----------------------------------------------------------- */

typedef struct {
  const char *instance_id;
  const char *host_name;
  const char *pretty_host_name;
  const char *machine_id;
  gboolean regenerate_machine_id;
  gboolean rotate_ssh_host_keys;
  gboolean reset_network_state;
  GBytes *random_seed;
} Request;

static char *
request_text (const Request *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "execute");
  json_builder_add_string_value (builder, "__org.guestlink_set-identity");
  json_builder_set_member_name (builder, "arguments");
  json_builder_begin_object (builder);
#define STRING(name, value) \
  if ((value) != NULL) \
    { \
      json_builder_set_member_name (builder, name); \
      json_builder_add_string_value (builder, value); \
    }
#define BOOLEAN(name, value) \
  if (value) \
    { \
      json_builder_set_member_name (builder, name); \
      json_builder_add_boolean_value (builder, TRUE); \
    }
  STRING ("instance-id", request->instance_id);
  STRING ("host-name", request->host_name);
  STRING ("pretty-host-name", request->pretty_host_name);
  STRING ("machine-id", request->machine_id);
  BOOLEAN ("regenerate-machine-id", request->regenerate_machine_id);
  BOOLEAN ("rotate-ssh-host-keys", request->rotate_ssh_host_keys);
  BOOLEAN ("reset-network-state", request->reset_network_state);
#undef STRING
#undef BOOLEAN
  if (request->random_seed != NULL)
    {
      g_autofree char *seed = g_base64_encode (g_bytes_get_data (request->random_seed, NULL),
                                               g_bytes_get_size (request->random_seed));

      json_builder_set_member_name (builder, "random-seed");
      json_builder_add_string_value (builder, seed);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static GBytes *
make_seed (guint8 first,
           gsize  length)
{
  guint8 *bytes = g_malloc (length);

  for (gsize i = 0; i < length; i++)
    bytes[i] = (guint8) (first + i * 13);
  return g_bytes_new_take (bytes, length);
}

/* ---- the fixture -------------------------------------------------------- */

/* While /dev/urandom is the test's FIFO, whoever opens it to read
 * (GLib seeds its random numbers from it, once per process) is given
 * bytes by a thread of the test, so that only the random-seed step's
 * write waits there. */
typedef struct {
  char *fifo;
  GMutex lock;
  gboolean stop;
  gboolean paused;      /* while the test reads the seed itself */
  GThread *thread;
} UrandomFeeder;

typedef struct {
  DbusMock *bus;
  TestAgent *agent;
  Client *client;
  char *fifo_dir;
  UrandomFeeder *feeder;   /* NULL: /dev/urandom is the machine's */
  /* The call the agent was killed waiting for: answered, to no one,
   * after the kill. */
  GDBusMethodInvocation *unanswered;
} Fixture;

typedef enum {
  SERVICES_NONE = 0,
  SERVICES_HOSTNAMED = 1 << 0,
  SERVICES_SYSTEMD = 1 << 1,
} Services;

static void
start_agent (Fixture *fixture)
{
  const char * const args[] = { "--identity-journal", JOURNAL, NULL };

  g_assert_null (fixture->agent);
  fixture->agent = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, args);
}

static void
stop_agent (Fixture *fixture)
{
  g_clear_pointer (&fixture->client, client_free);
  test_agent_stop_cleanly (fixture->agent);
  g_clear_pointer (&fixture->agent, test_agent_free);
}

/* SIGKILL: no clean-up of any kind, as a power cut would leave it. */
static void
kill_agent (Fixture *fixture)
{
  int status = test_agent_stop_with (fixture->agent, SIGKILL);

  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  g_clear_pointer (&fixture->client, client_free);
  g_clear_pointer (&fixture->agent, test_agent_free);
  if (fixture->unanswered != NULL)
    g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&fixture->unanswered),
                                                "org.freedesktop.DBus.Error.NoReply",
                                                "the caller was killed");
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  Services services = GPOINTER_TO_UINT (data);

  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    mountns_mount_overlay (overlays[i].dir, overlays[i].staging, overlays[i].controlled);
  install_template ();

  fixture->bus = dbus_mock_new ();
  if (services & SERVICES_HOSTNAMED)
    dbus_mock_own_service (fixture->bus, HOSTNAMED_NAME, HOSTNAMED_PATH, hostnamed_xml);
  if (services & SERVICES_SYSTEMD)
    dbus_mock_own_systemd (fixture->bus);
  /* The agent's system bus is the test's. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", dbus_mock_get_address (fixture->bus), TRUE);
  fixture->fifo_dir = harness_make_dir ("fifo");
}

/* Feeds a reader that waits on the FIFO, if there is one. */
static void
feed_waiting_reader (const char *fifo)
{
  guint32 bytes[4];
  int fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  /* ENXIO: nobody has it open to read. */
  if (fd < 0)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (bytes); i++)
    bytes[i] = g_random_int ();
  mountns_check (write (fd, bytes, sizeof bytes) == sizeof bytes, fifo);
  close (fd);
}

static gpointer
feed_urandom_readers (gpointer data)
{
  UrandomFeeder *feeder = data;

  for (;;)
    {
      gboolean stop;

      g_mutex_lock (&feeder->lock);
      stop = feeder->stop;
      if (!stop && !feeder->paused)
        feed_waiting_reader (feeder->fifo);
      g_mutex_unlock (&feeder->lock);
      if (stop)
        return NULL;
      g_usleep (2 * 1000);
    }
}

static void
restore_urandom (Fixture *fixture)
{
  UrandomFeeder *feeder = fixture->feeder;

  if (feeder == NULL)
    return;
  mountns_check (umount2 (URANDOM, MNT_DETACH) == 0, URANDOM);
  g_mutex_lock (&feeder->lock);
  feeder->stop = TRUE;
  g_mutex_unlock (&feeder->lock);
  g_thread_join (feeder->thread);
  g_mutex_clear (&feeder->lock);
  g_free (feeder->fifo);
  g_clear_pointer (&fixture->feeder, g_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  restore_urandom (fixture);
  g_clear_pointer (&fixture->client, client_free);
  if (fixture->agent != NULL)
    stop_agent (fixture);
  g_clear_pointer (&fixture->bus, dbus_mock_free);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  for (gsize i = G_N_ELEMENTS (overlays); i > 0; i--)
    mountns_check (umount2 (overlays[i - 1].dir, MNT_DETACH) == 0, overlays[i - 1].dir);
  g_free (fixture->fifo_dir);
}

/* A FIFO over /dev/urandom: the random-seed step's open() waits there
 * until the test reads, and the test reads exactly what was written. */
static void
replace_urandom (Fixture *fixture)
{
  UrandomFeeder *feeder = g_new0 (UrandomFeeder, 1);

  g_assert_null (fixture->feeder);
  feeder->fifo = g_build_filename (fixture->fifo_dir, "urandom", NULL);
  if (!path_exists (feeder->fifo))
    mountns_check (mkfifo (feeder->fifo, 0666) == 0, feeder->fifo);
  g_mutex_init (&feeder->lock);
  mountns_check (mount (feeder->fifo, URANDOM, NULL, MS_BIND, NULL) == 0, URANDOM);
  feeder->thread = g_thread_new ("urandom-feeder", feed_urandom_readers, feeder);
  fixture->feeder = feeder;
}

/* Whether a thread of the agent waits in open() for a reader of a FIFO
 * (the kernel's wait_for_partner(), in openat() for writing). */
static gboolean
agent_waits_to_write_fifo (Fixture *fixture)
{
  g_autofree char *tasks_dir = g_strdup_printf ("/proc/%d/task", (int) test_agent_get_pid (fixture->agent));
  g_autoptr(GDir) tasks = g_dir_open (tasks_dir, 0, NULL);
  const char *task;

  while (tasks != NULL && (task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *wchan_path = g_build_filename (tasks_dir, task, "wchan", NULL);
      g_autofree char *syscall_path = g_build_filename (tasks_dir, task, "syscall", NULL);
      g_autofree char *wchan = NULL;
      g_autofree char *syscall = NULL;
      g_auto(GStrv) fields = NULL;

      if (!g_file_get_contents (wchan_path, &wchan, NULL, NULL) ||
          !g_str_equal (wchan, "wait_for_partner") ||
          !g_file_get_contents (syscall_path, &syscall, NULL, NULL))
        continue;
      /* "NR dirfd path flags ...": openat (257) with O_WRONLY. */
      fields = g_strsplit (g_strstrip (syscall), " ", -1);
      if (g_strv_length (fields) >= 4 && g_str_equal (fields[0], "257") &&
          (g_ascii_strtoull (fields[3], NULL, 16) & O_ACCMODE) == O_WRONLY)
        return TRUE;
    }
  return FALSE;
}

static void
wait_for_seed_writer (Fixture *fixture)
{
  for (guint waited = 0; !agent_waits_to_write_fifo (fixture); waited += 10)
    {
      if (waited > RUN_TIMEOUT_MS)
        harness_fail ("The agent never opened " URANDOM " to write");
      g_usleep (10 * 1000);
    }
}

/* Reads what the random-seed step writes to /dev/urandom, the feeder
 * paused so that its bytes cannot mix in. */
static GBytes *
read_seed_written (Fixture *fixture)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  UrandomFeeder *feeder = fixture->feeder;
  guint8 buffer[4096];
  ssize_t n;
  int fd;

  g_mutex_lock (&feeder->lock);
  feeder->paused = TRUE;
  g_mutex_unlock (&feeder->lock);

  fd = open (feeder->fifo, O_RDONLY | O_CLOEXEC);
  mountns_check (fd >= 0, feeder->fifo);
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_byte_array_append (bytes, buffer, (guint) n);
  mountns_check (n == 0, feeder->fifo);
  close (fd);

  g_mutex_lock (&feeder->lock);
  feeder->paused = FALSE;
  g_mutex_unlock (&feeder->lock);
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

static void
send_request (Fixture       *fixture,
              const Request *request)
{
  g_autofree char *text = request_text (request);

  g_clear_pointer (&fixture->client, client_free);
  fixture->client = client_connect (test_agent_get_socket_path (fixture->agent));
  client_send_str (fixture->client, text);
}

static char *
read_reply_line (Fixture *fixture)
{
  char *line = client_read_line (fixture->client, RUN_TIMEOUT_MS);

  if (line == NULL)
    {
      g_autofree char *log = test_agent_get_log (fixture->agent);

      harness_fail ("No reply from the agent; its log:\n%s", log);
    }
  harness_message_bytes ("reply", line, -1);
  return line;
}

static JsonNode *
read_reply (Fixture *fixture)
{
  g_autofree char *line = read_reply_line (fixture);
  JsonNode *reply;

  /* The run is over: /dev/urandom is the machine's again. */
  restore_urandom (fixture);
  reply = harness_reply_get_return (line);

  if (!JSON_NODE_HOLDS_OBJECT (reply))
    harness_fail ("Expected an object, got: %s", line);
  return reply;
}

/* ---- host keys ---------------------------------------------------------- */

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
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_autofree char *name = g_strdup_printf ("ssh_host_%s_key", key_types[i]);
      g_autofree char *path = g_build_filename (template_keys_dir, name, NULL);
      const char *argv[] = { SSH_KEYGEN, "-q", "-N", "", "-C", "root@" TEMPLATE_NAME,
                             "-t", key_types[i], "-f", path, NULL };

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
static void
assert_host_keys_valid (char **out_fingerprints)
{
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_autofree char *path = g_strdup_printf ("/etc/ssh/ssh_host_%s_key", key_types[i]);
      g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
      g_autofree char *derived = run_ssh_keygen ("-yf", path);
      g_autofree char *pub = read_file (pub_path);
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

/* The reply's "ssh-host-keys" names the keys now in /etc/ssh, each new,
 * each with the template's as its old fingerprint. */
static void
assert_rotation_reply (JsonObject *reply,
                       char      **fingerprints)
{
  JsonObject *rotation = json_object_get_object_member (reply, "ssh-host-keys");
  JsonArray *keys;

  g_assert_nonnull (rotation);
  g_assert_true (json_object_get_boolean_member (rotation, "sshd-reloaded"));
  g_assert_cmpstr (member_string (rotation, "sshd-reload-method"), ==, "systemd");
  keys = json_object_get_array_member (rotation, "keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, G_N_ELEMENTS (key_types));
  for (guint k = 0; k < json_array_get_length (keys); k++)
    {
      JsonObject *key = json_array_get_object_element (keys, k);
      const char *type = member_string (key, "type");
      gsize i;

      for (i = 0; i < G_N_ELEMENTS (key_types) && !g_str_equal (key_types[i], type); i++)
        ;
      g_assert_cmpuint (i, <, G_N_ELEMENTS (key_types));
      g_assert_cmpstr (member_string (key, "fingerprint"), ==, fingerprints[i]);
      g_assert_cmpstr (member_string (key, "old-fingerprint"), ==, template_fingerprints[i]);
      g_assert_cmpstr (fingerprints[i], !=, template_fingerprints[i]);
    }
}

/* ---- serving a run ------------------------------------------------------ */

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
static void
wait_for_blocked_keygen (void)
{
  for (guint waited = 0; ; waited += 10)
    {
      pid_t pid = blocked_keygen_pid ();

      if (pid > 0 && process_waits_on_fifo (pid))
        return;
      if (waited > RUN_TIMEOUT_MS)
        harness_fail ("ssh-keygen never ran");
      g_usleep (10 * 1000);
    }
}

/* Blocks ssh-keygen from now on, or lets it run. */
static void
block_keygen (gboolean block)
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
static void
kill_blocked_keygen (void)
{
  pid_t pid = blocked_keygen_pid ();

  if (pid > 0 && process_waits_on_fifo (pid))
    mountns_check (kill (pid, SIGKILL) == 0, "kill ssh-keygen");
  block_keygen (FALSE);
}

/* Where a run stops: the agent waits there, unanswered. */
typedef enum {
  BLOCK_NONE,
  BLOCK_SET_STATIC_HOSTNAME,
  BLOCK_RESTART_JOURNALD,
  BLOCK_SSH_KEYGEN,
  BLOCK_RELOAD_SSH,
  BLOCK_RESTART_NETWORK,
  BLOCK_RANDOM_SEED,
} BlockAt;

typedef enum {
  STEP_HOST_NAME,
  STEP_HOSTS_FILE,
  STEP_MACHINE_ID,
  STEP_JOURNALD,
  STEP_SSH_HOST_KEYS,
  STEP_NETWORK_STATE,
  STEP_RANDOM_SEED,
  STEP_COUNT,
} Step;

static const char * const step_names[] = {
  "host-name", "hosts-file", "machine-id", "journald", "ssh-host-keys", "network-state",
  "random-seed",
};

/* Plays the services for @request's steps from @first on, as the agent
 * must call them with @services on the bus, and stops at @block (the
 * agent then waits there). With a random seed to write, /dev/urandom is
 * a FIFO until restore_urandom(), and the seed read from it is returned. */
static GBytes *
serve_run (Fixture       *fixture,
           const Request *request,
           Services       services,
           Step           first,
           BlockAt        block)
{
  DbusMock *bus = fixture->bus;
  gboolean sets_machine_id = request->machine_id != NULL || request->regenerate_machine_id;
  gboolean fifo = request->random_seed != NULL && first <= STEP_RANDOM_SEED;

  if (fifo)
    replace_urandom (fixture);

  if (first <= STEP_HOST_NAME && (services & SERVICES_HOSTNAMED) &&
      (request->host_name != NULL || request->pretty_host_name != NULL))
    {
      if (block == BLOCK_SET_STATIC_HOSTNAME)
        {
          /* Taken and not answered. */
          fixture->unanswered = expect_hostnamed (bus, "SetStaticHostname", request->host_name);
          return NULL;
        }
      if (request->host_name != NULL)
        answer_hostnamed (bus, "SetStaticHostname", request->host_name);
      if (request->pretty_host_name != NULL)
        answer_hostnamed (bus, "SetPrettyHostname", request->pretty_host_name);
    }

  if (first <= STEP_JOURNALD && (services & SERVICES_SYSTEMD) && sets_machine_id)
    {
      if (block == BLOCK_RESTART_JOURNALD)
        {
          fixture->unanswered =
            dbus_mock_pop_call (bus, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                                "RestartUnit", "('systemd-journald.service', 'replace')");
          return NULL;
        }
      answer_restart (bus, "systemd-journald.service", 1);
    }

  if (first <= STEP_SSH_HOST_KEYS && request->rotate_ssh_host_keys)
    {
      if (block == BLOCK_SSH_KEYGEN)
        {
          wait_for_blocked_keygen ();
          return NULL;
        }
      if (services & SERVICES_SYSTEMD)
        {
          const DbusMockUnit units[] = {
            { "ssh.service", "loaded", "active" },
            /* sshd.service is Debian's alias of ssh.service. */
            { "ssh.service", "loaded", "active" },
          };
          g_autoptr(GDBusMethodInvocation) job = NULL;

          dbus_mock_systemd_expect_list_units (bus, ssh_units, units, G_N_ELEMENTS (units));
          if (block == BLOCK_RELOAD_SSH)
            {
              fixture->unanswered =
                dbus_mock_pop_call (bus, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                                    "ReloadOrRestartUnit", "('ssh.service', 'replace')");
              return NULL;
            }
          job = dbus_mock_systemd_expect_job (bus, "ReloadOrRestartUnit", "ssh.service", 3);
          dbus_mock_systemd_emit_job_removed (job, 3, "ssh.service", "done");
          dbus_mock_systemd_expect_list_units (bus, ssh_unit, units, 1);
        }
    }

  if (first <= STEP_NETWORK_STATE && (services & SERVICES_SYSTEMD) && request->reset_network_state)
    {
      answer_network_units (bus);
      if (block == BLOCK_RESTART_NETWORK)
        {
          fixture->unanswered =
            dbus_mock_pop_call (bus, DBUS_MOCK_SYSTEMD_PATH, DBUS_MOCK_SYSTEMD_MANAGER,
                                "RestartUnit", "('NetworkManager.service', 'replace')");
          return NULL;
        }
      answer_restart (bus, "NetworkManager.service", 2);
    }

  if (fifo)
    {
      wait_for_seed_writer (fixture);
      if (block == BLOCK_RANDOM_SEED)
        return NULL;
      return read_seed_written (fixture);
    }
  return NULL;
}

/* ---- checks ------------------------------------------------------------- */

static JsonObject *
reply_step (JsonObject *reply,
            Step        step)
{
  JsonArray *steps = json_object_get_array_member (reply, "steps");
  JsonObject *object;

  g_assert_cmpuint (json_array_get_length (steps), ==, STEP_COUNT);
  object = json_array_get_object_element (steps, step);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, step_names[step]);
  return object;
}

static void
assert_step (JsonObject *reply,
             Step        step,
             const char *status,
             const char *detail)
{
  JsonObject *object = reply_step (reply, step);

  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, status);
  if (detail != NULL)
    g_assert_cmpstr (json_object_get_string_member (object, "detail"), ==, detail);
}

static char *
read_stripped (const char *path)
{
  char *contents = read_file (path);

  return g_strstrip (contents);
}

/* The chosen machine-id the journal holds. */
static char *
journal_machine_id (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *journal;

  json_parser_load_from_file (parser, JOURNAL, &error);
  g_assert_no_error (error);
  journal = json_node_get_object (json_parser_get_root (parser));
  return g_strdup (member_string (journal, "machine-id"));
}

static void
assert_leases_gone (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (lease_files); i++)
    if (path_exists (lease_files[i]))
      harness_fail ("%s is still there", lease_files[i]);
  /* The DHCP server's leases are not the client's. */
  g_assert_true (path_exists ("/var/lib/dhcp/dhcpd.leases"));
}

static void
assert_seed_file (GBytes *seed)
{
  g_autofree char *contents = NULL;
  gsize length;
  struct stat st;

  g_assert_true (g_file_get_contents ("/var/lib/systemd/random-seed", &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (seed, NULL), g_bytes_get_size (seed));
  g_assert_cmpint (stat ("/var/lib/systemd/random-seed", &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
}

/* The machine-id files agree on @machine_id, D-Bus's as a link. */
static void
assert_machine_id (const char *machine_id)
{
  g_autofree char *etc = read_file ("/etc/machine-id");
  g_autofree char *dbus = read_file ("/var/lib/dbus/machine-id");
  g_autofree char *expected = g_strconcat (machine_id, "\n", NULL);
  g_autofree char *link = NULL;
  struct stat st;

  g_assert_cmpstr (etc, ==, expected);
  g_assert_cmpstr (dbus, ==, expected);
  g_assert_cmpint (stat ("/etc/machine-id", &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0444);
  /* The template's copy of its own was rewritten, not turned into a link. */
  g_assert_cmpint (lstat ("/var/lib/dbus/machine-id", &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
}

/* ---- cases -------------------------------------------------------------- */

typedef struct {
  char *host_name;
  char *static_host_name;
  char *machine_id;
  char *dbus_machine_id;
  GBytes *seed_file;
  char *fingerprints[G_N_ELEMENTS (key_types)];
} CloneState;

static void
clone_state_clear (CloneState *state)
{
  g_free (state->host_name);
  g_free (state->static_host_name);
  g_free (state->machine_id);
  g_free (state->dbus_machine_id);
  g_clear_pointer (&state->seed_file, g_bytes_unref);
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    g_free (state->fingerprints[i]);
}

static void
read_clone_state (CloneState *state)
{
  g_autofree char *seed = NULL;
  gsize length;

  state->host_name = kernel_host_name ();
  state->static_host_name = read_stripped ("/etc/hostname");
  state->machine_id = read_stripped ("/etc/machine-id");
  state->dbus_machine_id = read_stripped ("/var/lib/dbus/machine-id");
  g_assert_true (g_file_get_contents ("/var/lib/systemd/random-seed", &seed, &length, NULL));
  state->seed_file = g_bytes_new (seed, length);
  assert_host_keys_valid (state->fingerprints);
}

/* One clone of the template: set-identity with everything, no hostnamed
 * (the files and the kernel's name are the agent's to write), systemd
 * on the bus. */
static void
run_clone (Fixture    *fixture,
           const char *instance_id,
           const char *host_name,
           guint8      seed_first,
           CloneState *out_state)
{
  g_autoptr(GBytes) seed = make_seed (seed_first, 512);
  g_autofree char *pretty = g_strdup_printf ("Clone %s", instance_id);
  Request request = {
    .instance_id = instance_id,
    .host_name = host_name,
    .pretty_host_name = pretty,
    .regenerate_machine_id = TRUE,
    .rotate_ssh_host_keys = TRUE,
    .reset_network_state = TRUE,
    .random_seed = seed,
  };
  g_autoptr(GBytes) mixed = NULL;
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *hosts = NULL;
  g_autofree char *expected_hosts_line = NULL;
  g_autofree char *machine_info = NULL;
  JsonObject *reply, *identity;

  start_agent (fixture);
  send_request (fixture, &request);
  mixed = serve_run (fixture, &request, SERVICES_SYSTEMD, STEP_HOST_NAME, BLOCK_NONE);
  reply_node = read_reply (fixture);
  stop_agent (fixture);
  reply = json_node_get_object (reply_node);

  /* The exact bytes went into the kernel's pool, and to the seed file. */
  g_assert_true (g_bytes_equal (mixed, seed));
  assert_seed_file (seed);

  g_assert_cmpstr (member_string (reply, "instance-id"), ==, instance_id);
  g_assert_false (json_object_get_boolean_member (reply, "resumed"));
  g_assert_true (json_object_get_boolean_member (reply, "complete"));
  g_assert_true (json_object_get_boolean_member (reply, "reboot-required"));
  assert_step (reply, STEP_HOST_NAME, "done", NULL);
  assert_step (reply, STEP_HOSTS_FILE, "done", NULL);
  assert_step (reply, STEP_MACHINE_ID, "done", NULL);
  assert_step (reply, STEP_JOURNALD, "done", "systemd-journald.service restarted");
  assert_step (reply, STEP_SSH_HOST_KEYS, "done",
               "new ecdsa, ed25519, rsa keys; sshd reloaded through systemd");
  assert_step (reply, STEP_NETWORK_STATE, "done",
               "removed /var/lib/dhcp/dhclient.eth0.leases, "
               "/var/lib/NetworkManager/internal-5d0c-eth0.lease, /run/systemd/netif/leases/2, "
               "/etc/udev/rules.d/70-persistent-net.rules; NetworkManager.service restarted");
  assert_step (reply, STEP_RANDOM_SEED, "done",
               "512 bytes mixed into the kernel's pool and saved as /var/lib/systemd/random-seed");
  read_clone_state (out_state);
  assert_rotation_reply (reply, out_state->fingerprints);
  identity = json_object_get_object_member (reply, "identity");
  g_assert_cmpstr (member_string (identity, "host-name"), ==, host_name);
  g_assert_cmpstr (member_string (identity, "static-host-name"), ==, host_name);
  g_assert_cmpstr (member_string (identity, "pretty-host-name"), ==, pretty);
  g_assert_cmpstr (member_string (identity, "machine-id"), ==, out_state->machine_id);
  g_assert_cmpstr (member_string (identity, "dbus-machine-id"), ==, out_state->machine_id);

  g_assert_cmpstr (out_state->host_name, ==, host_name);
  g_assert_cmpstr (out_state->static_host_name, ==, host_name);
  assert_machine_id (out_state->machine_id);
  assert_leases_gone ();
  hosts = read_file ("/etc/hosts");
  expected_hosts_line = g_strdup_printf ("\n127.0.1.1\t%s\n", host_name);
  g_assert_nonnull (strstr (hosts, expected_hosts_line));
  g_assert_nonnull (strstr (hosts, "127.0.0.1\tlocalhost\n"));
  machine_info = read_file ("/etc/machine-info");
  g_assert_nonnull (strstr (machine_info, "CHASSIS=vm\n"));
}

/* Two clones of one template: every identity item differs from the
 * template's and from the other clone's. */
static void
test_clone_scenario (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GBytes) template_seed = g_bytes_new_static (TEMPLATE_SEED, strlen (TEMPLATE_SEED));
  CloneState a = { 0 }, b = { 0 };

  run_clone (fixture, "clone-a", "web-a", 1, &a);
  /* The second clone on a fresh copy of the template. */
  fixture_tear_down (fixture, data);
  memset (fixture, 0, sizeof *fixture);
  fixture_set_up (fixture, data);
  run_clone (fixture, "clone-b", "web-b", 2, &b);

  g_assert_cmpstr (a.host_name, !=, TEMPLATE_NAME);
  g_assert_cmpstr (b.host_name, !=, TEMPLATE_NAME);
  g_assert_cmpstr (a.host_name, !=, b.host_name);
  g_assert_cmpstr (a.machine_id, !=, TEMPLATE_ID);
  g_assert_cmpstr (b.machine_id, !=, TEMPLATE_ID);
  g_assert_cmpstr (a.machine_id, !=, b.machine_id);
  g_assert_cmpstr (a.dbus_machine_id, ==, a.machine_id);
  g_assert_cmpstr (b.dbus_machine_id, ==, b.machine_id);
  g_assert_false (g_bytes_equal (a.seed_file, b.seed_file));
  g_assert_false (g_bytes_equal (a.seed_file, template_seed));
  g_assert_false (g_bytes_equal (b.seed_file, template_seed));
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_assert_cmpstr (a.fingerprints[i], !=, template_fingerprints[i]);
      g_assert_cmpstr (b.fingerprints[i], !=, template_fingerprints[i]);
      g_assert_cmpstr (a.fingerprints[i], !=, b.fingerprints[i]);
    }

  clone_state_clear (&a);
  clone_state_clear (&b);
}

/* Without hostnamed the agent writes /etc/hostname and machine-info and
 * sets the kernel's name itself; without systemd there is no journald
 * to restart. No call reaches the bus. */
static void
test_without_services (Fixture       *fixture,
                       gconstpointer  data)
{
  Request request = {
    .instance_id = "bare",
    .host_name = "minimal.example.org",
    .pretty_host_name = "Minimal \"one\"",
    .machine_id = "00112233445566778899aabbccddeeff",
  };
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *host_name = NULL;
  g_autofree char *hostname_file = NULL;
  g_autofree char *machine_info = NULL;
  g_autofree char *hosts = NULL;
  JsonObject *reply;

  start_agent (fixture);
  send_request (fixture, &request);
  reply_node = read_reply (fixture);
  reply = json_node_get_object (reply_node);

  assert_step (reply, STEP_HOST_NAME, "done",
               "host name minimal.example.org and pretty host name \"Minimal \"one\"\" written to "
               "/etc and given to the kernel (no hostnamed)");
  assert_step (reply, STEP_HOSTS_FILE, "done",
               "the 127.0.1.1 line of /etc/hosts names minimal.example.org");
  assert_step (reply, STEP_MACHINE_ID, "done",
               "/etc/machine-id is 00112233445566778899aabbccddeeff; "
               "/var/lib/dbus/machine-id rewritten");
  assert_step (reply, STEP_JOURNALD, "skipped", "no systemd");
  assert_step (reply, STEP_SSH_HOST_KEYS, "skipped", "not asked for");
  assert_step (reply, STEP_NETWORK_STATE, "skipped", "not asked for");
  assert_step (reply, STEP_RANDOM_SEED, "skipped", "no random seed given");
  g_assert_true (json_object_get_boolean_member (reply, "complete"));
  g_assert_true (json_object_get_boolean_member (reply, "reboot-required"));

  host_name = kernel_host_name ();
  g_assert_cmpstr (host_name, ==, "minimal.example.org");
  hostname_file = read_file ("/etc/hostname");
  g_assert_cmpstr (hostname_file, ==, "minimal.example.org\n");
  machine_info = read_file ("/etc/machine-info");
  g_assert_cmpstr (machine_info, ==, "PRETTY_HOSTNAME=\"Minimal \\\"one\\\"\"\nCHASSIS=vm\n");
  hosts = read_file ("/etc/hosts");
  g_assert_nonnull (strstr (hosts, "\n127.0.1.1\tminimal.example.org\tminimal\n"));
  assert_machine_id ("00112233445566778899aabbccddeeff");
  /* Not asked for: still the template's. */
  g_assert_true (path_exists (lease_files[0]));
}

/* With hostnamed on the bus, the host names are its to write: the
 * agent asks it, and writes no file and no kernel name itself. */
static void
test_hostnamed (Fixture       *fixture,
                gconstpointer  data)
{
  Request request = {
    .instance_id = "through-hostnamed",
    .host_name = "named",
    .pretty_host_name = "",
  };
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *host_name = NULL;
  g_autofree char *hostname_file = NULL;
  JsonObject *reply;

  start_agent (fixture);
  send_request (fixture, &request);
  serve_run (fixture, &request, SERVICES_HOSTNAMED | SERVICES_SYSTEMD, STEP_HOST_NAME, BLOCK_NONE);
  reply_node = read_reply (fixture);
  reply = json_node_get_object (reply_node);

  assert_step (reply, STEP_HOST_NAME, "done",
               "host name named and no pretty host name set through hostnamed");
  assert_step (reply, STEP_MACHINE_ID, "skipped", "no machine-id asked for");
  assert_step (reply, STEP_JOURNALD, "skipped", "no machine-id asked for");
  g_assert_false (json_object_get_boolean_member (reply, "reboot-required"));
  host_name = kernel_host_name ();
  g_assert_cmpstr (host_name, ==, TEMPLATE_NAME);
  hostname_file = read_file ("/etc/hostname");
  g_assert_cmpstr (hostname_file, ==, TEMPLATE_NAME "\n");
}

/* hostnamed refusing is a failed step, not a reason to write the files
 * behind its back; the other steps still run. */
static void
test_hostnamed_refuses (Fixture       *fixture,
                        gconstpointer  data)
{
  Request request = {
    .instance_id = "refused",
    .host_name = "refused",
    .machine_id = "00112233445566778899aabbccddeeff",
  };
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *hostname_file = NULL;
  g_autofree char *hosts = NULL;
  GDBusMethodInvocation *call;
  JsonObject *reply, *step;

  start_agent (fixture);
  send_request (fixture, &request);
  call = expect_hostnamed (fixture->bus, "SetStaticHostname", "refused");
  g_dbus_method_invocation_return_dbus_error (call, "org.freedesktop.DBus.Error.AccessDenied",
                                              "Not today");
  answer_restart (fixture->bus, "systemd-journald.service", 1);
  reply_node = read_reply (fixture);
  reply = json_node_get_object (reply_node);

  step = reply_step (reply, STEP_HOST_NAME);
  g_assert_cmpstr (member_string (step, "status"), ==, "failed");
  g_assert_cmpstr (member_string (step, "error"), ==, "hostnamed SetStaticHostname failed: Not today");
  g_assert_false (json_object_get_boolean_member (reply, "complete"));
  /* /etc/hosts follows the host name, so it waits for it. */
  step = reply_step (reply, STEP_HOSTS_FILE);
  g_assert_cmpstr (member_string (step, "status"), ==, "failed");
  g_assert_cmpstr (member_string (step, "error"), ==, "Not run: the host-name step did not complete");
  assert_step (reply, STEP_MACHINE_ID, "done", NULL);
  assert_step (reply, STEP_JOURNALD, "done", NULL);
  hostname_file = read_file ("/etc/hostname");
  g_assert_cmpstr (hostname_file, ==, TEMPLATE_NAME "\n");
  hosts = read_file ("/etc/hosts");
  g_assert_nonnull (strstr (hosts, "\n127.0.1.1\t" TEMPLATE_NAME ".example.org\t" TEMPLATE_NAME "\n"));

  /* The retry runs the failed steps only. */
  send_request (fixture, &request);
  answer_hostnamed (fixture->bus, "SetStaticHostname", "refused");
  g_clear_pointer (&reply_node, json_node_unref);
  reply_node = read_reply (fixture);
  reply = json_node_get_object (reply_node);
  g_assert_true (json_object_get_boolean_member (reply, "resumed"));
  g_assert_true (json_object_get_boolean_member (reply, "complete"));
  assert_step (reply, STEP_HOST_NAME, "done", NULL);
  assert_step (reply, STEP_HOSTS_FILE, "done", NULL);
  g_clear_pointer (&hosts, g_free);
  hosts = read_file ("/etc/hosts");
  g_assert_nonnull (strstr (hosts, "\n127.0.1.1\trefused\n"));
}

/* A full run, then the same request again: nothing is redone (no call
 * reaches the services) and the reply is the same but for "resumed". */
static void
test_retry_after_success (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GBytes) seed = make_seed (7, 64);
  Request request = {
    .instance_id = "retry",
    .host_name = "retry",
    .regenerate_machine_id = TRUE,
    .rotate_ssh_host_keys = TRUE,
    .reset_network_state = TRUE,
    .random_seed = seed,
  };
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(GBytes) mixed = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *again = NULL;
  JsonObject *first_object, *second_object;

  start_agent (fixture);
  send_request (fixture, &request);
  mixed = serve_run (fixture, &request, SERVICES_HOSTNAMED | SERVICES_SYSTEMD, STEP_HOST_NAME,
                     BLOCK_NONE);
  first = read_reply (fixture);
  checksum = checksum_machine ();

  /* From another agent, as after a timeout and a restart. */
  stop_agent (fixture);
  start_agent (fixture);
  send_request (fixture, &request);
  second = read_reply (fixture);
  again = checksum_machine ();
  dbus_mock_assert_no_calls (fixture->bus);
  g_assert_cmpstr (again, ==, checksum);

  first_object = json_node_get_object (first);
  second_object = json_node_get_object (second);
  g_assert_true (json_object_has_member (first_object, "ssh-host-keys"));
  g_assert_false (json_object_get_boolean_member (first_object, "resumed"));
  g_assert_true (json_object_get_boolean_member (second_object, "resumed"));
  json_object_remove_member (first_object, "resumed");
  json_object_remove_member (second_object, "resumed");
  if (!json_node_equal (first, second))
    {
      g_autofree char *a = json_to_string (first, TRUE);
      g_autofree char *b = json_to_string (second, TRUE);

      harness_fail ("The replies differ:\n%s\n%s", a, b);
    }
}

/* The same instance-id with another request: refused, nothing changed. */
static void
test_instance_id_reused (Fixture       *fixture,
                         gconstpointer  data)
{
  Request request = { .instance_id = "once", .host_name = "once" };
  Request other = { .instance_id = "once", .host_name = "twice" };
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *after = NULL;
  g_autofree char *line = NULL;

  start_agent (fixture);
  send_request (fixture, &request);
  serve_run (fixture, &request, SERVICES_HOSTNAMED | SERVICES_SYSTEMD, STEP_HOST_NAME, BLOCK_NONE);
  reply = read_reply (fixture);
  checksum = checksum_machine ();

  send_request (fixture, &other);
  line = read_reply_line (fixture);
  harness_reply_assert_error (line, "GenericError",
                              "instance-id once was already used for a different request");
  after = checksum_machine ();
  g_assert_cmpstr (after, ==, checksum);
}

/* Every invalid argument is refused with its name, before anything. */
static const struct {
  const char *arguments;
  const char *desc;
} invalid_requests[] = {
  { "{}", "Parameter 'instance-id' is missing" },
  { "{\"instance-id\": 7}", "Invalid parameter type for 'instance-id', expected: string" },
  { "{\"instance-id\": \"\"}", "Parameter 'instance-id' is invalid: it is empty" },
  { "{\"instance-id\": \"a\\u0007\"}",
    "Parameter 'instance-id' is invalid: byte 2 is not printable ASCII" },
  { "{\"instance-id\": \"x\", \"host-name\": \"Bad_Name\"}",
    "Parameter 'host-name' is invalid: character 1 is not one of a-z, 0-9, '-' and '.'" },
  { "{\"instance-id\": \"x\", \"host-name\": \"-dash\"}",
    "Parameter 'host-name' is invalid: a label starts or ends with '-'" },
  { "{\"instance-id\": \"x\", \"host-name\": "
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
    "Parameter 'host-name' is invalid: a label is 67 characters long, more than 63" },
  { "{\"instance-id\": \"x\", \"host-name\": "
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaa\"}",
    "Parameter 'host-name' is invalid: it is 67 characters long, more than the kernel's 64" },
  { "{\"instance-id\": \"x\", \"host-name\": true}",
    "Invalid parameter type for 'host-name', expected: string" },
  { "{\"instance-id\": \"x\", \"pretty-host-name\": \"two\\nlines\"}",
    "Parameter 'pretty-host-name' is invalid: character 4 is a control character" },
  { "{\"instance-id\": \"x\", \"machine-id\": \"0123456789ABCDEF0123456789abcdef\"}",
    "Parameter 'machine-id' is invalid: it is not 32 lowercase hexadecimal digits" },
  { "{\"instance-id\": \"x\", \"machine-id\": \"00000000000000000000000000000000\"}",
    "Parameter 'machine-id' is invalid: it is all zeros" },
  { "{\"instance-id\": \"x\", \"regenerate-machine-id\": \"yes\"}",
    "Invalid parameter type for 'regenerate-machine-id', expected: boolean" },
  { "{\"instance-id\": \"x\", \"rotate-ssh-host-keys\": 1}",
    "Invalid parameter type for 'rotate-ssh-host-keys', expected: boolean" },
  { "{\"instance-id\": \"x\", \"reset-network-state\": null}",
    "Invalid parameter type for 'reset-network-state', expected: boolean" },
  { "{\"instance-id\": \"x\", \"random-seed\": \"!!!!\"}",
    "Parameter 'random-seed' is invalid: it is not base64" },
  { "{\"instance-id\": \"x\", \"new-ssh-host-keys\": true}", "Parameter 'new-ssh-host-keys' is unexpected" },
  { "{\"instance-id\": \"x\", \"host-name\": \"\"}", "Parameter 'host-name' is invalid: it is empty" },
  { "{\"instance-id\": \"x\", \"machine-id\": \"0123456789abcdef\"}",
    "Parameter 'machine-id' is invalid: it is not 32 hexadecimal digits" },
  { "{\"instance-id\": \"x\", \"random-seed\": \"\"}", "Parameter 'random-seed' is invalid: it is not base64" },
  { "{\"instance-id\": \"x\", \"random-seed\": [1]}",
    "Invalid parameter type for 'random-seed', expected: string" },
};

static void
test_invalid_arguments (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *checksum = checksum_machine ();
  g_autofree char *too_big = NULL;
  g_autoptr(GBytes) big_seed = make_seed (0, 4097);

  start_agent (fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_requests); i++)
    {
      g_autofree char *request = g_strdup_printf ("{\"execute\": \"__org.guestlink_set-identity\", "
                                                  "\"arguments\": %s}", invalid_requests[i].arguments);
      g_autofree char *line = harness_exchange (test_agent_get_socket_path (fixture->agent), request);
      g_autofree char *after = NULL;

      g_test_message ("%s", invalid_requests[i].arguments);
      harness_reply_assert_error (line, "GenericError", invalid_requests[i].desc);
      after = checksum_machine ();
      g_assert_cmpstr (after, ==, checksum);
    }

  /* Too long: an instance-id of 129 bytes, a pretty name of 256. */
  {
    g_autofree char *long_id = g_strnfill (129, 'i');
    g_autofree char *long_pretty = g_strnfill (256, 'p');
    Request long_instance = { .instance_id = long_id };
    Request long_name = { .instance_id = "x", .pretty_host_name = long_pretty };
    g_autofree char *text = request_text (&long_instance);
    g_autofree char *line = harness_exchange (test_agent_get_socket_path (fixture->agent), text);
    g_autofree char *name_text = request_text (&long_name);
    g_autofree char *name_line = harness_exchange (test_agent_get_socket_path (fixture->agent),
                                                   name_text);

    harness_reply_assert_error (line, "GenericError",
                                "Parameter 'instance-id' is invalid: it is 129 bytes long, more than 128");
    harness_reply_assert_error (name_line, "GenericError",
                                "Parameter 'pretty-host-name' is invalid: it is 256 bytes long, more than 255");
  }

  /* One seed byte too many. */
  {
    Request request = { .instance_id = "x", .host_name = "fine", .random_seed = big_seed };
    g_autofree char *text = request_text (&request);
    g_autofree char *line = harness_exchange (test_agent_get_socket_path (fixture->agent), text);

    harness_reply_assert_error (line, "GenericError",
                                "Parameter 'random-seed' is invalid: it is more than 4096 bytes");
    too_big = checksum_machine ();
    g_assert_cmpstr (too_big, ==, checksum);
  }
  g_assert_false (path_exists (JOURNAL));
}

/* Crashes: the agent is killed where it waits, started again and asked
 * again; the end is the same as without the crash, with the machine-id
 * chosen before it. */
typedef struct {
  const char *name;
  BlockAt block;
  Step resume_from;     /* the step that was under way */
} CrashCase;

static const CrashCase crash_cases[] = {
  { "host-name", BLOCK_SET_STATIC_HOSTNAME, STEP_HOST_NAME },
  { "journald", BLOCK_RESTART_JOURNALD, STEP_JOURNALD },
  { "ssh-keygen", BLOCK_SSH_KEYGEN, STEP_SSH_HOST_KEYS },
  { "sshd-reload", BLOCK_RELOAD_SSH, STEP_SSH_HOST_KEYS },
  { "network-state", BLOCK_RESTART_NETWORK, STEP_NETWORK_STATE },
  { "random-seed", BLOCK_RANDOM_SEED, STEP_RANDOM_SEED },
};

static void
test_crash (Fixture       *fixture,
            gconstpointer  data)
{
  const CrashCase *crash = NULL;
  g_autoptr(GBytes) seed = make_seed (42, 512);
  Request request = {
    .instance_id = "crash",
    .host_name = "survivor.example.org",
    .pretty_host_name = "Survivor",
    .regenerate_machine_id = TRUE,
    .rotate_ssh_host_keys = TRUE,
    .reset_network_state = TRUE,
    .random_seed = seed,
  };
  g_autofree char *chosen = NULL;
  char *fingerprints[G_N_ELEMENTS (key_types)] = { NULL };
  g_autoptr(GBytes) mixed = NULL;
  g_autoptr(JsonNode) reply_node = NULL;
  g_autofree char *hosts = NULL;
  Services services = SERVICES_HOSTNAMED | SERVICES_SYSTEMD;
  const char *name = g_test_get_path () + strlen ("/set-identity-mountns/crash/");
  JsonObject *reply;

  for (gsize i = 0; i < G_N_ELEMENTS (crash_cases); i++)
    if (g_str_equal (name, crash_cases[i].name))
      crash = &crash_cases[i];
  g_assert_nonnull (crash);

  start_agent (fixture);
  block_keygen (crash->block == BLOCK_SSH_KEYGEN);
  send_request (fixture, &request);
  serve_run (fixture, &request, services, STEP_HOST_NAME, crash->block);
  chosen = journal_machine_id ();
  kill_agent (fixture);
  kill_blocked_keygen ();
  restore_urandom (fixture);
  /* Never a machine without working host keys. */
  assert_host_keys_valid (NULL);

  /* The steps before the crash are done; the one under way is not. */
  if (crash->resume_from > STEP_MACHINE_ID)
    {
      g_autofree char *etc = read_stripped ("/etc/machine-id");

      g_assert_cmpstr (etc, ==, chosen);
    }
  else
    {
      g_autofree char *etc = read_stripped ("/etc/machine-id");

      g_assert_cmpstr (etc, ==, TEMPLATE_ID);
    }

  start_agent (fixture);
  if (crash->block == BLOCK_RELOAD_SSH)
    {
      /* Killed with the new keys in place and the old ones aside: the
       * agent puts the old ones back as it starts, and has sshd load
       * them, before anything else. */
      const DbusMockUnit units[] = {
        { "ssh.service", "loaded", "active" },
        { "ssh.service", "loaded", "active" },
      };
      g_autoptr(GDBusMethodInvocation) job = NULL;

      dbus_mock_systemd_expect_list_units (fixture->bus, ssh_units, units, G_N_ELEMENTS (units));
      job = dbus_mock_systemd_expect_job (fixture->bus, "ReloadOrRestartUnit", "ssh.service", 9);
      dbus_mock_systemd_emit_job_removed (job, 9, "ssh.service", "done");
      dbus_mock_systemd_expect_list_units (fixture->bus, ssh_unit, units, 1);
      for (guint waited = 0; path_exists (ROTATE_ASIDE); waited += 10)
        {
          g_assert_cmpuint (waited, <, RUN_TIMEOUT_MS);
          g_usleep (10 * 1000);
        }
      assert_host_keys_valid (fingerprints);
      for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
        {
          g_assert_cmpstr (fingerprints[i], ==, template_fingerprints[i]);
          g_clear_pointer (&fingerprints[i], g_free);
        }
    }
  send_request (fixture, &request);
  mixed = serve_run (fixture, &request, services, crash->resume_from, BLOCK_NONE);
  reply_node = read_reply (fixture);
  reply = json_node_get_object (reply_node);

  g_assert_true (json_object_get_boolean_member (reply, "resumed"));
  g_assert_true (json_object_get_boolean_member (reply, "complete"));
  g_assert_true (json_object_get_boolean_member (reply, "reboot-required"));
  for (Step step = 0; step < STEP_COUNT; step++)
    assert_step (reply, step, "done", NULL);
  assert_host_keys_valid (fingerprints);
  assert_rotation_reply (reply, fingerprints);
  g_assert_false (path_exists (ROTATE_ASIDE));
  g_assert_cmpstr (member_string (json_object_get_object_member (reply, "identity"), "machine-id"),
                   ==, chosen);
  assert_machine_id (chosen);
  assert_leases_gone ();
  g_assert_true (g_bytes_equal (mixed, seed));
  assert_seed_file (seed);
  hosts = read_file ("/etc/hosts");
  g_assert_nonnull (strstr (hosts, "\n127.0.1.1\tsurvivor.example.org\tsurvivor\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    g_free (fingerprints[i]);
}

static void
add_case (const char *name,
          Services    services,
          void      (*func) (Fixture *, gconstpointer))
{
  g_autofree char *path = g_strconcat ("/set-identity-mountns/", name, NULL);

  g_test_add (path, Fixture, GUINT_TO_POINTER (services), fixture_set_up, func, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  int status;

  mountns_require_private ();
  if (!g_file_test (SSH_KEYGEN, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("SKIP: ssh-keygen (openssh-client) is not installed\n");
      return HARNESS_EXIT_SKIP;
    }
  harness_init (&argc, &argv);

  generate_template_keys ();
  make_keygen_wrapper ();
  {
    g_autofree char *path = g_strconcat (wrapper_dir, ":", g_getenv ("PATH"), NULL);

    /* The agent's ssh-keygen is the wrapper. */
    g_setenv ("PATH", path, TRUE);
  }

  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    overlays[i].staging = mountns_stage (overlays[i].dir);

#define ADD(path, services, func) add_case (path, services, func)
  ADD ("clone-scenario", SERVICES_SYSTEMD, test_clone_scenario);
  ADD ("without-services", SERVICES_NONE, test_without_services);
  ADD ("hostnamed", SERVICES_HOSTNAMED | SERVICES_SYSTEMD, test_hostnamed);
  ADD ("hostnamed-refuses", SERVICES_HOSTNAMED | SERVICES_SYSTEMD, test_hostnamed_refuses);
  ADD ("retry-after-success", SERVICES_HOSTNAMED | SERVICES_SYSTEMD, test_retry_after_success);
  ADD ("instance-id-reused", SERVICES_HOSTNAMED | SERVICES_SYSTEMD, test_instance_id_reused);
  ADD ("invalid-arguments", SERVICES_HOSTNAMED | SERVICES_SYSTEMD, test_invalid_arguments);
  for (gsize i = 0; i < G_N_ELEMENTS (crash_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("crash/%s", crash_cases[i].name);

      ADD (path, SERVICES_HOSTNAMED | SERVICES_SYSTEMD, test_crash);
    }
#undef ADD

  status = harness_run ();
  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++)
    g_free (template_fingerprints[i]);
  g_free (template_keys_dir);
  g_free (wrapper_dir);
  for (gsize i = 0; i < G_N_ELEMENTS (overlays); i++)
    {
      mountns_unstage (overlays[i].staging);
      g_free (overlays[i].staging);
    }
  return status;
}
