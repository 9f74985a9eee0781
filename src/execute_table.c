/*
 * execute_table.c
 *	  execute()'s table operations: CreateTable (with its global and local
 *	  secondary indexes), DeleteTable, DescribeTable, ListTables and
 *	  UpdateTable (indexes created online or dropped).  Each reads the
 *	  DynamoDB request and calls the SQL function of the catalog or index
 *	  component (singletable.create_table, create_index, drop_index,
 *	  describe_table, drop_table, list_tables) through SPI with named
 *	  arguments, so it behaves exactly as when called from SQL, and answers
 *	  the TableDescription DynamoDB would send.  The time-to-live operations
 *	  live with their component (ttl.c).
 *
 *	  Malformed requests raise ValidationException (22023), a missing table
 *	  or index ResourceNotFoundException (42P01).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "catalog.h"
#include "execute.h"
#include "index.h"
#include "items.h"
#include "request.h"
#include "typedjson.h"

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

static const char *const key_schema_fields[] = {"AttributeName", "KeyType", NULL};
static const char *const attr_def_fields[] = {"AttributeName", "AttributeType", NULL};

/* Parse KeySchema into hash and range attribute names. */
static void
parse_key_schema(JsonbContainer *ks, const char *where, char **hash, char **range)
{
	StWalk		walk;
	JsonbContainer *elem;
	char	   *ew;

	*hash = *range = NULL;
	st_walk_init(&walk, ks, where);
	while ((elem = st_walk_next_object(&walk, "must be an object with AttributeName and KeyType",
									   key_schema_fields, &ew)) != NULL)
	{
		char	   *name = st_field_string(elem, "AttributeName", ew, true);
		char	   *type = st_field_string(elem, "KeyType", ew, true);

		if (strcmp(type, "HASH") == 0 && *hash == NULL && walk.n == 1)
			*hash = name;
		else if (strcmp(type, "RANGE") == 0 && *range == NULL && walk.n == 2)
			*range = name;
		else if (walk.n <= 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid request field \"%s\": KeySchema must be one HASH key, optionally followed by one RANGE key", ew),
					 errdetail("ValidationException: Invalid KeySchema: The %s KeySchemaElement is not a %s key type.",
							   walk.n == 1 ? "first" : "second", walk.n == 1 ? "HASH" : "RANGE")));
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
	StWalk		walk;
	JsonbContainer *elem;
	char	   *ew;

	if (defs == NULL)
		st_validation_error("AttributeDefinitions", "a value is required");
	st_walk_init(&walk, defs, "AttributeDefinitions");
	while ((elem = st_walk_next_object(&walk, "must be an object with AttributeName and AttributeType",
									   attr_def_fields, &ew)) != NULL)
	{
		char	   *type;

		if (strcmp(st_field_string(elem, "AttributeName", ew, true), attr) != 0)
			continue;
		type = st_field_string(elem, "AttributeType", ew, true);
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
 * Create one index (GSI, or with table_keys an LSI of the table whose keys
 * they are) through create_index(); online, it backfills in a background
 * worker (UpdateTable).  With relid InvalidOid, only check the request's
 * index definition (before the table is looked up or created).  Returns
 * the index name.
 */
static char *
create_index(Oid relid, JsonbContainer *ix, JsonbContainer *defs, const char *where,
			 char *const *table_keys, bool online)
{
	char	   *name;
	char	   *hash;
	char	   *range;
	char	   *hash_type;
	char	   *range_type = NULL;
	JsonbContainer *proj;
	char	   *ptype = "ALL";
	JsonbContainer *nka = NULL;
	List	   *include = NIL;
	StSqlArgs	a;

	st_check_fields(ix, index_fields, where);
	name = st_field_string(ix, "IndexName", where, true);
	parse_key_schema(st_field_array(ix, "KeySchema", where, true),
					 psprintf("%s.KeySchema", where), &hash, &range);
	if (table_keys)
		st_index_check_local(table_keys[0], table_keys[1], name, hash, range);
	proj = st_field_object(ix, "Projection", where, true);
	st_check_fields(proj, projection_fields, psprintf("%s.Projection", where));
	ptype = st_field_string(proj, "ProjectionType", psprintf("%s.Projection", where), false);
	if (ptype == NULL)
		ptype = "ALL";
	nka = st_field_array(proj, "NonKeyAttributes", psprintf("%s.Projection", where), false);
	hash_type = attribute_type(defs, hash, where);
	if (range)
		range_type = attribute_type(defs, range, where);
	if (nka)
		include = st_string_list(nka, psprintf("%s.Projection.NonKeyAttributes", where));
	if (!OidIsValid(relid))
		return name;

	st_sql_args_init(&a, "SELECT singletable.create_index(");
	st_sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(relid));
	st_sql_arg(&a, "index_name", TEXTOID, CStringGetTextDatum(name));
	st_sql_arg(&a, "partition_key", TEXTOID, CStringGetTextDatum(hash));
	st_sql_arg(&a, "partition_key_type", TEXTOID, CStringGetTextDatum(hash_type));
	if (range)
	{
		st_sql_arg(&a, "sort_key", TEXTOID, CStringGetTextDatum(range));
		st_sql_arg(&a, "sort_key_type", TEXTOID, CStringGetTextDatum(range_type));
	}
	st_sql_arg(&a, "projection", TEXTOID, CStringGetTextDatum(ptype));
	if (nka)
	{
		Datum	   *elems;
		int			n = 0;
		ListCell   *lc;

		elems = palloc(sizeof(Datum) * Max(1, list_length(include)));
		foreach(lc, include)
			elems[n++] = CStringGetTextDatum(lfirst(lc));
		st_sql_arg(&a, "include", TEXTARRAYOID,
				   PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT)));
	}
	if (online)
		st_sql_arg(&a, "online", BOOLOID, BoolGetDatum(true));
	if (table_keys)
		st_sql_arg(&a, "local", BOOLOID, BoolGetDatum(true));
	(void) st_sql_run_jsonb(&a, false);
	return name;
}

