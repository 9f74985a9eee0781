/*
 * expr_eval.c
 *	  The server side of DynamoDB's expression language (see expr.h): the
 *	  request context, the parse wrappers that turn parser errors into
 *	  ereports and resolve #name / :value placeholders, the unused
 *	  placeholder check, condition and filter evaluation, projections, key
 *	  conditions, scalar comparison, and the SQL helpers
 *	  singletable.matches(), singletable.project() and
 *	  singletable.key_condition().
 *
 *	  The parser core is expr_parse.c (no server calls); update expressions
 *	  are applied by expr_update.c.  The mutable JSON values (StMutVal) used
 *	  by projections and updates live here.
 *
 *	  Cost: items and values can be as large as jsonb allows (the SQL
 *	  helpers take any jsonb), so every walk over them is O(n log n) at
 *	  worst and checks for interrupts; expressions are at most 4096 bytes,
 *	  which bounds what is quadratic in the expression alone.  Recursive
 *	  walks call check_stack_depth().
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "expr.h"
#include "expr_int.h"
#include "singletable.h"

/* Parsing --------------------------------------------------------------- */

/* The parser's allocation hook; every node allocates, so it also checks for interrupts. */
static void *
expr_palloc(void *arg, size_t size)
{
	CHECK_FOR_INTERRUPTS();
	return palloc(size);
}

/* DynamoDB's parameter name for an expression kind, for messages. */
const char *
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
				 errdetail("ValidationException: Invalid %s: The expression can not be empty.", dyn)));
	if (err->position == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invalid %s expression: %s", what, err->message),
				 errdetail("ValidationException: Invalid %s: %s.", dyn, msg)));
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

static bool
valid_attribute_type(const char *s, int len)
{
	static const char *const types[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"};

	for (int i = 0; i < (int) lengthof(types); i++)
		if ((int) strlen(types[i]) == len && memcmp(types[i], s, len) == 0)
			return true;
	return false;
}

/*
 * Resolve placeholders in a tree: #names get their attribute names, :values
 * their JsonbValues; each marks its placeholder used.  Also the checks that
 * need the values: attribute_type's type, begins_with's operand, BETWEEN's
 * bounds.
 */
static void
resolve_node(StExprContext *cx, StxNode *n, const char *what)
{
	check_stack_depth();
	if (n->kind == STX_PATH)
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
						 errdetail("ValidationException: An expression attribute name used in the document path is not defined; attribute name: %s.",
								   e->name)));
			/* st_expr_context_init checked that it is a non-empty string */
			e->resolved = v.val.string.val;
			e->resolved_len = v.val.string.len;
			mark_used(&cx->used_names, e->name);
		}
		return;
	}
	if (n->kind == STX_VALUE)
	{
		JsonbValue *v = palloc(sizeof(JsonbValue));

		if (cx->values == NULL ||
			getKeyJsonValueFromContainer(&cx->values->root, n->name, strlen(n->name), v) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s expression: expression attribute value \"%s\" is not defined",
							what, n->name),
					 errdetail("ValidationException: An expression attribute value used in expression is not defined; attribute value: %s.",
							   n->name)));
		n->resolved = v;
		mark_used(&cx->used_values, n->name);
		return;
	}
	for (int i = 0; i < n->nargs; i++)
		resolve_node(cx, n->args[i], what);

	if (n->kind == STX_FUNC && n->op == STX_FN_ATTRIBUTE_TYPE &&
		n->args[1]->kind == STX_VALUE)
	{
		JsonbValue *t = n->args[1]->resolved;

		if (t->type != jbvString || !valid_attribute_type(t->val.string.val, t->val.string.len))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s expression: invalid type for attribute_type", what),
					 errdetail("ValidationException: Invalid %s: Invalid attribute type name found; type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}.",
							   st_expr_dynamo_name(what),
							   t->type == jbvString ? pnstrdup(t->val.string.val, t->val.string.len) : st_value_type_name(t))));
	}
	if (n->kind == STX_FUNC && (n->op == STX_FN_BEGINS_WITH) &&
		n->args[1]->kind == STX_VALUE)
	{
		JsonbValue *t = n->args[1]->resolved;

		if (t->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s expression: begins_with needs a string operand", what),
					 errdetail("ValidationException: Invalid %s: Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s.",
							   st_expr_dynamo_name(what), st_value_type_name(t))));
	}
	if (n->kind == STX_BETWEEN && n->args[1]->kind == STX_VALUE && n->args[2]->kind == STX_VALUE)
	{
		bool		comparable;
		int			c = st_compare_scalars(n->args[1]->resolved, n->args[2]->resolved, &comparable);

		if (comparable && c > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s expression: the lower bound of BETWEEN is greater than the upper bound",
							what),
					 errdetail("ValidationException: Invalid %s: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower operand: %s, upper operand: %s.",
							   st_expr_dynamo_name(what), n->args[1]->name, n->args[2]->name)));
	}
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
				 errdetail("ValidationException: Invalid %s: The expression can not be empty.",
						   st_expr_dynamo_name(what))));
	root = stx_parse(text, strlen(text), mode, expr_palloc, NULL, &err);
	if (root == NULL)
		report_parse_error(what, text, &err);
	resolve_node(cx, root, what);
	e = palloc0(sizeof(StExpr));
	e->root = root;
	e->mode = mode;
	e->what = what;
	return e;
}

