/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guestlinkd against the reference: the same bytes to guestlinkd and to
 * qemu-ga (7.2, Debian 12), each started fresh for every case, and the
 * replies compared byte for byte.
 *
 * Where the two differ on purpose or by a qemu-ga bug, the case says how it
 * is compared and why, and pins what each side answers, so that a change on
 * either side shows up here instead of being compared away. Each such case
 * prints both answers (g_test_message) under "documented divergence".
 * (a) guest-info and (b) the disabled-command wording have tests of their
 * own below; the other kinds are the Compare modes.
 *
 * Only harmless requests reach qemu-ga: guest-sync, guest-sync-delimited,
 * guest-ping, guest-info, guest-get-fsinfo (it only reads), unknown
 * commands and malformed input. It runs as root on the test machine;
 * nothing that freezes, trims, shuts down, sets or executes anything may
 * ever be added here.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "agent-harness.h"

#define ERROR_REPLY(desc) "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}}\n"
/* Ends every case on the same connection: what comes before its reply is
 * the case's whole answer, without guessing with timeouts. */
#define SENTINEL "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":918273645}}"
#define SENTINEL_REPLY "{\"return\": 918273645}\n"

typedef enum {
  /* Byte for byte. */
  COMPARE_EXACT,
  /* (c) qemu-ga may send more than one line; ours must be exactly its
   * last line. */
  COMPARE_LAST_LINE,
  /* (e) Same JSON value, member order aside. */
  COMPARE_SEMANTIC,
  /* (g) qemu-ga reports one broken text as several errors; we send one,
   * of the class of qemu-ga's first. */
  COMPARE_FIRST_CLASS,
  /* As many lines, errors of the same class, other words: both pinned. */
  COMPARE_SAME_CLASS,
  /* Different behaviour, both pinned: (d) integers in [2^63, 2^64),
   * (f) infinities, and what else running both turned up. */
  COMPARE_PINNED,
  /* Incomplete input: neither may answer. */
  COMPARE_NO_REPLY,
  /* Byte for byte once the numbers of the member named by "masked" are
   * blanked out on both sides: a value that moves between two calls. */
  COMPARE_MASKED,
} Compare;

typedef struct {
  const char *name;
  const char *input;
  gsize length;           /* 0: strlen (input) */
  Compare compare;
  const char *ours;       /* guestlinkd's whole answer, where it differs */
  const char *theirs;     /* qemu-ga 7.2's, for SAME_CLASS and PINNED */
  const char *why;
  const char *masked;     /* for MASKED: a member whose number is ignored */
} Case;

static char *qemu_ga;

