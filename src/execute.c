/*
 * execute.c
 *	  execute(operation, request): DynamoDB's wire protocol shape.  Takes a
 *	  request as an AWS SDK sends it (typed attribute values, TableName,
 *	  Key, KeyConditionExpression ...) and returns the response DynamoDB
 *	  would send, for the item, query, batch, transaction and table
 *	  operations, so a thin HTTP front end can serve SDKs, and code ported
 *	  from an SDK can call Postgres with the same JSON.
 *
 *	  Item operations call the C entry points directly (items.c, batch.c,
 *	  transact.c) with typed<->plain conversion (typedjson.c) at the edges;
 *	  Query, Scan and the table operations call the SQL functions of their
 *	  components (singletable.query, scan, create_table, create_index ...)
 *	  through SPI with named arguments, so they behave exactly as when called
 *	  from SQL.
 *
 *	  The legacy parameters that ported code still sends (KeyConditions,
 *	  QueryFilter, ScanFilter, Expected, ConditionalOperator,
 *	  AttributesToGet, AttributeUpdates) are rewritten into expressions with
 *	  placeholders of their own, evaluated by the same evaluator.  As in
 *	  DynamoDB, a request cannot mix them with expression parameters.
 *
 *	  Errors keep the SQLSTATE of the component that raised them; each maps
 *	  to one DynamoDB error type (README: "Errors"), named in the message.
 *	  Unknown operations and parameters are ValidationException (22023).
 *	  With raise_errors => false, execute_errors.c runs the request and
 *	  answers DynamoDB's error body instead.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "batch.h"
#include "execute_errors.h"
#include "expr.h"
#include "items.h"
#include "request.h"
#include "singletable.h"
#include "ttl.h"

/* ---------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------
 */

/* Common parameters every operation accepts and ignores. */
#define COMMON_IGNORED "ReturnConsumedCapacity", "ReturnItemCollectionMetrics"

static Jsonb *
empty_object(void)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/* {"<key>": typed item} or {} when item is NULL */
static Jsonb *
wrap_typed_item(const char *key, Jsonb *item)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (item)
	{
		st_push_key(&state, key);
		st_push_typed_item(&state, item);
	}
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/* {"<key>": jsonb} */
static Jsonb *
wrap_jsonb(const char *key, Jsonb *value)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	st_push_key(&state, key);
	st_push_item(&state, WJB_VALUE, value);
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/* A field holding an integer in min .. max (min >= 0), or -1 when absent. */
static int
field_int(JsonbContainer *r, const char *name, int min, int max)
{
	JsonbValue	v;
	Numeric		n;

	if (!st_field(r, name, &v))
		return -1;
	if (v.type != jbvNumeric)
		st_validation_error(name, "must be a number");
	n = v.val.numeric;
	if (numeric_is_nan(n) || numeric_is_inf(n) ||
		!DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(n),
										  DirectFunctionCall1(numeric_floor, NumericGetDatum(n)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(n),
										 NumericGetDatum(int64_to_numeric(min)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_gt, NumericGetDatum(n),
										 NumericGetDatum(int64_to_numeric(max)))))
		st_validation_error(name, "must be an integer between %d and %d", min, max);
	return DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(n)));
}

static int
field_bool(JsonbContainer *r, const char *name)
{
	JsonbValue	v;

	if (!st_field(r, name, &v))
		return -1;
	if (v.type != jbvBool)
		st_validation_error(name, "must be a boolean");
	return v.val.boolean ? 1 : 0;
}

/* A typed attribute map field (Key, Item, ExclusiveStartKey ...) in plain JSON. */
static Jsonb *
typed_field(JsonbContainer *r, const char *name, bool required)
{
	Jsonb	   *j = st_field_jsonb(r, name, "", required);

	return j ? st_from_typed_item(j) : NULL;
}

/*
 * The typed Key of a request as key column Datums, without building the
 * plain key first (GetItem's hot path).  Anything unusual takes the
 * general path, which raises the usual errors.
 */
static void
typed_key(StTable *t, JsonbContainer *r, Datum *keys)
{
	JsonbContainer *key = st_field_object(r, "Key", "", true);
	int			nkeys = t->sk_attr ? 2 : 1;
	JsonbValue	tv[2];

	if (JsonContainerSize(key) != nkeys ||
		!getKeyJsonValueFromContainer(key, t->pk_attr, strlen(t->pk_attr), &tv[0]) ||
		(t->sk_attr && !getKeyJsonValueFromContainer(key, t->sk_attr, strlen(t->sk_attr), &tv[1])))
	{
		st_parse_key_arg(t, typed_field(r, "Key", true), keys);
		return;
	}
	for (int i = 0; i < nkeys; i++)
	{
		const char *attr = i == 0 ? t->pk_attr : t->sk_attr;

		keys[i] = st_key_datum_from_value(st_typed_value_to_plain(&tv[i], attr), attr,
										  i == 0 ? t->pk_type : t->sk_type,
										  i == 0 ? ST_MAX_PARTITION_KEY_BYTES : ST_MAX_SORT_KEY_BYTES,
										  i == 0);
	}
}

/* ---------------------------------------------------------------------
 * Legacy parameters -> expressions
 * ---------------------------------------------------------------------
 */
typedef struct Legacy
{
	int			n;				/* placeholders made so far */
	JsonbParseState *names;		/* {"#lgN": "attr"} being built */
	JsonbParseState *values;	/* {":lgN": typed value} being built */
	bool		used;
} Legacy;

static void
legacy_init(Legacy *lg)
{
	memset(lg, 0, sizeof(Legacy));
	pushJsonbValue(&lg->names, WJB_BEGIN_OBJECT, NULL);
	pushJsonbValue(&lg->values, WJB_BEGIN_OBJECT, NULL);
}

static char *
legacy_name(Legacy *lg, const char *attr)
{
	char	   *ph = psprintf("#lg%d", lg->n++);

	st_push_key(&lg->names, ph);
	st_push_string(&lg->names, WJB_VALUE, attr);
	lg->used = true;
	return ph;
}