static void
check_name_map(Jsonb *map, char sigil, const char *param)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (!JB_ROOT_IS_OBJECT(map) || JB_ROOT_IS_SCALAR(map))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", param),
				 errdetail("ValidationException: %s must be a map of placeholders to %s.",
						   param, sigil == '#' ? "attribute names" : "values")));
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
		check_name_map(names, '#', "ExpressionAttributeNames");
	if (values != NULL)
		check_name_map(values, ':', "ExpressionAttributeValues");
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
int
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
	for (int i = 1; i < n; i++)
	{
		PathAt	   *x = &v[i - 1];
		PathAt	   *y = &v[i];
		int			o = paths_overlap(x->path, y->path);

		if (o != 0)
		{
			char	   *one = st_expr_path_text(x->at < y->at ? x->path : y->path);
			char	   *two = st_expr_path_text(x->at < y->at ? y->path : x->path);

			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s expression: two document paths %s: %s and %s", what,
							o == 1 ? "overlap" : "conflict", one, two),
					 errdetail("ValidationException: Invalid %s: Two document paths %s with each other; must remove or rewrite one of these paths; path one: [%s], path two: [%s].",
							   st_expr_dynamo_name(what),
							   o == 1 ? "overlap" : "conflict", one, two)));
		}
	}
	for (int i = 0; i < n; i++)
		res[i] = v[i].owner;
	pfree(v);
	return res;
}

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

static void
key_condition_error(const char *msg, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid key condition expression: %s", msg),
			 errdetail("ValidationException: Invalid KeyConditionExpression: %s.", detail)));
}

static char *
key_attr_name(StxNode *path)
{
	if (path->nelems != 1)
		key_condition_error("key attributes must be top-level attribute names",
							"Key attributes must be top-level attributes, not document paths");
	return pnstrdup(path->elems[0].resolved, path->elems[0].resolved_len);
}

static JsonbValue
key_value(StxNode *v)
{
	JsonbValue *jv = v->resolved;

	if (jv->type != jbvString && jv->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid key condition expression: value %s must be a string or a number", v->name),
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

static void
key_part(StxNode *n, KeyPart *kp)
{
	memset(kp, 0, sizeof(*kp));
	switch (n->kind)
	{
		case STX_CMP:
			{
				StxNode    *path = n->args[0];
				StxNode    *val = n->args[1];
				int			op = n->op;

				if (op == STX_NE)
					key_condition_error("operator <> is not allowed",
										"Unsupported operator in KeyConditionExpression: <>");
				if (path->kind == STX_VALUE && val->kind == STX_PATH)
				{
					/* :v < SK is SK > :v */
					StxNode    *t = path;

					path = val;
					val = t;
					op = op == STX_LT ? STX_GT : op == STX_LE ? STX_GE :
						op == STX_GT ? STX_LT : op == STX_GE ? STX_LE : op;
				}
				if (path->kind != STX_PATH || val->kind != STX_VALUE)
					key_condition_error("a comparison must be between a key attribute and a value",
										"Each condition must compare a key attribute with an expression attribute value");
				kp->attr = key_attr_name(path);
				kp->op = op == STX_EQ ? ST_KEYOP_EQ : op == STX_LT ? ST_KEYOP_LT :
					op == STX_LE ? ST_KEYOP_LE : op == STX_GT ? ST_KEYOP_GT : ST_KEYOP_GE;
				kp->v1 = key_value(val);
				return;
			}
		case STX_BETWEEN:
			if (n->args[0]->kind != STX_PATH || n->args[1]->kind != STX_VALUE ||
				n->args[2]->kind != STX_VALUE)
				key_condition_error("BETWEEN must be between a key attribute and two values",
									"BETWEEN must compare a key attribute with two expression attribute values");
			kp->attr = key_attr_name(n->args[0]);
			kp->op = ST_KEYOP_BETWEEN;
			kp->v1 = key_value(n->args[1]);
			kp->v2 = key_value(n->args[2]);
			return;
		case STX_FUNC:
			if (n->op != STX_FN_BEGINS_WITH)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid key condition expression: function %s is not allowed",
								stx_func_name(n->op)),
						 errdetail("ValidationException: Invalid KeyConditionExpression: The function is not allowed in a key condition expression; function: %s.",
								   stx_func_name(n->op)),
						 errhint("Only begins_with is allowed, on the sort key; use a filter for the others.")));
			if (n->args[1]->kind != STX_VALUE)
				key_condition_error("the operand of begins_with must be a value",
									"The second argument of begins_with must be an expression attribute value");
			kp->attr = key_attr_name(n->args[0]);
			kp->op = ST_KEYOP_BEGINS_WITH;
			kp->v1 = key_value(n->args[1]);
			return;
		case STX_OR:
			key_condition_error("operator OR is not allowed",
								"Unsupported operator in KeyConditionExpression: OR");
			break;
		case STX_NOT:
			key_condition_error("operator NOT is not allowed",
								"Unsupported operator in KeyConditionExpression: NOT");
			break;
		case STX_IN:
			key_condition_error("operator IN is not allowed",
								"Unsupported operator in KeyConditionExpression: IN");
			break;
		case STX_AND:
			key_condition_error("a key condition has at most two conditions",
								"KeyConditionExpressions must only contain one condition per key");
			break;
		default:
			key_condition_error("unsupported condition", "Unsupported condition");
	}
}

