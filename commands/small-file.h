/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * small-file: reads the short text files that describe a system
 * (/etc/machine-id, /etc/hostname, *.pub, /proc and /sys attributes) with a
 * size bound, so a runaway or hostile file cannot make the agent allocate
 * without limit, and without blocking on a FIFO planted in their place.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Generous for every file this is used for; an RSA-16384 .pub is ~3 KiB. */
#define SMALL_FILE_MAX_SIZE (64 * 1024)

/* The contents of the regular (or /proc, /sys) file at @path, NUL
 * terminated, at most @max_size bytes. Errors are G_FILE_ERROR (NOENT for a
 * missing file, INVAL for a non-regular one), except an oversized file:
 * G_IO_ERROR_MESSAGE_TOO_LARGE, which no errno maps to. */
gboolean small_file_read (const char  *path,
                          gsize        max_size,
                          char       **out_contents,
                          gsize       *out_length,
                          GError     **error);

/* The same from @fd, already opened and checked by the caller, read to
 * its end and left open; @path names it in errors. */
gboolean small_file_read_fd (int          fd,
                             const char  *path,
                             gsize        max_size,
                             char       **out_contents,
                             gsize       *out_length,
                             GError     **error);

G_END_DECLS
