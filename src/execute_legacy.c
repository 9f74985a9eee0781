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

#include "utils/jsonb.h"

#include "execute.h"
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

/* The elements of AttributeValueList. */
static int
legacy_value_list(JsonbContainer *cond, const char *where, JsonbValue *out, int max)
{
	JsonbContainer *list = st_field_array(cond, "AttributeValueList", where, false);
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = 0;

	if (list == NULL)
		return 0;
	it = JsonbIteratorInit(list);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (n >= max)
			st_validation_error(psprintf("%s.AttributeValueList", where), "has too many values");
		out[n++] = v;
	}
	return n;
}

#define LEGACY_MAX_VALUES 100

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

/*
 * Rewrite one legacy condition map ({"attr": {"ComparisonOperator": ..,
 * "AttributeValueList": [..]}} or Expected's {"attr": {"Value": ..,
 * "Exists": ..}}) into a condition expression, joined by op (AND/OR).
 * key_only limits operators to those of KeyConditions.
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

	initStringInfo(&buf);
	st_walk_init(&walk, conds, field);
	while ((cv = st_walk_next_member(&walk, "must be an object", legacy_cond_fields,
									 &attr, &where)) != NULL)
	{
		JsonbContainer *cond = cv->val.binary.data;
		char	   *cmp;
		JsonbValue	vals[LEGACY_MAX_VALUES];
		int			nvals;
		char	   *name;
		int			expect = 1;
		JsonbValue	ev;

		cmp = st_field_string(cond, "ComparisonOperator", where, false);
		nvals = legacy_value_list(cond, where, vals, LEGACY_MAX_VALUES);
		if (cmp && (st_field(cond, "Value", &ev) || st_field(cond, "Exists", &ev)))
			st_validation_error(where, "cannot use Value or Exists with ComparisonOperator");
		if (key_only && cmp && is_non_key_operator(cmp))
		{
			/* valid in the request; whether on a key needs the table */
			if (lg->key_op == NULL)
			{
				lg->key_op = cmp;
				lg->key_op_where = psprintf("%s.ComparisonOperator", where);
			}
			continue;
		}
		if (buf.len > 0)
			appendStringInfo(&buf, " %s ", op);
		name = legacy_name(lg, attr);

		if (cmp == NULL)
		{
			/* Expected's older form: Value and/or Exists */
			int			exists = -1;

			if (st_field(cond, "Exists", &ev))
			{
				if (ev.type != jbvBool)
					st_validation_error(psprintf("%s.Exists", where), "must be a boolean");
				exists = ev.val.boolean;
			}
			if (strcmp(field, "Expected") != 0)
				st_validation_error(psprintf("%s.ComparisonOperator", where), "a value is required");
			if (st_field(cond, "Value", &ev))
			{
				if (exists == 0)
					st_validation_error(where, "Value cannot be used when Exists is false");
				appendStringInfo(&buf, "%s = %s", name, legacy_value(lg, &ev));
			}
			else if (exists == 0)
				appendStringInfo(&buf, "attribute_not_exists(%s)", name);
			else
				st_validation_error(where, "Value is required when Exists is true");
			continue;
		}

		if (strcmp(cmp, "EQ") == 0 || strcmp(cmp, "NE") == 0 || strcmp(cmp, "LT") == 0 ||
			strcmp(cmp, "LE") == 0 || strcmp(cmp, "GT") == 0 || strcmp(cmp, "GE") == 0)
		{
			const char *sym = strcmp(cmp, "EQ") == 0 ? "=" : strcmp(cmp, "NE") == 0 ? "<>" :
				strcmp(cmp, "LT") == 0 ? "<" : strcmp(cmp, "LE") == 0 ? "<=" :
				strcmp(cmp, "GT") == 0 ? ">" : ">=";

			if (nvals == 1)
				appendStringInfo(&buf, "%s %s %s", name, sym, legacy_value(lg, &vals[0]));
		}
		else if (strcmp(cmp, "BEGINS_WITH") == 0)
		{
			if (nvals == 1)
				appendStringInfo(&buf, "begins_with(%s, %s)", name, legacy_value(lg, &vals[0]));
		}
		else if (strcmp(cmp, "BETWEEN") == 0)
		{
			expect = 2;
			if (nvals == 2)
			{
				char	   *lo = legacy_value(lg, &vals[0]);

				appendStringInfo(&buf, "%s BETWEEN %s AND %s", name, lo, legacy_value(lg, &vals[1]));
			}
		}
		else if (!key_only && (strcmp(cmp, "NOT_NULL") == 0 || strcmp(cmp, "NULL") == 0))
		{
			expect = 0;
			appendStringInfo(&buf, "%s(%s)", strcmp(cmp, "NULL") == 0 ?
							 "attribute_not_exists" : "attribute_exists", name);
		}
		else if (!key_only && (strcmp(cmp, "CONTAINS") == 0 || strcmp(cmp, "NOT_CONTAINS") == 0))
		{
			if (nvals == 1)
				appendStringInfo(&buf, "%scontains(%s, %s)", cmp[0] == 'N' ? "NOT " : "",
								 name, legacy_value(lg, &vals[0]));
		}
		else if (!key_only && strcmp(cmp, "IN") == 0)
		{
			expect = -1;
			if (nvals < 1)
				st_validation_error(psprintf("%s.AttributeValueList", where),
									"IN needs at least one value");
			appendStringInfo(&buf, "%s IN (", name);
			for (int i = 0; i < nvals; i++)
				appendStringInfo(&buf, "%s%s", i ? ", " : "", legacy_value(lg, &vals[i]));
			appendStringInfoChar(&buf, ')');
		}
		else
			st_validation_error(psprintf("%s.ComparisonOperator", where),
								"unrecognized or unsupported operator \"%s\"", cmp);
		if (expect >= 0 && nvals != expect)
			st_validation_error(psprintf("%s.AttributeValueList", where),
								"%s needs %d value(s), not %d", cmp, expect, nvals);
	}
	if (buf.len == 0 && lg->key_op == NULL)
		st_validation_error(field, "must hold at least one condition");
	return buf.data;
}

