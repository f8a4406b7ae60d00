/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "guestlink-client-private.h"

#include "handshake.h"
#include "reply.h"
#include "stream.h"

#include <string.h>

/**
 * GuestlinkClient:
 *
 * A connection to one guest agent: the host end of the QEMU chardev socket
 * (`-chardev socket,path=...,server=on`) or an AF_VSOCK address.
 *
 * The client connects on first use and resynchronises with the agent the
 * way libvirt does (guest-sync-delimited), on connect and again after any
 * timeout, cancellation or protocol error, so a reply that arrives late is
 * never mistaken for the answer to a later call.
 *
 * The protocol answers requests in order, so calls on one client are
 * serialised: a call made while another is running waits for it, and its
 * timeout starts when its turn comes. Calls may be made from any thread.
 * The asynchronous variants run the call in a worker thread.
 *
 * Since: 0.1
 */
struct _GuestlinkClient
{
  GObject parent_instance;

  char *socket_path;          /* (nullable): NULL for vsock */
  guint32 vsock_cid;
  guint32 vsock_port;
  char *address;              /* names the socket in messages */
  int default_timeout_msec;   /* (atomic) */

  /* Held for a whole call, which makes calls run one at a time and
   * protects the connection state below. */
  GMutex lock;
  Stream *stream;             /* (nullable) (owned): NULL when not connected */
  gboolean need_handshake;
  gint64 last_id;
};

G_DEFINE_FINAL_TYPE (GuestlinkClient, guestlink_client, G_TYPE_OBJECT)

typedef enum
{
  PROP_SOCKET_PATH = 1,
  PROP_VSOCK_CID,
  PROP_VSOCK_PORT,
  PROP_DEFAULT_TIMEOUT_MSEC,
} GuestlinkClientProperty;

static GParamSpec *props[PROP_DEFAULT_TIMEOUT_MSEC + 1];

static void
guestlink_client_init (GuestlinkClient *self)
{
  g_mutex_init (&self->lock);
  self->default_timeout_msec = GUESTLINK_CLIENT_DEFAULT_TIMEOUT_MSEC;

  /* Ids start at a random point so that replies still queued from an
   * earlier client's session cannot match this client's ids. */
  self->last_id = g_random_int_range (1, G_MAXINT32);
}

static void
guestlink_client_constructed (GObject *object)
{
  GuestlinkClient *self = GUESTLINK_CLIENT (object);

  G_OBJECT_CLASS (guestlink_client_parent_class)->constructed (object);

  if (self->socket_path != NULL)
    self->address = g_strdup (self->socket_path);
  else
    self->address = g_strdup_printf ("vsock:%u:%u", self->vsock_cid, self->vsock_port);
}

static void
guestlink_client_finalize (GObject *object)
{
  GuestlinkClient *self = GUESTLINK_CLIENT (object);

  g_clear_pointer (&self->stream, stream_free);
  g_free (self->socket_path);
  g_free (self->address);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (guestlink_client_parent_class)->finalize (object);
}