static char *
legacy_value(Legacy *lg, JsonbValue *typed)
{
	char	   *ph = psprintf(":lg%d", lg->n++);

	st_push_key(&lg->values, ph);
	pushJsonbValue(&lg->values, WJB_VALUE, typed);
	lg->used = true;
	return ph;
}

static void
legacy_finish(Legacy *lg, Jsonb **names, Jsonb **values)
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

/*
 * Rewrite one legacy condition map ({"attr": {"ComparisonOperator": ..,
 * "AttributeValueList": [..]}} or Expected's {"attr": {"Value": ..,
 * "Exists": ..}}) into a condition expression, joined by op (AND/OR).
 * key_only limits operators to those of KeyConditions.
 */
static char *
legacy_conditions(Legacy *lg, JsonbContainer *conds, const char *field,
				  const char *op, bool key_only)
{
	StringInfoData buf;
	JsonbIterator *it = JsonbIteratorInit(conds);
	JsonbValue	k;
	JsonbValue	v;
	JsonbIteratorToken tok;

	initStringInfo(&buf);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *attr;
		char	   *where;
		JsonbContainer *cond;
		char	   *cmp;
		JsonbValue	vals[LEGACY_MAX_VALUES];
		int			nvals;
		char	   *name;
		int			expect = 1;
		JsonbValue	ev;

		if (tok != WJB_KEY)
			continue;
		attr = pnstrdup(k.val.string.val, k.val.string.len);
		where = psprintf("%s.%s", field, attr);
		tok = JsonbIteratorNext(&it, &v, true);
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			st_validation_error(where, "must be an object");
		cond = v.val.binary.data;
		st_check_fields(cond, legacy_cond_fields, where);
		if (buf.len > 0)
			appendStringInfo(&buf, " %s ", op);
		name = legacy_name(lg, attr);
		cmp = st_field_string(cond, "ComparisonOperator", where, false);
		nvals = legacy_value_list(cond, where, vals, LEGACY_MAX_VALUES);

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
		if (st_field(cond, "Value", &ev) || st_field(cond, "Exists", &ev))
			st_validation_error(where, "cannot use Value or Exists with ComparisonOperator");

		if (strcmp(cmp, "EQ") == 0 || strcmp(cmp, "NE") == 0 || strcmp(cmp, "LT") == 0 ||
			strcmp(cmp, "LE") == 0 || strcmp(cmp, "GT") == 0 || strcmp(cmp, "GE") == 0)
		{
			const char *sym = strcmp(cmp, "EQ") == 0 ? "=" : strcmp(cmp, "NE") == 0 ? "<>" :
				strcmp(cmp, "LT") == 0 ? "<" : strcmp(cmp, "LE") == 0 ? "<=" :
				strcmp(cmp, "GT") == 0 ? ">" : ">=";

			if (key_only && strcmp(cmp, "NE") == 0)
				st_validation_error(psprintf("%s.ComparisonOperator", where),
									"NE is not valid in KeyConditions");
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
	if (buf.len == 0)
		st_validation_error(field, "must hold at least one condition");
	return buf.data;
}

static const char *
conditional_operator(JsonbContainer *r)
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
static char *
legacy_projection(Legacy *lg, List *attrs)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, attrs)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", legacy_name(lg, lfirst(lc)));
	return buf.data;
}

/* Raise when a request mixes legacy and expression parameters. */
static void
check_no_mix(JsonbContainer *r, bool legacy)
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

/* ---------------------------------------------------------------------
 * Item operations
 * ---------------------------------------------------------------------
 */

static const char *const get_item_fields[] = {
	"TableName", "Key", "ProjectionExpression", "ExpressionAttributeNames",
	"ConsistentRead", "AttributesToGet", COMMON_IGNORED, NULL
};

static Jsonb *
op_get_item(JsonbContainer *r)
{
	StTable    *t;
	Datum		keys[2];
	Jsonb	   *item;
	StExprContext cx;
	StExpr	   *projection = NULL;
	char	   *proj;
	List	   *attrs;

	st_check_fields(r, get_item_fields, "");
	t = st_table_by_name(st_field_string(r, "TableName", "", true));
	typed_key(t, r, keys);
	attrs = st_attributes_to_get(r, "");
	check_no_mix(r, attrs != NIL);
	(void) field_bool(r, "ConsistentRead");
	st_expr_context_init(&cx, st_field_jsonb(r, "ExpressionAttributeNames", "", false), NULL);
	proj = st_field_string(r, "ProjectionExpression", "", false);
	if (proj)
		projection = st_parse_projection(&cx, proj);
	st_expr_check_unused(&cx);

	item = st_fetch_item(t, keys);
	if (item && projection)
		item = st_apply_projection(&cx, projection, item);
	else if (item && attrs)
		item = st_project_top_level(item, attrs);
	return wrap_typed_item("Item", item);
}

/*
 * The expression context of a write, with its condition from
 * ConditionExpression or the legacy Expected.
 */
static void
write_context(JsonbContainer *r, StWriteRequest *req, StExprContext *cx,
			  const char *update_text, Legacy *lg)
{
	JsonbContainer *expected = st_field_object(r, "Expected", "", false);
	char	   *cond = st_field_string(r, "ConditionExpression", "", false);
	Jsonb	   *names;
	Jsonb	   *values;

	if (expected)
		cond = legacy_conditions(lg, expected, "Expected", conditional_operator(r), false);
	check_no_mix(r, lg->used);
	if (lg->used)
		legacy_finish(lg, &names, &values);
	else
	{
		names = st_field_jsonb(r, "ExpressionAttributeNames", "", false);
		values = st_field_jsonb(r, "ExpressionAttributeValues", "", false);
		if (values)
			values = st_from_typed_item(values);
	}
	st_expr_context_init(cx, names, values);
	req->cx = cx;
	if (update_text)
		req->update = st_parse_update(cx, update_text);
	if (cond)
		req->condition = st_parse_condition(cx, cond, "condition");
	st_expr_check_unused(cx);
}

