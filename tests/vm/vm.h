/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vm: the test guest as the checks see it. Boots what build-guest made
 * (with boot-vm, under QEMU TCG), reads what the guest writes on its
 * serial console, and stops it again.
 */
#pragma once

#include <gio/gio.h>
#include <guestlink-1/guestlink.h>

/* How the guest is configured; guest-init reads the first two and the
 * last from the kernel command line. */
#define VM_BLOCKED_COMMAND "guest-sync"
#define VM_FSFREEZE_TIMEOUT_SECONDS 5
#define VM_HOST_NAME "guestlink-vm"
#define VM_ADDRESS "10.0.2.15"
#define VM_PREFIX 24
/* The data disk: IMAGES/data.img on a virtio-blk device with this QEMU
 * id (boot-vm), the guest's vda, mounted on /data (guest-init). */
#define VM_DATA_IMAGE "data.img"
#define VM_DATA_DISK_ID "datadisk"
#define VM_DATA_DEVICE "vda"
#define VM_DATA_MOUNTPOINT "/data"
/* The SCSI disk: IMAGES/scsi.img behind the virtio-scsi controller with
 * the first id, the disk with the second, the guest's sda on /scsi. */
#define VM_SCSI_CONTROLLER_ID "scsi0"
#define VM_SCSI_DISK_ID "scsidisk"
#define VM_SCSI_DEVICE "sda"
#define VM_SCSI_MOUNTPOINT "/scsi"
/* What a plain guest-fsfreeze-freeze freezes: /data and /scsi. */
#define VM_LOCAL_FILESYSTEMS 2
/* After trimming /data at boot, guest-init writes and deletes a file of
 * this size there. */
#define VM_TRIM_FILE_MIB 4
/* guest-init copies the agent's log to the console, line by line. */
#define VM_AGENT_LOG "guest: agent log: "

typedef struct {
  const char *boot_vm;   /* the script that starts QEMU */
  const char *images;
  const char *agent;
  const char *replies;   /* where the runs keep raw replies, or NULL */
  char *dir;
  char *socket_path;
  char *console_path;
  /* The host's loopback port QEMU forwards to the guest's sshd (port
   * 22), or 0 when none could be had. */
  guint ssh_port;
  GSubprocess *qemu;
  GuestlinkClient *client;
} Vm;

/* A TCP port on 127.0.0.1 that nothing listens on now, for QEMU to
 * forward to the guest's sshd; 0 if the kernel would not give one. */
guint vm_free_loopback_port (void);

gboolean vm_boot (Vm      *vm,
                  GError **error);
void vm_stop (Vm *vm);

/* Sets a G_IO_ERROR_FAILED error; returns FALSE, for `return vm_fail (...)`. */
gboolean vm_fail (GError     **error,
                  const char  *format,
                  ...) G_GNUC_PRINTF (2, 3);

/* A check that cannot run here returns this error: a TAP skip, with the
 * message as the reason. */
#define VM_SKIP_ERROR (vm_skip_error_quark ())
GQuark vm_skip_error_quark (void);
gboolean vm_skip (GError     **error,
                  const char  *format,
                  ...) G_GNUC_PRINTF (2, 3);

/* The last console line starting with @prefix, or NULL. */
char *vm_console_last_line_with (Vm         *vm,
                                 const char *prefix);
/* The same, waiting up to @timeout_seconds for one to appear. */
char *vm_console_wait_for (Vm         *vm,
                           const char *prefix,
                           int         timeout_seconds);

/* The console lines that start with @prefix and contain @text (any,
 * if NULL), and how many there are. */
GPtrArray *vm_console_lines_with (Vm         *vm,
                                  const char *prefix,
                                  const char *text);
guint vm_console_count_lines (Vm         *vm,
                              const char *prefix,
                              const char *text);

/* Runs @command, which must fail as a disabled command, with exactly the
 * description @desc unless that is NULL; prints the agent's description. */
gboolean vm_expect_disabled (Vm          *vm,
                             const char  *command,
                             JsonObject  *arguments,
                             const char  *desc,
                             GError     **error);

/* Raw access to the agent's socket, for what libguestlink would never
 * send or to see a reply byte for byte. */

/* Connects and writes @request; the socket, or -1. QEMU's chardev takes
 * one client: this closes vm->client first. */
int vm_raw_send (Vm          *vm,
                 const char  *request,
                 GError     **error);
/* Reads until @n_lines newlines arrived or @timeout_ms passed. */
char *vm_raw_read_lines (int fd,
                         int n_lines,
                         int timeout_ms);
/* Runs @command, which takes no arguments, on a connection of its own;
 * the reply line as the agent wrote it, without the newline. */
char *vm_raw_call (Vm          *vm,
                   const char  *command,
                   GError     **error);

/* Keeps @reply as this agent's reply named @name, in vm->replies, for the
 * other agent's run to compare with; does nothing without vm->replies. */
gboolean vm_reply_save (Vm          *vm,
                        const char  *name,
                        const char  *reply,
                        GError     **error);
/* qemu-ga's reply named @name, as the reference run kept it; NULL with a
 * VM_SKIP_ERROR when there is none. */
char *vm_reply_load_reference (Vm          *vm,
                               const char  *name,
                               GError     **error);

/* Sorts @times (doubles) and returns the @percent percentile. */
double vm_percentile (GArray *times,
                      int     percent);
