/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "guestlink-identity-request-private.h"
#include "request-arguments.h"

/**
 * GuestlinkIdentityRequest:
 *
 * What guestlink_client_set_identity() asks the guest to change. Only the
 * instance-id is required; everything else is left as it is unless set.
 * The values are not checked here: the guest checks each of them (host
 * names per RFC 1123, machine-ids as 32 lowercase hex digits, and so on)
 * before it changes anything, and names the one it refuses.
 *
 * A request may be reused: the same request sent again, after a timeout
 * or a crash of the agent, finishes the steps not yet done instead of
 * making another identity.
 *
 * Since: 0.1
 */
struct _GuestlinkIdentityRequest
{
  char *instance_id;
  char *host_name;
  char *pretty_host_name;
  char *machine_id;
  gboolean regenerate_machine_id;
  gboolean rotate_ssh_host_keys;
  gboolean reset_network_state;
  GBytes *random_seed;
};

G_DEFINE_BOXED_TYPE (GuestlinkIdentityRequest, guestlink_identity_request,
                     guestlink_identity_request_ref, guestlink_identity_request_unref)

static void
identity_request_clear (GuestlinkIdentityRequest *self)
{
  g_free (self->instance_id);
  g_free (self->host_name);
  g_free (self->pretty_host_name);
  g_free (self->machine_id);
  g_clear_pointer (&self->random_seed, g_bytes_unref);
}

/**
 * guestlink_identity_request_new:
 * @instance_id: names this change of identity: the guest remembers it, so
 *   the same request sent again resumes it instead of starting another
 *   (1 to 128 printable ASCII characters, for example the new domain's
 *   UUID)
 *
 * Creates a request that changes nothing yet but is identified by
 * @instance_id.
 *
 * Returns: (transfer full): a new #GuestlinkIdentityRequest
 *
 * Since: 0.1
 */
GuestlinkIdentityRequest *
guestlink_identity_request_new (const char *instance_id)
{
  GuestlinkIdentityRequest *self;

  g_return_val_if_fail (instance_id != NULL, NULL);

  self = g_atomic_rc_box_new0 (GuestlinkIdentityRequest);
  self->instance_id = g_strdup (instance_id);
  return self;
}

/**
 * guestlink_identity_request_ref:
 * @self: a #GuestlinkIdentityRequest
 *
 * Takes a reference to @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.1
 */
GuestlinkIdentityRequest *
guestlink_identity_request_ref (GuestlinkIdentityRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

/**
 * guestlink_identity_request_unref:
 * @self: (transfer full): a #GuestlinkIdentityRequest
 *
 * Drops a reference to @self, freeing it when it was the last.
 *
 * Since: 0.1
 */
void
guestlink_identity_request_unref (GuestlinkIdentityRequest *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, (GDestroyNotify) identity_request_clear);
}

/**
 * guestlink_identity_request_get_instance_id:
 * @self: a #GuestlinkIdentityRequest
 *
 * Gets the instance-id @self was created with.
 *
 * Returns: (transfer none): the instance-id
 *
 * Since: 0.1
 */
const char *
guestlink_identity_request_get_instance_id (GuestlinkIdentityRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->instance_id;
}

