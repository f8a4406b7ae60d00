/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (GUESTLINK_INSIDE) && !defined (GUESTLINK_COMPILATION)
#error "Only <guestlink-1/guestlink.h> can be included directly."
#endif

#include <guestlink-1/guestlink-client.h>

G_BEGIN_DECLS

/* A user's SSH authorized keys (guest-ssh-*-authorized-keys). */
char **guestlink_client_ssh_get_authorized_keys (GuestlinkClient  *self,
                                                 const char       *username,
                                                 GCancellable     *cancellable,
                                                 GError          **error);
void guestlink_client_ssh_get_authorized_keys_async (GuestlinkClient     *self,
                                                     const char          *username,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char **guestlink_client_ssh_get_authorized_keys_finish (GuestlinkClient  *self,
                                                        GAsyncResult     *result,
                                                        GError          **error);

gboolean guestlink_client_ssh_add_authorized_keys (GuestlinkClient     *self,
                                                   const char          *username,
                                                   const char * const  *keys,
                                                   gboolean             reset,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
void guestlink_client_ssh_add_authorized_keys_async (GuestlinkClient     *self,
                                                     const char          *username,
                                                     const char * const  *keys,
                                                     gboolean             reset,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean guestlink_client_ssh_add_authorized_keys_finish (GuestlinkClient  *self,
                                                          GAsyncResult     *result,
                                                          GError          **error);

gboolean guestlink_client_ssh_remove_authorized_keys (GuestlinkClient     *self,
                                                      const char          *username,
                                                      const char * const  *keys,
                                                      GCancellable        *cancellable,
                                                      GError             **error);
void guestlink_client_ssh_remove_authorized_keys_async (GuestlinkClient     *self,
                                                        const char          *username,
                                                        const char * const  *keys,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean guestlink_client_ssh_remove_authorized_keys_finish (GuestlinkClient  *self,
                                                             GAsyncResult     *result,
                                                             GError          **error);

/* The guest's SSH host keys (__org.guestlink_ssh-*-host-keys). */
JsonNode *guestlink_client_ssh_get_host_keys (GuestlinkClient  *self,
                                              GCancellable     *cancellable,
                                              GError          **error);
void guestlink_client_ssh_get_host_keys_async (GuestlinkClient     *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
JsonNode *guestlink_client_ssh_get_host_keys_finish (GuestlinkClient  *self,
                                                     GAsyncResult     *result,
                                                     GError          **error);

JsonNode *guestlink_client_ssh_rotate_host_keys (GuestlinkClient     *self,
                                                 const char * const  *types,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
void guestlink_client_ssh_rotate_host_keys_async (GuestlinkClient     *self,
                                                  const char * const  *types,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
JsonNode *guestlink_client_ssh_rotate_host_keys_finish (GuestlinkClient  *self,
                                                        GAsyncResult     *result,
                                                        GError          **error);

G_END_DECLS
