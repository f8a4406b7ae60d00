/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (GUESTLINK_INSIDE) && !defined (GUESTLINK_COMPILATION)
#error "Only <guestlink-1/guestlink.h> can be included directly."
#endif

#include <guestlink-1/guestlink-client.h>

G_BEGIN_DECLS

/**
 * GuestlinkFsfreezeStatus:
 * @GUESTLINK_FSFREEZE_STATUS_THAWED: The agent has no filesystem frozen
 *   (qemu-ga's `thawed`).
 * @GUESTLINK_FSFREEZE_STATUS_FROZEN: The agent has frozen filesystems, or
 *   is freezing or thawing them (qemu-ga's `frozen`).
 *
 * What guest-fsfreeze-status reports.
 *
 * Since: 0.1
 */
typedef enum
{
  GUESTLINK_FSFREEZE_STATUS_THAWED,
  GUESTLINK_FSFREEZE_STATUS_FROZEN,
} GuestlinkFsfreezeStatus;

/* Filesystems (guest-fsfreeze-*, guest-fstrim, guest-get-fsinfo). */
gboolean guestlink_client_fsfreeze_get_status (GuestlinkClient          *self,
                                               GuestlinkFsfreezeStatus  *out_status,
                                               GCancellable             *cancellable,
                                               GError                  **error);
void guestlink_client_fsfreeze_get_status_async (GuestlinkClient     *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean guestlink_client_fsfreeze_get_status_finish (GuestlinkClient          *self,
                                                      GAsyncResult             *result,
                                                      GuestlinkFsfreezeStatus  *out_status,
                                                      GError                  **error);

int guestlink_client_fsfreeze_freeze (GuestlinkClient     *self,
                                      const char * const  *mountpoints,
                                      GCancellable        *cancellable,
                                      GError             **error);
void guestlink_client_fsfreeze_freeze_async (GuestlinkClient     *self,
                                             const char * const  *mountpoints,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
int guestlink_client_fsfreeze_freeze_finish (GuestlinkClient  *self,
                                             GAsyncResult     *result,
                                             GError          **error);

int guestlink_client_fsfreeze_thaw (GuestlinkClient  *self,
                                    GCancellable     *cancellable,
                                    GError          **error);
void guestlink_client_fsfreeze_thaw_async (GuestlinkClient     *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
int guestlink_client_fsfreeze_thaw_finish (GuestlinkClient  *self,
                                           GAsyncResult     *result,
                                           GError          **error);

JsonNode *guestlink_client_fstrim (GuestlinkClient  *self,
                                   gint64            minimum,
                                   GCancellable     *cancellable,
                                   GError          **error);
void guestlink_client_fstrim_async (GuestlinkClient     *self,
                                    gint64               minimum,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
JsonNode *guestlink_client_fstrim_finish (GuestlinkClient  *self,
                                          GAsyncResult     *result,
                                          GError          **error);

JsonNode *guestlink_client_get_fsinfo (GuestlinkClient  *self,
                                       GCancellable     *cancellable,
                                       GError          **error);
void guestlink_client_get_fsinfo_async (GuestlinkClient     *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
JsonNode *guestlink_client_get_fsinfo_finish (GuestlinkClient  *self,
                                              GAsyncResult     *result,
                                              GError          **error);

G_END_DECLS
