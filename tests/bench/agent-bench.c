/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * agent-bench: measures any agent that speaks the qemu-ga JSON protocol over
 * a unix socket.
 *
 * It deliberately links nothing from guestlink: the same bytes go to
 * guestlinkd and to qemu-ga, read and timed by the same code, so the numbers
 * compare the agents and not two client implementations.  The wire side
 * (socket, reply lines, handshake) is in wire.c.
 *
 * Phases, in this order (each optional):
 *   1. memory: the agent's VmRSS after a handshake on an idle agent;
 *   2. one oversized message on a fresh connection, then VmRSS again;
 *   3. per command: round-trip latency, then pipelined throughput;
 *   4. VmRSS after the load.
 * Memory comes first so that "idle" means idle, not "after 60000 requests".
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "wire.h"

#define EXCERPT_MAX 160

/* Only commands that change nothing in the guest: the benchmark is pointed at
 * the qemu-ga of the machine it runs on, so a typo must not be able to reach
 * guest-fsfreeze-freeze or guest-shutdown. */
static const char *const safe_commands[] = {
  "guest-ping",
  "guest-info",
  "guest-sync",
};

typedef struct {
  gboolean is_sync;
  guint64 first_id;
  guint bad;
  char *first_bad;
} ReplyCheck;

typedef struct {
  const char *name;
  guint rounds;
  double p50_us;
  double p99_us;
  double max_us;
  guint pipeline;
  guint pipeline_lines;
  guint pipeline_bad;
  double pipeline_ms;
  double pipeline_rps;
  char *first_bad;
} CommandResult;

typedef enum {
  BIG_NOT_RUN,
  BIG_REPLY,
  BIG_TIMEOUT,
  BIG_CLOSED,
} BigOutcome;

typedef struct {
  gint64 bytes;
  BigOutcome outcome;
  gsize sent;
  gsize reply_len;
  gboolean reply_is_error;
  char *excerpt;
  guint extra_lines;
  double elapsed_ms;
  gboolean alive_after;
} BigResult;

/* One reading of /proc/PID/status, in kB; -1 when not taken.  RssAnon is
 * the agent's own heap and stacks: VmRSS also counts the shared libraries'
 * pages it touched, which says more about its dependencies than about it. */
typedef struct {
  gint64 rss;
  gint64 hwm;
  gint64 anon;
} MemSample;

#define MEM_SAMPLE_NONE { -1, -1, -1 }

typedef struct {
  int pid;
  MemSample idle;
  MemSample after_big;
  MemSample final;
} MemResult;

static char *opt_socket;
static char *opt_commands;
static int opt_rounds = 2000;
static int opt_pipeline = 20000;
static int opt_warmup = 200;
static gboolean opt_json;
static int opt_rss_pid;
static gint64 opt_big_message;
static int opt_big_timeout = 60;
static int opt_timeout = 30;

/* Distinct from anything a previous client may have left in flight, so a
 * stale reply can never be mistaken for ours. */
static guint64 next_id;

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
check_reply (WireConn *conn, guint index, gpointer user_data)
{
  ReplyCheck *check = user_data;
  gboolean ok;

  if (check->is_sync)
    {
      guint64 value;
      ok = wire_parse_return_int (conn->line->str, &value)
           && value == check->first_id + index;
    }
  else
    ok = wire_is_return (conn->line->str);

  if (!ok)
    {
      check->bad++;
      if (check->first_bad == NULL)
        check->first_bad = g_strndup (conn->line->str, EXCERPT_MAX);
    }
}

static WireConn *
connect_and_sync (GError **error)
{
  g_autoptr(WireConn) conn = wire_conn_open (opt_socket, error);

  if (conn == NULL
      || !wire_handshake (conn, next_id++, opt_timeout * 1000, error))
    return NULL;
  return g_steal_pointer (&conn);
}

static gboolean
read_status_kb (int pid, const char *key, gint64 *out, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      if (g_str_has_prefix (*l, key))
        {
          *out = g_ascii_strtoll (*l + strlen (key), NULL, 10);
          return TRUE;
        }
    }
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               "%s: no %s line", path, key);
  return FALSE;
}

