/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The random-seed step. A clone boots with its template's saved seed,
 * so its early random numbers are its siblings'; the host's bytes make
 * them its own. They are written to /dev/urandom, which mixes them into
 * the kernel's pool without crediting entropy (the host is not fully
 * trusted, and bytes that do not count cannot weaken the pool), and
 * saved as systemd's seed for the next boot (systemd-random-seed(8)).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "atomic-file.h"
#include "identity-steps.h"

#define KERNEL_POOL "/dev/urandom"
#define SEED_DIR "/var/lib/systemd"
#define SEED_FILE SEED_DIR "/random-seed"

static gboolean
mix_into_kernel_pool (GBytes  *seed,
                      GError **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (seed, &length);
  int fd = open (KERNEL_POOL, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  int saved_errno = 0;

  if (fd < 0)
    saved_errno = errno;
  while (fd >= 0 && length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          saved_errno = n < 0 ? errno : EIO;
          break;
        }
      data += n;
      length -= (gsize) n;
    }
  if (fd >= 0 && close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;

  if (saved_errno != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot write the seed to %s: %s", KERNEL_POOL, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
identity_random_seed_write_file (const char  *root,
                                 GBytes      *seed,
                                 gboolean    *out_saved,
                                 GError     **error)
{
  g_autofree char *dir = g_build_filename (root, SEED_DIR, NULL);
  g_autofree char *path = g_build_filename (root, SEED_FILE, NULL);
  gsize length;
  const void *data = g_bytes_get_data (seed, &length);

  g_return_val_if_fail (root != NULL, FALSE);

  /* systemd makes its directory when it is installed; without it there
   * is no systemd-random-seed to read a seed at boot (an initramfs, a
   * minimal container image), and a file nobody reads is not worth
   * creating directories for. */
  *out_saved = FALSE;
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  /* 0600 as systemd-random-seed keeps it: whoever reads the seed can
   * predict the next boot's random numbers. */
  if (!atomic_file_replace (path, data, length, 0600, -1, -1, error))
    return FALSE;
  *out_saved = TRUE;
  return TRUE;
}

IdentityStepStatus
identity_step_random_seed (IdentityStepContext  *context,
                           char                **out_detail,
                           GError              **error)
{
  GBytes *seed = context->request->random_seed;
  gboolean saved;

  if (seed == NULL)
    {
      *out_detail = g_strdup ("no random seed given");
      return IDENTITY_STEP_SKIPPED;
    }
  if (!mix_into_kernel_pool (seed, error))
    return IDENTITY_STEP_FAILED;
  if (!identity_random_seed_write_file ("/", seed, &saved, error))
    {
      *out_detail = g_strdup ("mixed into the kernel's pool");
      return IDENTITY_STEP_FAILED;
    }
  if (saved)
    *out_detail = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes mixed into the kernel's pool "
                                   "and saved as " SEED_FILE, g_bytes_get_size (seed));
  else
    *out_detail = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes mixed into the kernel's pool; "
                                   "not saved: no " SEED_DIR " (no systemd-random-seed)",
                                   g_bytes_get_size (seed));
  return IDENTITY_STEP_DONE;
}
