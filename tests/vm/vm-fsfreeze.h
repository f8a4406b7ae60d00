/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vm-fsfreeze: the freeze checks, on the guest's data disk (/data), with
 * the writer guest-init runs there. Each leaves the guest thawed, also
 * when it fails.
 */
#pragma once

#include "vm.h"

gboolean vm_fsfreeze_check_writer_stops (Vm      *vm,
                                         GError **error);
gboolean vm_fsfreeze_check_while_frozen (Vm      *vm,
                                         GError **error);
gboolean vm_fsfreeze_check_freeze_all (Vm      *vm,
                                       GError **error);
gboolean vm_fsfreeze_check_timeout (Vm      *vm,
                                    GError **error);
gboolean vm_fsfreeze_measure_round_trip (Vm      *vm,
                                         GError **error);
