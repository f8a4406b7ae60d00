/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for daemon/dispatcher.c with daemon/arguments.c,
 * daemon/policy.c, commands/registry.c, commands/command-call.c and the
 * real protocol family (commands/protocol.c).
 *
 * Requests go in through a real Framer, exactly as the agent feeds them;
 * the bytes the dispatcher writes are captured and compared whole, so a
 * reply that is wrong, extra, missing or out of order fails the test.
 */
#include "config.h"

#include <string.h>

#include "commands.h"
#include "dispatcher.h"
#include "framer.h"
#include "message.h"
#include "policy.h"
#include "registry.h"

/* The daemon library's log domain (daemon/meson.build), for the warnings
 * policy_apply() gives, and the commands library's, for command-call.c. */
#define DAEMON_LOG_DOMAIN "guestlinkd"
#define COMMANDS_LOG_DOMAIN "guestlink-commands"

typedef struct {
  CommandRegistry *registry;
  Dispatcher *dispatcher;
  Framer *framer;
  GString *output;
  guint n_writes;
} Fixture;

/* Calls the async test handlers hold, oldest first (one ref each). */
static GPtrArray *pending_calls;
/* The registry of the running test, for handlers that check it. */
static CommandRegistry *current_registry;

/* ---- test commands ------------------------------------------------------ */

/* Returns its own name, so a reply shows which command answered. */
static void
handle_name (CommandCall *call)
{
  const CommandSpec *spec = command_call_get_spec (call);

  command_call_return (call, json_node_init_string (json_node_alloc (), spec->name));
}

/* Completes only when the test says so (complete_pending()). */
static void
handle_async (CommandCall *call)
{
  g_ptr_array_add (pending_calls, command_call_ref (call));
}

static gboolean
complete_later_cb (gpointer data)
{
  CommandCall *call = data;

  command_call_return (call, json_node_init_string (json_node_alloc (), "later"));
  command_call_unref (call);
  return G_SOURCE_REMOVE;
}

/* Completes from a main loop timeout, as a GTask callback would. */
static void
handle_timeout (CommandCall *call)
{
  g_timeout_add (5, complete_later_cb, command_call_ref (call));
}

/* Echoes its arguments: the handler sees exactly what was checked. */
static void
handle_echo (CommandCall *call)
{
  command_call_return (call, json_node_init_object (json_node_alloc (),
                                                    command_call_get_arguments (call)));
}

/* Exercises the accessors handlers use. */
static void
handle_accessors (CommandCall *call)
{
  g_autofree char *summary = NULL;

  g_assert_true (command_call_get_registry (call) == current_registry);
  g_assert_nonnull (command_call_get_cancellable (call));
  g_assert_false (g_cancellable_is_cancelled (command_call_get_cancellable (call)));

  summary = g_strdup_printf ("s=%s i=%" G_GINT64_FORMAT " b=%d has-b=%d absent=%s",
                             command_call_get_string (call, "s"),
                             command_call_get_integer (call, "i"),
                             command_call_get_boolean (call, "b", 7),
                             command_call_has_argument (call, "b"),
                             command_call_get_string (call, "absent") == NULL ? "null" : "set");
  command_call_return (call, json_node_init_string (json_node_alloc (), summary));
}

/* Returns a value on success, which must still not be sent. */
static void
handle_no_success (CommandCall *call)
{
  if (command_call_get_boolean (call, "fail", FALSE))
    command_call_return_error (call, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                          "requested failure"));
  else
    command_call_return (call, json_node_init_string (json_node_alloc (), "unseen"));
}

static void
handle_fail (CommandCall *call)
{
  command_call_return_error (call, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                                        "Permission denied: /etc/x"));
}

/* A buggy handler: returns without completing its call. */
static void
handle_forget (CommandCall *call)
{
}

/* A buggy handler: answers twice. The second answer must be refused
 * (and freed), and only the first sent. */
static void
handle_twice (CommandCall *call)
{
  command_call_return (call, json_node_init_string (json_node_alloc (), "first"));
  command_call_return (call, json_node_init_string (json_node_alloc (), "second"));
  command_call_return_error (call, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "third"));
}

static gboolean
drop_later_cb (gpointer data)
{
  command_call_unref (data);
  return G_SOURCE_REMOVE;
}

/* A buggy async handler: keeps a ref and drops it without completing. */
static void
handle_forget_later (CommandCall *call)
{
  g_idle_add (drop_later_cb, command_call_ref (call));
}

static const CommandParam params_params[] = {
  { "id", PARAM_TYPE_INTEGER, FALSE },
  { "num", PARAM_TYPE_NUMBER, TRUE },
  { "flag", PARAM_TYPE_BOOLEAN, TRUE },
  { "name", PARAM_TYPE_STRING, TRUE },
  { "obj", PARAM_TYPE_OBJECT, TRUE },
  { "keys", PARAM_TYPE_STRING_ARRAY, TRUE },
  { "any", PARAM_TYPE_ANY, TRUE },
  { NULL }
};

static const CommandParam accessors_params[] = {
  { "s", PARAM_TYPE_STRING, FALSE },
  { "i", PARAM_TYPE_INTEGER, FALSE },
  { "b", PARAM_TYPE_BOOLEAN, TRUE },
  { "absent", PARAM_TYPE_STRING, TRUE },
  { NULL }
};

static const CommandParam no_success_params[] = {
  { "fail", PARAM_TYPE_BOOLEAN, TRUE },
  { NULL }
};

static const CommandSpec test_commands[] = {
  { "test-sync", handle_name, NULL, COMMAND_FLAG_NONE },
  { "test-async", handle_async, NULL, COMMAND_FLAG_NONE },
  { "test-timeout", handle_timeout, NULL, COMMAND_FLAG_NONE },
  { "test-params", handle_echo, params_params, COMMAND_FLAG_NONE },
  { "test-echo", handle_echo, NULL, COMMAND_FLAG_NONE },
  { "test-accessors", handle_accessors, accessors_params, COMMAND_FLAG_NONE },
  { "test-no-success", handle_no_success, no_success_params, COMMAND_FLAG_NO_SUCCESS_RESPONSE },
  { "test-delimited", handle_name, NULL, COMMAND_FLAG_DELIMITED_REPLY },
  { "test-frozen-ok", handle_name, NULL, COMMAND_FLAG_ALLOWED_WHILE_FROZEN },
  { "test-fail", handle_fail, NULL, COMMAND_FLAG_NONE },
  { "test-forget", handle_forget, NULL, COMMAND_FLAG_NONE },
  { "test-forget-later", handle_forget_later, NULL, COMMAND_FLAG_NONE },
  { "test-twice", handle_twice, NULL, COMMAND_FLAG_NONE },
  { NULL }
};