/* ReturnValues, and ReturnValuesOnConditionCheckFailure into *old_on_failure */
static StReturnValues
return_values(JsonbContainer *r, const char *operation, int allowed, bool *old_on_failure)
{
	char	   *rv = st_field_string(r, "ReturnValues", "", false);
	char	   *rvf = st_field_string(r, "ReturnValuesOnConditionCheckFailure", "", false);

	if (rvf && strcmp(rvf, "NONE") != 0 && strcmp(rvf, "ALL_OLD") != 0)
		st_validation_error("ReturnValuesOnConditionCheckFailure", "must be NONE or ALL_OLD, not \"%s\"", rvf);
	*old_on_failure = rvf && strcmp(rvf, "ALL_OLD") == 0;
	return rv ? st_parse_return_values(cstring_to_text(rv), operation, allowed) : ST_RETURN_NONE;
}

static const char *const put_item_fields[] = {
	"TableName", "Item", "ConditionExpression", "ExpressionAttributeNames",
	"ExpressionAttributeValues", "ReturnValues", "ReturnValuesOnConditionCheckFailure",
	"Expected", "ConditionalOperator", COMMON_IGNORED, NULL
};

static Jsonb *
op_put_item(JsonbContainer *r)
{
	StWriteRequest req = {0};
	StExprContext cx;
	Legacy		lg;

	st_check_fields(r, put_item_fields, "");
	legacy_init(&lg);
	req.kind = ST_WRITE_PUT;
	req.table = st_table_by_name(st_field_string(r, "TableName", "", true));
	req.item = typed_field(r, "Item", true);
	req.return_values = return_values(r, "PutItem", ST_RV_PUT_DELETE, &req.old_on_failure);
	write_context(r, &req, &cx, NULL, &lg);
	/* always: the direct write path relies on it (see StWriteRequest) */
	st_validate_item(req.item);
	if (req.condition || req.return_values != ST_RETURN_NONE)
		st_item_key_datums(req.table, req.item, req.keys);
	return wrap_typed_item("Attributes", st_write_item(&req));
}

static const char *const delete_item_fields[] = {
	"TableName", "Key", "ConditionExpression", "ExpressionAttributeNames",
	"ExpressionAttributeValues", "ReturnValues", "ReturnValuesOnConditionCheckFailure",
	"Expected", "ConditionalOperator", COMMON_IGNORED, NULL
};

static Jsonb *
op_delete_item(JsonbContainer *r)
{
	StWriteRequest req = {0};
	StExprContext cx;
	Legacy		lg;

	st_check_fields(r, delete_item_fields, "");
	legacy_init(&lg);
	req.kind = ST_WRITE_DELETE;
	req.table = st_table_by_name(st_field_string(r, "TableName", "", true));
	req.key = typed_field(r, "Key", true);
	st_parse_key_arg(req.table, req.key, req.keys);
	req.return_values = return_values(r, "DeleteItem", ST_RV_PUT_DELETE, &req.old_on_failure);
	write_context(r, &req, &cx, NULL, &lg);
	return wrap_typed_item("Attributes", st_write_item(&req));
}

static const char *const attribute_update_fields[] = {"Action", "Value", NULL};

