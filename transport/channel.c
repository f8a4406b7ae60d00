/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The connected stream: reading, the output queue and back-pressure. How a
 * stream comes and goes is the business of channel-listen.c and
 * channel-port.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "channel-private.h"

/* Read this much at a time: a few pipelined requests per system call. */
#define CHANNEL_READ_SIZE (64 * 1024)
/* A peer that sends requests but does not read the replies is not read
 * from until it drains this much of what is queued for it. */
#define CHANNEL_MAX_QUEUED (1024 * 1024)

static const struct {
  ChannelMethod method;
  const char *name;
} method_names[] = {
  { CHANNEL_METHOD_VIRTIO_SERIAL, "virtio-serial" },
  { CHANNEL_METHOD_ISA_SERIAL, "isa-serial" },
  { CHANNEL_METHOD_UNIX_LISTEN, "unix-listen" },
  { CHANNEL_METHOD_VSOCK_LISTEN, "vsock-listen" },
};

gboolean
channel_method_from_string (const char     *name,
                            ChannelMethod  *out_method,
                            GError        **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (method_names); i++)
    if (g_str_equal (name, method_names[i].name))
      {
        *out_method = method_names[i].method;
        return TRUE;
      }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Unknown channel method '%s' (expected virtio-serial, "
               "isa-serial, unix-listen or vsock-listen)", name);
  return FALSE;
}

const char *
channel_method_to_string (ChannelMethod method)
{
  for (gsize i = 0; i < G_N_ELEMENTS (method_names); i++)
    if (method_names[i].method == method)
      return method_names[i].name;

  g_return_val_if_reached (NULL);
}

static gboolean
channel_method_is_socket (ChannelMethod method)
{
  return method == CHANNEL_METHOD_UNIX_LISTEN || method == CHANNEL_METHOD_VSOCK_LISTEN;
}

/* FdWatch: a GSource whose unix fd condition can change in place. */

typedef struct {
  GSource source;
  Channel *channel;
  FdWatchFunc func;
  gpointer tag;
} FdSource;

static gboolean
fd_source_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  FdSource *fd_source = (FdSource *) source;
  GIOCondition condition = g_source_query_unix_fd (source, fd_source->tag);

  return fd_source->func (fd_source->channel, condition);
}

static GSourceFuncs fd_source_funcs = {
  .dispatch = fd_source_dispatch,
};

void
fd_watch_start (FdWatch      *watch,
                Channel      *self,
                int           fd,
                GIOCondition  condition,
                FdWatchFunc   func)
{
  FdSource *fd_source;

  fd_watch_stop (watch);

  watch->source = g_source_new (&fd_source_funcs, sizeof (FdSource));
  fd_source = (FdSource *) watch->source;
  fd_source->channel = self;
  fd_source->func = func;
  fd_source->tag = g_source_add_unix_fd (watch->source, fd, condition);
  g_source_set_static_name (watch->source, "guestlink channel");
  g_source_attach (watch->source, NULL);
}

void
fd_watch_set_condition (FdWatch      *watch,
                        GIOCondition  condition)
{
  if (watch->source != NULL)
    g_source_modify_unix_fd (watch->source, ((FdSource *) watch->source)->tag, condition);
}

void
fd_watch_stop (FdWatch *watch)
{
  if (watch->source == NULL)
    return;

  g_source_destroy (watch->source);
  g_clear_pointer (&watch->source, g_source_unref);
}

/* The stream. */

static void
update_stream_condition (Channel *self)
{
  GIOCondition condition = G_IO_HUP | G_IO_ERR;
  gsize queued = self->output->len - self->output_sent;

  if (queued <= CHANNEL_MAX_QUEUED && !self->input_ended)
    condition |= G_IO_IN;
  /* Ending: wake up once writable, which an empty queue is at once. */
  if (queued > 0 || self->ending)
    condition |= G_IO_OUT;

  fd_watch_set_condition (&self->stream_watch, condition);
}

