/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * __org.guestlink_set-identity: a cloned guest's own identity in one
 * call. The arguments are checked whole before anything changes; the
 * steps (identity-steps.h) then run in order in a worker thread, each
 * recorded in the journal (identity-journal.h) as soon as it is over.
 * A step that fails does not stop the others: a clone with a new host
 * name but the old keys is better off than one with neither, and the
 * reply says which steps failed. A retry of the same request runs the
 * steps that failed or never finished and answers as the first call
 * would have; the same instance-id with another request is refused.
 */
#include "config.h"

#include <gio/gio.h>

#include "commands.h"
#include "identity-lock.h"
#include "identity-steps.h"
#include "identity.h"
#include "message.h"
#include "small-file.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

static const IdentityStepFunc step_funcs[IDENTITY_STEP_COUNT] = {
  [IDENTITY_STEP_HOST_NAME] = identity_step_host_name,
  [IDENTITY_STEP_HOSTS_FILE] = identity_step_hosts_file,
  [IDENTITY_STEP_MACHINE_ID] = identity_step_machine_id,
  [IDENTITY_STEP_JOURNALD] = identity_step_journald,
  [IDENTITY_STEP_SSH_HOST_KEYS] = identity_step_ssh_host_keys,
  [IDENTITY_STEP_NETWORK_STATE] = identity_step_network_state,
  [IDENTITY_STEP_RANDOM_SEED] = identity_step_random_seed,
};

typedef struct {
  IdentityRequest *request;
  char *journal_path;
} SetIdentityWork;

static void
set_identity_work_free (gpointer data)
{
  SetIdentityWork *work = data;

  identity_request_free (work->request);
  g_free (work->journal_path);
  g_free (work);
}

static char *
read_boot_id (void)
{
  g_autofree char *contents = NULL;

  if (!small_file_read (BOOT_ID_PATH, SMALL_FILE_MAX_SIZE, &contents, NULL, NULL))
    return NULL;
  return g_strdup (g_strstrip (contents));
}

/* The journal of this request: the one on disk when it is this
 * request's (@out_resumed), else a new one, saved before any step runs
 * so that the machine-id chosen now is the one a retry writes. */
static IdentityJournal *
open_journal (const SetIdentityWork  *work,
              gboolean               *out_resumed,
              GError                **error)
{
  const IdentityRequest *request = work->request;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *digest = identity_request_digest (request);
  g_autoptr(IdentityJournal) journal = identity_journal_load (work->journal_path, &local_error);

  if (local_error != NULL)
    return command_set_generic_error (error, "%s", local_error->message);
  if (journal != NULL && g_str_equal (journal->instance_id, request->instance_id))
    {
      if (!g_str_equal (journal->request_digest, digest))
        return command_set_generic_error (error, "instance-id %s was already used for a different request",
                                          request->instance_id);
      *out_resumed = TRUE;
      return g_steal_pointer (&journal);
    }

  /* A new instance-id: a new run, whatever an older one left. */
  g_clear_pointer (&journal, identity_journal_free);
  journal = identity_journal_new (request->instance_id, digest);
  if (request->machine_id != NULL)
    journal->machine_id = g_strdup (request->machine_id);
  else if (request->regenerate_machine_id)
    {
      journal->machine_id = identity_machine_id_generate (&local_error);
      if (journal->machine_id == NULL)
        return command_set_generic_error (error, "%s", local_error->message);
    }
  journal->previous_machine_id = identity_machine_id_read ("/");
  if (!identity_journal_save (journal, work->journal_path, &local_error))
    return command_set_generic_error (error, "Nothing was changed: cannot write the set-identity journal: %s",
                                      local_error->message);
  *out_resumed = FALSE;
  return g_steal_pointer (&journal);
}

/* Notes the boot in which /etc/machine-id took the new id: the reboot
 * asked for is the next one. */
static void
note_machine_id_boot (IdentityJournal *journal)
{
  g_autofree char *current = NULL;

  if (journal->machine_id == NULL || journal->machine_id_boot_id != NULL ||
      g_strcmp0 (journal->machine_id, journal->previous_machine_id) == 0)
    return;
  current = identity_machine_id_read ("/");
  if (g_strcmp0 (current, journal->machine_id) == 0)
    journal->machine_id_boot_id = read_boot_id ();
}

static gboolean
reboot_required (const IdentityJournal *journal)
{
  g_autofree char *boot_id = NULL;

  if (journal->machine_id_boot_id == NULL)
    return FALSE;
  boot_id = read_boot_id ();
  return boot_id == NULL || g_str_equal (boot_id, journal->machine_id_boot_id);
}

