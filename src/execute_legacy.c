/*
 * execute_legacy.c
 *	  The legacy parameters that code ported from DynamoDB's older API still
 *	  sends to execute() (KeyConditions, QueryFilter, ScanFilter, Expected
 *	  with ConditionalOperator, AttributesToGet, AttributeUpdates), rewritten
 *	  into condition, projection and update expressions with placeholders of
 *	  their own (#lgN, :lgN), which the same evaluator then runs.  As in
 *	  DynamoDB, a request cannot mix them with the expression parameters.
 *
 *	  Malformed legacy parameters raise ValidationException (22023) naming
 *	  the field by its path in the request.  This file only rewrites: it
 *	  reads no table and runs no operation (execute.c does, see execute.h).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "execute.h"
#include "expr.h"
#include "request.h"
#include "typedjson.h"

/* Start the placeholders of one request. */
void
st_legacy_init(StLegacy *lg)
{
	memset(lg, 0, sizeof(StLegacy));
	pushJsonbValue(&lg->names, WJB_BEGIN_OBJECT, NULL);
	pushJsonbValue(&lg->values, WJB_BEGIN_OBJECT, NULL);
}

/*
 * A new placeholder (#lgN or :lgN) as the next key of state; the caller
 * pushes the name or value it stands for.
 */
static char *
legacy_placeholder(StLegacy *lg, JsonbParseState **state, char sigil)
{
	char	   *ph = psprintf("%clg%d", sigil, lg->n++);

	st_push_key(state, ph);
	lg->used = true;
	return ph;
}

static char *
legacy_name(StLegacy *lg, const char *attr)
{
	char	   *ph = legacy_placeholder(lg, &lg->names, '#');

	st_push_string(&lg->names, WJB_VALUE, attr);
	return ph;
}

static char *
legacy_value(StLegacy *lg, JsonbValue *typed)
{
	char	   *ph = legacy_placeholder(lg, &lg->values, ':');

	pushJsonbValue(&lg->values, WJB_VALUE, typed);
	return ph;
}

/* Add the members of a request's placeholder map to ours being built. */
static void
legacy_merge(JsonbParseState **state, JsonbContainer *map)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (map == NULL)
		return;
	it = JsonbIteratorInit(map);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (tok == WJB_KEY || tok == WJB_VALUE)
			pushJsonbValue(state, tok, &v);
}

static void
legacy_finish(StLegacy *lg, Jsonb **names, Jsonb **values)
{
	*names = JsonbValueToJsonb(pushJsonbValue(&lg->names, WJB_END_OBJECT, NULL));
	*values = st_from_typed_item(JsonbValueToJsonb(pushJsonbValue(&lg->values, WJB_END_OBJECT, NULL)));
	if (JsonContainerSize(&(*names)->root) == 0)
		*names = NULL;
	if (JsonContainerSize(&(*values)->root) == 0)
		*values = NULL;
}

/* The elements of AttributeValueList, or NULL (and 0) when absent. */
static JsonbValue *
legacy_value_list(JsonbContainer *cond, const char *where, int *n)
{
	JsonbContainer *list = st_field_array(cond, "AttributeValueList", where, false);
	JsonbValue *out;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	*n = 0;
	if (list == NULL)
		return NULL;
	out = palloc(sizeof(JsonbValue) * Max(JsonContainerSize(list), 1));
	it = JsonbIteratorInit(list);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_ELEM)
			out[(*n)++] = v;
	}
	return out;
}

/* A typed value, its text and its position, to drop IN's repeats */
typedef struct LegacyText
{
	JsonbValue	value;
	char	   *text;
	int			pos;
} LegacyText;

