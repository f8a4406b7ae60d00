#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs a test in private mount and UTS namespaces, where it may mount over
# /etc and set the host name without touching the machine's own: with
# private propagation no mount made inside reaches the host. Exits 77
# (skipped) when such namespaces cannot be made here.
set -u

if ! command -v unshare >/dev/null 2>&1; then
  echo "SKIP: unshare(1) from util-linux is not installed"
  exit 77
fi
if ! unshare --mount --uts --propagation private -- true 2>/dev/null; then
  echo "SKIP: cannot create private mount and UTS namespaces (needs CAP_SYS_ADMIN)"
  exit 77
fi
exec unshare --mount --uts --propagation private -- "$@"
