/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private roots: the images, the fsfreeze-root holder, the programs
 * copied in, and the checks that nothing of the machine is left in them;
 * see fsfreeze-harness.h for why it is done this way.
 */
#include "config.h"

#include "fsfreeze-private.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>

/* mkfs.xfs refuses less than 300 MB since xfsprogs 5.19. Both are sparse;
 * mkfs writes about 65 MiB (the xfs log) once per test program. */
#define EXT4_IMAGE_MIB 64
#define XFS_IMAGE_MIB 300

/* Starting, stopping, and the holder's wait for a namespace to empty. */
#define PROCESS_TIMEOUT_MS HARNESS_PROCESS_TIMEOUT_MS
#define HOLDER_EXIT_TIMEOUT_MS 40000
#define LOOP_RELEASE_TIMEOUT_MS 10000

static char *ext4_image;
static char *xfs_image;
static guint n_roots;

/* What the fatal-signal handler must undo, as plain numbers: it may not
 * allocate or take locks. */
#define MAX_LIVE 64
static volatile sig_atomic_t live_holder_fds[MAX_LIVE];
static volatile sig_atomic_t live_agent_pids[MAX_LIVE];
static void (*previous_handlers[NSIG]) (int);

static void
live_add (volatile sig_atomic_t *slots,
          int                    value)
{
  for (guint i = 0; i < MAX_LIVE; i++)
    if (slots[i] == 0)
      {
        slots[i] = value;
        return;
      }
  g_error ("more than %u live processes", MAX_LIVE);
}

static void
live_remove (volatile sig_atomic_t *slots,
             int                    value)
{
  for (guint i = 0; i < MAX_LIVE; i++)
    if (slots[i] == value)
      slots[i] = 0;
}

void
fsfreeze_live_agent_add (pid_t pid)
{
  live_add (live_agent_pids, pid);
}

void
fsfreeze_live_agent_remove (pid_t pid)
{
  live_remove (live_agent_pids, pid);
}

/* A failed assertion aborts: the agents (ours, by PID) go first, so that
 * none freezes anything after the holders thaw; closing a holder's stdin
 * makes it thaw, wait for its namespace to empty, unmount and exit. Then
 * the integration harness's handler removes the run directory. */
static void
on_fatal_signal (int signum)
{
  for (guint i = 0; i < MAX_LIVE; i++)
    if (live_agent_pids[i] > 0)
      kill (live_agent_pids[i], SIGKILL);
  for (guint i = 0; i < MAX_LIVE; i++)
    if (live_holder_fds[i] > 0)
      close (live_holder_fds[i]);

  if (previous_handlers[signum] != NULL && previous_handlers[signum] != SIG_DFL &&
      previous_handlers[signum] != SIG_IGN && previous_handlers[signum] != SIG_ERR)
    previous_handlers[signum] (signum);
  signal (signum, SIG_DFL);
  raise (signum);
}

static const char *
helper_path (void)
{
  const char *path = g_getenv ("FSFREEZE_ROOT_HELPER");

  if (path == NULL || *path == '\0')
    harness_fail ("FSFREEZE_ROOT_HELPER is not set: run the tests with meson test");
  return path;
}

static char *
make_image (const char *dir,
            const char *fstype,
            guint       mib)
{
  g_autofree char *name = g_strdup_printf ("%s.img", fstype);
  g_autofree char *mkfs = g_strdup_printf ("mkfs.%s", fstype);
  g_autofree char *program = harness_find_program (mkfs);
  char *path = g_build_filename (dir, name, NULL);
  int fd;

  if (program == NULL)
    {
      g_printerr ("%s not found: install %s (packaging/install-deps)\n", mkfs,
                  g_str_equal (fstype, "xfs") ? "xfsprogs" : "e2fsprogs");
      exit (1);
    }

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) mib * 1024 * 1024), ==, 0);
  close (fd);

  if (g_str_equal (fstype, "xfs"))
    {
      const char *argv[] = { program, "-q", "-f", "-K", path, NULL };
      g_free (harness_run_or_fail (argv));
    }
  else
    {
      const char *argv[] = { program, "-q", "-F", "-E", "nodiscard", path, NULL };
      g_free (harness_run_or_fail (argv));
    }
  return path;
}

/* The images are made once, by the program that runs the cases, and
 * named to each case's subprocess in the environment. */
#define EXT4_IMAGE_ENV "FSFREEZE_TEST_EXT4_IMAGE"
#define XFS_IMAGE_ENV "FSFREEZE_TEST_XFS_IMAGE"

