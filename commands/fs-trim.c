/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-fstrim, as qemu-ga 7.2 answers it: FITRIM on every mount that
 * guest-get-fsinfo lists (a filesystem mounted twice is trimmed twice),
 * in mount order, and one result per mount, the newest first: bytes
 * trimmed and the minimum extent the filesystem used, or why not.
 * A failure is that path's result, never the command's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "commands.h"
#include "fs-private.h"
#include "message.h"

/* One GuestFilesystemTrimResult, members in qemu-ga's (hash) order. A
 * failure is the path's result, never the command's: @error stays unset. */
static JsonNode *
trim_one (const FsMount  *mount,
          dev_t           device,
          gpointer        user_data,
          GError        **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  const guint64 *minimum = user_data;
  const char *path = mount->mountpoint;
  struct fstrim_range range = { .start = 0, .len = G_MAXUINT64, .minlen = *minimum };
  g_autofree char *failure = NULL;
  int fd;

  /* O_NONBLOCK: a FIFO bind-mounted from a local filesystem must not
   * hang the worker; FITRIM on it fails like on any non-filesystem. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      failure = g_strdup_printf ("failed to open: %s", g_strerror (errno));
    }
  else
    {
      if (ioctl (fd, FITRIM, &range) < 0)
        {
          int saved_errno = errno;

          /* ENOTTY: not a filesystem that trims (a CD-ROM, a FIFO). */
          failure = saved_errno == EOPNOTSUPP || saved_errno == ENOTTY
                  ? g_strdup ("trim not supported")
                  : g_strdup_printf ("failed to trim: %s", g_strerror (saved_errno));
        }
      close (fd);
    }

  json_builder_begin_object (builder);
  if (failure == NULL)
    {
      /* The kernel raises minlen to the device's discard granularity
       * and sets len to what it trimmed. */
      json_builder_set_member_name (builder, "minimum");
      json_builder_add_int_value (builder, (gint64) range.minlen);
    }
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  if (failure == NULL)
    {
      json_builder_set_member_name (builder, "trimmed");
      json_builder_add_int_value (builder, (gint64) range.len);
    }
  else
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, failure);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
fs_trim_collect (const char    *mountinfo_path,
                 gint64         minimum,
                 GCancellable  *cancellable,
                 GError       **error)
{
  /* qemu-ga hands a negative minimum to the kernel as it is. */
  guint64 minlen = (guint64) minimum;
  g_autoptr(JsonObject) response = NULL;
  JsonArray *paths;

  paths = fs_mounts_map (mountinfo_path, trim_one, &minlen, cancellable, error);
  if (paths == NULL)
    return NULL;
  response = json_object_new ();
  json_object_set_array_member (response, "paths", paths);
  return json_node_init_object (json_node_alloc (), response);
}

static JsonNode *
trim_in_thread (gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  const gint64 *minimum = data;

  return fs_trim_collect (FS_MOUNTINFO_PATH, *minimum, cancellable, error);
}

static void
handle_fstrim (CommandCall *call)
{
  gint64 *minimum = g_new0 (gint64, 1);

  g_info ("guest-fstrim called");
  if (command_call_has_argument (call, "minimum"))
    *minimum = command_call_get_integer (call, "minimum");
  /* FITRIM of a large filesystem takes minutes. */
  command_call_run_in_thread (call, trim_in_thread, minimum, g_free);
}

static const CommandParam fstrim_params[] = {
  { "minimum", PARAM_TYPE_INTEGER, TRUE },
  { NULL }
};

const CommandSpec fs_trim_commands[] = {
  { "guest-fstrim", handle_fstrim, fstrim_params, COMMAND_FLAG_NONE },
  { NULL }
};