static const Case cases[] = {
  { "ping", PING },
  { "ping/arguments-empty", "{\"execute\":\"guest-ping\",\"arguments\":{}}" },
  { "ping/leading-whitespace", "  \n\t {\"execute\":\"guest-ping\"}" },
  { "ping/single-quotes", "{'execute':'guest-ping'}" },
  { "ping/escaped-name", "{\"\\u0065xecute\":\"guest-p\\u0069ng\"}" },
  { "ping/pipelined-crlf", "{\"execute\":\"guest-ping\",\"id\":1}\r\n{\"execute\":\"guest-ping\",\"id\":2}\r\n" },

  { "id/1", "{\"execute\":\"guest-ping\",\"id\":1}" },
  { "id/-5", "{\"execute\":\"guest-ping\",\"id\":-5}" },
  { "id/1.5", "{\"execute\":\"guest-ping\",\"id\":1.5}" },
  { "id/0.1", "{\"execute\":\"guest-ping\",\"id\":0.1}" },
  { "id/1e3", "{\"execute\":\"guest-ping\",\"id\":1e3}" },
  { "id/1.0", "{\"execute\":\"guest-ping\",\"id\":1.0}" },
  { "id/-0.0", "{\"execute\":\"guest-ping\",\"id\":-0.0}" },
  { "id/doubles", "{\"execute\":\"guest-ping\",\"id\":[1e308,4.9e-324,123.456,1e-7,1e21,1e16,1e17,2.5e-5,1.5e-400]}" },
  { "id/int64-max", "{\"execute\":\"guest-ping\",\"id\":9223372036854775807}" },
  { "id/int64-min", "{\"execute\":\"guest-ping\",\"id\":-9223372036854775808}" },
  { "id/below-int64-min", "{\"execute\":\"guest-ping\",\"id\":-9223372036854775809}" },
  { "id/huge-integer", "{\"execute\":\"guest-ping\",\"id\":99999999999999999999999}" },
  { "id/escaped-string", "{\"execute\":\"guest-ping\",\"id\":\"abc\\u00e9\\n\\t/\\u0001\\u007f\"}" },
  { "id/utf8-string", "{\"execute\":\"guest-ping\",\"id\":\"\xC3\xA9\xF0\x9F\x98\x80\"}" },
  { "id/surrogate-pairs", "{\"execute\":\"guest-ping\",\"id\":\"\\ud83d\\ude00\\uD83D\\uDE00\"}" },
  { "id/escapes", "{\"execute\":\"guest-ping\",\"id\":\"\\u0041\\b\\f\\r\\\"\\\\\\/\x7F\"}" },
  { "id/single-quoted", "{\"execute\":\"guest-ping\",\"id\":'it\\'s \"quoted\"'}" },
  { "id/null", "{\"execute\":\"guest-ping\",\"id\":null}" },
  { "id/true", "{\"execute\":\"guest-ping\",\"id\":true}" },
  { "id/false", "{\"execute\":\"guest-ping\",\"id\":false}" },
  { "id/array", "{\"execute\":\"guest-ping\",\"id\":[1,{\"a\":[]},{}]}" },
  { "id/empty-object", "{\"execute\":\"guest-ping\",\"id\":{}}" },
  { "id/object", "{\"execute\":\"guest-ping\",\"id\":{\"a\":1}}" },
  { "id/first-member", "{\"id\":1,\"execute\":\"guest-ping\"}" },

  { "sync/1234", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1234}}" },
  { "sync/-1", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":-1}}" },
  { "sync/int64-min", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":-9223372036854775808}}" },
  { "sync/1.5", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1.5}}" },
  { "sync/1e0", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1e0}}" },
  { "sync/2^63", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":9223372036854775808}}" },
  { "sync/string", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":\"x\"}}" },
  { "sync/null", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":null}}" },
  { "sync/no-id", "{\"execute\":\"guest-sync\",\"arguments\":{}}" },
  { "sync/no-arguments", "{\"execute\":\"guest-sync\"}" },
  { "sync/extra-argument", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1,\"foo\":2}}" },
  { "sync/both-ids", "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":5},\"id\":6}" },
  { "sync-delimited/77", "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":77}}" },
  { "sync-delimited/request-id", "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":1},\"id\":\"d\"}" },

  { "request/arguments-unexpected", "{\"execute\":\"guest-ping\",\"arguments\":{\"x\":1}}" },
  { "request/arguments-array", "{\"execute\":\"guest-ping\",\"arguments\":[]}" },
  { "request/arguments-null", "{\"execute\":\"guest-ping\",\"arguments\":null}" },
  { "request/member-foo", "{\"execute\":\"guest-ping\",\"foo\":1}" },
  { "request/execute-number", "{\"execute\":1}" },
  { "request/no-execute", "{\"arguments\":{}}" },
  { "request/only-id", "{\"id\":1}" },
  { "request/empty-object", "{}" },
  { "request/array", "[1]" },
  { "request/string", "\"str\"" },
  { "request/single-quoted-string", "'abc'" },
  { "request/number", "42\n" },
  { "request/unknown-command", "{\"execute\":\"guest-nope\"}" },
  { "request/unknown-command-id", "{\"execute\":\"guest-nope\",\"id\":3}" },
  { "request/unknown-command-arguments", "{\"execute\":\"guest-nope\",\"arguments\":{\"a\":1},\"id\":[1]}" },
  { "request/empty-command", "{\"execute\":\"\"}" },
  { "request/unknown-member-id", "{\"execute\":\"guest-ping\",\"bogus\":1,\"id\":4}" },
  { "request/exec-oob-id", "{\"exec-oob\":\"guest-ping\",\"id\":1}" },

  { "json/0xff-then-ping", "\xFF" PING },
  { "json/at-then-ping", "@" PING },
  { "json/keyword-then-ping", "xyz" PING },
  { "json/brace-then-ping", "}" PING },
  { "json/bracket-after-request", "{\"execute\":\"guest-ping\",\"id\":1}]" },
  { "json/garbage-between", "{\"execute\":\"guest-ping\",\"id\":1} garbage {\"execute\":\"guest-ping\",\"id\":2}" },
  { "json/trailing-comma", "{\"execute\":\"guest-ping\",}" },
  { "json/trailing-comma-array", "{\"execute\":\"guest-ping\",\"id\":[1,]}" },
  { "json/duplicate-key", "{\"execute\":\"guest-ping\",\"execute\":\"guest-ping\"}" },
  { "json/duplicate-key-nested", "{\"execute\":\"guest-ping\",\"id\":{\"a\":1,\"a\":2}}" },
  { "json/key-not-string", "{1:2}" },
  { "json/bad-keyword", "{\"execute\":\"guest-ping\",\"id\":tru}" },
  { "json/bad-escape", "{\"execute\":\"guest-ping\",\"id\":\"\\x\"}" },
  { "json/truncated-utf8", "{\"execute\":\"guest-ping\",\"id\":\"\xC3\"}" },
  { "json/overlong-utf8", "{\"execute\":\"guest-ping\",\"id\":\"\xC0\xAF\"}" },
  { "json/utf8-surrogate", "{\"execute\":\"guest-ping\",\"id\":\"\xED\xA0\x80\"}" },
  { "json/utf8-past-10ffff", "{\"execute\":\"guest-ping\",\"id\":\"\xF4\x90\x80\x80\"}" },
  { "json/lone-surrogate-uppercase", "{\"execute\":\"guest-ping\",\"id\":\"\\uD800\"}" },

  /* (c) */
  { "exec-oob", "{\"exec-oob\":\"guest-ping\"}", 0, COMPARE_LAST_LINE,
    ERROR_REPLY ("QMP input member 'exec-oob' is unexpected"), NULL,
    "qemu-ga 7.2 was reported to answer with two errors here, the first one spurious; "
    "guestlinkd sends one, which must be qemu-ga's last (7.2.22 sends just that one)" },
  { "exec-oob-with-execute", "{\"execute\":\"guest-ping\",\"exec-oob\":\"guest-ping\"}", 0,
    COMPARE_LAST_LINE, ERROR_REPLY ("QMP input member 'exec-oob' is unexpected"), NULL,
    "as exec-oob" },

  /* (d) */
  { "id/2^64-1", "{\"execute\":\"guest-ping\",\"id\":18446744073709551615}", 0, COMPARE_PINNED,
    "{\"return\": {}, \"id\": 1.8446744073709552e+19}\n",
    "{\"return\": {}, \"id\": 18446744073709551615}\n",
    "qemu keeps integers in [2^63, 2^64) as uint64; json-glib has no unsigned integers, "
    "so guestlinkd echoes them as the nearest double" },
  { "id/2^63", "{\"execute\":\"guest-ping\",\"id\":9223372036854775808}", 0, COMPARE_PINNED,
    "{\"return\": {}, \"id\": 9.2233720368547758e+18}\n",
    "{\"return\": {}, \"id\": 9223372036854775808}\n",
    "as id/2^64-1, at the lower end of the range" },

  /* (e) */
  { "id/object-members", "{\"execute\":\"guest-ping\",\"id\":{\"zeta\":1,\"alpha\":2,\"mid\":[3],\"b\":null,\"execute\":\"x\"}}",
    0, COMPARE_SEMANTIC,
    "{\"return\": {}, \"id\": {\"zeta\": 1, \"alpha\": 2, \"mid\": [3], \"b\": null, \"execute\": \"x\"}}\n",
    NULL, "qemu orders the members of an object id by its hash table; guestlinkd keeps the sender's order" },

  /* (f) */
  { "id/1e400", "{\"execute\":\"guest-ping\",\"id\":1e400}", 0, COMPARE_PINNED,
    ERROR_REPLY ("JSON parse error, number out of range"),
    "{\"return\": {}, \"id\": inf}\n",
    "qemu-ga 7.2 echoes an infinite double as the invalid JSON 'inf'" },
  { "id/-1e400", "{\"execute\":\"guest-ping\",\"id\":-1e400}", 0, COMPARE_PINNED,
    ERROR_REPLY ("JSON parse error, number out of range"),
    "{\"return\": {}, \"id\": -inf}\n", "as id/1e400" },
  { "id/400-digits", "{\"execute\":\"guest-ping\",\"id\":"
    "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
    "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
    "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
    "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111}",
    0, COMPARE_PINNED,
    ERROR_REPLY ("JSON parse error, number out of range"),
    "{\"return\": {}, \"id\": inf}\n", "as id/1e400: an integer past DBL_MAX" },

  /* (g) */
  { "json/brackets-then-braces", "[[[[}}}}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, expecting value"), NULL,
    "qemu-ga reports every unmatched '}' again" },
  { "json/0xff-inside-string", "{\"execute\":\"gu\xFF" "est-ping\"}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, stray '\\uFFFD'"), NULL,
    "qemu-ga also reports the rest of the interrupted text" },
  { "json/0xff-between-members", "{\"execute\":\"guest-ping\",\xFF\"id\":2}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, stray '\\uFFFD'"), NULL,
    "qemu-ga parses the rest of the interrupted text as new requests" },
  { "json/stray-in-object", "{\"execute\":\"guest-ping\" @}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, expecting ',' or '}'"), NULL,
    "qemu-ga reports the stray byte, then the object it broke" },
  { "json/leading-zero", "{\"execute\":\"guest-ping\",\"id\":01}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, invalid number"), NULL, "as json/stray-in-object" },
  { "json/control-character", "{\"execute\":\"guest-ping\",\"id\":\"a\x01" "b\"}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, control character 0x01 in string"), NULL, "as json/stray-in-object" },
  { "json/leading-dot", "{\"execute\":\"guest-ping\",\"id\":.5}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, stray '.'"), NULL, "as json/stray-in-object" },
  { "json/plus-sign", "{\"execute\":\"guest-ping\",\"id\":+1}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, stray '+'"), NULL, "as json/stray-in-object" },
  { "json/nan", "{\"execute\":\"guest-ping\",\"id\":NaN}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, invalid keyword 'NaN'"), NULL, "as json/stray-in-object" },
  { "json/comment", "{\"execute\":\"guest-ping\",\"id\":/*c*/1}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, stray '/'"), NULL, "as json/stray-in-object" },

  /* Same error, other words. */
  { "json/lone-surrogate-lowercase", "{\"execute\":\"guest-ping\",\"id\":\"\\ud800\"}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, \\\\uD800 is not a valid Unicode character"),
    ERROR_REPLY ("JSON parse error, \\\\ud800 is not a valid Unicode character"),
    "qemu quotes the escape as written, guestlinkd in upper case" },
  { "json/missing-colon", "{\"execute\" \"guest-ping\"}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, missing ':' in object pair"),
    ERROR_REPLY ("JSON parse error, missing : in object pair"),
    "guestlinkd quotes the ':'" },
  { "json/missing-comma", "{\"execute\":\"guest-ping\" \"id\":1}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, expecting ',' or '}'"),
    ERROR_REPLY ("JSON parse error, expected separator in dict"),
    "guestlinkd names the expected bytes" },
  { "json/hex-number", "{\"execute\":\"guest-ping\",\"id\":0x10}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, expecting ',' or '}'"),
    ERROR_REPLY ("JSON parse error, expected separator in dict"),
    "as json/missing-comma" },
  { "json/bare-minus", "{\"execute\":\"guest-ping\",\"id\":-}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, invalid number"),
    ERROR_REPLY ("JSON parse error, stray '-}'"),
    "qemu's lexer quotes the bad token with the byte that ended it" },
  { "json/bare-dot", "{\"execute\":\"guest-ping\",\"id\":1.}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, invalid number"),
    ERROR_REPLY ("JSON parse error, stray '1.}'"), "as json/bare-minus" },
  { "json/bare-exponent", "{\"execute\":\"guest-ping\",\"id\":1e}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, invalid number"),
    ERROR_REPLY ("JSON parse error, stray '1e}'"), "as json/bare-minus" },
  { "json/short-unicode-escape", "{\"execute\":\"guest-ping\",\"id\":\"\\u12\"}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, invalid escape sequence in string"),
    ERROR_REPLY ("JSON parse error, \\\\u12\\\" is not a valid Unicode character"),
    "qemu takes the quote as a fourth hex digit" },
  { "json/stray-nul", "\0" PING, 1 + sizeof PING - 1, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, stray byte 0x00") "{\"return\": {}}\n",
    ERROR_REPLY ("JSON parse error, stray ''") "{\"return\": {}}\n",
    "qemu prints the NUL itself, which its C string ends at" },
  { "json/stray-high-byte", "\x80" PING, 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, stray byte 0x80") "{\"return\": {}}\n",
    ERROR_REPLY ("JSON parse error, stray '\\uFFFD'") "{\"return\": {}}\n",
    "qemu shows a replacement character, guestlinkd the byte" },

  { "json/empty-key", "{\"execute\":\"guest-ping\",\"id\":{,}}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, key is not a string in object"),
    ERROR_REPLY ("JSON parse error, expecting value"),
    "guestlinkd says what it expected instead" },
  { "json/colon-for-key", "{:}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, key is not a string in object"),
    ERROR_REPLY ("JSON parse error, expecting value"), "as json/empty-key" },
  { "json/long-keyword", "{\"execute\":\"guest-ping\",\"id\":aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}",
    0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, invalid keyword 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'"),
    ERROR_REPLY ("JSON parse error, invalid keyword 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"),
    "guestlinkd quotes at most 32 letters of a bad keyword" },
  { "json/byte-order-mark", "\xEF\xBB\xBF" PING, 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, stray byte 0xef") "{\"return\": {}}\n",
    ERROR_REPLY ("JSON parse error, stray '\\uFFFD'") "{\"return\": {}}\n",
    "as json/stray-high-byte; a UTF-8 BOM is not JSON" },
  { "json/0xff-inside-top-level-string", "\"abc\xFF\"", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, stray '\\uFFFD'"),
    ERROR_REPLY ("JSON parse error, stray '\\\"abc\\uFFFD'"),
    "qemu quotes the interrupted token" },
  { "json/mismatched-close", "{\"execute\":\"guest-ping\",\"id\":[1}]}", 0, COMPARE_SAME_CLASS,
    ERROR_REPLY ("JSON parse error, expecting ',' or ']'")
    ERROR_REPLY ("JSON parse error, expecting value"),
    ERROR_REPLY ("JSON parse error, expected separator in list")
    ERROR_REPLY ("JSON parse error, expecting value"),
    "one closer too many: both report it as a second error" },

  /* Different behaviour. */
  { "id/nul-escape", "{\"execute\":\"guest-ping\",\"id\":\"a\\u0000b\"}", 0, COMPARE_PINNED,
    ERROR_REPLY ("JSON parse error, \\\\u0000 is not allowed in strings"),
    "{\"return\": {}, \"id\": \"a\\u0000b\"}\n",
    "guestlinkd refuses NUL in strings (json-glib would cut them there); qemu echoes it" },
  { "id/noncharacter-ffff", "{\"execute\":\"guest-ping\",\"id\":\"\\uffff\"}", 0, COMPARE_PINNED,
    "{\"return\": {}, \"id\": \"\\uFFFF\"}\n",
    ERROR_REPLY ("JSON parse error, \\\\uffff is not a valid Unicode character"),
    "qemu refuses Unicode noncharacters, which RFC 8259 allows; guestlinkd accepts them" },
  { "id/noncharacter-fdd0", "{\"execute\":\"guest-ping\",\"id\":\"\\ufdd0\"}", 0, COMPARE_PINNED,
    "{\"return\": {}, \"id\": \"\\uFDD0\"}\n",
    ERROR_REPLY ("JSON parse error, \\\\ufdd0 is not a valid Unicode character"),
    "as id/noncharacter-ffff" },
  { "id/noncharacter-1ffff", "{\"execute\":\"guest-ping\",\"id\":\"\\uD83F\\uDFFF\"}", 0, COMPARE_PINNED,
    "{\"return\": {}, \"id\": \"\\uD83F\\uDFFF\"}\n",
    ERROR_REPLY ("JSON parse error, \\\\uD83F\\\\uDFFF is not a valid Unicode character"),
    "as id/noncharacter-ffff, beyond the BMP" },
  { "id/noncharacter-utf8", "{\"execute\":\"guest-ping\",\"id\":\"\xEF\xBF\xBF\"}", 0, COMPARE_PINNED,
    "{\"return\": {}, \"id\": \"\\uFFFF\"}\n",
    ERROR_REPLY ("JSON parse error, invalid UTF-8 sequence in string"),
    "as id/noncharacter-ffff, as raw UTF-8" },

  { "id/zero-exponent", "{\"execute\":\"guest-ping\",\"id\":0e0}", 0, COMPARE_PINNED,
    "{\"return\": {}, \"id\": 0}\n",
    ERROR_REPLY ("JSON parse error, expected separator in dict"),
    "qemu's lexer takes no exponent right after a 0 (a qemu bug: RFC 8259 allows 0e0); "
    "guestlinkd accepts it" },
  { "id/negative-zero-exponent", "{\"execute\":\"guest-ping\",\"id\":-0e0}", 0, COMPARE_PINNED,
    "{\"return\": {}, \"id\": -0}\n",
    ERROR_REPLY ("JSON parse error, expected separator in dict"), "as id/zero-exponent" },
  { "json/0xff-inside-keyword", "tr\xFFue" PING, 0, COMPARE_PINNED,
    ERROR_REPLY ("JSON parse error, stray '\\uFFFD'")
    ERROR_REPLY ("JSON parse error, invalid keyword 'ue'") "{\"return\": {}}\n",
    ERROR_REPLY ("JSON parse error, invalid keyword 'tr'")
    ERROR_REPLY ("JSON parse error, stray '\\uFFFD'") "{\"return\": {}}\n",
    "guestlinkd drops the interrupted keyword silently, qemu reports it first" },
  { "json/0xff-after-top-level-number", "12\xFF", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, stray '\\uFFFD'"),
    NULL, "qemu-ga completes the number and reports it as a request first" },
  { "json/one-closer-too-many", "{\"execute\":\"guest-ping\",\"id\":{\"a\":1]}}", 0, COMPARE_PINNED,
    ERROR_REPLY ("JSON parse error, expecting ',' or '}'")
    ERROR_REPLY ("JSON parse error, expecting value"),
    ERROR_REPLY ("JSON parse error, expected separator in dict")
    ERROR_REPLY ("JSON parse error, expecting value")
    ERROR_REPLY ("JSON parse error, expecting value"),
    "unbalanced: guestlinkd reports the break and the extra closer, qemu each closer" },
  { "json/object-closed-by-bracket", "{\"execute\":\"guest-ping\",\"id\":{]}", 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON parse error, key is not a string in object"), NULL,
    "as json/stray-in-object" },

  { "incomplete/object", "{\"execute\":\"guest-ping\"", 0, COMPARE_NO_REPLY },
  { "incomplete/string", "\"abc", 0, COMPARE_NO_REPLY },
  { "incomplete/number", "42", 0, COMPARE_NO_REPLY },

  /* This machine's own mounts and disks, seen by both agents. */
  { "fsinfo", "{\"execute\":\"guest-get-fsinfo\"}", 0, COMPARE_MASKED,
    .masked = "used-bytes", .why = "files are written between the two calls" },
  { "fsinfo/id", "{\"execute\":\"guest-get-fsinfo\",\"id\":\"fs\"}", 0, COMPARE_MASKED,
    .masked = "used-bytes", .why = "files are written between the two calls" },
  { "fsinfo/argument", "{\"execute\":\"guest-get-fsinfo\",\"arguments\":{\"x\":1}}" },
};

