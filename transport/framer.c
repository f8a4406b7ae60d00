/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A strict, incremental JSON lexer with an explicit container stack. It
 * copies each message into one buffer and hands it on when the top-level
 * value is complete; nothing here recurses or allocates per token.
 */
#include "config.h"

#include <malloc.h>

#include "framer.h"

G_DEFINE_QUARK (framer-error-quark, framer_error)

/* Buffers that grew past this for one large message are given back. */
#define FRAMER_KEEP_BUFFER_SIZE (64 * 1024)
#define FRAMER_MAX_KEYWORD 32

typedef enum {
  LEX_IDLE,             /* between tokens: whitespace, punctuation, value starts */
  LEX_STRING,
  LEX_STRING_ESCAPE,    /* after a backslash */
  LEX_STRING_UNICODE,   /* collecting the four hex digits of \uXXXX */
  LEX_STRING_UTF8,      /* inside a multi-byte UTF-8 sequence */
  LEX_NUMBER,
  LEX_KEYWORD,          /* true, false, null, or a bad word */
  LEX_SKIP_MESSAGE,     /* after an error: to the end of the broken message
                           or of the line */
  LEX_SKIP_GARBAGE,     /* after garbage between messages: to the next '{' */
} LexState;

typedef enum {
  EXPECT_VALUE,
  EXPECT_VALUE_OR_CLOSE,  /* just after '[' */
  EXPECT_KEY_OR_CLOSE,    /* just after '{' */
  EXPECT_KEY,             /* after ',' in an object */
  EXPECT_COLON,
  EXPECT_COMMA_OR_CLOSE,
} Expect;

typedef enum {
  NUMBER_MINUS,         /* '-' seen, a digit must follow */
  NUMBER_ZERO,          /* a leading 0: no more integer digits */
  NUMBER_INTEGER,
  NUMBER_DOT,           /* '.' seen, a digit must follow */
  NUMBER_FRACTION,
  NUMBER_EXPONENT,      /* 'e' seen, sign or digit must follow */
  NUMBER_EXPONENT_SIGN, /* sign seen, a digit must follow */
  NUMBER_EXPONENT_DIGITS,
} NumberState;

struct _Framer {
  gsize max_message_size;
  FramerMessageFunc message_func;
  FramerErrorFunc error_func;
  gpointer user_data;

  LexState lex;
  Expect expect;
  GString *text;
  gsize n_values;

  guint depth;
  char containers[FRAMER_MAX_DEPTH];  /* '{' or '[' for each open level */
  gboolean at_line_start;             /* only whitespace since a newline */

  gboolean string_is_key;
  char string_quote;                  /* '"', or '\'' as qemu also accepts */
  guint unicode_digits;
  gunichar unicode_value;
  gunichar high_surrogate;            /* 0 unless one awaits its low half */
  guint utf8_remaining;
  guint8 utf8_min;                    /* bounds of the next continuation byte */
  guint8 utf8_max;

  NumberState number;

  char keyword[FRAMER_MAX_KEYWORD + 1];
  guint keyword_length;

  gsize skip_depth;
  gboolean skip_in_string;
  char skip_quote;
  gboolean skip_escape;
};

Framer *
framer_new (gsize             max_message_size,
            FramerMessageFunc message_func,
            FramerErrorFunc   error_func,
            gpointer          user_data)
{
  Framer *self;

  g_return_val_if_fail (max_message_size > 0, NULL);

  self = g_new0 (Framer, 1);
  self->max_message_size = max_message_size;
  self->message_func = message_func;
  self->error_func = error_func;
  self->user_data = user_data;
  self->text = g_string_sized_new (256);
  framer_reset (self);

  return self;
}

void
framer_free (Framer *self)
{
  if (self == NULL)
    return;

  g_string_free (self->text, TRUE);
  g_free (self);
}