static void
flush_output (Channel *self)
{
  while (self->output_sent < self->output->len)
    {
      const guint8 *data = self->output->data + self->output_sent;
      gsize length = self->output->len - self->output_sent;
      gssize n;

      if (channel_method_is_socket (self->method))
        n = send (self->stream_fd, data, length, MSG_NOSIGNAL);
      else
        n = write (self->stream_fd, data, length);

      if (n > 0)
        {
          self->output_sent += (gsize) n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;

      /* The peer is gone; the read side sees the hang-up and reports it,
       * so the owner is never called back from inside its own write. */
      g_debug ("Dropping %" G_GSIZE_FORMAT " bytes of output: %s",
               length, n < 0 ? g_strerror (errno) : "short write");
      self->output_sent = self->output->len;
    }

  /* Written bytes are dropped from the front only when that is cheap
   * relative to what they free, so a slow reader costs no quadratic
   * copying. */
  if (self->output_sent == self->output->len)
    {
      g_byte_array_set_size (self->output, 0);
      self->output_sent = 0;
    }
  else if (self->output_sent > self->output->len / 2)
    {
      g_byte_array_remove_range (self->output, 0, (guint) self->output_sent);
      self->output_sent = 0;
    }

  update_stream_condition (self);
}

static void
peer_gone (Channel  *self,
           gboolean  device_failed)
{
  gboolean is_socket = channel_method_is_socket (self->method);

  channel_detach_stream (self, is_socket);
  self->callbacks.peer_disconnected (self->user_data);

  if (is_socket)
    channel_listen_peer_gone (self);
  else
    channel_port_peer_gone (self, device_failed);
}

static gboolean
read_stream (Channel *self)
{
  guint8 buffer[CHANNEL_READ_SIZE];
  gssize n;

  do
    n = read (self->stream_fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);

  if (n < 0 && errno == EAGAIN)
    return TRUE;

  if (n == 0 && channel_method_is_socket (self->method))
    {
      /* A half-close (shutdown(SHUT_WR), socat, nc -N): the client still
       * reads. Stop reading; the owner ends it once it has its replies. */
      g_debug ("Client on %s finished sending", self->path);
      self->input_ended = TRUE;
      update_stream_condition (self);
      self->callbacks.input_ended (self->user_data);
      return self->stream_fd >= 0;
    }

  if (n <= 0)
    {
      int saved_errno = errno;

      if (n < 0)
        g_debug ("Reading from %s failed: %s", self->path, g_strerror (saved_errno));
      /* On a port, EOF is the host closing its end, and an error means
       * the device itself went away (unplugged). */
      peer_gone (self, n < 0 && !channel_method_is_socket (self->method));
      return FALSE;
    }

  self->receiving = TRUE;
  self->callbacks.data_received (buffer, (gsize) n, self->user_data);
  self->receiving = FALSE;

  /* The callback may have ended the stream (it never frees the channel). */
  if (self->stream_fd < 0)
    return FALSE;

  if (self->output->len > self->output_sent)
    flush_output (self);
  return TRUE;
}

static gboolean
on_stream_ready (Channel      *self,
                 GIOCondition  condition)
{
  if (condition & G_IO_OUT)
    flush_output (self);

  if (self->ending && self->output->len == self->output_sent)
    {
      peer_gone (self, FALSE);
      return G_SOURCE_REMOVE;
    }

  if (condition & G_IO_IN)
    return read_stream (self) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;

  if (condition & (G_IO_HUP | G_IO_ERR))
    {
      peer_gone (self, (condition & G_IO_ERR) && !channel_method_is_socket (self->method));
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

void
channel_attach_stream (Channel *self,
                       int      fd)
{
  g_assert (self->stream_fd < 0);

  self->stream_fd = fd;
  self->input_ended = FALSE;
  self->ending = FALSE;
  g_byte_array_set_size (self->output, 0);
  self->output_sent = 0;
  fd_watch_start (&self->stream_watch, self, fd,
                  G_IO_IN | G_IO_HUP | G_IO_ERR, on_stream_ready);
}

void
channel_detach_stream (Channel  *self,
                       gboolean  close_fd)
{
  fd_watch_stop (&self->stream_watch);
  g_byte_array_set_size (self->output, 0);
  self->output_sent = 0;
  if (close_fd && self->stream_fd >= 0)
    close (self->stream_fd);
  self->stream_fd = -1;
}

void
channel_write (Channel      *self,
               const guint8 *data,
               gsize         length)
{
  g_return_if_fail (self != NULL);

  if (self->stream_fd < 0)
    return;

  g_byte_array_append (self->output, data, (guint) length);
  if (!self->receiving)
    flush_output (self);
}

void
channel_report_failure (Channel *self,
                        GError  *error)
{
  g_autoptr(GError) owned_error = error;

  self->callbacks.failed (owned_error, self->user_data);
}

void
channel_end_peer_when_flushed (Channel *self)
{
  g_return_if_fail (self != NULL);

  if (self->stream_fd < 0 || !channel_method_is_socket (self->method))
    return;

  self->ending = TRUE;
  update_stream_condition (self);
}

const char *
channel_get_description (Channel *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->path;
}

Channel *
channel_open (const ChannelConfig     *config,
              const ChannelCallbacks  *callbacks,
              gpointer                 user_data,
              GError                 **error)
{
  g_autoptr(Channel) self = NULL;
  gboolean ok;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (callbacks != NULL, NULL);
  g_return_val_if_fail (callbacks->peer_connected != NULL, NULL);
  g_return_val_if_fail (callbacks->data_received != NULL, NULL);
  g_return_val_if_fail (callbacks->input_ended != NULL, NULL);
  g_return_val_if_fail (callbacks->peer_disconnected != NULL, NULL);
  g_return_val_if_fail (callbacks->failed != NULL, NULL);

  self = g_new0 (Channel, 1);
  self->method = config->method;
  self->path = g_strdup (config->path);
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->stream_fd = -1;
  self->listen_fd = -1;
  self->port_fd = -1;
  self->sigio_fd = -1;
  self->device_watch_fd = -1;
  self->inotify_wd = -1;
  self->output = g_byte_array_new ();

  if (channel_method_is_socket (self->method) || config->activated_fd >= 0)
    ok = channel_listen_open (self, config->activated_fd, error);
  else
    ok = channel_port_open (self, config->retry_path, error);

  return ok ? g_steal_pointer (&self) : NULL;
}

void
channel_free (Channel *self)
{
  if (self == NULL)
    return;

  if (channel_method_is_socket (self->method))
    channel_listen_close (self);
  else
    channel_port_close (self);

  channel_detach_stream (self, TRUE);
  g_byte_array_unref (self->output);
  g_free (self->path);
  g_free (self);
}
