/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <guestlink-1/guestlink.h>

/**
 * guestlink_error_quark:
 *
 * The error domain of the errors #GuestlinkClient reports.
 *
 * Returns: the #GQuark of %GUESTLINK_ERROR
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (guestlink-error-quark, guestlink_error)
