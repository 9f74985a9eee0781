/*
 * execute_constraints.c
 *	  DynamoDB's request constraints, per operation, checked before anything
 *	  else of a request: members that must not be null, lengths, name
 *	  patterns, enum value sets and ranges.  All violations of a request are
 *	  collected (request.c, StViolations) and raised once in DynamoDB's
 *	  constraint-list wording, "3 validation errors detected: a; b; c", with
 *	  DynamoDB's member paths ("keySchema.1.member.attributeName").
 *
 *	  Member types are left to the operations (execute.c, execute_table.c):
 *	  a value of the wrong JSON type is skipped here and reported there, as
 *	  is everything that needs more than the member itself (expressions,
 *	  typed values, keys, parameter mixes).  The lists are DynamoDB's, in
 *	  the order DynamoDB lists them where a request has more violations
 *	  than it reports (ST_MAX_VIOLATIONS).
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/jsonb.h"

#include "execute.h"
#include "request.h"
#include "settings.h"

#define CAPACITY_SET "[INDEXES, TOTAL, NONE]"
#define METRICS_SET "[SIZE, NONE]"
#define RETURN_VALUES_SET "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
#define OPERATOR_SET "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
#define SELECT_SET "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
#define PROJECTION_SET "[ALL, INCLUDE, KEYS_ONLY]"

/* ProvisionedThroughput's units: DynamoDB's lower bound (the upper is a later check) */
#define MAX_UNITS PG_INT64_MAX

/*
 * Whether a table name needs no name check: a name DynamoDB accepts passes
 * the checks anyway, so only another name costs a catalog lookup, which
 * passes it when it names an existing table (a table made from SQL may
 * have a name DynamoDB refuses, "ab"; naming it is not a violation).
 */
static bool
name_acceptable(const char *s, int len)
{
	return st_is_dynamodb_name(s, len) || st_table_by_name_if_exists(pnstrdup(s, len)) != NULL;
}

/* name_acceptable for a request's TableName: false when absent or not a string */
static bool
table_name_acceptable(JsonbContainer *r)
{
	JsonbValue	name;

	return st_field(r, "TableName", &name) && name.type == jbvString &&
		name_acceptable(name.val.string.val, name.val.string.len);
}

/* The TableName of a request on an existing table: checked unless it exists */
static void
table_reference(StViolations *v, JsonbContainer *r)
{
	if (!table_name_acceptable(r))
		st_check_name(v, r, "TableName", "", true);
}

/*
 * An IndexName (at prefix; required there) naming an index to read, update
 * or delete: DynamoDB checks its pattern and its length (3 to 255) as for
 * a new index, before it looks the index up.
 */
static void
index_reference(StViolations *v, JsonbContainer *obj, const char *prefix)
{
	st_check_name(v, obj, "IndexName", prefix, prefix[0] != '\0');
}

/*
 * The objects of a map member (Expected, KeyConditions ...) each checked by
 * check with its path ("expected.a.member"), in the map's order.
 */
static void
each_map_value(StViolations *v, JsonbContainer *obj, const char *field,
			   void (*check) (StViolations *v, JsonbContainer *value, const char *path))
{
	JsonbContainer *map = st_member_object(obj, field);
	char	   *path = st_member_path("", field);
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	val;
	JsonbIteratorToken tok;

	if (map == NULL)
		return;
	it = JsonbIteratorInit(map);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_KEY)
			continue;
		(void) JsonbIteratorNext(&it, &val, true);
		if (val.type == jbvBinary && JsonContainerIsObject(val.val.binary.data))
			check(v, val.val.binary.data,
				  psprintf("%s.%s.member", path, pnstrdup(k.val.string.val, k.val.string.len)));
	}
}

/*
 * The objects of an array member each checked by check with its path
 * ("keySchema.1.member": DynamoDB counts from 1).
 */