static void
guestlink_client_get_property (GObject    *object,
                               guint       property_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GuestlinkClient *self = GUESTLINK_CLIENT (object);

  switch ((GuestlinkClientProperty) property_id)
    {
    case PROP_SOCKET_PATH:
      g_value_set_string (value, self->socket_path);
      break;
    case PROP_VSOCK_CID:
      g_value_set_uint (value, self->vsock_cid);
      break;
    case PROP_VSOCK_PORT:
      g_value_set_uint (value, self->vsock_port);
      break;
    case PROP_DEFAULT_TIMEOUT_MSEC:
      g_value_set_int (value, guestlink_client_get_default_timeout_msec (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, property_id, pspec);
      break;
    }
}

static void
guestlink_client_set_property (GObject      *object,
                               guint         property_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  GuestlinkClient *self = GUESTLINK_CLIENT (object);

  switch ((GuestlinkClientProperty) property_id)
    {
    case PROP_SOCKET_PATH:
      /* Construct-only. */
      g_assert (self->socket_path == NULL);
      self->socket_path = g_value_dup_string (value);
      break;
    case PROP_VSOCK_CID:
      self->vsock_cid = g_value_get_uint (value);
      break;
    case PROP_VSOCK_PORT:
      self->vsock_port = g_value_get_uint (value);
      break;
    case PROP_DEFAULT_TIMEOUT_MSEC:
      guestlink_client_set_default_timeout_msec (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, property_id, pspec);
      break;
    }
}

static void
guestlink_client_class_init (GuestlinkClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = guestlink_client_constructed;
  object_class->finalize = guestlink_client_finalize;
  object_class->get_property = guestlink_client_get_property;
  object_class->set_property = guestlink_client_set_property;

  /**
   * GuestlinkClient:socket-path:
   *
   * The path of the agent's unix stream socket, or %NULL if the client
   * uses #GuestlinkClient:vsock-cid and #GuestlinkClient:vsock-port.
   *
   * Since: 0.1
   */
  props[PROP_SOCKET_PATH] =
    g_param_spec_string ("socket-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * GuestlinkClient:vsock-cid:
   *
   * The context id of the guest, used when #GuestlinkClient:socket-path
   * is %NULL.
   *
   * Since: 0.1
   */
  props[PROP_VSOCK_CID] =
    g_param_spec_uint ("vsock-cid", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * GuestlinkClient:vsock-port:
   *
   * The vsock port the agent listens on, used when
   * #GuestlinkClient:socket-path is %NULL.
   *
   * Since: 0.1
   */
  props[PROP_VSOCK_PORT] =
    g_param_spec_uint ("vsock-port", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * GuestlinkClient:default-timeout-msec:
   *
   * How long, in milliseconds, a call waits for the agent when the caller
   * passes a negative timeout, and how long guestlink_client_connect(),
   * guestlink_client_ping() and guestlink_client_get_info() wait. 0 means
   * no timeout.
   *
   * Since: 0.1
   */
  props[PROP_DEFAULT_TIMEOUT_MSEC] =
    g_param_spec_int ("default-timeout-msec", NULL, NULL,
                      0, G_MAXINT, GUESTLINK_CLIENT_DEFAULT_TIMEOUT_MSEC,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, G_N_ELEMENTS (props), props);
}

/**
 * guestlink_client_new_for_socket_path:
 * @path: (type filename): the path of the agent's unix stream socket
 *
 * Creates a client for an agent reachable through a unix socket, usually
 * the host end of a QEMU chardev (`-chardev socket,path=PATH,server=on`).
 * Nothing is connected until the first call or guestlink_client_connect().
 *
 * Returns: (transfer full): a new #GuestlinkClient
 *
 * Since: 0.1
 */
GuestlinkClient *
guestlink_client_new_for_socket_path (const char *path)
{
  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  return g_object_new (GUESTLINK_TYPE_CLIENT, "socket-path", path, NULL);
}

/**
 * guestlink_client_new_for_vsock:
 * @cid: the context id of the guest
 * @port: the vsock port the agent listens on
 *
 * Creates a client for an agent listening on AF_VSOCK. Nothing is
 * connected until the first call or guestlink_client_connect().
 *
 * Returns: (transfer full): a new #GuestlinkClient
 *
 * Since: 0.1
 */
GuestlinkClient *
guestlink_client_new_for_vsock (guint32 cid,
                                guint32 port)
{
  return g_object_new (GUESTLINK_TYPE_CLIENT,
                       "vsock-cid", cid,
                       "vsock-port", port,
                       NULL);
}

/**
 * guestlink_client_get_address:
 * @self: a #GuestlinkClient
 *
 * Gets a readable name of the agent's socket, as used in error messages:
 * the socket path, or `vsock:CID:PORT`.
 *
 * Returns: (transfer none): the address
 *
 * Since: 0.1
 */
const char *
guestlink_client_get_address (GuestlinkClient *self)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);

  return self->address;
}

/**
 * guestlink_client_get_default_timeout_msec:
 * @self: a #GuestlinkClient
 *
 * Gets the value of #GuestlinkClient:default-timeout-msec.
 *
 * Returns: the default timeout in milliseconds, 0 for none
 *
 * Since: 0.1
 */
int
guestlink_client_get_default_timeout_msec (GuestlinkClient *self)
{
  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), 0);

  return g_atomic_int_get (&self->default_timeout_msec);
}

