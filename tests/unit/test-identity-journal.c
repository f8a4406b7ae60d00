/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * set-identity's journal: what is written reads back the same, a missing
 * journal is no journal, and anything else that is not one is an error
 * rather than a fresh start.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "fixture-dir.h"
#include "identity-journal.h"

#define DIGEST "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"

typedef struct {
  char *dir;
  char *path;    /* dir/state/set-identity.json: the directory is made on save */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("guestlink-journal-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "state", "set-identity.json", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  fixture_dir_remove (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
test_missing (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IdentityJournal) journal = identity_journal_load (fixture->path, &error);

  g_assert_no_error (error);
  g_assert_null (journal);
}

static void
test_new (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(IdentityJournal) journal = identity_journal_new ("clone-1", DIGEST);

  g_assert_cmpstr (journal->instance_id, ==, "clone-1");
  g_assert_cmpstr (journal->request_digest, ==, DIGEST);
  for (guint i = 0; i < IDENTITY_STEP_COUNT; i++)
    {
      g_assert_cmpint (journal->steps[i].status, ==, IDENTITY_STEP_PENDING);
      g_assert_false (identity_journal_step_is_finished (journal, i));
    }
  g_assert_null (journal->machine_id);
  g_assert_null (journal->ssh_host_keys);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(IdentityJournal) journal = identity_journal_new ("clone \"1\"", DIGEST);
  g_autoptr(IdentityJournal) loaded = NULL;
  g_autoptr(JsonNode) keys = json_from_string ("{\"keys\": [], \"sshd-reloaded\": false}", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = g_path_get_dirname (fixture->path);
  struct stat st;

  journal->machine_id = g_strdup (ID_A);
  journal->previous_machine_id = g_strdup (ID_B);
  journal->machine_id_boot_id = g_strdup ("2c0a1f9e-0000-4000-8000-000000000000");
  journal->ssh_host_keys = json_node_copy (keys);
  identity_journal_record (journal, IDENTITY_STEP_HOST_NAME, IDENTITY_STEP_DONE, "set", NULL);
  identity_journal_record (journal, IDENTITY_STEP_HOSTS_FILE, IDENTITY_STEP_SKIPPED, "no line", NULL);
  identity_journal_record (journal, IDENTITY_STEP_MACHINE_ID, IDENTITY_STEP_FAILED, "half",
                           "Cannot write: No space left on device");

  g_assert_true (identity_journal_save (journal, fixture->path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpint (stat (state_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);

  loaded = identity_journal_load (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpstr (loaded->instance_id, ==, "clone \"1\"");
  g_assert_cmpstr (loaded->request_digest, ==, DIGEST);
  g_assert_cmpstr (loaded->machine_id, ==, ID_A);
  g_assert_cmpstr (loaded->previous_machine_id, ==, ID_B);
  g_assert_cmpstr (loaded->machine_id_boot_id, ==, journal->machine_id_boot_id);
  g_assert_true (json_node_equal (loaded->ssh_host_keys, keys));
  g_assert_true (json_node_equal (identity_journal_steps_to_json (loaded),
                                  identity_journal_steps_to_json (journal)));
  g_assert_true (identity_journal_step_is_finished (loaded, IDENTITY_STEP_HOST_NAME));
  g_assert_true (identity_journal_step_is_finished (loaded, IDENTITY_STEP_HOSTS_FILE));
  g_assert_false (identity_journal_step_is_finished (loaded, IDENTITY_STEP_MACHINE_ID));
  g_assert_cmpstr (loaded->steps[IDENTITY_STEP_MACHINE_ID].error, ==,
                   "Cannot write: No space left on device");
  g_assert_false (identity_journal_step_is_finished (loaded, IDENTITY_STEP_JOURNALD));

  /* Saving again replaces it. */
  identity_journal_record (journal, IDENTITY_STEP_MACHINE_ID, IDENTITY_STEP_DONE, "now", NULL);
  g_assert_true (identity_journal_save (journal, fixture->path, &error));
  g_clear_pointer (&loaded, identity_journal_free);
  loaded = identity_journal_load (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->steps[IDENTITY_STEP_MACHINE_ID].status, ==, IDENTITY_STEP_DONE);
  g_assert_null (loaded->steps[IDENTITY_STEP_MACHINE_ID].error);
}

static void
test_steps_json (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *names[] = {
    "host-name", "hosts-file", "machine-id", "journald", "ssh-host-keys", "network-state",
    "random-seed",
  };
  g_autoptr(IdentityJournal) journal = identity_journal_new ("x", DIGEST);
  g_autoptr(JsonNode) steps = NULL;
  JsonArray *array;

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == IDENTITY_STEP_COUNT);
  identity_journal_record (journal, IDENTITY_STEP_JOURNALD, IDENTITY_STEP_FAILED, NULL, "boom");
  steps = identity_journal_steps_to_json (journal);
  array = json_node_get_array (steps);
  g_assert_cmpuint (json_array_get_length (array), ==, IDENTITY_STEP_COUNT);
  for (guint i = 0; i < IDENTITY_STEP_COUNT; i++)
    {
      JsonObject *step = json_array_get_object_element (array, i);

      g_assert_cmpstr (identity_step_name (i), ==, names[i]);
      g_assert_cmpstr (json_object_get_string_member (step, "name"), ==, names[i]);
      g_assert_false (json_object_has_member (step, "detail"));
      if (i == IDENTITY_STEP_JOURNALD)
        {
          g_assert_cmpstr (json_object_get_string_member (step, "status"), ==, "failed");
          g_assert_cmpstr (json_object_get_string_member (step, "error"), ==, "boom");
        }
      else
        {
          g_assert_cmpstr (json_object_get_string_member (step, "status"), ==, "pending");
          g_assert_false (json_object_has_member (step, "error"));
        }
    }
}

static const struct {
  const char *name;
  const char *contents;
  const char *reason;
} bad_journals[] = {
  { "not-json", "{\"version\": 1,", NULL },
  { "array", "[]", "not a JSON object" },
  { "no-version", "{\"instance-id\": \"x\"}", "version -1, not 1" },
  { "future-version", "{\"version\": 2}", "version 2, not 1" },
  { "no-instance", "{\"version\": 1, \"request-digest\": \"" DIGEST "\"}", "no valid instance-id" },
  { "bad-instance", "{\"version\": 1, \"instance-id\": \"\\n\"}", "no valid instance-id" },
  { "bad-digest", "{\"version\": 1, \"instance-id\": \"x\", \"request-digest\": \"abc\"}",
    "no valid request-digest" },
  { "bad-machine-id", "{\"version\": 1, \"instance-id\": \"x\", \"request-digest\": \"" DIGEST "\","
    " \"machine-id\": \"00000000000000000000000000000000\", \"steps\": []}",
    "a machine-id is not valid" },
  { "no-steps", "{\"version\": 1, \"instance-id\": \"x\", \"request-digest\": \"" DIGEST "\"}",
    "no steps" },
  { "unknown-step", "{\"version\": 1, \"instance-id\": \"x\", \"request-digest\": \"" DIGEST "\","
    " \"steps\": [{\"name\": \"reformat\", \"status\": \"done\"}]}", "step 0 has no known name" },
  { "unknown-status", "{\"version\": 1, \"instance-id\": \"x\", \"request-digest\": \"" DIGEST "\","
    " \"steps\": [{\"name\": \"host-name\", \"status\": \"maybe\"}]}",
    "step host-name has no known status" },
  { "keys-not-object", "{\"version\": 1, \"instance-id\": \"x\", \"request-digest\": \"" DIGEST "\","
    " \"steps\": [], \"ssh-host-keys\": 3}", "ssh-host-keys is not an object" },
};

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (fixture->path);

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_journals); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IdentityJournal) journal = NULL;
      g_autofree char *prefix = g_strdup_printf ("%s is not a set-identity journal: ", fixture->path);

      g_test_message ("%s", bad_journals[i].name);
      g_assert_true (g_file_set_contents (fixture->path, bad_journals[i].contents, -1, NULL));
      journal = identity_journal_load (fixture->path, &error);
      g_assert_null (journal);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      if (bad_journals[i].reason != NULL)
        g_assert_cmpstr (error->message + strlen (prefix), ==, bad_journals[i].reason);
    }

  /* A directory where the file should be cannot be read: also an error. */
  g_assert_cmpint (g_unlink (fixture->path), ==, 0);
  g_assert_cmpint (g_mkdir (fixture->path, 0700), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(IdentityJournal) journal = identity_journal_load (fixture->path, &error);

    g_assert_null (journal);
    g_assert_nonnull (error);
    g_assert_true (g_str_has_prefix (error->message, "Cannot read the set-identity journal: "));
  }
}

/* A journal with steps missing (an agent that knew fewer steps): those
 * are pending, so a retry runs them. */
static void
test_missing_steps_pending (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(IdentityJournal) journal = NULL;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (fixture->path,
    "{\"version\": 1, \"instance-id\": \"x\", \"request-digest\": \"" DIGEST "\","
    " \"steps\": [{\"name\": \"machine-id\", \"status\": \"done\", \"detail\": \"d\"}]}", -1, NULL));
  journal = identity_journal_load (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (journal->steps[IDENTITY_STEP_MACHINE_ID].status, ==, IDENTITY_STEP_DONE);
  g_assert_cmpstr (journal->steps[IDENTITY_STEP_MACHINE_ID].detail, ==, "d");
  g_assert_cmpint (journal->steps[IDENTITY_STEP_HOST_NAME].status, ==, IDENTITY_STEP_PENDING);
  g_assert_null (journal->machine_id);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/identity-journal/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("missing", test_missing);
  ADD ("new", test_new);
  ADD ("round-trip", test_round_trip);
  ADD ("steps-json", test_steps_json);
  ADD ("invalid", test_invalid);
  ADD ("missing-steps-pending", test_missing_steps_pending);
#undef ADD
  return g_test_run ();
}
