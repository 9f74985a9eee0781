/*
 * execute.c
 *	  execute(operation, request): DynamoDB's wire protocol shape.  Takes a
 *	  request as an AWS SDK sends it (typed attribute values, TableName,
 *	  Key, KeyConditionExpression ...) and returns the response DynamoDB
 *	  would send, so a thin HTTP front end can serve SDKs, and code ported
 *	  from an SDK can call Postgres with the same JSON.
 *
 *	  This file owns the SQL entry point, the operations table and its
 *	  dispatch, and the item, query, batch and transaction operations.  The
 *	  table operations are in execute_table.c, the rewriting of the legacy
 *	  parameters (KeyConditions, QueryFilter, ScanFilter, Expected,
 *	  ConditionalOperator, AttributesToGet, AttributeUpdates) into
 *	  expressions in execute_legacy.c (execute.h); both are called from
 *	  here and call nothing here.
 *
 *	  Item operations call the C entry points directly (items.c, batch.c,
 *	  transact.c) with typed<->plain conversion (typedjson.c) at the edges;
 *	  Query and Scan call the SQL functions singletable.query and scan
 *	  through SPI with named arguments (request.c), so they behave exactly as
 *	  when called from SQL.
 *
 *	  Every operation checks in DynamoDB's order: the whole request first
 *	  (parameters, expressions, typed values), then the table it names,
 *	  then what needs the table (the key against its schema), then works;
 *	  batch.c and transact.c do the same over all their tables.
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
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/snapmgr.h"

#include "batch.h"
#include "catalog.h"
#include "errors.h"
#include "execute.h"
#include "execute_errors.h"
#include "expr.h"
#include "items.h"
#include "keys.h"
#include "query.h"
#include "request.h"
#include "ttl.h"
#include "typedjson.h"

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

/* {"<key>": typed item} or {} when item is NULL, built without a parse state */
static Jsonb *
wrap_typed_item(const char *key, Jsonb *item)
{
	JsonbValue	root;
	JsonbPair	pair;

	root.type = jbvObject;
	root.val.object.nPairs = 0;
	root.val.object.pairs = &pair;
	if (item)
	{
		pair.key.type = jbvString;
		pair.key.val.string.val = (char *) key;
		pair.key.val.string.len = strlen(key);
		pair.value = *st_typed_item_value(item);
		pair.order = 0;
		root.val.object.nPairs = 1;
	}
	return JsonbValueToJsonb(&root);
}

/* A boolean field: 1 or 0, or -1 when absent. */
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

/*
 * ExpressionAttributeValues needs one of the operation's expressions that
 * take values (first, and second when not NULL), as in DynamoDB; checked
 * with the parameter mixes, before the typed values.
 */
static void
check_values_need_expression(JsonbContainer *r, const char *first, const char *second)
{
	JsonbValue	v;

	if (!st_field(r, "ExpressionAttributeValues", &v) || st_field(r, first, &v) ||
		(second && st_field(r, second, &v)))
		return;
	if (second)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"ExpressionAttributeValues\": it needs an expression parameter"),
				 errdetail("ValidationException: ExpressionAttributeValues can only be specified when using expressions: %s and %s are null.",
						   first, second)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid request field \"ExpressionAttributeValues\": it needs an expression parameter"),
			 errdetail("ValidationException: ExpressionAttributeValues can only be specified when using expressions: %s is null.",
					   first)));
}

/*
 * An empty ExpressionAttributeNames or ExpressionAttributeValues (member)
 * is a ValidationException in DynamoDB; the SQL functions take '{}' as
 * none.  Names are checked before their placeholders, values after; the
 * names' placeholders right after, before the values are looked at.
 */
static void
check_placeholder_map(JsonbContainer *r, const char *member)
{
	JsonbValue	v;

	if (!st_field(r, member, &v) || v.type != jbvBinary ||
		!JsonContainerIsObject(v.val.binary.data))
		return;
	if (JsonContainerSize(v.val.binary.data) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"%s\": must not be empty", member),
				 errdetail("ValidationException: %s must not be empty.", member),
				 errhint("Leave %s out when the expressions use no placeholders.", member)));
	if (strcmp(member, "ExpressionAttributeNames") == 0)
		st_expr_check_placeholders(JsonbValueToJsonb(&v), '#', member);
}