static gboolean
read_mem (int pid, MemSample *sample, GError **error)
{
  return read_status_kb (pid, "VmRSS:", &sample->rss, error)
         && read_status_kb (pid, "VmHWM:", &sample->hwm, error)
         && read_status_kb (pid, "RssAnon:", &sample->anon, error);
}

static double
ns_to_us (gint64 ns)
{
  return (double) ns / 1000.0;
}

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static gint64
percentile (const gint64 *sorted, guint n, guint pct)
{
  guint rank = (n * pct + 99) / 100;

  return sorted[rank > 0 ? rank - 1 : 0];
}

static char *
make_request (const char *command, guint64 id)
{
  if (g_str_equal (command, "guest-sync"))
    return g_strdup_printf ("{\"execute\":\"guest-sync\","
                            "\"arguments\":{\"id\":%" G_GUINT64_FORMAT "}}",
                            id);
  return g_strdup_printf ("{\"execute\":\"%s\"}", command);
}

static gboolean
run_latency (WireConn *conn, CommandResult *res, GError **error)
{
  guint total = (guint) opt_warmup + res->rounds;
  g_autofree gint64 *samples = g_new (gint64, MAX (res->rounds, 1));
  int timeout_ms = opt_timeout * 1000;

  for (guint i = 0; i < total; i++)
    {
      guint64 id = next_id++;
      g_autofree char *req = make_request (res->name, id);
      ReplyCheck check = {
        .is_sync = g_str_equal (res->name, "guest-sync"),
        .first_id = id,
      };
      gint64 t0, t1;
      guint lines = 0;
      WirePumpResult r;

      t0 = now_ns ();
      r = wire_pump (conn, req, strlen (req), 1, timeout_ms, check_reply,
                     &check, &lines, NULL, error);
      t1 = now_ns ();

      if (r != WIRE_PUMP_DONE)
        {
          g_prefix_error (error, "%s round %u: ", res->name, i);
          g_free (check.first_bad);
          return FALSE;
        }
      /* One request in flight means exactly one reply; a second line would
       * be a reply to nothing and would shift every later measurement. */
      if (check.bad > 0 || lines != 1)
        {
          g_set_error (error, WIRE_ERROR, WIRE_ERROR_PROTOCOL,
                       "%s round %u: %u replies, unexpected reply: %s",
                       res->name, i, lines,
                       check.first_bad != NULL ? check.first_bad : "(none)");
          g_free (check.first_bad);
          return FALSE;
        }
      if (i >= (guint) opt_warmup)
        samples[i - (guint) opt_warmup] = t1 - t0;
    }

  if (res->rounds > 0)
    {
      qsort (samples, res->rounds, sizeof (gint64), cmp_gint64);
      res->p50_us = ns_to_us (percentile (samples, res->rounds, 50));
      res->p99_us = ns_to_us (percentile (samples, res->rounds, 99));
      res->max_us = ns_to_us (samples[res->rounds - 1]);
    }
  return TRUE;
}