/* Registered by the tests of exclusive commands only. */
static const CommandSpec exclusive_commands[] = {
  { "test-exclusive", handle_async, NULL, COMMAND_FLAG_EXCLUSIVE | COMMAND_FLAG_ALLOWED_WHILE_FROZEN },
  { "test-exclusive-sync", handle_name, NULL, COMMAND_FLAG_EXCLUSIVE },
  { NULL }
};

/* ---- fixture ---------------------------------------------------------- */

static void
on_write (const guint8 *data,
          gsize         length,
          gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_string_append_len (fixture->output, (const char *) data, (gssize) length);
  fixture->n_writes++;
}

static void
on_message (const char *text,
            gsize       length,
            gpointer    user_data)
{
  Fixture *fixture = user_data;

  dispatcher_handle_message (fixture->dispatcher, text, length);
}

static void
on_framing_error (const GError *error,
                  gpointer      user_data)
{
  Fixture *fixture = user_data;

  dispatcher_handle_framing_error (fixture->dispatcher, error);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->registry = command_registry_new ();
  command_registry_add_table (fixture->registry, protocol_commands);
  command_registry_add_table (fixture->registry, test_commands);
  fixture->dispatcher = dispatcher_new (fixture->registry, on_write, fixture);
  fixture->framer = framer_new (64 * 1024, on_message, on_framing_error, fixture);
  fixture->output = g_string_new (NULL);
  pending_calls = g_ptr_array_new ();
  current_registry = fixture->registry;
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  /* Every test completes what it started. */
  g_assert_cmpuint (pending_calls->len, ==, 0);
  g_ptr_array_unref (pending_calls);
  pending_calls = NULL;
  current_registry = NULL;

  g_clear_pointer (&fixture->framer, framer_free);
  g_clear_pointer (&fixture->dispatcher, dispatcher_free);
  g_clear_pointer (&fixture->registry, command_registry_free);
  g_string_free (fixture->output, TRUE);
}

static void
send (Fixture    *fixture,
      const char *text)
{
  framer_feed (fixture->framer, (const guint8 *) text, strlen (text));
}

/* Everything written since the last call. */
static char *
take_output (Fixture *fixture)
{
  char *output = g_strndup (fixture->output->str, fixture->output->len);

  g_assert_cmpuint (strlen (output), ==, fixture->output->len);
  g_string_truncate (fixture->output, 0);
  return output;
}

static void
assert_output (Fixture    *fixture,
               const char *expected)
{
  g_autofree char *output = take_output (fixture);

  g_assert_cmpstr (output, ==, expected);
}

/* Completes the @index'th pending async call with a string. */
static void
complete_pending (guint       index,
                  const char *value)
{
  CommandCall *call;

  g_assert_cmpuint (index, <, pending_calls->len);
  call = g_ptr_array_steal_index (pending_calls, index);
  command_call_return (call, json_node_init_string (json_node_alloc (), value));
  command_call_unref (call);
}

static gboolean
on_iteration_timeout (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until something is written (or 5 s pass). */
static void
iterate_until_output (Fixture *fixture)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (5, on_iteration_timeout, &timed_out);

  while (fixture->output->len == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);
}

#define GENERIC_ERROR(id, desc) \
  "{\"id\": " id ", \"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}}\n"
#define GENERIC_ERROR_NO_ID(desc) \
  "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}}\n"
#define NOT_FOUND_ERROR(id, desc) \
  "{\"id\": " id ", \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"" desc "\"}}\n"

/* ---- arguments ---------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *arguments;   /* the "arguments" member's value, or NULL for none */
  const char *expected;    /* the whole reply line for request id 9 */
} ArgumentsCase;

#define TYPE_ERROR(name, type) GENERIC_ERROR ("9", "Invalid parameter type for '" name "', expected: " type)

