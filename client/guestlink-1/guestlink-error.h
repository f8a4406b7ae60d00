/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (GUESTLINK_INSIDE) && !defined (GUESTLINK_COMPILATION)
#error "Only <guestlink-1/guestlink.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * GuestlinkError:
 * @GUESTLINK_ERROR_GENERIC: The agent answered with a `GenericError`, or
 *   with an error class this library does not know.
 * @GUESTLINK_ERROR_COMMAND_NOT_FOUND: The agent does not know the command
 *   (error class `CommandNotFound`).
 * @GUESTLINK_ERROR_COMMAND_DISABLED: The agent knows the command but it is
 *   disabled, by configuration or while filesystems are frozen (error class
 *   `CommandNotFound` with a description saying "has been disabled").
 * @GUESTLINK_ERROR_TIMEOUT: No complete reply arrived in time. The client
 *   resynchronises with the agent before its next call.
 * @GUESTLINK_ERROR_DISCONNECTED: The socket could not be connected, or the
 *   connection was lost. The next call connects again.
 * @GUESTLINK_ERROR_PROTOCOL: The agent sent something that is not a valid
 *   reply. The client resynchronises with the agent before its next call.
 *
 * Errors reported by #GuestlinkClient. Errors coming from the agent itself
 * are %GUESTLINK_ERROR_GENERIC, %GUESTLINK_ERROR_COMMAND_NOT_FOUND and
 * %GUESTLINK_ERROR_COMMAND_DISABLED, and carry the agent's description as
 * their message. Cancelled operations fail with %G_IO_ERROR_CANCELLED
 * instead.
 *
 * Since: 0.1
 */
typedef enum
{
  GUESTLINK_ERROR_GENERIC,
  GUESTLINK_ERROR_COMMAND_NOT_FOUND,
  GUESTLINK_ERROR_COMMAND_DISABLED,
  GUESTLINK_ERROR_TIMEOUT,
  GUESTLINK_ERROR_DISCONNECTED,
  GUESTLINK_ERROR_PROTOCOL,
} GuestlinkError;

/**
 * GUESTLINK_ERROR:
 *
 * The error domain of #GuestlinkError.
 *
 * Since: 0.1
 */
#define GUESTLINK_ERROR (guestlink_error_quark ())

GQuark guestlink_error_quark (void);

G_END_DECLS
