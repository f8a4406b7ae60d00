/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * registry: every command the agent knows, in registration order, and
 * whether each may run now. Two things disable a command: the host
 * administrator's policy (--block-rpcs / --allow-rpcs) and frozen
 * filesystems, during which only COMMAND_FLAG_ALLOWED_WHILE_FROZEN runs.
 */
#pragma once

#include "command.h"

G_BEGIN_DECLS

CommandRegistry *command_registry_new (void);
void command_registry_free (CommandRegistry *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CommandRegistry, command_registry_free)

/* @table ends with a row whose name is NULL; it must outlive the registry. */
void command_registry_add_table (CommandRegistry   *self,
                                 const CommandSpec *table);
/* The same for a family whose handlers share state (the freezer):
 * @family_data is what command_call_get_family_data() gives them; it
 * must outlive the registry. */
void command_registry_add_table_with_data (CommandRegistry   *self,
                                           const CommandSpec *table,
                                           gpointer           family_data);
gpointer command_registry_get_family_data (CommandRegistry   *self,
                                          const CommandSpec *spec);

const CommandSpec *command_registry_lookup (CommandRegistry *self,
                                            const char      *name);

/* All commands in registration order; the array is owned by @self. */
GPtrArray *command_registry_get_all (CommandRegistry *self);

void command_registry_set_blocked (CommandRegistry   *self,
                                   const CommandSpec *spec,
                                   gboolean           blocked);
gboolean command_registry_is_blocked (CommandRegistry   *self,
                                      const CommandSpec *spec);

void command_registry_set_frozen (CommandRegistry *self,
                                  gboolean         frozen);
gboolean command_registry_get_frozen (CommandRegistry *self);

/* FALSE with qemu's CommandNotFound "has been disabled" error when @spec
 * may not run now. */
gboolean command_registry_check_enabled (CommandRegistry    *self,
                                         const CommandSpec  *spec,
                                         GError            **error);

G_END_DECLS
