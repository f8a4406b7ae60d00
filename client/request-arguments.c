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