static int
legacy_text_cmp(const void *a, const void *b)
{
	const LegacyText *x = a;
	const LegacyText *y = b;
	int			c = strcmp(x->text, y->text);

	return c != 0 ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static int
legacy_pos_cmp(const void *a, const void *b)
{
	const LegacyText *x = a;
	const LegacyText *y = b;

	return (x->pos > y->pos) - (x->pos < y->pos);
}

/*
 * IN's values without repeats, in the order of their first appearance: a
 * value listed twice matches the same items once, and DynamoDB takes far
 * more values (27,500 and more) than an expression's IN (100), mostly the
 * same ones.  Sorting their text keeps this O(n log n).
 */
static int
legacy_distinct_values(JsonbValue *vals, int n)
{
	LegacyText *t = palloc(sizeof(LegacyText) * Max(n, 1));
	int			kept = 0;

	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		t[i].value = vals[i];
		t[i].text = vals[i].type == jbvBinary ?
			JsonbToCString(NULL, vals[i].val.binary.data, vals[i].val.binary.len) : "";
		t[i].pos = i;
	}
	qsort(t, n, sizeof(LegacyText), legacy_text_cmp);
	for (int i = 0; i < n; i++)
		if (kept == 0 || strcmp(t[i].text, t[kept - 1].text) != 0)
			t[kept++] = t[i];
	qsort(t, kept, sizeof(LegacyText), legacy_pos_cmp);
	for (int i = 0; i < kept; i++)
		vals[i] = t[i].value;
	return kept;
}

/*
 * Raise ValidationException about the legacy condition at "where": msg is
 * the primary message after the field, fmt DynamoDB's own wording (a whole
 * sentence without its final period), which execute(raise_errors => false)
 * answers as the message.
 */
