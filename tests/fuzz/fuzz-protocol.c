/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the agent's whole input path: bytes -> framer -> parser ->
 * dispatcher -> protocol commands -> encoder, exactly as a host's bytes
 * travel. Built as a libFuzzer target with -Dfuzzing=true (clang); in
 * every other build a small main() replays the corpus as a test, so the
 * harness itself never rots.
 */
#include "config.h"

#include <stdint.h>

#include "commands.h"
#include "dispatcher.h"
#include "framer.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
discard_reply (const guint8 *data,
               gsize         length,
               gpointer      user_data)
{
  gsize *total = user_data;

  /* Every reply is one line: the invariant the host relies on. */
  g_assert_true (length > 0 && data[length - 1] == '\n');
  *total += length;
}

static void
on_message (const char *text,
            gsize       length,
            gpointer    user_data)
{
  dispatcher_handle_message (user_data, text, length);
}

static void
on_error (const GError *error,
          gpointer      user_data)
{
  dispatcher_handle_framing_error (user_data, error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static CommandRegistry *registry;
  gsize total = 0;
  g_autoptr(Dispatcher) dispatcher = NULL;
  g_autoptr(Framer) framer = NULL;

  if (registry == NULL)
    {
      registry = command_registry_new ();
      /* Never the families that change the machine: a fuzzer that
       * found guest-fsfreeze-freeze would freeze the one it runs on. */
      commands_register_readers (registry);
    }

  dispatcher = dispatcher_new (registry, discard_reply, &total);
  /* A small limit, so the size path is reached often. */
  framer = framer_new (4096, on_message, on_error, dispatcher);
  framer_feed (framer, data, size);
  return 0;
}

#ifndef FUZZING_ENGINE
int
main (int    argc,
      char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_get_contents (argv[i], &contents, &length, &error))
        g_error ("%s", error->message);
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
      g_print ("ok %d %s\n", i, argv[i]);
    }
  g_print ("1..%d\n", argc - 1);
  return 0;
}
#endif