static void
clear_message (Framer *self)
{
  if (self->text->allocated_len > FRAMER_KEEP_BUFFER_SIZE)
    {
      g_string_free (self->text, TRUE);
      self->text = g_string_sized_new (256);
#ifdef __GLIBC__
      /* The buffer grew by doubling; the smaller steps were freed into the
       * heap, where they would stay resident. Rare (one large message),
       * and it keeps the agent's size what it was before. */
      malloc_trim (0);
#endif
    }
  else
    {
      g_string_truncate (self->text, 0);
    }

  self->depth = 0;
  self->expect = EXPECT_VALUE;
  self->n_values = 0;
  self->high_surrogate = 0;
}

void
framer_reset (Framer *self)
{
  clear_message (self);
  self->lex = LEX_IDLE;
  self->skip_depth = 0;
  self->skip_in_string = FALSE;
  self->skip_escape = FALSE;
}

static gboolean
lex_is_in_string (LexState lex)
{
  return lex == LEX_STRING || lex == LEX_STRING_ESCAPE ||
         lex == LEX_STRING_UNICODE || lex == LEX_STRING_UTF8;
}

static void
report (Framer      *self,
        FramerError  code,
        const char  *message)
{
  g_autoptr(GError) error = g_error_new_literal (FRAMER_ERROR, code, message);

  self->error_func (error, self->user_data);
}

/*
 * Reports @message and skips the rest of the broken message: to the close
 * of its outermost container, or the end of a top-level string. Garbage
 * between messages is skipped up to the next '{'. The caller decides
 * whether the current byte is consumed; an unconsumed byte is examined
 * again by the skipper, so a '"' or '}' that caused the error still counts.
 */
static void
fail (Framer      *self,
      FramerError  code,
      const char  *message)
{
  gboolean in_string = lex_is_in_string (self->lex);

  self->skip_depth = self->depth;
  self->skip_in_string = in_string;
  self->skip_quote = self->string_quote;
  self->skip_escape = self->lex == LEX_STRING_ESCAPE;
  self->lex = (self->depth > 0 || in_string) ? LEX_SKIP_MESSAGE : LEX_SKIP_GARBAGE;
  clear_message (self);

  report (self, code, message);
}

G_GNUC_PRINTF (2, 3)
static void
fail_syntax (Framer     *self,
             const char *format,
             ...)
{
  g_autofree char *detail = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  /* The prefix is qemu's, so clients matching on it keep working. */
  message = g_strconcat ("JSON parse error, ", detail, NULL);
  fail (self, FRAMER_ERROR_SYNTAX, message);
}

static void
fail_stray (Framer *self,
            guint8  byte)
{
  if (g_ascii_isprint (byte))
    fail_syntax (self, "stray '%c'", byte);
  else
    fail_syntax (self, "stray byte 0x%02x", byte);
}

static void
emit_message (Framer *self)
{
  /* The byte that completed it may also have made it one too many. */
  if (self->text->len > self->max_message_size)
    report (self, FRAMER_ERROR_SIZE, "JSON token size limit exceeded");
  else
    self->message_func (self->text->str, self->text->len, self->user_data);
  clear_message (self);
}

/* A scalar ended or a container closed. */
static void
value_done (Framer *self)
{
  self->lex = LEX_IDLE;

  if (self->depth == 0)
    emit_message (self);
  else
    self->expect = EXPECT_COMMA_OR_CLOSE;
}

static gboolean
begin_value (Framer *self)
{
  if (++self->n_values > FRAMER_MAX_VALUES)
    {
      fail (self, FRAMER_ERROR_VALUES, "JSON token count limit exceeded");
      return FALSE;
    }

  return TRUE;
}

static gboolean
open_container (Framer *self,
                guint8  byte)
{
  if (self->depth == FRAMER_MAX_DEPTH)
    {
      fail (self, FRAMER_ERROR_DEPTH, "JSON nesting depth limit exceeded");
      self->skip_depth = FRAMER_MAX_DEPTH + 1; /* this byte opened one more */
      return TRUE;
    }

  g_string_append_c (self->text, byte);
  self->containers[self->depth++] = byte;
  self->expect = byte == '{' ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
  return TRUE;
}

