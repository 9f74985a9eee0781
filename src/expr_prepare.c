/*
 * expr_prepare.c
 *	  Preparing an expression for evaluation: the request context, the parse
 *	  wrappers that run the parser core and turn its errors into ereports,
 *	  #name / :value placeholder resolution, a condition's operand checks
 *	  (condition by condition, in DynamoDB's order), the ordering and
 *	  overlap check of update and projection paths, key conditions, the
 *	  unused-placeholder check and the refusal of paths into key
 *	  attributes; and st_expr_path_text, a path as text for messages.
 *
 *	  Leaves to others: the grammar (expr_parse.c, plain C), the parsed
 *	  trees kept for the next call (expr_cache.c), evaluating what it
 *	  prepares (expr_eval.c, expr_update.c, expr_project.c), and value
 *	  comparison (expr_value.c, used here for BETWEEN bounds).  Depends on
 *	  expr_parse.c, expr_cache.c and expr_value.c only.
 *
 *	  Cost: expressions are at most 4096 bytes, which bounds what is
 *	  quadratic in the expression alone; the names and values maps can be as
 *	  large as jsonb allows, so the unused-placeholder check sorts rather
 *	  than scans.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "catalog.h"
#include "expr.h"
#include "expr_int.h"
#include "item_types.h"
#include "keys.h"

/* Parsing --------------------------------------------------------------- */

/* DynamoDB's parameter name for an expression kind, for messages. */
static const char *
st_expr_dynamo_name(const char *what)
{
	if (strcmp(what, "condition") == 0)
		return "ConditionExpression";
	if (strcmp(what, "filter") == 0)
		return "FilterExpression";
	if (strcmp(what, "update") == 0)
		return "UpdateExpression";
	if (strcmp(what, "projection") == 0)
		return "ProjectionExpression";
	if (strcmp(what, "key condition") == 0)
		return "KeyConditionExpression";
	return "Expression";
}

static void
report_parse_error(const char *what, const char *text, StxError *err)
{
	const char *dyn = st_expr_dynamo_name(what);
	char		msg[sizeof(err->message)];

	/* the DETAIL is a sentence: capitalize the message */
	memcpy(msg, err->message, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	if (msg[0] >= 'a' && msg[0] <= 'z')
		msg[0] += 'A' - 'a';

	if (err->kind == STX_ERR_EMPTY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s expression: the expression is empty", what),
				 errdetail("ValidationException: Invalid %s: The expression can not be empty;.", dyn)));
	if (err->position == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invalid %s expression: %s", what, err->message),
				 errdetail("ValidationException: Invalid %s: %s.", dyn, msg)));
	if (err->dynamo[0] != '\0')
		ereport(ERROR,
				(errcode(err->kind == STX_ERR_LIMIT ? ERRCODE_PROGRAM_LIMIT_EXCEEDED : ERRCODE_SYNTAX_ERROR),
				 err->at_end ?
				 errmsg("invalid %s expression: %s at end of input", what, err->message) :
				 errmsg("invalid %s expression: %s at position %d near \"%s\"",
						what, err->message, err->position, err->near),
				 /* a wording that ends in ";" keeps it, without a period */
				 err->dynamo[strlen(err->dynamo) - 1] == ';' ?
				 errdetail("ValidationException: Invalid %s: %s", dyn, err->dynamo) :
				 errdetail("ValidationException: Invalid %s: %s.", dyn, err->dynamo)));
	if (err->at_end)
		ereport(ERROR,
				(errcode(err->kind == STX_ERR_LIMIT ? ERRCODE_PROGRAM_LIMIT_EXCEEDED : ERRCODE_SYNTAX_ERROR),
				 errmsg("invalid %s expression: %s at end of input", what, err->message),
				 errdetail("ValidationException: Invalid %s: %s; the expression ends at position %d.",
						   dyn, msg, err->position)));
	ereport(ERROR,
			(errcode(err->kind == STX_ERR_LIMIT ? ERRCODE_PROGRAM_LIMIT_EXCEEDED : ERRCODE_SYNTAX_ERROR),
			 errmsg("invalid %s expression: %s at position %d near \"%s\"",
					what, err->message, err->position, err->near),
			 errdetail("ValidationException: Invalid %s: %s; token: \"%s\", position: %d.",
					   dyn, msg, err->near, err->position)));
}

/* Remember a placeholder as used; repeats are sorted out by check_unused_map. */
static void
mark_used(List **list, const char *name)
{
	*list = lappend(*list, pstrdup(name));
}

/* Human-readable text of a path, with placeholders substituted: a.b[2] */
char *
st_expr_path_text(StxNode *path)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < path->nelems; i++)
	{
		StxPathElem *e = &path->elems[i];

		if (e->is_index)
			appendStringInfo(&buf, "[%d]", e->index);
		else
		{
			if (i > 0)
				appendStringInfoChar(&buf, '.');
			if (e->resolved)
				appendBinaryStringInfo(&buf, e->resolved, e->resolved_len);
			else
				appendStringInfoString(&buf, e->name);
		}
	}
	return buf.data;
}