/*
 * The TableDescription DynamoDB answers: describe_table() with the fields
 * a DynamoDB client reads as well: TableArn (DynamoDB Local's region and
 * account), TableId (a version 4 UUID, as DynamoDB's are, derived from
 * the table's OID and creation time), CreationDateTime (epoch seconds),
 * BillingModeSummary (PAY_PER_REQUEST), ProvisionedThroughput (zeros), per
 * index IndexArn
 * and for a global one ProvisionedThroughput, and with a stream
 * specification LatestStreamArn and LatestStreamLabel (the creation time,
 * as DynamoDB Local labels a stream); TableStatus is status when not NULL
 * (DeleteTable's DELETING).
 */
static Jsonb *
describe_as(Oid relid, const char *status)
{
	static const char *const sql =
		"SELECT x.d OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
		"  'TableArn', x.arn,"
		"  'TableId', pg_catalog.concat_ws('-', pg_catalog.\"substring\"(x.h, 1, 8), pg_catalog.\"substring\"(x.h, 9, 4),"
		"     '4' OPERATOR(pg_catalog.||) pg_catalog.\"substring\"(x.h, 14, 3), '8' OPERATOR(pg_catalog.||) pg_catalog.\"substring\"(x.h, 18, 3),"
		"     pg_catalog.\"substring\"(x.h, 21, 12)),"
		"  'CreationDateTime', pg_catalog.date_part('epoch', t.created_at),"
		"  'BillingModeSummary', pg_catalog.jsonb_build_object('BillingMode', 'PAY_PER_REQUEST',"
		"     'LastUpdateToPayPerRequestDateTime', pg_catalog.date_part('epoch', t.created_at)),"
		"  'ProvisionedThroughput', x.pt)"
		" OPERATOR(pg_catalog.||) CASE WHEN $2 IS NULL THEN '{}'::pg_catalog.jsonb"
		"     ELSE pg_catalog.jsonb_build_object('TableStatus', $2) END"
		" OPERATOR(pg_catalog.||) (SELECT COALESCE(pg_catalog.jsonb_object_agg(k.kind, (SELECT pg_catalog.jsonb_agg("
		"       i.ix OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
		"         'IndexArn', pg_catalog.concat(x.arn, '/index/', i.ix OPERATOR(pg_catalog.->>) 'IndexName'))"
		"       OPERATOR(pg_catalog.||) CASE WHEN k.kind OPERATOR(pg_catalog.=) 'GlobalSecondaryIndexes'"
		"         THEN pg_catalog.jsonb_build_object('ProvisionedThroughput', x.pt) ELSE '{}'::pg_catalog.jsonb END"
		"       ORDER BY i.n)"
		"       FROM pg_catalog.jsonb_array_elements(x.d OPERATOR(pg_catalog.->) k.kind) WITH ORDINALITY AS i(ix, n))),"
		"     '{}'::pg_catalog.jsonb)"
		"   FROM pg_catalog.unnest(ARRAY['GlobalSecondaryIndexes', 'LocalSecondaryIndexes']) AS k(kind)"
		"   WHERE x.d OPERATOR(pg_catalog.?) k.kind)"
		" OPERATOR(pg_catalog.||) CASE WHEN x.d OPERATOR(pg_catalog.?) 'StreamSpecification'"
		"     THEN pg_catalog.jsonb_build_object('LatestStreamLabel', x.label,"
		"       'LatestStreamArn', pg_catalog.concat(x.arn, '/stream/', x.label))"
		"     ELSE '{}'::pg_catalog.jsonb END"
		" FROM singletable.tables t,"
		"  LATERAL (SELECT singletable.describe_table(t.relid) AS d,"
		"    pg_catalog.concat('arn:aws:dynamodb:ddblocal:000000000000:table/', COALESCE(t.name, pg_catalog.pg_class.relname::pg_catalog.text)) AS arn,"
		"    pg_catalog.to_char(pg_catalog.timezone('UTC', t.created_at), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') AS label,"
		"    pg_catalog.md5(pg_catalog.concat(t.relid::pg_catalog.oid, '/', pg_catalog.date_part('epoch', t.created_at))) AS h,"
		"    '{\"NumberOfDecreasesToday\": 0, \"ReadCapacityUnits\": 0, \"WriteCapacityUnits\": 0}'::pg_catalog.jsonb AS pt"
		"    FROM pg_catalog.pg_class WHERE pg_catalog.pg_class.oid OPERATOR(pg_catalog.=) t.relid) x"
		" WHERE t.relid OPERATOR(pg_catalog.=) $1";
	MemoryContext outer = CurrentMemoryContext;
	Oid			types[2] = {REGCLASSOID, TEXTOID};
	Datum		values[2] = {ObjectIdGetDatum(relid), status ? CStringGetTextDatum(status) : (Datum) 0};
	char		nulls[2] = {' ', status ? ' ' : 'n'};
	Jsonb	   *result;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, 2, types, values, nulls, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not describe table");
	result = st_spi_first_jsonb(outer);
	SPI_finish();
	if (result == NULL)
		elog(ERROR, "table with OID %u is not in the catalog", relid);
	return result;
}