static const ArgumentsCase arguments_cases[] = {
  /* qemu-ga's order: each declared parameter in declaration order (missing
   * or mistyped), then undeclared members in the sender's order. */
  { "missing", "{}", GENERIC_ERROR ("9", "Parameter 'id' is missing") },
  { "missing-no-arguments", NULL, GENERIC_ERROR ("9", "Parameter 'id' is missing") },
  { "unexpected", "{\"id\":1,\"foo\":2}", GENERIC_ERROR ("9", "Parameter 'foo' is unexpected") },
  { "unexpected-null", "{\"id\":1,\"foo\":null}", GENERIC_ERROR ("9", "Parameter 'foo' is unexpected") },
  { "unexpected-first-in-sender-order", "{\"zz\":1,\"id\":1,\"aa\":2}",
    GENERIC_ERROR ("9", "Parameter 'zz' is unexpected") },
  { "missing-beats-unexpected", "{\"foo\":2}", GENERIC_ERROR ("9", "Parameter 'id' is missing") },
  { "type-beats-unexpected", "{\"foo\":2,\"id\":\"1\"}", TYPE_ERROR ("id", "integer") },
  { "declaration-order", "{\"name\":1,\"id\":1,\"num\":\"x\"}", TYPE_ERROR ("num", "number") },
  { "integer-string", "{\"id\":\"1\"}", TYPE_ERROR ("id", "integer") },
  { "integer-double", "{\"id\":1.5}", TYPE_ERROR ("id", "integer") },
  { "integer-double-integral", "{\"id\":1.0}", TYPE_ERROR ("id", "integer") },
  /* Outside gint64: parsed as a double, never as a wrapped integer. */
  { "integer-too-large", "{\"id\":18446744073709551615}", TYPE_ERROR ("id", "integer") },
  { "integer-boolean", "{\"id\":true}", TYPE_ERROR ("id", "integer") },
  { "integer-null", "{\"id\":null}", TYPE_ERROR ("id", "integer") },
  { "integer-array", "{\"id\":[1]}", TYPE_ERROR ("id", "integer") },
  { "integer-object", "{\"id\":{}}", TYPE_ERROR ("id", "integer") },
  { "number-string", "{\"id\":1,\"num\":\"1\"}", TYPE_ERROR ("num", "number") },
  { "number-boolean", "{\"id\":1,\"num\":false}", TYPE_ERROR ("num", "number") },
  { "boolean-integer", "{\"id\":1,\"flag\":1}", TYPE_ERROR ("flag", "boolean") },
  { "boolean-string", "{\"id\":1,\"flag\":\"true\"}", TYPE_ERROR ("flag", "boolean") },
  /* An optional parameter sent as null is present and mistyped. */
  { "boolean-null", "{\"id\":1,\"flag\":null}", TYPE_ERROR ("flag", "boolean") },
  { "string-integer", "{\"id\":1,\"name\":1}", TYPE_ERROR ("name", "string") },
  { "string-null", "{\"id\":1,\"name\":null}", TYPE_ERROR ("name", "string") },
  { "object-array", "{\"id\":1,\"obj\":[]}", TYPE_ERROR ("obj", "object") },
  { "object-string", "{\"id\":1,\"obj\":\"{}\"}", TYPE_ERROR ("obj", "object") },
  { "array-string", "{\"id\":1,\"keys\":\"a\"}", TYPE_ERROR ("keys", "array") },
  { "array-object", "{\"id\":1,\"keys\":{}}", TYPE_ERROR ("keys", "array") },
  { "array-element-integer", "{\"id\":1,\"keys\":[\"a\",1]}", TYPE_ERROR ("keys[1]", "string") },
  { "array-element-null", "{\"id\":1,\"keys\":[\"a\",\"b\",null]}", TYPE_ERROR ("keys[2]", "string") },
  { "array-element-array", "{\"id\":1,\"keys\":[[\"a\"]]}", TYPE_ERROR ("keys[0]", "string") },
  /* Valid: the handler sees the arguments as sent. */
  { "valid-minimal", "{\"id\":1}", "{\"return\": {\"id\": 1}, \"id\": 9}\n" },
  { "valid-negative", "{\"id\":-9223372036854775808}",
    "{\"return\": {\"id\": -9223372036854775808}, \"id\": 9}\n" },
  { "valid-all-types",
    "{\"any\":[null],\"keys\":[\"a\",\"b\"],\"obj\":{\"x\":1},\"name\":\"n\",\"flag\":false,\"num\":1.5,\"id\":-3}",
    "{\"return\": {\"any\": [null], \"keys\": [\"a\", \"b\"], \"obj\": {\"x\": 1}, \"name\": \"n\", "
    "\"flag\": false, \"num\": 1.5, \"id\": -3}, \"id\": 9}\n" },
  { "valid-number-integer", "{\"id\":1,\"num\":2}", "{\"return\": {\"id\": 1, \"num\": 2}, \"id\": 9}\n" },
  { "valid-empty-array", "{\"id\":1,\"keys\":[]}", "{\"return\": {\"id\": 1, \"keys\": []}, \"id\": 9}\n" },
  { "valid-any-null", "{\"id\":1,\"any\":null}", "{\"return\": {\"id\": 1, \"any\": null}, \"id\": 9}\n" },
  { "valid-any-object", "{\"id\":1,\"any\":{\"k\":[]}}",
    "{\"return\": {\"id\": 1, \"any\": {\"k\": []}}, \"id\": 9}\n" },
};

static void
test_arguments (Fixture       *fixture,
                gconstpointer  data)
{
  const ArgumentsCase *test_case = data;
  g_autofree char *request = NULL;

  if (test_case->arguments != NULL)
    request = g_strdup_printf ("{\"execute\":\"test-params\",\"arguments\":%s,\"id\":9}",
                               test_case->arguments);
  else
    request = g_strdup ("{\"execute\":\"test-params\",\"id\":9}");

  send (fixture, request);
  assert_output (fixture, test_case->expected);
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 0);
}

static void
test_accessors (Fixture       *fixture,
                gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-accessors\",\"arguments\":{\"s\":\"x\\u00e9\",\"i\":-42}}");
  assert_output (fixture, "{\"return\": \"s=x\\u00E9 i=-42 b=7 has-b=0 absent=null\"}\n");

  send (fixture, "{\"execute\":\"test-accessors\",\"arguments\":{\"b\":false,\"i\":9223372036854775807,\"s\":\"\"}}");
  assert_output (fixture, "{\"return\": \"s= i=9223372036854775807 b=0 has-b=1 absent=null\"}\n");
}

/* A request without "arguments" still hands the handler an object. */
static void
test_no_arguments (Fixture       *fixture,
                   gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-echo\"}");
  assert_output (fixture, "{\"return\": {}}\n");

  send (fixture, "{\"execute\":\"test-echo\",\"arguments\":{}}");
  assert_output (fixture, "{\"return\": {}}\n");
}

/* ---- lookup and protocol errors ---------------------------------------- */

static void
test_command_not_found (Fixture       *fixture,
                        gconstpointer  data)
{
  send (fixture, "{\"execute\":\"guest-nope\",\"id\":1}");
  assert_output (fixture, NOT_FOUND_ERROR ("1", "The command guest-nope has not been found"));

  /* Without an id, the reply has none. */
  send (fixture, "{\"execute\":\"guest-nope\"}");
  assert_output (fixture, "{\"error\": {\"class\": \"CommandNotFound\", "
                          "\"desc\": \"The command guest-nope has not been found\"}}\n");

  /* Names are exact: no case folding, no prefix matching. */
  send (fixture, "{\"execute\":\"GUEST-PING\",\"id\":2}{\"execute\":\"guest-pin\",\"id\":3}");
  assert_output (fixture,
                 NOT_FOUND_ERROR ("2", "The command GUEST-PING has not been found")
                 NOT_FOUND_ERROR ("3", "The command guest-pin has not been found"));
}

static void
test_protocol_errors (Fixture       *fixture,
                      gconstpointer  data)
{
  send (fixture, "[1] ");
  assert_output (fixture, "{\"error\": {\"class\": \"GenericError\", "
                          "\"desc\": \"QMP input must be a JSON object\"}}\n");

  send (fixture, "{\"execute\":\"guest-ping\",\"foo\":1,\"id\":3}");
  assert_output (fixture, GENERIC_ERROR ("3", "QMP input member 'foo' is unexpected"));

  send (fixture, "{\"execute\":\"guest-ping\",\"execute\":\"guest-info\",\"id\":4}");
  assert_output (fixture, "{\"error\": {\"class\": \"GenericError\", "
                          "\"desc\": \"JSON parse error, duplicate key\"}}\n");

  /* A framing error is answered like a request, as qemu-ga does. */
  send (fixture, "\xff");
  assert_output (fixture, "{\"error\": {\"class\": \"GenericError\", "
                          "\"desc\": \"JSON parse error, stray '\\uFFFD'\"}}\n");

  send (fixture, "{\"execute\":01}");
  assert_output (fixture, "{\"error\": {\"class\": \"GenericError\", "
                          "\"desc\": \"JSON parse error, invalid number\"}}\n");

  /* And the agent keeps serving. */
  send (fixture, "{\"execute\":\"guest-ping\",\"id\":5}");
  assert_output (fixture, "{\"return\": {}, \"id\": 5}\n");
}

