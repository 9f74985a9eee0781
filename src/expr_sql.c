/*
 * expr_sql.c
 *	  The SQL-callable helpers of the expression language:
 *	  singletable.matches(), singletable.apply_update(),
 *	  singletable.project() and singletable.key_condition(), and the parse
 *	  cache they keep in flinfo->fn_extra.
 *
 *	  Leaves to others: everything an expression means; these functions
 *	  only unpack arguments, parse through expr_prepare.c and call
 *	  expr_eval.c, expr_update.c or expr_project.c.  Nothing in the
 *	  component calls back into this file.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "args.h"
#include "expr.h"
#include "expr_int.h"
#include "keys.h"
#include "typedjson.h"

/* SQL helpers ------------------------------------------------------------ */

typedef struct SqlExprCache
{
	MemoryContext mcxt;			/* holds this struct and everything below */
	StxMode		mode;
	text	   *expr;			/* copies, in fn_mcxt */
	Jsonb	   *names;
	Jsonb	   *values;
	StExprContext cx;
	StExpr	   *parsed;
} SqlExprCache;

static bool
same_datum(struct varlena *a, struct varlena *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return VARSIZE_ANY(a) == VARSIZE_ANY(b) && memcmp(a, b, VARSIZE_ANY(a)) == 0;
}

static void *
copy_datum(struct varlena *v)
{
	void	   *c;

	if (v == NULL)
		return NULL;
	c = palloc(VARSIZE_ANY(v));
	memcpy(c, v, VARSIZE_ANY(v));
	return c;
}

/*
 * The parse of one call site, kept while the expression, names and values
 * stay the same from call to call (the common case: one expression applied
 * to many rows).
 */
static StExpr *
st_expr_cached_parse(FunctionCallInfo fcinfo, StxMode mode, text *expr,
					 Jsonb *names, Jsonb *values, StExprContext **cx)
{
	SqlExprCache *cache = fcinfo->flinfo->fn_extra;
	MemoryContext mcxt;
	MemoryContext old;
	SqlExprCache *c;
	char	   *str;

	if (cache != NULL && cache->mode == mode &&
		same_datum((struct varlena *) cache->expr, (struct varlena *) expr) &&
		same_datum((struct varlena *) cache->names, (struct varlena *) names) &&
		same_datum((struct varlena *) cache->values, (struct varlena *) values))
	{
		*cx = &cache->cx;
		return cache->parsed;
	}

	/*
	 * Parse into a context of its own, child of fn_mcxt; remember it only
	 * once it has succeeded, and drop the previous one.
	 */
	mcxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "singletable expression",
								 ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(mcxt);
	c = palloc0(sizeof(SqlExprCache));
	c->mcxt = mcxt;
	c->mode = mode;
	c->expr = copy_datum((struct varlena *) expr);
	c->names = copy_datum((struct varlena *) names);
	c->values = copy_datum((struct varlena *) values);
	str = text_to_cstring(expr);
	st_expr_context_init(&c->cx, c->names, c->values);
	switch (mode)
	{
		case STX_MODE_CONDITION:
			c->parsed = st_parse_condition(&c->cx, str, "condition");
			break;
		case STX_MODE_UPDATE:
			c->parsed = st_parse_update(&c->cx, str);
			break;
		case STX_MODE_PROJECTION:
			c->parsed = st_parse_projection(&c->cx, str);
			break;
	}
	st_expr_check_unused(&c->cx);
	MemoryContextSwitchTo(old);
	if (cache != NULL)
		MemoryContextDelete(cache->mcxt);
	fcinfo->flinfo->fn_extra = c;
	*cx = &c->cx;
	return c->parsed;
}

/*
 * The expression of matches or apply_update (argument 1, with names and
 * values in arguments 2 and 3) parsed in the given mode, or NULL when it is
 * NULL.
 */
static StExpr *
expr_arg(FunctionCallInfo fcinfo, StxMode mode, StExprContext **cx)
{
	if (PG_ARGISNULL(1))
		return NULL;
	return st_expr_cached_parse(fcinfo, mode, PG_GETARG_TEXT_PP(1),
								st_jsonb_arg(fcinfo, 2), st_jsonb_arg(fcinfo, 3), cx);
}

PG_FUNCTION_INFO_V1(st_sql_apply_update);

