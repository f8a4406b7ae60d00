/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "find-program.h"

#include <string.h>

static const char * const sbin_dirs[] = { "/usr/sbin", "/sbin", "/usr/local/sbin" };

char *
harness_find_program (const char *name)
{
  char *path;

  if (strchr (name, '/') != NULL)
    return g_file_test (name, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (name) : NULL;

  path = g_find_program_in_path (name);
  for (gsize i = 0; path == NULL && i < G_N_ELEMENTS (sbin_dirs); i++)
    {
      g_autofree char *candidate = g_build_filename (sbin_dirs[i], name, NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        path = g_steal_pointer (&candidate);
    }

  return path;
}