void
fsfreeze_init (int    *argc,
               char ***argv)
{
  static const int fatal_signals[] = { SIGABRT, SIGTERM, SIGINT, SIGSEGV, SIGBUS };
  const char *probe[] = { NULL, "--probe", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *images = NULL;
  g_autofree char *dd = NULL;
  g_autofree char *cases_dir = NULL;
  int status = 0;

  harness_init (argc, argv);
  for (gsize i = 0; i < G_N_ELEMENTS (fatal_signals); i++)
    previous_handlers[fatal_signals[i]] = signal (fatal_signals[i], on_fatal_signal);

  if (g_test_subprocess ())
    {
      /* A case outlives no parent (meson's timeout): its fatal-signal
       * handler then stops its agents and lets its holder clean up. */
      prctl (PR_SET_PDEATHSIG, SIGTERM);
      /* Only for our own run directory, made by now (see below). */
      g_unsetenv ("TMPDIR");
      ext4_image = g_strdup (g_getenv (EXT4_IMAGE_ENV));
      xfs_image = g_strdup (g_getenv (XFS_IMAGE_ENV));
      g_assert_nonnull (ext4_image);
      g_assert_nonnull (xfs_image);
      return;
    }

  /* A failing case must not hide the next ones: the parent's checks (of
   * each case's subprocess) go on after a failure. */
  g_test_set_nonfatal_assertions ();

  /* Only a missing feature of the machine is a skip; anything else the
   * probe says is a failure. */
  probe[0] = helper_path ();
  g_spawn_sync (NULL, (char **) probe, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  if (WIFEXITED (status) && WEXITSTATUS (status) == HARNESS_EXIT_SKIP)
    {
      g_print ("%s", out);
      exit (HARNESS_EXIT_SKIP);
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("fsfreeze-root --probe failed: %s\n", out);
      exit (1);
    }
  dd = harness_find_program ("dd");
  if (dd == NULL)
    {
      g_printerr ("dd not found\n");
      exit (1);
    }

  images = harness_make_dir ("images");
  ext4_image = make_image (images, "ext4", EXT4_IMAGE_MIB);
  xfs_image = make_image (images, "xfs", XFS_IMAGE_MIB);
  /* A failed check in a case's subprocess ends it with _exit(1) (GLib's
   * way in test subprocesses), past any cleanup of its own: its run
   * directory goes inside ours, which we always remove. */
  cases_dir = harness_make_dir ("cases");
  /* Before any thread but GLib's own exists. */
  g_setenv ("TMPDIR", cases_dir, TRUE);
  g_setenv (EXT4_IMAGE_ENV, ext4_image, TRUE);
  g_setenv (XFS_IMAGE_ENV, xfs_image, TRUE);
}

typedef struct {
  GTestDataFunc func;
  gconstpointer data;
} Case;

/* Each case in a subprocess of its own: a failed check aborts only it,
 * its holder cleans up after it (stdin closed, PR_SET_PDEATHSIG), and
 * the next case runs. */
static void
run_case (gconstpointer user_data)
{
  const Case *test_case = user_data;

  if (g_test_subprocess ())
    {
      test_case->func (test_case->data);
      return;
    }

  g_test_trap_subprocess (NULL, (guint64) FS_CASE_TIMEOUT_S * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Static: GLib frees no test data of the cases a subprocess skips. */
static Case cases[32];
static guint n_cases;

void
fsfreeze_add_data_func (const char    *path,
                        gconstpointer  data,
                        GTestDataFunc  func)
{
  g_assert_cmpuint (n_cases, <, G_N_ELEMENTS (cases));
  cases[n_cases].func = func;
  cases[n_cases].data = data;
  g_test_add_data_func (path, &cases[n_cases++], run_case);
}

static void
call_func (gconstpointer data)
{
  ((GTestFunc) data) ();
}

void
fsfreeze_add_func (const char *path,
                   GTestFunc   func)
{
  fsfreeze_add_data_func (path, (gconstpointer) func, call_func);
}

int
fsfreeze_run (void)
{
  int status = harness_run ();

  g_clear_pointer (&ext4_image, g_free);
  g_clear_pointer (&xfs_image, g_free);
  return status;
}

/* Processes started by the harness: they die with the test. */

void
fsfreeze_child_setup (gpointer user_data)
{
  const FsChildSetup *setup = user_data;

  prctl (PR_SET_PDEATHSIG, setup->death_signal);
  if (setup->ns_path[0] != '\0')
    {
      int ns = open (setup->ns_path, O_RDONLY | O_CLOEXEC);
      int root = open (setup->root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

      /* Never exec the agent where it would see the machine's mounts. */
      if (ns < 0 || root < 0 || setns (ns, CLONE_NEWNS) < 0 || fchdir (root) < 0 ||
          chroot (".") < 0 || chdir ("/") < 0)
        _exit (126);
      close (ns);
      close (root);
    }
}

pid_t
fsfreeze_process_pid (GSubprocess *process)
{
  const char *identifier = g_subprocess_get_identifier (process);

  return identifier != NULL ? (pid_t) g_ascii_strtoll (identifier, NULL, 10) : 0;
}

char *
fsfreeze_read_file (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

/* The root. */

typedef struct {
  char *device;
  dev_t rdev;
  char *mountpoint;
  char *image;
} LoopMount;

static void
loop_mount_free (LoopMount *loop)
{
  g_free (loop->device);
  g_free (loop->mountpoint);
  g_free (loop->image);
  g_free (loop);
}

pid_t
fs_root_get_holder_pid (FsRoot *root)
{
  return root->pid;
}

char *
fs_root_path (FsRoot     *root,
              const char *inner)
{
  g_assert_true (g_path_is_absolute (inner));
  return g_strconcat (root->proc_root, inner, NULL);
}

void
fs_root_mkdir (FsRoot     *root,
               const char *inner)
{
  g_autofree char *path = fs_root_path (root, inner);

  if (g_mkdir_with_parents (path, 0755) < 0)
    harness_fail ("Cannot create %s: %s", path, g_strerror (errno));
}

void
fs_root_write_file (FsRoot     *root,
                    const char *inner,
                    const char *contents,
                    mode_t      mode)
{
  g_autofree char *path = fs_root_path (root, inner);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, (int) mode, &error);
  g_assert_no_error (error);
}

char *
fs_root_read_file (FsRoot     *root,
                   const char *inner)
{
  g_autofree char *path = fs_root_path (root, inner);

  return fsfreeze_read_file (path);
}

void
fs_root_assert_hook_log (FsRoot     *root,
                         const char *expected)
{
  g_autofree char *log = fs_root_read_file (root, HOOK_LOG);

  g_assert_cmpstr (log != NULL ? log : "", ==, expected);
}

gboolean
fs_root_exists (FsRoot     *root,
                const char *inner)
{
  g_autofree char *path = fs_root_path (root, inner);
  struct stat st;

  return lstat (path, &st) == 0;
}

gboolean
fs_root_wait_file_contains (FsRoot     *root,
                            const char *inner,
                            const char *needle,
                            guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autofree char *contents = fs_root_read_file (root, inner);

      if (contents != NULL && strstr (contents, needle) != NULL)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }
}

static const LoopMount *
find_loop (FsRoot     *root,
           const char *mountpoint)
{
  for (guint i = 0; i < root->loops->len; i++)
    {
      const LoopMount *loop = g_ptr_array_index (root->loops, i);

      if (g_str_equal (loop->mountpoint, mountpoint))
        return loop;
    }
  return NULL;
}

static void
ioctl_by_test (FsRoot       *root,
               const char   *mountpoint,
               unsigned long request,
               const char   *name)
{
  g_autofree char *path = NULL;
  int fd;

  const LoopMount *loop = find_loop (root, mountpoint);
  struct stat st;

  /* Our own loop mounts, and never anything else. */
  if (loop == NULL)
    harness_fail ("%s is not one of the test's loop mounts", mountpoint);
  path = fs_root_path (root, mountpoint);
  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    harness_fail ("Cannot open %s: %s", path, g_strerror (errno));
  /* ... checked on what was opened, not on its name. */
  if (fstat (fd, &st) < 0 || st.st_dev != loop->rdev)
    {
      close (fd);
      harness_fail ("%s is not on %s; refusing %s", path, loop->device, name);
    }
  if (ioctl (fd, request, 0) < 0)
    {
      int saved_errno = errno;

      close (fd);
      harness_fail ("%s %s: %s", name, path, g_strerror (saved_errno));
    }
  close (fd);
}

void
fs_root_freeze_by_test (FsRoot     *root,
                        const char *mountpoint)
{
  ioctl_by_test (root, mountpoint, FIFREEZE, "FIFREEZE");
}

void
fs_root_thaw_by_test (FsRoot     *root,
                      const char *mountpoint)
{
  ioctl_by_test (root, mountpoint, FITHAW, "FITHAW");
}

/* The loop device @image is attached to, or NULL. */
static char *
image_loop_device (const char *image)
{
  g_autoptr(GDir) dir = g_dir_open ("/sys/block", 0, NULL);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *backing = NULL;

      if (!g_str_has_prefix (name, "loop"))
        continue;
      path = g_strdup_printf ("/sys/block/%s/loop/backing_file", name);
      backing = fsfreeze_read_file (path);
      if (backing != NULL)
        {
          g_strchomp (backing);
          /* "PATH (deleted)" once the run directory is gone. */
          if (g_str_equal (backing, image) ||
              (g_str_has_prefix (backing, image) &&
               g_str_equal (backing + strlen (image), " (deleted)")))
            return g_strdup_printf ("/dev/%s", name);
        }
    }
  return NULL;
}

/* An image mounted through two loop devices at once would be two
 * filesystems writing one disk: wait until the last case's is gone. */
static void
wait_image_released (const char *image)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) LOOP_RELEASE_TIMEOUT_MS * 1000;
  g_autofree char *device = NULL;

  while ((device = image_loop_device (image)) != NULL)
    {
      if (g_get_monotonic_time () > deadline)
        harness_fail ("%s is still attached to %s %u ms after its root went away "
                      "(a mount of it is still busy?)",
                      image, device, LOOP_RELEASE_TIMEOUT_MS);
      g_clear_pointer (&device, g_free);
      g_usleep (20 * 1000);
    }
}

/* Reads the holder's output up to a line equal to @last (TRUE), or
 * until it closes its output or the timeout (FALSE). */
static gboolean
read_holder_until (FsRoot     *root,
                   const char *last,
                   guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      struct pollfd fd = { .fd = root->holder_out, .events = POLLIN };
      gint64 remaining;
      char chunk[4096];
      ssize_t n;

      if (last != NULL)
        {
          g_autofree char *wanted = g_strconcat ("\n", last, "\n", NULL);
          g_autofree char *text = g_strconcat ("\n", root->holder_output->str, NULL);

          if (strstr (text, wanted) != NULL)
            return TRUE;
        }

      remaining = (deadline - g_get_monotonic_time ()) / 1000;
      if (remaining <= 0)
        return FALSE;
      if (poll (&fd, 1, (int) remaining) <= 0)
        continue;
      n = read (root->holder_out, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      g_string_append_len (root->holder_output, chunk, n);
    }
}

static void
fail_holder (FsRoot     *root,
             const char *what)
{
  harness_fail ("fsfreeze-root %s; its output:\n%s", what, root->holder_output->str);
}

static void
parse_loops (FsRoot *root)
{
  g_auto(GStrv) lines = g_strsplit (root->holder_output->str, "\n", -1);

  for (char **line = lines; *line != NULL; line++)
    {
      g_auto(GStrv) words = NULL;
      LoopMount *loop;
      guint major_number, minor_number;

      if (!g_str_has_prefix (*line, "loop "))
        continue;
      words = g_strsplit (*line, " ", -1);
      if (g_strv_length (words) != 4 || sscanf (words[2], "%u:%u", &major_number, &minor_number) != 2)
        fail_holder (root, "printed a bad loop line");
      loop = g_new0 (LoopMount, 1);
      loop->device = g_strdup (words[1]);
      loop->rdev = makedev (major_number, minor_number);
      loop->mountpoint = g_strdup (words[3]);
      loop->image = g_strdup (g_str_equal (loop->mountpoint, FS_EXT4) ? ext4_image : xfs_image);
      g_ptr_array_add (root->loops, loop);
    }
  if (root->loops->len != 2)
    fail_holder (root, "did not report two loop mounts");
}

/* Copies @host_path (symbolic links followed) to @inner in the root. */
static void
copy_into_root (FsRoot     *root,
                const char *host_path,
                const char *inner)
{
  g_autofree char *path = fs_root_path (root, inner);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GFile) source = g_file_new_for_path (host_path);
  g_autoptr(GFile) target = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_copy (source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* @program and every shared library ldd names for it, at the paths the
 * dynamic loader looks for them. Copies, never bind mounts: a bind mount
 * of /usr would bring the machine's root filesystem into the root. */
static void
install_program (FsRoot     *root,
                 const char *program,
                 const char *inner)
{
  g_autofree char *host_path = harness_find_program (program);
  const char *ldd[] = { "ldd", NULL, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (host_path == NULL)
    harness_fail ("%s not found", program);
  copy_into_root (root, host_path, inner);

  ldd[1] = host_path;
  g_spawn_sync (NULL, (char **) ldd, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  /* ldd fails for a static executable, which needs nothing more. */
  if (!g_spawn_check_wait_status (status, NULL))
    return;

  lines = g_strsplit (out, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      /* "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or
       * "\t/lib64/ld-linux-x86-64.so.2 (0x...)" */
      const char *start = g_strstrip (*line);
      const char *arrow = strstr (start, "=> ");
      g_autofree char *library = NULL;
      const char *end;

      if (arrow != NULL)
        start = arrow + 3;
      if (*start != '/')
        continue;
      end = strstr (start, " (");
      library = end != NULL ? g_strndup (start, (gsize) (end - start)) : g_strdup (start);
      copy_into_root (root, library, library);
    }
}

/* Every mount in /proc/@pid/mountinfo is the root's tmpfs, a virtual
 * filesystem, or one of the root's loop mounts; fails the test otherwise.
 * Run before anything is sent to an agent. */
static void
assert_private_mounts (FsRoot     *root,
                       pid_t       pid,
                       const char *who)
{
  static const char * const virtual_types[] = {
    "tmpfs", "proc", "devtmpfs", "sysfs", "devpts", "mqueue", NULL
  };
  g_autofree char *path = g_strdup_printf ("/proc/%d/mountinfo", (int) pid);
  g_autofree char *table = fsfreeze_read_file (path);
  g_auto(GStrv) lines = NULL;
  guint n_roots_seen = 0;
  guint n_loops_seen = 0;

  if (table == NULL)
    harness_fail ("Cannot read %s: %s", path, g_strerror (errno));

  lines = g_strsplit (table, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      const char *separator = strstr (*line, " - ");
      g_auto(GStrv) fields = NULL;
      g_auto(GStrv) tail = NULL;
      guint major_number, minor_number;
      gboolean ok = FALSE;

      if (**line == '\0')
        continue;
      fields = g_strsplit (*line, " ", -1);
      if (separator == NULL || g_strv_length (fields) < 5 ||
          sscanf (fields[2], "%u:%u", &major_number, &minor_number) != 2)
        harness_fail ("%s: cannot read %s line: %s", who, path, *line);
      tail = g_strsplit (separator + 3, " ", -1);

      if (g_str_equal (fields[4], "/"))
        {
          n_roots_seen++;
          if (!g_str_equal (tail[0], "tmpfs") || major_number != 0)
            harness_fail ("%s: its / is not the test's tmpfs:\n%s", who, table);
        }

      if (major_number == 0)
        {
          ok = g_strv_contains (virtual_types, tail[0]);
        }
      else
        {
          for (guint i = 0; i < root->loops->len; i++)
            {
              const LoopMount *loop = g_ptr_array_index (root->loops, i);

              if (loop->rdev == makedev (major_number, minor_number))
                {
                  ok = g_str_equal (tail[0], g_str_equal (loop->mountpoint, FS_EXT4) ? "ext4" : "xfs");
                  n_loops_seen++;
                }
            }
        }
      if (!ok)
        harness_fail ("%s sees a mount that is not the test's: %s\nAborting before anything "
                      "is frozen. Its whole mount table:\n%s", who, *line, table);
    }

  if (n_roots_seen != 1 || n_loops_seen < root->loops->len)
    harness_fail ("%s: unexpected mount table (%u roots, %u loop mounts):\n%s", who,
                  n_roots_seen, n_loops_seen, table);
}

/* The namespace of @pid must be the holder's, and not ours. */
static void
assert_in_root_namespace (FsRoot     *root,
                          pid_t       pid,
                          const char *who)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/ns/mnt", (int) pid);
  g_autofree char *holder_path = g_strdup_printf ("/proc/%d/ns/mnt", (int) root->pid);
  g_autofree char *ns = g_file_read_link (path, NULL);
  g_autofree char *holder_ns = g_file_read_link (holder_path, NULL);
  g_autofree char *own_ns = g_file_read_link ("/proc/self/ns/mnt", NULL);

  if (ns == NULL || holder_ns == NULL || own_ns == NULL || !g_str_equal (ns, holder_ns) ||
      g_str_equal (ns, own_ns))
    harness_fail ("%s is not in the private root's mount namespace (%s, root's %s, ours %s)",
                  who, ns, holder_ns, own_ns);
}

FsRoot *
fs_root_new (FsRootFlags flags)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  FsChildSetup setup = { .death_signal = SIGTERM };
  FsRoot *root = g_new0 (FsRoot, 1);
  g_autofree char *name = g_strdup_printf ("root-%u", ++n_roots);

  root->dir = harness_make_dir (name);
  root->staging = g_build_filename (root->dir, "root", NULL);
  g_assert_cmpint (g_mkdir (root->staging, 0755), ==, 0);
  root->holder_output = g_string_new (NULL);
  root->loops = g_ptr_array_new_with_free_func ((GDestroyNotify) loop_mount_free);
  root->agents = g_ptr_array_new ();

  wait_image_released (ext4_image);
  wait_image_released (xfs_image);

  g_ptr_array_add (argv, g_strdup (helper_path ()));
  g_ptr_array_add (argv, g_strdup (root->staging));
  g_ptr_array_add (argv, g_strdup ("--image"));
  g_ptr_array_add (argv, g_strdup_printf ("ext4:%s:%s", ext4_image, FS_EXT4));
  g_ptr_array_add (argv, g_strdup ("--image"));
  g_ptr_array_add (argv, g_strdup_printf ("xfs:%s:%s", xfs_image, FS_XFS));
  if (flags & FS_ROOT_BIND)
    {
      g_ptr_array_add (argv, g_strdup ("--bind"));
      g_ptr_array_add (argv, g_strdup (FS_EXT4 ":" FS_EXT4_BIND));
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, fsfreeze_child_setup, &setup, NULL);
  root->holder = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  root->pid = fsfreeze_process_pid (root->holder);
  if (root->pid == 0)
    {
      read_holder_until (root, NULL, PROCESS_TIMEOUT_MS);
      fail_holder (root, "exited at once");
    }
  root->holder_in = g_unix_output_stream_get_fd (
      G_UNIX_OUTPUT_STREAM (g_subprocess_get_stdin_pipe (root->holder)));
  root->holder_out = g_unix_input_stream_get_fd (
      G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (root->holder)));
  live_add (live_holder_fds, root->holder_in);
  root->proc_root = g_strdup_printf ("/proc/%d/root", (int) root->pid);

  if (!read_holder_until (root, "ready", PROCESS_TIMEOUT_MS))
    fail_holder (root, "did not get ready");
  parse_loops (root);
  assert_in_root_namespace (root, root->pid, "fsfreeze-root");
  assert_private_mounts (root, root->pid, "fsfreeze-root");

  install_program (root, harness_guestlinkd (), "/sbin/guestlinkd");
  /* For the hooks. */
  install_program (root, "sh", "/bin/sh");
  install_program (root, "sleep", "/bin/sleep");
  install_program (root, "cat", "/bin/cat");
  fs_root_mkdir (root, "/run");
  fs_root_mkdir (root, "/tmp");
  fs_root_mkdir (root, ROOT_STATE_DIR);
  fs_root_mkdir (root, ROOT_LOG_DIR);
  return root;
}

void
fs_root_free (FsRoot *root)
{
  int status;

  if (root == NULL)
    return;

  /* Agents still running are killed, by PID, before the holder thaws. */
  while (root->agents->len > 0)
    root_agent_free (g_ptr_array_index (root->agents, 0));

  live_remove (live_holder_fds, root->holder_in);
  g_output_stream_close (g_subprocess_get_stdin_pipe (root->holder), NULL, NULL);
  read_holder_until (root, NULL, HOLDER_EXIT_TIMEOUT_MS);
  if (!harness_wait_for_exit (root->holder, HOLDER_EXIT_TIMEOUT_MS))
    {
      g_subprocess_force_exit (root->holder);
      fail_holder (root, "did not exit");
    }
  status = g_subprocess_get_status (root->holder);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    fail_holder (root, "failed at exit");
  g_test_message ("fsfreeze-root: %s", root->holder_output->str);

  wait_image_released (ext4_image);
  wait_image_released (xfs_image);

  g_clear_object (&root->holder);
  g_string_free (root->holder_output, TRUE);
  g_ptr_array_unref (root->loops);
  g_ptr_array_unref (root->agents);
  g_free (root->proc_root);
  g_free (root->staging);
  g_free (root->dir);
  g_free (root);
}

void
fsfreeze_root_check_process (FsRoot     *root,
                             pid_t       pid,
                             const char *who)
{
  assert_in_root_namespace (root, pid, who);
  assert_private_mounts (root, pid, who);
}
