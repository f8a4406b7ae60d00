/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <guestlink-1/guestlink.h>

#include "request.h"

G_BEGIN_DECLS

JsonNode *client_call_request (GuestlinkClient  *self,
                               const Request    *request,
                               int               timeout_msec,
                               GCancellable     *cancellable,
                               GError          **error);

G_END_DECLS