/* Both agents, fresh: no case can see another's leftovers (qemu-ga keeps
 * partial input across clients, see partial-input-across-clients). */
typedef struct {
  TestAgent *ours;
  TestAgent *theirs;
} Pair;

static void
pair_start (Pair               *pair,
            const char * const *extra_args)
{
  pair->ours = test_agent_start (harness_guestlinkd (), HARNESS_AGENT_NONE, extra_args);
  /* qemu-ga's own warnings are not ours to fail on. */
  pair->theirs = test_agent_start (qemu_ga, HARNESS_AGENT_ALLOW_WARNINGS, extra_args);
}

static void
pair_stop (Pair *pair)
{
  g_autofree char *ours = harness_describe_status (test_agent_stop (pair->ours));
  g_autofree char *theirs = harness_describe_status (test_agent_stop_reference (pair->theirs));

  g_test_message ("qemu-ga: %s", theirs);
  g_assert_cmpstr (ours, ==, "exit status 0");
  g_clear_pointer (&pair->ours, test_agent_free);
  g_clear_pointer (&pair->theirs, test_agent_free);
}

/* Every reply line @input earns, on a connection of its own. */
static GPtrArray *
collect (TestAgent  *agent,
         const char *input,
         gsize       length,
         gboolean    expect_silence)
{
  g_autoptr(Client) client = client_connect (test_agent_get_socket_path (agent));
  GPtrArray *lines;

  client_send (client, input, length);
  if (expect_silence)
    {
      g_autoptr(GByteArray) received = client_read_for (client, HARNESS_SILENCE_MS);

      lines = g_ptr_array_new_with_free_func (g_free);
      if (received->len > 0)
        g_ptr_array_add (lines, g_strndup ((const char *) received->data, received->len));
      return lines;
    }

  client_send_str (client, SENTINEL);
  lines = client_read_lines_until (client, SENTINEL_REPLY);
  g_ptr_array_remove_index (lines, lines->len - 1);
  return lines;
}

