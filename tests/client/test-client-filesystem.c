/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The filesystem wrappers against a scripted fake agent: what they send,
 * what they make of good replies, and that they refuse replies of the
 * wrong shape. Only the fake is used: nothing here may reach a real agent,
 * which would freeze or trim this machine. */
#include "config.h"

#include <string.h>

#include <guestlink-1/guestlink.h>

#include "async-result.h"
#include "fake-agent.h"

/* A wrapper run synchronously or through its _async and _finish forms.
 * Results are turned into JSON so one table can hold them all: the
 * status as its qemu-ga name, a count as an integer. */
typedef JsonNode *(*RunFunc) (GuestlinkClient  *client,
                              gconstpointer     parameter,
                              gboolean          async,
                              GError          **error);

static JsonNode *
int_node (int value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_int (node, value);
  return node;
}

static JsonNode *
run_status (GuestlinkClient  *client,
            gconstpointer     parameter,
            gboolean          async,
            GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GuestlinkFsfreezeStatus status = GUESTLINK_FSFREEZE_STATUS_THAWED;
  gboolean ok;
  JsonNode *node;

  if (async)
    {
      guestlink_client_fsfreeze_get_status_async (client, NULL, async_result_store, &result);
      ok = guestlink_client_fsfreeze_get_status_finish (client, async_result_wait (&result),
                                                        &status, error);
    }
  else
    {
      ok = guestlink_client_fsfreeze_get_status (client, &status, NULL, error);
    }

  if (!ok)
    return NULL;

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, status == GUESTLINK_FSFREEZE_STATUS_FROZEN ? "frozen" : "thawed");
  return node;
}

static JsonNode *
run_freeze (GuestlinkClient  *client,
            gconstpointer     parameter,
            gboolean          async,
            GError          **error)
{
  const char * const *mountpoints = parameter;
  g_autoptr(GAsyncResult) result = NULL;
  int count;

  if (async)
    {
      guestlink_client_fsfreeze_freeze_async (client, mountpoints, NULL, async_result_store, &result);
      count = guestlink_client_fsfreeze_freeze_finish (client, async_result_wait (&result), error);
    }
  else
    {
      count = guestlink_client_fsfreeze_freeze (client, mountpoints, NULL, error);
    }

  return count >= 0 ? int_node (count) : NULL;
}

static JsonNode *
run_thaw (GuestlinkClient  *client,
          gconstpointer     parameter,
          gboolean          async,
          GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  int count;

  if (async)
    {
      guestlink_client_fsfreeze_thaw_async (client, NULL, async_result_store, &result);
      count = guestlink_client_fsfreeze_thaw_finish (client, async_result_wait (&result), error);
    }
  else
    {
      count = guestlink_client_fsfreeze_thaw (client, NULL, error);
    }

  return count >= 0 ? int_node (count) : NULL;
}

static JsonNode *
run_fstrim (GuestlinkClient  *client,
            gconstpointer     parameter,
            gboolean          async,
            GError          **error)
{
  const gint64 *minimum = parameter;
  g_autoptr(GAsyncResult) result = NULL;

  if (!async)
    return guestlink_client_fstrim (client, *minimum, NULL, error);

  guestlink_client_fstrim_async (client, *minimum, NULL, async_result_store, &result);
  return guestlink_client_fstrim_finish (client, async_result_wait (&result), error);
}

static JsonNode *
run_fsinfo (GuestlinkClient  *client,
            gconstpointer     parameter,
            gboolean          async,
            GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!async)
    return guestlink_client_get_fsinfo (client, NULL, error);

  guestlink_client_get_fsinfo_async (client, NULL, async_result_store, &result);
  return guestlink_client_get_fsinfo_finish (client, async_result_wait (&result), error);
}

static const char * const two_mountpoints[] = { "/", "/boot", NULL };
static const char * const no_mountpoints[] = { NULL };
static const gint64 default_minimum = -1;
static const gint64 zero_minimum = 0;
static const gint64 large_minimum = G_GINT64_CONSTANT (1) << 40;

typedef struct
{
  const char *name;
  RunFunc run;
  gconstpointer parameter;
  const char *command;    /* what the wrapper must send */
  const char *arguments;  /* and with which arguments (JSON), or NULL */
} Wrapper;