/*
 * Raise the error of a KeyConditions operator that is not one of a key's
 * (st_legacy_conditions), once the table was found: DynamoDB answers
 * ResourceNotFoundException first.
 */
void
st_legacy_check_key_operators(StLegacy *lg)
{
	if (lg->key_op == NULL)
		return;
	if (strcmp(lg->key_op, "NE") == 0)
		st_validation_error(lg->key_op_where, "NE is not valid in KeyConditions");
	st_validation_error(lg->key_op_where, "unrecognized or unsupported operator \"%s\"", lg->key_op);
}

const char *
st_legacy_conditional_operator(JsonbContainer *r)
{
	char	   *op = st_field_string(r, "ConditionalOperator", "", false);

	if (op == NULL || strcmp(op, "AND") == 0)
		return "AND";
	if (strcmp(op, "OR") == 0)
		return "OR";
	st_validation_error("ConditionalOperator", "must be AND or OR, not \"%s\"", op);
	return NULL;
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

/* Raise when a request mixes legacy and expression parameters. */
void
st_legacy_check_no_mix(JsonbContainer *r, bool legacy)
{
	static const char *const expr_params[] = {
		"KeyConditionExpression", "FilterExpression", "ConditionExpression",
		"ProjectionExpression", "UpdateExpression", "ExpressionAttributeNames",
		"ExpressionAttributeValues", NULL
	};
	JsonbValue	v;

	if (!legacy)
		return;
	for (int i = 0; expr_params[i]; i++)
		if (st_field(r, expr_params[i], &v))
			st_validation_error(expr_params[i],
								"cannot be used with the legacy parameters (KeyConditions, QueryFilter, ScanFilter, Expected, AttributesToGet, AttributeUpdates)");
}

static const char *const attribute_update_fields[] = {"Action", "Value", NULL};

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
	while ((uv = st_walk_next_member(&walk, "must be an object", attribute_update_fields,
									 &attr, &where)) != NULL)
	{
		char	   *action = st_field_string(uv->val.binary.data, "Action", where, false);
		JsonbValue	val;
		bool		has_value = st_field(uv->val.binary.data, "Value", &val);
		char	   *name = legacy_name(lg, attr);

		if (action == NULL || strcmp(action, "PUT") == 0)
		{
			if (!has_value)
				st_validation_error(where, "PUT needs a Value");
			appendStringInfo(&set, "%s%s = %s", set.len ? ", " : "", name, legacy_value(lg, &val));
		}
		else if (strcmp(action, "DELETE") == 0 && !has_value)
			appendStringInfo(&remove, "%s%s", remove.len ? ", " : "", name);
		else if (strcmp(action, "DELETE") == 0)
			appendStringInfo(&del, "%s%s %s", del.len ? ", " : "", name, legacy_value(lg, &val));
		else if (strcmp(action, "ADD") == 0)
		{
			if (!has_value)
				st_validation_error(where, "ADD needs a Value");
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
 * The names and values of a request's placeholders: those the legacy
 * parameters were rewritten with (lg), or else ExpressionAttributeNames and
 * ExpressionAttributeValues (typed, made plain); a request mixing the two
 * kinds is a ValidationException.
 */
void
st_legacy_placeholders(JsonbContainer *r, StLegacy *lg, Jsonb **names, Jsonb **values)
{
	st_legacy_check_no_mix(r, lg->used);
	if (lg->used)
	{
		legacy_finish(lg, names, values);
		return;
	}
	*names = st_field_jsonb(r, "ExpressionAttributeNames", "", false);
	*values = st_field_jsonb(r, "ExpressionAttributeValues", "", false);
	if (*values)
		*values = st_from_typed_item(*values);
}
