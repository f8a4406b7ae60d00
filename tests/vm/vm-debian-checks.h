/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vm-debian-checks: what vm-debian checks in the Debian guest, each held
 * against what the guest itself says over ssh.
 *
 * vm-debian-commands.c: each command family once under the packaged,
 * hardened unit. vm-debian-lifecycle.c: what changes the guest, in this
 * order: set-identity, freeze and a stop while frozen, purge, reinstall.
 */
#pragma once

#include "debian-vm.h"

gboolean vm_debian_check_info (DebianVm  *vm,
                               GError   **error);
gboolean vm_debian_check_system (DebianVm  *vm,
                                 GError   **error);
gboolean vm_debian_check_fsinfo (DebianVm  *vm,
                                 GError   **error);
gboolean vm_debian_check_fstrim (DebianVm  *vm,
                                 GError   **error);
gboolean vm_debian_check_host_keys (DebianVm  *vm,
                                    GError   **error);

gboolean vm_debian_check_set_identity (DebianVm  *vm,
                                       GError   **error);
gboolean vm_debian_check_freeze_thaw (DebianVm  *vm,
                                      GError   **error);
gboolean vm_debian_check_stop_thaws (DebianVm  *vm,
                                     GError   **error);
gboolean vm_debian_check_port_replug (DebianVm  *vm,
                                      GError   **error);
gboolean vm_debian_check_purge (DebianVm  *vm,
                                GError   **error);
gboolean vm_debian_check_reinstall (DebianVm  *vm,
                                    GError   **error);