static void
each_element(StViolations *v, JsonbContainer *arr, const char *path,
			 void (*check) (StViolations *v, JsonbContainer *elem, const char *path))
{
	int			n = arr ? JsonContainerSize(arr) : 0;

	for (int i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr, i);

		CHECK_FOR_INTERRUPTS();
		if (e->type == jbvBinary && JsonContainerIsObject(e->val.binary.data))
			check(v, e->val.binary.data, psprintf("%s.%d.member", path, i + 1));
	}
}

/* A legacy condition (Expected, KeyConditions, QueryFilter, ScanFilter) */
static void
optional_operator(StViolations *v, JsonbContainer *cond, const char *path)
{
	st_check_enum(v, cond, "ComparisonOperator", path, false, OPERATOR_SET);
}

static void
required_operator(StViolations *v, JsonbContainer *cond, const char *path)
{
	st_check_enum(v, cond, "ComparisonOperator", path, true, OPERATOR_SET);
}

/* ---------------------------------------------------------------------
 * Item, query, batch and transaction operations
 * ---------------------------------------------------------------------
 */

static void
get_item(StViolations *v, JsonbContainer *r, bool unused)
{
	st_check_length(v, r, "AttributesToGet", "", 1, -1);
	st_check_enum(v, r, "ReturnConsumedCapacity", "", false, CAPACITY_SET);
	st_check_required(v, r, "Key", "", NULL);
	table_reference(v, r);
}

/* PutItem (put), DeleteItem and UpdateItem */
static void
write_item(StViolations *v, JsonbContainer *r, bool put)
{
	st_check_enum(v, r, "ReturnConsumedCapacity", "", false, CAPACITY_SET);
	table_reference(v, r);
	st_check_required(v, r, put ? "Item" : "Key", "", NULL);
	st_check_enum(v, r, "ReturnValues", "", false, RETURN_VALUES_SET);
	st_check_enum(v, r, "ReturnItemCollectionMetrics", "", false, METRICS_SET);
	st_check_enum(v, r, "ReturnValuesOnConditionCheckFailure", "", false, "[ALL_OLD, NONE]");
	st_check_enum(v, r, "ConditionalOperator", "", false, "[OR, AND]");
	each_map_value(v, r, "Expected", optional_operator);
}

/* Query and Scan, in DynamoDB's order (a request may have more than 10) */
static void
query_or_scan(StViolations *v, JsonbContainer *r, bool is_query)
{
	st_check_enum(v, r, "Select", "", false, SELECT_SET);
	index_reference(v, r, "");
	if (!is_query)
		st_check_range(v, r, "TotalSegments", "", false, 1, 1000000);
	st_check_enum(v, r, "ReturnConsumedCapacity", "", false, CAPACITY_SET);
	if (is_query)
		each_map_value(v, r, "QueryFilter", required_operator);
	table_reference(v, r);
	st_check_enum(v, r, "ConditionalOperator", "", false, "[OR, AND]");
	if (is_query)
		st_check_length(v, r, "AttributesToGet", "", 1, -1);
	else
	{
		each_map_value(v, r, "ScanFilter", required_operator);
		st_check_range(v, r, "Segment", "", false, 0, 999999);
	}
	st_check_range(v, r, "Limit", "", false, 1, PG_INT32_MAX);
	if (is_query)
		each_map_value(v, r, "KeyConditions", required_operator);
	else
		st_check_length(v, r, "AttributesToGet", "", 1, -1);
}

/* A request of BatchWriteItem's RequestItems */
static void
write_request(StViolations *v, JsonbContainer *req, const char *path)
{
	JsonbContainer *body;

	if ((body = st_member_object(req, "DeleteRequest")) != NULL)
		st_check_required(v, body, "Key", psprintf("%s.deleteRequest", path), NULL);
	if ((body = st_member_object(req, "PutRequest")) != NULL)
		st_check_required(v, body, "Item", psprintf("%s.putRequest", path), NULL);
}

#define TABLE_NAMES_CONSTRAINT \
	"Map keys must satisfy constraint: [Member must have length less than or equal to 255, " \
	"Member must have length greater than or equal to 3, " \
	ST_NAME_PATTERN_CONSTRAINT "]"