StKeyCondition *
st_parse_key_condition(StExprContext *cx, const char *text)
{
	StExpr	   *e = parse_common(cx, text, STX_MODE_CONDITION, "key condition");
	StxNode    *root = e->root;
	KeyPart		parts[2];
	int			nparts;
	StKeyCondition *kc = palloc0(sizeof(StKeyCondition));
	KeyPart    *pk;
	KeyPart    *sk = NULL;

	if (root->kind == STX_AND)
	{
		if (root->nargs > 2)
			key_condition_error("a key condition has at most two conditions",
								"KeyConditionExpressions must only contain one condition per key");
		key_part(root->args[0], &parts[0]);
		key_part(root->args[1], &parts[1]);
		nparts = 2;
	}
	else
	{
		key_part(root, &parts[0]);
		nparts = 1;
	}

	if (nparts == 1)
	{
		if (parts[0].op != ST_KEYOP_EQ)
			key_condition_error("the partition key must be compared with =",
								"Query key condition not supported; the partition key needs an equality condition");
		pk = &parts[0];
	}
	else
	{
		if (strcmp(parts[0].attr, parts[1].attr) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid key condition expression: two conditions on attribute \"%s\"",
							parts[0].attr),
					 errdetail("ValidationException: KeyConditionExpressions must only contain one condition per key.")));
		if (parts[0].op == ST_KEYOP_EQ)
			pk = &parts[0], sk = &parts[1];
		else if (parts[1].op == ST_KEYOP_EQ)
			pk = &parts[1], sk = &parts[0];
		else
		{
			key_condition_error("the partition key must be compared with =",
								"Query key condition not supported; the partition key needs an equality condition");
			pk = NULL;			/* not reached */
		}
	}
	kc->pk_attr = pk->attr;
	kc->pk_value = pk->v1;
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

/* Evaluation ------------------------------------------------------------- */

/*
 * Look up a document path in an item.  Returns false when any step is
 * missing or of the wrong type.  Scalars point into the item (no copy).
 */
bool
st_expr_path_lookup(Jsonb *item, StxNode *path, JsonbValue *out)
{
	JsonbContainer *c;

	if (item == NULL || !JB_ROOT_IS_OBJECT(item))
		return false;
	c = &item->root;
	for (int i = 0; i < path->nelems; i++)
	{
		StxPathElem *e = &path->elems[i];

		if (i > 0)
		{
			if (out->type != jbvBinary)
				return false;
			c = out->val.binary.data;
		}
		if (e->is_index)
		{
			JsonbValue *v;

			if (!JsonContainerIsArray(c))
				return false;
			v = getIthJsonbValueFromContainer(c, e->index);
			if (v == NULL)
				return false;
			*out = *v;
			pfree(v);
		}
		else
		{
			if (!JsonContainerIsObject(c))
				return false;
			if (getKeyJsonValueFromContainer(c, e->resolved, e->resolved_len, out) == NULL)
				return false;
		}
	}
	return true;
}