/* A typed attribute map field (Key, Item, ExclusiveStartKey ...) in plain JSON. */
static Jsonb *
typed_field(JsonbContainer *r, const char *name, bool required)
{
	Jsonb	   *j = st_field_jsonb(r, name, "", required);

	return j ? st_from_typed_item(j) : NULL;
}

/*
 * The plain values of a GetItem request's typed Key, each converted once:
 * check_typed_key, which needs no table, converts them, and typed_key reads
 * them once the table is known.  Only the first two members are kept: a
 * key of more members is no table's key.
 */
typedef struct TypedKey
{
	int			n;				/* members of the Key */
	char	   *names[2];
	JsonbValue *plain[2];
} TypedKey;

/* The plain value of attribute attr in tk, or NULL. */
static JsonbValue *
typed_key_value(TypedKey *tk, const char *attr)
{
	for (int i = 0; i < Min(tk->n, 2); i++)
	{
		if (strcmp(tk->names[i], attr) == 0)
			return tk->plain[i];
	}
	return NULL;
}

/*
 * The typed Key of a request as key column Datums, without building the
 * plain key first (GetItem's hot path), from the values check_typed_key
 * converted.  Anything unusual takes the general path, which raises the
 * usual errors.
 */
static void
typed_key(StTable *t, JsonbContainer *r, TypedKey *tk, Datum *keys)
{
	int			nkeys = t->sk_attr ? 2 : 1;
	JsonbValue *plain[2];

	if (tk->n != nkeys ||
		(plain[0] = typed_key_value(tk, t->pk_attr)) == NULL ||
		(t->sk_attr && (plain[1] = typed_key_value(tk, t->sk_attr)) == NULL))
	{
		st_parse_key_arg(t, typed_field(r, "Key", true), keys);
		return;
	}
	for (int i = 0; i < nkeys; i++)
	{
		const char *attr = i == 0 ? t->pk_attr : t->sk_attr;

		keys[i] = st_key_param_datum(plain[i], attr,
									 i == 0 ? t->pk_type : t->sk_type,
									 i == 0 ? ST_MAX_PARTITION_KEY_BYTES : ST_MAX_SORT_KEY_BYTES,
									 i == 0);
	}
}

/*
 * Check the shapes of the typed values of a request's Key, which need no
 * table, without building the plain key; the values converted go into *tk
 * for typed_key.
 */
static void
check_typed_key(JsonbContainer *r, TypedKey *tk)
{
	JsonbIterator *it = JsonbIteratorInit(st_field_object(r, "Key", "", true));
	JsonbValue	k;
	JsonbValue	v;
	JsonbIteratorToken tok;

	tk->n = 0;
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *name;
		JsonbValue *plain;

		if (tok != WJB_KEY)
			continue;
		CHECK_FOR_INTERRUPTS();
		name = pnstrdup(k.val.string.val, k.val.string.len);
		(void) JsonbIteratorNext(&it, &v, true);
		plain = st_typed_value_to_plain(&v, name);
		if (tk->n < 2)
		{
			tk->names[tk->n] = name;
			tk->plain[tk->n] = plain;
		}
		tk->n++;
	}
}

/*
 * An item as this request's own writes left it: the statement's snapshot
 * does not see them, a copy of it with the current command ID does.
 */
