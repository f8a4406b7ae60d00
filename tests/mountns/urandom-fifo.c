/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "urandom-fifo.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-harness.h"
#include "mountns-fixture.h"

#define URANDOM "/dev/urandom"

struct _UrandomFifo {
  char *path;
  GMutex lock;
  gboolean stop;
  gboolean paused;      /* while the test reads the writer's bytes */
  GThread *thread;
};

/* Feeds a reader that waits on the FIFO, if there is one. */
static void
feed_waiting_reader (const char *path)
{
  guint32 bytes[4];
  int fd = open (path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  /* ENXIO: nobody has it open to read. */
  if (fd < 0)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (bytes); i++)
    bytes[i] = g_random_int ();
  mountns_check (write (fd, bytes, sizeof bytes) == sizeof bytes, path);
  close (fd);
}

static gpointer
feed_readers (gpointer data)
{
  UrandomFifo *fifo = data;

  for (;;)
    {
      gboolean stop;

      g_mutex_lock (&fifo->lock);
      stop = fifo->stop;
      if (!stop && !fifo->paused)
        feed_waiting_reader (fifo->path);
      g_mutex_unlock (&fifo->lock);
      if (stop)
        return NULL;
      g_usleep (2 * 1000);
    }
}

UrandomFifo *
urandom_fifo_new (const char *dir)
{
  UrandomFifo *fifo = g_new0 (UrandomFifo, 1);

  fifo->path = g_build_filename (dir, "urandom", NULL);
  if (access (fifo->path, F_OK) != 0)
    mountns_check (mkfifo (fifo->path, 0666) == 0, fifo->path);
  g_mutex_init (&fifo->lock);
  mountns_check (mount (fifo->path, URANDOM, NULL, MS_BIND, NULL) == 0, URANDOM);
  fifo->thread = g_thread_new ("urandom-feeder", feed_readers, fifo);
  return fifo;
}

void
urandom_fifo_free (UrandomFifo *fifo)
{
  if (fifo == NULL)
    return;

  mountns_check (umount2 (URANDOM, MNT_DETACH) == 0, URANDOM);
  g_mutex_lock (&fifo->lock);
  fifo->stop = TRUE;
  g_mutex_unlock (&fifo->lock);
  g_thread_join (fifo->thread);
  g_mutex_clear (&fifo->lock);
  g_free (fifo->path);
  g_free (fifo);
}

/* Whether a thread of @pid waits in open() for a reader of a FIFO (the
 * kernel's wait_for_partner(), in openat() for writing). */
static gboolean
waits_to_write_fifo (pid_t pid)
{
  g_autofree char *tasks_dir = g_strdup_printf ("/proc/%d/task", (int) pid);
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

void
urandom_fifo_wait_for_writer (UrandomFifo *fifo,
                              pid_t        pid,
                              guint        timeout_ms)
{
  for (guint waited = 0; !waits_to_write_fifo (pid); waited += 10)
    {
      if (waited > timeout_ms)
        harness_fail ("Process %d never opened " URANDOM " to write", (int) pid);
      g_usleep (10 * 1000);
    }
}

GBytes *
urandom_fifo_read (UrandomFifo *fifo)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint8 buffer[4096];
  ssize_t n;
  int fd;

  /* The feeder's bytes must not mix in. */
  g_mutex_lock (&fifo->lock);
  fifo->paused = TRUE;
  g_mutex_unlock (&fifo->lock);

  fd = open (fifo->path, O_RDONLY | O_CLOEXEC);
  mountns_check (fd >= 0, fifo->path);
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_byte_array_append (bytes, buffer, (guint) n);
  mountns_check (n == 0, fifo->path);
  close (fd);

  g_mutex_lock (&fifo->lock);
  fifo->paused = FALSE;
  g_mutex_unlock (&fifo->lock);
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}