/* A path as DynamoDB lists it in messages: a.b[2] is "a, b, [2]" */
static char *
dynamo_path_text(StxNode *path)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < path->nelems; i++)
	{
		StxPathElem *e = &path->elems[i];

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		if (e->is_index)
			appendStringInfo(&buf, "[%d]", e->index);
		else if (e->resolved)
			appendBinaryStringInfo(&buf, e->resolved, e->resolved_len);
		else
			appendStringInfoString(&buf, e->name);
	}
	return buf.data;
}

static bool
valid_attribute_type(const char *s, int len)
{
	static const char *const types[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"};

	for (int i = 0; i < (int) lengthof(types); i++)
		if ((int) strlen(types[i]) == len && memcmp(types[i], s, len) == 0)
			return true;
	return false;
}

/* Are two resolved document paths the same path? */
static bool
same_path(StxNode *a, StxNode *b)
{
	if (a->kind != STX_PATH || b->kind != STX_PATH || a->nelems != b->nelems)
		return false;
	for (int i = 0; i < a->nelems; i++)
	{
		StxPathElem *x = &a->elems[i];
		StxPathElem *y = &b->elems[i];

		if (x->is_index != y->is_index ||
			(x->is_index ? x->index != y->index :
			 x->resolved_len != y->resolved_len ||
			 memcmp(x->resolved, y->resolved, x->resolved_len) != 0))
			return false;
	}
	return true;
}

/*
 * DynamoDB's operand error: "Incorrect operand type for operator or
 * function"; problem is the primary message's end
 */
static void
operand_type_error(const char *what, const char *problem, const char *fn, const char *type)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s expression: %s", what, problem),
			 errdetail("ValidationException: Invalid %s: Incorrect operand type for operator or function; operator or function: %s, operand type: %s.",
					   st_expr_dynamo_name(what), fn, type)));
}

/* The DynamoDB type an operand is known to have before any item: a value's, size()'s, or NULL */
static const char *
operand_type(StxNode *n)
{
	if (n->kind == STX_VALUE)
		return st_value_type_name((JsonbValue *) n->resolved);
	if (n->kind == STX_SIZE)
		return "N";
	return NULL;
}

/* A BETWEEN bound as DynamoDB shows it in messages: AttributeValue: {S:a} */
static char *
bound_text(JsonbValue *v)
{
	JsonbValue	payload;

	if (v->type == jbvString)
		return psprintf("AttributeValue: {S:%s}", pnstrdup(v->val.string.val, v->val.string.len));
	if (v->type == jbvNumeric)
		return psprintf("AttributeValue: {N:%s}",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric))));
	if (st_tag_of(v, &payload) == ST_TAG_B && payload.type == jbvString)
		return psprintf("AttributeValue: {B:%s}", pnstrdup(payload.val.string.val, payload.val.string.len));
	return psprintf("AttributeValue: {%s}", st_value_type_name(v));
}

/*
 * A function call's number of operands (n: STX_FUNC or STX_SIZE), as
 * DynamoDB checks it once the placeholders of its condition are defined.
 */
static void
check_operand_count(StxNode *n, const char *what)
{
	int			want;

	if (n->kind == STX_SIZE)
		want = 1;
	else if (n->kind == STX_FUNC)
		want = (n->op == STX_FN_ATTRIBUTE_EXISTS || n->op == STX_FN_ATTRIBUTE_NOT_EXISTS) ? 1 : 2;
	else
		return;
	if (n->nargs != want)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s expression: %s takes %d operand%s, not %d",
						what, n->name, want, want == 1 ? "" : "s", n->nargs),
				 errdetail("ValidationException: Invalid %s: Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d.",
						   st_expr_dynamo_name(what), n->name, n->nargs)));
}

/* A comparison or a two-operand function of a path with itself. */
static void
check_distinct(StxNode *n, const char *what)
{
	if ((n->kind == STX_CMP || (n->kind == STX_FUNC && n->nargs == 2)) &&
		same_path(n->args[0], n->args[1]))
	{
		const char *op = n->kind == STX_CMP ? stx_cmp_name(n->op) : stx_func_name(n->op);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s expression: both operands of %s are the document path %s",
						what, op, st_expr_path_text(n->args[0])),
				 errdetail("ValidationException: Invalid %s: The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: [%s].",
						   st_expr_dynamo_name(what), op, dynamo_path_text(n->args[0]))));
	}
}

/*
 * The operand checks DynamoDB makes before evaluating, on one node whose
 * placeholders are resolved: attribute_exists of a document path,
 * attribute_type's type a valid type name, begins_with of strings or
 * binaries, size() of what has a size, BETWEEN's bounds of one type and
 * in order.
 */