static Jsonb *
fetch_written(Oid relid, Datum *keys)
{
	Jsonb	   *item;

	CommandCounterIncrement();
	PushCopiedSnapshot(GetActiveSnapshot());
	UpdateActiveSnapshotCommandId();
	item = st_fetch_item(st_table_lookup(relid, false), keys);
	PopActiveSnapshot();
	return item;
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
	char	   *name;
	Datum		keys[2];
	Jsonb	   *item;
	StExprContext cx;
	StExpr	   *projection = NULL;
	char	   *proj;
	List	   *attrs;
	StCapacity	cap;
	bool		consistent;
	TypedKey	tk;

	st_check_fields(r, get_item_fields, "");
	st_capacity_init(&cap, r);
	name = st_field_string(r, "TableName", "", true);
	/* DynamoDB's order: the parameter mix, the Key's values, AttributesToGet */
	st_legacy_check_no_mix(r);
	check_typed_key(r, &tk);
	attrs = st_attributes_to_get(r, "");
	consistent = field_bool(r, "ConsistentRead") == 1;
	check_placeholder_map(r, "ExpressionAttributeNames");
	st_expr_context_init(&cx, st_field_jsonb(r, "ExpressionAttributeNames", "", false), NULL);
	proj = st_field_string(r, "ProjectionExpression", "", false);
	if (proj)
		projection = st_parse_projection(&cx, proj);
	st_expr_check_unused(&cx);

	/* the request is well formed: now the table, then the key against it */
	t = st_table_by_name(name);
	typed_key(t, r, &tk, keys);
	if (projection)
		st_expr_check_key_paths(t, projection, "projection");
	item = st_fetch_item(t, keys);
	if (cap.mode != ST_CAPACITY_NONE)
		st_capacity_read(&cap, t->relid, NULL, item ? st_item_size(item) : 0, consistent, 1);
	if (item && projection)
		item = st_apply_projection(&cx, projection, item);
	else if (item && attrs)
		item = st_project_top_level(item, attrs);
	return st_capacity_response(&cap, wrap_typed_item("Item", item), false);
}

/*
 * The expression context of a write, with its condition from
 * ConditionExpression or the legacy Expected.
 */