static gboolean
close_container (Framer *self,
                 guint8  byte)
{
  g_string_append_c (self->text, byte);
  self->depth--;
  value_done (self);
  return TRUE;
}

/*
 * qemu's parser also takes single-quoted strings (and \' in any string),
 * and hand-written requests use them. json-glib takes the quotes but not
 * the escapes inside, so such strings are rewritten double-quoted.
 */
static gboolean
begin_string (Framer   *self,
              gboolean  is_key,
              guint8    quote)
{
  g_string_append_c (self->text, '"');
  self->string_is_key = is_key;
  self->string_quote = (char) quote;
  self->lex = LEX_STRING;
  return TRUE;
}

static gboolean
begin_scalar (Framer *self,
              guint8  byte)
{
  if (byte == '"' || byte == '\'')
    return begin_string (self, FALSE, byte);

  if (byte == '-' || g_ascii_isdigit (byte))
    {
      g_string_append_c (self->text, byte);
      self->lex = LEX_NUMBER;
      self->number = byte == '-' ? NUMBER_MINUS :
                     byte == '0' ? NUMBER_ZERO : NUMBER_INTEGER;
      return TRUE;
    }

  if (g_ascii_isalpha (byte))
    {
      self->lex = LEX_KEYWORD;
      self->keyword_length = 0;
      return FALSE; /* the keyword lexer collects this letter */
    }

  if (byte == '}' || byte == ']' || byte == ',' || byte == ':')
    fail_syntax (self, "expecting value");
  else
    fail_stray (self, byte);
  return FALSE;
}

/*
 * After a syntax error a '{' that opens a line is taken as the next
 * request rather than more of the broken one: clients write one request
 * per line, and a message left open must not swallow the one after it.
 */
static gboolean
restart_at_new_request (Framer   *self,
                        guint8    byte,
                        gboolean  at_line_start)
{
  if (byte == '{' && at_line_start)
    self->lex = LEX_IDLE;
  return FALSE;
}

static gboolean
lex_idle (Framer *self,
          guint8  byte)
{
  char top = self->depth > 0 ? self->containers[self->depth - 1] : 0;
  gboolean at_line_start = self->at_line_start;

  if (byte == ' ' || byte == '\t' || byte == '\n' || byte == '\r')
    {
      if (self->depth > 0)
        g_string_append_c (self->text, byte);
      if (byte == '\n')
        self->at_line_start = TRUE;
      return TRUE;
    }
  self->at_line_start = FALSE;

  switch (self->expect)
    {
    case EXPECT_VALUE_OR_CLOSE:
      if (byte == ']')
        return close_container (self, byte);
      G_GNUC_FALLTHROUGH;
    case EXPECT_VALUE:
      if (!begin_value (self))
        return FALSE;
      if (byte == '{' || byte == '[')
        return open_container (self, byte);
      return begin_scalar (self, byte);

    case EXPECT_KEY_OR_CLOSE:
      if (byte == '}')
        return close_container (self, byte);
      G_GNUC_FALLTHROUGH;
    case EXPECT_KEY:
      if (byte == '"' || byte == '\'')
        return begin_string (self, TRUE, byte);
      if (byte == '}')
        fail_syntax (self, "expecting value");
      else
        fail_syntax (self, "key is not a string in object");
      return restart_at_new_request (self, byte, at_line_start);

    case EXPECT_COLON:
      if (byte == ':')
        {
          g_string_append_c (self->text, byte);
          self->expect = EXPECT_VALUE;
          return TRUE;
        }
      fail_syntax (self, "missing ':' in object pair");
      return restart_at_new_request (self, byte, at_line_start);

    case EXPECT_COMMA_OR_CLOSE:
      if (byte == ',')
        {
          g_string_append_c (self->text, byte);
          self->expect = top == '{' ? EXPECT_KEY : EXPECT_VALUE;
          return TRUE;
        }
      if ((byte == '}' && top == '{') || (byte == ']' && top == '['))
        return close_container (self, byte);
      fail_syntax (self, "expecting ',' or '%c'", top == '{' ? '}' : ']');
      return restart_at_new_request (self, byte, at_line_start);

    default:
      g_assert_not_reached ();
    }
}