static gboolean
run_pipeline (WireConn *conn, CommandResult *res, GError **error)
{
  g_autoptr(GString) stream = g_string_new (NULL);
  guint64 first_id = next_id;
  ReplyCheck check = {
    .is_sync = g_str_equal (res->name, "guest-sync"),
    .first_id = first_id,
  };
  gint64 t0, t1;
  WirePumpResult r;

  /* Built before the clock starts: we time the agent, not our printf. */
  for (guint i = 0; i < res->pipeline; i++)
    {
      g_autofree char *req = make_request (res->name, next_id++);
      g_string_append (stream, req);
    }

  t0 = now_ns ();
  r = wire_pump (conn, stream->str, stream->len, res->pipeline,
                 opt_timeout * 1000, check_reply, &check,
                 &res->pipeline_lines, NULL, error);
  t1 = now_ns ();

  res->pipeline_bad = check.bad;
  res->first_bad = check.first_bad;
  if (r != WIRE_PUMP_DONE)
    {
      g_prefix_error (error, "%s pipeline: ", res->name);
      return FALSE;
    }

  res->pipeline_ms = (double) (t1 - t0) / 1e6;
  res->pipeline_rps = (double) res->pipeline / ((double) (t1 - t0) / 1e9);

  if (res->pipeline_lines != res->pipeline || res->pipeline_bad > 0)
    {
      g_set_error (error, WIRE_ERROR, WIRE_ERROR_PROTOCOL,
                   "%s pipeline: %u replies for %u requests, %u not a "
                   "success; first: %s", res->name, res->pipeline_lines,
                   res->pipeline, res->pipeline_bad,
                   res->first_bad != NULL ? res->first_bad : "(none)");
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  char *first;
  gsize first_len;
} FirstLine;

static void
keep_first_line (WireConn *conn, guint index, gpointer user_data)
{
  FirstLine *first = user_data;

  if (index == 0)
    {
      first->first = g_strdup (conn->line->str);
      first->first_len = conn->line_len;
    }
}

/* One request far larger than any real one, on its own connection.  The
 * interesting results are what comes back (an error, or the request served)
 * and what the agent's memory looks like once it is over. */
static gboolean
run_big_message (BigResult *big, GError **error)
{
  static const char head[] = "{\"execute\":\"guest-ping\",\"id\":\"";
  static const char tail[] = "\"}";
  g_autoptr(WireConn) conn = NULL;
  g_autofree char *msg = NULL;
  g_autoptr(GError) local_error = NULL;
  FirstLine first = { NULL, 0 };
  gsize size = (gsize) big->bytes;
  gint64 t0;
  WirePumpResult r;
  guint lines = 0;

  if (size < sizeof head + sizeof tail)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--big-message must be at least %" G_GSIZE_FORMAT,
                   sizeof head + sizeof tail);
      return FALSE;
    }

  msg = g_malloc (size);
  memcpy (msg, head, sizeof head - 1);
  memset (msg + sizeof head - 1, 'A',
          size - (sizeof head - 1) - (sizeof tail - 1));
  memcpy (msg + size - (sizeof tail - 1), tail, sizeof tail - 1);

  conn = connect_and_sync (error);
  if (conn == NULL)
    return FALSE;

  t0 = now_ns ();
  r = wire_pump (conn, msg, size, 1, opt_big_timeout * 1000,
                 keep_first_line, &first, &lines, &big->sent, &local_error);
  big->elapsed_ms = (double) (now_ns () - t0) / 1e6;

  switch (r)
    {
    case WIRE_PUMP_DONE:
      big->outcome = BIG_REPLY;
      break;
    case WIRE_PUMP_TIMEOUT:
      big->outcome = BIG_TIMEOUT;
      break;
    case WIRE_PUMP_CLOSED:
      big->outcome = BIG_CLOSED;
      break;
    case WIRE_PUMP_FAILED:
    default:
      g_free (first.first);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* The reply may have come early, as an agent can reject the message once
   * it passes the limit; collect anything else it says about the rest. */
  if (r == WIRE_PUMP_DONE)
    {
      guint extra = 0;
      wire_pump (conn, NULL, 0, G_MAXUINT, 500, NULL, NULL, &extra, NULL, NULL);
      big->extra_lines = lines - 1 + extra;
    }

  if (first.first != NULL)
    {
      big->reply_len = first.first_len;
      big->reply_is_error = !wire_is_return (first.first);
      big->excerpt = g_strndup (first.first, EXCERPT_MAX);
      g_free (first.first);
    }
  else if (local_error != NULL)
    big->excerpt = g_strdup (local_error->message);

  return TRUE;
}

static void
json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20 || *p >= 0x7f)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  g_string_append_c (out, '"');
}

/* A reading that was never taken is null, not 0: 0 kB would look like a
 * result. */
static void
json_kb (GString *out, const char *key, gint64 kb)
{
  if (kb < 0)
    g_string_append_printf (out, "\"%s\": null", key);
  else
    g_string_append_printf (out, "\"%s\": %" G_GINT64_FORMAT, key, kb);
}