static void
write_context(JsonbContainer *r, StWriteRequest *req, StExprContext *cx,
			  const char *update_text, StLegacy *lg)
{
	JsonbContainer *expected = st_legacy_object(r, "Expected");
	const char *op = st_legacy_conditional_operator(r, expected != NULL);
	char	   *cond = st_field_string(r, "ConditionExpression", "", false);
	Jsonb	   *names;
	Jsonb	   *values;

	if (expected)
		cond = st_legacy_conditions(lg, expected, "Expected", op, false);
	check_placeholder_map(r, "ExpressionAttributeNames");
	st_legacy_placeholders(r, lg, &names, &values);
	st_expr_context_init(cx, names, values);
	check_placeholder_map(r, "ExpressionAttributeValues");
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
static const char *const delete_item_fields[] = {
	"TableName", "Key", "ConditionExpression", "ExpressionAttributeNames",
	"ExpressionAttributeValues", "ReturnValues", "ReturnValuesOnConditionCheckFailure",
	"Expected", "ConditionalOperator", COMMON_IGNORED, NULL
};
static const char *const update_item_fields[] = {
	"TableName", "Key", "UpdateExpression", "ConditionExpression",
	"ExpressionAttributeNames", "ExpressionAttributeValues", "ReturnValues",
	"ReturnValuesOnConditionCheckFailure", "Expected", "ConditionalOperator",
	"AttributeUpdates", COMMON_IGNORED, NULL
};

/*
 * PutItem (the Item), DeleteItem and UpdateItem (the Key; UpdateItem's
 * UpdateExpression or legacy AttributeUpdates) through st_write_item().
 */
static Jsonb *
op_write_item(JsonbContainer *r, StWriteKind kind)
{
	StWriteRequest req = {0};
	StExprContext cx;
	StLegacy	lg;
	char	   *name;
	char	   *update = NULL;
	bool		legacy_update = false;
	StCapacity	cap;
	Jsonb	   *old_item = NULL;
	Jsonb	   *result;
	Oid			relid;

	st_check_fields(r, kind == ST_WRITE_PUT ? put_item_fields :
					kind == ST_WRITE_DELETE ? delete_item_fields : update_item_fields, "");
	st_capacity_init(&cap, r);
	st_legacy_init(&lg);
	req.kind = kind;
	name = st_field_string(r, "TableName", "", true);
	/* DynamoDB checks the parameter mix before the Item's or Key's values */
	st_legacy_check_no_mix(r);
	if (kind == ST_WRITE_UPDATE)
		check_values_need_expression(r, "UpdateExpression", "ConditionExpression");
	else
		check_values_need_expression(r, "ConditionExpression", NULL);
	if (kind == ST_WRITE_PUT)
		req.item = typed_field(r, "Item", true);
	else
		req.key = typed_field(r, "Key", true);
	if (kind == ST_WRITE_UPDATE)
	{
		JsonbContainer *updates;

		req.return_values = return_values(r, "UpdateItem", ST_RV_ALL, &req.old_on_failure);
		update = st_field_string(r, "UpdateExpression", "", false);
		updates = st_field_object(r, "AttributeUpdates", "", false);
		if (updates)
			update = st_legacy_attribute_updates(&lg, updates);
		legacy_update = updates != NULL;
	}
	else
		req.return_values = return_values(r, kind == ST_WRITE_PUT ? "PutItem" : "DeleteItem",
										  ST_RV_PUT_DELETE, &req.old_on_failure);
	/* DynamoDB measures the Item before it looks at Expected */
	if (kind == ST_WRITE_PUT)
		st_check_item_size(req.item);
	write_context(r, &req, &cx, update, &lg);
	if (legacy_update && req.update)
		st_update_mark_legacy(req.update);
	if (kind == ST_WRITE_PUT)
		/* always: the direct write path relies on it (see StWriteRequest) */
		st_validate_item(req.item);

	/* the request is well formed: now the table, then the key against it */
	req.table = st_table_by_name(name);
	if (kind != ST_WRITE_PUT)
		st_parse_key_arg(req.table, req.key, req.keys);
	if (kind == ST_WRITE_UPDATE)
		req.key_attrs = st_key_attr_list(req.table);
	if (kind == ST_WRITE_PUT &&
		(req.condition || req.return_values != ST_RETURN_NONE || cap.mode != ST_CAPACITY_NONE))
		st_item_key_datums(req.table, req.item, req.keys);

	/* capacity is counted on the items before and after the write */
	relid = req.table->relid;
	if (cap.mode != ST_CAPACITY_NONE)
		old_item = st_fetch_item(req.table, req.keys);
	result = st_write_item(&req);
	if (cap.mode != ST_CAPACITY_NONE)
		st_capacity_write(&cap, relid, old_item,
						  kind == ST_WRITE_PUT ? req.item : kind == ST_WRITE_DELETE ? NULL :
						  fetch_written(relid, req.keys), 1);
	return st_capacity_response(&cap, wrap_typed_item("Attributes", result), false);
}

static Jsonb *
op_put_item(JsonbContainer *r)
{
	return op_write_item(r, ST_WRITE_PUT);
}

static Jsonb *
op_delete_item(JsonbContainer *r)
{
	return op_write_item(r, ST_WRITE_DELETE);
}

static Jsonb *
op_update_item(JsonbContainer *r)
{
	return op_write_item(r, ST_WRITE_UPDATE);
}

/* ---------------------------------------------------------------------
 * Query and Scan: singletable.query / singletable.scan through SPI
 * ---------------------------------------------------------------------
 */

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

/*
 * DynamoDB's rule for reading a global secondary index: no consistent
 * reads.  Returns true when the read of an index asks for whole items
 * (Select ALL_ATTRIBUTES): a local index fetches them from the table, and
 * query() and scan() refuse it, in DynamoDB's order of checks, for a global
 * index that does not project them all.  An unknown index is left to
 * singletable.query and scan.
 */
static bool
check_index_read(StTable *t, const char *index, bool consistent, const char *select)
{
	StIndex    *ix = index ? st_table_find_index(t, index) : NULL;

	if (ix == NULL)
		return false;
	if (consistent && !ix->local)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"ConsistentRead\": index \"%s\" is a global secondary index", index),
				 errdetail("ValidationException: Consistent reads are not supported on global secondary indexes."),
				 errhint("Leave ConsistentRead out: singletable's index reads are strongly consistent anyway.")));
	return select && strcmp(select, "ALL_ATTRIBUTES") == 0;
}

/*
 * A QueryFilter may not name the key attributes of what the query reads
 * (the table's, or the index's); singletable.query checks the same of a
 * FilterExpression.
 */
