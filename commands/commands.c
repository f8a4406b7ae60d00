/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "commands.h"

void
commands_register_readers (CommandRegistry *registry)
{
  command_registry_add_table (registry, protocol_commands);
  command_registry_add_table (registry, identity_commands);
  command_registry_add_table (registry, sysinfo_commands);
  command_registry_add_table (registry, network_commands);
  command_registry_add_table (registry, fs_info_commands);
  command_registry_add_table (registry, ssh_host_key_commands);
}

void
commands_register_all (CommandRegistry *registry,
                       FsFreezer       *freezer)
{
  commands_register_readers (registry);
  command_registry_add_table (registry, fs_trim_commands);
  /* Writes into homes: never in the readers the fuzzer drives. */
  command_registry_add_table (registry, ssh_authorized_keys_commands);
  /* Replaces /etc/ssh's host keys and reloads sshd. */
  command_registry_add_table (registry, ssh_host_key_rotate_commands);
  command_registry_add_table_with_data (registry, fs_freeze_commands, freezer);
}
