/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The identity family: what a management stack reads to tell guests
 * apart and to trust their SSH host keys. The files are few and small, so
 * they are read on the main loop; nothing here writes, yet the command is
 * not allowed while frozen, because DESIGN's frozen allow-list is explicit.
 */
#include "config.h"

#include "identity.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "commands.h"
#include "identity-validate.h"
#include "json-members.h"
#include "small-file.h"
#include "ssh-host-keys.h"

#define UUID_LENGTH 36

/* machine-id(5) states, as systemd tells them apart at boot. */
typedef enum {
  ID128_STATE_VALID,
  ID128_STATE_MISSING,
  ID128_STATE_EMPTY,
  ID128_STATE_UNINITIALIZED,
  ID128_STATE_INVALID,
  ID128_STATE_UNREADABLE,
} Id128State;

static const char *
id128_state_name (Id128State state)
{
  switch (state)
    {
    case ID128_STATE_VALID: return "valid";
    case ID128_STATE_MISSING: return "missing";
    case ID128_STATE_EMPTY: return "empty";
    case ID128_STATE_UNINITIALIZED: return "uninitialized";
    case ID128_STATE_INVALID: return "invalid";
    case ID128_STATE_UNREADABLE: return "unreadable";
    default: g_return_val_if_reached ("invalid");
    }
}

static char *
read_below (const char  *root,
            const char  *relative_path,
            GError     **error)
{
  g_autofree char *path = g_build_filename (root, relative_path, NULL);
  char *contents = NULL;
  gsize length = 0;

  if (!small_file_read (path, SMALL_FILE_MAX_SIZE, &contents, &length, error))
    return NULL;
  /* A NUL inside would silently cut the text short; treat it as garbage. */
  if (strlen (contents) != length)
    {
      g_free (contents);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s contains a NUL byte", path);
      return NULL;
    }
  return contents;
}

static gboolean
is_lower_hex_digit (char c)
{
  return g_ascii_isxdigit (c) && !g_ascii_isupper (c);
}

/* machine-id(5): 32 lowercase hex digits and a newline; systemd writes
 * "uninitialized" while the first boot has not committed one yet. */
static Id128State
read_id128_file (const char  *root,
                 const char  *relative_path,
                 char       **out_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = read_below (root, relative_path, &error);
  gsize length;

  if (contents == NULL)
    return g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
           ? ID128_STATE_MISSING : ID128_STATE_UNREADABLE;

  g_strstrip (contents);
  length = strlen (contents);
  if (length == 0)
    return ID128_STATE_EMPTY;
  if (g_str_equal (contents, "uninitialized"))
    return ID128_STATE_UNINITIALIZED;
  /* The same rule as for a machine id the host sets: not all zero, which
   * is systemd's "null" id, never a machine's. */
  if (!identity_validate_machine_id (contents, NULL))
    return ID128_STATE_INVALID;

  *out_id = g_steal_pointer (&contents);
  return ID128_STATE_VALID;
}

/* 8-4-4-4-12 hex digits, lowercased; NULL if @text is not a UUID. */
static char *
parse_uuid (const char *text)
{
  g_autofree char *uuid = g_ascii_strdown (text, -1);

  g_strstrip (uuid);
  if (strlen (uuid) != UUID_LENGTH)
    return NULL;
  for (gsize i = 0; i < UUID_LENGTH; i++)
    {
      gboolean dash_expected = i == 8 || i == 13 || i == 18 || i == 23;

      if (dash_expected ? uuid[i] != '-' : !is_lower_hex_digit (uuid[i]))
        return NULL;
    }
  return g_steal_pointer (&uuid);
}

/* The boot id in sd_id128 form (32 hex digits, no dashes), the form
 * journalctl's _BOOT_ID and machine-id use. */
static char *
read_boot_id (const char *root)
{
  g_autofree char *contents = read_below (root, "proc/sys/kernel/random/boot_id", NULL);
  g_autofree char *uuid = contents != NULL ? parse_uuid (contents) : NULL;
  GString *id;

  if (uuid == NULL)
    return NULL;
  id = g_string_new (NULL);
  for (const char *p = uuid; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (id, *p);
  return g_string_free (id, FALSE);
}

/* The first line that is neither blank nor a comment, trimmed: what
 * systemd's read_etc_hostname() takes from /etc/hostname. */
static char *
read_static_host_name (const char *root)
{
  g_autofree char *contents = read_below (root, "etc/hostname", NULL);
  g_auto(GStrv) lines = NULL;

  if (contents == NULL)
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0' && lines[i][0] != '#')
        return g_utf8_make_valid (lines[i], -1);
    }
  return NULL;
}

static gboolean
is_env_name (const char *name)
{
  if (!g_ascii_isalpha (*name) && *name != '_')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* KEY=VALUE lines with shell quoting, as os-release(5) and machine-info(5)
 * define them; lines that do not parse are ignored, as systemd does. */
static GHashTable *
parse_env_file (const char *contents)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *equals = strchr (line, '=');
      g_autofree char *value = NULL;

      if (line[0] == '#' || equals == NULL)
        continue;
      *equals = '\0';
      g_strchomp (line);
      if (!is_env_name (line))
        continue;
      value = g_shell_unquote (g_strchug (equals + 1), NULL);
      if (value != NULL)
        g_hash_table_replace (values, g_strdup (line), g_utf8_make_valid (value, -1));
    }
  return g_steal_pointer (&values);
}

static GHashTable *
read_env_file (const char *root,
               const char *relative_path,
               GError    **error)
{
  g_autofree char *contents = read_below (root, relative_path, error);

  return contents != NULL ? parse_env_file (contents) : NULL;
}