static void
check_query_filter_keys(StTable *t, const char *index, JsonbContainer *filter)
{
	StIndex    *ix = index ? st_table_find_index(t, index) : NULL;
	const char *keys[2] = {t->pk_attr, t->sk_attr};

	if (index && ix == NULL)
		return;					/* singletable.query raises the error */
	if (ix)
	{
		keys[0] = ix->pk_attr;
		keys[1] = ix->sk_attr;
	}
	for (int i = 0; i < 2; i++)
	{
		JsonbValue	v;

		if (keys[i] && getKeyJsonValueFromContainer(filter, keys[i], strlen(keys[i]), &v))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the filter of a query cannot name key attribute \"%s\"", keys[i]),
					 errdetail("ValidationException: QueryFilter can only contain non-primary key attributes: Primary key attribute: %s.", keys[i]),
					 errhint("Put conditions on the key attributes in KeyConditions.")));
	}
}

/*
 * A Query's or Scan's expressions (those given as expressions, not made
 * from legacy parameters), checked as DynamoDB checks them before it looks
 * the table up: each parsed in turn (the key condition, the filter, the
 * projection), then the key condition's form, then every placeholder used
 * (all_expressions: no legacy parameter brought its own).  query() and
 * scan() parse them again against the table.
 */
static void
check_read_expressions(const char *keycond, const char *filter, const char *proj,
					   Jsonb *names, Jsonb *values, bool all_expressions)
{
	StExprContext cx;

	st_expr_context_init(&cx, names, values);
	if (keycond)
		(void) st_parse_condition(&cx, keycond, "key condition");
	if (filter)
		(void) st_parse_condition(&cx, filter, "filter");
	if (proj)
		(void) st_parse_projection(&cx, proj);
	if (keycond)
		(void) st_parse_query_key_condition(&cx, keycond);
	if (all_expressions)
		st_expr_check_unused(&cx);
}

/*
 * Run the query() or scan() call a; all_attributes asks a local index's
 * whole items (st_read_all_attributes, which query() and scan() clear when
 * they start, and this clears if they never do); measure, the page's
 * sizes for ConsumedCapacity (st_measure_page).
 */
static Jsonb *
run_read(StSqlArgs *a, bool all_attributes, bool measure)
{
	Jsonb	   *page;

	st_read_all_attributes = all_attributes;
	st_measure_page = measure;
	PG_TRY();
	{
		page = st_sql_run_jsonb(a, true);
	}
	PG_FINALLY();
	{
		st_read_all_attributes = false;
		st_measure_page = false;
		st_key_not_indexable = NIL;
	}
	PG_END_TRY();
	return page;
}