#define legacy_error(where, msg, fmt, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg("invalid request field \"%s\": " msg, (where)), \
			 errdetail("ValidationException: " fmt ".", ##__VA_ARGS__)))

/* The type code of a typed value ({"S": ..} is "S"), or "" when not one. */
static char *
legacy_value_type(JsonbValue *v)
{
	JsonbIterator *it;
	JsonbValue	k;

	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		return "";
	it = JsonbIteratorInit(v->val.binary.data);
	while (JsonbIteratorNext(&it, &k, true) != WJB_DONE)
		if (k.type == jbvString)
			return pnstrdup(k.val.string.val, k.val.string.len);
	return "";
}

/*
 * Check the values of a legacy condition as DynamoDB does before running
 * it: how many the operator takes, all of one type, and a type the operator
 * can compare (a list for LT is a ValidationException, not a false
 * condition).
 */
static void
legacy_check_values(const char *where, const char *cmp, JsonbValue *vals,
					int nvals, int expect)
{
	static const char *const scalar_ops[] = {
		"LT", "LE", "GT", "GE", "BETWEEN", "IN", "CONTAINS", "NOT_CONTAINS", NULL
	};
	bool		scalar_only = false;
	char	   *type;

	/* EQ and NE take every type, lists and maps included */
	if ((expect >= 0 && nvals != expect) || (expect < 0 && nvals < 1))
		legacy_error(where, "wrong number of values for the operator",
					 "One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", cmp);
	if (nvals == 0)
		return;
	type = legacy_value_type(&vals[0]);
	for (int i = 1; i < nvals; i++)
		if (strcmp(legacy_value_type(&vals[i]), type) != 0)
			legacy_error(where, "values of different types",
						 "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type");
	for (int i = 0; scalar_ops[i]; i++)
		if (strcmp(cmp, scalar_ops[i]) == 0)
			scalar_only = true;
	if ((scalar_only && strcmp(type, "S") != 0 && strcmp(type, "N") != 0 && strcmp(type, "B") != 0) ||
		(strcmp(cmp, "BEGINS_WITH") == 0 && strcmp(type, "S") != 0 && strcmp(type, "B") != 0))
		legacy_error(where, "a value of a type the operator cannot compare",
					 "One or more parameter values were invalid: ComparisonOperator %s is not valid for %s AttributeValue type", cmp, type);
	/* string bounds in the wrong order (numbers and binary: the expression's check) */
	if (strcmp(cmp, "BETWEEN") == 0 && strcmp(type, "S") == 0)
	{
		JsonbValue	lo;
		JsonbValue	hi;

		if (getKeyJsonValueFromContainer(vals[0].val.binary.data, "S", 1, &lo) && lo.type == jbvString &&
			getKeyJsonValueFromContainer(vals[1].val.binary.data, "S", 1, &hi) && hi.type == jbvString)
		{
			int			c = memcmp(lo.val.string.val, hi.val.string.val,
								   Min(lo.val.string.len, hi.val.string.len));

			if (c > 0 || (c == 0 && lo.val.string.len > hi.val.string.len))
				legacy_error(where, "the lower bound of BETWEEN is greater than the upper bound",
							 "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
		}
	}
}

/*
 * The members of one of Expected's conditions (attribute attr, at where)
 * that go together, with DynamoDB's messages: ComparisonOperator with a
 * Value or an AttributeValueList but not both and not with Exists; without
 * it, Value unless Exists is false, and no AttributeValueList.
 */
static void
legacy_check_expected_form(JsonbContainer *cond, const char *cmp, const char *attr,
						   const char *where)
{
	JsonbValue	v;
	bool		has_value = st_field(cond, "Value", &v);
	bool		has_list = st_field(cond, "AttributeValueList", &v);
	bool		has_exists = st_field(cond, "Exists", &v);
	int			exists = has_exists && v.type == jbvBool ? v.val.boolean : -1;

	if (has_exists && v.type != jbvBool)
		st_validation_error(psprintf("%s.Exists", where), "must be a boolean");
	if (cmp && has_exists)
		legacy_error(where, "Exists cannot be used with ComparisonOperator",
					 "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: %s", attr);
	/* with or without ComparisonOperator, as DynamoDB checks */
	if (has_value && has_list)
		legacy_error(where, "Value cannot be used with AttributeValueList",
					 "One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: %s", attr);
	if (cmp && !has_value && !has_list && strcmp(cmp, "NULL") != 0 && strcmp(cmp, "NOT_NULL") != 0)
		legacy_error(where, "ComparisonOperator needs Value or AttributeValueList",
					 "One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", cmp, attr);
	if (cmp)
		return;
	if (has_list)
		legacy_error(where, "AttributeValueList needs ComparisonOperator",
					 "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", attr);
	if (exists == 0 && has_value)
		legacy_error(where, "Value cannot be used when Exists is false",
					 "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: %s", attr);
	if (exists != 0 && !has_value)
		legacy_error(where, "Value is required unless Exists is false",
					 "One or more parameter values were invalid: Value must be provided when Exists is %s for Attribute: %s",
					 exists == 1 ? "true" : "null", attr);
}

static const char *const legacy_cond_fields[] = {
	"ComparisonOperator", "AttributeValueList", "Value", "Exists", NULL
};

/* A ComparisonOperator of DynamoDB's that KeyConditions cannot use. */
static bool
is_non_key_operator(const char *cmp)
{
	const char *const ops[] = {"NE", "NULL", "NOT_NULL", "CONTAINS", "NOT_CONTAINS", "IN"};

	for (int i = 0; i < lengthof(ops); i++)
		if (strcmp(cmp, ops[i]) == 0)
			return true;
	return false;
}

/* The expression operator of a legacy comparison (EQ is "="), or NULL. */
static const char *
legacy_comparison(const char *cmp)
{
	static const char *const ops[][2] = {
		{"EQ", "="}, {"NE", "<>"}, {"LT", "<"}, {"LE", "<="}, {"GT", ">"}, {"GE", ">="}
	};

	for (int i = 0; i < lengthof(ops); i++)
		if (strcmp(cmp, ops[i][0]) == 0)
			return ops[i][1];
	return NULL;
}

/*
 * How many values a legacy ComparisonOperator takes (-1: one or more, IN);
 * an operator DynamoDB does not have is an error at where.
 */
static int
legacy_operand_count(const char *cmp, const char *where)
{
	if (legacy_comparison(cmp) || strcmp(cmp, "BEGINS_WITH") == 0 ||
		strcmp(cmp, "CONTAINS") == 0 || strcmp(cmp, "NOT_CONTAINS") == 0)
		return 1;
	if (strcmp(cmp, "BETWEEN") == 0)
		return 2;
	if (strcmp(cmp, "NULL") == 0 || strcmp(cmp, "NOT_NULL") == 0)
		return 0;
	if (strcmp(cmp, "IN") == 0)
		return -1;
	st_validation_error(psprintf("%s.ComparisonOperator", where),
						"unrecognized or unsupported operator \"%s\"", cmp);
	return 0;
}

/*
 * The value a KeyConditions condition with a non-key operator is passed to
 * query() with: its first value when a key could hold it, else any string
 * (query() refuses the condition before it looks at the value).
 */
static JsonbValue *
not_indexable_value(JsonbValue *vals, int nvals)
{
	JsonbValue *v;
	Jsonb	   *any;
	char	   *type = nvals > 0 ? legacy_value_type(&vals[0]) : "";

	if (strcmp(type, "S") == 0 || strcmp(type, "N") == 0 || strcmp(type, "B") == 0)
		return &vals[0];
	any = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{\"S\": \"-\"}")));
	v = palloc(sizeof(JsonbValue));
	v->type = jbvBinary;
	v->val.binary.data = &any->root;
	v->val.binary.len = VARSIZE_ANY_EXHDR(any);
	return v;
}