static Jsonb *
describe(Oid relid)
{
	return describe_as(relid, NULL);
}

/*
 * DynamoDB's rule for a table name: 3 to 255 of a-z A-Z 0-9 _ - and ".".
 * Longer than a Postgres name is fine: catalog.c maps it.
 */
static void
check_table_name(const char *name)
{
	size_t		len = strlen(name);

	if (len < 3 || len > ST_MAX_NAME_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"TableName\": must be 3 to 255 characters long"),
				 errdetail("ValidationException: TableName must be at least 3 characters long and at most 255 characters long.")));
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"TableName\": must hold only a-z, A-Z, 0-9, \"_\", \"-\" and \".\""),
				 errdetail("ValidationException: 1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+.", name)));
}

/*
 * The create_table name argument for CreateTable's TableName.  A name with
 * one dot whose first part, as SQL reads it, is an existing schema is
 * schema.table as SQL writes it (0.1's reading, kept for its users); any
 * other name is the DynamoDB name itself, in the current schema.  The
 * look-up (catalog.c) finds either again by the same name.
 */
static char *
create_table_name_arg(const char *name)
{
	const char *dot = strchr(name, '.');
	const char *p = name;
	List	   *parts;

	if (dot && dot != name && strchr(dot + 1, '.') == NULL &&
		st_parse_qualified_name(&p, '\0', &parts) == ST_NAME_OK &&
		list_length(parts) == 2 && OidIsValid(get_namespace_oid(linitial(parts), true)))
		return pstrdup(name);
	/* where CREATE TABLE would raise 3F000, a DynamoDB error instead */
	if (fetch_search_path(false) == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no schema has been selected to create table \"%s\" in", name),
				 errdetail("ValidationException: No schema of search_path exists."),
				 errhint("Set search_path to an existing schema.")));
	return pstrdup(quote_identifier(name));
}