static Jsonb *
op_query_or_scan(JsonbContainer *r, bool is_query)
{
	StTable    *t;
	StSqlArgs	a;
	char	   *index;
	char	   *keycond = NULL;
	char	   *filter;
	char	   *proj;
	char	   *select;
	Jsonb	   *names;
	Jsonb	   *values;
	Jsonb	   *start;
	int			limit;
	int			forward = -1;
	int			segment = -1;
	int			total = -1;
	char	   *name;
	StLegacy	lg;
	List	   *attrs;
	JsonbContainer *legacy_filter;
	JsonbContainer *kc = NULL;
	const char *op;
	bool		count_only = false;
	bool		consistent;
	bool		all_attributes;
	StCapacity	cap;
	Jsonb	   *page;

	st_check_fields(r, is_query ? query_fields : scan_fields, "");
	st_capacity_init(&cap, r);
	st_legacy_init(&lg);
	name = st_field_string(r, "TableName", "", true);
	st_legacy_check_no_mix(r);
	check_values_need_expression(r, "FilterExpression", is_query ? "KeyConditionExpression" : NULL);
	index = st_field_string(r, "IndexName", "", false);
	filter = st_field_string(r, "FilterExpression", "", false);
	proj = st_field_string(r, "ProjectionExpression", "", false);
	select = st_field_string(r, "Select", "", false);
	limit = st_field_int(r, "Limit", 1, ST_MAX_LIMIT);
	consistent = field_bool(r, "ConsistentRead") == 1;

	/*
	 * DynamoDB's order: the filter's conditions (after AttributesToGet in
	 * a scan, before it in a query), the start key's values, then the key
	 * condition's presence, KeyConditions and the expressions.
	 */
	legacy_filter = st_legacy_object(r, is_query ? "QueryFilter" : "ScanFilter");
	op = st_legacy_conditional_operator(r, legacy_filter != NULL);
	attrs = is_query ? NIL : st_attributes_to_get(r, "");
	if (legacy_filter)
		filter = st_legacy_conditions(&lg, legacy_filter, is_query ? "QueryFilter" : "ScanFilter",
									  op, false);
	if (is_query)
		attrs = st_attributes_to_get(r, "");
	if (attrs)
		proj = st_legacy_projection(&lg, attrs);
	start = st_field_jsonb(r, "ExclusiveStartKey", "", false);
	if (start)
		start = st_from_typed_start_key(start);
	if (is_query)
	{
		kc = st_field_object(r, "KeyConditions", "", false);
		keycond = st_field_string(r, "KeyConditionExpression", "", false);
		if (kc == NULL && keycond == NULL)
			st_validation_error("KeyConditionExpression", "a value is required: either KeyConditionExpression or KeyConditions");
		if (kc)
			keycond = st_legacy_conditions(&lg, kc, "KeyConditions", "AND", true);
	}
	if (!is_query)
	{
		/* DynamoDB checks the segments before the placeholder maps */
		segment = st_field_int(r, "Segment", 0, ST_MAX_TOTAL_SEGMENTS - 1);
		total = st_field_int(r, "TotalSegments", 1, ST_MAX_TOTAL_SEGMENTS);
		st_check_scan_segments(segment >= 0, segment, total >= 0, total);
	}
	check_placeholder_map(r, "ExpressionAttributeNames");
	check_placeholder_map(r, "ExpressionAttributeValues");
	st_legacy_placeholders(r, &lg, &names, &values);
	check_read_expressions(kc ? NULL : keycond, legacy_filter ? NULL : filter, attrs ? NULL : proj,
						   names, values, kc == NULL && legacy_filter == NULL && attrs == NIL);

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

	if (is_query)
		forward = field_bool(r, "ScanIndexForward");

	/*
	 * The request is well formed: now the table, then what needs it (the
	 * index, the legacy key operators and filter); query() and scan() check
	 * the key condition and start key against it.
	 */
	t = st_table_by_name(name);
	all_attributes = check_index_read(t, index, consistent, select);
	if (is_query && legacy_filter)
		check_query_filter_keys(t, index, legacy_filter);
	st_sql_args_init(&a, is_query ? "SELECT singletable.query(" : "SELECT singletable.scan(");
	st_sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(t->relid));
	if (keycond)
		st_sql_arg(&a, "key_condition", TEXTOID, CStringGetTextDatum(keycond));
	if (names)
		st_sql_arg(&a, "names", JSONBOID, JsonbPGetDatum(names));
	if (values)
		st_sql_arg(&a, "\"values\"", JSONBOID, JsonbPGetDatum(values));
	if (index)
		st_sql_arg(&a, "index", TEXTOID, CStringGetTextDatum(index));
	if (filter)
		st_sql_arg(&a, "filter", TEXTOID, CStringGetTextDatum(filter));
	if (proj)
		st_sql_arg(&a, "projection", TEXTOID, CStringGetTextDatum(proj));
	if (limit > 0)
		st_sql_arg(&a, "\"limit\"", INT4OID, Int32GetDatum(limit));
	if (start)
		st_sql_arg(&a, "start_key", JSONBOID, JsonbPGetDatum(start));
	if (forward >= 0)
		st_sql_arg(&a, "forward", BOOLOID, BoolGetDatum(forward == 1));
	if (segment >= 0)
	{
		st_sql_arg(&a, "segment", INT4OID, Int32GetDatum(segment));
		st_sql_arg(&a, "total_segments", INT4OID, Int32GetDatum(total));
	}
	st_key_not_indexable = lg.not_indexable;
	page = page_to_wire(run_read(&a, all_attributes, cap.mode != ST_CAPACITY_NONE), count_only);
	st_capacity_read(&cap, t->relid, index, st_last_page_bytes, consistent, 1);
	if (st_last_page_fetched_blocks > 0)
		st_capacity_read(&cap, t->relid, NULL, st_last_page_fetched_blocks * 4096, consistent, 1);
	return st_capacity_response(&cap, page, false);
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

/*
 * One item a batch or transaction reads or writes, for ReturnConsumedCapacity:
 * its table and key, the item before, and for a put the item written.
 */
