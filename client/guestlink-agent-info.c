/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "guestlink-agent-info-private.h"

/**
 * GuestlinkAgentCommand:
 *
 * One entry of the agent's command list, as guest-info reports it.
 *
 * Since: 0.1
 */
struct _GuestlinkAgentCommand
{
  GObject parent_instance;

  char *name;
  gboolean enabled;
  gboolean success_response;
};

G_DEFINE_FINAL_TYPE (GuestlinkAgentCommand, guestlink_agent_command, G_TYPE_OBJECT)

typedef enum
{
  PROP_COMMAND_NAME = 1,
  PROP_COMMAND_ENABLED,
  PROP_COMMAND_SUCCESS_RESPONSE,
} GuestlinkAgentCommandProperty;

static GParamSpec *command_props[PROP_COMMAND_SUCCESS_RESPONSE + 1];

static void
guestlink_agent_command_init (GuestlinkAgentCommand *self)
{
}

static void
guestlink_agent_command_finalize (GObject *object)
{
  GuestlinkAgentCommand *self = GUESTLINK_AGENT_COMMAND (object);

  g_free (self->name);

  G_OBJECT_CLASS (guestlink_agent_command_parent_class)->finalize (object);
}

static void
guestlink_agent_command_get_property (GObject    *object,
                                      guint       property_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  GuestlinkAgentCommand *self = GUESTLINK_AGENT_COMMAND (object);

  switch ((GuestlinkAgentCommandProperty) property_id)
    {
    case PROP_COMMAND_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_COMMAND_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_COMMAND_SUCCESS_RESPONSE:
      g_value_set_boolean (value, self->success_response);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, property_id, pspec);
      break;
    }
}