static int
cmp_names(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/* A ValidationException "One or more parameter values were invalid: ..." */
#define indexes_error(field, msg, fmt, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg("invalid request field \"%s\": " msg, field), \
			 errdetail("ValidationException: One or more parameter values were invalid: " fmt ".", ##__VA_ARGS__)))

/*
 * CreateTable's GlobalSecondaryIndexes and LocalSecondaryIndexes on the
 * table relid (create_index: InvalidOid only checks them, and DynamoDB's
 * rules for the lists: not empty, at most 5 local ones, no name twice).
 * table_keys are the table's partition and sort key.
 */
static void
create_indexes(JsonbContainer *r, JsonbContainer *defs, char *const *table_keys, Oid relid)
{
	const char *kinds[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
	List	   *names = NIL;

	for (int k = 0; k < 2; k++)
	{
		JsonbContainer *ixs = st_field_array(r, kinds[k], "", false);
		StWalk		walk;
		JsonbContainer *ix;
		char	   *where;

		if (ixs == NULL)
			continue;
		if (JsonContainerSize(ixs) == 0)
			indexes_error(kinds[k], "the list is empty", "List of %s is empty", kinds[k]);
		if (k == 1 && JsonContainerSize(ixs) > ST_MAX_LOCAL_INDEXES_PER_TABLE)
			indexes_error(kinds[k], "more than 5 local secondary indexes",
						  "Number of LocalSecondaryIndexes exceeds per-table limit of %d",
						  ST_MAX_LOCAL_INDEXES_PER_TABLE);
		st_walk_init(&walk, ixs, kinds[k]);
		while ((ix = st_walk_next_object(&walk, "must be an object", NULL, &where)) != NULL)
			names = lappend(names, create_index(relid, ix, defs, where,
												k == 1 ? table_keys : NULL, false));
	}
	list_sort(names, cmp_names);
	for (int i = 1; i < list_length(names); i++)
		if (strcmp(list_nth(names, i - 1), list_nth(names, i)) == 0)
			indexes_error("IndexName", "two indexes have the same name",
						  "Duplicate index name: %s", (char *) list_nth(names, i));
}

/*
 * A ValidationException with DynamoDB's wording about CreateTable's
 * AttributeDefinitions; msg is the primary message.
 */
#define definitions_error(msg, fmt, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg("invalid request field \"AttributeDefinitions\": " msg), \
			 errdetail("ValidationException: " fmt ".", ##__VA_ARGS__)))

/* "a, b, c" */
static char *
join_names(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", (char *) lfirst(lc));
	return buf.data;
}

/* Add the AttributeNames of the KeySchema of each index in ixs to *used. */
static void
index_key_names(JsonbContainer *ixs, List **used)
{
	JsonbIterator *it = JsonbIteratorInit(ixs);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbValue	ks;

		CHECK_FOR_INTERRUPTS();
		/* a malformed index is reported when it is created */
		if (tok != WJB_ELEM || v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data) ||
			!st_field(v.val.binary.data, "KeySchema", &ks) || ks.type != jbvBinary ||
			!JsonContainerIsArray(ks.val.binary.data))
			continue;
		for (int i = 0; i < JsonContainerSize(ks.val.binary.data) && i < 2; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(ks.val.binary.data, i);
			JsonbValue	name;

			if (e && e->type == jbvBinary && JsonContainerIsObject(e->val.binary.data) &&
				st_field(e->val.binary.data, "AttributeName", &name) && name.type == jbvString)
				*used = lappend(*used, pnstrdup(name.val.string.val, name.val.string.len));
		}
	}
}

/*
 * DynamoDB's rules for AttributeDefinitions: no name twice, and each one a
 * key attribute of the table or of one of its indexes.
 */
static void
check_attribute_definitions(JsonbContainer *r, JsonbContainer *defs, char *hash, char *range)
{
	List	   *names = NIL;
	List	   *used = list_make1(hash);
	List	   *unused = NIL;
	List	   *sorted;
	JsonbContainer *gsi = st_field_array(r, "GlobalSecondaryIndexes", "", false);
	JsonbContainer *lsi = st_field_array(r, "LocalSecondaryIndexes", "", false);
	StWalk		walk;
	JsonbContainer *elem;
	char	   *ew;
	ListCell   *lc;

	st_walk_init(&walk, defs, "AttributeDefinitions");
	while ((elem = st_walk_next_object(&walk, "must be an object with AttributeName and AttributeType",
									   attr_def_fields, &ew)) != NULL)
		names = lappend(names, st_field_string(elem, "AttributeName", ew, true));
	sorted = list_copy(names);
	list_sort(sorted, cmp_names);
	for (int i = 1; i < list_length(sorted); i++)
		if (strcmp(list_nth(sorted, i - 1), list_nth(sorted, i)) == 0)
			definitions_error("an attribute is defined twice",
							  "Cannot have two attributes with the same name");
	if (range)
		used = lappend(used, range);
	if (gsi)
		index_key_names(gsi, &used);
	if (lsi)
		index_key_names(lsi, &used);
	foreach(lc, names)
	{
		ListCell   *uc;
		bool		found = false;

		CHECK_FOR_INTERRUPTS();
		foreach(uc, used)
			found = found || strcmp(lfirst(lc), lfirst(uc)) == 0;
		if (!found)
			unused = lappend(unused, lfirst(lc));
	}
	if (unused != NIL && gsi == NULL && lsi == NULL)
		definitions_error("it defines attributes that are not keys",
						  "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
	if (unused != NIL)
		definitions_error("it defines attributes that are not keys",
						  "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]",
						  join_names(names), join_names(used));
}

static const char *const create_table_fields[] = {
	"TableName", "KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes",
	"LocalSecondaryIndexes", "StreamSpecification", "BillingMode",
	"ProvisionedThroughput", "OnDemandThroughput", "Tags", "SSESpecification",
	"TableClass", "DeletionProtectionEnabled", "ResourcePolicy", NULL
};
static const char *const stream_spec_fields[] = {"StreamEnabled", "StreamViewType", NULL};

Jsonb *
st_op_create_table(JsonbContainer *r)
{
	char	   *name;
	char	   *hash;
	char	   *range;
	char	   *hash_type;
	char	   *range_type;
	JsonbContainer *defs;
	JsonbContainer *stream;
	char	   *view = NULL;
	StSqlArgs	a;
	StTable    *t;
	JsonbValue	lsi;
	char	   *table_keys[2];

	st_check_fields(r, create_table_fields, "");
	name = st_field_string(r, "TableName", "", true);
	parse_key_schema(st_field_array(r, "KeySchema", "", true), "KeySchema", &hash, &range);
	table_keys[0] = hash;
	table_keys[1] = range;
	defs = st_field_array(r, "AttributeDefinitions", "", true);
	stream = st_field_object(r, "StreamSpecification", "", false);
	if (stream)
	{
		JsonbValue	enabled;

		st_check_fields(stream, stream_spec_fields, "StreamSpecification");
		view = st_field_string(stream, "StreamViewType", "StreamSpecification", false);
		/* only an enabled stream is described, as DynamoDB does */
		if (!st_field(stream, "StreamEnabled", &enabled) || enabled.type != jbvBool ||
			!enabled.val.boolean)
			view = NULL;
		else if (view == NULL)
			view = "NEW_AND_OLD_IMAGES";
	}

	hash_type = attribute_type(defs, hash, "KeySchema");
	range_type = range ? attribute_type(defs, range, "KeySchema") : NULL;
	if (range == NULL && st_field(r, "LocalSecondaryIndexes", &lsi))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"LocalSecondaryIndexes\": the table has no sort key"),
				 errdetail("ValidationException: One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex.")));
	check_attribute_definitions(r, defs, hash, range);
	check_table_name(name);
	/* the whole request is checked before the table exists (ResourceInUse) */
	create_indexes(r, defs, table_keys, InvalidOid);

	st_sql_args_init(&a, "SELECT singletable.create_table(");
	st_sql_arg(&a, NULL, TEXTOID, CStringGetTextDatum(create_table_name_arg(name)));
	st_sql_arg(&a, "partition_key", TEXTOID, CStringGetTextDatum(hash));
	st_sql_arg(&a, "partition_key_type", TEXTOID, CStringGetTextDatum(hash_type));
	if (range)
	{
		st_sql_arg(&a, "sort_key", TEXTOID, CStringGetTextDatum(range));
		st_sql_arg(&a, "sort_key_type", TEXTOID, CStringGetTextDatum(range_type));
	}
	else
	{
		/* sort_key => NULL: a hash-only table */
		st_sql_arg(&a, "sort_key", TEXTOID, (Datum) 0);
		a.nulls[a.n - 1] = 'n';
	}
	/* stream_view => NULL: a change stream all the same, but not described */
	st_sql_arg(&a, "stream_view", TEXTOID, view ? CStringGetTextDatum(view) : (Datum) 0);
	if (view == NULL)
		a.nulls[a.n - 1] = 'n';
	(void) st_sql_run_jsonb(&a, false);
	CommandCounterIncrement();
	t = st_table_by_name(name);
	create_indexes(r, defs, table_keys, t->relid);
	CommandCounterIncrement();
	return wrap_jsonb("TableDescription", describe(t->relid));
}