static gboolean
run_step (IdentityStepContext  *context,
          IdentityStep          step,
          const char           *journal_path,
          GError              **error)
{
  IdentityJournal *journal = context->journal;
  const char *name = identity_step_name (step);
  g_autoptr(GError) step_error = NULL;
  g_autoptr(GError) save_error = NULL;
  g_autofree char *detail = NULL;
  IdentityStepStatus status;

  status = step_funcs[step] (context, &detail, &step_error);
  g_warn_if_fail (status != IDENTITY_STEP_PENDING);
  g_warn_if_fail ((status == IDENTITY_STEP_FAILED) == (step_error != NULL));
  if (step_error != NULL)
    g_dbus_error_strip_remote_error (step_error);
  identity_journal_record (journal, step, status, detail,
                           step_error != NULL ? step_error->message : NULL);
  if (step == IDENTITY_STEP_MACHINE_ID)
    note_machine_id_boot (journal);

  /* Failures are the host's to act on and in the reply; a warning would
   * add nothing but noise in the guest's log. */
  g_message ("set-identity %s: %s %s: %s", journal->instance_id, name,
             identity_step_status_name (status),
             step_error != NULL ? step_error->message : detail != NULL ? detail : "");

  if (!identity_journal_save (journal, journal_path, &save_error))
    {
      command_set_generic_error (error, "The %s step is %s, but the set-identity journal cannot be written, "
                                 "so the remaining steps were not run: %s", name,
                                 identity_step_status_name (status), save_error->message);
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
build_reply (const IdentityJournal *journal,
             gboolean               resumed)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gboolean complete = TRUE;

  for (guint i = 0; i < IDENTITY_STEP_COUNT; i++)
    complete &= journal->steps[i].status != IDENTITY_STEP_FAILED;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "instance-id");
  json_builder_add_string_value (builder, journal->instance_id);
  json_builder_set_member_name (builder, "resumed");
  json_builder_add_boolean_value (builder, resumed);
  json_builder_set_member_name (builder, "complete");
  json_builder_add_boolean_value (builder, complete);
  json_builder_set_member_name (builder, "steps");
  json_builder_add_value (builder, identity_journal_steps_to_json (journal));
  if (journal->ssh_host_keys != NULL)
    {
      json_builder_set_member_name (builder, "ssh-host-keys");
      json_builder_add_value (builder, json_node_copy (journal->ssh_host_keys));
    }
  json_builder_set_member_name (builder, "reboot-required");
  json_builder_add_boolean_value (builder, reboot_required (journal));
  json_builder_set_member_name (builder, "identity");
  json_builder_add_value (builder, identity_collect ("/"));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
run_set_identity (gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const SetIdentityWork *work = data;
  /* Never beside a host key rotation, or another set-identity from
   * another channel: from reading the journal to the reply. */
  g_autoptr(IdentityLock) lock = identity_lock_acquire ();
  g_autoptr(IdentityJournal) journal = NULL;
  IdentityStepContext context;
  gboolean resumed = FALSE;

  journal = open_journal (work, &resumed, error);
  if (journal == NULL)
    return NULL;
  if (resumed)
    g_message ("set-identity %s: resuming the earlier call", journal->instance_id);

  context = (IdentityStepContext) {
    .request = work->request,
    .journal = journal,
    .cancellable = cancellable,
  };
  for (IdentityStep step = 0; step < IDENTITY_STEP_COUNT; step++)
    {
      if (identity_journal_step_is_finished (journal, step))
        continue;
      /* Stopping between steps leaves the rest for a retry. */
      if (g_cancellable_is_cancelled (cancellable))
        return command_set_generic_error (error, "The agent is stopping; call again to finish from the %s step",
                                          identity_step_name (step));
      if (!run_step (&context, step, work->journal_path, error))
        return NULL;
    }

  return build_reply (journal, resumed);
}

static void
handle_set_identity (CommandCall *call)
{
  GError *error = NULL;
  IdentityRequest *request = identity_request_new (command_call_get_arguments (call), &error);
  SetIdentityWork *work;

  if (request == NULL)
    {
      command_call_return_error (call, error);
      return;
    }
  work = g_new0 (SetIdentityWork, 1);
  work->request = request;
  work->journal_path = g_strdup (command_call_get_family_data (call));
  command_call_run_in_thread (call, run_set_identity, work, set_identity_work_free);
}

static const CommandParam set_identity_params[] = {
  { "instance-id", PARAM_TYPE_STRING, FALSE },
  { "host-name", PARAM_TYPE_STRING, TRUE },
  { "pretty-host-name", PARAM_TYPE_STRING, TRUE },
  { "machine-id", PARAM_TYPE_STRING, TRUE },
  { "regenerate-machine-id", PARAM_TYPE_BOOLEAN, TRUE },
  { "rotate-ssh-host-keys", PARAM_TYPE_BOOLEAN, TRUE },
  { "reset-network-state", PARAM_TYPE_BOOLEAN, TRUE },
  { "random-seed", PARAM_TYPE_STRING, TRUE },
  { NULL }
};

/* Exclusive: what a host sends after it on the same connection sees the
 * new identity. */
const CommandSpec set_identity_commands[] = {
  { "__org.guestlink_set-identity", handle_set_identity, set_identity_params,
    COMMAND_FLAG_EXCLUSIVE },
  { NULL }
};