static char *
join (GPtrArray *lines)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    g_string_append (text, g_ptr_array_index (lines, i));
  return g_string_free (text, FALSE);
}

static JsonNode *
parse_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static void
assert_same_class (const char *ours,
                   const char *theirs)
{
  g_autofree char *our_class = harness_reply_error_class (ours);
  g_autofree char *their_class = harness_reply_error_class (theirs);

  g_assert_nonnull (our_class);
  g_assert_cmpstr (our_class, ==, their_class);
}

/* @text with the number of every "@member" member replaced by N. */
static char *
mask_member (const char *text,
             const char *member)
{
  g_autofree char *escaped = g_regex_escape_string (member, -1);
  g_autofree char *pattern = g_strdup_printf ("\"%s\": -?[0-9]+", escaped);
  g_autofree char *replacement = g_strdup_printf ("\"%s\": N", member);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);

  g_assert_nonnull (regex);
  return g_regex_replace_literal (regex, text, -1, 0, replacement, 0, NULL);
}

static void
compare (const Case *c,
         GPtrArray  *ours,
         GPtrArray  *theirs)
{
  g_autofree char *our_text = join (ours);
  g_autofree char *their_text = join (theirs);

  harness_message_bytes ("input:", c->input, c->length != 0 ? (gssize) c->length : -1);
  if (c->compare == COMPARE_MASKED)
    {
      g_test_message ("compared without the numbers of \"%s\": %s", c->masked, c->why);
      harness_message_bytes ("guestlinkd:", our_text, -1);
      harness_message_bytes ("qemu-ga:   ", their_text, -1);
    }
  else if (c->compare != COMPARE_EXACT && c->compare != COMPARE_NO_REPLY)
    {
      g_test_message ("documented divergence: %s", c->why);
      harness_message_bytes ("guestlinkd:", our_text, -1);
      harness_message_bytes ("qemu-ga:   ", their_text, -1);
    }

  switch (c->compare)
    {
    case COMPARE_EXACT:
    case COMPARE_NO_REPLY:
      g_assert_cmpstr (our_text, ==, their_text);
      if (c->compare == COMPARE_NO_REPLY)
        g_assert_cmpstr (our_text, ==, "");
      break;

    case COMPARE_LAST_LINE:
      g_assert_cmpstr (our_text, ==, c->ours);
      g_assert_cmpuint (ours->len, ==, 1);
      g_assert_cmpuint (theirs->len, >=, 1);
      g_test_message ("qemu-ga answered with %u line(s)", theirs->len);
      g_assert_cmpstr (g_ptr_array_index (ours, 0), ==,
                       g_ptr_array_index (theirs, theirs->len - 1));
      break;

    case COMPARE_SEMANTIC:
      {
        g_autoptr(JsonNode) our_node = NULL;
        g_autoptr(JsonNode) their_node = NULL;

        g_assert_cmpstr (our_text, ==, c->ours);
        g_assert_cmpuint (ours->len, ==, 1);
        g_assert_cmpuint (theirs->len, ==, 1);
        our_node = parse_line (g_ptr_array_index (ours, 0));
        their_node = parse_line (g_ptr_array_index (theirs, 0));
        g_assert_true (json_node_equal (our_node, their_node));
      }
      break;

    case COMPARE_FIRST_CLASS:
      g_assert_cmpstr (our_text, ==, c->ours);
      g_assert_cmpuint (ours->len, ==, 1);
      g_assert_cmpuint (theirs->len, >=, 1);
      g_test_message ("qemu-ga answered with %u error line(s)", theirs->len);
      assert_same_class (g_ptr_array_index (ours, 0), g_ptr_array_index (theirs, 0));
      break;

    case COMPARE_SAME_CLASS:
      g_assert_cmpstr (our_text, ==, c->ours);
      g_assert_cmpstr (their_text, ==, c->theirs);
      g_assert_cmpuint (ours->len, ==, theirs->len);
      assert_same_class (g_ptr_array_index (ours, 0), g_ptr_array_index (theirs, 0));
      break;

    case COMPARE_PINNED:
      g_assert_cmpstr (our_text, ==, c->ours);
      g_assert_cmpstr (their_text, ==, c->theirs);
      break;

    case COMPARE_MASKED:
      {
        g_autofree char *our_masked = mask_member (our_text, c->masked);
        g_autofree char *their_masked = mask_member (their_text, c->masked);

        g_assert_cmpuint (ours->len, ==, 1);
        g_assert_cmpstr (our_masked, ==, their_masked);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
run_case (const Case *c)
{
  Pair pair = { NULL, NULL };
  gsize length = c->length != 0 ? c->length : strlen (c->input);
  gboolean silence = c->compare == COMPARE_NO_REPLY;
  g_autoptr(GPtrArray) ours = NULL;
  g_autoptr(GPtrArray) theirs = NULL;

  pair_start (&pair, NULL);
  ours = collect (pair.ours, c->input, length, silence);
  theirs = collect (pair.theirs, c->input, length, silence);
  compare (c, ours, theirs);
  pair_stop (&pair);
}

static void
test_case (gconstpointer data)
{
  run_case (data);
}

static void
test_nesting (void)
{
  g_autofree char *deepest = harness_ping_of_depth (1024);
  g_autofree char *too_deep = harness_ping_of_depth (1025);
  const Case allowed = { "nesting/1024", deepest, 0, COMPARE_EXACT };
  const Case refused = {
    "nesting/1025", too_deep, 0, COMPARE_FIRST_CLASS,
    ERROR_REPLY ("JSON nesting depth limit exceeded"), NULL,
    "qemu-ga reports the limit, then every bracket that closes past it"
  };

  run_case (&allowed);
  run_case (&refused);
}

/* (a) Different agents, different commands: only the shape is common. */
static JsonObject *
info_of (TestAgent *agent,
         JsonNode **out_root)
{
  g_autofree char *reply = harness_exchange (test_agent_get_socket_path (agent),
                                             "{\"execute\":\"guest-info\"}");
  JsonNode *root = parse_line (reply);
  JsonObject *info = json_object_get_object_member (json_node_get_object (root), "return");
  JsonArray *commands;

  g_assert_nonnull (info);
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (info, "version")));
  commands = json_object_get_array_member (info, "supported_commands");
  g_assert_nonnull (commands);

  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      g_autoptr(GList) members = json_object_get_members (json_array_get_object_element (commands, i));

      g_assert_cmpuint (g_list_length (members), ==, 3);
      g_assert_cmpstr (g_list_nth_data (members, 0), ==, "enabled");
      g_assert_cmpstr (g_list_nth_data (members, 1), ==, "name");
      g_assert_cmpstr (g_list_nth_data (members, 2), ==, "success-response");
    }

  *out_root = root;
  return info;
}

