/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "commands.h"

void
commands_register_all (CommandRegistry *registry)
{
  command_registry_add_table (registry, protocol_commands);
  command_registry_add_table (registry, identity_commands);
  command_registry_add_table (registry, sysinfo_commands);
  command_registry_add_table (registry, network_commands);
  command_registry_add_table (registry, fs_info_commands);
  command_registry_add_table (registry, fs_trim_commands);
}