/* A handler's error is sent with its message, as GenericError. */
static void
test_handler_error (Fixture       *fixture,
                    gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-fail\",\"id\":[1]}");
  assert_output (fixture, GENERIC_ERROR ("[1]", "Permission denied: /etc/x"));
}

/* ---- policy ------------------------------------------------------------- */

static const char * const no_names[] = { NULL };

static void
test_policy_block (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const block[] = { "test-sync", "test-params", NULL };

  policy_apply (fixture->registry, no_names, block);

  send (fixture, "{\"execute\":\"test-sync\",\"id\":1}");
  assert_output (fixture, NOT_FOUND_ERROR ("1", "Command test-sync has been disabled: the command is not allowed"));

  /* Disabled is decided before the arguments are looked at. */
  send (fixture, "{\"execute\":\"test-params\",\"arguments\":{\"bad\":1},\"id\":2}");
  assert_output (fixture, NOT_FOUND_ERROR ("2", "Command test-params has been disabled: the command is not allowed"));

  /* Everything else still runs. */
  send (fixture, "{\"execute\":\"test-frozen-ok\",\"id\":3}{\"execute\":\"guest-ping\",\"id\":4}");
  assert_output (fixture, "{\"return\": \"test-frozen-ok\", \"id\": 3}\n{\"return\": {}, \"id\": 4}\n");

  /* A new policy replaces the old one. */
  policy_apply (fixture->registry, no_names, no_names);
  send (fixture, "{\"execute\":\"test-sync\",\"id\":5}");
  assert_output (fixture, "{\"return\": \"test-sync\", \"id\": 5}\n");
}

static void
test_policy_allow (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const allow[] = { "guest-ping", "test-sync", "test-frozen-ok", NULL };
  const char * const block[] = { "test-frozen-ok", NULL };

  /* An allow list that leaves out guest-sync locks libvirt out: say so. */
  g_test_expect_message (DAEMON_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "guest-sync-delimited is disabled: *");
  g_test_expect_message (DAEMON_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "guest-sync is disabled: *");
  /* @block is applied after @allow. */
  policy_apply (fixture->registry, allow, block);
  g_test_assert_expected_messages ();

  send (fixture, "{\"execute\":\"guest-ping\",\"id\":1}"
                 "{\"execute\":\"test-sync\",\"id\":2}"
                 "{\"execute\":\"guest-info\",\"id\":3}"
                 "{\"execute\":\"test-frozen-ok\",\"id\":4}"
                 "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1},\"id\":5}");
  assert_output (fixture,
                 "{\"return\": {}, \"id\": 1}\n"
                 "{\"return\": \"test-sync\", \"id\": 2}\n"
                 NOT_FOUND_ERROR ("3", "Command guest-info has been disabled: the command is not allowed")
                 NOT_FOUND_ERROR ("4", "Command test-frozen-ok has been disabled: the command is not allowed")
                 NOT_FOUND_ERROR ("5", "Command guest-sync has been disabled: the command is not allowed"));
}

/* Unknown names are logged and ignored, as qemu-ga does. */
static void
test_policy_unknown_names (Fixture       *fixture,
                           gconstpointer  data)
{
  const char * const allow[] = { "guest-nope", NULL };
  const char * const block[] = { "guest-other", "test-sync", NULL };

  g_test_expect_message (DAEMON_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "block-rpcs: unknown command 'guest-other' ignored");
  policy_apply (fixture->registry, no_names, block);
  g_test_assert_expected_messages ();

  send (fixture, "{\"execute\":\"test-sync\",\"id\":1}{\"execute\":\"test-frozen-ok\",\"id\":2}");
  assert_output (fixture,
                 NOT_FOUND_ERROR ("1", "Command test-sync has been disabled: the command is not allowed")
                 "{\"return\": \"test-frozen-ok\", \"id\": 2}\n");

  /* An allow list of nothing but unknown names still is an allow list. */
  g_test_expect_message (DAEMON_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "allow-rpcs: unknown command 'guest-nope' ignored");
  g_test_expect_message (DAEMON_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "guest-sync-delimited is disabled: *");
  g_test_expect_message (DAEMON_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "guest-sync is disabled: *");
  policy_apply (fixture->registry, allow, no_names);
  g_test_assert_expected_messages ();

  send (fixture, "{\"execute\":\"guest-ping\",\"id\":3}");
  assert_output (fixture, NOT_FOUND_ERROR ("3", "Command guest-ping has been disabled: the command is not allowed"));
}

/* ---- frozen ------------------------------------------------------------- */

static void
test_frozen (Fixture       *fixture,
             gconstpointer  data)
{
  command_registry_set_frozen (fixture->registry, TRUE);
  g_assert_true (command_registry_get_frozen (fixture->registry));

  send (fixture, "{\"execute\":\"test-sync\",\"id\":1}");
  assert_output (fixture, NOT_FOUND_ERROR ("1", "Command test-sync has been disabled: the agent is in frozen state"));

  /* Frozen is decided before the arguments are looked at. */
  send (fixture, "{\"execute\":\"test-params\",\"id\":2}");
  assert_output (fixture, NOT_FOUND_ERROR ("2", "Command test-params has been disabled: the agent is in frozen state"));

  /* The allowed ones run, the protocol family among them. */
  send (fixture, "{\"execute\":\"test-frozen-ok\",\"id\":3}"
                 "{\"execute\":\"guest-ping\",\"id\":4}"
                 "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":77},\"id\":5}"
                 "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":78},\"id\":6}");
  assert_output (fixture,
                 "{\"return\": \"test-frozen-ok\", \"id\": 3}\n"
                 "{\"return\": {}, \"id\": 4}\n"
                 "{\"return\": 77, \"id\": 5}\n"
                 "\xff{\"return\": 78, \"id\": 6}\n");

  command_registry_set_frozen (fixture->registry, FALSE);
  send (fixture, "{\"execute\":\"test-sync\",\"id\":7}");
  assert_output (fixture, "{\"return\": \"test-sync\", \"id\": 7}\n");
}

