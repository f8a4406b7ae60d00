/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * channel: the byte stream between the agent and its one host peer.
 *
 * virtio-serial (the default) and isa-serial are ports: always open, the
 * host connects and disconnects behind them. unix-listen and vsock-listen
 * accept one client at a time. Either way the owner sees a peer connect,
 * bytes arrive, and the peer go away. Writes never block: they are queued
 * and drained when the file descriptor is writable.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CHANNEL_METHOD_VIRTIO_SERIAL,
  CHANNEL_METHOD_ISA_SERIAL,
  CHANNEL_METHOD_UNIX_LISTEN,
  CHANNEL_METHOD_VSOCK_LISTEN,
} ChannelMethod;

/* The port name QEMU and libvirt give the guest agent channel. */
#define CHANNEL_VIRTIO_PORT_NAME "org.qemu.guest_agent.0"

gboolean channel_method_from_string (const char     *name,
                                     ChannelMethod  *out_method,
                                     GError        **error);
const char *channel_method_to_string (ChannelMethod method);

typedef struct {
  ChannelMethod method;
  /* Device or socket path, or "CID:PORT" for vsock; NULL for virtio-serial
   * means: find the port named CHANNEL_VIRTIO_PORT_NAME in sysfs. */
  const char *path;
  /* virtio-serial and isa-serial: at start, wait for a missing device to
   * appear instead of failing (qemu-ga's --retry-path). A device that goes
   * away later is always waited for. */
  gboolean retry_path;
  /* A listening socket handed over by systemd, or -1. */
  int activated_fd;
} ChannelConfig;

typedef struct {
  void (*peer_connected) (gpointer user_data);
  void (*data_received) (const guint8 *data,
                         gsize         length,
                         gpointer      user_data);
  /* A socket client shut down its sending side and still waits for its
   * replies: end it with channel_end_peer_when_flushed() once they are
   * all written. */
  void (*input_ended) (gpointer user_data);
  void (*peer_disconnected) (gpointer user_data);
  /* The channel cannot serve any more (it could not arrange to be woken
   * when the host or the device comes back); the owner should exit so
   * that its supervisor restarts it. */
  void (*failed) (const GError *error,
                  gpointer      user_data);
} ChannelCallbacks;
/* All are required. Callbacks never free the channel. peer_connected may
 * run from inside channel_open(), when a peer is already there. */

typedef struct _Channel Channel;

Channel *channel_open (const ChannelConfig     *config,
                       const ChannelCallbacks  *callbacks,
                       gpointer                 user_data,
                       GError                 **error);
void channel_free (Channel *self);

/* Queues @data for the current peer; dropped when there is none. Writes
 * made while a data_received callback runs leave in one batch after it. */
void channel_write (Channel      *self,
                    const guint8 *data,
                    gsize         length);

/* Closes the connection to the current socket client once its queued
 * output is written, from the main loop (never from inside this call). */
void channel_end_peer_when_flushed (Channel *self);

/* The resolved device or socket path, for logs. */
const char *channel_get_description (Channel *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Channel, channel_free)

G_END_DECLS