static JsonObject *
find_command (JsonObject *info,
              const char *name)
{
  JsonArray *commands = json_object_get_array_member (info, "supported_commands");

  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      JsonObject *command = json_array_get_object_element (commands, i);

      if (g_str_equal (json_object_get_string_member (command, "name"), name))
        return command;
    }
  return NULL;
}

static void
test_info (void)
{
  static const char * const protocol_commands[] = {
    "guest-sync-delimited", "guest-sync", "guest-ping", "guest-info",
  };
  Pair pair = { NULL, NULL };
  g_autoptr(JsonNode) our_root = NULL;
  g_autoptr(JsonNode) their_root = NULL;
  JsonObject *ours, *theirs;

  pair_start (&pair, NULL);
  ours = info_of (pair.ours, &our_root);
  theirs = info_of (pair.theirs, &their_root);
  g_test_message ("documented divergence: versions %s and %s, %u and %u commands",
                  json_object_get_string_member (ours, "version"),
                  json_object_get_string_member (theirs, "version"),
                  json_array_get_length (json_object_get_array_member (ours, "supported_commands")),
                  json_array_get_length (json_object_get_array_member (theirs, "supported_commands")));

  for (gsize i = 0; i < G_N_ELEMENTS (protocol_commands); i++)
    {
      JsonObject *our_command = find_command (ours, protocol_commands[i]);
      JsonObject *their_command = find_command (theirs, protocol_commands[i]);

      g_assert_nonnull (our_command);
      g_assert_nonnull (their_command);
      g_assert_true (json_object_equal (our_command, their_command));
    }

  pair_stop (&pair);
}