static void
check_operand_kinds(StxNode *n, const char *what)
{
	const char *dyn = st_expr_dynamo_name(what);
	const char *type;

	if (n->kind == STX_SIZE)
	{
		type = operand_type(n->args[0]);
		if (type && (strcmp(type, "N") == 0 || strcmp(type, "BOOL") == 0 || strcmp(type, "NULL") == 0))
			operand_type_error(what, psprintf("size of %s, which has no size",
											  n->args[0]->kind == STX_VALUE ? n->args[0]->name : "a number"),
							   "size", type);
		return;
	}
	if (n->kind == STX_FUNC && (n->op == STX_FN_ATTRIBUTE_EXISTS || n->op == STX_FN_ATTRIBUTE_NOT_EXISTS) &&
		n->args[0]->kind != STX_PATH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s expression: the operand of %s must be a document path", what, n->name),
				 errdetail("ValidationException: Invalid %s: Operator or function requires a document path; operator or function: %s.",
						   dyn, n->name)));
	if (n->kind == STX_FUNC && n->op == STX_FN_BEGINS_WITH)
	{
		for (int i = 0; i < n->nargs; i++)
		{
			type = operand_type(n->args[i]);
			if (type && strcmp(type, "S") != 0 && strcmp(type, "B") != 0)
				operand_type_error(what, "begins_with needs a string or binary operand", "begins_with", type);
		}
	}
	if (n->kind == STX_FUNC && n->op == STX_FN_ATTRIBUTE_TYPE)
	{
		JsonbValue *t;

		/* a path may hold any type; size() is a number */
		if (n->args[1]->kind != STX_VALUE)
			operand_type_error(what, "the type operand of attribute_type must be a value", "attribute_type",
							   n->args[1]->kind == STX_SIZE ? "N" : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
		type = operand_type(n->args[1]);
		if (strcmp(type, "S") != 0)
			operand_type_error(what, "the type operand of attribute_type must be a string", "attribute_type", type);
		t = n->args[1]->resolved;
		if (!valid_attribute_type(t->val.string.val, t->val.string.len))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s expression: invalid type for attribute_type", what),
					 errdetail("ValidationException: Invalid %s: Invalid attribute type name found; type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}.",
							   dyn, pnstrdup(t->val.string.val, t->val.string.len))));
	}
	if (n->kind == STX_BETWEEN && n->args[1]->kind == STX_VALUE && n->args[2]->kind == STX_VALUE)
	{
		JsonbValue *lo = n->args[1]->resolved;
		JsonbValue *hi = n->args[2]->resolved;
		bool		comparable;
		int			c;

		if (strcmp(st_value_type_name(lo), st_value_type_name(hi)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s expression: the bounds of BETWEEN are of different types", what),
					 errdetail("ValidationException: Invalid %s: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: %s, upper bound operand: %s.",
							   dyn, bound_text(lo), bound_text(hi))));
		c = st_compare_scalars(lo, hi, &comparable);
		if (comparable && c > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s expression: the lower bound of BETWEEN is greater than the upper bound",
							what),
					 errdetail("ValidationException: Invalid %s: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: %s, upper bound operand: %s.",
							   dyn, bound_text(lo), bound_text(hi))));
	}
}

/* Resolve a document path's #names to attribute names, marking them used. */
static void
resolve_path(StExprContext *cx, StxNode *n, const char *what)
{
	for (int i = 0; i < n->nelems; i++)
	{
		StxPathElem *e = &n->elems[i];
		JsonbValue	v;

		if (e->is_index)
			continue;
		if (!e->is_placeholder)
		{
			e->resolved = e->name;
			e->resolved_len = strlen(e->name);
			continue;
		}
		if (cx->names == NULL ||
			getKeyJsonValueFromContainer(&cx->names->root, e->name, strlen(e->name), &v) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s expression: expression attribute name \"%s\" is not defined",
							what, e->name),
					 errdetail("ValidationException: Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %s.",
							   st_expr_dynamo_name(what), e->name)));
		/* st_expr_context_init checked that it is a non-empty string */
		e->resolved = v.val.string.val;
		e->resolved_len = v.val.string.len;
		mark_used(&cx->used_names, e->name);
	}
}

/* Resolve a :value placeholder to its JsonbValue, marking it used. */
static void
resolve_value(StExprContext *cx, StxNode *n, const char *what)
{
	JsonbValue *v = palloc(sizeof(JsonbValue));

	if (cx->values == NULL ||
		getKeyJsonValueFromContainer(&cx->values->root, n->name, strlen(n->name), v) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s expression: expression attribute value \"%s\" is not defined",
						what, n->name),
				 errdetail("ValidationException: Invalid %s: An expression attribute value used in expression is not defined; attribute value: %s.",
						   st_expr_dynamo_name(what), n->name)));
	st_validate_value_tags(v, n->name);
	n->resolved = v;
	mark_used(&cx->used_values, n->name);
}

/* What walk_checks applies to every node of a tree, children first. */
typedef void (*NodeCheck) (StxNode *n, const char *what);

/*
 * Resolve the placeholders of a tree in the order written (check NULL),
 * or apply check to its nodes, children first, once they are resolved.
 */
static void
walk_checks(StExprContext *cx, StxNode *n, const char *what, NodeCheck check)
{
	check_stack_depth();
	if (n->kind == STX_PATH)
	{
		if (check == NULL)
			resolve_path(cx, n, what);
		return;
	}
	if (n->kind == STX_VALUE)
	{
		if (check == NULL)
			resolve_value(cx, n, what);
		return;
	}
	for (int i = 0; i < n->nargs; i++)
		walk_checks(cx, n->args[i], what, check);
	if (check != NULL)
		check(n, what);
}

/*
 * Resolve and check a condition as DynamoDB does, condition by condition
 * (a comparison, BETWEEN, IN or function call) in the order written: an
 * undefined placeholder first, then a function's number of operands, then
 * operands that are the same path, then operands of the wrong kind.
 */