/* Blocked wins over frozen, for the wording; both disable. */
static void
test_frozen_and_blocked (Fixture       *fixture,
                         gconstpointer  data)
{
  const char * const block[] = { "test-frozen-ok", "test-sync", NULL };

  policy_apply (fixture->registry, no_names, block);
  command_registry_set_frozen (fixture->registry, TRUE);

  send (fixture, "{\"execute\":\"test-frozen-ok\",\"id\":1}{\"execute\":\"test-sync\",\"id\":2}");
  assert_output (fixture,
                 NOT_FOUND_ERROR ("1", "Command test-frozen-ok has been disabled: the command is not allowed")
                 NOT_FOUND_ERROR ("2", "Command test-sync has been disabled: the command is not allowed"));
  command_registry_set_frozen (fixture->registry, FALSE);
}

/* ---- guest-info ----------------------------------------------------------- */

typedef struct {
  const char *name;
  gboolean enabled;
  gboolean success_response;
} InfoRow;

static char *
expected_info (const InfoRow *rows,
               gsize          n_rows,
               const char    *id)
{
  GString *line = g_string_new ("{\"return\": {\"version\": \"" PACKAGE_VERSION "\", \"supported_commands\": [");

  for (gsize i = 0; i < n_rows; i++)
    g_string_append_printf (line, "%s{\"enabled\": %s, \"name\": \"%s\", \"success-response\": %s}",
                            i > 0 ? ", " : "",
                            rows[i].enabled ? "true" : "false",
                            rows[i].name,
                            rows[i].success_response ? "true" : "false");
  g_string_append_printf (line, "]}, \"id\": %s}\n", id);
  return g_string_free (line, FALSE);
}

static void
assert_info (Fixture       *fixture,
             const InfoRow *rows,
             gsize          n_rows)
{
  g_autofree char *expected = expected_info (rows, n_rows, "\"info\"");

  send (fixture, "{\"execute\":\"guest-info\",\"id\":\"info\"}");
  assert_output (fixture, expected);
}

/* Every command in registration order, with enabled from policy and the
 * frozen state, and success-response false only for the no-reply kind. */
static void
test_guest_info (Fixture       *fixture,
                 gconstpointer  data)
{
  const InfoRow all_enabled[] = {
    { "guest-sync-delimited", TRUE, TRUE },
    { "guest-sync", TRUE, TRUE },
    { "guest-ping", TRUE, TRUE },
    { "guest-info", TRUE, TRUE },
    { "test-sync", TRUE, TRUE },
    { "test-async", TRUE, TRUE },
    { "test-timeout", TRUE, TRUE },
    { "test-params", TRUE, TRUE },
    { "test-echo", TRUE, TRUE },
    { "test-accessors", TRUE, TRUE },
    { "test-no-success", TRUE, FALSE },
    { "test-delimited", TRUE, TRUE },
    { "test-frozen-ok", TRUE, TRUE },
    { "test-fail", TRUE, TRUE },
    { "test-forget", TRUE, TRUE },
    { "test-forget-later", TRUE, TRUE },
    { "test-twice", TRUE, TRUE },
  };
  const InfoRow blocked[] = {
    { "guest-sync-delimited", TRUE, TRUE },
    { "guest-sync", TRUE, TRUE },
    { "guest-ping", FALSE, TRUE },
    { "guest-info", TRUE, TRUE },
    { "test-sync", FALSE, TRUE },
    { "test-async", TRUE, TRUE },
    { "test-timeout", TRUE, TRUE },
    { "test-params", TRUE, TRUE },
    { "test-echo", TRUE, TRUE },
    { "test-accessors", TRUE, TRUE },
    { "test-no-success", FALSE, FALSE },
    { "test-delimited", TRUE, TRUE },
    { "test-frozen-ok", TRUE, TRUE },
    { "test-fail", TRUE, TRUE },
    { "test-forget", TRUE, TRUE },
    { "test-forget-later", TRUE, TRUE },
    { "test-twice", TRUE, TRUE },
  };
  const InfoRow blocked_and_frozen[] = {
    { "guest-sync-delimited", TRUE, TRUE },
    { "guest-sync", TRUE, TRUE },
    { "guest-ping", FALSE, TRUE },
    { "guest-info", TRUE, TRUE },
    { "test-sync", FALSE, TRUE },
    { "test-async", FALSE, TRUE },
    { "test-timeout", FALSE, TRUE },
    { "test-params", FALSE, TRUE },
    { "test-echo", FALSE, TRUE },
    { "test-accessors", FALSE, TRUE },
    { "test-no-success", FALSE, FALSE },
    { "test-delimited", FALSE, TRUE },
    { "test-frozen-ok", TRUE, TRUE },
    { "test-fail", FALSE, TRUE },
    { "test-forget", FALSE, TRUE },
    { "test-forget-later", FALSE, TRUE },
    { "test-twice", FALSE, TRUE },
  };
  const char * const block[] = { "guest-ping", "test-sync", "test-no-success", NULL };

  assert_info (fixture, all_enabled, G_N_ELEMENTS (all_enabled));

  policy_apply (fixture->registry, no_names, block);
  assert_info (fixture, blocked, G_N_ELEMENTS (blocked));

  command_registry_set_frozen (fixture->registry, TRUE);
  assert_info (fixture, blocked_and_frozen, G_N_ELEMENTS (blocked_and_frozen));

  command_registry_set_frozen (fixture->registry, FALSE);
  assert_info (fixture, blocked, G_N_ELEMENTS (blocked));
}

/* ---- ordering ----------------------------------------------------------- */

/* Replies leave in request order, even when a later request is answered
 * at once (a sync handler, or an error the dispatcher gives itself). */
static void
test_order_async_then_sync (Fixture       *fixture,
                            gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-async\",\"id\":1}"
                 "{\"execute\":\"test-sync\",\"id\":2}"
                 "{\"execute\":\"guest-nope\",\"id\":3}"
                 "{\"execute\":\"test-params\",\"id\":4}"
                 "\xff"
                 "{\"execute\":\"guest-ping\",\"id\":5}");
  g_assert_cmpuint (fixture->n_writes, ==, 0);
  assert_output (fixture, "");
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 6);
  g_assert_cmpuint (pending_calls->len, ==, 1);

  complete_pending (0, "first");
  assert_output (fixture,
                 "{\"return\": \"first\", \"id\": 1}\n"
                 "{\"return\": \"test-sync\", \"id\": 2}\n"
                 NOT_FOUND_ERROR ("3", "The command guest-nope has not been found")
                 GENERIC_ERROR ("4", "Parameter 'id' is missing")
                 "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\uFFFD'\"}}\n"
                 "{\"return\": {}, \"id\": 5}\n");
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 0);
}