/* (b) qemu-ga 7.2 says "Command X has been disabled"; newer qemu, and
 * guestlinkd, add ": the command is not allowed". */
static void
test_disabled_wording (void)
{
  const char * const args[] = { "-b", "guest-ping", NULL };
  static const char * const requests[] = {
    PING, "{\"execute\":\"guest-ping\",\"id\":7}",
  };
  Pair pair = { NULL, NULL };

  pair_start (&pair, args);
  for (gsize i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(GPtrArray) ours = collect (pair.ours, requests[i], strlen (requests[i]), FALSE);
      g_autoptr(GPtrArray) theirs = collect (pair.theirs, requests[i], strlen (requests[i]), FALSE);
      const char *our_line, *their_line;
      g_autofree char *their_prefix = NULL;

      g_assert_cmpuint (ours->len, ==, 1);
      g_assert_cmpuint (theirs->len, ==, 1);
      our_line = g_ptr_array_index (ours, 0);
      their_line = g_ptr_array_index (theirs, 0);
      g_test_message ("documented divergence: newer qemu wording");
      harness_message_bytes ("guestlinkd:", our_line, -1);
      harness_message_bytes ("qemu-ga:   ", their_line, -1);

      g_assert_true (g_str_has_suffix (their_line, "has been disabled\"}}\n"));
      their_prefix = g_strndup (their_line, strlen (their_line) - strlen ("\"}}\n"));
      g_assert_true (g_str_has_prefix (our_line, their_prefix));
      g_assert_cmpstr (our_line + strlen (their_prefix), ==, ": the command is not allowed\"}}\n");
    }
  pair_stop (&pair);
}