static const Wrapper status_wrapper = { "status", run_status, NULL, "guest-fsfreeze-status", NULL };
static const Wrapper freeze_all_wrapper = { "freeze-all", run_freeze, NULL, "guest-fsfreeze-freeze", NULL };
static const Wrapper freeze_list_wrapper = {
  "freeze-list", run_freeze, two_mountpoints, "guest-fsfreeze-freeze-list",
  "{\"mountpoints\":[\"/\",\"/boot\"]}",
};
static const Wrapper freeze_empty_list_wrapper = {
  "freeze-empty-list", run_freeze, no_mountpoints, "guest-fsfreeze-freeze-list",
  "{\"mountpoints\":[]}",
};
static const Wrapper thaw_wrapper = { "thaw", run_thaw, NULL, "guest-fsfreeze-thaw", NULL };
static const Wrapper fstrim_wrapper = { "fstrim", run_fstrim, &default_minimum, "guest-fstrim", NULL };
static const Wrapper fstrim_zero_wrapper = {
  "fstrim-zero", run_fstrim, &zero_minimum, "guest-fstrim", "{\"minimum\":0}",
};
static const Wrapper fstrim_large_wrapper = {
  "fstrim-large", run_fstrim, &large_minimum, "guest-fstrim", "{\"minimum\":1099511627776}",
};
static const Wrapper fsinfo_wrapper = { "fsinfo", run_fsinfo, NULL, "guest-get-fsinfo", NULL };

#define RETURN(value) "{\"return\": " value "@ID@}\n"
#define ERROR(class, desc) "{\"error\": {\"class\": \"" class "\", \"desc\": \"" desc "\"}@ID@}\n"

/* Without @expected the call must fail with @code and a message holding
 * @message. */
typedef struct
{
  const char *name;
  const Wrapper *wrapper;
  const char *reply;
  const char *expected;
  GuestlinkError code;
  const char *message;
} Case;

/* What qemu-ga sends, with a member of a newer agent's. */
#define FSINFO_QEMU \
  "[{\"name\": \"vda1\", \"total-bytes\": 10213466112, \"mountpoint\": \"/\", " \
  "\"disk\": [{\"serial\": \"abc\", \"bus-type\": \"virtio\", \"bus\": 0, \"unit\": 0, " \
  "\"pci-controller\": {\"bus\": 0, \"slot\": 5, \"domain\": 0, \"function\": 0}, " \
  "\"dev\": \"/dev/vda1\", \"target\": 0}], \"used-bytes\": 1846034432, \"type\": \"ext4\"}, " \
  "{\"name\": \"dm-0\", \"mountpoint\": \"/srv\", \"type\": \"xfs\", \"disk\": [" \
  "{\"bus-type\": \"scsi\", \"bus\": 0, \"target\": 0, \"unit\": 1, " \
  "\"pci-controller\": {\"domain\": -1, \"bus\": -1, \"slot\": -1, \"function\": -1}}, " \
  "{\"bus-type\": \"unknown\", \"bus\": 0, \"target\": 0, \"unit\": 0, " \
  "\"pci-controller\": {\"domain\": 0, \"bus\": 0, \"slot\": 0, \"function\": 0}, " \
  "\"ccw-address\": {\"cssid\": 254, \"ssid\": 0, \"subchno\": 2, \"devno\": 0}, " \
  "\"newer-member\": [1]}]}]"

#define FSTRIM_QEMU \
  "{\"paths\": [{\"path\": \"/\", \"trimmed\": 4096000, \"minimum\": 0}, " \
  "{\"path\": \"/boot\", \"error\": \"trim not supported\"}]}"

/* A filesystem whose first disk's PCI address has @slot as its slot. */
#define FSINFO_WITH_SLOT(slot) \
  "[{\"name\": \"vda1\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"disk\": [" \
  "{\"bus-type\": \"virtio\", \"bus\": 0, \"target\": 0, \"unit\": 0, " \
  "\"pci-controller\": {\"domain\": 0, \"bus\": 0, \"slot\": " slot ", \"function\": 0}}]}]"