/*
 * RequestItems of BatchGetItem (get) and BatchWriteItem: a map of 1 or
 * more tables, each name one of DynamoDB's names, each with Keys (get) or
 * requests, at most singletable.batch_get_max_keys keys or
 * batch_write_max_items requests per table (DynamoDB's 100 and 25).  Too
 * many over all tables are batch.c's to report (54000), with DynamoDB's
 * message for them.
 */
static void
request_items(StViolations *v, JsonbContainer *r, bool get)
{
	JsonbValue	items;
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	val;
	JsonbIteratorToken tok;
	bool		bad_name = false;
	bool		bad_list = false;

	if (!st_check_required(v, r, "RequestItems", "", &items) ||
		items.type != jbvBinary || !JsonContainerIsObject(items.val.binary.data))
		return;
	st_check_length(v, r, "RequestItems", "", 1, -1);

	it = JsonbIteratorInit(items.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *name;
		char	   *path;

		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_KEY)
			continue;
		(void) JsonbIteratorNext(&it, &val, true);
		name = pnstrdup(k.val.string.val, k.val.string.len);
		if (!name_acceptable(name, k.val.string.len))
			bad_name = true;
		path = psprintf("requestItems.%s.member", name);
		if (get && val.type == jbvBinary && JsonContainerIsObject(val.val.binary.data))
		{
			JsonbValue	keys;

			if (st_check_required(v, val.val.binary.data, "Keys", path, &keys))
				st_check_length(v, val.val.binary.data, "Keys", path, 1, st_batch_get_max_keys);
		}
		else if (!get && val.type == jbvBinary && JsonContainerIsArray(val.val.binary.data))
		{
			if (JsonContainerSize(val.val.binary.data) < 1 ||
				JsonContainerSize(val.val.binary.data) > st_batch_write_max_items)
				bad_list = true;
			each_element(v, val.val.binary.data, path, write_request);
		}
	}
	if (bad_name)
		st_violation(v, "requestItems", &items, TABLE_NAMES_CONSTRAINT);
	if (bad_list)
		st_violation(v, "requestItems", &items,
					 psprintf("Map value must satisfy constraint: [Member must have length less than or equal to %d, "
							  "Member must have length greater than or equal to 1]", st_batch_write_max_items));
}

/* BatchGetItem (get) and BatchWriteItem */
static void
batch_items(StViolations *v, JsonbContainer *r, bool get)
{
	st_check_enum(v, r, "ReturnConsumedCapacity", "", false, CAPACITY_SET);
	if (!get)
		st_check_enum(v, r, "ReturnItemCollectionMetrics", "", false, METRICS_SET);
	request_items(v, r, get);
}

/* TransactWriteItems (write) and TransactGetItems */
static void
transact_items(StViolations *v, JsonbContainer *r, bool write)
{
	st_check_enum(v, r, "ReturnConsumedCapacity", "", false, CAPACITY_SET);
	if (write)
		st_check_enum(v, r, "ReturnItemCollectionMetrics", "", false, METRICS_SET);
	/* the token and too many items are transact.c's to report */
	if (st_check_required(v, r, "TransactItems", "", NULL))
		st_check_length(v, r, "TransactItems", "", 1, -1);
}

/* ---------------------------------------------------------------------
 * Table operations
 * ---------------------------------------------------------------------
 */

/* ProvisionedThroughput (at prefix), when present: both units, at least 1 */
static void
throughput(StViolations *v, JsonbContainer *obj, const char *prefix, bool required)
{
	JsonbContainer *pt;
	char	   *path = st_member_path(prefix, "ProvisionedThroughput");

	if (required && !st_check_required(v, obj, "ProvisionedThroughput", prefix, NULL))
		return;
	if ((pt = st_member_object(obj, "ProvisionedThroughput")) == NULL)
		return;
	st_check_range(v, pt, "WriteCapacityUnits", path, true, 1, MAX_UNITS);
	st_check_range(v, pt, "ReadCapacityUnits", path, true, 1, MAX_UNITS);
}

