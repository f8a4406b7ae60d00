/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ssh-host-key-config: what sshd makes of its configuration, as far as
 * host key rotation needs it: which host keys it loads and where its pid
 * file is, from `sshd -T` when sshd is installed; otherwise the
 * ssh_host_*_key files present, otherwise ed25519, ecdsa and rsa at
 * their usual names. Also runs sshd's own checks (`sshd -t`).
 *
 * Blocking (it runs sshd): for worker threads only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* sshd writes its pid here unless told otherwise (PidFile). */
#define SSHD_DEFAULT_PIDFILE "/run/sshd.pid"
/* `sshd -T` and `sshd -t` read keys and the configuration: quick. */
#define SSHD_CHECK_TIMEOUT_MS 30000

typedef enum {
  SSH_HOST_KEY_SOURCE_SSHD,       /* `sshd -T` */
  SSH_HOST_KEY_SOURCE_FILES,      /* the ssh_host_*_key files present */
  SSH_HOST_KEY_SOURCE_DEFAULTS,   /* none: ed25519, ecdsa, rsa */
} SshHostKeySource;

typedef struct {
  char *path;   /* the private key */
  char *type;   /* "ed25519", "ecdsa", "rsa"; NULL: a type we do not make */
} SshHostKeyFile;

typedef struct {
  char *sshd;            /* the sshd program; NULL: not installed */
  char *config_path;     /* DIR/sshd_config */
  char *pidfile;         /* where a running sshd wrote its pid */
  SshHostKeySource source;
  GPtrArray *keys;       /* of SshHostKeyFile, in sshd's order */
} SshdConfig;

void sshd_config_free (SshdConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SshdConfig, sshd_config_free)

/* sshd in PATH, else /usr/sbin/sshd (not always in a service's PATH);
 * NULL when neither exists. */
char *sshd_find_program (void);

/* The "ed25519", "ecdsa", "rsa" (ssh-keygen -t) of a public key type
 * ("ssh-ed25519", "ecdsa-sha2-nistp256", ...); NULL for others. */
const char *ssh_host_key_type_from_key_type (const char *key_type);

/* The host keys and pid file of the sshd configured in @ssh_dir
 * (/etc/ssh). When `sshd -T` fails (no host key it can load, a broken
 * configuration), the files present are taken, as without sshd: the
 * reason is logged, and `sshd -t` will say it again if it matters. Each
 * key's type is that of its .pub, else the one in its name
 * (ssh_host_TYPE_key). Errors: only a @ssh_dir that cannot be read. */
SshdConfig *sshd_config_read (const char    *ssh_dir,
                              GCancellable  *cancellable,
                              GError       **error);

/* Runs @sshd with @args (NULL-terminated; "-t", "-T", ...) as
 * subprocess_run_full() does. sshd refuses to run these checks without
 * its privilege separation directory (/run/sshd on Debian), which only
 * exists while its service runs: when it says that is missing, the
 * directory is made (root, 0755, as the service would) and sshd is run
 * once more. The directory is left: sshd makes no use of it until it
 * starts, and its service makes it anyway. */
gboolean sshd_run_check (const char          *sshd,
                         const char * const  *args,
                         char               **out_stdout,
                         char               **out_stderr,
                         GCancellable        *cancellable,
                         GError             **error);

G_END_DECLS