int
st_compare_scalars(const JsonbValue *a, const JsonbValue *b, bool *comparable)
{
	*comparable = false;
	if (a->type != b->type)
		return 0;
	if (a->type == jbvString)
	{
		int			n = Min(a->val.string.len, b->val.string.len);
		int			c = memcmp(a->val.string.val, b->val.string.val, n);

		*comparable = true;
		if (c != 0)
			return c < 0 ? -1 : 1;
		return a->val.string.len < b->val.string.len ? -1 :
			a->val.string.len > b->val.string.len ? 1 : 0;
	}
	if (a->type == jbvNumeric)
	{
		*comparable = true;
		return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
												 NumericGetDatum(a->val.numeric),
												 NumericGetDatum(b->val.numeric)));
	}
	return 0;
}

static void
free_iterators(JsonbIterator *it)
{
	while (it != NULL)
	{
		JsonbIterator *parent = it->parent;

		pfree(it);
		it = parent;
	}
}

/*
 * Deep equality of two containers: both are walked side by side, without
 * recursion however deep they nest, in time linear in the smaller one
 * (jsonb keeps object keys in one canonical order, so equal maps yield the
 * same keys in the same order).
 */
static bool
containers_equal(JsonbContainer *x, JsonbContainer *y)
{
	JsonbIterator *ix;
	JsonbIterator *iy;
	bool		equal = true;

	if (JsonContainerIsArray(x) != JsonContainerIsArray(y) ||
		JsonContainerSize(x) != JsonContainerSize(y))
		return false;
	ix = JsonbIteratorInit(x);
	iy = JsonbIteratorInit(y);
	while (equal)
	{
		JsonbValue	a;
		JsonbValue	b;
		JsonbIteratorToken ta = JsonbIteratorNext(&ix, &a, false);
		JsonbIteratorToken tb = JsonbIteratorNext(&iy, &b, false);

		CHECK_FOR_INTERRUPTS();
		if (ta != tb)
			equal = false;
		else if (ta == WJB_DONE)
			break;
		else if (ta == WJB_BEGIN_ARRAY)
			equal = a.val.array.nElems == b.val.array.nElems &&
				a.val.array.rawScalar == b.val.array.rawScalar;
		else if (ta == WJB_BEGIN_OBJECT)
			equal = a.val.object.nPairs == b.val.object.nPairs;
		else if (ta == WJB_KEY || ta == WJB_VALUE || ta == WJB_ELEM)
			equal = st_expr_values_equal(&a, &b);	/* scalars here */
	}
	free_iterators(ix);
	free_iterators(iy);
	return equal;
}

/* Deep equality with DynamoDB's rules (numbers numerically). */
bool
st_expr_values_equal(const JsonbValue *a, const JsonbValue *b)
{
	bool		comparable;

	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case jbvString:
		case jbvNumeric:
			return st_compare_scalars(a, b, &comparable) == 0 && comparable;
		case jbvBool:
			return a->val.boolean == b->val.boolean;
		case jbvNull:
			return true;
		case jbvBinary:
			return containers_equal(a->val.binary.data, b->val.binary.data);
		default:
			return false;
	}
}

static bool
compare_values(const JsonbValue *a, const JsonbValue *b, int op)
{
	bool		comparable;
	int			c;

	if (op == STX_EQ)
		return st_expr_values_equal(a, b);
	if (op == STX_NE)
		return !st_expr_values_equal(a, b);
	c = st_compare_scalars(a, b, &comparable);
	if (!comparable)
		return false;
	switch (op)
	{
		case STX_LT:
			return c < 0;
		case STX_LE:
			return c <= 0;
		case STX_GT:
			return c > 0;
		case STX_GE:
			return c >= 0;
	}
	return false;
}

/* Evaluate an operand; false when it has no value (missing attribute). */
static bool
eval_operand(StxNode *n, Jsonb *item, JsonbValue *out)
{
	switch (n->kind)
	{
		case STX_PATH:
			return st_expr_path_lookup(item, n, out);
		case STX_VALUE:
			*out = *(JsonbValue *) n->resolved;
			return true;
		case STX_SIZE:
			{
				JsonbValue	v;
				int64		size;

				if (!st_expr_path_lookup(item, n->args[0], &v))
					return false;
				if (v.type == jbvString)
					size = v.val.string.len;
				else if (v.type == jbvBinary)
					size = JsonContainerSize(v.val.binary.data);
				else
					return false;	/* size of a number, boolean or null */
				out->type = jbvNumeric;
				out->val.numeric = int64_to_numeric(size);
				return true;
			}
		default:
			elog(ERROR, "unexpected expression node %d in operand", (int) n->kind);
	}
	return false;
}

