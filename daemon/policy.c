/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "policy.h"

static void
warn_unknown (CommandRegistry    *registry,
              const char * const *names,
              const char         *option)
{
  for (const char * const *name = names; *name != NULL; name++)
    if (command_registry_lookup (registry, *name) == NULL)
      g_warning ("%s: unknown command '%s' ignored", option, *name);
}

void
policy_apply (CommandRegistry    *registry,
              const char * const *allow,
              const char * const *block)
{
  GPtrArray *specs = command_registry_get_all (registry);

  warn_unknown (registry, allow, "allow-rpcs");
  warn_unknown (registry, block, "block-rpcs");

  for (guint i = 0; i < specs->len; i++)
    {
      const CommandSpec *spec = g_ptr_array_index (specs, i);
      gboolean blocked = (allow[0] != NULL && !g_strv_contains (allow, spec->name)) ||
                         g_strv_contains (block, spec->name);

      command_registry_set_blocked (registry, spec, blocked);
      if (blocked && g_str_has_prefix (spec->name, "guest-sync"))
        g_warning ("%s is disabled: hosts that synchronise with it (libvirt "
                   "does) cannot talk to this agent", spec->name);
    }
}