/**
 * guestlink_client_set_default_timeout_msec:
 * @self: a #GuestlinkClient
 * @timeout_msec: the default timeout in milliseconds, 0 for none
 *
 * Sets #GuestlinkClient:default-timeout-msec. Calls already running keep
 * the timeout they started with.
 *
 * Since: 0.1
 */
void
guestlink_client_set_default_timeout_msec (GuestlinkClient *self,
                                           int              timeout_msec)
{
  g_return_if_fail (GUESTLINK_IS_CLIENT (self));
  g_return_if_fail (timeout_msec >= 0);

  if (g_atomic_int_get (&self->default_timeout_msec) == timeout_msec)
    return;

  g_atomic_int_set (&self->default_timeout_msec, timeout_msec);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DEFAULT_TIMEOUT_MSEC]);
}

static gint64
deadline_for (GuestlinkClient *self,
              int              timeout_msec)
{
  if (timeout_msec < 0)
    timeout_msec = g_atomic_int_get (&self->default_timeout_msec);

  return stream_deadline_from_timeout (timeout_msec);
}

/* After a failure the stream is in an unknown state: a lost connection is
 * dropped (the next call connects again); after a timeout, cancellation or
 * garbage the connection is kept but the agent may still send the answer
 * to what was asked, so the next call resynchronises first. Errors the
 * agent reported leave the stream in order. */
static void
note_failure_locked (GuestlinkClient *self,
                     const GError    *error)
{
  if (g_error_matches (error, GUESTLINK_ERROR, GUESTLINK_ERROR_GENERIC) ||
      g_error_matches (error, GUESTLINK_ERROR, GUESTLINK_ERROR_COMMAND_NOT_FOUND) ||
      g_error_matches (error, GUESTLINK_ERROR, GUESTLINK_ERROR_COMMAND_DISABLED))
    return;

  if (g_error_matches (error, GUESTLINK_ERROR, GUESTLINK_ERROR_DISCONNECTED))
    {
      g_clear_pointer (&self->stream, stream_free);
      return;
    }

  self->need_handshake = TRUE;
}

static gboolean
ensure_ready_locked (GuestlinkClient  *self,
                     gint64            deadline,
                     GCancellable     *cancellable,
                     GError          **error)
{
  if (self->stream == NULL)
    {
      if (self->socket_path != NULL)
        self->stream = stream_connect_unix (self->socket_path, deadline,
                                            cancellable, error);
      else
        self->stream = stream_connect_vsock (self->vsock_cid, self->vsock_port,
                                             self->address, deadline,
                                             cancellable, error);
      if (self->stream == NULL)
        return FALSE;

      self->need_handshake = TRUE;
    }

  if (self->need_handshake)
    {
      if (!handshake_run (self->stream, deadline, cancellable, error))
        return FALSE;

      self->need_handshake = FALSE;
    }

  return TRUE;
}

static JsonNode *
exchange_locked (GuestlinkClient  *self,
                 const Request    *request,
                 gint64            deadline,
                 GCancellable     *cancellable,
                 GError          **error)
{
  gint64 id = ++self->last_id;
  g_autofree char *text = request_encode (request, id);

  if (!stream_write_all (self->stream, text, strlen (text), deadline,
                         cancellable, error))
    return NULL;

  for (;;)
    {
      g_autofree char *line = NULL;
      g_autoptr(JsonObject) reply = NULL;

      line = stream_read_line (self->stream, deadline, cancellable, error);
      if (line == NULL)
        return NULL;

      if (*line == '\0')
        continue;

      reply = reply_parse (line, self->address, error);
      if (reply == NULL)
        return NULL;

      /* Replies to earlier requests carry their own ids. An error without
       * any id is ours all the same: after the handshake only our request
       * is outstanding, and the agent cannot echo the id of a request it
       * failed to parse (too large, for example). */
      if (reply_has_id (reply, id) ||
          (!json_object_has_member (reply, "id") &&
           json_object_has_member (reply, "error")))
        return reply_get_result (reply, self->address, error);
    }
}