static void
json_mem_sample (GString *out, const char *name, const MemSample *sample)
{
  g_string_append_printf (out, ",\n    \"%s\": {", name);
  json_kb (out, "rss_kb", sample->rss);
  g_string_append (out, ", ");
  json_kb (out, "hwm_kb", sample->hwm);
  g_string_append (out, ", ");
  json_kb (out, "anon_kb", sample->anon);
  g_string_append_c (out, '}');
}

static void
json_number (GString *out, const char *key, double value, int decimals,
             gboolean measured)
{
  if (measured)
    g_string_append_printf (out, ", \"%s\": %.*f", key, decimals, value);
  else
    g_string_append_printf (out, ", \"%s\": null", key);
}

static const char *
kb_text (gint64 kb, char *buf, gsize size)
{
  if (kb < 0)
    return "-";
  g_snprintf (buf, size, "%" G_GINT64_FORMAT, kb);
  return buf;
}

static const char *
big_outcome_name (BigOutcome outcome)
{
  switch (outcome)
    {
    case BIG_NOT_RUN:
      return "not-run";
    case BIG_REPLY:
      return "reply";
    case BIG_TIMEOUT:
      return "timeout";
    case BIG_CLOSED:
      return "closed";
    default:
      return "unknown";
    }
}

static void
print_json (const MemResult *mem, const BigResult *big, GPtrArray *results)
{
  g_autoptr(GString) out = g_string_new ("{\n  \"socket\": ");

  json_string (out, opt_socket);
  g_string_append (out, ",\n");

  if (mem->pid > 0)
    {
      g_string_append_printf (out, "  \"memory\": {\n    \"pid\": %d",
                              mem->pid);
      json_mem_sample (out, "idle", &mem->idle);
      json_mem_sample (out, "after_big", &mem->after_big);
      json_mem_sample (out, "final", &mem->final);
      g_string_append (out, "\n  },\n");
    }

  if (big->outcome != BIG_NOT_RUN)
    {
      g_string_append_printf (out,
          "  \"big_message\": {\n"
          "    \"bytes\": %" G_GINT64_FORMAT ",\n"
          "    \"sent\": %" G_GSIZE_FORMAT ",\n"
          "    \"outcome\": \"%s\",\n"
          "    \"reply_bytes\": %" G_GSIZE_FORMAT ",\n"
          "    \"reply_is_error\": %s,\n"
          "    \"extra_lines\": %u,\n"
          "    \"elapsed_ms\": %.1f,\n"
          "    \"alive_after\": %s,\n"
          "    \"excerpt\": ",
          big->bytes, big->sent, big_outcome_name (big->outcome),
          big->reply_len, big->reply_is_error ? "true" : "false",
          big->extra_lines, big->elapsed_ms,
          big->alive_after ? "true" : "false");
      json_string (out, big->excerpt != NULL ? big->excerpt : "");
      g_string_append (out, "\n  },\n");
    }

  g_string_append (out, "  \"commands\": [");
  for (guint i = 0; i < results->len; i++)
    {
      const CommandResult *res = g_ptr_array_index (results, i);
      g_string_append_printf (out,
          "%s\n    {\"name\": \"%s\", \"rounds\": %u, \"warmup\": %d",
          i > 0 ? "," : "", res->name, res->rounds, opt_warmup);
      json_number (out, "p50_us", res->p50_us, 1, res->rounds > 0);
      json_number (out, "p99_us", res->p99_us, 1, res->rounds > 0);
      json_number (out, "max_us", res->max_us, 1, res->rounds > 0);
      g_string_append_printf (out, ", \"pipeline\": %u", res->pipeline);
      json_number (out, "pipeline_replies", res->pipeline_lines, 0,
                   res->pipeline > 0);
      json_number (out, "pipeline_errors", res->pipeline_bad, 0,
                   res->pipeline > 0);
      json_number (out, "pipeline_ms", res->pipeline_ms, 1,
                   res->pipeline > 0);
      json_number (out, "pipeline_rps", res->pipeline_rps, 0,
                   res->pipeline > 0);
      g_string_append_c (out, '}');
    }
  g_string_append (out, results->len > 0 ? "\n  ]\n}\n" : "]\n}\n");

  fputs (out->str, stdout);
}