static const char *const table_name_fields[] = {"TableName", NULL};

Jsonb *
st_op_describe_table(JsonbContainer *r)
{
	st_check_fields(r, table_name_fields, "");
	return wrap_jsonb("Table", describe(st_table_by_name_for_table_op(st_field_string(r, "TableName", "", true))->relid));
}

Jsonb *
st_op_delete_table(JsonbContainer *r)
{
	StTable    *t;
	Jsonb	   *desc;
	StSqlArgs	a;

	st_check_fields(r, table_name_fields, "");
	t = st_table_by_name_for_table_op(st_field_string(r, "TableName", "", true));
	desc = describe_as(t->relid, "DELETING");
	st_sql_args_init(&a, "SELECT singletable.drop_table(");
	st_sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(t->relid));
	(void) st_sql_run_jsonb(&a, false);
	return wrap_jsonb("TableDescription", desc);
}

static const char *const list_tables_fields[] = {"ExclusiveStartTableName", "Limit", NULL};

Jsonb *
st_op_list_tables(JsonbContainer *r)
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
	limit = st_field_int(r, "Limit", 1, 100);
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
static const char *const gsi_update_action_fields[] = {
	"IndexName", "ProvisionedThroughput", "OnDemandThroughput", "WarmThroughput", NULL
};