/* A KeySchema element or attribute definition: AttributeName and a type */
static void
attribute_and_type(StViolations *v, JsonbContainer *elem, const char *path,
				   const char *type_field, const char *set)
{
	if (st_check_required(v, elem, "AttributeName", path, NULL))
		st_check_length(v, elem, "AttributeName", path, 1, 255);
	st_check_enum(v, elem, type_field, path, true, set);
}

static void
key_schema_element(StViolations *v, JsonbContainer *elem, const char *path)
{
	attribute_and_type(v, elem, path, "KeyType", "[HASH, RANGE]");
}

/* A KeySchema (at prefix): 1 or 2 elements, each checked */
static void
key_schema(StViolations *v, JsonbContainer *obj, const char *prefix)
{
	if (!st_check_required(v, obj, "KeySchema", prefix, NULL))
		return;
	st_check_length(v, obj, "KeySchema", prefix, 1, 2);
	each_element(v, st_member_array(obj, "KeySchema"), st_member_path(prefix, "KeySchema"),
				 key_schema_element);
}

static void
attribute_definition(StViolations *v, JsonbContainer *elem, const char *path)
{
	attribute_and_type(v, elem, path, "AttributeType", "[B, N, S]");
}

/* An index of CreateTable or of UpdateTable's Create */
static void
index_definition(StViolations *v, JsonbContainer *ix, const char *path, bool global)
{
	JsonbContainer *proj;

	st_check_name(v, ix, "IndexName", path, true);
	key_schema(v, ix, path);
	if (st_check_required(v, ix, "Projection", path, NULL) &&
		(proj = st_member_object(ix, "Projection")) != NULL)
	{
		char	   *ppath = st_member_path(path, "Projection");

		st_check_enum(v, proj, "ProjectionType", ppath, false, PROJECTION_SET);
		st_check_length(v, proj, "NonKeyAttributes", ppath, 1, 20);
	}
	if (global)
		throughput(v, ix, path, false);
}

static void
global_index(StViolations *v, JsonbContainer *ix, const char *path)
{
	index_definition(v, ix, path, true);
}

static void
local_index(StViolations *v, JsonbContainer *ix, const char *path)
{
	index_definition(v, ix, path, false);
}

static void
create_table(StViolations *v, JsonbContainer *r, bool unused)
{
	st_check_name(v, r, "TableName", "", true);
	st_check_required(v, r, "AttributeDefinitions", "", NULL);
	each_element(v, st_member_array(r, "AttributeDefinitions"), "attributeDefinitions",
				 attribute_definition);
	key_schema(v, r, "");
	st_check_enum(v, r, "BillingMode", "", false, "[PROVISIONED, PAY_PER_REQUEST]");
	throughput(v, r, "", false);
	each_element(v, st_member_array(r, "LocalSecondaryIndexes"), "localSecondaryIndexes", local_index);
	each_element(v, st_member_array(r, "GlobalSecondaryIndexes"), "globalSecondaryIndexes", global_index);
}

/* The GlobalSecondaryIndexUpdates of UpdateTable */
static void
gsi_updates(StViolations *v, JsonbContainer *updates)
{
	int			n = updates ? JsonContainerSize(updates) : 0;

	for (int i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(updates, i);
		char	   *path = psprintf("globalSecondaryIndexUpdates.%d.member", i + 1);
		JsonbContainer *body;

		CHECK_FOR_INTERRUPTS();
		if (e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data))
			continue;
		if ((body = st_member_object(e->val.binary.data, "Update")) != NULL)
		{
			char	   *upath = psprintf("%s.update", path);

			index_reference(v, body, upath);
			throughput(v, body, upath, true);
		}
		if ((body = st_member_object(e->val.binary.data, "Create")) != NULL)
			index_definition(v, body, psprintf("%s.create", path), true);
		if ((body = st_member_object(e->val.binary.data, "Delete")) != NULL)
			index_reference(v, body, psprintf("%s.delete", path));
	}
}