static void
print_mem_sample (const char *what, const MemSample *sample)
{
  char a[32], b[32], c[32];

  printf ("  %-24s VmRSS %8s   VmHWM %8s   RssAnon %8s\n", what,
          kb_text (sample->rss, a, sizeof a),
          kb_text (sample->hwm, b, sizeof b),
          kb_text (sample->anon, c, sizeof c));
}

static void
print_table (const MemResult *mem, const BigResult *big, GPtrArray *results)
{
  printf ("agent: %s\n", opt_socket);

  if (mem->pid > 0)
    {
      printf ("\nmemory of pid %d (kB)\n", mem->pid);
      print_mem_sample ("idle, after handshake", &mem->idle);
    }

  if (big->outcome != BIG_NOT_RUN)
    {
      printf ("  %" G_GINT64_FORMAT "-byte message: %s after %.1f ms, "
              "%" G_GSIZE_FORMAT " bytes sent",
              big->bytes, big_outcome_name (big->outcome), big->elapsed_ms,
              big->sent);
      if (big->outcome == BIG_REPLY)
        printf (", %s reply of %" G_GSIZE_FORMAT " bytes, %u more lines",
                big->reply_is_error ? "error" : "success", big->reply_len,
                big->extra_lines);
      printf ("\n    %s\n", big->excerpt != NULL ? big->excerpt : "");
      printf ("    agent %s afterwards\n",
              big->alive_after ? "still serving" : "NOT serving");
      if (mem->pid > 0)
        print_mem_sample ("after that message", &mem->after_big);
    }

  if (results->len > 0)
    {
      printf ("\n%-12s %7s %9s %9s %9s %9s %10s %11s\n",
              "command", "rounds", "p50 us", "p99 us", "max us",
              "pipelined", "total ms", "req/s");
      for (guint i = 0; i < results->len; i++)
        {
          const CommandResult *res = g_ptr_array_index (results, i);
          printf ("%-12s %7u %9.1f %9.1f %9.1f %9u %10.1f %11.0f\n",
                  res->name, res->rounds, res->p50_us, res->p99_us,
                  res->max_us, res->pipeline, res->pipeline_ms,
                  res->pipeline_rps);
        }
    }

  if (mem->pid > 0 && results->len > 0)
    {
      printf ("\n");
      print_mem_sample ("after the load", &mem->final);
    }
}

static void
command_result_free (gpointer data)
{
  CommandResult *res = data;

  g_free (res->first_bad);
  g_free (res);
}

static gboolean
is_safe_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (safe_commands); i++)
    if (g_str_equal (name, safe_commands[i]))
      return TRUE;
  return FALSE;
}

