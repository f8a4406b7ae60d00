/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "message.h"
#include "registry.h"

struct _CommandRegistry {
  GPtrArray *specs;          /* const CommandSpec *, registration order */
  GHashTable *by_name;       /* name -> const CommandSpec * */
  GHashTable *blocked;       /* set of const CommandSpec * */
  GHashTable *family_data;   /* const CommandSpec * -> its family's state */
  gboolean frozen;
};

CommandRegistry *
command_registry_new (void)
{
  CommandRegistry *self = g_new0 (CommandRegistry, 1);

  self->specs = g_ptr_array_new ();
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->blocked = g_hash_table_new (NULL, NULL);
  self->family_data = g_hash_table_new (NULL, NULL);
  return self;
}

void
command_registry_free (CommandRegistry *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->specs);
  g_hash_table_unref (self->by_name);
  g_hash_table_unref (self->blocked);
  g_hash_table_unref (self->family_data);
  g_free (self);
}

void
command_registry_add_table (CommandRegistry   *self,
                            const CommandSpec *table)
{
  command_registry_add_table_with_data (self, table, NULL);
}

void
command_registry_add_table_with_data (CommandRegistry   *self,
                                      const CommandSpec *table,
                                      gpointer           family_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (table != NULL);

  for (const CommandSpec *spec = table; spec->name != NULL; spec++)
    {
      g_return_if_fail (spec->handler != NULL);
      g_return_if_fail (!g_hash_table_contains (self->by_name, spec->name));

      g_ptr_array_add (self->specs, (gpointer) spec);
      g_hash_table_insert (self->by_name, (gpointer) spec->name, (gpointer) spec);
      if (family_data != NULL)
        g_hash_table_insert (self->family_data, (gpointer) spec, family_data);
    }
}

gpointer
command_registry_get_family_data (CommandRegistry   *self,
                                  const CommandSpec *spec)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  return g_hash_table_lookup (self->family_data, spec);
}

const CommandSpec *
command_registry_lookup (CommandRegistry *self,
                         const char      *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (self->by_name, name);
}

GPtrArray *
command_registry_get_all (CommandRegistry *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->specs;
}

void
command_registry_set_blocked (CommandRegistry   *self,
                              const CommandSpec *spec,
                              gboolean           blocked)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (spec != NULL);

  if (blocked)
    g_hash_table_add (self->blocked, (gpointer) spec);
  else
    g_hash_table_remove (self->blocked, spec);
}

gboolean
command_registry_is_blocked (CommandRegistry   *self,
                             const CommandSpec *spec)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return g_hash_table_contains (self->blocked, spec);
}

void
command_registry_set_frozen (CommandRegistry *self,
                             gboolean         frozen)
{
  g_return_if_fail (self != NULL);

  self->frozen = frozen;
}

gboolean
command_registry_get_frozen (CommandRegistry *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->frozen;
}

gboolean
command_registry_check_enabled (CommandRegistry    *self,
                                const CommandSpec  *spec,
                                GError            **error)
{
  const char *reason = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  /* The reasons are upstream qemu-ga's words. */
  if (command_registry_is_blocked (self, spec))
    reason = "the command is not allowed";
  else if (self->frozen && !(spec->flags & COMMAND_FLAG_ALLOWED_WHILE_FROZEN))
    reason = "the agent is in frozen state";

  if (reason == NULL)
    return TRUE;

  g_set_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_COMMAND_NOT_FOUND,
               "Command %s has been disabled: %s", spec->name, reason);
  return FALSE;
}
