/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command families. Adding a command is one row in a family's table
 * and one handler; adding a family is one table here and one line in
 * commands_register_all().
 */
#pragma once

#include "command.h"
#include "fs-freezer.h"
#include "registry.h"

G_BEGIN_DECLS

extern const CommandSpec protocol_commands[];
extern const CommandSpec identity_commands[];
extern const CommandSpec sysinfo_commands[];
extern const CommandSpec network_commands[];
extern const CommandSpec fs_freeze_commands[];
extern const CommandSpec ssh_host_key_commands[];
extern const CommandSpec fs_info_commands[];
extern const CommandSpec fs_trim_commands[];
extern const CommandSpec ssh_authorized_keys_commands[];
/* Changes the machine: only in commands_register_all(). */
extern const CommandSpec ssh_host_key_rotate_commands[];

/* The families that only read the guest: what a fuzzer may drive on a
 * development machine. */
void commands_register_readers (CommandRegistry *registry);
/* Every family; @freezer is the freeze commands' state. */
void commands_register_all (CommandRegistry *registry,
                            FsFreezer       *freezer);

/* At start, in a worker thread: puts back the host keys of a rotation
 * an earlier agent did not finish (ssh_host_keys_recover()). What it
 * did is in the log. */
void ssh_host_key_commands_recover (void);

G_END_DECLS
