/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ssh-host-key-shapes.h"

static const ReplyShapeMember unreadable_key_members[] = {
  { "path", &reply_shape_string, FALSE },
  { "error", &reply_shape_string, FALSE },
  { NULL, },
};
static const ReplyShape unreadable_key_shape = { REPLY_SHAPE_OBJECT, unreadable_key_members, NULL };

static const ReplyShapeMember host_key_members[] = {
  { "type", &reply_shape_string, FALSE },
  { "path", &reply_shape_string, FALSE },
  { "public-key", &reply_shape_string, FALSE },
  { "fingerprint", &reply_shape_string, FALSE },
  { NULL, },
};
static const ReplyShape host_key_shape = {
  REPLY_SHAPE_OBJECT, host_key_members, NULL, "error", &unreadable_key_shape
};

const ReplyShape ssh_host_key_list_shape = { REPLY_SHAPE_ARRAY, NULL, &host_key_shape };

/* A rotation fails as a whole: its keys have no "error" form. */
static const ReplyShapeMember rotated_key_members[] = {
  { "type", &reply_shape_string, FALSE },
  { "path", &reply_shape_string, FALSE },
  { "public-key", &reply_shape_string, FALSE },
  { "fingerprint", &reply_shape_string, FALSE },
  { "old-fingerprint", &reply_shape_string, TRUE },
  { NULL, },
};
static const ReplyShape rotated_key_shape = { REPLY_SHAPE_OBJECT, rotated_key_members, NULL };
static const ReplyShape rotated_key_list_shape = { REPLY_SHAPE_ARRAY, NULL, &rotated_key_shape };

static const ReplyShapeMember rotation_members[] = {
  { "keys", &rotated_key_list_shape, FALSE },
  { "sshd-reloaded", &reply_shape_boolean, FALSE },
  { "sshd-reload-method", &reply_shape_string, FALSE },
  { NULL, },
};
const ReplyShape ssh_host_key_rotation_shape = { REPLY_SHAPE_OBJECT, rotation_members, NULL };