static void
resolve_condition(StExprContext *cx, StxNode *n, const char *what)
{
	check_stack_depth();
	if (n->kind == STX_AND || n->kind == STX_OR || n->kind == STX_NOT)
	{
		for (int i = 0; i < n->nargs; i++)
			resolve_condition(cx, n->args[i], what);
		return;
	}
	CHECK_FOR_INTERRUPTS();
	walk_checks(cx, n, what, NULL);
	walk_checks(cx, n, what, check_operand_count);
	walk_checks(cx, n, what, check_distinct);
	walk_checks(cx, n, what, check_operand_kinds);
}

static StExpr *
parse_common(StExprContext *cx, const char *text, StxMode mode, const char *what)
{
	StxError	err;
	StxNode    *root;
	StExpr	   *e;

	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s expression: the expression is null", what),
				 errdetail("ValidationException: Invalid %s: The expression can not be empty;.",
						   st_expr_dynamo_name(what))));
	root = st_expr_parse_cached(text, strlen(text), mode, &err);
	if (root == NULL)
		report_parse_error(what, text, &err);
	if (mode == STX_MODE_CONDITION)
		resolve_condition(cx, root, what);
	else
		walk_checks(cx, root, what, NULL);
	e = palloc0(sizeof(StExpr));
	e->root = root;
	e->mode = mode;
	e->what = what;
	return e;
}

/*
 * Check the placeholders of map (ExpressionAttributeNames, sigil '#', or
 * ExpressionAttributeValues, ':') and, for names, the names they stand for.
 */
void
st_expr_check_placeholders(Jsonb *map, char sigil, const char *param)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (!JB_ROOT_IS_OBJECT(map) || JB_ROOT_IS_SCALAR(map))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", param),
				 sigil == '#' ?
				 errdetail("ValidationException: %s must be a map of placeholders to attribute names.", param) :
				 errdetail("ValidationException: %s must be a map of placeholders to values.", param)));
	it = JsonbIteratorInit(&map->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
		{
			bool		ok = v.val.string.len >= 2 && v.val.string.val[0] == sigil;

			for (int i = 1; ok && i < v.val.string.len; i++)
			{
				char		c = v.val.string.val[i];

				ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					(c >= '0' && c <= '9') || c == '_';
			}
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid placeholder \"%s\" in %s",
								pnstrdup(v.val.string.val, v.val.string.len), param),
						 errdetail("ValidationException: %s contains invalid key: Syntax error; key: \"%s\".",
								   param, pnstrdup(v.val.string.val, v.val.string.len)),
						 errhint("Placeholders are \"%c\" followed by letters, digits or underscores.", sigil)));
		}
		else if (tok == WJB_VALUE && sigil == '#' &&
				 (v.type != jbvString || v.val.string.len == 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid attribute name in %s", param),
					 errdetail("ValidationException: %s contains invalid value: every attribute name must be a non-empty string.",
							   param)));
	}
}

void
st_expr_context_init(StExprContext *cx, Jsonb *names, Jsonb *values)
{
	/* JSON null means "not given" */
	if (names != NULL && JB_ROOT_IS_SCALAR(names))
	{
		JsonbValue	v;

		if (JsonbExtractScalar(&names->root, &v) && v.type == jbvNull)
			names = NULL;
	}
	if (values != NULL && JB_ROOT_IS_SCALAR(values))
	{
		JsonbValue	v;

		if (JsonbExtractScalar(&values->root, &v) && v.type == jbvNull)
			values = NULL;
	}
	if (names != NULL)
		st_expr_check_placeholders(names, '#', "ExpressionAttributeNames");
	if (values != NULL)
		st_expr_check_placeholders(values, ':', "ExpressionAttributeValues");
	cx->names = names;
	cx->values = values;
	cx->used_names = NIL;
	cx->used_values = NIL;
}

StExpr *
st_parse_condition(StExprContext *cx, const char *text, const char *what)
{
	return parse_common(cx, text, STX_MODE_CONDITION, what);
}

/*
 * Order two paths element by element (an index before a name, indexes by
 * value, names by their bytes); a path sorts before its extensions, so
 * the paths sharing a prefix are neighbours.
 */
static int
st_expr_path_cmp(const StxNode *a, const StxNode *b)
{
	int			n = Min(a->nelems, b->nelems);

	for (int i = 0; i < n; i++)
	{
		const StxPathElem *x = &a->elems[i];
		const StxPathElem *y = &b->elems[i];

		if (x->is_index != y->is_index)
			return x->is_index ? -1 : 1;
		if (x->is_index)
		{
			if (x->index != y->index)
				return x->index < y->index ? -1 : 1;
		}
		else
		{
			int			c = memcmp(x->resolved, y->resolved, Min(x->resolved_len, y->resolved_len));

			if (c != 0)
				return c < 0 ? -1 : 1;
			if (x->resolved_len != y->resolved_len)
				return x->resolved_len < y->resolved_len ? -1 : 1;
		}
	}
	return a->nelems < b->nelems ? -1 : a->nelems > b->nelems ? 1 : 0;
}

/*
 * Compare two paths element by element: 0 when neither is a prefix of the
 * other, 1 when one is a prefix of (or equal to) the other, 2 when they
 * conflict (a name against an index at the same position).
 */
