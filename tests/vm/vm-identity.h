/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vm-identity: host key rotation and set-identity in the guest, held
 * against what the guest's own sshd serves through a forwarded port.
 * They change the guest's identity: run them after the other checks.
 */
#pragma once

#include "vm.h"

gboolean vm_identity_check_rotate_host_keys (Vm      *vm,
                                             GError **error);
gboolean vm_identity_check_set_identity (Vm      *vm,
                                         GError **error);