/* The legacy AttributeUpdates as an update expression. */
static char *
legacy_attribute_updates(Legacy *lg, JsonbContainer *updates)
{
	StringInfoData set;
	StringInfoData remove;
	StringInfoData add;
	StringInfoData del;
	StringInfoData out;
	JsonbIterator *it = JsonbIteratorInit(updates);
	JsonbValue	k;
	JsonbValue	v;
	JsonbIteratorToken tok;

	initStringInfo(&set);
	initStringInfo(&remove);
	initStringInfo(&add);
	initStringInfo(&del);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *attr;
		char	   *where;
		char	   *action;
		JsonbValue	val;
		bool		has_value;
		char	   *name;

		if (tok != WJB_KEY)
			continue;
		attr = pnstrdup(k.val.string.val, k.val.string.len);
		where = psprintf("AttributeUpdates.%s", attr);
		tok = JsonbIteratorNext(&it, &v, true);
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			st_validation_error(where, "must be an object");
		st_check_fields(v.val.binary.data, attribute_update_fields, where);
		action = st_field_string(v.val.binary.data, "Action", where, false);
		has_value = st_field(v.val.binary.data, "Value", &val);
		name = legacy_name(lg, attr);
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

static const char *const update_item_fields[] = {
	"TableName", "Key", "UpdateExpression", "ConditionExpression",
	"ExpressionAttributeNames", "ExpressionAttributeValues", "ReturnValues",
	"ReturnValuesOnConditionCheckFailure", "Expected", "ConditionalOperator",
	"AttributeUpdates", COMMON_IGNORED, NULL
};

static Jsonb *
op_update_item(JsonbContainer *r)
{
	StWriteRequest req = {0};
	StExprContext cx;
	Legacy		lg;
	JsonbContainer *updates;
	char	   *update;

	st_check_fields(r, update_item_fields, "");
	legacy_init(&lg);
	req.kind = ST_WRITE_UPDATE;
	req.table = st_table_by_name(st_field_string(r, "TableName", "", true));
	req.key = typed_field(r, "Key", true);
	st_parse_key_arg(req.table, req.key, req.keys);
	req.key_attrs = st_key_attr_list(req.table);
	req.return_values = return_values(r, "UpdateItem", ST_RV_ALL, &req.old_on_failure);
	update = st_field_string(r, "UpdateExpression", "", false);
	updates = st_field_object(r, "AttributeUpdates", "", false);
	if (updates)
		update = legacy_attribute_updates(&lg, updates);
	write_context(r, &req, &cx, update, &lg);
	return wrap_typed_item("Attributes", st_write_item(&req));
}

/* ---------------------------------------------------------------------
 * Query and Scan: singletable.query / singletable.scan through SPI
 * ---------------------------------------------------------------------
 */

typedef struct SqlArgs
{
	StringInfoData sql;
	int			n;
	Oid			types[16];
	Datum		values[16];
	char		nulls[16];
} SqlArgs;

static void
sql_args_init(SqlArgs *a, const char *call)
{
	initStringInfo(&a->sql);
	appendStringInfoString(&a->sql, call);
	a->n = 0;
	memset(a->nulls, ' ', sizeof(a->nulls));
}

/* Add an argument to the call being built: positional when name is NULL. */
static void
sql_arg(SqlArgs *a, const char *name, Oid type, Datum value)
{
	a->n++;
	a->types[a->n - 1] = type;
	a->values[a->n - 1] = value;
	if (name)
		appendStringInfo(&a->sql, ", %s => $%d", name, a->n);
	else
		appendStringInfo(&a->sql, "$%d", a->n);
}

/* Run a one-row, one-column jsonb query; the result is copied out. */
static Jsonb *
run_sql_jsonb(SqlArgs *a, bool read_only)
{
	MemoryContext outer = CurrentMemoryContext;
	Jsonb	   *result = NULL;
	int			rc;

	appendStringInfoChar(&a->sql, ')');
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(a->sql.data, a->n, a->types, a->values, a->nulls, read_only, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "unexpected SPI result %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull && TupleDescAttr(SPI_tuptable->tupdesc, 0)->atttypid == JSONBOID)
		{
			MemoryContext old = MemoryContextSwitchTo(outer);

			result = DatumGetJsonbPCopy(d);
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();
	return result;
}

/*
 * Convert a page {"Items", "Count", "ScannedCount", "LastEvaluatedKey"} to
 * the wire shape: typed items and key, Items left out for Select=COUNT.
 */
static Jsonb *
page_to_wire(Jsonb *page, bool count_only)
{
	JsonbParseState *state = NULL;
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (page == NULL)
		return empty_object();
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(&page->root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		bool		is_items;
		bool		is_key;

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		is_items = k.val.string.len == 5 && memcmp(k.val.string.val, "Items", 5) == 0;
		is_key = k.val.string.len == 16 && memcmp(k.val.string.val, "LastEvaluatedKey", 16) == 0;
		if (is_items && count_only)
			continue;
		if (is_key && v.type == jbvNull)
			continue;
		pushJsonbValue(&state, WJB_KEY, &k);
		if (is_items && v.type == jbvBinary)
		{
			JsonbIterator *iit = JsonbIteratorInit(v.val.binary.data);
			JsonbValue	iv;

			pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
			while ((tok = JsonbIteratorNext(&iit, &iv, true)) != WJB_DONE)
				if (tok == WJB_ELEM)
					st_push_typed_item(&state, JsonbValueToJsonb(&iv));
			pushJsonbValue(&state, WJB_END_ARRAY, NULL);
		}
		else if (is_key && v.type == jbvBinary)
			st_push_typed_item(&state, JsonbValueToJsonb(&v));
		else
			pushJsonbValue(&state, WJB_VALUE, &v);
	}
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

static const char *const query_fields[] = {
	"TableName", "IndexName", "KeyConditionExpression", "FilterExpression",
	"ProjectionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
	"Limit", "ScanIndexForward", "ExclusiveStartKey", "Select", "ConsistentRead",
	"KeyConditions", "QueryFilter", "ConditionalOperator", "AttributesToGet",
	COMMON_IGNORED, NULL
};
static const char *const scan_fields[] = {
	"TableName", "IndexName", "FilterExpression", "ProjectionExpression",
	"ExpressionAttributeNames", "ExpressionAttributeValues", "Limit",
	"ExclusiveStartKey", "Select", "ConsistentRead", "Segment", "TotalSegments",
	"ScanFilter", "ConditionalOperator", "AttributesToGet", COMMON_IGNORED, NULL
};

static Jsonb *
op_query_or_scan(JsonbContainer *r, bool is_query)
{
	StTable    *t;
	SqlArgs		a;
	char	   *index;
	char	   *keycond = NULL;
	char	   *filter;
	char	   *proj;
	char	   *select;
	Jsonb	   *names;
	Jsonb	   *values;
	Jsonb	   *start;
	int			limit;
	int			forward;
	Legacy		lg;
	List	   *attrs;
	JsonbContainer *legacy_filter;
	bool		count_only = false;

	st_check_fields(r, is_query ? query_fields : scan_fields, "");
	legacy_init(&lg);
	t = st_table_by_name(st_field_string(r, "TableName", "", true));
	index = st_field_string(r, "IndexName", "", false);
	filter = st_field_string(r, "FilterExpression", "", false);
	proj = st_field_string(r, "ProjectionExpression", "", false);
	select = st_field_string(r, "Select", "", false);
	limit = field_int(r, "Limit", 1, ST_MAX_LIMIT);
	(void) field_bool(r, "ConsistentRead");
	start = typed_field(r, "ExclusiveStartKey", false);

	if (is_query)
	{
		JsonbContainer *kc = st_field_object(r, "KeyConditions", "", false);

		keycond = st_field_string(r, "KeyConditionExpression", "", false);
		if (kc)
			keycond = legacy_conditions(&lg, kc, "KeyConditions", "AND", true);
	}
	legacy_filter = st_field_object(r, is_query ? "QueryFilter" : "ScanFilter", "", false);
	if (legacy_filter)
		filter = legacy_conditions(&lg, legacy_filter, is_query ? "QueryFilter" : "ScanFilter",
								   conditional_operator(r), false);
	attrs = st_attributes_to_get(r, "");
	if (attrs)
		proj = legacy_projection(&lg, attrs);
	check_no_mix(r, lg.used);
	if (lg.used)
		legacy_finish(&lg, &names, &values);
	else
	{
		names = st_field_jsonb(r, "ExpressionAttributeNames", "", false);
		values = st_field_jsonb(r, "ExpressionAttributeValues", "", false);
		if (values)
			values = st_from_typed_item(values);
	}
	if (is_query && keycond == NULL)
		st_validation_error("KeyConditionExpression", "a value is required: either KeyConditionExpression or KeyConditions");

	if (select)
	{
		if (strcmp(select, "COUNT") == 0)
			count_only = true;
		else if (strcmp(select, "SPECIFIC_ATTRIBUTES") == 0)
		{
			if (proj == NULL)
				st_validation_error("Select", "SPECIFIC_ATTRIBUTES needs ProjectionExpression or AttributesToGet");
		}
		else if (strcmp(select, "ALL_PROJECTED_ATTRIBUTES") == 0)
		{
			if (index == NULL)
				st_validation_error("Select", "ALL_PROJECTED_ATTRIBUTES needs IndexName");
		}
		else if (strcmp(select, "ALL_ATTRIBUTES") != 0)
			st_validation_error("Select", "must be ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES or COUNT, not \"%s\"", select);
		if (strcmp(select, "SPECIFIC_ATTRIBUTES") != 0 && proj)
			st_validation_error("Select", "ProjectionExpression needs Select SPECIFIC_ATTRIBUTES");
	}

	sql_args_init(&a, is_query ? "SELECT singletable.query(" : "SELECT singletable.scan(");
	sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(t->relid));
	if (keycond)
		sql_arg(&a, "key_condition", TEXTOID, CStringGetTextDatum(keycond));
	if (names)
		sql_arg(&a, "names", JSONBOID, JsonbPGetDatum(names));
	if (values)
		sql_arg(&a, "\"values\"", JSONBOID, JsonbPGetDatum(values));
	if (index)
		sql_arg(&a, "index", TEXTOID, CStringGetTextDatum(index));
	if (filter)
		sql_arg(&a, "filter", TEXTOID, CStringGetTextDatum(filter));
	if (proj)
		sql_arg(&a, "projection", TEXTOID, CStringGetTextDatum(proj));
	if (limit > 0)
		sql_arg(&a, "\"limit\"", INT4OID, Int32GetDatum(limit));
	if (start)
		sql_arg(&a, "start_key", JSONBOID, JsonbPGetDatum(start));
	if (is_query)
	{
		forward = field_bool(r, "ScanIndexForward");
		if (forward >= 0)
			sql_arg(&a, "forward", BOOLOID, BoolGetDatum(forward == 1));
	}
	else
	{
		int			segment = field_int(r, "Segment", 0, ST_MAX_TOTAL_SEGMENTS - 1);
		int			total = field_int(r, "TotalSegments", 1, ST_MAX_TOTAL_SEGMENTS);

		if ((segment >= 0) != (total >= 0))
			st_validation_error(segment >= 0 ? "TotalSegments" : "Segment",
								"Segment and TotalSegments must be given together");
		if (segment >= 0)
		{
			sql_arg(&a, "segment", INT4OID, Int32GetDatum(segment));
			sql_arg(&a, "total_segments", INT4OID, Int32GetDatum(total));
		}
	}
	return page_to_wire(run_sql_jsonb(&a, true), count_only);
}

static Jsonb *
op_query(JsonbContainer *r)
{
	return op_query_or_scan(r, true);
}

static Jsonb *
op_scan(JsonbContainer *r)
{
	return op_query_or_scan(r, false);
}

/* ---------------------------------------------------------------------
 * Batch and transaction operations
 * ---------------------------------------------------------------------
 */
static const char *const batch_get_fields[] = {"RequestItems", COMMON_IGNORED, NULL};
static const char *const batch_write_fields[] = {"RequestItems", COMMON_IGNORED, NULL};
static const char *const transact_write_fields[] = {"TransactItems", "ClientRequestToken", COMMON_IGNORED, NULL};
static const char *const transact_get_fields[] = {"TransactItems", COMMON_IGNORED, NULL};

static Jsonb *
op_batch_get(JsonbContainer *r)
{
	st_check_fields(r, batch_get_fields, "");
	return st_batch_get(st_field_object(r, "RequestItems", "", true), true);
}

static Jsonb *
op_batch_write(JsonbContainer *r)
{
	st_check_fields(r, batch_write_fields, "");
	return st_batch_write(st_field_object(r, "RequestItems", "", true), true);
}

static Jsonb *
op_transact_write(JsonbContainer *r)
{
	st_check_fields(r, transact_write_fields, "");
	(void) st_field_string(r, "ClientRequestToken", "", false);
	return st_transact_write(st_field_array(r, "TransactItems", "", true), true);
}

static Jsonb *
op_transact_get(JsonbContainer *r)
{
	st_check_fields(r, transact_get_fields, "");
	return st_transact_get(st_field_array(r, "TransactItems", "", true), true);
}

/* ---------------------------------------------------------------------
 * Table operations
 * ---------------------------------------------------------------------
 */

static const char *const key_schema_fields[] = {"AttributeName", "KeyType", NULL};
static const char *const attr_def_fields[] = {"AttributeName", "AttributeType", NULL};

/* Parse KeySchema into hash and range attribute names. */
static void
parse_key_schema(JsonbContainer *ks, const char *where, char **hash, char **range)
{
	JsonbIterator *it = JsonbIteratorInit(ks);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			i = 0;

	*hash = *range = NULL;
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *ew;
		char	   *name;
		char	   *type;

		if (tok != WJB_ELEM)
			continue;
		ew = psprintf("%s[%d]", where, i++);
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			st_validation_error(ew, "must be an object with AttributeName and KeyType");
		st_check_fields(v.val.binary.data, key_schema_fields, ew);
		name = st_field_string(v.val.binary.data, "AttributeName", ew, true);
		type = st_field_string(v.val.binary.data, "KeyType", ew, true);
		if (strcmp(type, "HASH") == 0 && *hash == NULL && i == 1)
			*hash = name;
		else if (strcmp(type, "RANGE") == 0 && *range == NULL && i == 2)
			*range = name;
		else
			st_validation_error(ew, "KeySchema must be one HASH key, optionally followed by one RANGE key");
	}
	if (*hash == NULL)
		st_validation_error(where, "must hold a HASH key");
}

/* The AttributeType of attr in AttributeDefinitions. */
static char *
attribute_type(JsonbContainer *defs, const char *attr, const char *where)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			i = 0;

	if (defs == NULL)
		st_validation_error("AttributeDefinitions", "a value is required");
	it = JsonbIteratorInit(defs);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *ew;
		char	   *type;

		if (tok != WJB_ELEM)
			continue;
		ew = psprintf("AttributeDefinitions[%d]", i++);
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			st_validation_error(ew, "must be an object with AttributeName and AttributeType");
		st_check_fields(v.val.binary.data, attr_def_fields, ew);
		if (strcmp(st_field_string(v.val.binary.data, "AttributeName", ew, true), attr) != 0)
			continue;
		type = st_field_string(v.val.binary.data, "AttributeType", ew, true);
		if (strcmp(type, "S") != 0 && strcmp(type, "N") != 0 && strcmp(type, "B") != 0)
			st_validation_error(psprintf("%s.AttributeType", ew), "must be S, N or B, not \"%s\"", type);
		return type;
	}
	st_validation_error(where, "key attribute \"%s\" is not in AttributeDefinitions", attr);
	return NULL;
}