static int
paths_overlap(StxNode *a, StxNode *b)
{
	int			n = Min(a->nelems, b->nelems);

	for (int i = 0; i < n; i++)
	{
		StxPathElem *x = &a->elems[i];
		StxPathElem *y = &b->elems[i];

		if (x->is_index != y->is_index)
			return 2;
		if (x->is_index)
		{
			if (x->index != y->index)
				return 0;
		}
		else if (x->resolved_len != y->resolved_len ||
				 memcmp(x->resolved, y->resolved, x->resolved_len) != 0)
			return 0;
	}
	return 1;
}

/* A path of an expression and where it was written, for ordering. */
typedef struct PathAt
{
	StxNode    *path;
	StxNode    *owner;			/* what by_path lists: the path or its action */
	int			at;				/* position in the expression */
} PathAt;

static int
cmp_path_at(const void *a, const void *b)
{
	const PathAt *x = a;
	const PathAt *y = b;
	int			c = st_expr_path_cmp(x->path, y->path);

	if (c != 0)
		return c;
	return x->at < y->at ? -1 : x->at > y->at ? 1 : 0;
}

/*
 * Return owners[] ordered by their paths (paths[i] is the path of
 * owners[i]), raising ValidationException when two paths overlap or
 * conflict.  In that order a path is next to its extensions and the last
 * name at a position is next to the first index there, so comparing
 * neighbours finds any offending pair in O(n log n); the pair is reported
 * in the order written.
 */
static StxNode **
order_paths(StxNode **paths, StxNode **owners, int n, const char *what)
{
	PathAt	   *v = palloc(sizeof(PathAt) * (n + 1));
	StxNode   **res = palloc(sizeof(StxNode *) * (n + 1));

	for (int i = 0; i < n; i++)
	{
		v[i].path = paths[i];
		v[i].owner = owners[i];
		v[i].at = i;
	}
	/* n is bounded by the expression's length: qsort's worst case is harmless */
	if (n > 1)
		qsort(v, n, sizeof(PathAt), cmp_path_at);
	/* every overlap is reported before any conflict, as in DynamoDB */
	for (int pass = 1; pass <= 2; pass++)
	{
		for (int i = 1; i < n; i++)
		{
			PathAt	   *x = &v[i - 1];
			PathAt	   *y = &v[i];
			int			o = paths_overlap(x->path, y->path);

			if (o == pass)
			{
				StxNode    *first = x->at < y->at ? x->path : y->path;
				StxNode    *second = x->at < y->at ? y->path : x->path;
				char	   *one = st_expr_path_text(first);
				char	   *two = st_expr_path_text(second);

				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 o == 1 ?
						 errmsg("invalid %s expression: two document paths overlap: %s and %s",
								what, one, two) :
						 errmsg("invalid %s expression: two document paths conflict: %s and %s",
								what, one, two),
						 o == 1 ?
						 errdetail("ValidationException: Invalid %s: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [%s], path two: [%s].",
								   st_expr_dynamo_name(what), dynamo_path_text(first), dynamo_path_text(second)) :
						 errdetail("ValidationException: Invalid %s: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [%s], path two: [%s].",
								   st_expr_dynamo_name(what), dynamo_path_text(first), dynamo_path_text(second))));
			}
		}
	}
	for (int i = 0; i < n; i++)
		res[i] = v[i].owner;
	pfree(v);
	return res;
}

/*
 * An update expression's operand of the wrong type; DynamoDB names the
 * operator (ADD, DELETE: operator) or the function (operator or function).
 */
static void
update_operand_error(const char *op, bool is_function, const char *type)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid update expression: incorrect operand type for %s: %s", op, type),
			 is_function ?
			 errdetail("ValidationException: Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: %s, operand type: %s.",
					   op, type) :
			 errdetail("ValidationException: Invalid UpdateExpression: Incorrect operand type for operator or function; operator: %s, operand type: %s.",
					   op, type),
			 is_function ? 0 :
			 errhint("A set is {\"$SS\": [strings]}, {\"$NS\": [numbers]} or {\"$BS\": [base64 strings]}, never a list.")));
}

/*
 * The value of ADD is a number or a set, of DELETE a set; DynamoDB names
 * the other types in full (STRING, not S).
 */
static void
check_add_delete_value(StxNode *action)
{
	static const char *const codes[] = {"S", "N", "B", "BOOL", "NULL", "L", "M", NULL};
	static const char *const names[] = {"STRING", "NUMBER", "BINARY", "BOOLEAN", "NULL", "LIST", "MAP"};
	const char *type = st_value_type_name(action->args[1]->resolved);
	bool		add = action->kind == STX_ADD;

	if (add && strcmp(type, "N") == 0)
		return;
	for (int i = 0; codes[i]; i++)
		if (strcmp(type, codes[i]) == 0)
			update_operand_error(add ? "ADD" : "DELETE", false, names[i]);
}

/*
 * The operands of the functions and arithmetic of a SET value: if_not_exists
 * and list_append take two, if_not_exists a document path first; a value
 * given to list_append must be a list, to + and - a number.
 */