JsonNode *
client_call_request (GuestlinkClient  *self,
                     const Request    *request,
                     int               timeout_msec,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) result = NULL;
  gint64 deadline;

  locker = g_mutex_locker_new (&self->lock);
  /* The timeout starts when the call's turn comes, not while it waits
   * behind earlier calls. */
  deadline = deadline_for (self, timeout_msec);

  if (ensure_ready_locked (self, deadline, cancellable, &local_error))
    result = exchange_locked (self, request, deadline, cancellable, &local_error);

  if (local_error != NULL)
    {
      note_failure_locked (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&result);
}

/**
 * guestlink_client_connect:
 * @self: a #GuestlinkClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Connects to the agent and synchronises with it, waiting at most
 * #GuestlinkClient:default-timeout-msec. Does nothing if the client is
 * connected and in step with the agent. Calls connect by themselves, so
 * this is only needed to find out early whether the agent answers.
 *
 * On failure the error is a #GuestlinkError (%GUESTLINK_ERROR_DISCONNECTED
 * when the socket cannot be connected, %GUESTLINK_ERROR_TIMEOUT when the
 * agent does not answer) or %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE on success, %FALSE with @error set otherwise
 *
 * Since: 0.1
 */
gboolean
guestlink_client_connect (GuestlinkClient  *self,
                          GCancellable     *cancellable,
                          GError          **error)
{
  gint64 deadline;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  deadline = deadline_for (self, -1);

  if (!ensure_ready_locked (self, deadline, cancellable, &local_error))
    {
      note_failure_locked (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/**
 * guestlink_client_close:
 * @self: a #GuestlinkClient
 *
 * Closes the connection to the agent, after waiting for a call in progress
 * to finish. The client stays usable: the next call connects again.
 *
 * Since: 0.1
 */
void
guestlink_client_close (GuestlinkClient *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (GUESTLINK_IS_CLIENT (self));

  locker = g_mutex_locker_new (&self->lock);
  g_clear_pointer (&self->stream, stream_free);
  self->need_handshake = FALSE;
}

/**
 * guestlink_client_call:
 * @self: a #GuestlinkClient
 * @command: the command to run, for example `guest-get-host-name`
 * @arguments: (nullable): the command's arguments, or %NULL for none
 * @timeout_msec: how long to wait, in milliseconds, for the whole call
 *   (connecting and synchronising included): a negative value means
 *   #GuestlinkClient:default-timeout-msec, 0 means no timeout
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Runs @command in the agent and waits for its answer, connecting first if
 * the client is not connected. The request carries an id of the client's
 * choosing; replies with other ids are stale and skipped.
 *
 * Errors the agent reports are %GUESTLINK_ERROR_GENERIC,
 * %GUESTLINK_ERROR_COMMAND_NOT_FOUND or %GUESTLINK_ERROR_COMMAND_DISABLED,
 * with the agent's description as the message. Transport failures are
 * %GUESTLINK_ERROR_TIMEOUT, %GUESTLINK_ERROR_DISCONNECTED or
 * %GUESTLINK_ERROR_PROTOCOL; a cancelled call fails with
 * %G_IO_ERROR_CANCELLED. After a timeout or cancellation the agent may
 * still run the command.
 *
 * Commands that send no reply when they succeed (guest-shutdown,
 * guest-suspend-*) end in %GUESTLINK_ERROR_TIMEOUT with this function.
 *
 * Returns: (transfer full): the `return` member of the reply
 *
 * Since: 0.1
 */
JsonNode *
guestlink_client_call (GuestlinkClient  *self,
                       const char       *command,
                       JsonObject       *arguments,
                       int               timeout_msec,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_autoptr(Request) request = NULL;

  g_return_val_if_fail (GUESTLINK_IS_CLIENT (self), NULL);
  g_return_val_if_fail (command != NULL && *command != '\0', NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  request = request_new (command, arguments);

  return client_call_request (self, request, timeout_msec, cancellable, error);
}
