/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fsfreeze-root: holds a private root in which guestlinkd may freeze
 * "all" filesystems without ever seeing the machine's own.
 *
 *   fsfreeze-root STAGING [--image TYPE:FILE:MOUNTPOINT]... [--bind FROM:TO]...
 *   fsfreeze-root --probe
 *
 * In a new mount namespace with private propagation it mounts a tmpfs on
 * STAGING, proc and a minimal /dev below it, attaches each image to a
 * loop device of its own (autoclear: the device goes when its last mount
 * does) and mounts it, makes the bind mounts, pivots into the tmpfs and
 * detaches the old root. It then checks its own mount table, prints one
 * "loop DEVICE MAJOR:MINOR MOUNTPOINT" line per image and "ready", and
 * waits. The test reaches the root through /proc/PID/root and starts
 * agents in it with setns() + chroot().
 *
 * When its standard input closes or it gets SIGTERM (also sent when the
 * test dies: PR_SET_PDEATHSIG), it thaws its loop mounts, waits until no
 * other process is left in the namespace (thawing again each round, in
 * case an agent froze in between), thaws once more and unmounts, so that
 * nothing is left frozen and the loop devices go away.
 *
 * --probe exits 77 with a "SKIP: ..." line when mount namespaces or loop
 * devices do not exist here, 0 when they do.
 *
 * No GLib: this runs inside the namespaces it makes, and should be as
 * plain as what it guards.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#define MAX_MOUNTS 8
/* How long the agents (killed with the test at worst) may take to leave
 * the namespace before the holder gives up waiting for them. */
#define DRAIN_SECONDS 20

typedef struct {
  char *fstype;
  char *image;
  char *mountpoint;     /* in the new root */
  char device[32];
  dev_t rdev;
} Image;

typedef struct {
  char *from;
  char *to;
} Bind;

static Image images[MAX_MOUNTS];
static size_t n_images;
static Bind binds[MAX_MOUNTS];
static size_t n_binds;

static void
die (const char *format,
     ...)
{
  va_list args;

  fputs ("fsfreeze-root: ", stdout);
  va_start (args, format);
  vfprintf (stdout, format, args);
  va_end (args);
  fputc ('\n', stdout);
  fflush (stdout);
  exit (1);
}

static void
skip (const char *format,
      ...)
{
  va_list args;

  fputs ("SKIP: ", stdout);
  va_start (args, format);
  vfprintf (stdout, format, args);
  va_end (args);
  fputc ('\n', stdout);
  fflush (stdout);
  exit (77);
}

static char *
join (const char *a,
      const char *b)
{
  size_t length = strlen (a) + strlen (b) + 1;
  char *path = malloc (length);

  if (path == NULL)
    die ("out of memory");
  snprintf (path, length, "%s%s", a, b);
  return path;
}