static void
check_set_value(StxNode *n)
{
	const char *fn;
	const char *want;

	check_stack_depth();
	switch (n->kind)
	{
		case STX_IF_NOT_EXISTS:
			fn = "if_not_exists";
			want = NULL;
			break;
		case STX_LIST_APPEND:
			fn = "list_append";
			want = "L";
			break;
		case STX_PLUS:
		case STX_MINUS:
			fn = n->kind == STX_PLUS ? "+" : "-";
			want = "N";
			break;
		default:
			return;
	}
	if (n->nargs != 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid update expression: function %s takes 2 operands, not %d", fn, n->nargs),
				 errdetail("ValidationException: Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d.",
						   fn, n->nargs)));
	if (n->kind == STX_IF_NOT_EXISTS && n->args[0]->kind != STX_PATH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid update expression: the first operand of if_not_exists must be a document path"),
				 errdetail("ValidationException: Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists.")));
	for (int i = 0; want && i < n->nargs; i++)
	{
		const char *type;

		if (n->args[i]->kind != STX_VALUE)
			continue;
		type = st_value_type_name(n->args[i]->resolved);
		if (strcmp(type, want) != 0)
			update_operand_error(fn, true, type);
	}
	for (int i = 0; i < n->nargs; i++)
		check_set_value(n->args[i]);
}

/*
 * Parse an update expression, checked in DynamoDB's order: the syntax,
 * reserved words, function names and repeated sections (expr_parse.c),
 * placeholders (parse_common), overlapping then conflicting paths, the
 * values of ADD and DELETE, then the operands of the SET functions.
 */
StExpr *
st_parse_update(StExprContext *cx, const char *text)
{
	StExpr	   *e = parse_common(cx, text, STX_MODE_UPDATE, "update");
	StxNode    *root = e->root;
	StxNode   **targets = palloc(sizeof(StxNode *) * (root->nargs + 1));

	for (int i = 0; i < root->nargs; i++)
		targets[i] = root->args[i]->args[0];
	e->by_path = order_paths(targets, root->args, root->nargs, "update");
	pfree(targets);
	for (int i = 0; i < root->nargs; i++)
		if (root->args[i]->kind == STX_ADD || root->args[i]->kind == STX_DELETE)
			check_add_delete_value(root->args[i]);
	for (int i = 0; i < root->nargs; i++)
		if (root->args[i]->kind == STX_SET)
			check_set_value(root->args[i]->args[1]);
	return e;
}

StExpr *
st_parse_projection(StExprContext *cx, const char *text)
{
	StExpr	   *e = parse_common(cx, text, STX_MODE_PROJECTION, "projection");

	e->by_path = order_paths(e->root->args, e->root->args, e->root->nargs, "projection");
	return e;
}

/* Key conditions --------------------------------------------------------- */

/* detail is DynamoDB's message, whole */
static void
key_condition_error(const char *msg, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid key condition expression: %s", msg),
			 errdetail("ValidationException: %s.", detail)));
}

static JsonbValue
key_value(StxNode *v)
{
	JsonbValue *jv = v->resolved;

	if (jv->type != jbvString && jv->type != jbvNumeric && st_tag_of(jv, NULL) != ST_TAG_B)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid key condition expression: value %s must be a string, a number or a binary", v->name),
				 errdetail("ValidationException: One or more parameter values were invalid: Condition parameter type does not match schema type.")));
	return *jv;
}

/* One conjunct of a key condition. */
typedef struct KeyPart
{
	char	   *attr;
	StKeyOp		op;
	JsonbValue	v1;
	JsonbValue	v2;
} KeyPart;

/*
 * The key attribute among the operands of one condition, checked in
 * DynamoDB's order: BETWEEN and begins_with (first_of) name it first, a
 * condition names exactly one attribute, top-level, and its other operands
 * are expression attribute values.
 */
static StxNode *
key_operand_path(StxNode **ops, int nops, const char *first_of)
{
	StxNode    *path = NULL;

	if (first_of && ops[0]->kind != STX_PATH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid key condition expression: the first operand of %s must be a key attribute", first_of),
				 errdetail("ValidationException: Invalid condition in KeyConditionExpression: %s operator must have the key attribute as its first operand.",
						   first_of)));
	for (int i = 0; i < nops; i++)
	{
		StxNode    *o = ops[i];

		if (o->kind == STX_PATH)
		{
			if (path)
				key_condition_error("a condition names more than one attribute",
									"Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
			if (o->nelems != 1)
				key_condition_error("key attributes must be top-level attribute names",
									"KeyConditionExpressions cannot have conditions on nested attributes");
			path = o;
		}
		else if (o->kind != STX_VALUE)
			key_condition_error("operands must be key attributes or values",
								"KeyConditionExpressions cannot contain nested operations");
	}
	if (path == NULL)
		key_condition_error("a condition names no key attribute",
							"Invalid condition in KeyConditionExpression: No key attribute specified");
	return path;
}

static void
invalid_key_operator(const char *op)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid key condition expression: %s is not allowed", op),
			 errdetail("ValidationException: Invalid operator used in KeyConditionExpression: %s.", op),
			 errhint("A key condition is an equality on the partition key, optionally AND one of =, <, <=, >, >=, BETWEEN or begins_with on the sort key; use a filter for the others.")));
}