int
main (int argc, char **argv)
{
  static const GOptionEntry entries[] = {
    { "socket", 's', 0, G_OPTION_ARG_FILENAME, &opt_socket,
      "Agent's unix socket", "PATH" },
    { "commands", 'c', 0, G_OPTION_ARG_STRING, &opt_commands,
      "Commands to measure (guest-ping,guest-info,guest-sync)", "LIST" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &opt_rounds,
      "Timed round trips per command (2000; 0 skips)", "N" },
    { "pipeline", 'p', 0, G_OPTION_ARG_INT, &opt_pipeline,
      "Pipelined requests per command (20000; 0 skips)", "N" },
    { "warmup", 'w', 0, G_OPTION_ARG_INT, &opt_warmup,
      "Untimed round trips before the timed ones (200)", "N" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
      "Print JSON instead of a table", NULL },
    { "rss-pid", 0, 0, G_OPTION_ARG_INT, &opt_rss_pid,
      "Agent's PID: report its VmRSS, VmHWM and RssAnon idle, after the big "
      "message and after the load", "PID" },
    { "big-message", 0, 0, G_OPTION_ARG_INT64, &opt_big_message,
      "Send one guest-ping of this many bytes on a fresh connection", "BYTES" },
    { "big-timeout", 0, 0, G_OPTION_ARG_INT, &opt_big_timeout,
      "Seconds without progress before giving up on the big message (60)",
      "S" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &opt_timeout,
      "Seconds without progress before a run fails (30)", "S" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (
      command_result_free);
  g_auto(GStrv) commands = NULL;
  MemResult mem = {
    .idle = MEM_SAMPLE_NONE,
    .after_big = MEM_SAMPLE_NONE,
    .final = MEM_SAMPLE_NONE,
  };
  BigResult big = { .outcome = BIG_NOT_RUN };
  int status = EXIT_SUCCESS;

  context = g_option_context_new ("- measure a qemu-ga protocol agent");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("agent-bench: %s\n", error->message);
      return 2;
    }
  if (opt_socket == NULL || opt_rounds < 0 || opt_pipeline < 0
      || opt_warmup < 0 || opt_big_message < 0 || opt_rss_pid < 0
      || opt_timeout <= 0 || opt_big_timeout <= 0)
    {
      g_printerr ("agent-bench: --socket is required; counts must not be "
                  "negative, timeouts positive\n");
      return 2;
    }

  commands = g_strsplit (opt_commands != NULL ? opt_commands
                         : "guest-ping,guest-info,guest-sync", ",", -1);
  for (char **c = commands; *c != NULL; c++)
    {
      if (!is_safe_command (*c))
        {
          g_printerr ("agent-bench: refusing command '%s': only guest-ping, "
                      "guest-info and guest-sync are measured\n", *c);
          return 2;
        }
    }

  /* A dead agent must show up as an error, not kill us with SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);
  next_id = ((guint64) g_random_int () << 16) + 1;

  if (opt_rss_pid > 0)
    {
      g_autoptr(WireConn) conn = connect_and_sync (&error);

      mem.pid = opt_rss_pid;
      /* Read while the connection is up: an agent's idle footprint includes
       * what it keeps for a connected client. */
      if (conn == NULL || !read_mem (mem.pid, &mem.idle, &error))
        goto fail;
    }

  if (opt_big_message > 0)
    {
      big.bytes = opt_big_message;
      if (!run_big_message (&big, &error))
        goto fail;

      /* A fresh handshake proves the agent survived and has finished with
       * the old connection before its memory is read again. */
      {
        g_autoptr(WireConn) conn = connect_and_sync (&error);
        big.alive_after = conn != NULL;
        if (conn == NULL)
          {
            g_printerr ("agent-bench: agent not serving after the big "
                        "message: %s\n", error->message);
            g_clear_error (&error);
            status = EXIT_FAILURE;
          }
        else if (mem.pid > 0 && !read_mem (mem.pid, &mem.after_big, &error))
          goto fail;
      }
    }

  if (status == EXIT_SUCCESS && (opt_rounds > 0 || opt_pipeline > 0))
    {
      g_autoptr(WireConn) conn = connect_and_sync (&error);

      if (conn == NULL)
        goto fail;

      for (char **c = commands; *c != NULL; c++)
        {
          CommandResult *res = g_new0 (CommandResult, 1);

          res->name = *c;
          res->rounds = (guint) opt_rounds;
          res->pipeline = (guint) opt_pipeline;
          g_ptr_array_add (results, res);

          if (!run_latency (conn, res, &error))
            goto fail;
          if (res->pipeline > 0 && !run_pipeline (conn, res, &error))
            goto fail;
        }

      if (mem.pid > 0 && !read_mem (mem.pid, &mem.final, &error))
        goto fail;
    }

  if (opt_json)
    print_json (&mem, &big, results);
  else
    print_table (&mem, &big, results);

  g_free (big.excerpt);
  return status;

fail:
  g_printerr ("agent-bench: %s\n", error->message);
  g_free (big.excerpt);
  return EXIT_FAILURE;
}