static void
fail_unpaired_surrogate (Framer   *self,
                         gunichar  surrogate)
{
  fail_syntax (self, "\\u%04X is not a valid Unicode character", surrogate);
}

static gboolean
lex_string (Framer *self,
            guint8  byte)
{
  if (self->high_surrogate != 0 && byte != '\\')
    {
      fail_unpaired_surrogate (self, self->high_surrogate);
      return FALSE;
    }

  if (byte == (guint8) self->string_quote)
    {
      g_string_append_c (self->text, '"');
      if (self->string_is_key)
        {
          self->lex = LEX_IDLE;
          self->expect = EXPECT_COLON;
        }
      else
        {
          value_done (self);
        }
      return TRUE;
    }

  if (byte < 0x20)
    {
      fail_syntax (self, "control character 0x%02x in string", byte);
      return FALSE;
    }

  /* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, at most
   * U+10FFFF; the bounds narrow the first continuation byte. */
  self->utf8_min = 0x80;
  self->utf8_max = 0xBF;
  if (byte < 0x80)
    self->utf8_remaining = 0;
  else if (byte >= 0xC2 && byte <= 0xDF)
    self->utf8_remaining = 1;
  else if (byte == 0xE0)
    self->utf8_remaining = 2, self->utf8_min = 0xA0;
  else if (byte == 0xED)
    self->utf8_remaining = 2, self->utf8_max = 0x9F;
  else if (byte >= 0xE1 && byte <= 0xEF)
    self->utf8_remaining = 2;
  else if (byte == 0xF0)
    self->utf8_remaining = 3, self->utf8_min = 0x90;
  else if (byte >= 0xF1 && byte <= 0xF3)
    self->utf8_remaining = 3;
  else if (byte == 0xF4)
    self->utf8_remaining = 3, self->utf8_max = 0x8F;
  else
    {
      fail_syntax (self, "invalid UTF-8 sequence in string");
      return FALSE;
    }

  if (byte == '\\')
    self->lex = LEX_STRING_ESCAPE;   /* appended with the escaped byte */
  else if (byte == '"')
    g_string_append (self->text, "\\\"");  /* inside a single-quoted string */
  else
    g_string_append_c (self->text, byte);
  if (self->utf8_remaining > 0)
    self->lex = LEX_STRING_UTF8;
  return TRUE;
}

static gboolean
lex_string_utf8 (Framer *self,
                 guint8  byte)
{
  if (byte < self->utf8_min || byte > self->utf8_max)
    {
      fail_syntax (self, "invalid UTF-8 sequence in string");
      return FALSE;
    }

  g_string_append_c (self->text, byte);
  self->utf8_min = 0x80;
  self->utf8_max = 0xBF;
  if (--self->utf8_remaining == 0)
    self->lex = LEX_STRING;
  return TRUE;
}

static gboolean
lex_string_escape (Framer *self,
                   guint8  byte)
{
  if (self->high_surrogate != 0 && byte != 'u')
    {
      fail_unpaired_surrogate (self, self->high_surrogate);
      return FALSE;
    }

  switch (byte)
    {
    case '\'':
      g_string_append_c (self->text, '\'');
      self->lex = LEX_STRING;
      return TRUE;
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
      self->lex = LEX_STRING;
      break;
    case 'u':
      self->lex = LEX_STRING_UNICODE;
      self->unicode_digits = 0;
      self->unicode_value = 0;
      break;
    default:
      fail_syntax (self, "invalid escape sequence in string");
      return FALSE; /* the skipper consumes it as the escaped byte */
    }

  g_string_append_c (self->text, '\\');
  g_string_append_c (self->text, byte);
  return TRUE;
}