static void
key_part(StxNode *n, KeyPart *kp)
{
	StxNode    *path;

	memset(kp, 0, sizeof(*kp));
	switch (n->kind)
	{
		case STX_CMP:
			{
				int			op = n->op;

				if (op == STX_NE)
					invalid_key_operator("<>");
				path = key_operand_path(n->args, 2, NULL);
				if (path == n->args[1])
				{
					/* :v < SK is SK > :v */
					op = op == STX_LT ? STX_GT : op == STX_LE ? STX_GE :
						op == STX_GT ? STX_LT : op == STX_GE ? STX_LE : op;
				}
				kp->op = op == STX_EQ ? ST_KEYOP_EQ : op == STX_LT ? ST_KEYOP_LT :
					op == STX_LE ? ST_KEYOP_LE : op == STX_GT ? ST_KEYOP_GT : ST_KEYOP_GE;
				kp->v1 = key_value(path == n->args[0] ? n->args[1] : n->args[0]);
				break;
			}
		case STX_BETWEEN:
			path = key_operand_path(n->args, 3, "BETWEEN");
			kp->op = ST_KEYOP_BETWEEN;
			kp->v1 = key_value(n->args[1]);
			kp->v2 = key_value(n->args[2]);
			break;
		case STX_FUNC:
			if (n->op != STX_FN_BEGINS_WITH)
				invalid_key_operator(stx_func_name(n->op));
			path = key_operand_path(n->args, 2, "begins_with");
			kp->op = ST_KEYOP_BEGINS_WITH;
			kp->v1 = key_value(n->args[1]);
			break;
		case STX_OR:
			invalid_key_operator("OR");
			return;
		case STX_NOT:
			invalid_key_operator("NOT");
			return;
		case STX_IN:
			invalid_key_operator("IN");
			return;
		default:
			key_condition_error("unsupported condition", "Invalid KeyConditionExpression: Unsupported condition");
			return;
	}
	kp->attr = pnstrdup(path->elems[0].resolved, path->elems[0].resolved_len);
}

static void
too_many_key_conditions(const char *msg)
{
	key_condition_error(msg, "KeyConditionExpressions must only contain one condition per key");
}

/*
 * The conditions of a key condition, ANDs flattened, checked one by one in
 * order; only the first two are kept, *nparts counts them all.  An
 * attribute named by an earlier condition (in *seen) is an error where
 * DynamoDB meets it.  The expression's 4 KB bound keeps the look-up in
 * *seen short.
 */
static void
key_parts(StxNode *n, KeyPart *parts, int *nparts, List **seen)
{
	KeyPart		ignored;
	KeyPart    *kp = *nparts < 2 ? &parts[*nparts] : &ignored;
	ListCell   *lc;

	check_stack_depth();
	if (n->kind == STX_AND)
	{
		for (int i = 0; i < n->nargs; i++)
			key_parts(n->args[i], parts, nparts, seen);
		return;
	}
	CHECK_FOR_INTERRUPTS();
	key_part(n, kp);
	foreach(lc, *seen)
	{
		CHECK_FOR_INTERRUPTS();
		if (strcmp((char *) lfirst(lc), kp->attr) == 0)
			too_many_key_conditions(psprintf("two conditions on attribute \"%s\"", kp->attr));
	}
	*seen = lappend(*seen, kp->attr);
	(*nparts)++;
}

/*
 * Parse a Query's key condition.  Which condition is on the partition key
 * needs the table: the equality comes back as pk (the first one written
 * when both are equalities); a lone condition that is not an equality
 * comes back as pk too, with its operator in pk_op, for the caller to
 * report against the key schema as DynamoDB does.
 */
StKeyCondition *
st_parse_query_key_condition(StExprContext *cx, const char *text)
{
	StExpr	   *e = parse_common(cx, text, STX_MODE_CONDITION, "key condition");
	KeyPart		parts[2];
	int			nparts = 0;
	StKeyCondition *kc = palloc0(sizeof(StKeyCondition));
	KeyPart    *pk;
	KeyPart    *sk = NULL;
	List	   *seen = NIL;

	key_parts(e->root, parts, &nparts, &seen);
	if (nparts > 2)
		key_condition_error("a key condition has at most two conditions",
							"Conditions can be of length 1 or 2 only");

	pk = &parts[0];
	if (nparts == 2)
	{
		if (parts[0].op != ST_KEYOP_EQ && parts[1].op == ST_KEYOP_EQ)
			pk = &parts[1], sk = &parts[0];
		else
			sk = &parts[1];
	}
	kc->pk_attr = pk->attr;
	kc->pk_op = pk->op;
	kc->pk_value = pk->v1;
	kc->pk_value2 = pk->v2;
	if (sk != NULL)
	{
		kc->sk_attr = sk->attr;
		kc->sk_op = sk->op;
		kc->sk_value = sk->v1;
		kc->sk_value2 = sk->v2;
	}
	else
		kc->sk_op = ST_KEYOP_NONE;
	return kc;
}

/* A key condition whose partition key condition is an equality. */
StKeyCondition *
st_parse_key_condition(StExprContext *cx, const char *text)
{
	StKeyCondition *kc = st_parse_query_key_condition(cx, text);

	if (kc->pk_op != ST_KEYOP_EQ)
		key_condition_error("the partition key must be compared with =",
							"Invalid KeyConditionExpression: Query key condition not supported; the partition key needs an equality condition");
	return kc;
}

/* Unused placeholders ---------------------------------------------------- */