static void
guestlink_agent_command_class_init (GuestlinkAgentCommandClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = guestlink_agent_command_finalize;
  object_class->get_property = guestlink_agent_command_get_property;

  /**
   * GuestlinkAgentCommand:name:
   *
   * The command's name, for example `guest-ping`.
   *
   * Since: 0.1
   */
  command_props[PROP_COMMAND_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GuestlinkAgentCommand:enabled:
   *
   * Whether the agent runs the command; disabled commands fail with
   * %GUESTLINK_ERROR_COMMAND_DISABLED.
   *
   * Since: 0.1
   */
  command_props[PROP_COMMAND_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GuestlinkAgentCommand:success-response:
   *
   * Whether the agent answers the command when it succeeds. Commands such
   * as guest-shutdown answer only when they fail.
   *
   * Since: 0.1
   */
  command_props[PROP_COMMAND_SUCCESS_RESPONSE] =
    g_param_spec_boolean ("success-response", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, G_N_ELEMENTS (command_props),
                                     command_props);
}

/**
 * guestlink_agent_command_get_name:
 * @self: a #GuestlinkAgentCommand
 *
 * Gets the value of #GuestlinkAgentCommand:name.
 *
 * Returns: (transfer none): the command's name
 *
 * Since: 0.1
 */
const char *
guestlink_agent_command_get_name (GuestlinkAgentCommand *self)
{
  g_return_val_if_fail (GUESTLINK_IS_AGENT_COMMAND (self), NULL);

  return self->name;
}

/**
 * guestlink_agent_command_get_enabled:
 * @self: a #GuestlinkAgentCommand
 *
 * Gets the value of #GuestlinkAgentCommand:enabled.
 *
 * Returns: %TRUE if the agent runs the command
 *
 * Since: 0.1
 */
gboolean
guestlink_agent_command_get_enabled (GuestlinkAgentCommand *self)
{
  g_return_val_if_fail (GUESTLINK_IS_AGENT_COMMAND (self), FALSE);

  return self->enabled;
}

/**
 * guestlink_agent_command_get_success_response:
 * @self: a #GuestlinkAgentCommand
 *
 * Gets the value of #GuestlinkAgentCommand:success-response.
 *
 * Returns: %TRUE if the agent answers the command when it succeeds
 *
 * Since: 0.1
 */
gboolean
guestlink_agent_command_get_success_response (GuestlinkAgentCommand *self)
{
  g_return_val_if_fail (GUESTLINK_IS_AGENT_COMMAND (self), FALSE);

  return self->success_response;
}

/**
 * GuestlinkAgentInfo:
 *
 * What guest-info reports: the agent's version and the commands it knows.
 * It is a snapshot; commands can be disabled and enabled again later, for
 * example while filesystems are frozen.
 *
 * Since: 0.1
 */
struct _GuestlinkAgentInfo
{
  GObject parent_instance;

  char *version;
  GPtrArray *commands;  /* (element-type GuestlinkAgentCommand) */
};

G_DEFINE_FINAL_TYPE (GuestlinkAgentInfo, guestlink_agent_info, G_TYPE_OBJECT)

typedef enum
{
  PROP_INFO_VERSION = 1,
} GuestlinkAgentInfoProperty;

static GParamSpec *info_props[PROP_INFO_VERSION + 1];

static void
guestlink_agent_info_init (GuestlinkAgentInfo *self)
{
  self->commands = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
guestlink_agent_info_finalize (GObject *object)
{
  GuestlinkAgentInfo *self = GUESTLINK_AGENT_INFO (object);

  g_free (self->version);
  g_ptr_array_unref (self->commands);

  G_OBJECT_CLASS (guestlink_agent_info_parent_class)->finalize (object);
}

static void
guestlink_agent_info_get_property (GObject    *object,
                                   guint       property_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  GuestlinkAgentInfo *self = GUESTLINK_AGENT_INFO (object);

  switch ((GuestlinkAgentInfoProperty) property_id)
    {
    case PROP_INFO_VERSION:
      g_value_set_string (value, self->version);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, property_id, pspec);
      break;
    }
}

static void
guestlink_agent_info_class_init (GuestlinkAgentInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = guestlink_agent_info_finalize;
  object_class->get_property = guestlink_agent_info_get_property;

  /**
   * GuestlinkAgentInfo:version:
   *
   * The agent's version string, for example `7.2.0`.
   *
   * Since: 0.1
   */
  info_props[PROP_INFO_VERSION] =
    g_param_spec_string ("version", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, G_N_ELEMENTS (info_props),
                                     info_props);
}

/**
 * guestlink_agent_info_get_version:
 * @self: a #GuestlinkAgentInfo
 *
 * Gets the value of #GuestlinkAgentInfo:version.
 *
 * Returns: (transfer none): the agent's version string
 *
 * Since: 0.1
 */
const char *
guestlink_agent_info_get_version (GuestlinkAgentInfo *self)
{
  g_return_val_if_fail (GUESTLINK_IS_AGENT_INFO (self), NULL);

  return self->version;
}

/**
 * guestlink_agent_info_get_commands:
 * @self: a #GuestlinkAgentInfo
 *
 * Gets the commands the agent reported, in the agent's order.
 *
 * Returns: (transfer none) (element-type GuestlinkAgentCommand): the
 *   commands
 *
 * Since: 0.1
 */
GPtrArray *
guestlink_agent_info_get_commands (GuestlinkAgentInfo *self)
{
  g_return_val_if_fail (GUESTLINK_IS_AGENT_INFO (self), NULL);

  return self->commands;
}

/**
 * guestlink_agent_info_lookup_command:
 * @self: a #GuestlinkAgentInfo
 * @name: a command name, for example `guest-ping`
 *
 * Finds a command by its name.
 *
 * Returns: (transfer none) (nullable): the command, or %NULL if the agent
 *   did not report it
 *
 * Since: 0.1
 */
GuestlinkAgentCommand *
guestlink_agent_info_lookup_command (GuestlinkAgentInfo *self,
                                     const char         *name)
{
  g_return_val_if_fail (GUESTLINK_IS_AGENT_INFO (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->commands->len; i++)
    {
      GuestlinkAgentCommand *command = g_ptr_array_index (self->commands, i);

      if (g_str_equal (command->name, name))
        return command;
    }

  return NULL;
}

static gboolean
member_is (JsonObject *object,
           const char *name,
           GType       value_type)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == value_type;
}

static void
set_malformed_error (GError    **error,
                     const char *what)
{
  g_set_error (error, GUESTLINK_ERROR, GUESTLINK_ERROR_PROTOCOL,
               "the agent's guest-info reply is malformed: %s", what);
}

static GuestlinkAgentCommand *
command_new_from_json (JsonNode  *node,
                       GError   **error)
{
  g_autoptr(GuestlinkAgentCommand) command = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      set_malformed_error (error, "a command entry is not an object");
      return NULL;
    }
  object = json_node_get_object (node);

  if (!member_is (object, "name", G_TYPE_STRING) ||
      !member_is (object, "enabled", G_TYPE_BOOLEAN) ||
      !member_is (object, "success-response", G_TYPE_BOOLEAN))
    {
      set_malformed_error (error, "a command entry lacks name, enabled or success-response");
      return NULL;
    }

  command = g_object_new (GUESTLINK_TYPE_AGENT_COMMAND, NULL);
  command->name = g_strdup (json_object_get_string_member (object, "name"));
  command->enabled = json_object_get_boolean_member (object, "enabled");
  command->success_response = json_object_get_boolean_member (object, "success-response");

  return g_steal_pointer (&command);
}

GuestlinkAgentInfo *
agent_info_new_from_json (JsonNode  *result,
                          GError   **error)
{
  g_autoptr(GuestlinkAgentInfo) info = NULL;
  JsonObject *object;
  JsonNode *commands;
  JsonArray *array;

  if (!JSON_NODE_HOLDS_OBJECT (result))
    {
      set_malformed_error (error, "not an object");
      return NULL;
    }
  object = json_node_get_object (result);

  if (!member_is (object, "version", G_TYPE_STRING))
    {
      set_malformed_error (error, "no version string");
      return NULL;
    }

  commands = json_object_get_member (object, "supported_commands");
  if (commands == NULL || !JSON_NODE_HOLDS_ARRAY (commands))
    {
      set_malformed_error (error, "no supported_commands array");
      return NULL;
    }

  info = g_object_new (GUESTLINK_TYPE_AGENT_INFO, NULL);
  info->version = g_strdup (json_object_get_string_member (object, "version"));

  array = json_node_get_array (commands);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      GuestlinkAgentCommand *command;

      command = command_new_from_json (json_array_get_element (array, i), error);
      if (command == NULL)
        return NULL;
      g_ptr_array_add (info->commands, command);
    }

  return g_steal_pointer (&info);
}