/*
 * singletable.apply_update(item, update, names, values) -> jsonb
 * A NULL item is updated as the empty item {}.  The result is checked as
 * put_item checks an item (st_validate_item): over singletable.max_item_size
 * it is the same ValidationException.
 */
Datum
st_sql_apply_update(PG_FUNCTION_ARGS)
{
	StExprContext *cx;
	StExpr	   *upd = expr_arg(fcinfo, STX_MODE_UPDATE, &cx);
	Jsonb	   *res;

	if (upd == NULL)
		PG_RETURN_NULL();
	res = st_apply_update(cx, upd, st_jsonb_arg(fcinfo, 0), NIL, NULL);
	/* an item the item functions would refuse (too large) is refused here too */
	st_validate_item(res);
	PG_RETURN_JSONB_P(res);
}

PG_FUNCTION_INFO_V1(st_sql_matches);
PG_FUNCTION_INFO_V1(st_sql_project);

/*
 * singletable.matches(item, condition, names, values) -> boolean
 * A NULL item is "no such item" (attribute_not_exists is true).
 */
Datum
st_sql_matches(PG_FUNCTION_ARGS)
{
	StExprContext *cx;
	StExpr	   *cond = expr_arg(fcinfo, STX_MODE_CONDITION, &cx);

	if (cond == NULL)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(st_eval_condition(cx, cond, st_jsonb_arg(fcinfo, 0)));
}

/* singletable.project(item, projection, names) -> jsonb */
Datum
st_sql_project(PG_FUNCTION_ARGS)
{
	Jsonb	   *names = st_jsonb_arg(fcinfo, 2);
	StExprContext *cx;
	StExpr	   *proj;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	proj = st_expr_cached_parse(fcinfo, STX_MODE_PROJECTION, PG_GETARG_TEXT_PP(1),
								names, NULL, &cx);
	PG_RETURN_JSONB_P(st_apply_projection(cx, proj, PG_GETARG_JSONB_P(0)));
}

static const char *
key_op_name(StKeyOp op)
{
	switch (op)
	{
		case ST_KEYOP_NONE:
			return NULL;
		case ST_KEYOP_EQ:
			return "=";
		case ST_KEYOP_LT:
			return "<";
		case ST_KEYOP_LE:
			return "<=";
		case ST_KEYOP_GT:
			return ">";
		case ST_KEYOP_GE:
			return ">=";
		case ST_KEYOP_BETWEEN:
			return "BETWEEN";
		case ST_KEYOP_BEGINS_WITH:
			return "begins_with";
	}
	return NULL;
}

static void
push_key_pair(JsonbParseState **st, const char *key, const JsonbValue *v)
{
	st_push_key(st, key);
	pushJsonbValue(st, WJB_VALUE, (JsonbValue *) v);
}

static JsonbValue
string_value(const char *s)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = strlen(s);
	return v;
}

PG_FUNCTION_INFO_V1(st_sql_key_condition);

/*
 * singletable.key_condition(condition, names, values) -> jsonb
 * The key condition as query() sees it:
 * {"pk": attr, "pk_value": v, "sk": attr, "sk_op": op, "sk_value": v, "sk_value2": v}
 */
Datum
st_sql_key_condition(PG_FUNCTION_ARGS)
{
	Jsonb	   *names = st_jsonb_arg(fcinfo, 1);
	Jsonb	   *values = st_jsonb_arg(fcinfo, 2);
	StExprContext cx;
	StKeyCondition *kc;
	JsonbParseState *st = NULL;
	JsonbValue	v;
	JsonbValue *res;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st_expr_context_init(&cx, names, values);
	kc = st_parse_key_condition(&cx, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	st_expr_check_unused(&cx);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	v = string_value(kc->pk_attr);
	push_key_pair(&st, "pk", &v);
	push_key_pair(&st, "pk_value", &kc->pk_value);
	if (kc->sk_op != ST_KEYOP_NONE)
	{
		v = string_value(kc->sk_attr);
		push_key_pair(&st, "sk", &v);
		v = string_value(key_op_name(kc->sk_op));
		push_key_pair(&st, "sk_op", &v);
		push_key_pair(&st, "sk_value", &kc->sk_value);
		if (kc->sk_op == ST_KEYOP_BETWEEN)
			push_key_pair(&st, "sk_value2", &kc->sk_value2);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}
