/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared between channel.c (the connected stream) and the two ways of
 * getting one: channel-listen.c (sockets) and channel-port.c (serial ports).
 */
#pragma once

#include "channel.h"

/* A file descriptor watched by the main loop, with events changeable in
 * place (g_unix_fd_add cannot change its condition). */
typedef struct {
  GSource *source;
} FdWatch;

typedef gboolean (*FdWatchFunc) (Channel      *self,
                                 GIOCondition  condition);

void fd_watch_start (FdWatch      *watch,
                     Channel      *self,
                     int           fd,
                     GIOCondition  condition,
                     FdWatchFunc   func);
void fd_watch_set_condition (FdWatch      *watch,
                             GIOCondition  condition);
void fd_watch_stop (FdWatch *watch);

struct _Channel {
  ChannelMethod method;
  char *path;
  ChannelCallbacks callbacks;
  gpointer user_data;

  /* The connected stream: a port, or an accepted client. */
  int stream_fd;
  FdWatch stream_watch;
  GByteArray *output;
  gsize output_sent;         /* bytes at the front of output already written */
  gboolean receiving;        /* inside data_received: batch the writes */
  gboolean input_ended;      /* a socket client half-closed */
  gboolean ending;           /* close it when the output is written */

  /* Listen methods. */
  int listen_fd;
  FdWatch listen_watch;
  guint listen_retry_id;     /* accept() ran out of resources */
  gboolean owns_socket_path; /* we bound it, so we unlink it */

  /* Port methods: the device stays open while the host is away; we wait
   * for the host with SIGIO, and for a missing device with kernel uevents
   * (a port found by name) or inotify (a configured path). */
  int port_fd;
  gboolean port_by_name;     /* virtio-serial without a path: find it */
  int sigio_fd;
  FdWatch sigio_watch;
  int device_watch_fd;       /* uevent netlink socket or inotify */
  FdWatch device_watch;
  int inotify_wd;
  char *inotify_dir;
};

/* channel.c: the channel cannot go on (a watch could not be set up);
 * the owner is told and decides, so it never waits deaf forever. */
void channel_report_failure (Channel *self,
                             GError  *error);

/* channel.c: hands a connected stream to the main loop. */
void channel_attach_stream (Channel *self,
                            int      fd);
/* Stops watching the stream; for sockets also closes it. */
void channel_detach_stream (Channel  *self,
                            gboolean  close_fd);

/* channel-listen.c */
gboolean channel_listen_open (Channel  *self,
                              int       activated_fd,
                              GError  **error);
void channel_listen_peer_gone (Channel *self);
void channel_listen_close (Channel *self);

/* channel-port.c */
gboolean channel_port_open (Channel  *self,
                            gboolean  retry_path,
                            GError  **error);
void channel_port_peer_gone (Channel  *self,
                             gboolean  device_failed);
void channel_port_close (Channel *self);
