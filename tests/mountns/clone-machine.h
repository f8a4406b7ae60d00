/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clone-machine: the machine set-identity's namespace test clones. In the
 * test's private mount namespace, tmpfs over /etc, /var/lib and /run
 * (every entry the test does not control linked to the machine's own,
 * through read-only bind mounts) hold a template's identity: host name,
 * the Debian 127.0.1.1 line, machine-id and D-Bus's own copy of it, DHCP
 * leases of three clients and a DHCP server's, the udev net rule, a
 * random seed and SSH host keys. The kernel's host name (in the test's
 * UTS namespace) is the template's too.
 *
 * ssh-keygen, for the agent, is a wrapper first in PATH that waits on a
 * FIFO while the test says so: a point to kill the agent at.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

#define CLONE_MACHINE_TEMPLATE_ID "0123456789abcdef0123456789abcdef"
#define CLONE_MACHINE_TEMPLATE_NAME "template"
#define CLONE_MACHINE_TEMPLATE_SEED "the template's random seed"

#define CLONE_MACHINE_N_KEY_TYPES 3
/* "ecdsa", "ed25519", "rsa": ssh-keygen's names, sorted. */
extern const char * const clone_machine_key_types[CLONE_MACHINE_N_KEY_TYPES];

/* After harness_init(), before anything is mounted: stages the
 * machine's directories, makes the template's host keys with
 * /usr/bin/ssh-keygen and the wrapper (first in PATH from now on). */
void clone_machine_init (void);
void clone_machine_cleanup (void);

/* Mounts the template machine; unmounts it. */
void clone_machine_mount (void);
void clone_machine_unmount (void);

/* A digest of everything set-identity may change: the controlled
 * entries (type, mode, contents or link target) and the kernel's host
 * name. */
char *clone_machine_checksum (void);

char *clone_machine_read_file (const char *path);
/* Without surrounding blanks and newlines. */
char *clone_machine_read_stripped (const char *path);
gboolean clone_machine_path_exists (const char *path);
/* The kernel's (UTS namespace's) host name. */
char *clone_machine_host_name (void);

/* The client leases and the udev rule are gone; the DHCP server's
 * leases are not. */
void clone_machine_assert_leases_gone (void);

/* Every host key in /etc/ssh is a private key (mode 0600 or stricter)
 * whose .pub is its public half, which ssh-keygen checks: what sshd
 * needs to start. Sets @out_fingerprints (NULL: not wanted) to their
 * fingerprints, in clone_machine_key_types order. */
void clone_machine_assert_host_keys_valid (char **out_fingerprints);
const char *clone_machine_template_fingerprint (guint index);

/* From now on, ssh-keygen waits on the wrapper's FIFO (@block), or
 * runs straight away. */
void clone_machine_block_keygen (gboolean block);
/* Until an ssh-keygen waits there; fails the test after @timeout_ms. */
void clone_machine_wait_for_blocked_keygen (guint timeout_ms);
/* Kills the ssh-keygen an agent killed left waiting, and stops
 * blocking. */
void clone_machine_kill_blocked_keygen (void);

G_END_DECLS
