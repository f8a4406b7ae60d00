/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "async-result.h"

void
async_result_store (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
async_result_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}