static const char *const index_fields[] = {
	"IndexName", "KeySchema", "Projection", "ProvisionedThroughput",
	"OnDemandThroughput", NULL
};
static const char *const projection_fields[] = {"ProjectionType", "NonKeyAttributes", NULL};

/*
 * Create one index (GSI, or LSI: same partition key) through create_index();
 * online, it backfills in a background worker (UpdateTable).
 */
static void
create_index(Oid relid, JsonbContainer *ix, JsonbContainer *defs, const char *where,
			 const char *lsi_hash, bool online)
{
	char	   *name;
	char	   *hash;
	char	   *range;
	JsonbContainer *proj;
	char	   *ptype = "ALL";
	JsonbContainer *nka = NULL;
	SqlArgs		a;

	st_check_fields(ix, index_fields, where);
	name = st_field_string(ix, "IndexName", where, true);
	parse_key_schema(st_field_array(ix, "KeySchema", where, true),
					 psprintf("%s.KeySchema", where), &hash, &range);
	if (lsi_hash && (strcmp(hash, lsi_hash) != 0 || range == NULL))
		st_validation_error(where, "a local secondary index must have the table's partition key and a sort key");
	proj = st_field_object(ix, "Projection", where, true);
	st_check_fields(proj, projection_fields, psprintf("%s.Projection", where));
	ptype = st_field_string(proj, "ProjectionType", psprintf("%s.Projection", where), false);
	if (ptype == NULL)
		ptype = "ALL";
	nka = st_field_array(proj, "NonKeyAttributes", psprintf("%s.Projection", where), false);

	sql_args_init(&a, "SELECT singletable.create_index(");
	sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(relid));
	sql_arg(&a, "index_name", TEXTOID, CStringGetTextDatum(name));
	sql_arg(&a, "partition_key", TEXTOID, CStringGetTextDatum(hash));
	sql_arg(&a, "partition_key_type", TEXTOID,
			CStringGetTextDatum(attribute_type(defs, hash, where)));
	if (range)
	{
		sql_arg(&a, "sort_key", TEXTOID, CStringGetTextDatum(range));
		sql_arg(&a, "sort_key_type", TEXTOID,
				CStringGetTextDatum(attribute_type(defs, range, where)));
	}
	sql_arg(&a, "projection", TEXTOID, CStringGetTextDatum(ptype));
	if (nka)
	{
		JsonbIterator *it = JsonbIteratorInit(nka);
		JsonbValue	v;
		JsonbIteratorToken tok;
		List	   *l = NIL;
		Datum	   *elems;
		int			n = 0;
		ListCell   *lc;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok != WJB_ELEM)
				continue;
			if (v.type != jbvString)
				st_validation_error(psprintf("%s.Projection.NonKeyAttributes", where), "must be a list of strings");
			l = lappend(l, pnstrdup(v.val.string.val, v.val.string.len));
		}
		elems = palloc(sizeof(Datum) * Max(1, list_length(l)));
		foreach(lc, l)
			elems[n++] = CStringGetTextDatum(lfirst(lc));
		sql_arg(&a, "include", TEXTARRAYOID,
				PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT)));
	}
	if (online)
		sql_arg(&a, "online", BOOLOID, BoolGetDatum(true));
	(void) run_sql_jsonb(&a, false);
}