typedef struct CapacityTarget
{
	Oid			relid;
	Datum		keys[2];
	bool		read;			/* Get, ConditionCheck, BatchGetItem's keys */
	bool		consistent;
	Jsonb	   *put;			/* Put, PutRequest: the plain item */
	Jsonb	   *before;
} CapacityTarget;

/* The plain item of a typed item member (Item, Key), or NULL. */
static Jsonb *
plain_member(JsonbContainer *obj, const char *name)
{
	JsonbValue	v;

	if (!st_field(obj, name, &v) || v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		return NULL;
	return st_from_typed_item(JsonbValueToJsonb(&v));
}

/*
 * Add the target of body (a Put, Update, Delete, ConditionCheck, Get, or a
 * batch's PutRequest or DeleteRequest) of table t (NULL: its TableName);
 * a malformed one is skipped, left to the operation to report.
 */
static void
add_target(List **targets, JsonbContainer *body, StTable *t, bool put, bool read, bool consistent)
{
	CapacityTarget *c = palloc0(sizeof(CapacityTarget));
	Jsonb	   *key;

	if (body == NULL)
		return;
	if (t == NULL)
	{
		char	   *name = st_field_string(body, "TableName", "", false);

		if (name == NULL)
			return;
		t = st_table_by_name(name);
	}
	c->relid = t->relid;
	c->read = read;
	c->consistent = consistent;
	if (put)
	{
		if ((c->put = plain_member(body, "Item")) == NULL)
			return;
		st_item_key_datums(t, c->put, c->keys);
	}
	else if ((key = plain_member(body, "Key")) != NULL)
		st_parse_key_arg(t, key, c->keys);
	else
		return;
	c->before = st_fetch_item(t, c->keys);
	*targets = lappend(*targets, c);
}

/* The targets of TransactItems, each read before the transaction runs. */
static List *
transact_targets(JsonbContainer *items)
{
	List	   *targets = NIL;
	JsonbIterator *it = JsonbIteratorInit(items);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbContainer *e;

		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_ELEM || v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			continue;
		e = v.val.binary.data;
		add_target(&targets, st_member_object(e, "Put"), NULL, true, false, true);
		add_target(&targets, st_member_object(e, "Update"), NULL, false, false, true);
		add_target(&targets, st_member_object(e, "Delete"), NULL, false, false, true);
		add_target(&targets, st_member_object(e, "ConditionCheck"), NULL, false, true, true);
		add_target(&targets, st_member_object(e, "Get"), NULL, false, true, true);
	}
	return targets;
}

/* The targets of a BatchGetItem's or BatchWriteItem's RequestItems. */
static List *
batch_targets(JsonbContainer *request_items, bool get)
{
	List	   *targets = NIL;
	JsonbIterator *it = JsonbIteratorInit(request_items);
	JsonbValue	k;
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		StTable    *t;
		JsonbContainer *list;
		bool		consistent = false;

		if (tok != WJB_KEY)
			continue;
		(void) JsonbIteratorNext(&it, &v, true);
		if (v.type != jbvBinary)
			continue;
		t = st_table_by_name(pnstrdup(k.val.string.val, k.val.string.len));
		list = v.val.binary.data;
		if (get)
		{
			JsonbValue	cr;
			JsonbValue	keys;

			consistent = st_field(list, "ConsistentRead", &cr) && cr.type == jbvBool && cr.val.boolean;
			if (!JsonContainerIsObject(list) || !st_field(list, "Keys", &keys) || keys.type != jbvBinary)
				continue;
			list = keys.val.binary.data;
		}
		if (!JsonContainerIsArray(list))
			continue;
		for (int i = 0; i < JsonContainerSize(list); i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(list, i);
			JsonbParseState *st = NULL;
			JsonbContainer *body;

			CHECK_FOR_INTERRUPTS();
			if (e == NULL || e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data))
				continue;
			if (!get)
			{
				add_target(&targets, st_member_object(e->val.binary.data, "PutRequest"), t, true, false, true);
				add_target(&targets, st_member_object(e->val.binary.data, "DeleteRequest"), t, false, false, true);
				continue;
			}
			/* a key of BatchGetItem: as {"Key": key} */
			pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
			st_push_key(&st, "Key");
			pushJsonbValue(&st, WJB_VALUE, e);
			body = &JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL))->root;
			add_target(&targets, body, t, false, true, consistent);
		}
	}
	return targets;
}

