/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * settings: guestlinkd's settings from its command line and config file.
 *
 * The options and [general] keys are qemu-ga's, so guestlinkd drops into
 * units and scripts written for qemu-ga; the command line overrides the
 * file, except that lists of blocked and allowed commands add up, as in
 * qemu-ga. Our own additions: max-message-size, fsfreeze-hook-dir,
 * fsfreeze-hook-timeout, fsfreeze-timeout and identity-journal.
 */
#pragma once

#include <glib.h>

#include "channel.h"

G_BEGIN_DECLS

#define SETTINGS_DEFAULT_FILE SYSCONFDIR "/guestlink/guestlinkd.conf"
#define SETTINGS_DEFAULT_STATEDIR RUNSTATEDIR "/guestlink"
#define SETTINGS_DEFAULT_PIDFILE RUNSTATEDIR "/guestlinkd.pid"
/* qemu-ga's hook, so an existing /etc/qemu/fsfreeze-hook keeps working. */
#define SETTINGS_DEFAULT_FSFREEZE_HOOK "/etc/qemu/fsfreeze-hook"
#define SETTINGS_DEFAULT_FSFREEZE_HOOK_DIR SYSCONFDIR "/guestlink/fsfreeze-hook.d"
#define SETTINGS_DEFAULT_FSFREEZE_HOOK_TIMEOUT 30
/* libvirt's own agent timeout is far shorter; this only catches a host
 * that never comes back. */
#define SETTINGS_DEFAULT_FSFREEZE_TIMEOUT 300
/* Persistent, unlike the state dir on /run: set-identity asks for a
 * reboot, and a retry after it must find what the first call did. */
#define SETTINGS_DEFAULT_IDENTITY_JOURNAL LOCALSTATEDIR "/lib/guestlink/set-identity.json"

typedef struct {
  ChannelMethod method;
  char *path;               /* NULL: the default for the method */
  char *logfile;            /* NULL: journal or stderr */
  char *pidfile;
  char *statedir;
  char *fsfreeze_hook;      /* NULL: no qemu-ga style hook */
  char *fsfreeze_hook_dir;  /* NULL: no hook directory */
  guint fsfreeze_hook_timeout;  /* seconds, at least 1 */
  guint fsfreeze_timeout;   /* seconds; 0: the host alone thaws */
  char *identity_journal;   /* set-identity's journal file */
  gboolean daemonize;
  gboolean verbose;
  gboolean retry_path;
  GStrv block_rpcs;         /* never NULL */
  GStrv allow_rpcs;         /* never NULL; empty: everything allowed */
  guint64 max_message_size;

  /* What to do instead of serving. */
  gboolean dump_config;
  gboolean print_version;
  gboolean list_commands;   /* -b help or -a help */
} Settings;

void settings_free (Settings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Settings, settings_free)

/* Parses @argv (left untouched) and the config file it names, or the
 * default one when it exists. */
Settings *settings_load (int      *argc,
                         char   ***argv,
                         GError  **error);

/* The effective settings in config file form (for -D). */
char *settings_to_data (const Settings *settings);

G_END_DECLS