static void
make_dirs (const char *path)
{
  char *copy = strdup (path);

  if (copy == NULL)
    die ("out of memory");
  for (char *slash = strchr (copy + 1, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
    {
      *slash = '\0';
      if (mkdir (copy, 0755) < 0 && errno != EEXIST)
        die ("mkdir %s: %s", copy, strerror (errno));
      *slash = '/';
    }
  if (mkdir (copy, 0755) < 0 && errno != EEXIST)
    die ("mkdir %s: %s", copy, strerror (errno));
  free (copy);
}

static void
probe (void)
{
  int control;
  int n;

  if (geteuid () != 0)
    skip ("loop devices and mount namespaces need root");
  if (unshare (CLONE_NEWNS) < 0)
    skip ("cannot create a mount namespace: %s", strerror (errno));
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    skip ("cannot make mounts private in a new namespace: %s", strerror (errno));
  control = open ("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (control < 0)
    skip ("no loop devices (/dev/loop-control: %s)", strerror (errno));
  n = ioctl (control, LOOP_CTL_GET_FREE);
  if (n < 0)
    skip ("no free loop device: %s", strerror (errno));
  close (control);
  exit (0);
}

/* A loop device of its own for @image, with autoclear. */
static void
attach_loop (Image      *image,
             const char *target)
{
  int backing = open (image->image, O_RDWR | O_CLOEXEC);
  int control = open ("/dev/loop-control", O_RDWR | O_CLOEXEC);

  if (backing < 0)
    die ("open %s: %s", image->image, strerror (errno));
  if (control < 0)
    die ("open /dev/loop-control: %s", strerror (errno));

  /* Another process may take the free device between the two calls. */
  for (int attempt = 0; attempt < 100; attempt++)
    {
      struct loop_config config = { .fd = (unsigned) backing };
      struct stat st;
      int n = ioctl (control, LOOP_CTL_GET_FREE);
      int fd;

      if (n < 0)
        die ("LOOP_CTL_GET_FREE: %s", strerror (errno));
      snprintf (image->device, sizeof image->device, "/dev/loop%d", n);
      fd = open (image->device, O_RDWR | O_CLOEXEC);
      if (fd < 0)
        die ("open %s: %s", image->device, strerror (errno));

      config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
      strncpy ((char *) config.info.lo_file_name, image->image, LO_NAME_SIZE - 1);
      if (ioctl (fd, LOOP_CONFIGURE, &config) < 0)
        {
          int saved_errno = errno;

          close (fd);
          if (saved_errno == EBUSY)
            continue;
          die ("LOOP_CONFIGURE %s: %s", image->device, strerror (saved_errno));
        }

      if (fstat (fd, &st) < 0)
        die ("stat %s: %s", image->device, strerror (errno));
      image->rdev = st.st_rdev;

      /* The mount holds the device from here; closing ours arms
       * autoclear. */
      if (mount (image->device, target, image->fstype, MS_NOSUID | MS_NODEV, NULL) < 0)
        die ("mount %s (%s) on %s: %s", image->device, image->fstype, target, strerror (errno));
      close (fd);
      close (control);
      close (backing);
      return;
    }

  die ("no loop device could be attached for %s", image->image);
}

static void
make_dev (const char *staging)
{
  static const struct {
    const char *name;
    unsigned major, minor;
  } nodes[] = {
    { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
    { "random", 1, 8 }, { "urandom", 1, 9 },
  };
  char *dev = join (staging, "/dev");

  make_dirs (dev);
  if (mount ("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
    die ("mount tmpfs on %s: %s", dev, strerror (errno));
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
    {
      char *path = join (dev, "/");
      char *node = join (path, nodes[i].name);

      if (mknod (node, S_IFCHR | 0666, makedev (nodes[i].major, nodes[i].minor)) < 0)
        die ("mknod %s: %s", node, strerror (errno));
      chmod (node, 0666);
      free (node);
      free (path);
    }
  free (dev);
}

/* Whether @line (of mountinfo) is a mount we made. */
static int
mount_is_expected (const char *line)
{
  static const char * const virtual_types[] = { "tmpfs", "proc" };
  unsigned major, minor;
  const char *separator = strstr (line, " - ");
  char fstype[64] = "";

  if (sscanf (line, "%*u %*u %u:%u", &major, &minor) != 2 || separator == NULL ||
      sscanf (separator, " - %63s", fstype) != 1)
    return 0;

  if (major == 0)
    {
      for (size_t i = 0; i < sizeof virtual_types / sizeof virtual_types[0]; i++)
        if (strcmp (fstype, virtual_types[i]) == 0)
          return 1;
      return 0;
    }

  for (size_t i = 0; i < n_images; i++)
    if (makedev (major, minor) == images[i].rdev && strcmp (fstype, images[i].fstype) == 0)
      return 1;
  return 0;
}

/* The whole point: after the pivot, nothing of the machine is left. */
static void
check_mount_table (void)
{
  FILE *table = fopen ("/proc/self/mountinfo", "re");
  char line[4096];
  int n = 0;

  if (table == NULL)
    die ("/proc/self/mountinfo: %s", strerror (errno));
  while (fgets (line, sizeof line, table) != NULL)
    {
      if (!mount_is_expected (line))
        die ("unexpected mount in the private root: %s", line);
      n++;
    }
  fclose (table);
  if (n == 0)
    die ("empty mount table in the private root");
}

static int
thaw_all (void)
{
  int n = 0;

  for (size_t i = 0; i < n_images; i++)
    {
      int fd = open (images[i].mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

      if (fd < 0)
        continue;
      /* EINVAL: it was not frozen. */
      if (ioctl (fd, FITHAW, 0) == 0)
        n++;
      close (fd);
    }
  return n;
}

/* Whether any process but us is in our mount namespace. */
static int
others_in_namespace (void)
{
  char own[64] = "";
  DIR *proc;
  struct dirent *entry;
  int found = 0;

  if (readlink ("/proc/self/ns/mnt", own, sizeof own - 1) < 0)
    return 0;
  proc = opendir ("/proc");
  if (proc == NULL)
    return 0;
  while (!found && (entry = readdir (proc)) != NULL)
    {
      char path[300];
      char ns[64] = "";

      if (entry->d_name[0] < '1' || entry->d_name[0] > '9' || atoi (entry->d_name) == getpid ())
        continue;
      snprintf (path, sizeof path, "/proc/%s/ns/mnt", entry->d_name);
      if (readlink (path, ns, sizeof ns - 1) > 0 && strcmp (ns, own) == 0)
        found = 1;
    }
  closedir (proc);
  return found;
}

static void
shut_down (void)
{
  struct timespec pause = { 0, 100 * 1000 * 1000 };
  int thawed = thaw_all ();

  for (int round = 0; round < DRAIN_SECONDS * 10 && others_in_namespace (); round++)
    {
      nanosleep (&pause, NULL);
      thawed += thaw_all ();
    }
  thawed += thaw_all ();

  for (size_t i = n_binds; i-- > 0;)
    if (umount2 (binds[i].to, 0) < 0)
      umount2 (binds[i].to, MNT_DETACH);
  for (size_t i = n_images; i-- > 0;)
    if (umount2 (images[i].mountpoint, 0) < 0)
      umount2 (images[i].mountpoint, MNT_DETACH);

  printf ("done, thawed %d\n", thawed);
  fflush (stdout);
  exit (0);
}

static void
parse_image (char *spec)
{
  char *type = spec;
  char *file = strchr (type, ':');
  char *mountpoint = file != NULL ? strchr (file + 1, ':') : NULL;

  if (mountpoint == NULL || n_images == MAX_MOUNTS)
    die ("bad --image %s", spec);
  *file++ = '\0';
  *mountpoint++ = '\0';
  if (mountpoint[0] != '/')
    die ("mount point %s is not absolute", mountpoint);
  images[n_images].fstype = type;
  images[n_images].image = file;
  images[n_images].mountpoint = mountpoint;
  n_images++;
}

static void
parse_bind (char *spec)
{
  char *to = strchr (spec, ':');

  if (to == NULL || n_binds == MAX_MOUNTS || spec[0] != '/' || to[1] != '/')
    die ("bad --bind %s", spec);
  *to++ = '\0';
  binds[n_binds].from = spec;
  binds[n_binds].to = to;
  n_binds++;
}

int
main (int    argc,
      char **argv)
{
  const char *staging;
  char *old_root;
  sigset_t signals;
  int signal_fd;

  if (argc == 2 && strcmp (argv[1], "--probe") == 0)
    probe ();
  if (argc < 2 || argv[1][0] != '/')
    die ("usage: fsfreeze-root STAGING [--image TYPE:FILE:MOUNTPOINT]... [--bind FROM:TO]...");
  staging = argv[1];
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--image") == 0 && i + 1 < argc)
        parse_image (argv[++i]);
      else if (strcmp (argv[i], "--bind") == 0 && i + 1 < argc)
        parse_bind (argv[++i]);
      else
        die ("unknown argument %s", argv[i]);
    }

  /* Signals are read from a signalfd, so that shutting down never runs
   * inside a handler. */
  sigemptyset (&signals);
  sigaddset (&signals, SIGTERM);
  sigaddset (&signals, SIGINT);
  sigaddset (&signals, SIGHUP);
  sigprocmask (SIG_BLOCK, &signals, NULL);
  signal (SIGPIPE, SIG_IGN);
  signal_fd = signalfd (-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0)
    die ("signalfd: %s", strerror (errno));

  if (unshare (CLONE_NEWNS) < 0)
    die ("unshare: %s", strerror (errno));
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    die ("making / private: %s", strerror (errno));

  if (mount ("tmpfs", staging, "tmpfs", MS_NOSUID, "mode=0755,size=512m") < 0)
    die ("mount tmpfs on %s: %s", staging, strerror (errno));

  {
    char *proc = join (staging, "/proc");

    make_dirs (proc);
    if (mount ("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
      die ("mount proc on %s: %s", proc, strerror (errno));
    free (proc);
  }
  make_dev (staging);

  for (size_t i = 0; i < n_images; i++)
    {
      char *target = join (staging, images[i].mountpoint);

      make_dirs (target);
      attach_loop (&images[i], target);
      free (target);
    }
  for (size_t i = 0; i < n_binds; i++)
    {
      char *from = join (staging, binds[i].from);
      char *to = join (staging, binds[i].to);

      make_dirs (to);
      if (mount (from, to, NULL, MS_BIND, NULL) < 0)
        die ("bind %s on %s: %s", from, to, strerror (errno));
      free (from);
      free (to);
    }

  old_root = join (staging, "/.old-root");
  make_dirs (old_root);
  if (syscall (SYS_pivot_root, staging, old_root) < 0)
    die ("pivot_root: %s", strerror (errno));
  if (chdir ("/") < 0)
    die ("chdir /: %s", strerror (errno));
  if (umount2 ("/.old-root", MNT_DETACH) < 0)
    die ("detaching the old root: %s", strerror (errno));
  rmdir ("/.old-root");

  free (old_root);
  /* From here on, paths are the new root's: the mount points as given. */
  check_mount_table ();

  for (size_t i = 0; i < n_images; i++)
    printf ("loop %s %u:%u %s\n", images[i].device, major (images[i].rdev),
            minor (images[i].rdev), images[i].mountpoint);
  printf ("ready\n");
  fflush (stdout);

  for (;;)
    {
      struct pollfd fds[] = {
        { .fd = STDIN_FILENO, .events = POLLIN },
        { .fd = signal_fd, .events = POLLIN },
      };
      char buffer[256];

      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          die ("poll: %s", strerror (errno));
        }
      if (fds[1].revents)
        shut_down ();
      if (fds[0].revents)
        {
          ssize_t n = read (STDIN_FILENO, buffer, sizeof buffer);

          if (n <= 0 && !(n < 0 && errno == EINTR))
            shut_down ();
        }
    }
}