/* describe_table() of a table */
static Jsonb *
describe(Oid relid)
{
	SqlArgs		a;

	sql_args_init(&a, "SELECT singletable.describe_table(");
	sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(relid));
	return run_sql_jsonb(&a, true);
}

/*
 * DynamoDB's rule for a table name: 3 to 255 of a-z A-Z 0-9 _ - and ".".
 * Here a dot separates schema and table, so there is at most one, with a
 * name on each side, and neither may be longer than a Postgres name.
 */
static void
check_table_name(const char *name)
{
	size_t		len = strlen(name);
	const char *dot = strchr(name, '.');

	if (len < 3 || len > 255)
		st_validation_error("TableName", "must be between 3 and 255 characters long");
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len)
		st_validation_error("TableName", "must hold only a-z, A-Z, 0-9, \"_\", \"-\" and \".\"");
	if (dot && (dot == name || dot[1] == '\0' || strchr(dot + 1, '.')))
		st_validation_error("TableName", "must be a name, or schema.name with one \".\" between two names");
	if (dot)
		len = Max((size_t) (dot - name), len - (size_t) (dot - name) - 1);
	if (len >= NAMEDATALEN)
		st_table_name_too_long(name);
}

static const char *const create_table_fields[] = {
	"TableName", "KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes",
	"LocalSecondaryIndexes", "StreamSpecification", "BillingMode",
	"ProvisionedThroughput", "OnDemandThroughput", "Tags", "SSESpecification",
	"TableClass", "DeletionProtectionEnabled", "ResourcePolicy", NULL
};
static const char *const stream_spec_fields[] = {"StreamEnabled", "StreamViewType", NULL};

