/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The umbrella header: applications include only this one, so the
 * individual headers can move things between them without breaking anyone. */
#define GUESTLINK_INSIDE
#include <guestlink-1/guestlink-error.h>
#include <guestlink-1/guestlink-enums.h>
#include <guestlink-1/guestlink-agent-info.h>
#include <guestlink-1/guestlink-client.h>
#include <guestlink-1/guestlink-client-filesystem.h>
#include <guestlink-1/guestlink-client-identity.h>
#include <guestlink-1/guestlink-client-ssh.h>
#undef GUESTLINK_INSIDE
