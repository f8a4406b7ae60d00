/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <guestlink-1/guestlink.h>

G_BEGIN_DECLS

/* The request's "arguments" (request_arguments_set_identity()). */
JsonObject *identity_request_to_arguments (GuestlinkIdentityRequest *self);

G_END_DECLS
