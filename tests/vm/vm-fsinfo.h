/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vm-fsinfo: the filesystem report checks, guest-get-fsinfo and
 * guest-fstrim, on the guest's data disk (/data) and SCSI disk (/scsi),
 * held against what QEMU and the host know of those disks and against
 * qemu-ga's replies.
 */
#pragma once

#include "vm.h"

gboolean vm_fsinfo_check_data (Vm      *vm,
                               GError **error);
gboolean vm_fsinfo_check_scsi (Vm      *vm,
                               GError **error);
gboolean vm_fsinfo_check_same_as_reference (Vm      *vm,
                                            GError **error);
gboolean vm_fstrim_check_data (Vm      *vm,
                               GError **error);
gboolean vm_fstrim_check_same_as_reference (Vm      *vm,
                                            GError **error);