/*
 * Rewrite one legacy condition map ({"attr": {"ComparisonOperator": ..,
 * "AttributeValueList": [..]}} or Expected's {"attr": {"Value": ..,
 * "Exists": ..}}) into a condition expression, joined by op (AND/OR).
 * key_only: KeyConditions, of one or two conditions; an operator a key
 * cannot take is rewritten as an equality and its attribute kept in
 * lg->not_indexable for query() to refuse in DynamoDB's order.
 *
 * KeyConditions, QueryFilter and ScanFilter are checked condition by
 * condition in DynamoDB's order: its values (their own messages, such as
 * "Supplied AttributeValue is empty ..."), their number, their types, then
 * BETWEEN's order.  Expected checks its form first, and its values when
 * they are converted.
 */
char *
st_legacy_conditions(StLegacy *lg, JsonbContainer *conds, const char *field,
					 const char *op, bool key_only)
{
	StringInfoData buf;
	StWalk		walk;
	JsonbValue *cv;
	char	   *attr;
	char	   *where;
	bool		is_expected = strcmp(field, "Expected") == 0;
	int			nconds = 0;

	initStringInfo(&buf);
	st_walk_init(&walk, conds, field);
	while ((cv = st_walk_next_member(&walk, "must be an object", legacy_cond_fields,
									 &attr, &where)) != NULL)
	{
		JsonbContainer *cond = cv->val.binary.data;
		char	   *cmp;
		JsonbValue *vals;
		int			nvals;
		char	   *name;
		int			expect;
		const char *sym;
		JsonbValue	ev;

		nconds++;
		cmp = st_field_string(cond, "ComparisonOperator", where, false);
		vals = legacy_value_list(cond, where, &nvals);
		if (is_expected)
			legacy_check_expected_form(cond, cmp, attr, where);
		/* Value stands for a one-value AttributeValueList, as in DynamoDB */
		if (cmp && vals == NULL && st_field(cond, "Value", &ev))
		{
			vals = palloc(sizeof(JsonbValue));
			vals[0] = ev;
			nvals = 1;
		}
		if (buf.len > 0)
			appendStringInfo(&buf, " %s ", op);
		name = legacy_name(lg, attr);

		if (cmp == NULL)
		{
			/* Expected's older form: Value and/or Exists */
			if (!is_expected)
				st_validation_error(psprintf("%s.ComparisonOperator", where), "a value is required");
			/* legacy_check_expected_form checked Value against Exists */
			if (st_field(cond, "Value", &ev))
				appendStringInfo(&buf, "%s = %s", name, legacy_value(lg, &ev));
			else
				appendStringInfo(&buf, "attribute_not_exists(%s)", name);
			continue;
		}

		expect = legacy_operand_count(cmp, where);
		if (!is_expected)
			for (int i = 0; i < nvals; i++)
			{
				CHECK_FOR_INTERRUPTS();
				(void) st_typed_value_to_plain(&vals[i], NULL);
			}
		if (expect < 0)
			nvals = legacy_distinct_values(vals, nvals);
		legacy_check_values(where, cmp, vals, nvals, expect);

		sym = legacy_comparison(cmp);
		if (key_only && is_non_key_operator(cmp))
		{
			lg->not_indexable = lappend(lg->not_indexable, pstrdup(attr));
			appendStringInfo(&buf, "%s = %s", name, legacy_value(lg, not_indexable_value(vals, nvals)));
		}
		else if (sym)
			appendStringInfo(&buf, "%s %s %s", name, sym, legacy_value(lg, &vals[0]));
		else if (strcmp(cmp, "BEGINS_WITH") == 0)
			appendStringInfo(&buf, "begins_with(%s, %s)", name, legacy_value(lg, &vals[0]));
		else if (expect == 2)
		{
			char	   *lo = legacy_value(lg, &vals[0]);

			appendStringInfo(&buf, "%s BETWEEN %s AND %s", name, lo, legacy_value(lg, &vals[1]));
		}
		else if (expect == 0)
			appendStringInfo(&buf, "%s(%s)", strcmp(cmp, "NULL") == 0 ?
							 "attribute_not_exists" : "attribute_exists", name);
		else if (expect == 1)
			appendStringInfo(&buf, "%scontains(%s, %s)", cmp[0] == 'N' ? "NOT " : "",
							 name, legacy_value(lg, &vals[0]));
		else
		{
			appendStringInfo(&buf, "%s IN (", name);
			for (int i = 0; i < nvals; i++)
				appendStringInfo(&buf, "%s%s", i ? ", " : "", legacy_value(lg, &vals[i]));
			appendStringInfoChar(&buf, ')');
		}
	}
	if (key_only && (nconds == 0 || nconds > 2))
		legacy_error(field, "a query has one or two key conditions",
					 "Conditions can be of length 1 or 2 only");
	if (nconds == 0)
		st_validation_error(field, "must hold at least one condition");
	return buf.data;
}