static bool
attribute_type_matches(const JsonbValue *v, const JsonbValue *t)
{
	const char *s;
	int			len;

	if (t->type != jbvString)
		return false;
	s = t->val.string.val;
	len = t->val.string.len;
#define IS(lit) (len == (int) strlen(lit) && memcmp(s, lit, len) == 0)
	switch (v->type)
	{
		case jbvString:
			return IS("S");
		case jbvNumeric:
			return IS("N");
		case jbvBool:
			return IS("BOOL");
		case jbvNull:
			return IS("NULL");
		case jbvBinary:
			if (JsonContainerIsObject(v->val.binary.data))
				return IS("M");
			if (IS("L"))
				return true;
			if (IS("SS") || IS("NS"))
			{
				/* a non-empty array of strings (numbers) passes for a set */
				enum jbvType want = IS("SS") ? jbvString : jbvNumeric;
				JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
				JsonbValue	e;
				JsonbIteratorToken tok;
				int			n = 0;

				while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
				{
					CHECK_FOR_INTERRUPTS();
					if (tok != WJB_ELEM)
						continue;
					if (e.type != want)
						return false;
					n++;
				}
				return n > 0;
			}
			return false;
		default:
			return false;
	}
#undef IS
}

/* Check for interrupts once per this many bytes of a byte loop. */
#define BYTES_PER_INTERRUPT_CHECK 65536

/*
 * Does h (hl bytes) contain n (nl bytes)?  Knuth-Morris-Pratt: linear in
 * hl + nl whatever the bytes, where trying each offset in turn is
 * quadratic on inputs such as "aaa...a" and "aa...ab".
 */
static bool
bytes_contain(const char *h, int hl, const char *n, int nl)
{
	int		   *border;			/* border[i]: longest proper border of n[0..i] */
	int			k = 0;
	bool		found = false;

	if (nl == 0)
		return true;
	if (nl > hl)
		return false;
	if (nl == 1)
		return memchr(h, n[0], hl) != NULL;
	border = palloc(sizeof(int) * nl);
	border[0] = 0;
	for (int i = 1; i < nl; i++)
	{
		if (i % BYTES_PER_INTERRUPT_CHECK == 0)
			CHECK_FOR_INTERRUPTS();
		while (k > 0 && n[i] != n[k])
			k = border[k - 1];
		if (n[i] == n[k])
			k++;
		border[i] = k;
	}
	k = 0;
	for (int i = 0; i < hl && !found; i++)
	{
		if (i % BYTES_PER_INTERRUPT_CHECK == 0)
			CHECK_FOR_INTERRUPTS();
		while (k > 0 && h[i] != n[k])
			k = border[k - 1];
		if (h[i] == n[k] && ++k == nl)
			found = true;
	}
	pfree(border);
	return found;
}

static bool
contains_value(const JsonbValue *hay, const JsonbValue *needle)
{
	if (hay->type == jbvString)
		return needle->type == jbvString &&
			bytes_contain(hay->val.string.val, hay->val.string.len,
						  needle->val.string.val, needle->val.string.len);
	if (hay->type == jbvBinary && JsonContainerIsArray(hay->val.binary.data))
	{
		JsonbIterator *it = JsonbIteratorInit(hay->val.binary.data);
		JsonbValue	e;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
		{
			CHECK_FOR_INTERRUPTS();
			if (tok == WJB_ELEM && st_expr_values_equal(&e, needle))
			{
				free_iterators(it);
				return true;
			}
		}
	}
	return false;
}