static void
replace_string (char       **field,
                const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/**
 * guestlink_identity_request_set_host_name:
 * @self: a #GuestlinkIdentityRequest
 * @host_name: (nullable): the new static host name, or %NULL to keep the
 *   guest's
 *
 * Sets the host name the guest takes (through hostnamed where it runs),
 * also written to its `127.0.1.1` line of /etc/hosts.
 *
 * Since: 0.1
 */
void
guestlink_identity_request_set_host_name (GuestlinkIdentityRequest *self,
                                          const char               *host_name)
{
  g_return_if_fail (self != NULL);

  replace_string (&self->host_name, host_name);
}

/**
 * guestlink_identity_request_set_pretty_host_name:
 * @self: a #GuestlinkIdentityRequest
 * @pretty_host_name: (nullable): the new pretty host name (free-form
 *   UTF-8), or %NULL to keep the guest's
 *
 * Sets the pretty host name the guest takes.
 *
 * Since: 0.1
 */
void
guestlink_identity_request_set_pretty_host_name (GuestlinkIdentityRequest *self,
                                                 const char               *pretty_host_name)
{
  g_return_if_fail (self != NULL);

  replace_string (&self->pretty_host_name, pretty_host_name);
}

/**
 * guestlink_identity_request_set_machine_id:
 * @self: a #GuestlinkIdentityRequest
 * @machine_id: (nullable): 32 lowercase hex digits, or %NULL
 *
 * Sets the machine-id the guest takes. A machine-id set here is used even
 * when guestlink_identity_request_set_regenerate_machine_id() asked for a
 * fresh one.
 *
 * Since: 0.1
 */
void
guestlink_identity_request_set_machine_id (GuestlinkIdentityRequest *self,
                                           const char               *machine_id)
{
  g_return_if_fail (self != NULL);

  replace_string (&self->machine_id, machine_id);
}

/**
 * guestlink_identity_request_set_regenerate_machine_id:
 * @self: a #GuestlinkIdentityRequest
 * @regenerate: whether the guest makes itself a new random machine-id
 *
 * Asks the guest for a new random (version 4) machine-id of its own
 * choosing. A retry of the same request keeps the one chosen first.
 *
 * Since: 0.1
 */
void
guestlink_identity_request_set_regenerate_machine_id (GuestlinkIdentityRequest *self,
                                                      gboolean                  regenerate)
{
  g_return_if_fail (self != NULL);

  self->regenerate_machine_id = !!regenerate;
}

/**
 * guestlink_identity_request_set_rotate_ssh_host_keys:
 * @self: a #GuestlinkIdentityRequest
 * @rotate: whether the guest makes new SSH host keys
 *
 * Asks for new SSH host keys, as guestlink_client_ssh_rotate_host_keys()
 * makes them for every type sshd is configured with.
 *
 * Since: 0.1
 */
void
guestlink_identity_request_set_rotate_ssh_host_keys (GuestlinkIdentityRequest *self,
                                                     gboolean                  rotate)
{
  g_return_if_fail (self != NULL);

  self->rotate_ssh_host_keys = !!rotate;
}

/**
 * guestlink_identity_request_set_reset_network_state:
 * @self: a #GuestlinkIdentityRequest
 * @reset: whether the guest forgets its network state
 *
 * Asks the guest to remove its DHCP leases and persistent interface names
 * and restart its network manager, so it does not present the template's
 * DHCP identity.
 *
 * Since: 0.1
 */
void
guestlink_identity_request_set_reset_network_state (GuestlinkIdentityRequest *self,
                                                    gboolean                  reset)
{
  g_return_if_fail (self != NULL);

  self->reset_network_state = !!reset;
}

/**
 * guestlink_identity_request_set_random_seed:
 * @self: a #GuestlinkIdentityRequest
 * @random_seed: (nullable): up to 4096 random bytes from the host, or
 *   %NULL for none
 *
 * Gives the guest randomness of the host's to mix into its kernel pool
 * and store as its systemd random seed, so that it does not start from
 * the seed it was cloned with.
 *
 * Since: 0.1
 */
void
guestlink_identity_request_set_random_seed (GuestlinkIdentityRequest *self,
                                            GBytes                   *random_seed)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->random_seed, g_bytes_unref);
  if (random_seed != NULL)
    self->random_seed = g_bytes_ref (random_seed);
}

JsonObject *
identity_request_to_arguments (GuestlinkIdentityRequest *self)
{
  const RequestIdentity identity = {
    .instance_id = self->instance_id,
    .host_name = self->host_name,
    .pretty_host_name = self->pretty_host_name,
    .machine_id = self->machine_id,
    .regenerate_machine_id = self->regenerate_machine_id,
    .rotate_ssh_host_keys = self->rotate_ssh_host_keys,
    .reset_network_state = self->reset_network_state,
    .random_seed = self->random_seed,
  };

  return request_arguments_set_identity (&identity);
}