static gboolean
lex_string_unicode (Framer *self,
                    guint8  byte)
{
  gunichar code;

  if (!g_ascii_isxdigit (byte))
    {
      fail_syntax (self, "invalid escape sequence in string");
      return FALSE;
    }

  g_string_append_c (self->text, byte);
  self->unicode_value = self->unicode_value * 16 + (gunichar) g_ascii_xdigit_value (byte);
  if (++self->unicode_digits < 4)
    return TRUE;

  code = self->unicode_value;
  self->lex = LEX_STRING;

  if (self->high_surrogate != 0)
    {
      if (code < 0xDC00 || code > 0xDFFF)
        fail_unpaired_surrogate (self, self->high_surrogate);
      self->high_surrogate = 0;
    }
  else if (code >= 0xD800 && code <= 0xDBFF)
    {
      self->high_surrogate = code;
    }
  else if (code >= 0xDC00 && code <= 0xDFFF)
    {
      fail_unpaired_surrogate (self, code);
    }
  else if (code == 0)
    {
      /* json-glib cuts the string there, and no command wants a NUL */
      fail_syntax (self, "\\u0000 is not allowed in strings");
    }

  return TRUE;
}

static gboolean
end_number (Framer *self)
{
  value_done (self);
  return FALSE; /* the byte after the number is examined again */
}

static gboolean
lex_number (Framer *self,
            guint8  byte)
{
  gboolean is_digit = g_ascii_isdigit (byte);
  gboolean is_exponent = byte == 'e' || byte == 'E';

  switch (self->number)
    {
    case NUMBER_MINUS:
      if (!is_digit)
        goto invalid;
      self->number = byte == '0' ? NUMBER_ZERO : NUMBER_INTEGER;
      break;

    case NUMBER_ZERO:
    case NUMBER_INTEGER:
      if (is_digit && self->number == NUMBER_ZERO)
        goto invalid;
      if (byte == '.')
        self->number = NUMBER_DOT;
      else if (is_exponent)
        self->number = NUMBER_EXPONENT;
      else if (!is_digit)
        return end_number (self);
      break;

    case NUMBER_DOT:
      if (!is_digit)
        goto invalid;
      self->number = NUMBER_FRACTION;
      break;

    case NUMBER_FRACTION:
      if (is_exponent)
        self->number = NUMBER_EXPONENT;
      else if (!is_digit)
        return end_number (self);
      break;

    case NUMBER_EXPONENT:
      if (byte == '+' || byte == '-')
        self->number = NUMBER_EXPONENT_SIGN;
      else if (is_digit)
        self->number = NUMBER_EXPONENT_DIGITS;
      else
        goto invalid;
      break;

    case NUMBER_EXPONENT_SIGN:
      if (!is_digit)
        goto invalid;
      self->number = NUMBER_EXPONENT_DIGITS;
      break;

    case NUMBER_EXPONENT_DIGITS:
      if (!is_digit)
        return end_number (self);
      break;

    default:
      g_assert_not_reached ();
    }

  g_string_append_c (self->text, byte);
  return TRUE;

invalid:
  fail_syntax (self, "invalid number");
  return FALSE;
}

static gboolean
lex_keyword (Framer *self,
             guint8  byte)
{
  if (g_ascii_isalpha (byte))
    {
      if (self->keyword_length < FRAMER_MAX_KEYWORD)
        self->keyword[self->keyword_length] = (char) byte;
      self->keyword_length++;
      return TRUE;
    }

  self->keyword[MIN (self->keyword_length, FRAMER_MAX_KEYWORD)] = '\0';
  if (self->keyword_length > FRAMER_MAX_KEYWORD ||
      !(g_str_equal (self->keyword, "true") ||
        g_str_equal (self->keyword, "false") ||
        g_str_equal (self->keyword, "null")))
    {
      fail_syntax (self, "invalid keyword '%s%s'", self->keyword,
                   self->keyword_length > FRAMER_MAX_KEYWORD ? "..." : "");
      return FALSE;
    }

  g_string_append (self->text, self->keyword);
  value_done (self);
  return FALSE;
}