static Jsonb *
op_create_table(JsonbContainer *r)
{
	char	   *name;
	char	   *hash;
	char	   *range;
	char	   *hash_type;
	char	   *range_type;
	JsonbContainer *defs;
	JsonbContainer *stream;
	char	   *view = NULL;
	SqlArgs		a;
	StTable    *t;
	const char *kinds[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};

	st_check_fields(r, create_table_fields, "");
	name = st_field_string(r, "TableName", "", true);
	parse_key_schema(st_field_array(r, "KeySchema", "", true), "KeySchema", &hash, &range);
	defs = st_field_array(r, "AttributeDefinitions", "", true);
	stream = st_field_object(r, "StreamSpecification", "", false);
	if (stream)
	{
		st_check_fields(stream, stream_spec_fields, "StreamSpecification");
		view = st_field_string(stream, "StreamViewType", "StreamSpecification", false);
	}

	hash_type = attribute_type(defs, hash, "KeySchema");
	range_type = range ? attribute_type(defs, range, "KeySchema") : NULL;
	check_table_name(name);

	/*
	 * A DynamoDB name is taken as written (case and all); a name with a dot
	 * is schema.table, as regclass reads it.
	 */
	sql_args_init(&a, "SELECT singletable.create_table(");
	sql_arg(&a, NULL, TEXTOID, CStringGetTextDatum(strchr(name, '.') ? name : quote_identifier(name)));
	sql_arg(&a, "partition_key", TEXTOID, CStringGetTextDatum(hash));
	sql_arg(&a, "partition_key_type", TEXTOID, CStringGetTextDatum(hash_type));
	if (range)
	{
		sql_arg(&a, "sort_key", TEXTOID, CStringGetTextDatum(range));
		sql_arg(&a, "sort_key_type", TEXTOID, CStringGetTextDatum(range_type));
	}
	else
	{
		/* sort_key => NULL: a hash-only table */
		sql_arg(&a, "sort_key", TEXTOID, (Datum) 0);
		a.nulls[a.n - 1] = 'n';
	}
	if (view)
		sql_arg(&a, "stream_view", TEXTOID, CStringGetTextDatum(view));
	(void) run_sql_jsonb(&a, false);
	CommandCounterIncrement();
	t = st_table_by_name(name);

	for (int k = 0; k < 2; k++)
	{
		JsonbContainer *ixs = st_field_array(r, kinds[k], "", false);
		JsonbIterator *it;
		JsonbValue	v;
		JsonbIteratorToken tok;
		int			i = 0;

		if (ixs == NULL)
			continue;
		it = JsonbIteratorInit(ixs);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			char	   *where;

			if (tok != WJB_ELEM)
				continue;
			where = psprintf("%s[%d]", kinds[k], i++);
			if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
				st_validation_error(where, "must be an object");
			create_index(t->relid, v.val.binary.data, defs, where, k == 1 ? hash : NULL, false);
		}
	}
	CommandCounterIncrement();
	return wrap_jsonb("TableDescription", describe(t->relid));
}

static const char *const table_name_fields[] = {"TableName", NULL};

static Jsonb *
op_describe_table(JsonbContainer *r)
{
	st_check_fields(r, table_name_fields, "");
	return wrap_jsonb("Table", describe(st_table_by_name(st_field_string(r, "TableName", "", true))->relid));
}

static Jsonb *
op_delete_table(JsonbContainer *r)
{
	StTable    *t;
	Jsonb	   *desc;
	SqlArgs		a;

	st_check_fields(r, table_name_fields, "");
	t = st_table_by_name(st_field_string(r, "TableName", "", true));
	desc = describe(t->relid);
	sql_args_init(&a, "SELECT singletable.drop_table(");
	sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(t->relid));
	(void) run_sql_jsonb(&a, false);
	return wrap_jsonb("TableDescription", desc);
}

static const char *const list_tables_fields[] = {"ExclusiveStartTableName", "Limit", NULL};

static Jsonb *
op_list_tables(JsonbContainer *r)
{
	char	   *start;
	int			limit;
	JsonbParseState *state = NULL;
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	uint64		n;
	uint64		shown;
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext old;
	Jsonb	   *result;

	st_check_fields(r, list_tables_fields, "");
	start = st_field_string(r, "ExclusiveStartTableName", "", false);
	limit = field_int(r, "Limit", 1, 100);
	if (limit < 0)
		limit = 100;
	values[0] = start ? CStringGetTextDatum(start) : (Datum) 0;
	nulls[0] = start ? ' ' : 'n';
	values[1] = Int32GetDatum(limit + 1);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	st_push_key(&state, "TableNames");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT name FROM singletable.list_tables() AS name "
							  "WHERE $1 IS NULL OR name COLLATE pg_catalog.\"C\" OPERATOR(pg_catalog.>) $1 "
							  "ORDER BY name COLLATE pg_catalog.\"C\" LIMIT $2",
							  2, types, values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list tables");
	n = SPI_processed;
	shown = Min(n, (uint64) limit);
	for (uint64 i = 0; i < shown; i++)
		st_push_string(&state, WJB_ELEM, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	if (n > shown)
	{
		st_push_key(&state, "LastEvaluatedTableName");
		st_push_string(&state, WJB_VALUE, SPI_getvalue(SPI_tuptable->vals[shown - 1], SPI_tuptable->tupdesc, 1));
	}
	/* the names are in SPI's memory: serialize before SPI_finish frees it */
	old = MemoryContextSwitchTo(outer);
	result = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
	MemoryContextSwitchTo(old);
	SPI_finish();
	return result;
}

static const char *const update_table_fields[] = {
	"TableName", "AttributeDefinitions", "GlobalSecondaryIndexUpdates",
	"BillingMode", "ProvisionedThroughput", "OnDemandThroughput",
	"SSESpecification", "TableClass", "DeletionProtectionEnabled",
	"StreamSpecification", NULL
};
static const char *const gsi_update_fields[] = {"Create", "Delete", "Update", NULL};
static const char *const gsi_delete_fields[] = {"IndexName", NULL};

static Jsonb *
op_update_table(JsonbContainer *r)
{
	StTable    *t;
	JsonbContainer *updates;
	JsonbContainer *defs;
	Oid			relid;
	JsonbValue	sv;

	st_check_fields(r, update_table_fields, "");
	t = st_table_by_name(st_field_string(r, "TableName", "", true));
	relid = t->relid;
	defs = st_field_array(r, "AttributeDefinitions", "", false);
	if (st_field(r, "StreamSpecification", &sv))
		st_validation_error("StreamSpecification",
							"cannot be changed by UpdateTable: every singletable table has a change stream");
	updates = st_field_array(r, "GlobalSecondaryIndexUpdates", "", false);
	if (updates)
	{
		JsonbIterator *it = JsonbIteratorInit(updates);
		JsonbValue	v;
		JsonbIteratorToken tok;
		int			i = 0;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			char	   *where;
			JsonbContainer *c;
			JsonbContainer *d;

			if (tok != WJB_ELEM)
				continue;
			where = psprintf("GlobalSecondaryIndexUpdates[%d]", i++);
			if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
				st_validation_error(where, "must be an object");
			st_check_fields(v.val.binary.data, gsi_update_fields, where);
			c = st_field_object(v.val.binary.data, "Create", where, false);
			d = st_field_object(v.val.binary.data, "Delete", where, false);
			if (c)
				/* returns at once, as DynamoDB's UpdateTable does */
				create_index(relid, c, defs, psprintf("%s.Create", where), NULL, true);
			else if (d)
			{
				SqlArgs		a;
				char	   *dw = psprintf("%s.Delete", where);

				char	   *iname;

				st_check_fields(d, gsi_delete_fields, dw);
				iname = st_field_string(d, "IndexName", dw, true);

				/*
				 * DynamoDB answers ResourceNotFoundException here, whose
				 * SQLSTATE is 42P01; 42704 stays ValidationException.
				 */
				if (st_table_find_index(st_table_lookup(relid, false), iname) == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_UNDEFINED_TABLE),
							 errmsg("index \"%s\" of table \"%s\" does not exist", iname,
									t->table_name),
							 errdetail("ResourceNotFoundException: Requested resource not found: Index: %s not found.", iname)));
				sql_args_init(&a, "SELECT singletable.drop_index(");
				sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(relid));
				sql_arg(&a, "index_name", TEXTOID, CStringGetTextDatum(iname));
				(void) run_sql_jsonb(&a, false);
			}
			/* Update: throughput only, nothing to do */
			CommandCounterIncrement();
		}
	}
	return wrap_jsonb("TableDescription", describe(relid));
}