static int
cmp_cstring_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Is the placeholder s (len bytes) among the n sorted names? */
static bool
name_in_sorted(char **names, int n, const char *s, int len)
{
	int			lo = 0;
	int			hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			ulen = strlen(names[mid]);
		int			c = memcmp(names[mid], s, Min(ulen, len));

		if (c == 0)
			c = ulen < len ? -1 : ulen > len ? 1 : 0;
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void
check_unused_map(Jsonb *map, List *used, const char *param)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	StringInfoData buf;
	bool		any = false;
	int			nused = list_length(used);
	char	  **names;
	ListCell   *lc;
	int			i = 0;

	if (map == NULL)
		return;
	/* the map can be large, the used names are bounded by the expressions */
	names = palloc(sizeof(char *) * (nused + 1));
	foreach(lc, used)
		names[i++] = lfirst(lc);
	if (nused > 1)
		qsort(names, nused, sizeof(char *), cmp_cstring_ptr);
	initStringInfo(&buf);
	it = JsonbIteratorInit(&map->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_KEY)
			continue;
		if (!name_in_sorted(names, nused, v.val.string.val, v.val.string.len))
		{
			if (any)
				appendStringInfoString(&buf, ", ");
			appendBinaryStringInfo(&buf, v.val.string.val, v.val.string.len);
			any = true;
		}
	}
	pfree(names);
	if (any)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unused placeholders in %s: %s", param, buf.data),
				 errdetail("ValidationException: Value provided in %s unused in expressions: keys: {%s}.",
						   param, buf.data)));
}

void
st_expr_check_unused(StExprContext *cx)
{
	check_unused_map(cx->names, cx->used_names, "ExpressionAttributeNames");
	check_unused_map(cx->values, cx->used_values, "ExpressionAttributeValues");
}

/* The index in attrs of the attribute a document path starts with, or -1 */
static int
path_head_attr(StxNode *path, const char *const *attrs, int nattrs)
{
	StxPathElem *head = &path->elems[0];

	for (int i = 0; i < nattrs; i++)
		if (attrs[i] && !head->is_index && head->resolved &&
			strlen(attrs[i]) == head->resolved_len &&
			memcmp(attrs[i], head->resolved, head->resolved_len) == 0)
			return i;
	return -1;
}

/* Which document paths find_path looks for */
typedef enum PathTest
{
	PATH_NAMES,					/* starting with one of attrs */
	PATH_OUTSIDE,				/* starting with none of attrs */
	PATH_INTO					/* going into one of attrs: a.b, a[0] */
} PathTest;

/* The first document path under n that passes test, or NULL */
static StxNode *
find_path(StxNode *n, const char *const *attrs, int nattrs, PathTest test)
{
	check_stack_depth();
	if (n->kind == STX_PATH)
	{
		int			i = path_head_attr(n, attrs, nattrs);

		if (test == PATH_OUTSIDE ? i < 0 : i >= 0 && (test == PATH_NAMES || n->nelems > 1))
			return n;
		return NULL;
	}
	for (int i = 0; i < n->nargs; i++)
	{
		StxNode    *found = find_path(n->args[i], attrs, nattrs, test);

		if (found)
			return found;
	}
	return NULL;
}

/*
 * The first of attrs (nattrs names; NULL entries are skipped) that a
 * document path of a parsed expression starts with, or NULL.  A Query's
 * filter may not name the key attributes of what it reads.
 */
const char *
st_expr_names_attr(StExpr *expr, const char *const *attrs, int nattrs)
{
	StxNode    *path = find_path(expr->root, attrs, nattrs, PATH_NAMES);

	return path ? attrs[path_head_attr(path, attrs, nattrs)] : NULL;
}

/*
 * Does a document path of a parsed expression start with an attribute not
 * among attrs?  Reading a local secondary index, such a projection or
 * filter needs the item from the table.
 */
bool
st_expr_names_other_attr(StExpr *expr, const char *const *attrs, int nattrs)
{
	return find_path(expr->root, attrs, nattrs, PATH_OUTSIDE) != NULL;
}

/*
 * Does a document path of a parsed expression go into attribute attr
 * (attr.b, attr[0])?  DynamoDB refuses such paths into key attributes.
 */
bool
st_expr_path_into_attr(StExpr *expr, const char *attr)
{
	return find_path(expr->root, &attr, 1, PATH_INTO) != NULL;
}

/*
 * DynamoDB refuses a document path into a key attribute (a.b, a[0]) of the
 * table ("Key") or of one of its indexes ("IndexKey"): keys are scalars.
 * The table's keys are looked at first, then the indexes' in name order.
 */
void
st_expr_check_key_paths(StTable *t, StExpr *expr, const char *what)
{
	const char **attrs;
	int			n = 0;
	ListCell   *lc;

	if (expr == NULL)
		return;
	attrs = palloc(sizeof(char *) * (2 + 2 * list_length(t->indexes)));
	attrs[n++] = t->pk_attr;
	attrs[n++] = t->sk_attr;
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);

		attrs[n++] = ix->pk_attr;
		attrs[n++] = ix->sk_attr;
	}
	for (int i = 0; i < n; i++)
	{
		if (attrs[i] == NULL || !st_expr_path_into_attr(expr, attrs[i]))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s cannot name a document path into key attribute \"%s\"", what, attrs[i]),
				 errdetail("ValidationException: Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: %s: %s.",
						   i < 2 ? "Key" : "IndexKey", attrs[i]),
				 errhint("Name the key attribute itself.")));
	}
}