static void
update_table(StViolations *v, JsonbContainer *r, bool unused)
{
	table_reference(v, r);
	st_check_enum(v, r, "BillingMode", "", false, "[PROVISIONED, PAY_PER_REQUEST]");
	throughput(v, r, "", false);
	each_element(v, st_member_array(r, "AttributeDefinitions"), "attributeDefinitions",
				 attribute_definition);
	gsi_updates(v, st_member_array(r, "GlobalSecondaryIndexUpdates"));
}

static void
table_name_only(StViolations *v, JsonbContainer *r, bool unused)
{
	table_reference(v, r);
}

static void
update_ttl(StViolations *v, JsonbContainer *r, bool unused)
{
	JsonbContainer *spec;

	table_reference(v, r);
	if (st_check_required(v, r, "TimeToLiveSpecification", "", NULL) &&
		(spec = st_member_object(r, "TimeToLiveSpecification")) != NULL)
	{
		if (st_check_required(v, spec, "AttributeName", "timeToLiveSpecification", NULL))
			st_check_length(v, spec, "AttributeName", "timeToLiveSpecification", 1, 255);
		st_check_required(v, spec, "Enabled", "timeToLiveSpecification", NULL);
	}
}

static void
list_tables(StViolations *v, JsonbContainer *r, bool unused)
{
	st_check_name(v, r, "ExclusiveStartTableName", "", false);
	st_check_range(v, r, "Limit", "", false, 1, 100);
}

/*
 * The table operations answer a missing or wrongly sized TableName on its
 * own, before the constraint list.
 */
static void
table_operation_name(JsonbContainer *r)
{
	JsonbValue	name;
	int			len;

	if (!st_field(r, "TableName", &name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"TableName\": a value is required"),
				 errdetail("ValidationException: The parameter 'TableName' is required but was not present in the request.")));
	if (name.type != jbvString || table_name_acceptable(r))
		return;
	len = pg_mbstrlen_with_len(name.val.string.val, name.val.string.len);
	if (len < 3 || len > 255)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"TableName\": must be between 3 and 255 characters long"),
				 errdetail("ValidationException: TableName must be at least 3 characters long and at most 255 characters long.")));
}

/* The constraints of one operation; variant tells two operations apart */
typedef void (*ConstraintsFn) (StViolations *v, JsonbContainer *r, bool variant);

static const struct
{
	const char *operation;
	ConstraintsFn fn;
	bool		variant;
	bool		table_operation;
}			operations[] =
{
	{"GetItem", get_item, false, false},
	{"PutItem", write_item, true, false},
	{"DeleteItem", write_item, false, false},
	{"UpdateItem", write_item, false, false},
	{"Query", query_or_scan, true, false},
	{"Scan", query_or_scan, false, false},
	{"BatchGetItem", batch_items, true, false},
	{"BatchWriteItem", batch_items, false, false},
	{"TransactWriteItems", transact_items, true, false},
	{"TransactGetItems", transact_items, false, false},
	{"CreateTable", create_table, false, true},
	{"DeleteTable", table_name_only, false, true},
	{"DescribeTable", table_name_only, false, true},
	{"UpdateTable", update_table, false, true},
	{"ListTables", list_tables, false, false},
	{"DescribeTimeToLive", table_name_only, false, true},
	{"UpdateTimeToLive", update_ttl, false, true},
};

/*
 * Check a request of operation (DynamoDB's name, without the X-Amz-Target
 * prefix) against DynamoDB's constraints: ValidationException (22023)
 * listing every violation, or nothing.
 */
void
st_request_constraints(const char *operation, JsonbContainer *r)
{
	for (int i = 0; i < lengthof(operations); i++)
	{
		StViolations v;

		if (strcmp(operation, operations[i].operation) != 0)
			continue;
		if (operations[i].table_operation)
			table_operation_name(r);
		st_violations_init(&v);
		operations[i].fn(&v, r, operations[i].variant);
		st_violations_raise(&v);
		return;
	}
}