/* Two async calls finishing in reverse order. */
static void
test_order_reverse_completion (Fixture       *fixture,
                               gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-async\",\"id\":1}{\"execute\":\"test-async\",\"id\":2}"
                 "{\"execute\":\"test-async\",\"id\":3}");
  g_assert_cmpuint (pending_calls->len, ==, 3);

  complete_pending (2, "c");
  complete_pending (1, "b");
  assert_output (fixture, "");

  complete_pending (0, "a");
  assert_output (fixture,
                 "{\"return\": \"a\", \"id\": 1}\n"
                 "{\"return\": \"b\", \"id\": 2}\n"
                 "{\"return\": \"c\", \"id\": 3}\n");
}

/* The async handler that completes from a main loop timeout. */
static void
test_order_timeout (Fixture       *fixture,
                    gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-timeout\",\"id\":1}{\"execute\":\"guest-ping\",\"id\":2}");
  assert_output (fixture, "");

  iterate_until_output (fixture);
  assert_output (fixture, "{\"return\": \"later\", \"id\": 1}\n{\"return\": {}, \"id\": 2}\n");
}

/* ---- exclusive commands -------------------------------------------------- */

/* What comes after a freeze sees it done: the request behind it is not
 * even checked until it has answered, so the frozen state it set applies,
 * as with qemu-ga, which runs one request at a time. */
static void
test_exclusive_holds_later_requests (Fixture       *fixture,
                                     gconstpointer  data)
{
  command_registry_add_table (fixture->registry, exclusive_commands);
  send (fixture, "{\"execute\":\"test-exclusive\",\"id\":1}"
                 "{\"execute\":\"test-async\",\"id\":2}"
                 "\xff"
                 "{\"execute\":\"guest-ping\",\"id\":3}");
  /* Only the exclusive one runs; the rest wait, counted as pending so a
   * half-closed peer is not let go before they are answered. */
  g_assert_cmpuint (pending_calls->len, ==, 1);
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 4);

  /* The freeze takes effect, then answers. */
  command_registry_set_frozen (fixture->registry, TRUE);
  complete_pending (0, "frozen");
  assert_output (fixture,
                 "{\"return\": \"frozen\", \"id\": 1}\n"
                 NOT_FOUND_ERROR ("2", "Command test-async has been disabled: the agent is in frozen state")
                 "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\uFFFD'\"}}\n"
                 "{\"return\": {}, \"id\": 3}\n");
  g_assert_cmpuint (pending_calls->len, ==, 0);

  /* The thaw is exclusive too: what follows it runs thawed. */
  send (fixture, "{\"execute\":\"test-exclusive\",\"id\":4}{\"execute\":\"test-sync\",\"id\":5}");
  command_registry_set_frozen (fixture->registry, FALSE);
  complete_pending (0, "thawed");
  assert_output (fixture,
                 "{\"return\": \"thawed\", \"id\": 4}\n"
                 "{\"return\": \"test-sync\", \"id\": 5}\n");
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 0);
}

/* Waiting requests run up to the next exclusive one, which holds the
 * rest in turn; one that answers at once holds nothing. */
static void
test_exclusive_chain (Fixture       *fixture,
                      gconstpointer  data)
{
  command_registry_add_table (fixture->registry, exclusive_commands);
  send (fixture, "{\"execute\":\"test-exclusive\",\"id\":1}"
                 "{\"execute\":\"test-exclusive-sync\",\"id\":2}"
                 "{\"execute\":\"test-exclusive\",\"id\":3}"
                 "{\"execute\":\"test-async\",\"id\":4}");
  g_assert_cmpuint (pending_calls->len, ==, 1);

  complete_pending (0, "a");
  assert_output (fixture,
                 "{\"return\": \"a\", \"id\": 1}\n"
                 "{\"return\": \"test-exclusive-sync\", \"id\": 2}\n");
  g_assert_cmpuint (pending_calls->len, ==, 1);

  complete_pending (0, "b");
  assert_output (fixture, "{\"return\": \"b\", \"id\": 3}\n");
  g_assert_cmpuint (pending_calls->len, ==, 1);
  complete_pending (0, "c");
  assert_output (fixture, "{\"return\": \"c\", \"id\": 4}\n");
}

/* An exclusive command starts only when everything before it has
 * answered: a freeze must not run while an earlier long command does. */
static void
test_exclusive_waits_for_earlier (Fixture       *fixture,
                                  gconstpointer  data)
{
  command_registry_add_table (fixture->registry, exclusive_commands);

  send (fixture, "{\"execute\":\"test-async\",\"id\":1}"
                 "{\"execute\":\"test-exclusive\",\"id\":2}"
                 "{\"execute\":\"guest-ping\",\"id\":3}");
  /* Only the earlier command runs. */
  g_assert_cmpuint (pending_calls->len, ==, 1);
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 3);

  complete_pending (0, "earlier");
  assert_output (fixture, "{\"return\": \"earlier\", \"id\": 1}\n");
  /* Now the exclusive one runs, and holds the ping. */
  g_assert_cmpuint (pending_calls->len, ==, 1);
  complete_pending (0, "exclusive");
  assert_output (fixture,
                 "{\"return\": \"exclusive\", \"id\": 2}\n"
                 "{\"return\": {}, \"id\": 3}\n");
}

/* A host that floods while a freeze runs costs a bounded amount of
 * memory: past the bound, the flood gets one error, in its place. */
static void
test_exclusive_flood (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GString) flood = g_string_new (NULL);
  g_autofree char *output = NULL;
  const char *rest;
  guint n_lines = 0;

  command_registry_add_table (fixture->registry, exclusive_commands);
  send (fixture, "{\"execute\":\"test-exclusive\",\"id\":0}");
  for (guint i = 1; i <= 5000; i++)
    g_string_append_printf (flood, "{\"execute\":\"guest-ping\",\"id\":%u}", i);
  send (fixture, flood->str);
  /* 1024 held, the rest one counted entry. */
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 1 + 1024 + 1);

  complete_pending (0, "done");
  output = take_output (fixture);
  for (const char *p = output; (p = strchr (p, '\n')) != NULL; p++)
    n_lines++;
  g_assert_cmpuint (n_lines, ==, 1 + 1024 + 1);
  g_assert_true (g_str_has_prefix (output, "{\"return\": \"done\", \"id\": 0}\n"
                                           "{\"return\": {}, \"id\": 1}\n"));
  rest = strstr (output, "{\"return\": {}, \"id\": 1024}\n");
  g_assert_nonnull (rest);
  g_assert_cmpstr (strchr (rest, '\n') + 1, ==,
                   GENERIC_ERROR_NO_ID ("3976 requests refused: too many came while a freeze "
                                        "or thaw was under way"));
}

