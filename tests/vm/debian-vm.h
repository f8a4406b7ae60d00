/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * debian-vm: the Debian guest of the vm-debian suite as its checks see
 * it. Boots what build-debian-image made (with boot-debian-vm, under QEMU
 * TCG), waits for the packaged agent that systemd starts, and runs
 * commands in the guest as root over ssh, through the port QEMU forwards.
 */
#pragma once

#include <gio/gio.h>
#include <guestlink-1/guestlink.h>

/* What build-debian-image gives the guest. */
#define DEBIAN_VM_HOST_NAME "debian-template"
#define DEBIAN_VM_ADDRESS "10.0.2.15"
#define DEBIAN_VM_DATA_MOUNTPOINT "/data"
#define DEBIAN_VM_DEBS_DIR "/var/cache/guestlink-debs"
#define DEBIAN_VM_AGENT_PORT "/dev/virtio-ports/org.qemu.guest_agent.0"

typedef struct {
  const char *boot_script;  /* boot-debian-vm */
  const char *image;        /* the image directory */
  const char *cli;          /* the guestlink command-line client */
  char *dir;                /* this run's sockets, console, data disk, ssh key */
  char *socket_path;
  char *console_path;
  char *key_path;           /* the private key; .pub beside it */
  char *kernel_release;
  GStrv packages;           /* the .debs installed in the image */
  guint ssh_port;
  GSubprocess *qemu;
  GuestlinkClient *client;
} DebianVm;

/* Reads the image's kernel-release and packages. */
gboolean debian_vm_load_image (DebianVm  *vm,
                               GError   **error);

/* Makes the data disk and an ssh key, starts QEMU. */
gboolean debian_vm_boot (DebianVm  *vm,
                         GError   **error);
/* Stops QEMU and removes this run's files, keeping the console at
 * @console_log unless that is NULL. */
void debian_vm_stop (DebianVm   *vm,
                     const char *console_log);

/* Connects (0xFF and guest-sync-delimited) until the agent answers or
 * @timeout_seconds pass: QEMU takes data for a port nobody in the guest
 * has opened yet, so an early attempt times out and is retried. */
gboolean debian_vm_wait_for_agent (DebianVm  *vm,
                                   int        timeout_seconds,
                                   GError   **error);

/* Runs @command with sh in the guest, as root, over ssh. Fails unless it
 * exits 0, with its stderr in the message; its stdout in @out_stdout. */
gboolean debian_vm_ssh (DebianVm    *vm,
                        const char  *command,
                        char       **out_stdout,
                        GError     **error);

/* debian_vm_ssh()'s stdout, stripped: for commands that print one value. */
char *debian_vm_ssh_line (DebianVm    *vm,
                          const char  *command,
                          GError     **error);

/* Runs the guestlink CLI with @args (NULL-terminated) on the agent's
 * socket, after closing vm->client: QEMU's chardev serves one client at
 * a time. Its stdout, or NULL when it fails. */
char *debian_vm_cli (DebianVm            *vm,
                     const char * const  *args,
                     GError             **error);

/* The reply of @command as an object (NULL arguments: none). */
JsonObject *debian_vm_call_object (DebianVm     *vm,
                                   const char   *command,
                                   JsonObject   *arguments,
                                   GError      **error);

/* @json, an object in JSON, as command arguments. */
JsonObject *debian_vm_arguments (const char *json);

/* The "KEY=VALUE" lines of systemctl show or udevadm info as a table. */
GHashTable *debian_vm_parse_properties (const char *text);
