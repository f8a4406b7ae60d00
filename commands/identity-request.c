/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "identity-request.h"

#include <limits.h>

#include "identity-validate.h"
#include "message.h"

void
identity_request_free (IdentityRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->instance_id);
  g_free (request->host_name);
  g_free (request->pretty_host_name);
  g_free (request->machine_id);
  g_clear_pointer (&request->random_seed, g_bytes_unref);
  g_free (request);
}

typedef gboolean (*ValidateFunc) (const char *value, GError **error);

/* The string @name of @arguments, checked by @validate; NULL without
 * error when absent. */
static gboolean
take_string (JsonObject    *arguments,
             const char    *name,
             ValidateFunc   validate,
             char         **out_value,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *value;

  if (arguments == NULL || !json_object_has_member (arguments, name))
    return TRUE;

  value = json_object_get_string_member (arguments, name);
  if (!validate (value, &local_error))
    {
      g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                   "Parameter '%s' is invalid: %s", name, local_error->message);
      return FALSE;
    }
  *out_value = g_strdup (value);
  return TRUE;
}

/* RFC 1123 allows 253 characters, the kernel's utsname 64 (HOST_NAME_MAX),
 * and so do hostnamed and sethostname(): a longer name would fail half
 * way through, after other steps changed the machine. */
static gboolean
validate_host_name (const char  *name,
                    GError     **error)
{
  gsize length = strlen (name);

  if (!identity_validate_host_name (name, error))
    return FALSE;
  if (length > HOST_NAME_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "it is %" G_GSIZE_FORMAT " characters long, more than the kernel's %d",
                   length, HOST_NAME_MAX);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_boolean (JsonObject *arguments,
             const char *name)
{
  return arguments != NULL && json_object_has_member (arguments, name) &&
         json_object_get_boolean_member (arguments, name);
}

IdentityRequest *
identity_request_new (JsonObject  *arguments,
                      GError     **error)
{
  g_autoptr(IdentityRequest) request = g_new0 (IdentityRequest, 1);

  if (arguments == NULL || !json_object_has_member (arguments, "instance-id"))
    {
      g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                   "Parameter 'instance-id' is missing");
      return NULL;
    }
  if (!take_string (arguments, "instance-id", identity_validate_instance_id,
                    &request->instance_id, error) ||
      !take_string (arguments, "host-name", validate_host_name, &request->host_name, error) ||
      !take_string (arguments, "pretty-host-name", identity_validate_pretty_host_name,
                    &request->pretty_host_name, error) ||
      !take_string (arguments, "machine-id", identity_validate_machine_id,
                    &request->machine_id, error))
    return NULL;

  if (json_object_has_member (arguments, "random-seed"))
    {
      g_autoptr(GError) local_error = NULL;

      request->random_seed =
        identity_decode_random_seed (json_object_get_string_member (arguments, "random-seed"),
                                     &local_error);
      if (request->random_seed == NULL)
        {
          g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_GENERIC,
                       "Parameter 'random-seed' is invalid: %s", local_error->message);
          return NULL;
        }
    }

  request->regenerate_machine_id = get_boolean (arguments, "regenerate-machine-id");
  request->rotate_ssh_host_keys = get_boolean (arguments, "rotate-ssh-host-keys");
  request->reset_network_state = get_boolean (arguments, "reset-network-state");
  return g_steal_pointer (&request);
}

static void
add_optional_string (JsonBuilder *builder,
                     const char  *value)
{
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

char *
identity_request_digest (const IdentityRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) canonical = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (request != NULL, NULL);

  /* A JSON array in parameter order: quoting makes the form unambiguous
   * whatever the strings hold, and json-glib writes it the same way
   * every time. Booleans are never absent: a default false and an
   * explicit false are the same request. */
  json_builder_begin_array (builder);
  add_optional_string (builder, request->instance_id);
  add_optional_string (builder, request->host_name);
  add_optional_string (builder, request->pretty_host_name);
  add_optional_string (builder, request->machine_id);
  json_builder_add_boolean_value (builder, request->regenerate_machine_id);
  json_builder_add_boolean_value (builder, request->rotate_ssh_host_keys);
  json_builder_add_boolean_value (builder, request->reset_network_state);
  /* Whether there is a seed, not its bytes: a host that retries sends
   * fresh randomness (`guestlink set-identity --seed-from-host` does),
   * and that is still the same request. The bytes also stay out of the
   * journal this way, even as a hash that a short seed could be guessed
   * from. */
  json_builder_add_boolean_value (builder, request->random_seed != NULL);
  json_builder_end_array (builder);

  canonical = json_builder_get_root (builder);
  json_generator_set_root (generator, canonical);
  text = json_generator_to_data (generator, NULL);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}