/*
 * The rest of a broken message is skipped to where its brackets balance,
 * strings tracked so that brackets inside them do not count, or to the end
 * of the line: a raw newline cannot occur in a JSON string, and clients
 * end each request with one (libvirt does). Without that bound, input
 * whose brackets never balance would swallow every later request.
 */
static gboolean
lex_skip_message (Framer *self,
                  guint8  byte)
{
  if (byte == '\n')
    {
      self->skip_in_string = FALSE;
      self->skip_escape = FALSE;
      self->lex = LEX_SKIP_GARBAGE;
      return TRUE;
    }

  if (self->skip_in_string)
    {
      if (self->skip_escape)
        self->skip_escape = FALSE;
      else if (byte == '\\')
        self->skip_escape = TRUE;
      else if (byte == (guint8) self->skip_quote)
        self->skip_in_string = FALSE;
    }
  else if (byte == '"' || byte == '\'')
    {
      self->skip_in_string = TRUE;
      self->skip_quote = (char) byte;
    }
  else if (byte == '{' || byte == '[')
    {
      self->skip_depth++;
    }
  else if (byte == '}' || byte == ']')
    {
      self->skip_depth--;
    }

  if (self->skip_depth == 0 && !self->skip_in_string)
    self->lex = LEX_IDLE;
  return TRUE;
}

/*
 * Garbage is skipped to the next '{' without tracking strings: after a
 * 0xFF inside a string the quotes that follow are out of step, and
 * trusting them would drop real requests. A '{' inside quoted garbage at
 * worst starts a false message, which costs one more error.
 */
static gboolean
lex_skip_garbage (Framer *self,
                  guint8  byte)
{
  if (byte != '{')
    return TRUE;

  self->lex = LEX_IDLE;
  return FALSE;
}

static void
feed_byte (Framer *self,
           guint8  byte)
{
  gboolean consumed = FALSE;

  if (G_UNLIKELY (byte == 0xFF))
    {
      gboolean was_in_message = self->text->len > 0 || self->lex == LEX_SKIP_MESSAGE;

      framer_reset (self);
      /* The rest of an interrupted message is garbage up to the next '{'. */
      if (was_in_message)
        self->lex = LEX_SKIP_GARBAGE;
      /* qemu-ga's exact words: clients expect (and discard) this reply. */
      report (self, FRAMER_ERROR_RESYNC, "JSON parse error, stray '\xEF\xBF\xBD'");
      return;
    }

  while (!consumed)
    {
      switch (self->lex)
        {
        case LEX_IDLE:
          consumed = lex_idle (self, byte);
          break;
        case LEX_STRING:
          consumed = lex_string (self, byte);
          break;
        case LEX_STRING_ESCAPE:
          consumed = lex_string_escape (self, byte);
          break;
        case LEX_STRING_UNICODE:
          consumed = lex_string_unicode (self, byte);
          break;
        case LEX_STRING_UTF8:
          consumed = lex_string_utf8 (self, byte);
          break;
        case LEX_NUMBER:
          consumed = lex_number (self, byte);
          break;
        case LEX_KEYWORD:
          consumed = lex_keyword (self, byte);
          break;
        case LEX_SKIP_MESSAGE:
          consumed = lex_skip_message (self, byte);
          break;
        case LEX_SKIP_GARBAGE:
          consumed = lex_skip_garbage (self, byte);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  /* Checked once the byte is in: a message may be exactly the limit, and
   * a delimiter that ends a number is not part of it. */
  if (G_UNLIKELY (self->text->len > self->max_message_size))
    fail (self, FRAMER_ERROR_SIZE, "JSON token size limit exceeded");
}

void
framer_feed (Framer       *self,
             const guint8 *data,
             gsize         length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);

  for (gsize i = 0; i < length; i++)
    feed_byte (self, data[i]);
}
