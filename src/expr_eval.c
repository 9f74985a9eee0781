/*
 * expr_eval.c
 *	  Evaluating conditions and filters over a jsonb item
 *	  (st_eval_condition): comparisons, BETWEEN, IN, AND / OR / NOT, size()
 *	  and the boolean functions (attribute_exists, attribute_type,
 *	  begins_with, contains).
 *
 *	  Leaves to others: parsing and placeholder resolution (expr_prepare.c),
 *	  path look-up and value comparison (expr_value.c), update expressions
 *	  (expr_update.c), projections (expr_project.c), the SQL helpers
 *	  (expr_sql.c).  Depends on expr_value.c only.
 *
 *	  Cost: items can be as large as jsonb allows (singletable.matches()
 *	  takes any jsonb), so every walk over a value is linear or O(n log n)
 *	  and checks for interrupts; recursion follows the expression tree,
 *	  whose depth the parser bounds, and calls check_stack_depth().
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "expr.h"
#include "expr_int.h"
#include "item_types.h"
#include "keys.h"
#include "typedjson.h"

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
				JsonbValue	payload;
				StTag		tag;
				int64		size;

				/* size(path) or size(:value) */
				if (!eval_operand(n->args[0], item, &v))
					return false;
				tag = st_tag_of(&v, &payload);
				if (v.type == jbvString)
					/* characters, as DynamoDB counts them, not bytes */
					size = pg_mbstrlen_with_len(v.val.string.val, v.val.string.len);
				else if (tag == ST_TAG_B)
				{
					/* binary: its bytes */
					int			len;
					char	   *bytes = st_binary_bytes(&payload, &len);

					if (bytes == NULL)
						return false;
					size = len;
					pfree(bytes);
				}
				else if (tag != ST_TAG_NONE)
					size = JsonContainerSize(payload.val.binary.data);	/* members */
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
	StTag		tag;

	if (t->type != jbvString)
		return false;
	s = t->val.string.val;
	len = t->val.string.len;
#define IS(lit) (len == (int) strlen(lit) && memcmp(s, lit, len) == 0)
	if ((tag = st_tag_of(v, NULL)) != ST_TAG_NONE)
		return IS(st_tag_type_code(tag));
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
			return IS("L");
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
	JsonbValue	payload;
	StTag		tag = st_tag_of(hay, &payload);

	if (tag == ST_TAG_SS || tag == ST_TAG_NS || tag == ST_TAG_BS)
	{
		/* a set holds the value: strings, numbers, or binary {"$B": ..} */
		JsonbValue	member;

		if (tag == ST_TAG_BS)
		{
			if (st_tag_of(needle, &member) != ST_TAG_B)
				return false;
		}
		else
			member = *needle;
		return contains_value(&payload, &member);
	}
	if (tag == ST_TAG_B)
	{
		/* a binary holds a binary's bytes */
		JsonbValue	npayload;
		char	   *h;
		char	   *n;
		int			hl;
		int			nl;

		if (st_tag_of(needle, &npayload) != ST_TAG_B)
			return false;
		h = st_binary_bytes(&payload, &hl);
		n = st_binary_bytes(&npayload, &nl);
		return h != NULL && n != NULL && bytes_contain(h, hl, n, nl);
	}
	if (tag != ST_TAG_NONE)
		return false;
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
				st_expr_free_iterators(it);
				return true;
			}
		}
	}
	return false;
}

/* begins_with: a string prefix of a string, or a byte prefix of a binary */
static bool
begins_with(const JsonbValue *a, const JsonbValue *b)
{
	JsonbValue	x;
	JsonbValue	y;
	char	   *ab;
	char	   *bb;
	int			al;
	int			bl;
	bool		r;

	if (a->type == jbvString && b->type == jbvString)
		return a->val.string.len >= b->val.string.len &&
			memcmp(a->val.string.val, b->val.string.val, b->val.string.len) == 0;
	if (st_tag_of(a, &x) != ST_TAG_B || st_tag_of(b, &y) != ST_TAG_B)
		return false;
	ab = st_binary_bytes(&x, &al);
	bb = st_binary_bytes(&y, &bl);
	r = ab != NULL && bb != NULL && al >= bl && memcmp(ab, bb, bl) == 0;
	return r;
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
			/* a missing operand equals nothing: "<>" is true, as in DynamoDB */
			if (!eval_operand(n->args[0], item, &a) || !eval_operand(n->args[1], item, &b))
				return n->op == STX_NE;
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
					return begins_with(&a, &b);
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
