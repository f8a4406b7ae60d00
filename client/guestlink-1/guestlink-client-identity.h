/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (GUESTLINK_INSIDE) && !defined (GUESTLINK_COMPILATION)
#error "Only <guestlink-1/guestlink.h> can be included directly."
#endif

#include <guestlink-1/guestlink-client.h>

G_BEGIN_DECLS

#define GUESTLINK_TYPE_IDENTITY_REQUEST (guestlink_identity_request_get_type ())
typedef struct _GuestlinkIdentityRequest GuestlinkIdentityRequest;

GType guestlink_identity_request_get_type (void) G_GNUC_CONST;

GuestlinkIdentityRequest *guestlink_identity_request_new   (const char               *instance_id);
GuestlinkIdentityRequest *guestlink_identity_request_ref   (GuestlinkIdentityRequest *self);
void                      guestlink_identity_request_unref (GuestlinkIdentityRequest *self);

const char *guestlink_identity_request_get_instance_id       (GuestlinkIdentityRequest *self);
void        guestlink_identity_request_set_host_name         (GuestlinkIdentityRequest *self,
                                                              const char               *host_name);
void        guestlink_identity_request_set_pretty_host_name  (GuestlinkIdentityRequest *self,
                                                              const char               *pretty_host_name);
void        guestlink_identity_request_set_machine_id        (GuestlinkIdentityRequest *self,
                                                              const char               *machine_id);
void        guestlink_identity_request_set_regenerate_machine_id (GuestlinkIdentityRequest *self,
                                                                  gboolean                  regenerate);
void        guestlink_identity_request_set_rotate_ssh_host_keys (GuestlinkIdentityRequest *self,
                                                                 gboolean                  rotate);
void        guestlink_identity_request_set_reset_network_state (GuestlinkIdentityRequest *self,
                                                                gboolean                  reset);
void        guestlink_identity_request_set_random_seed       (GuestlinkIdentityRequest *self,
                                                              GBytes                   *random_seed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestlinkIdentityRequest, guestlink_identity_request_unref)

/* A new identity for a cloned guest (__org.guestlink_set-identity). */
JsonNode *guestlink_client_set_identity (GuestlinkClient           *self,
                                         GuestlinkIdentityRequest  *request,
                                         GCancellable              *cancellable,
                                         GError                   **error);
void guestlink_client_set_identity_async (GuestlinkClient           *self,
                                          GuestlinkIdentityRequest  *request,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data);
JsonNode *guestlink_client_set_identity_finish (GuestlinkClient  *self,
                                                GAsyncResult     *result,
                                                GError          **error);

G_END_DECLS