/*
 * The legacy ConditionalOperator joining the conditions of a request's
 * Expected, QueryFilter or ScanFilter; conditions says whether the request
 * has one (an empty one counts as absent, st_legacy_object).
 */
const char *
st_legacy_conditional_operator(JsonbContainer *r, bool conditions)
{
	char	   *op = st_field_string(r, "ConditionalOperator", "", false);

	if (op && !conditions)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"ConditionalOperator\": it needs Expected, QueryFilter or ScanFilter"),
				 errdetail("ValidationException: ConditionalOperator cannot be used without Filter or Expected.")));
	if (op == NULL || strcmp(op, "AND") == 0)
		return "AND";
	if (strcmp(op, "OR") == 0)
		return "OR";
	st_validation_error("ConditionalOperator", "must be AND or OR, not \"%s\"", op);
	return NULL;
}

/*
 * A legacy map parameter (Expected, QueryFilter, ScanFilter, KeyConditions,
 * AttributeUpdates), or NULL when absent or empty: DynamoDB reads an empty
 * map as no map.
 */
JsonbContainer *
st_legacy_object(JsonbContainer *r, const char *name)
{
	JsonbContainer *c = st_field_object(r, name, "", false);

	return c && JsonContainerSize(c) > 0 ? c : NULL;
}

/* Projection text from the legacy AttributesToGet. */
char *
st_legacy_projection(StLegacy *lg, List *attrs)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, attrs)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", legacy_name(lg, lfirst(lc)));
	return buf.data;
}

static const char *const legacy_params[] = {
	"AttributesToGet", "AttributeUpdates", "Expected", "QueryFilter",
	"ScanFilter", "ConditionalOperator", "KeyConditions", NULL
};
static const char *const expr_params[] = {
	"ProjectionExpression", "FilterExpression", "KeyConditionExpression",
	"UpdateExpression", "ConditionExpression", NULL
};

/* Whether legacy parameter p of request r counts against expressions */
static bool
legacy_param_counts(JsonbContainer *r, const char *p)
{
	JsonbValue	v;

	if (!st_field(r, p, &v))
		return false;
	/* an empty Expected or AttributeUpdates counts, as in DynamoDB */
	if (v.type == jbvBinary && JsonContainerSize(v.val.binary.data) == 0 &&
		strcmp(p, "Expected") != 0 && strcmp(p, "AttributeUpdates") != 0)
		return false;
	return strcmp(p, "KeyConditions") != 0 || st_field(r, "KeyConditionExpression", &v);
}

/*
 * Raise DynamoDB's ValidationException when a request mixes legacy and
 * expression parameters.  As in DynamoDB, KeyConditions goes with
 * FilterExpression and ProjectionExpression (only KeyConditionExpression
 * excludes it), and ExpressionAttributeNames needs an expression.  Every
 * request passes through here: the lists for the message are made only
 * for the error.
 */
