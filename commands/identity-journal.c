/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "identity-journal.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>

#include "atomic-file.h"
#include "identity-validate.h"
#include "json-members.h"
#include "small-file.h"

/* Raised when the format changes in a way an older agent must not read. */
#define JOURNAL_VERSION 1
/* Seven steps with a sentence each and three public keys: kilobytes. */
#define JOURNAL_MAX_SIZE (1024 * 1024)
#define SHA256_HEX_LENGTH 64

static const char * const step_names[IDENTITY_STEP_COUNT] = {
  [IDENTITY_STEP_HOST_NAME] = "host-name",
  [IDENTITY_STEP_HOSTS_FILE] = "hosts-file",
  [IDENTITY_STEP_MACHINE_ID] = "machine-id",
  [IDENTITY_STEP_JOURNALD] = "journald",
  [IDENTITY_STEP_SSH_HOST_KEYS] = "ssh-host-keys",
  [IDENTITY_STEP_NETWORK_STATE] = "network-state",
  [IDENTITY_STEP_RANDOM_SEED] = "random-seed",
};

static const char * const status_names[] = {
  [IDENTITY_STEP_PENDING] = "pending",
  [IDENTITY_STEP_DONE] = "done",
  [IDENTITY_STEP_SKIPPED] = "skipped",
  [IDENTITY_STEP_FAILED] = "failed",
};

const char *
identity_step_name (IdentityStep step)
{
  g_return_val_if_fail (step < IDENTITY_STEP_COUNT, NULL);

  return step_names[step];
}

const char *
identity_step_status_name (IdentityStepStatus status)
{
  g_return_val_if_fail (status < G_N_ELEMENTS (status_names), NULL);

  return status_names[status];
}

IdentityJournal *
identity_journal_new (const char *instance_id,
                      const char *request_digest)
{
  IdentityJournal *journal;

  g_return_val_if_fail (instance_id != NULL, NULL);
  g_return_val_if_fail (request_digest != NULL, NULL);

  journal = g_new0 (IdentityJournal, 1);
  journal->instance_id = g_strdup (instance_id);
  journal->request_digest = g_strdup (request_digest);
  return journal;
}

static void
step_record_clear (IdentityStepRecord *record)
{
  g_clear_pointer (&record->detail, g_free);
  g_clear_pointer (&record->error, g_free);
}

void
identity_journal_free (IdentityJournal *journal)
{
  if (journal == NULL)
    return;

  g_free (journal->instance_id);
  g_free (journal->request_digest);
  g_free (journal->machine_id);
  g_free (journal->previous_machine_id);
  g_free (journal->machine_id_boot_id);
  for (guint i = 0; i < IDENTITY_STEP_COUNT; i++)
    step_record_clear (&journal->steps[i]);
  g_clear_pointer (&journal->ssh_host_keys, json_node_unref);
  g_free (journal);
}

void
identity_journal_record (IdentityJournal     *journal,
                         IdentityStep         step,
                         IdentityStepStatus   status,
                         const char          *detail,
                         const char          *error)
{
  IdentityStepRecord *record;

  g_return_if_fail (journal != NULL);
  g_return_if_fail (step < IDENTITY_STEP_COUNT);

  record = &journal->steps[step];
  step_record_clear (record);
  record->status = status;
  record->detail = g_strdup (detail);
  record->error = g_strdup (error);
}

gboolean
identity_journal_step_is_finished (const IdentityJournal *journal,
                                   IdentityStep           step)
{
  g_return_val_if_fail (journal != NULL, FALSE);
  g_return_val_if_fail (step < IDENTITY_STEP_COUNT, FALSE);

  return journal->steps[step].status == IDENTITY_STEP_DONE ||
         journal->steps[step].status == IDENTITY_STEP_SKIPPED;
}

/* ---- reading ------------------------------------------------------------ */

/* Sets @error; returns NULL, for the callers' return. */
static gpointer
invalid (GError     **error,
         const char  *path,
         const char  *format,
         ...) G_GNUC_PRINTF (3, 4);

static gpointer
invalid (GError     **error,
         const char  *path,
         const char  *format,
         ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s is not a set-identity journal: %s", path, reason);
  return NULL;
}

/* The string member @name of @object, or NULL when it is absent or not
 * a string. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* An optional machine-id member: absent, or valid. */
static gboolean
read_machine_id (JsonObject  *object,
                 const char  *name,
                 char       **out_machine_id)
{
  const char *machine_id = get_string (object, name);

  if (!json_object_has_member (object, name))
    return TRUE;
  if (machine_id == NULL || !identity_validate_machine_id (machine_id, NULL))
    return FALSE;
  *out_machine_id = g_strdup (machine_id);
  return TRUE;
}