/* A new peer does not wait for the old peer's freeze, and never gets
 * what the old peer had queued behind it. */
static void
test_exclusive_reset (Fixture       *fixture,
                      gconstpointer  data)
{
  CommandCall *old_call;

  command_registry_add_table (fixture->registry, exclusive_commands);

  send (fixture, "{\"execute\":\"test-exclusive\",\"id\":1}{\"execute\":\"test-sync\",\"id\":2}");
  old_call = g_ptr_array_steal_index (pending_calls, 0);

  dispatcher_reset (fixture->dispatcher);
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 0);
  send (fixture, "{\"execute\":\"guest-ping\",\"id\":3}");
  assert_output (fixture, "{\"return\": {}, \"id\": 3}\n");

  /* The old freeze finishes into the void and releases nothing. */
  command_call_return (old_call, json_node_init_string (json_node_alloc (), "stale"));
  command_call_unref (old_call);
  assert_output (fixture, "");
}

/* ---- reset and free ------------------------------------------------------ */

/* A new peer must not get the replies owed to the old one, whether they
 * are still being computed or only waiting for their turn. */
static void
test_reset_drops_pending (Fixture       *fixture,
                          gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-async\",\"id\":1}{\"execute\":\"test-sync\",\"id\":2}");
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 2);

  dispatcher_reset (fixture->dispatcher);
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 0);

  /* The call itself goes on and finishes, into the void. */
  complete_pending (0, "stale");
  assert_output (fixture, "");
  g_assert_cmpuint (fixture->n_writes, ==, 0);

  send (fixture, "{\"execute\":\"guest-ping\",\"id\":3}");
  assert_output (fixture, "{\"return\": {}, \"id\": 3}\n");
}

/* A call from the old peer finishing after the new peer's request is
 * queued must neither be written nor block the new reply. */
static void
test_reset_then_new_async (Fixture       *fixture,
                           gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-async\",\"id\":1}");
  dispatcher_reset (fixture->dispatcher);
  send (fixture, "{\"execute\":\"test-async\",\"id\":2}{\"execute\":\"test-sync\",\"id\":3}");
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 2);

  complete_pending (0, "stale");
  assert_output (fixture, "");

  complete_pending (0, "fresh");
  assert_output (fixture, "{\"return\": \"fresh\", \"id\": 2}\n{\"return\": \"test-sync\", \"id\": 3}\n");
}

/* Freeing the dispatcher cancels running calls; finishing one later must
 * be harmless (ASan checks the "harmless"). */
static void
test_free_with_pending (Fixture       *fixture,
                        gconstpointer  data)
{
  CommandCall *call;
  GCancellable *cancellable;

  send (fixture, "{\"execute\":\"test-async\",\"id\":1}");
  g_assert_cmpuint (pending_calls->len, ==, 1);
  call = g_ptr_array_index (pending_calls, 0);
  cancellable = command_call_get_cancellable (call);
  g_assert_false (g_cancellable_is_cancelled (cancellable));

  g_clear_pointer (&fixture->dispatcher, dispatcher_free);
  g_assert_true (g_cancellable_is_cancelled (cancellable));

  complete_pending (0, "too late");
  assert_output (fixture, "");
}

/* ---- buggy handlers ------------------------------------------------------- */

/* A handler that returns without answering would stall every later reply;
 * command-call.c answers for it (with a g_critical, expected here). */
static void
test_forgotten_call (Fixture       *fixture,
                     gconstpointer  data)
{
  g_test_expect_message (COMMANDS_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
                         "Command test-forget ended without a result");
  send (fixture, "{\"execute\":\"test-forget\",\"id\":7}");
  g_test_assert_expected_messages ();
  assert_output (fixture, GENERIC_ERROR ("7", "Command test-forget ended without a result"));

  send (fixture, "{\"execute\":\"guest-ping\",\"id\":8}");
  assert_output (fixture, "{\"return\": {}, \"id\": 8}\n");
}

static void
test_forgotten_call_later (Fixture       *fixture,
                           gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-forget-later\",\"id\":1}{\"execute\":\"test-sync\",\"id\":2}");
  assert_output (fixture, "");

  g_test_expect_message (COMMANDS_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
                         "Command test-forget-later ended without a result");
  iterate_until_output (fixture);
  g_test_assert_expected_messages ();
  assert_output (fixture,
                 GENERIC_ERROR ("1", "Command test-forget-later ended without a result")
                 "{\"return\": \"test-sync\", \"id\": 2}\n");
}

static void
test_completed_twice (Fixture       *fixture,
                      gconstpointer  data)
{
  g_test_expect_message (COMMANDS_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
                         "*command_call_return*assertion*failed*");
  g_test_expect_message (COMMANDS_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
                         "*command_call_return_error*assertion*failed*");
  send (fixture, "{\"execute\":\"test-twice\",\"id\":1}{\"execute\":\"guest-ping\",\"id\":2}");
  g_test_assert_expected_messages ();
  assert_output (fixture, "{\"return\": \"first\", \"id\": 1}\n{\"return\": {}, \"id\": 2}\n");
}

/* ---- reply kinds ---------------------------------------------------------- */

/* guest-shutdown and friends: nothing on success, errors still sent. */
static void
test_no_success_response (Fixture       *fixture,
                          gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-no-success\",\"id\":1}");
  assert_output (fixture, "");
  g_assert_cmpuint (fixture->n_writes, ==, 0);
  g_assert_cmpuint (dispatcher_get_n_pending (fixture->dispatcher), ==, 0);

  /* It does not hold up the next reply either. */
  send (fixture, "{\"execute\":\"test-no-success\"}{\"execute\":\"guest-ping\",\"id\":2}");
  assert_output (fixture, "{\"return\": {}, \"id\": 2}\n");

  send (fixture, "{\"execute\":\"test-no-success\",\"arguments\":{\"fail\":true},\"id\":3}");
  assert_output (fixture, GENERIC_ERROR ("3", "requested failure"));

  send (fixture, "{\"execute\":\"test-no-success\",\"arguments\":{\"fail\":1},\"id\":4}");
  assert_output (fixture, GENERIC_ERROR ("4", "Invalid parameter type for 'fail', expected: boolean"));
}

/* guest-sync-delimited: a 0xFF before the reply, so the host can discard
 * everything stale before it. Errors carry no delimiter, as in qemu-ga. */