void
st_legacy_check_no_mix(JsonbContainer *r)
{
	JsonbValue	v;
	bool		any_expr = false;
	bool		any_legacy = false;

	for (int i = 0; expr_params[i] && !any_expr; i++)
		any_expr = st_field(r, expr_params[i], &v);
	for (int i = 0; legacy_params[i] && any_expr && !any_legacy; i++)
		any_legacy = legacy_param_counts(r, legacy_params[i]);
	if (any_legacy)
	{
		StringInfoData legacy;
		StringInfoData expr;

		initStringInfo(&legacy);
		initStringInfo(&expr);
		for (int i = 0; expr_params[i]; i++)
			if (st_field(r, expr_params[i], &v))
				appendStringInfo(&expr, "%s%s", expr.len ? ", " : "", expr_params[i]);
		for (int i = 0; legacy_params[i]; i++)
			if (legacy_param_counts(r, legacy_params[i]))
				appendStringInfo(&legacy, "%s%s", legacy.len ? ", " : "", legacy_params[i]);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot use both expression and legacy parameters in one request"),
				 errdetail("ValidationException: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}.",
						   legacy.data, expr.data)));
	}
	if (!any_expr && st_field(r, "ExpressionAttributeNames", &v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"ExpressionAttributeNames\": it needs an expression parameter"),
				 errdetail("ValidationException: ExpressionAttributeNames can only be specified when using expressions.")));
}

static const char *const attribute_update_fields[] = {"Action", "Value", NULL};
static const char *const set_types[] = {"SS", "NS", "BS", NULL};
static const char *const add_types[] = {"N", "SS", "NS", "BS", "L", NULL};

/* Is the type code of typed value v one of types (NULL-terminated)? */
static bool
legacy_type_in(JsonbValue *v, const char *const *types)
{
	char	   *t = legacy_value_type(v);

	for (int i = 0; types[i]; i++)
		if (strcmp(t, types[i]) == 0)
			return true;
	return false;
}

/* The legacy AttributeUpdates as an update expression. */
char *
st_legacy_attribute_updates(StLegacy *lg, JsonbContainer *updates)
{
	StringInfoData set;
	StringInfoData remove;
	StringInfoData add;
	StringInfoData del;
	StringInfoData out;
	StWalk		walk;
	JsonbValue *uv;
	char	   *attr;
	char	   *where;

	initStringInfo(&set);
	initStringInfo(&remove);
	initStringInfo(&add);
	initStringInfo(&del);
	st_walk_init(&walk, updates, "AttributeUpdates");
	while ((uv = st_walk_next_member(&walk, "must be an object", NULL, &attr, &where)) != NULL)
	{
		char	   *action = st_field_string(uv->val.binary.data, "Action", where, false);
		JsonbValue	val;
		bool		has_value = st_field(uv->val.binary.data, "Value", &val);
		char	   *name;

		/* DynamoDB's first check of an update, before its other members */
		if (!has_value && (action == NULL || strcmp(action, "DELETE") != 0))
			legacy_error(where, "only DELETE can go without a Value",
						 "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified");
		st_check_fields(uv->val.binary.data, attribute_update_fields, where);
		/* the types each action takes, checked before the table is looked up */
		if (has_value && action != NULL && strcmp(action, "DELETE") == 0 &&
			!legacy_type_in(&val, set_types))
			legacy_error(where, "DELETE takes a set",
						 "One or more parameter values were invalid: DELETE action with value is not supported for the type %s",
						 legacy_value_type(&val));
		if (has_value && action != NULL && strcmp(action, "ADD") == 0 &&
			!legacy_type_in(&val, add_types))
			legacy_error(where, "ADD takes a number, a set or a list",
						 "One or more parameter values were invalid: ADD action is not supported for the type %s",
						 legacy_value_type(&val));
		name = legacy_name(lg, attr);
		if (action == NULL || strcmp(action, "PUT") == 0)
		{
			appendStringInfo(&set, "%s%s = %s", set.len ? ", " : "", name, legacy_value(lg, &val));
		}
		else if (strcmp(action, "DELETE") == 0 && !has_value)
			appendStringInfo(&remove, "%s%s", remove.len ? ", " : "", name);
		else if (strcmp(action, "DELETE") == 0)
			appendStringInfo(&del, "%s%s %s", del.len ? ", " : "", name, legacy_value(lg, &val));
		else if (strcmp(action, "ADD") == 0)
		{
			if (strcmp(legacy_value_type(&val), "L") == 0)
			{
				/* legacy ADD of a list appends to the attribute's list */
				Jsonb	   *empty = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{\"L\": []}")));
				JsonbValue	ev;

				ev.type = jbvBinary;
				ev.val.binary.data = &empty->root;
				ev.val.binary.len = VARSIZE_ANY_EXHDR(empty);
				appendStringInfo(&set, "%s%s = list_append(if_not_exists(%s, %s), %s)",
								 set.len ? ", " : "", name, name, legacy_value(lg, &ev),
								 legacy_value(lg, &val));
			}
			else
				appendStringInfo(&add, "%s%s %s", add.len ? ", " : "", name, legacy_value(lg, &val));
		}
		else
			st_validation_error(psprintf("%s.Action", where), "must be PUT, ADD or DELETE, not \"%s\"", action);
	}
	initStringInfo(&out);
	if (set.len)
		appendStringInfo(&out, "SET %s ", set.data);
	if (remove.len)
		appendStringInfo(&out, "REMOVE %s ", remove.data);
	if (add.len)
		appendStringInfo(&out, "ADD %s ", add.data);
	if (del.len)
		appendStringInfo(&out, "DELETE %s ", del.data);
	return out.len ? out.data : NULL;
}

