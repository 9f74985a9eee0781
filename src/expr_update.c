/*
 * expr_update.c
 *	  Update expressions (SET, REMOVE, ADD, DELETE) -> new item.
 *	  TEMPORARY STUB: being implemented.
 */
#include "postgres.h"

#include "expr.h"

Jsonb *
st_apply_update(StExprContext *cx, StExpr *update, Jsonb *item,
				List *key_attrs, List **updated_attrs)
{
	if (updated_attrs)
		*updated_attrs = NIL;
	elog(ERROR, "update expressions not implemented yet");
	return NULL;
}