static void
test_delimited (Fixture       *fixture,
                gconstpointer  data)
{
  send (fixture, "{\"execute\":\"test-delimited\",\"id\":1}");
  assert_output (fixture, "\xff{\"return\": \"test-delimited\", \"id\": 1}\n");
  g_assert_cmpuint (fixture->n_writes, ==, 1);

  send (fixture, "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":42}}");
  assert_output (fixture, "\xff{\"return\": 42}\n");

  send (fixture, "{\"execute\":\"guest-sync-delimited\",\"arguments\":{},\"id\":2}");
  assert_output (fixture, GENERIC_ERROR ("2", "Parameter 'id' is missing"));

  /* Only that reply: the next one has no delimiter. */
  send (fixture, "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":5}}{\"execute\":\"guest-ping\"}");
  assert_output (fixture, "\xff{\"return\": 5}\n{\"return\": {}}\n");
}

static void
test_guest_sync (Fixture       *fixture,
                 gconstpointer  data)
{
  send (fixture, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1234567890123},\"id\":\"x\"}");
  assert_output (fixture, "{\"return\": 1234567890123, \"id\": \"x\"}\n");

  send (fixture, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":-1}}");
  assert_output (fixture, "{\"return\": -1}\n");

  send (fixture, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":9223372036854775807}}");
  assert_output (fixture, "{\"return\": 9223372036854775807}\n");

  send (fixture, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":\"1\"}}");
  assert_output (fixture, "{\"error\": {\"class\": \"GenericError\", "
                          "\"desc\": \"Invalid parameter type for 'id', expected: integer\"}}\n");

  send (fixture, "{\"execute\":\"guest-sync\"}");
  assert_output (fixture, "{\"error\": {\"class\": \"GenericError\", "
                          "\"desc\": \"Parameter 'id' is missing\"}}\n");
}

static void
test_guest_ping (Fixture       *fixture,
                 gconstpointer  data)
{
  send (fixture, "{'execute':'guest-ping'}");
  assert_output (fixture, "{\"return\": {}}\n");

  send (fixture, "{\"execute\":\"guest-ping\",\"arguments\":{\"x\":1}}");
  assert_output (fixture, "{\"error\": {\"class\": \"GenericError\", "
                          "\"desc\": \"Parameter 'x' is unexpected\"}}\n");
}

/* ---- registry ----------------------------------------------------------- */

static void
test_registry (Fixture       *fixture,
               gconstpointer  data)
{
  GPtrArray *all = command_registry_get_all (fixture->registry);
  const CommandSpec *ping = command_registry_lookup (fixture->registry, "guest-ping");
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (all->len, ==, 4 + G_N_ELEMENTS (test_commands) - 1);
  g_assert_true (g_ptr_array_index (all, 0) == &protocol_commands[0]);
  g_assert_true (g_ptr_array_index (all, 4) == &test_commands[0]);
  g_assert_nonnull (ping);
  g_assert_cmpstr (ping->name, ==, "guest-ping");
  g_assert_null (command_registry_lookup (fixture->registry, "guest-pingx"));

  g_assert_true (command_registry_check_enabled (fixture->registry, ping, &error));
  g_assert_no_error (error);

  command_registry_set_blocked (fixture->registry, ping, TRUE);
  g_assert_true (command_registry_is_blocked (fixture->registry, ping));
  g_assert_false (command_registry_check_enabled (fixture->registry, ping, &error));
  g_assert_error (error, PROTOCOL_ERROR, PROTOCOL_ERROR_COMMAND_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "Command guest-ping has been disabled: the command is not allowed");

  command_registry_set_blocked (fixture->registry, ping, FALSE);
  g_assert_false (command_registry_is_blocked (fixture->registry, ping));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* A failed check fails its test case and the run goes on (meson passes
   * --keep-going), so one bug does not hide the results of the others. */
  g_test_set_nonfatal_assertions ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  for (gsize i = 0; i < G_N_ELEMENTS (arguments_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dispatcher/arguments/%s", arguments_cases[i].name);
      g_test_add (path, Fixture, &arguments_cases[i], fixture_setup, test_arguments, fixture_teardown);
    }
  ADD ("/dispatcher/arguments/accessors", test_accessors);
  ADD ("/dispatcher/arguments/none", test_no_arguments);
  ADD ("/dispatcher/command-not-found", test_command_not_found);
  ADD ("/dispatcher/protocol-errors", test_protocol_errors);
  ADD ("/dispatcher/handler-error", test_handler_error);
  ADD ("/dispatcher/policy/block", test_policy_block);
  ADD ("/dispatcher/policy/allow", test_policy_allow);
  ADD ("/dispatcher/policy/unknown-names", test_policy_unknown_names);
  ADD ("/dispatcher/frozen/gate", test_frozen);
  ADD ("/dispatcher/frozen/and-blocked", test_frozen_and_blocked);
  ADD ("/dispatcher/guest-info", test_guest_info);
  ADD ("/dispatcher/order/async-then-sync", test_order_async_then_sync);
  ADD ("/dispatcher/order/reverse-completion", test_order_reverse_completion);
  ADD ("/dispatcher/order/timeout", test_order_timeout);
  ADD ("/dispatcher/exclusive/holds-later-requests", test_exclusive_holds_later_requests);
  ADD ("/dispatcher/exclusive/chain", test_exclusive_chain);
  ADD ("/dispatcher/exclusive/reset", test_exclusive_reset);
  ADD ("/dispatcher/exclusive/waits-for-earlier", test_exclusive_waits_for_earlier);
  ADD ("/dispatcher/exclusive/flood", test_exclusive_flood);
  ADD ("/dispatcher/reset/drops-pending", test_reset_drops_pending);
  ADD ("/dispatcher/reset/then-new-async", test_reset_then_new_async);
  ADD ("/dispatcher/free-with-pending", test_free_with_pending);
  ADD ("/dispatcher/forgotten-call/sync", test_forgotten_call);
  ADD ("/dispatcher/forgotten-call/later", test_forgotten_call_later);
  ADD ("/dispatcher/completed-twice", test_completed_twice);
  ADD ("/dispatcher/no-success-response", test_no_success_response);
  ADD ("/dispatcher/delimited", test_delimited);
  ADD ("/dispatcher/guest-sync", test_guest_sync);
  ADD ("/dispatcher/guest-ping", test_guest_ping);
  ADD ("/dispatcher/registry", test_registry);
#undef ADD

  return g_test_run ();
}
