/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity-steps: the steps of __org.guestlink_set-identity, one file per
 * concern, run in IdentityStep order by set-identity.c. Each step either
 * does its part of the request or says why there is nothing to do, and
 * can be run again after a crash: it sets the state it is asked for,
 * whatever it finds. The file helpers take the root directory the files
 * are below ("/" in the agent), so that they can be tested on a tree of
 * fixture files; the services (hostnamed, systemd), the kernel's host
 * name and its random pool are the running system's.
 *
 * Blocking: for worker threads only.
 */
#pragma once

#include <gio/gio.h>

#include "identity-journal.h"
#include "identity-request.h"

G_BEGIN_DECLS

typedef struct {
  const IdentityRequest *request;
  /* The machine-id chosen for the request, the rotation's result: what
   * a step leaves for the reply and for a retry. */
  IdentityJournal *journal;
  GCancellable *cancellable;
} IdentityStepContext;

/* Returns IDENTITY_STEP_DONE or IDENTITY_STEP_SKIPPED and sets
 * @out_detail to what was done or why nothing was, or returns
 * IDENTITY_STEP_FAILED with @error set (and @out_detail possibly set to
 * what had been done before the failure). */
typedef IdentityStepStatus (*IdentityStepFunc) (IdentityStepContext  *context,
                                                char                **out_detail,
                                                GError              **error);

/* identity-host-name.c */
IdentityStepStatus identity_step_host_name (IdentityStepContext  *context,
                                            char                **out_detail,
                                            GError              **error);
/* Writes @root/etc/hostname (when @host_name is not NULL) and the
 * PRETTY_HOSTNAME of @root/etc/machine-info (when @pretty_name is not
 * NULL; "" removes it), keeping machine-info's other lines: what
 * hostnamed would write. */
gboolean identity_host_name_write_files (const char  *root,
                                         const char  *host_name,
                                         const char  *pretty_name,
                                         GError     **error);
/* @contents of a machine-info(5) file (NULL: none) with PRETTY_HOSTNAME
 * set to @pretty_name, or removed for "". */
char *identity_machine_info_set_pretty (const char *contents,
                                        const char *pretty_name);

/* identity-hosts-file.c */
IdentityStepStatus identity_step_hosts_file (IdentityStepContext  *context,
                                             char                **out_detail,
                                             GError              **error);
/* The Debian line "127.0.1.1 NAME" of @root/etc/hosts pointed at
 * @host_name (and its first label, for a fully qualified name); other
 * lines untouched. SKIPPED when there is no such line or no file. */
IdentityStepStatus identity_hosts_file_update (const char  *root,
                                               const char  *host_name,
                                               char       **out_detail,
                                               GError     **error);
/* @contents with every 127.0.1.1 line naming @host_name, or NULL when
 * it has none. */
char *identity_hosts_rewrite (const char *contents,
                              const char *host_name);

/* identity-machine-id.c */
IdentityStepStatus identity_step_machine_id (IdentityStepContext  *context,
                                             char                **out_detail,
                                             GError              **error);
/* A fresh random machine-id: a version 4 UUID as 32 lowercase hex
 * digits, as systemd's sd_id128_randomize() makes them. */
char *identity_machine_id_generate (GError **error);
/* The valid id in @root/etc/machine-id, or NULL. */
char *identity_machine_id_read (const char *root);
/* Writes @machine_id to @root/etc/machine-id (0444) and makes
 * @root/var/lib/dbus/machine-id agree: a link to /etc/machine-id is left
 * alone, another link or a missing file (where /var/lib/dbus exists)
 * becomes such a link, a file of its own is rewritten. Sets @out_detail. */
gboolean identity_machine_id_write (const char  *root,
                                    const char  *machine_id,
                                    char       **out_detail,
                                    GError     **error);

/* identity-journald.c */
IdentityStepStatus identity_step_journald (IdentityStepContext  *context,
                                           char                **out_detail,
                                           GError              **error);

/* identity-ssh-host-keys.c */
IdentityStepStatus identity_step_ssh_host_keys (IdentityStepContext  *context,
                                                char                **out_detail,
                                                GError              **error);

/* identity-network-state.c */
IdentityStepStatus identity_step_network_state (IdentityStepContext  *context,
                                                char                **out_detail,
                                                GError              **error);
/* Removes the DHCP client leases below @root (dhclient, NetworkManager,
 * systemd-networkd) and @root/etc/udev/rules.d/70-persistent-net.rules;
 * regular files only, never following a link. Adds each path removed
 * (as seen from the guest: without @root) to @removed. */
gboolean identity_network_state_remove (const char  *root,
                                        GPtrArray   *removed,
                                        GError     **error);

/* identity-random-seed.c */
IdentityStepStatus identity_step_random_seed (IdentityStepContext  *context,
                                              char                **out_detail,
                                              GError              **error);
/* Writes @seed as @root/var/lib/systemd/random-seed (0600) and sets
 * @out_saved; without that directory (no systemd to read the seed at
 * boot) writes nothing and succeeds with @out_saved FALSE. */
gboolean identity_random_seed_write_file (const char  *root,
                                          GBytes      *seed,
                                          gboolean    *out_saved,
                                          GError     **error);

G_END_DECLS