static bool
eval_node(StxNode *n, Jsonb *item)
{
	JsonbValue	a;
	JsonbValue	b;
	JsonbValue	c;

	check_stack_depth();
	switch (n->kind)
	{
		case STX_AND:
			for (int i = 0; i < n->nargs; i++)
				if (!eval_node(n->args[i], item))
					return false;
			return true;
		case STX_OR:
			for (int i = 0; i < n->nargs; i++)
				if (eval_node(n->args[i], item))
					return true;
			return false;
		case STX_NOT:
			return !eval_node(n->args[0], item);
		case STX_CMP:
			if (!eval_operand(n->args[0], item, &a) || !eval_operand(n->args[1], item, &b))
				return false;
			return compare_values(&a, &b, n->op);
		case STX_BETWEEN:
			if (!eval_operand(n->args[0], item, &a) || !eval_operand(n->args[1], item, &b) ||
				!eval_operand(n->args[2], item, &c))
				return false;
			return compare_values(&a, &b, STX_GE) && compare_values(&a, &c, STX_LE);
		case STX_IN:
			if (!eval_operand(n->args[0], item, &a))
				return false;
			for (int i = 1; i < n->nargs; i++)
				if (eval_operand(n->args[i], item, &b) && st_expr_values_equal(&a, &b))
					return true;
			return false;
		case STX_FUNC:
			switch (n->op)
			{
				case STX_FN_ATTRIBUTE_EXISTS:
					return st_expr_path_lookup(item, n->args[0], &a);
				case STX_FN_ATTRIBUTE_NOT_EXISTS:
					return !st_expr_path_lookup(item, n->args[0], &a);
				case STX_FN_ATTRIBUTE_TYPE:
					if (!eval_operand(n->args[0], item, &a) || !eval_operand(n->args[1], item, &b))
						return false;
					return attribute_type_matches(&a, &b);
				case STX_FN_BEGINS_WITH:
					if (!eval_operand(n->args[0], item, &a) || !eval_operand(n->args[1], item, &b))
						return false;
					return a.type == jbvString && b.type == jbvString &&
						a.val.string.len >= b.val.string.len &&
						memcmp(a.val.string.val, b.val.string.val, b.val.string.len) == 0;
				case STX_FN_CONTAINS:
					if (!eval_operand(n->args[0], item, &a) || !eval_operand(n->args[1], item, &b))
						return false;
					return contains_value(&a, &b);
			}
			break;
		default:
			break;
	}
	elog(ERROR, "unexpected expression node %d in condition", (int) n->kind);
	return false;
}

bool
st_eval_condition(StExprContext *cx, StExpr *cond, Jsonb *item)
{
	Assert(cond->mode == STX_MODE_CONDITION);
	return eval_node(cond->root, item);
}

/* Mutable values --------------------------------------------------------- */

StMutVal *
st_mv_new(StMutKind kind)
{
	StMutVal   *mv = palloc0(sizeof(StMutVal));

	mv->kind = kind;
	return mv;
}

StMutVal *
st_mv_value(const JsonbValue *v)
{
	StMutVal   *mv = st_mv_new(MV_VALUE);

	mv->v = *v;
	return mv;
}

/* Add a child at the end: key for an object, source index idx for an array. */
static void
mv_add_child(StMutVal *mv, const char *key, int keylen, int idx, StMutVal *child)
{
	if (mv->n == mv->cap)
	{
		mv->cap = mv->cap ? mv->cap * 2 : 8;
		if (mv->vals == NULL)
		{
			mv->vals = palloc(sizeof(StMutVal *) * mv->cap);
			mv->keys = palloc(sizeof(char *) * mv->cap);
			mv->keylens = palloc(sizeof(int) * mv->cap);
			mv->idx = palloc(sizeof(int) * mv->cap);
		}
		else
		{
			mv->vals = repalloc(mv->vals, sizeof(StMutVal *) * mv->cap);
			mv->keys = repalloc(mv->keys, sizeof(char *) * mv->cap);
			mv->keylens = repalloc(mv->keylens, sizeof(int) * mv->cap);
			mv->idx = repalloc(mv->idx, sizeof(int) * mv->cap);
		}
	}
	mv->keys[mv->n] = key;
	mv->keylens[mv->n] = keylen;
	mv->idx[mv->n] = idx;
	mv->vals[mv->n] = child;
	mv->n++;
}

/*
 * Turn an MV_VALUE holding a container into MV_OBJECT / MV_ARRAY whose
 * children are MV_VALUEs.  Returns false for scalars; true when mv is (now)
 * expanded.
 */
bool
st_mv_expand(StMutVal *mv)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	const char *key = NULL;
	int			keylen = 0;

	if (mv->kind != MV_VALUE)
		return true;
	if (mv->v.type != jbvBinary)
		return false;
	mv->kind = JsonContainerIsArray(mv->v.val.binary.data) ? MV_ARRAY : MV_OBJECT;
	it = JsonbIteratorInit(mv->v.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
		{
			key = v.val.string.val;
			keylen = v.val.string.len;
		}
		else if (tok == WJB_VALUE || tok == WJB_ELEM)
			mv_add_child(mv, key, keylen, mv->n, st_mv_value(&v));
	}
	/* a jsonb object yields its keys in its own sorted order */
	if (mv->kind == MV_OBJECT)
		mv->nsorted = mv->n;
	return true;
}