/* qemu-ga keeps a client's unfinished request and continues it with the
 * next client's bytes; guestlinkd starts every client afresh. */
static void
test_partial_input_across_clients (void)
{
  const char *abandoned = "{\"execute\":\"guest-ping\",\"id\":[1,";
  const char *next = "{\"execute\":\"guest-ping\",\"id\":2}";
  Pair pair = { NULL, NULL };
  TestAgent *agents[2];
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func (g_free);

  pair_start (&pair, NULL);
  agents[0] = pair.ours;
  agents[1] = pair.theirs;
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(Client) first = client_connect (test_agent_get_socket_path (agents[i]));
      g_autoptr(Client) second = NULL;
      g_autoptr(GByteArray) received = NULL;

      client_send_str (first, abandoned);
      g_clear_pointer (&first, client_free);
      second = client_connect (test_agent_get_socket_path (agents[i]));
      client_send_str (second, next);
      received = client_read_for (second, HARNESS_SILENCE_MS);
      /* An empty GByteArray has no data at all. */
      g_ptr_array_add (answers, g_strndup (received->len > 0 ? (const char *) received->data : "",
                                           received->len));
    }

  g_test_message ("documented divergence: qemu-ga continues an abandoned request with the "
                  "next client's bytes");
  harness_message_bytes ("first client sent:", abandoned, -1);
  harness_message_bytes ("guestlinkd:", g_ptr_array_index (answers, 0), -1);
  harness_message_bytes ("qemu-ga (nothing: still inside the first request):",
                         g_ptr_array_index (answers, 1), -1);
  g_assert_cmpstr (g_ptr_array_index (answers, 0), ==, "{\"return\": {}, \"id\": 2}\n");
  g_assert_cmpstr (g_ptr_array_index (answers, 1), ==, "");
  pair_stop (&pair);
}

int
main (int    argc,
      char **argv)
{
  const char *reference;

  /* QEMU_GA may name another build of the reference. */
  reference = g_getenv ("QEMU_GA") != NULL ? g_getenv ("QEMU_GA") : "qemu-ga";
  qemu_ga = harness_find_program (reference);
  if (qemu_ga == NULL)
    {
      /* Not a pass: meson reports exit code 77 as SKIP. */
      g_printerr ("SKIP: the reference agent %s (Debian package qemu-guest-agent) was not "
                  "found in PATH nor in /usr/sbin, /sbin, /usr/local/sbin\n", reference);
      return HARNESS_EXIT_SKIP;
    }

  harness_init (&argc, &argv);
  g_test_message ("reference agent: %s", qemu_ga);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/differential/", cases[i].name, NULL);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/differential/nesting", test_nesting);
  g_test_add_func ("/differential/guest-info", test_info);
  g_test_add_func ("/differential/disabled-wording", test_disabled_wording);
  g_test_add_func ("/differential/partial-input-across-clients", test_partial_input_across_clients);

  return harness_run ();
}
