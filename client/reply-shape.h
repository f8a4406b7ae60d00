/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reply-shape: checks a return value against the shape a qemu-ga schema
 * type gives it, before a wrapper hands it to the application. Only the
 * members a shape names are looked at: members it does not know (newer
 * agents add some) are allowed, so the check goes no deeper than the
 * shape however deep the agent nests its reply.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  REPLY_SHAPE_STRING,
  REPLY_SHAPE_INT,      /* any integer */
  REPLY_SHAPE_SIZE,     /* an integer >= 0: byte counts, qemu's uint64 */
  REPLY_SHAPE_BOOLEAN,
  REPLY_SHAPE_OBJECT,   /* with .members */
  REPLY_SHAPE_ARRAY,    /* of .element */
} ReplyShapeKind;

typedef struct _ReplyShape ReplyShape;
typedef struct _ReplyShapeMember ReplyShapeMember;

struct _ReplyShape
{
  ReplyShapeKind kind;
  const ReplyShapeMember *members;  /* OBJECT: ends with a NULL name */
  const ReplyShape *element;        /* ARRAY */
  /* OBJECT (optional): an object that has the member @failure_member is
   * checked against @failure_shape instead, for the entries that report
   * why a value could not be read in its place ({"path", "error"}). */
  const char *failure_member;
  const ReplyShape *failure_shape;
};

struct _ReplyShapeMember
{
  const char *name;
  const ReplyShape *shape;
  gboolean optional;
};

extern const ReplyShape reply_shape_string;
extern const ReplyShape reply_shape_int;
extern const ReplyShape reply_shape_size;
extern const ReplyShape reply_shape_boolean;

/* Returns TRUE if @node has @shape; otherwise FALSE with @out_detail set
 * to where and how it differs, for example "[1].disk[0].bus is missing". */
gboolean reply_shape_check (JsonNode          *node,
                            const ReplyShape  *shape,
                            char             **out_detail);

G_END_DECLS