/* jsonb's order of object keys: shorter first, then by bytes */
static int
key_cmp(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

/* Added keys up to this many are found by a scan, more through tail_hash. */
#define MV_TAIL_SCAN 8

static uint32
key_hash(StMutVal *obj, const char *key, int keylen)
{
	return hash_bytes((const unsigned char *) key, keylen) & (obj->tail_hash_size - 1);
}

static void
tail_hash_insert(StMutVal *obj, int pos)
{
	uint32		h = key_hash(obj, obj->keys[pos], obj->keylens[pos]);

	while (obj->tail_hash[h] != 0)
		h = (h + 1) & (obj->tail_hash_size - 1);
	obj->tail_hash[h] = pos + 1;
}

/* Hash the keys added to obj, in a table of size slots (a power of two). */
static void
tail_hash_build(StMutVal *obj, int size)
{
	if (obj->tail_hash)
		pfree(obj->tail_hash);
	obj->tail_hash = palloc0(sizeof(int) * size);
	obj->tail_hash_size = size;
	for (int i = obj->nsorted; i < obj->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		tail_hash_insert(obj, i);
	}
}

/*
 * Position of a (not removed) key of an object, or -1: a binary search of
 * the children in jsonb order, then the ones added since.
 */
int
st_mv_find_key(StMutVal *obj, const char *key, int keylen)
{
	int			lo = 0;
	int			hi = obj->nsorted;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = key_cmp(obj->keys[mid], obj->keylens[mid], key, keylen);

		if (c == 0)
		{
			if (obj->vals[mid] != NULL)
				return mid;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (obj->tail_hash != NULL)
	{
		for (uint32 h = key_hash(obj, key, keylen); obj->tail_hash[h] != 0;
			 h = (h + 1) & (obj->tail_hash_size - 1))
		{
			int			i = obj->tail_hash[h] - 1;

			if (obj->vals[i] != NULL && key_cmp(obj->keys[i], obj->keylens[i], key, keylen) == 0)
				return i;
		}
		return -1;
	}
	for (int i = obj->nsorted; i < obj->n; i++)
		if (obj->vals[i] != NULL && key_cmp(obj->keys[i], obj->keylens[i], key, keylen) == 0)
			return i;
	return -1;
}

void
st_mv_set_key(StMutVal *obj, const char *key, int keylen, StMutVal *child)
{
	int			i = st_mv_find_key(obj, key, keylen);
	int			added;

	if (i >= 0)
	{
		obj->vals[i] = child;
		return;
	}
	mv_add_child(obj, key, keylen, obj->n, child);
	added = obj->n - obj->nsorted;
	if (added <= MV_TAIL_SCAN)
		return;
	/* keep the table at most half full */
	if (added * 2 > obj->tail_hash_size)
		tail_hash_build(obj, pg_nextpower2_32(added * 4));
	else
		tail_hash_insert(obj, obj->n - 1);
}

/*
 * Remove child i of an object or array.  It is left as a hole (see StMutVal),
 * so the other children keep their positions.
 */
void
st_mv_remove_at(StMutVal *mv, int i)
{
	mv->vals[i] = NULL;
}

/* Append to an array; idx is the source index kept for projections. */
void
st_mv_append(StMutVal *arr, StMutVal *child, int idx)
{
	mv_add_child(arr, NULL, 0, idx, child);
}

static JsonbValue *
mv_push(JsonbParseState **st, StMutVal *mv, JsonbIteratorToken seq)
{
	check_stack_depth();
	if (mv->kind == MV_VALUE)
	{
		if (seq == WJB_BEGIN_OBJECT)
		{
			/* the root, still untouched: copy it through */
			JsonbIterator *it = JsonbIteratorInit(mv->v.val.binary.data);
			JsonbValue	v;
			JsonbIteratorToken tok;
			JsonbValue *res = NULL;

			while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
			{
				CHECK_FOR_INTERRUPTS();
				res = pushJsonbValue(st, tok, tok < WJB_BEGIN_ARRAY ? &v : NULL);
			}
			return res;
		}
		return pushJsonbValue(st, seq, &mv->v);
	}
	pushJsonbValue(st, mv->kind == MV_OBJECT ? WJB_BEGIN_OBJECT : WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < mv->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (mv->vals[i] == NULL)
			continue;			/* removed */
		if (mv->kind == MV_OBJECT)
		{
			JsonbValue	k;

			k.type = jbvString;
			k.val.string.val = (char *) mv->keys[i];
			k.val.string.len = mv->keylens[i];
			pushJsonbValue(st, WJB_KEY, &k);
			mv_push(st, mv->vals[i], WJB_VALUE);
		}
		else
			mv_push(st, mv->vals[i], WJB_ELEM);
	}
	return pushJsonbValue(st, mv->kind == MV_OBJECT ? WJB_END_OBJECT : WJB_END_ARRAY, NULL);
}

/* Serialize a mutable object (the root of an item) to jsonb. */
Jsonb *
st_mv_to_jsonb(StMutVal *mv)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;

	if (mv->kind == MV_VALUE && mv->v.type != jbvBinary)
		return JsonbValueToJsonb(&mv->v);
	res = mv_push(&st, mv, WJB_BEGIN_OBJECT);
	return JsonbValueToJsonb(res);
}

/* Projections ------------------------------------------------------------ */

/*
 * The child of node for path element e, added (as a new node of the given
 * kind, or as leaf for the last element) unless the previous path took the
 * same step.  The paths come ordered by st_expr_path_cmp, so a step taken
 * before is always the last child added: nothing is searched, and list
 * elements come out in index order.
 */
static StMutVal *
proj_step(StMutVal *node, StxPathElem *e, StMutKind kind, StMutVal *leaf)
{
	int			last = node->n - 1;
	StMutVal   *child;

	if (last >= 0 &&
		(e->is_index ? node->idx[last] == e->index :
		 key_cmp(node->keys[last], node->keylens[last], e->resolved, e->resolved_len) == 0))
		return node->vals[last];
	child = leaf ? leaf : st_mv_new(kind);
	if (e->is_index)
		mv_add_child(node, NULL, 0, e->index, child);
	else
		mv_add_child(node, e->resolved, e->resolved_len, node->n, child);
	return child;
}

Jsonb *
st_apply_projection(StExprContext *cx, StExpr *projection, Jsonb *item)
{
	StxNode    *root = projection->root;
	StMutVal   *out = st_mv_new(MV_OBJECT);

	Assert(projection->mode == STX_MODE_PROJECTION);
	if (item == NULL)
		return NULL;
	for (int p = 0; p < root->nargs; p++)
	{
		StxNode    *path = projection->by_path[p];
		JsonbValue	v;
		StMutVal   *node = out;

		CHECK_FOR_INTERRUPTS();
		if (!st_expr_path_lookup(item, path, &v))
			continue;
		for (int i = 0; i < path->nelems; i++)
		{
			bool		last = (i == path->nelems - 1);
			StMutKind	kind = (!last && path->elems[i + 1].is_index) ? MV_ARRAY : MV_OBJECT;

			node = proj_step(node, &path->elems[i], kind, last ? st_mv_value(&v) : NULL);
		}
	}
	return st_mv_to_jsonb(out);
}

Jsonb *
st_project_top_level(Jsonb *item, List *attrs)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;
	ListCell   *lc;

	if (item == NULL)
		return NULL;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foreach(lc, attrs)
	{
		char	   *name = lfirst(lc);
		JsonbValue	k;
		JsonbValue	v;

		if (!JB_ROOT_IS_OBJECT(item) ||
			getKeyJsonValueFromContainer(&item->root, name, strlen(name), &v) == NULL)
			continue;
		k.type = jbvString;
		k.val.string.val = name;
		k.val.string.len = strlen(name);
		pushJsonbValue(&st, WJB_KEY, &k);
		pushJsonbValue(&st, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

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

StExpr *
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

PG_FUNCTION_INFO_V1(st_sql_matches);
PG_FUNCTION_INFO_V1(st_sql_project);

/*
 * singletable.matches(item, condition, names, values) -> boolean
 * A NULL item is "no such item" (attribute_not_exists is true).
 */
Datum
st_sql_matches(PG_FUNCTION_ARGS)
{
	Jsonb	   *item = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);
	Jsonb	   *names = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	Jsonb	   *values = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	StExprContext *cx;
	StExpr	   *cond;

	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	cond = st_expr_cached_parse(fcinfo, STX_MODE_CONDITION, PG_GETARG_TEXT_PP(1),
								names, values, &cx);
	PG_RETURN_BOOL(st_eval_condition(cx, cond, item));
}

/* singletable.project(item, projection, names) -> jsonb */
Datum
st_sql_project(PG_FUNCTION_ARGS)
{
	Jsonb	   *names = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
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
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(st, WJB_KEY, &k);
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
	Jsonb	   *names = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	Jsonb	   *values = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
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
