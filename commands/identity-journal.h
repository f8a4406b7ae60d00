/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity-journal: what set-identity has done for which request, kept
 * in a file (the identity-journal setting) that survives a crash of the
 * agent and a reboot. It is what makes set-identity idempotent: a retry
 * of the same request (same instance-id, same digest) skips the steps
 * already done and reuses the machine-id chosen the first time, so a
 * guest never gets a third identity. It holds no secret: the request is
 * kept as its digest, the random seed never.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The steps, in the order they run and are reported. */
typedef enum {
  IDENTITY_STEP_HOST_NAME,
  IDENTITY_STEP_HOSTS_FILE,
  IDENTITY_STEP_MACHINE_ID,
  IDENTITY_STEP_JOURNALD,
  IDENTITY_STEP_SSH_HOST_KEYS,
  IDENTITY_STEP_NETWORK_STATE,
  IDENTITY_STEP_RANDOM_SEED,
  IDENTITY_STEP_COUNT,
} IdentityStep;

/* "host-name", "hosts-file", ...: the names of the reply. */
const char *identity_step_name (IdentityStep step);

typedef enum {
  IDENTITY_STEP_PENDING,     /* not run yet, or interrupted */
  IDENTITY_STEP_DONE,
  IDENTITY_STEP_SKIPPED,
  IDENTITY_STEP_FAILED,
} IdentityStepStatus;

/* "pending", "done", "skipped", "failed". */
const char *identity_step_status_name (IdentityStepStatus status);

typedef struct {
  IdentityStepStatus status;
  char *detail;              /* what was done, or why skipped; may be NULL */
  char *error;               /* why it failed; only when failed */
} IdentityStepRecord;

typedef struct {
  char *instance_id;
  char *request_digest;      /* identity_request_digest() */
  /* Both chosen when the run starts, before any step: a retry writes the
   * same id, and knows whether it is a change even when the crash came
   * after /etc/machine-id was written. */
  char *machine_id;          /* the one to write; NULL: none asked for */
  char *previous_machine_id; /* /etc/machine-id's valid id then; NULL: none */
  /* The boot during which /etc/machine-id became machine_id: PID 1 and
   * D-Bus take the new id at the next boot, so a reboot is required
   * only while this is the current boot. NULL until then. */
  char *machine_id_boot_id;
  IdentityStepRecord steps[IDENTITY_STEP_COUNT];
  JsonNode *ssh_host_keys;   /* the rotation's reply, once done; NULL before */
} IdentityJournal;

/* A journal for a new run: every step pending. */
IdentityJournal *identity_journal_new (const char *instance_id,
                                       const char *request_digest);
void identity_journal_free (IdentityJournal *journal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IdentityJournal, identity_journal_free)

/* Records how @step ended; @detail and @error may be NULL. */
void identity_journal_record (IdentityJournal     *journal,
                              IdentityStep         step,
                              IdentityStepStatus   status,
                              const char          *detail,
                              const char          *error);

/* Whether @step is over for good (done or skipped): a retry runs the
 * others again. */
gboolean identity_journal_step_is_finished (const IdentityJournal *journal,
                                            IdentityStep           step);

/* The journal at @path; NULL without error when there is none. A file
 * that cannot be read or is not a journal is an error: starting afresh
 * could give the guest another identity, so someone must look. */
IdentityJournal *identity_journal_load (const char  *path,
                                        GError     **error);

/* Writes @journal to @path atomically (atomic-file.h), mode 0600,
 * creating its directory (0700, as the state directory) if needed. */
gboolean identity_journal_save (const IdentityJournal  *journal,
                                const char             *path,
                                GError                **error);

/* The "steps" array of the reply: every step with "name", "status",
 * and "detail" and "error" when there are. */
JsonNode *identity_journal_steps_to_json (const IdentityJournal *journal);

G_END_DECLS
