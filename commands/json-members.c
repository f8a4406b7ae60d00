/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "json-members.h"

void
json_members_add_string (JsonBuilder *builder,
                         const char  *name,
                         const char  *value)
{
  g_return_if_fail (JSON_IS_BUILDER (builder));
  g_return_if_fail (name != NULL);

  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

void
json_members_add_nullable_string (JsonBuilder *builder,
                                  const char  *name,
                                  const char  *value)
{
  g_return_if_fail (JSON_IS_BUILDER (builder));
  g_return_if_fail (name != NULL);

  json_builder_set_member_name (builder, name);
  /* An explicit null node, not a string node holding NULL, so that a
   * reader of the tree (not only of the text) sees null too. */
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}
