/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (GUESTLINK_INSIDE) && !defined (GUESTLINK_COMPILATION)
#error "Only <guestlink-1/guestlink.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <guestlink-1/guestlink-agent-info.h>

G_BEGIN_DECLS

/**
 * GUESTLINK_CLIENT_DEFAULT_TIMEOUT_MSEC:
 *
 * The initial value of #GuestlinkClient:default-timeout-msec, in
 * milliseconds.
 *
 * Since: 0.1
 */
#define GUESTLINK_CLIENT_DEFAULT_TIMEOUT_MSEC 10000

#define GUESTLINK_TYPE_CLIENT (guestlink_client_get_type ())
G_DECLARE_FINAL_TYPE (GuestlinkClient, guestlink_client, GUESTLINK, CLIENT, GObject)

GuestlinkClient *guestlink_client_new_for_socket_path     (const char          *path);
GuestlinkClient *guestlink_client_new_for_vsock           (guint32              cid,
                                                           guint32              port);

const char      *guestlink_client_get_address             (GuestlinkClient     *self);
int              guestlink_client_get_default_timeout_msec (GuestlinkClient    *self);
void             guestlink_client_set_default_timeout_msec (GuestlinkClient    *self,
                                                            int                 timeout_msec);

gboolean         guestlink_client_connect                 (GuestlinkClient     *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
void             guestlink_client_connect_async           (GuestlinkClient     *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean         guestlink_client_connect_finish          (GuestlinkClient     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

void             guestlink_client_close                   (GuestlinkClient     *self);

JsonNode        *guestlink_client_call                    (GuestlinkClient     *self,
                                                           const char          *command,
                                                           JsonObject          *arguments,
                                                           int                  timeout_msec,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
void             guestlink_client_call_async              (GuestlinkClient     *self,
                                                           const char          *command,
                                                           JsonObject          *arguments,
                                                           int                  timeout_msec,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
JsonNode        *guestlink_client_call_finish             (GuestlinkClient     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

gboolean         guestlink_client_ping                    (GuestlinkClient     *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
void             guestlink_client_ping_async              (GuestlinkClient     *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean         guestlink_client_ping_finish             (GuestlinkClient     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

GuestlinkAgentInfo *guestlink_client_get_info             (GuestlinkClient     *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
void             guestlink_client_get_info_async          (GuestlinkClient     *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
GuestlinkAgentInfo *guestlink_client_get_info_finish      (GuestlinkClient     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* System information (guest-get-host-name, -osinfo, -users, -time). */
char *guestlink_client_get_host_name (GuestlinkClient  *self,
                                      GCancellable     *cancellable,
                                      GError          **error);
void guestlink_client_get_host_name_async (GuestlinkClient     *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char *guestlink_client_get_host_name_finish (GuestlinkClient  *self,
                                             GAsyncResult     *result,
                                             GError          **error);

JsonNode *guestlink_client_get_osinfo (GuestlinkClient  *self,
                                       GCancellable     *cancellable,
                                       GError          **error);
void guestlink_client_get_osinfo_async (GuestlinkClient     *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
JsonNode *guestlink_client_get_osinfo_finish (GuestlinkClient  *self,
                                              GAsyncResult     *result,
                                              GError          **error);

JsonNode *guestlink_client_get_users (GuestlinkClient  *self,
                                      GCancellable     *cancellable,
                                      GError          **error);
void guestlink_client_get_users_async (GuestlinkClient     *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
JsonNode *guestlink_client_get_users_finish (GuestlinkClient  *self,
                                             GAsyncResult     *result,
                                             GError          **error);

gboolean guestlink_client_get_time (GuestlinkClient  *self,
                                    gint64           *out_nanoseconds,
                                    GCancellable     *cancellable,
                                    GError          **error);

/* More system information, as JSON with qemu-ga's members. */
JsonNode *guestlink_client_get_timezone (GuestlinkClient  *self,
                                         GCancellable     *cancellable,
                                         GError          **error);
void guestlink_client_get_timezone_async (GuestlinkClient     *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
JsonNode *guestlink_client_get_timezone_finish (GuestlinkClient  *self,
                                                GAsyncResult     *result,
                                                GError          **error);

JsonNode *guestlink_client_get_load (GuestlinkClient  *self,
                                     GCancellable     *cancellable,
                                     GError          **error);
void guestlink_client_get_load_async (GuestlinkClient     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
JsonNode *guestlink_client_get_load_finish (GuestlinkClient  *self,
                                            GAsyncResult     *result,
                                            GError          **error);

JsonNode *guestlink_client_get_vcpus (GuestlinkClient  *self,
                                      GCancellable     *cancellable,
                                      GError          **error);
void guestlink_client_get_vcpus_async (GuestlinkClient     *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
JsonNode *guestlink_client_get_vcpus_finish (GuestlinkClient  *self,
                                             GAsyncResult     *result,
                                             GError          **error);

JsonNode *guestlink_client_get_cpustats (GuestlinkClient  *self,
                                         GCancellable     *cancellable,
                                         GError          **error);
void guestlink_client_get_cpustats_async (GuestlinkClient     *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
JsonNode *guestlink_client_get_cpustats_finish (GuestlinkClient  *self,
                                                GAsyncResult     *result,
                                                GError          **error);

JsonNode *guestlink_client_get_diskstats (GuestlinkClient  *self,
                                          GCancellable     *cancellable,
                                          GError          **error);
void guestlink_client_get_diskstats_async (GuestlinkClient     *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
JsonNode *guestlink_client_get_diskstats_finish (GuestlinkClient  *self,
                                                 GAsyncResult     *result,
                                                 GError          **error);

/* Network (guest-network-get-interfaces). */
JsonNode *guestlink_client_get_interfaces (GuestlinkClient  *self,
                                           GCancellable     *cancellable,
                                           GError          **error);
void guestlink_client_get_interfaces_async (GuestlinkClient     *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
JsonNode *guestlink_client_get_interfaces_finish (GuestlinkClient  *self,
                                                  GAsyncResult     *result,
                                                  GError          **error);

JsonNode *guestlink_client_get_routes (GuestlinkClient  *self,
                                       GCancellable     *cancellable,
                                       GError          **error);
void guestlink_client_get_routes_async (GuestlinkClient     *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
JsonNode *guestlink_client_get_routes_finish (GuestlinkClient  *self,
                                              GAsyncResult     *result,
                                              GError          **error);

/* Identity (__org.guestlink_get-identity). */
JsonNode *guestlink_client_get_identity (GuestlinkClient  *self,
                                         GCancellable     *cancellable,
                                         GError          **error);
void guestlink_client_get_identity_async (GuestlinkClient     *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
JsonNode *guestlink_client_get_identity_finish (GuestlinkClient  *self,
                                                GAsyncResult     *result,
                                                GError          **error);

G_END_DECLS