/*
 * GlobalSecondaryIndexUpdates act on global indexes only: DynamoDB cannot
 * delete or change a local secondary index after its table is created.
 */
static void
check_not_local(StTable *t, const char *iname, const char *action)
{
	StIndex    *ix = st_table_find_index(st_table_lookup(t->relid, false), iname);

	if (ix != NULL && ix->local)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"GlobalSecondaryIndexUpdates\": index \"%s\" is a local secondary index", iname),
				 errdetail("ValidationException: One or more parameter values were invalid: Cannot %s local secondary index %s: GlobalSecondaryIndexUpdates apply to global secondary indexes only.",
						   action, iname)));
}

/*
 * Apply GlobalSecondaryIndexUpdates to the table t; with t NULL, only check
 * them (before the table is looked up).
 */
static void
gsi_updates(JsonbContainer *updates, JsonbContainer *defs, StTable *t)
{
	Oid			relid = t ? t->relid : InvalidOid;
	StWalk		walk;
	JsonbContainer *u;
	char	   *where;

	st_walk_init(&walk, updates, "GlobalSecondaryIndexUpdates");
	while ((u = st_walk_next_object(&walk, "must be an object", gsi_update_fields, &where)) != NULL)
	{
		JsonbContainer *c = st_field_object(u, "Create", where, false);
		JsonbContainer *d = st_field_object(u, "Delete", where, false);
		JsonbContainer *up = st_field_object(u, "Update", where, false);

		if (!c && !d && !up)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid request field \"%s\": one of Update, Create or Delete is required", where),
					 errdetail("ValidationException: One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null.")));
		if (c)
			/* returns at once, as DynamoDB's UpdateTable does */
			(void) create_index(relid, c, defs, psprintf("%s.Create", where), NULL, true);
		else if (d)
		{
			StSqlArgs	a;
			char	   *dw = psprintf("%s.Delete", where);

			char	   *iname;

			st_check_fields(d, gsi_delete_fields, dw);
			iname = st_field_string(d, "IndexName", dw, true);
			if (t == NULL)
				continue;
			check_not_local(t, iname, "delete");

			/*
			 * DynamoDB answers ResourceNotFoundException here, whose
			 * SQLSTATE is 42P01; 42704 stays ValidationException.
			 */
			if (st_table_find_index(st_table_lookup(relid, false), iname) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_TABLE),
						 errmsg("index \"%s\" of table \"%s\" does not exist", iname,
								t->name),
						 errdetail("ResourceNotFoundException: Requested resource not found: Index: %s not found.", iname)));
			st_sql_args_init(&a, "SELECT singletable.drop_index(");
			st_sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(relid));
			st_sql_arg(&a, "index_name", TEXTOID, CStringGetTextDatum(iname));
			(void) st_sql_run_jsonb(&a, false);
		}
		else if (up)
		{
			/* throughput only: nothing to do but refuse a local index */
			char	   *uw = psprintf("%s.Update", where);
			char	   *iname;

			st_check_fields(up, gsi_update_action_fields, uw);
			iname = st_field_string(up, "IndexName", uw, false);
			if (t && iname)
				check_not_local(t, iname, "update");
		}
		if (t)
			CommandCounterIncrement();
	}
}

Jsonb *
st_op_update_table(JsonbContainer *r)
{
	StTable    *t;
	char	   *name;
	JsonbContainer *updates;
	JsonbContainer *defs;
	JsonbValue	sv;

	st_check_fields(r, update_table_fields, "");
	name = st_field_string(r, "TableName", "", true);
	updates = st_field_array(r, "GlobalSecondaryIndexUpdates", "", false);
	/* an empty GlobalSecondaryIndexUpdates asks nothing either */
	if (JsonContainerSize(r) == 1 ||
		(JsonContainerSize(r) == 2 && updates && JsonContainerSize(updates) == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("UpdateTable request changes nothing"),
				 errdetail("ValidationException: At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required.")));
	defs = st_field_array(r, "AttributeDefinitions", "", false);
	if (st_field(r, "StreamSpecification", &sv))
		st_validation_error("StreamSpecification",
							"cannot be changed by UpdateTable: every singletable table has a change stream");
	if (updates)
		gsi_updates(updates, defs, NULL);

	/* the request is well formed: now the table */
	t = st_table_by_name_for_table_op(name);
	if (updates)
		gsi_updates(updates, defs, t);
	return wrap_jsonb("TableDescription", describe(t->relid));
}