static gboolean
is_sha256_hex (const char *text)
{
  if (text == NULL || strlen (text) != SHA256_HEX_LENGTH)
    return FALSE;
  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isxdigit (*c) || g_ascii_isupper (*c))
      return FALSE;
  return TRUE;
}

static gboolean
lookup_name (const char * const *names,
             guint               n_names,
             const char         *name,
             guint              *out_index)
{
  for (guint i = 0; name != NULL && i < n_names; i++)
    if (g_str_equal (names[i], name))
      {
        *out_index = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
read_steps (IdentityJournal  *journal,
            JsonArray        *steps,
            const char       *path,
            GError          **error)
{
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonNode *node = json_array_get_element (steps, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = object != NULL ? get_string (object, "name") : NULL;
      const char *status = object != NULL ? get_string (object, "status") : NULL;
      guint step, status_index;

      if (!lookup_name (step_names, IDENTITY_STEP_COUNT, name, &step))
        {
          invalid (error, path, "step %u has no known name", i);
          return FALSE;
        }
      if (!lookup_name (status_names, G_N_ELEMENTS (status_names), status, &status_index))
        {
          invalid (error, path, "step %s has no known status", name);
          return FALSE;
        }
      identity_journal_record (journal, step, status_index, get_string (object, "detail"),
                               get_string (object, "error"));
    }
  return TRUE;
}

static IdentityJournal *
journal_from_json (JsonNode    *root,
                   const char  *path,
                   GError     **error)
{
  g_autoptr(IdentityJournal) journal = NULL;
  JsonObject *object;
  JsonNode *node;
  const char *instance_id, *digest;
  gint64 version;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, path, "not a JSON object");
  object = json_node_get_object (root);

  node = json_object_get_member (object, "version");
  version = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
            json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node) : -1;
  if (version != JOURNAL_VERSION)
    return invalid (error, path, "version %" G_GINT64_FORMAT ", not %d", version,
                    JOURNAL_VERSION);

  instance_id = get_string (object, "instance-id");
  if (instance_id == NULL || !identity_validate_instance_id (instance_id, NULL))
    return invalid (error, path, "no valid instance-id");
  digest = get_string (object, "request-digest");
  if (!is_sha256_hex (digest))
    return invalid (error, path, "no valid request-digest");
  journal = identity_journal_new (instance_id, digest);

  if (!read_machine_id (object, "machine-id", &journal->machine_id) ||
      !read_machine_id (object, "previous-machine-id", &journal->previous_machine_id))
    return invalid (error, path, "a machine-id is not valid");
  journal->machine_id_boot_id = g_strdup (get_string (object, "machine-id-boot-id"));

  node = json_object_get_member (object, "steps");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, path, "no steps");
  if (!read_steps (journal, json_node_get_array (node), path, error))
    return NULL;

  node = json_object_get_member (object, "ssh-host-keys");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return invalid (error, path, "ssh-host-keys is not an object");
      journal->ssh_host_keys = json_node_copy (node);
    }

  return g_steal_pointer (&journal);
}

IdentityJournal *
identity_journal_load (const char  *path,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!small_file_read (path, JOURNAL_MAX_SIZE, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Cannot read the set-identity journal: ");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, contents, (gssize) length, &local_error))
    return invalid (error, path, "%s", local_error->message);
  return journal_from_json (json_parser_get_root (parser), path, error);
}

/* ---- writing ------------------------------------------------------------ */

JsonNode *
identity_journal_steps_to_json (const IdentityJournal *journal)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (journal != NULL, NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; i < IDENTITY_STEP_COUNT; i++)
    {
      const IdentityStepRecord *record = &journal->steps[i];

      json_builder_begin_object (builder);
      json_members_add_string (builder, "name", step_names[i]);
      json_members_add_string (builder, "status", status_names[record->status]);
      json_members_add_string (builder, "detail", record->detail);
      json_members_add_string (builder, "error", record->error);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
journal_to_json (const IdentityJournal *journal)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, JOURNAL_VERSION);
  json_members_add_string (builder, "instance-id", journal->instance_id);
  json_members_add_string (builder, "request-digest", journal->request_digest);
  json_members_add_string (builder, "machine-id", journal->machine_id);
  json_members_add_string (builder, "previous-machine-id", journal->previous_machine_id);
  json_members_add_string (builder, "machine-id-boot-id", journal->machine_id_boot_id);
  json_builder_set_member_name (builder, "steps");
  json_builder_add_value (builder, identity_journal_steps_to_json (journal));
  if (journal->ssh_host_keys != NULL)
    {
      json_builder_set_member_name (builder, "ssh-host-keys");
      json_builder_add_value (builder, json_node_copy (journal->ssh_host_keys));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
identity_journal_save (const IdentityJournal  *journal,
                       const char             *path,
                       GError                **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_return_val_if_fail (journal != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create the directory %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  root = journal_to_json (journal);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);
  return atomic_file_replace (path, text, length, 0600, -1, -1, error);
}
