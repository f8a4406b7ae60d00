/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "handshake.h"

#include "reply.h"

#include <string.h>

/* A positive token below 2^53, so that it survives any JSON implementation
 * on the agent side that stores numbers as doubles. */
static gint64
random_token (void)
{
  gint64 high = g_random_int_range (0, 1 << 21);

  return ((high << 32) | g_random_int ()) + 1;
}

/* libvirt's resynchronisation: the 0xFF byte makes the agent drop any
 * partial request it holds (it answers that with an error, which is
 * skipped like everything else), and the agent writes 0xFF before its
 * guest-sync-delimited reply, so everything before that byte can be thrown
 * away. Lines after it that do not carry our token are stale replies from
 * earlier requests or earlier handshakes. */
gboolean
handshake_run (Stream        *stream,
               gint64         deadline,
               GCancellable  *cancellable,
               GError       **error)
{
  gint64 token = random_token ();
  g_autofree char *request = NULL;

  request = g_strdup_printf ("\xff{\"execute\": \"guest-sync-delimited\", "
                             "\"arguments\": {\"id\": %" G_GINT64_FORMAT "}}\n",
                             token);

  if (!stream_write_all (stream, request, strlen (request), deadline,
                         cancellable, error))
    return FALSE;

  if (!stream_skip_past_delimiter (stream, deadline, cancellable, error))
    return FALSE;

  for (;;)
    {
      g_autofree char *line = NULL;
      g_autoptr(JsonObject) reply = NULL;

      line = stream_read_line (stream, deadline, cancellable, error);
      if (line == NULL)
        return FALSE;

      /* Unparseable lines are left-overs of an earlier exchange, not a
       * reason to give up: only our token ends the handshake. */
      reply = reply_parse (line, stream_get_address (stream), NULL);
      if (reply != NULL && reply_returns_int (reply, token))
        return TRUE;
    }
}