/* os-release(5): /usr/lib/os-release is read only when /etc/os-release
 * does not exist. */
GHashTable *
identity_read_os_release (const char *root)
{
  g_autoptr(GError) error = NULL;
  GHashTable *values = read_env_file (root, "etc/os-release", &error);

  if (values == NULL && g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    values = read_env_file (root, "usr/lib/os-release", NULL);
  return values;
}

static gboolean
same_file (const char *root,
           const char *relative_a,
           const char *relative_b)
{
  g_autofree char *path_a = g_build_filename (root, relative_a, NULL);
  g_autofree char *path_b = g_build_filename (root, relative_b, NULL);
  struct stat st_a, st_b;

  /* stat() follows the link, so a symlink, a hard link and a bind mount
   * all count. */
  return stat (path_a, &st_a) == 0 && stat (path_b, &st_b) == 0
         && st_a.st_dev == st_b.st_dev && st_a.st_ino == st_b.st_ino;
}

static void
add_boolean (JsonBuilder *builder,
             const char  *name,
             gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
add_id128 (JsonBuilder *builder,
           const char  *name,
           Id128State   state,
           const char  *value)
{
  g_autofree char *state_name = g_strconcat (name, "-state", NULL);

  json_members_add_string (builder, state_name, id128_state_name (state));
  json_members_add_string (builder, name, value);
}

static void
add_host_names (JsonBuilder *builder,
                const char  *root)
{
  g_autoptr(GHashTable) machine_info = read_env_file (root, "etc/machine-info", NULL);
  g_autofree char *static_name = read_static_host_name (root);
  const char *pretty_name = machine_info != NULL
                            ? g_hash_table_lookup (machine_info, "PRETTY_HOSTNAME") : NULL;
  struct utsname uts;

  /* The kernel's name, not one below @root: there is one per UTS
   * namespace, whatever the file system says. */
  if (uname (&uts) == 0)
    {
      g_autofree char *host_name = g_utf8_make_valid (uts.nodename, -1);

      json_members_add_string (builder, "host-name", host_name);
    }
  json_members_add_string (builder, "static-host-name", static_name);
  if (pretty_name != NULL && pretty_name[0] != '\0')
    json_members_add_string (builder, "pretty-host-name", pretty_name);
}

static void
add_machine_ids (JsonBuilder *builder,
                 const char  *root)
{
  static const char etc_path[] = "etc/machine-id";
  static const char dbus_path[] = "var/lib/dbus/machine-id";
  g_autofree char *machine_id = NULL;
  g_autofree char *dbus_machine_id = NULL;
  Id128State state = read_id128_file (root, etc_path, &machine_id);
  Id128State dbus_state = read_id128_file (root, dbus_path, &dbus_machine_id);

  add_id128 (builder, "machine-id", state, machine_id);
  add_id128 (builder, "dbus-machine-id", dbus_state, dbus_machine_id);
  add_boolean (builder, "dbus-machine-id-is-link", same_file (root, dbus_path, etc_path));
  add_boolean (builder, "dbus-machine-id-matches",
               machine_id != NULL && dbus_machine_id != NULL
               && g_str_equal (machine_id, dbus_machine_id));
}

static void
add_os (JsonBuilder *builder,
        const char  *root)
{
  g_autoptr(GHashTable) os_release = identity_read_os_release (root);

  json_builder_set_member_name (builder, "os");
  json_builder_begin_object (builder);
  if (os_release != NULL)
    {
      json_members_add_string (builder, "id", g_hash_table_lookup (os_release, "ID"));
      json_members_add_string (builder, "version-id", g_hash_table_lookup (os_release, "VERSION_ID"));
    }
  json_builder_end_object (builder);
}

static void
add_ssh_host_keys (JsonBuilder *builder,
                   const char  *root)
{
  g_autofree char *dir = g_build_filename (root, "etc/ssh", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = ssh_host_keys_list (dir, &error);

  /* An unreadable /etc/ssh (a file, a broken mount) has no keys to tell;
   * the reason goes to the log rather than failing the whole identity. */
  if (keys == NULL)
    {
      g_message ("No SSH host keys: %s", error->message);
      keys = g_ptr_array_new_with_free_func ((GDestroyNotify) ssh_host_key_free);
    }
  json_builder_set_member_name (builder, "ssh-host-keys");
  json_builder_add_value (builder, ssh_host_keys_to_json (keys));
}

JsonNode *
identity_collect (const char *root)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *boot_id = NULL;
  g_autofree char *product_uuid_text = NULL;
  g_autofree char *product_uuid = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  boot_id = read_boot_id (root);
  /* Readable by root only; firmware without DMI (Firecracker, some ARM
   * boards) has none. */
  product_uuid_text = read_below (root, "sys/class/dmi/id/product_uuid", NULL);
  product_uuid = product_uuid_text != NULL ? parse_uuid (product_uuid_text) : NULL;

  json_builder_begin_object (builder);
  add_host_names (builder, root);
  add_machine_ids (builder, root);
  json_members_add_string (builder, "boot-id", boot_id);
  json_members_add_string (builder, "product-uuid", product_uuid);
  add_os (builder, root);
  add_ssh_host_keys (builder, root);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
handle_get_identity (CommandCall *call)
{
  command_call_return (call, identity_collect ("/"));
}

const CommandSpec identity_commands[] = {
  { "__org.guestlink_get-identity", handle_get_identity, NULL, COMMAND_FLAG_NONE },
  { NULL }
};
