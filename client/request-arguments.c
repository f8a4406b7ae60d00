/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "request-arguments.h"

static JsonArray *
string_array (const char * const *strings)
{
  JsonArray *array = json_array_new ();

  for (gsize i = 0; strings[i] != NULL; i++)
    json_array_add_string_element (array, strings[i]);
  return array;
}

const char *
request_arguments_freeze_command (const char * const *mountpoints)
{
  return mountpoints != NULL ? "guest-fsfreeze-freeze-list" : "guest-fsfreeze-freeze";
}

JsonObject *
request_arguments_freeze (const char * const *mountpoints)
{
  JsonObject *arguments;

  if (mountpoints == NULL)
    return NULL;

  arguments = json_object_new ();
  json_object_set_array_member (arguments, "mountpoints", string_array (mountpoints));
  return arguments;
}

JsonObject *
request_arguments_fstrim (gint64 minimum)
{
  JsonObject *arguments;

  if (minimum < 0)
    return NULL;

  arguments = json_object_new ();
  json_object_set_int_member (arguments, "minimum", minimum);
  return arguments;
}

JsonObject *
request_arguments_authorized_keys (const char         *username,
                                   const char * const *keys,
                                   gboolean            reset)
{
  JsonObject *arguments = json_object_new ();

  json_object_set_string_member (arguments, "username", username);
  if (keys != NULL)
    json_object_set_array_member (arguments, "keys", string_array (keys));
  /* Only when asked: qemu-ga's default is no reset. */
  if (reset)
    json_object_set_boolean_member (arguments, "reset", TRUE);
  return arguments;
}

JsonObject *
request_arguments_rotate_host_keys (const char * const *types)
{
  JsonObject *arguments;

  if (types == NULL)
    return NULL;

  arguments = json_object_new ();
  json_object_set_array_member (arguments, "types", string_array (types));
  return arguments;
}

static void
set_optional_string (JsonObject *arguments,
                     const char *member,
                     const char *value)
{
  if (value != NULL)
    json_object_set_string_member (arguments, member, value);
}

static void
set_optional_flag (JsonObject *arguments,
                   const char *member,
                   gboolean    value)
{
  if (value)
    json_object_set_boolean_member (arguments, member, TRUE);
}

JsonObject *
request_arguments_set_identity (const RequestIdentity *identity)
{
  JsonObject *arguments = json_object_new ();

  json_object_set_string_member (arguments, "instance-id", identity->instance_id);
  set_optional_string (arguments, "host-name", identity->host_name);
  set_optional_string (arguments, "pretty-host-name", identity->pretty_host_name);
  set_optional_string (arguments, "machine-id", identity->machine_id);
  set_optional_flag (arguments, "regenerate-machine-id", identity->regenerate_machine_id);
  set_optional_flag (arguments, "rotate-ssh-host-keys", identity->rotate_ssh_host_keys);
  set_optional_flag (arguments, "reset-network-state", identity->reset_network_state);
  if (identity->random_seed != NULL)
    {
      gsize size;
      const guchar *data = g_bytes_get_data (identity->random_seed, &size);
      g_autofree char *base64 = g_base64_encode (data, size);

      json_object_set_string_member (arguments, "random-seed", base64);
    }
  return arguments;
}
