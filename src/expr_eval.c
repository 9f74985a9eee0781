/*
 * expr_eval.c
 *	  Conditions, filters, projections and key conditions over jsonb items
 *	  (see expr.h).  TEMPORARY STUBS: being implemented.
 */
#include "postgres.h"

#include "expr.h"

struct StExpr
{
	int			dummy;
};

void
st_expr_context_init(StExprContext *cx, Jsonb *names, Jsonb *values)
{
	cx->names = names;
	cx->values = values;
	cx->used_names = NIL;
	cx->used_values = NIL;
}

StExpr *
st_parse_condition(StExprContext *cx, const char *text, const char *what)
{
	return palloc0(sizeof(StExpr));
}

StExpr *
st_parse_update(StExprContext *cx, const char *text)
{
	return palloc0(sizeof(StExpr));
}

StExpr *
st_parse_projection(StExprContext *cx, const char *text)
{
	return palloc0(sizeof(StExpr));
}

StKeyCondition *
st_parse_key_condition(StExprContext *cx, const char *text)
{
	elog(ERROR, "key conditions not implemented yet");
	return NULL;
}

void
st_expr_check_unused(StExprContext *cx)
{
}

bool
st_eval_condition(StExprContext *cx, StExpr *cond, Jsonb *item)
{
	return true;
}

Jsonb *
st_apply_projection(StExprContext *cx, StExpr *projection, Jsonb *item)
{
	return item;
}

Jsonb *
st_project_top_level(Jsonb *item, List *attrs)
{
	return item;
}

int
st_compare_scalars(const JsonbValue *a, const JsonbValue *b, bool *comparable)
{
	*comparable = false;
	return 0;
}