/* ---------------------------------------------------------------------
 * Dispatch
 * ---------------------------------------------------------------------
 */
typedef Jsonb *(*OperationFn) (JsonbContainer *request);

static const char *const describe_endpoints_fields[] = {COMMON_IGNORED, NULL};

/*
 * DescribeEndpoints, which SDKs with endpoint discovery call first: one
 * endpoint, cached for a day as DynamoDB answers.  There is no other
 * address to give; the SDK adapters send every request to execute() anyway.
 */
static Jsonb *
op_describe_endpoints(JsonbContainer *r)
{
	st_check_fields(r, describe_endpoints_fields, "");
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(
		"{\"Endpoints\": [{\"Address\": \"localhost\", \"CachePeriodInMinutes\": 1440}]}")));
}

static const struct
{
	const char *name;
	OperationFn fn;
}			operations[] =
{
	{"GetItem", op_get_item},
	{"PutItem", op_put_item},
	{"DeleteItem", op_delete_item},
	{"UpdateItem", op_update_item},
	{"Query", op_query},
	{"Scan", op_scan},
	{"BatchGetItem", op_batch_get},
	{"BatchWriteItem", op_batch_write},
	{"TransactWriteItems", op_transact_write},
	{"TransactGetItems", op_transact_get},
	{"CreateTable", op_create_table},
	{"DeleteTable", op_delete_table},
	{"DescribeTable", op_describe_table},
	{"ListTables", op_list_tables},
	{"UpdateTable", op_update_table},
	{"DescribeEndpoints", op_describe_endpoints},
	{"UpdateTimeToLive", st_ttl_op_update},
	{"DescribeTimeToLive", st_ttl_op_describe},
};

/*
 * An operation by DynamoDB's name (GetItem ...), optionally with the
 * X-Amz-Target prefix "DynamoDB_20120810.", or NULL.
 */
static OperationFn
find_operation(const char *op)
{
	if (strncmp(op, "DynamoDB_20120810.", 18) == 0)
		op += 18;
	for (int i = 0; i < lengthof(operations); i++)
	{
		if (strcmp(op, operations[i].name) == 0)
			return operations[i].fn;
	}
	return NULL;
}

/* Check execute()'s arguments (fcinfo) and run the request. */
static Jsonb *
execute_request(void *arg)
{
	FunctionCallInfo fcinfo = arg;
	char	   *op;
	Jsonb	   *request;
	OperationFn fn;

	if (PG_ARGISNULL(0))
		st_validation_error("operation", "a value is required");
	op = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (PG_ARGISNULL(1))
		st_validation_error("request", "a value is required");
	request = PG_GETARG_JSONB_P(1);
	if (JB_ROOT_IS_SCALAR(request) || !JB_ROOT_IS_OBJECT(request))
		st_validation_error("request", "must be a JSON object");
	fn = find_operation(op);
	if (fn == NULL)
	{
		/* the list comes from the operations table, so it cannot fall behind */
		StringInfoData names;

		initStringInfo(&names);
		for (int i = 0; i < lengthof(operations); i++)
			appendStringInfo(&names, "%s%s", i > 0 ? ", " : "", operations[i].name);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized operation \"%s\"", op),
				 errdetail("ValidationException: The operation must be one of %s.", names.data)));
	}
	return fn(&request->root);
}

/*
 * execute(operation text, request jsonb, raise_errors boolean = true)
 * RETURNS jsonb
 *
 * With raise_errors false (NULL counts as true), DynamoDB-level errors come
 * back as DynamoDB's error body (execute_errors.c).  0.1 declared the
 * function without raise_errors: it raises.
 */
static Datum
execute_dispatch(PG_FUNCTION_ARGS)
{
	if (PG_NARGS() < 3 || PG_ARGISNULL(2) || PG_GETARG_BOOL(2))
		PG_RETURN_JSONB_P(execute_request(fcinfo));
	if (!PG_ARGISNULL(0) && find_operation(text_to_cstring(PG_GETARG_TEXT_PP(0))) == NULL)
		PG_RETURN_JSONB_P(st_unknown_operation_body());
	PG_RETURN_JSONB_P(st_execute_catching(execute_request, fcinfo));
}

/* Errors come without the SQL of the component calls made through SPI. */
ST_FUNCTION_HIDING_SQL(st_sql_execute, execute_dispatch)