/* Count the targets once the operation ran; factor 2 for transactions. */
static void
count_targets(StCapacity *cap, List *targets, double factor)
{
	ListCell   *lc;

	foreach(lc, targets)
	{
		CapacityTarget *c = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (c->read)
			st_capacity_read(cap, c->relid, NULL, c->before ? st_item_size(c->before) : 0,
							 c->consistent, factor);
		else
			st_capacity_write(cap, c->relid, c->before,
							  c->put ? c->put : fetch_written(c->relid, c->keys), factor);
	}
}

/*
 * The parameter mixes of each table of a BatchGetItem, as GetItem's, in
 * DynamoDB's order: before the keys and projections (st_batch_get).
 */
static void
check_batch_get_mixes(JsonbContainer *items)
{
	JsonbIterator *it = JsonbIteratorInit(items);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_VALUE || v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			continue;
		st_legacy_check_no_mix(v.val.binary.data);
		check_placeholder_map(v.val.binary.data, "ExpressionAttributeNames");
	}
}

static Jsonb *
op_batch_get(JsonbContainer *r)
{
	StCapacity	cap;
	JsonbContainer *items;
	List	   *targets = NIL;
	Jsonb	   *result;

	st_check_fields(r, batch_get_fields, "");
	st_capacity_init(&cap, r);
	items = st_field_object(r, "RequestItems", "", true);
	check_batch_get_mixes(items);
	result = st_batch_get(items, true);
	if (cap.mode != ST_CAPACITY_NONE)
	{
		targets = batch_targets(items, true);
		count_targets(&cap, targets, 1);
	}
	return st_capacity_response(&cap, result, true);
}

static Jsonb *
op_batch_write(JsonbContainer *r)
{
	StCapacity	cap;
	JsonbContainer *items;
	List	   *targets = NIL;
	Jsonb	   *result;

	st_check_fields(r, batch_write_fields, "");
	st_capacity_init(&cap, r);
	items = st_field_object(r, "RequestItems", "", true);
	if (cap.mode != ST_CAPACITY_NONE)
		targets = batch_targets(items, false);
	result = st_batch_write(items, true);
	count_targets(&cap, targets, 1);
	return st_capacity_response(&cap, result, true);
}

static Jsonb *
op_transact_write(JsonbContainer *r)
{
	JsonbContainer *items;
	char	   *token;
	JsonbValue	v;
	StCapacity	cap;
	List	   *targets = NIL;
	Jsonb	   *result;

	st_check_fields(r, transact_write_fields, "");
	st_capacity_init(&cap, r);
	token = st_field_string(r, "ClientRequestToken", "", false);
	items = st_field_array(r, "TransactItems", "", true);
	if (cap.mode != ST_CAPACITY_NONE)
		targets = transact_targets(items);
	if (token && st_field(r, "TransactItems", &v))
		result = st_transact_write_idempotent(JsonbValueToJsonb(&v), token, true);
	else
		result = st_transact_write(items, true);
	count_targets(&cap, targets, 2);
	return st_capacity_response(&cap, result, true);
}

static Jsonb *
op_transact_get(JsonbContainer *r)
{
	StCapacity	cap;
	JsonbContainer *items;
	Jsonb	   *result;

	st_check_fields(r, transact_get_fields, "");
	st_capacity_init(&cap, r);
	items = st_field_array(r, "TransactItems", "", true);
	result = st_transact_get(items, true);
	if (cap.mode != ST_CAPACITY_NONE)
		count_targets(&cap, transact_targets(items), 2);
	return st_capacity_response(&cap, result, true);
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
	{"CreateTable", st_op_create_table},
	{"DeleteTable", st_op_delete_table},
	{"DescribeTable", st_op_describe_table},
	{"ListTables", st_op_list_tables},
	{"UpdateTable", st_op_update_table},
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
	if (fn != NULL)
	{
		/* every operation takes ReturnConsumedCapacity: check its value */
		StCapacity	cap;

		st_request_constraints(strncmp(op, "DynamoDB_20120810.", 18) == 0 ? op + 18 : op,
							   &request->root);
		st_capacity_init(&cap, &request->root);
	}
	else
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