/*
 * Push the plain form of the typed value of placeholder key.  A malformed
 * value raises its ValidationException worded as DynamoDB's:
 * "ExpressionAttributeValues contains invalid value: ... for key :v".
 */
static void
push_plain_placeholder_value(JsonbParseState **state, JsonbValue *typed, const char *key)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		st_push_plain_value(state, WJB_VALUE, typed, key);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		const char *prefix = "ValidationException: ";
		char	   *what;
		size_t		len;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if ((edata->sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE &&
			 edata->sqlerrcode != ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE) ||
			edata->detail == NULL || strncmp(edata->detail, prefix, strlen(prefix)) != 0)
			PG_RE_THROW();
		FlushErrorState();
		what = pstrdup(edata->detail + strlen(prefix));
		len = strlen(what);
		if (len > 0 && what[len - 1] == '.')
			what[len - 1] = '\0';
		edata->detail = psprintf("%sExpressionAttributeValues contains invalid value: %s for key %s.",
								 prefix, what, key);
		ThrowErrorData(edata);
	}
	PG_END_TRY();
}

/* ExpressionAttributeValues, typed, made plain value by value. */
static Jsonb *
plain_placeholder_values(Jsonb *typed)
{
	JsonbParseState *state = NULL;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	char	   *key = NULL;

	if (JB_ROOT_IS_SCALAR(typed) || !JB_ROOT_IS_OBJECT(typed))
		return st_from_typed_item(typed);	/* raises its error */
	/* DynamoDB checks every placeholder before any value */
	st_expr_check_placeholders(typed, ':', "ExpressionAttributeValues");
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(&typed->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			pushJsonbValue(&state, WJB_KEY, &v);
		}
		else if (tok == WJB_VALUE)
			push_plain_placeholder_value(&state, &v, key);
	}
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/*
 * The names and values of a request's placeholders: those the legacy
 * parameters were rewritten with (lg), or else ExpressionAttributeNames and
 * ExpressionAttributeValues (typed, made plain); a request mixing the two
 * kinds is a ValidationException.
 */
void
st_legacy_placeholders(JsonbContainer *r, StLegacy *lg, Jsonb **names, Jsonb **values)
{
	st_legacy_check_no_mix(r);
	if (lg->used)
	{
		/* KeyConditions with expressions: theirs and ours together */
		legacy_merge(&lg->names, st_field_object(r, "ExpressionAttributeNames", "", false));
		legacy_merge(&lg->values, st_field_object(r, "ExpressionAttributeValues", "", false));
		legacy_finish(lg, names, values);
		return;
	}
	*names = st_field_jsonb(r, "ExpressionAttributeNames", "", false);
	*values = st_field_jsonb(r, "ExpressionAttributeValues", "", false);
	if (*values)
		*values = plain_placeholder_values(*values);
}