static const Case cases[] = {
  /* guest-fsfreeze-status */
  { "thawed", &status_wrapper, RETURN ("\"thawed\""), "\"thawed\"" },
  { "frozen", &status_wrapper, RETURN ("\"frozen\""), "\"frozen\"" },
  { "unknown-word", &status_wrapper, RETURN ("\"FROZEN\""), NULL, GUESTLINK_ERROR_PROTOCOL,
    "guest-fsfreeze-status returned a reply of an unexpected shape: the status is neither" },
  { "empty-string", &status_wrapper, RETURN ("\"\""), NULL, GUESTLINK_ERROR_PROTOCOL, "neither" },
  { "number", &status_wrapper, RETURN ("1"), NULL, GUESTLINK_ERROR_PROTOCOL, "not a string" },
  { "object", &status_wrapper, RETURN ("{}"), NULL, GUESTLINK_ERROR_PROTOCOL, "not a string" },
  { "null", &status_wrapper, RETURN ("null"), NULL, GUESTLINK_ERROR_PROTOCOL, "not a string" },
  { "not-found", &status_wrapper,
    ERROR ("CommandNotFound", "The command guest-fsfreeze-status has not been found"), NULL,
    GUESTLINK_ERROR_COMMAND_NOT_FOUND, "The command guest-fsfreeze-status has not been found" },

  /* guest-fsfreeze-freeze and -freeze-list */
  { "all", &freeze_all_wrapper, RETURN ("3"), "3" },
  { "none-to-freeze", &freeze_all_wrapper, RETURN ("0"), "0" },
  { "list", &freeze_list_wrapper, RETURN ("2"), "2" },
  { "empty-list", &freeze_empty_list_wrapper, RETURN ("0"), "0" },
  { "max-count", &freeze_all_wrapper, RETURN ("2147483647"), "2147483647" },
  { "negative", &freeze_all_wrapper, RETURN ("-1"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "guest-fsfreeze-freeze returned a reply of an unexpected shape: the count of filesystems is out of range" },
  { "too-large", &freeze_all_wrapper, RETURN ("2147483648"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "out of range" },
  { "fraction", &freeze_list_wrapper, RETURN ("2.5"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "guest-fsfreeze-freeze-list returned a reply of an unexpected shape: the reply is not an integer" },
  { "string", &freeze_all_wrapper, RETURN ("\"2\""), NULL, GUESTLINK_ERROR_PROTOCOL, "not an integer" },
  { "empty-object", &freeze_all_wrapper, RETURN ("{}"), NULL, GUESTLINK_ERROR_PROTOCOL, "not an integer" },
  { "not-a-mount-point", &freeze_list_wrapper,
    ERROR ("GenericError", "'/p' is not a mount point"), NULL,
    GUESTLINK_ERROR_GENERIC, "'/p' is not a mount point" },
  { "failed", &freeze_all_wrapper,
    ERROR ("GenericError", "failed to freeze /mnt/x: Input/output error"), NULL,
    GUESTLINK_ERROR_GENERIC, "failed to freeze /mnt/x: Input/output error" },
  { "already-frozen", &freeze_all_wrapper,
    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Command guest-fsfreeze-freeze has been "
    "disabled: the agent is in frozen state\"}@ID@}\n", NULL,
    GUESTLINK_ERROR_COMMAND_DISABLED, "the agent is in frozen state" },

  /* guest-fsfreeze-thaw */
  { "two", &thaw_wrapper, RETURN ("2"), "2" },
  { "nothing-frozen", &thaw_wrapper, RETURN ("0"), "0" },
  { "negative", &thaw_wrapper, RETURN ("-3"), NULL, GUESTLINK_ERROR_PROTOCOL, "out of range" },
  { "boolean", &thaw_wrapper, RETURN ("true"), NULL, GUESTLINK_ERROR_PROTOCOL, "not an integer" },
  { "array", &thaw_wrapper, RETURN ("[2]"), NULL, GUESTLINK_ERROR_PROTOCOL, "not an integer" },
  { "error", &thaw_wrapper, ERROR ("GenericError", "failed to thaw /srv: Invalid argument"), NULL,
    GUESTLINK_ERROR_GENERIC, "failed to thaw /srv: Invalid argument" },

  /* guest-fstrim */
  { "qemu", &fstrim_wrapper, RETURN ("{\"paths\": []}"), "{\"paths\": []}" },
  { "both-shapes", &fstrim_zero_wrapper, RETURN (FSTRIM_QEMU), FSTRIM_QEMU },
  { "path-only", &fstrim_large_wrapper, RETURN ("{\"paths\": [{\"path\": \"/\"}], \"extra\": 1}"),
    "{\"paths\": [{\"path\": \"/\"}], \"extra\": 1}" },
  { "array", &fstrim_wrapper, RETURN ("[]"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "guest-fstrim returned a reply of an unexpected shape: the reply is not an object" },
  { "no-paths", &fstrim_wrapper, RETURN ("{}"), NULL, GUESTLINK_ERROR_PROTOCOL, "paths is missing" },
  { "paths-object", &fstrim_wrapper, RETURN ("{\"paths\": {}}"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "paths is not an array" },
  { "path-number", &fstrim_wrapper, RETURN ("{\"paths\": [1]}"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "paths[0] is not an object" },
  { "no-path", &fstrim_wrapper, RETURN ("{\"paths\": [{\"path\": \"/\"}, {\"trimmed\": 1}]}"), NULL,
    GUESTLINK_ERROR_PROTOCOL, "paths[1].path is missing" },
  { "trimmed-string", &fstrim_wrapper, RETURN ("{\"paths\": [{\"path\": \"/\", \"trimmed\": \"1\"}]}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "paths[0].trimmed is not a non-negative integer" },
  { "trimmed-negative", &fstrim_wrapper, RETURN ("{\"paths\": [{\"path\": \"/\", \"trimmed\": -5}]}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "paths[0].trimmed is not a non-negative integer" },
  { "minimum-null", &fstrim_wrapper, RETURN ("{\"paths\": [{\"path\": \"/\", \"minimum\": null}]}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "paths[0].minimum is not" },
  { "error-number", &fstrim_wrapper, RETURN ("{\"paths\": [{\"path\": \"/\", \"error\": 3}]}"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "paths[0].error is not a string" },
  { "disabled", &fstrim_wrapper,
    ERROR ("CommandNotFound", "Command guest-fstrim has been disabled: the agent is in frozen state"),
    NULL, GUESTLINK_ERROR_COMMAND_DISABLED, "has been disabled" },

  /* guest-get-fsinfo */
  { "qemu", &fsinfo_wrapper, RETURN ("[]"), "[]" },
  { "filesystems", &fsinfo_wrapper, RETURN (FSINFO_QEMU), FSINFO_QEMU },
  { "valid-slot", &fsinfo_wrapper, RETURN (FSINFO_WITH_SLOT ("7")), FSINFO_WITH_SLOT ("7") },
  { "object", &fsinfo_wrapper, RETURN ("{}"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "guest-get-fsinfo returned a reply of an unexpected shape: the reply is not an array" },
  { "element-string", &fsinfo_wrapper, RETURN ("[\"vda1\"]"), NULL, GUESTLINK_ERROR_PROTOCOL,
    "[0] is not an object" },
  { "no-name", &fsinfo_wrapper, RETURN ("[{\"mountpoint\": \"/\", \"type\": \"ext4\", \"disk\": []}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].name is missing" },
  { "mountpoint-number", &fsinfo_wrapper,
    RETURN ("[{\"name\": \"a\", \"mountpoint\": 5, \"type\": \"ext4\", \"disk\": []}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].mountpoint is not a string" },
  { "no-disk", &fsinfo_wrapper, RETURN ("[{\"name\": \"a\", \"mountpoint\": \"/\", \"type\": \"ext4\"}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].disk is missing" },
  { "disk-object", &fsinfo_wrapper,
    RETURN ("[{\"name\": \"a\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"disk\": {}}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].disk is not an array" },
  { "used-negative", &fsinfo_wrapper,
    RETURN ("[{\"name\": \"a\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"used-bytes\": -1, \"disk\": []}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].used-bytes is not a non-negative integer" },
  { "total-fraction", &fsinfo_wrapper,
    RETURN ("[{\"name\": \"a\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"total-bytes\": 1.5, \"disk\": []}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].total-bytes is not a non-negative integer" },
  { "no-pci-controller", &fsinfo_wrapper,
    RETURN ("[{\"name\": \"a\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"disk\": "
            "[{\"bus-type\": \"virtio\", \"bus\": 0, \"target\": 0, \"unit\": 0}]}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].disk[0].pci-controller is missing" },
  { "slot-string", &fsinfo_wrapper, RETURN (FSINFO_WITH_SLOT ("\"5\"")), NULL, GUESTLINK_ERROR_PROTOCOL,
    "guest-get-fsinfo returned a reply of an unexpected shape: [0].disk[0].pci-controller.slot is not an integer" },
  { "bus-type-number", &fsinfo_wrapper,
    RETURN ("[{\"name\": \"a\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"disk\": "
            "[{\"bus-type\": 3, \"bus\": 0, \"target\": 0, \"unit\": 0, \"pci-controller\": "
            "{\"domain\": 0, \"bus\": 0, \"slot\": 0, \"function\": 0}}]}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].disk[0].bus-type is not a string" },
  { "serial-number", &fsinfo_wrapper,
    RETURN ("[{\"name\": \"a\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"disk\": "
            "[{\"bus-type\": \"scsi\", \"bus\": 0, \"target\": 0, \"unit\": 0, \"serial\": 7, "
            "\"pci-controller\": {\"domain\": 0, \"bus\": 0, \"slot\": 0, \"function\": 0}}]}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].disk[0].serial is not a string" },
  { "ccw-incomplete", &fsinfo_wrapper,
    RETURN ("[{\"name\": \"a\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"disk\": "
            "[{\"bus-type\": \"virtio\", \"bus\": 0, \"target\": 0, \"unit\": 0, "
            "\"pci-controller\": {\"domain\": 0, \"bus\": 0, \"slot\": 0, \"function\": 0}, "
            "\"ccw-address\": {\"cssid\": 254, \"ssid\": 0, \"subchno\": 2}}]}]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[0].disk[0].ccw-address.devno is missing" },
  { "second-filesystem", &fsinfo_wrapper,
    RETURN ("[{\"name\": \"a\", \"mountpoint\": \"/\", \"type\": \"ext4\", \"disk\": []}, null]"),
    NULL, GUESTLINK_ERROR_PROTOCOL, "[1] is not an object" },
  { "disabled", &fsinfo_wrapper,
    ERROR ("CommandNotFound", "Command guest-get-fsinfo has been disabled: the agent is in frozen state"),
    NULL, GUESTLINK_ERROR_COMMAND_DISABLED, "has been disabled" },
};

static void
assert_json_equal (JsonNode   *node,
                   const char *expected_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) expected = json_from_string (expected_text, &error);
  g_autofree char *text = json_to_string (node, FALSE);

  g_assert_no_error (error);
  g_test_message ("got %s", text);
  g_assert_true (json_node_equal (node, expected));
}

/* Each case twice, synchronously and asynchronously, on one connection:
 * agent errors and broken replies must leave the client usable. */
static void
test_case (gconstpointer data)
{
  const Case *test = data;
  const Wrapper *wrapper = test->wrapper;
  const FakeReply replies[] = { { wrapper->command, test->reply }, { NULL, } };
  g_autoptr(FakeAgent) fake = fake_agent_new (fake_answer_scripted, (gpointer) replies);
  g_autoptr(GuestlinkClient) client = NULL;

  client = guestlink_client_new_for_socket_path (fake_agent_get_socket_path (fake));

  for (int async = FALSE; async <= TRUE; async++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = NULL;
      g_autofree char *arguments = NULL;

      g_test_message ("%s", async ? "asynchronously" : "synchronously");
      result = wrapper->run (client, wrapper->parameter, async, &error);
      if (test->expected != NULL)
        {
          g_assert_no_error (error);
          assert_json_equal (result, test->expected);
        }
      else
        {
          g_assert_null (result);
          g_assert_error (error, GUESTLINK_ERROR, (int) test->code);
          g_test_message ("error: %s", error->message);
          g_assert_nonnull (strstr (error->message, test->message));
        }

      g_assert_cmpuint (fake_agent_count (fake, wrapper->command), ==, async ? 2 : 1);
      arguments = fake_agent_dup_last_arguments (fake, wrapper->command);
      g_assert_cmpstr (arguments, ==, wrapper->arguments);
    }
}

static void
test_status_enum (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (GUESTLINK_TYPE_FSFREEZE_STATUS);

  g_assert_cmpstr (g_enum_get_value (klass, GUESTLINK_FSFREEZE_STATUS_THAWED)->value_nick, ==, "thawed");
  g_assert_cmpstr (g_enum_get_value (klass, GUESTLINK_FSFREEZE_STATUS_FROZEN)->value_nick, ==, "frozen");
  g_assert_cmpuint (klass->n_values, ==, 2);
}

/* The caller's array may go away once the _async call returns. */
static void
test_freeze_async_copies_mountpoints (void)
{
  const FakeReply replies[] = { { "guest-fsfreeze-freeze-list", RETURN ("1") }, { NULL, } };
  g_autoptr(FakeAgent) fake = fake_agent_new (fake_answer_scripted, (gpointer) replies);
  g_autoptr(GuestlinkClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *arguments = NULL;
  char **mountpoints = g_strdupv ((char *[]) { "/var/lib/data", NULL });

  client = guestlink_client_new_for_socket_path (fake_agent_get_socket_path (fake));
  guestlink_client_fsfreeze_freeze_async (client, (const char * const *) mountpoints, NULL,
                                          async_result_store, &result);
  g_strfreev (mountpoints);
  g_assert_cmpint (guestlink_client_fsfreeze_freeze_finish (client, async_result_wait (&result),
                                                            &error), ==, 1);
  g_assert_no_error (error);
  arguments = fake_agent_dup_last_arguments (fake, "guest-fsfreeze-freeze-list");
  g_assert_cmpstr (arguments, ==, "{\"mountpoints\":[\"/var/lib/data\"]}");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/client/filesystem/%s/%s",
                                               cases[i].wrapper->name, cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/client/filesystem/status-enum", test_status_enum);
  g_test_add_func ("/client/filesystem/freeze-async-copies-mountpoints",
                   test_freeze_async_copies_mountpoints);

  return g_test_run ();
}
