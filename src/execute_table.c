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

#include <math.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

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

/* A KeySchema as the request gives it: 1 or 2 elements, in their order */
typedef struct KeySchema
{
	int			n;
	char	   *names[2];
	char	   *types[2];
} KeySchema;

/*
 * A ValidationException about the request field "field": msg completes the
 * primary message, fmt is DynamoDB's message.
 */
#define schema_error(field, msg, fmt, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg("invalid request field \"%s\": " msg, field), \
			 errdetail("ValidationException: " fmt ".", ##__VA_ARGS__)))

/* The same, DynamoDB's "One or more parameter values were invalid: ..." */
#define indexes_error(field, msg, fmt, ...) \
	schema_error(field, msg, "One or more parameter values were invalid: " fmt, ##__VA_ARGS__)

/*
 * Read a KeySchema (its shape only: the constraint list has checked its
 * length and KeyTypes; the rest is check_key_schema's, in DynamoDB's order).
 */
static void
read_key_schema(JsonbContainer *ks, const char *where, KeySchema *out)
{
	StWalk		walk;
	JsonbContainer *elem;
	char	   *ew;

	out->n = 0;
	st_walk_init(&walk, ks, where);
	while ((elem = st_walk_next_object(&walk, "must be an object with AttributeName and KeyType",
									   key_schema_fields, &ew)) != NULL)
	{
		if (walk.n > 2)
			st_validation_error(ew, "KeySchema must be one HASH key, optionally followed by one RANGE key");
		out->names[out->n] = st_field_string(elem, "AttributeName", ew, true);
		out->types[out->n++] = st_field_string(elem, "KeyType", ew, true);
	}
	if (out->n == 0)
		st_validation_error(where, "must hold a HASH key");
}

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

/* Whether name is one of names */
static bool
name_in(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		CHECK_FOR_INTERRUPTS();
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	}
	return false;
}

/*
 * DynamoDB's checks of a table's or an index's KeySchema, in its order:
 * every key attribute defined (defined: the AttributeDefinitions' names),
 * two different names, a HASH key then a RANGE key.
 */
static void
check_key_schema(const KeySchema *ks, List *defined, const char *where)
{
	for (int i = 0; i < ks->n; i++)
		if (!name_in(defined, ks->names[i]))
			indexes_error(where, "a key attribute is not in AttributeDefinitions",
						  "Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
						  join_names(ks->n == 2 ? list_make2(ks->names[0], ks->names[1]) : list_make1(ks->names[0])),
						  join_names(defined));
	if (ks->n == 2 && strcmp(ks->names[0], ks->names[1]) == 0)
		schema_error(where, "the partition key and the sort key have the same name",
					 "Both the Hash Key and the Range Key element in the KeySchema have the same name");
	if (strcmp(ks->types[0], "HASH") != 0)
		schema_error(where, "the first key must be a HASH key",
					 "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
	if (ks->n == 2 && strcmp(ks->types[1], "RANGE") != 0)
		schema_error(where, "the second key must be a RANGE key",
					 "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
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
 * index definition (before the table is looked up or created), in
 * DynamoDB's order; defined are the names of defs.  Returns the index
 * name.
 */
static char *
create_index(Oid relid, JsonbContainer *ix, JsonbContainer *defs, List *defined,
			 const char *where, char *const *table_keys, bool online)
{
	char	   *name;
	KeySchema	ks;
	char	   *hash;
	char	   *range;
	char	   *hash_type;
	char	   *range_type = NULL;
	JsonbContainer *proj;
	char	   *ptype;
	JsonbContainer *nka = NULL;
	List	   *include = NIL;
	StSqlArgs	a;

	st_check_fields(ix, index_fields, where);
	name = st_field_string(ix, "IndexName", where, true);
	read_key_schema(st_field_array(ix, "KeySchema", where, true),
					psprintf("%s.KeySchema", where), &ks);
	if (defs == NULL)
		st_validation_error("AttributeDefinitions", "a value is required");
	check_key_schema(&ks, defined, where);
	hash = ks.names[0];
	range = ks.n == 2 ? ks.names[1] : NULL;
	if (table_keys)
		st_index_check_local(table_keys[0], table_keys[1], name, hash, range);
	proj = st_field_object(ix, "Projection", where, true);
	st_check_fields(proj, projection_fields, psprintf("%s.Projection", where));
	ptype = st_field_string(proj, "ProjectionType", psprintf("%s.Projection", where), false);
	if (ptype == NULL)
		indexes_error(where, "Projection needs a ProjectionType", "Unknown ProjectionType: null");
	nka = st_field_array(proj, "NonKeyAttributes", psprintf("%s.Projection", where), false);
	if (nka && strcmp(ptype, "INCLUDE") != 0)
		indexes_error(where, "NonKeyAttributes are only for ProjectionType INCLUDE",
					  "ProjectionType is %s, but NonKeyAttributes is specified", ptype);
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

/* SQL: the ProvisionedThroughput p (SQL text) with its decreases of today */
#define DECREASES_TODAY(p) \
	"(" p " OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('NumberOfDecreasesToday', CASE" \
	"   WHEN pg_catalog.floor(((" p ") OPERATOR(pg_catalog.->>) 'LastDecreaseDateTime')::pg_catalog.numeric OPERATOR(pg_catalog./) 86400)" \
	"     OPERATOR(pg_catalog.=) pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.now())::pg_catalog.numeric OPERATOR(pg_catalog./) 86400)" \
	"   THEN (" p ") OPERATOR(pg_catalog.->) 'NumberOfDecreasesToday' ELSE '0'::pg_catalog.jsonb END))"

/*
 * The TableDescription DynamoDB answers: describe_table() with the fields
 * a DynamoDB client reads as well: TableArn (DynamoDB Local's region and
 * account), TableId (a version 4 UUID, as DynamoDB's are, derived from
 * the table's OID and creation time), CreationDateTime (epoch seconds),
 * ProvisionedThroughput (the catalog's throughput column, or tp when not
 * NULL: zeros on demand, with BillingModeSummary and
 * TableThroughputModeSummary PAY_PER_REQUEST), per index IndexArn and for
 * a global one its ProvisionedThroughput, and with a stream specification
 * LatestStreamArn and LatestStreamLabel (the creation time, as DynamoDB
 * Local labels a stream); TableStatus is status when not NULL (DeleteTable's
 * DELETING, UpdateTable's UPDATING).  NumberOfDecreasesToday counts the
 * decreases of the current UTC day.
 */
static Jsonb *
describe_as(Oid relid, const char *status, Jsonb *tp)
{
	static const char *const sql =
		"SELECT x.d OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
		"  'TableArn', x.arn,"
		"  'TableId', pg_catalog.concat_ws('-', pg_catalog.\"substring\"(x.h, 1, 8), pg_catalog.\"substring\"(x.h, 9, 4),"
		"     '4' OPERATOR(pg_catalog.||) pg_catalog.\"substring\"(x.h, 14, 3), '8' OPERATOR(pg_catalog.||) pg_catalog.\"substring\"(x.h, 18, 3),"
		"     pg_catalog.\"substring\"(x.h, 21, 12)),"
		"  'CreationDateTime', pg_catalog.date_part('epoch', t.created_at),"
		"  'ProvisionedThroughput', CASE WHEN x.tp IS NULL THEN x.pt"
		"     ELSE " DECREASES_TODAY("(x.tp OPERATOR(pg_catalog.-) 'GlobalSecondaryIndexes')") " END)"
		" OPERATOR(pg_catalog.||) CASE WHEN x.tp IS NOT NULL THEN '{}'::pg_catalog.jsonb"
		"     ELSE pg_catalog.jsonb_build_object("
		"       'BillingModeSummary', pg_catalog.jsonb_build_object('BillingMode', 'PAY_PER_REQUEST'),"
		"       'TableThroughputModeSummary', pg_catalog.jsonb_build_object('TableThroughputMode', 'PAY_PER_REQUEST')) END"
		" OPERATOR(pg_catalog.||) CASE WHEN $2 IS NULL THEN '{}'::pg_catalog.jsonb"
		"     ELSE pg_catalog.jsonb_build_object('TableStatus', $2) END"
		" OPERATOR(pg_catalog.||) (SELECT COALESCE(pg_catalog.jsonb_object_agg(k.kind, (SELECT pg_catalog.jsonb_agg("
		"       i.ix OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
		"         'IndexArn', pg_catalog.concat(x.arn, '/index/', i.ix OPERATOR(pg_catalog.->>) 'IndexName'))"
		"       OPERATOR(pg_catalog.||) CASE WHEN k.kind OPERATOR(pg_catalog.=) 'GlobalSecondaryIndexes'"
		"         THEN pg_catalog.jsonb_build_object('ProvisionedThroughput', " DECREASES_TODAY(
		"COALESCE(x.tp OPERATOR(pg_catalog.->) 'GlobalSecondaryIndexes' OPERATOR(pg_catalog.->) (i.ix OPERATOR(pg_catalog.->>) 'IndexName'), x.pt)") ")"
		"         ELSE '{}'::pg_catalog.jsonb END"
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
		"    '{\"NumberOfDecreasesToday\": 0, \"ReadCapacityUnits\": 0, \"WriteCapacityUnits\": 0}'::pg_catalog.jsonb AS pt,"
		"    COALESCE($3, t.throughput) AS tp"
		"    FROM pg_catalog.pg_class WHERE pg_catalog.pg_class.oid OPERATOR(pg_catalog.=) t.relid) x"
		" WHERE t.relid OPERATOR(pg_catalog.=) $1";
	MemoryContext outer = CurrentMemoryContext;
	Oid			types[3] = {REGCLASSOID, TEXTOID, JSONBOID};
	Datum		values[3] = {ObjectIdGetDatum(relid), status ? CStringGetTextDatum(status) : (Datum) 0,
	JsonbPGetDatum(tp)};
	char		nulls[3] = {' ', status ? ' ' : 'n', tp ? ' ' : 'n'};
	Jsonb	   *result;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, 3, types, values, nulls, false, 1) != SPI_OK_SELECT)
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
	return describe_as(relid, NULL, NULL);
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

/*
 * Whether name is in the set *seen of names (a hash table, made on first
 * use in the current memory context); adds it.  Names are DynamoDB's, at
 * most 255 characters (the constraint list has checked them).
 */
static bool
name_seen(HTAB **seen, const char *name)
{
	char		key[ST_MAX_NAME_LEN + 1];
	bool		found;

	if (*seen == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(key);
		ctl.entrysize = sizeof(key);
		ctl.hcxt = CurrentMemoryContext;
		*seen = hash_create("request index names", 32, &ctl,
							HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	strlcpy(key, name, sizeof(key));
	(void) hash_search(*seen, key, HASH_ENTER, &found);
	return found;
}

/*
 * CreateTable's LocalSecondaryIndexes and GlobalSecondaryIndexes on the
 * table relid.  With relid InvalidOid, only check them, in DynamoDB's
 * order: a list not empty, local ones only on a table with a sort key,
 * then each index (create_index), no throughput for a global one with
 * BillingMode PAY_PER_REQUEST, no name twice, and last the count of each
 * list.  table_keys are the table's partition and sort key, defined the
 * names of defs.
 */
static void
create_indexes(JsonbContainer *r, JsonbContainer *defs, List *defined,
			   char *const *table_keys, Oid relid)
{
	static const char *const kinds[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
	static const int limits[] = {ST_MAX_LOCAL_INDEXES_PER_TABLE, ST_MAX_INDEXES_PER_TABLE};
	HTAB	   *names = NULL;
	char	   *billing = st_field_string(r, "BillingMode", "", false);
	bool		on_demand = billing && strcmp(billing, "PAY_PER_REQUEST") == 0;

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
		if (k == 0 && table_keys[1] == NULL)
			indexes_error(kinds[k], "the table has no sort key",
						  "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
		st_walk_init(&walk, ixs, kinds[k]);
		while ((ix = st_walk_next_object(&walk, "must be an object", NULL, &where)) != NULL)
		{
			char	   *name = create_index(relid, ix, defs, defined, where,
											k == 0 ? table_keys : NULL, false);

			if (OidIsValid(relid))
				continue;
			if (k == 1 && on_demand && st_member_object(ix, "ProvisionedThroughput"))
				indexes_error(where, "a global index of a table on demand has ProvisionedThroughput",
							  "ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST",
							  name);
			if (name_seen(&names, name))
				indexes_error("IndexName", "two indexes have the same name",
							  "Duplicate index name: %s", name);
		}
		if (k == 0 && JsonContainerSize(ixs) > limits[k])
			indexes_error(kinds[k], "more than 5 local secondary indexes",
						  "Number of LocalSecondaryIndexes exceeds per-table limit of %d", limits[k]);
		if (k == 1 && JsonContainerSize(ixs) > limits[k])
			indexes_error(kinds[k], "more than 20 global secondary indexes",
						  "GlobalSecondaryIndex count exceeds the per-table limit of %d", limits[k]);
	}
}

/*
 * A ValidationException with DynamoDB's wording about CreateTable's
 * AttributeDefinitions; msg is the primary message.
 */
#define definitions_error(msg, fmt, ...) \
	schema_error("AttributeDefinitions", msg, fmt, ##__VA_ARGS__)

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
 * The names of AttributeDefinitions, in their order; no name twice, as
 * DynamoDB requires.
 */
static List *
definition_names(JsonbContainer *defs)
{
	List	   *names = NIL;
	HTAB	   *seen = NULL;
	StWalk		walk;
	JsonbContainer *elem;
	char	   *ew;

	st_walk_init(&walk, defs, "AttributeDefinitions");
	while ((elem = st_walk_next_object(&walk, "must be an object with AttributeName and AttributeType",
									   attr_def_fields, &ew)) != NULL)
	{
		char	   *name = st_field_string(elem, "AttributeName", ew, true);

		if (strlen(name) <= ST_MAX_NAME_LEN && name_seen(&seen, name))
			definitions_error("an attribute is defined twice",
							  "Cannot have two attributes with the same name");
		names = lappend(names, name);
	}
	return names;
}

/*
 * DynamoDB's last rule for AttributeDefinitions when there are indexes:
 * each one a key attribute of the table (ks) or of one of its indexes.
 */
static void
check_unused_definitions(JsonbContainer *r, List *defined, const KeySchema *ks)
{
	List	   *used = list_make1(ks->names[0]);
	JsonbContainer *gsi = st_field_array(r, "GlobalSecondaryIndexes", "", false);
	JsonbContainer *lsi = st_field_array(r, "LocalSecondaryIndexes", "", false);
	ListCell   *lc;

	if (ks->n == 2)
		used = lappend(used, ks->names[1]);
	if (gsi)
		index_key_names(gsi, &used);
	if (lsi)
		index_key_names(lsi, &used);
	/* used: at most 2 per index, and their number is limited by now */
	foreach(lc, defined)
	{
		CHECK_FOR_INTERRUPTS();
		if (!name_in(used, lfirst(lc)))
			definitions_error("it defines attributes that are not keys",
							  "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]",
							  join_names(defined), join_names(used));
	}
}

static const char *const unit_fields[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
static const char *const last_fields[] = {"LastIncreaseDateTime", "LastDecreaseDateTime"};

/* The number in obj's field name, or NULL */
static Numeric
numeric_field(JsonbContainer *obj, const char *name)
{
	JsonbValue	v;

	if (obj != NULL && st_field(obj, name, &v) && v.type == jbvNumeric)
		return v.val.numeric;
	return NULL;
}

/*
 * The first of a ProvisionedThroughput's units over DynamoDB's 10^12, with
 * its name in *unit (when unit is not NULL); NULL when none is.
 */
static Numeric
units_over_limit(JsonbContainer *pt, const char **unit)
{
	Numeric		max = int64_to_numeric(INT64CONST(1000000000000));

	for (int i = 0; i < lengthof(unit_fields); i++)
	{
		Numeric		n = numeric_field(pt, unit_fields[i]);

		if (n != NULL &&
			DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
											  NumericGetDatum(max))) > 0)
		{
			if (unit)
				*unit = unit_fields[i];
			return n;
		}
	}
	return NULL;
}

/*
 * DynamoDB's throughput rules of CreateTable (create) and UpdateTable that
 * need more than one member: ProvisionedThroughput with BillingMode
 * PROVISIONED, none with PAY_PER_REQUEST (CreateTable), units of at most
 * 10^12.  Without BillingMode and ProvisionedThroughput a table is
 * accepted all the same, on demand (README).
 */
static void
check_throughput(JsonbContainer *r, bool create)
{
	char	   *billing = st_field_string(r, "BillingMode", "", false);
	JsonbContainer *pt = st_member_object(r, "ProvisionedThroughput");
	const char *unit;
	Numeric		over;

	if (pt == NULL)
	{
		if (billing == NULL || strcmp(billing, "PROVISIONED") != 0)
			return;
		if (create)
			indexes_error("ProvisionedThroughput", "is required with BillingMode PROVISIONED",
						  "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
		indexes_error("ProvisionedThroughput", "is required with BillingMode PROVISIONED",
					  "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
	}
	if (create && billing && strcmp(billing, "PAY_PER_REQUEST") == 0)
		indexes_error("ProvisionedThroughput", "cannot be given with BillingMode PAY_PER_REQUEST",
					  "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
	if ((over = units_over_limit(pt, &unit)) != NULL)
		schema_error("ProvisionedThroughput", "units over 10^12",
					 "Given value %s for %s is out of bounds",
					 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(over))), unit);
}

/*
 * Provisioned throughput.  singletable never provisions nor enforces
 * capacity (README), but keeps what CreateTable and UpdateTable set and
 * describes it as DynamoDB does.  The catalog's throughput column holds the
 * table's ProvisionedThroughput (ReadCapacityUnits, WriteCapacityUnits,
 * LastIncreaseDateTime, LastDecreaseDateTime, NumberOfDecreasesToday as of
 * the day of the last decrease) and under GlobalSecondaryIndexes each
 * global index's by name; it is NULL for a table on demand
 * (PAY_PER_REQUEST).
 */
typedef struct Throughput
{
	Numeric		units[2];		/* read and write units; NULL: none set */
	Numeric		last[2];		/* last increase and decrease; NULL: none */
	Numeric		decreases;		/* decreases on the day of last[1] */
} Throughput;

typedef struct TableThroughput
{
	bool		on_demand;
	Throughput	table;
	List	   *index_names;	/* char *, the global indexes with throughput */
	List	   *indexes;		/* Throughput * */
} TableThroughput;

/* A stored ProvisionedThroughput object */
static Throughput *
read_throughput(JsonbContainer *obj)
{
	Throughput *tp = palloc0(sizeof(Throughput));

	for (int i = 0; i < 2; i++)
	{
		tp->units[i] = numeric_field(obj, unit_fields[i]);
		tp->last[i] = numeric_field(obj, last_fields[i]);
	}
	tp->decreases = numeric_field(obj, "NumberOfDecreasesToday");
	return tp;
}

static void
push_numeric(JsonbParseState **st, const char *key, Numeric n)
{
	JsonbValue	v;

	if (n == NULL)
		return;
	st_push_key(st, key);
	v.type = jbvNumeric;
	v.val.numeric = n;
	pushJsonbValue(st, WJB_VALUE, &v);
}

/* A request's ProvisionedThroughput (its units) */
static Throughput *
request_throughput(JsonbContainer *pt)
{
	Throughput *tp = palloc0(sizeof(Throughput));

	for (int i = 0; i < 2; i++)
		tp->units[i] = numeric_field(pt, unit_fields[i]);
	return tp;
}

/* The fields of tp, into the object being built (units 0 when not set) */
static void
push_throughput(JsonbParseState **st, const Throughput *tp)
{
	for (int i = 0; i < 2; i++)
	{
		push_numeric(st, unit_fields[i], tp->units[i] ? tp->units[i] : int64_to_numeric(0));
		push_numeric(st, last_fields[i], tp->last[i]);
	}
	push_numeric(st, "NumberOfDecreasesToday", tp->decreases ? tp->decreases : int64_to_numeric(0));
}

/* The throughput column of tt: NULL on demand */
static Jsonb *
throughput_column(const TableThroughput *tt)
{
	JsonbParseState *st = NULL;
	ListCell   *n;
	ListCell   *tp;

	if (tt->on_demand)
		return NULL;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_throughput(&st, &tt->table);
	st_push_key(&st, "GlobalSecondaryIndexes");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	forboth(n, tt->index_names, tp, tt->indexes)
	{
		/* units not set: a deleted index's */
		if (((Throughput *) lfirst(tp))->units[0] == NULL)
			continue;
		st_push_key(&st, lfirst(n));
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		push_throughput(&st, lfirst(tp));
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}

/* The stored throughput of index name in tt, made (units not set) if absent */
static Throughput *
index_throughput(TableThroughput *tt, const char *name)
{
	ListCell   *n;
	ListCell   *tp;

	forboth(n, tt->index_names, tp, tt->indexes)
	{
		CHECK_FOR_INTERRUPTS();
		if (strcmp(lfirst(n), name) == 0)
			return lfirst(tp);
	}
	tt->index_names = lappend(tt->index_names, pstrdup(name));
	tt->indexes = lappend(tt->indexes, palloc0(sizeof(Throughput)));
	return llast(tt->indexes);
}

/*
 * Read the throughput column of table relid, locking its catalog row for
 * the update that follows (only the table's owner can: anyone else is
 * refused, as ALTER TABLE refuses them).
 */
static void
read_table_throughput(StTable *t, TableThroughput *tt)
{
	Datum		arg = ObjectIdGetDatum(t->relid);
	Oid			argtype = OIDOID;
	MemoryContext outer = CurrentMemoryContext;
	Jsonb	   *col;
	JsonbContainer *ixs;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *name = NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT throughput FROM singletable.tables "
							  "WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass FOR NO KEY UPDATE",
							  1, &argtype, &arg, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the throughput of table %s", t->name);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s", t->name),
				 errdetail("AccessDeniedException: Only the table's owner can change its provisioned throughput.")));
	col = st_spi_first_jsonb(outer);
	SPI_finish();
	memset(tt, 0, sizeof(TableThroughput));
	tt->on_demand = col == NULL;
	if (col == NULL)
		return;
	tt->table = *read_throughput(&col->root);
	if ((ixs = st_member_object(&col->root, "GlobalSecondaryIndexes")) == NULL)
		return;
	it = JsonbIteratorInit(ixs);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
			name = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE && v.type == jbvBinary)
		{
			tt->index_names = lappend(tt->index_names, name);
			tt->indexes = lappend(tt->indexes, read_throughput(v.val.binary.data));
		}
	}
}

/* Store tt as the throughput column of table t */
static void
write_table_throughput(StTable *t, const TableThroughput *tt)
{
	Jsonb	   *col = throughput_column(tt);
	Oid			types[2] = {OIDOID, JSONBOID};
	Datum		values[2] = {ObjectIdGetDatum(t->relid), JsonbPGetDatum(col)};
	char		nulls[2] = {' ', col ? ' ' : 'n'};

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("UPDATE singletable.tables SET throughput = $2 "
							  "WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
							  2, types, values, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not store the throughput of table %s", t->name);
	SPI_finish();
}

/* A moment as DynamoDB's dates: epoch seconds, to the microsecond */
static Numeric
epoch_seconds(TimestampTz ts)
{
	return DatumGetNumeric(DirectFunctionCall2(extract_timestamptz, CStringGetTextDatum("epoch"),
											   TimestampTzGetDatum(ts)));
}

/* The UTC day of epoch seconds */
static int64
epoch_day(Numeric seconds)
{
	return (int64) floor(DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(seconds))) / 86400);
}

/*
 * Set tp to the units of the request's ProvisionedThroughput req, as
 * DynamoDB changes them: what UpdateTable answers (*answer) still has the
 * old units, with the time of the request as the last increase or
 * decrease; what is stored (tp) has the new ones, with the time they took
 * effect (now, later), and one decrease more today for a decrease.  Units
 * equal to the current ones are a ValidationException.
 */
static void
change_throughput(Throughput *tp, JsonbContainer *req, Throughput *answer)
{
	Numeric		units[2];
	int			cmp[2];
	Numeric		requested = epoch_seconds(GetCurrentStatementStartTimestamp());
	Numeric		done = epoch_seconds(GetCurrentTimestamp());

	for (int i = 0; i < 2; i++)
	{
		units[i] = numeric_field(req, unit_fields[i]);
		cmp[i] = DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(units[i]),
												   NumericGetDatum(tp->units[i] ? tp->units[i] : int64_to_numeric(0))));
	}
	if (cmp[0] == 0 && cmp[1] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"ProvisionedThroughput\": the units are the current ones"),
				 errdetail("ValidationException: The provisioned throughput for the table will not change. The requested value equals the current value. "
						   "Current ReadCapacityUnits provisioned for the table: %s. Requested ReadCapacityUnits: %s. "
						   "Current WriteCapacityUnits provisioned for the table: %s. Requested WriteCapacityUnits: %s. "
						   "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits..",
						   numeric_normalize(units[0]), numeric_normalize(units[0]),
						   numeric_normalize(units[1]), numeric_normalize(units[1]))));
	*answer = *tp;
	if (cmp[0] > 0 || cmp[1] > 0)
	{
		answer->last[0] = requested;
		tp->last[0] = done;
	}
	if (cmp[0] < 0 || cmp[1] < 0)
	{
		bool		today = tp->last[1] && tp->decreases &&
			epoch_day(tp->last[1]) == epoch_day(done);

		answer->last[1] = requested;
		tp->decreases = today ? numeric_add_opt_error(tp->decreases, int64_to_numeric(1), NULL)
			: int64_to_numeric(1);
		tp->last[1] = done;
	}
	tp->units[0] = units[0];
	tp->units[1] = units[1];
}

/* A copy of tt whose throughputs can change without changing tt's */
static TableThroughput
copy_table_throughput(const TableThroughput *tt)
{
	TableThroughput copy = *tt;
	ListCell   *lc;

	copy.indexes = NIL;
	foreach(lc, tt->indexes)
		copy.indexes = lappend(copy.indexes, memcpy(palloc(sizeof(Throughput)), lfirst(lc), sizeof(Throughput)));
	copy.index_names = list_copy(tt->index_names);
	return copy;
}

/* The ProvisionedThroughput of GlobalSecondaryIndexUpdates' action u (Update, Create), or NULL */
static JsonbContainer *
gsi_update_throughput(JsonbContainer *u, const char *action, char **iname)
{
	JsonbContainer *body = st_member_object(u, action);
	JsonbValue	v;

	if (body == NULL || !st_field(body, "IndexName", &v) || v.type != jbvString)
		return NULL;
	*iname = pnstrdup(v.val.string.val, v.val.string.len);
	return st_member_object(body, "ProvisionedThroughput");
}

/*
 * UpdateTable's ProvisionedThroughput, BillingMode and the throughput of
 * GlobalSecondaryIndexUpdates, once the table t is found and before its
 * indexes change, in DynamoDB's order: no units for a table on demand,
 * index units of at most 10^12 ("Action Blocked"), units that change; a
 * switch to PROVISIONED gives units to every global index.  Stores them and
 * returns whether the table is UPDATING; *answer is the throughput column
 * UpdateTable's TableDescription shows (NULL: the stored one).
 */
static bool
update_throughput(StTable *t, JsonbContainer *r, JsonbContainer *updates, Jsonb **answer)
{
	char	   *billing = st_field_string(r, "BillingMode", "", false);
	JsonbContainer *pt = st_member_object(r, "ProvisionedThroughput");
	TableThroughput tt;
	TableThroughput ans;
	bool		updating = false;
	bool		to_provisioned;
	int			n = updates ? JsonContainerSize(updates) : 0;
	List	   *missing = NIL;
	ListCell   *lc;

	read_table_throughput(t, &tt);
	if (pt && (billing ? strcmp(billing, "PAY_PER_REQUEST") == 0 : tt.on_demand))
		indexes_error("ProvisionedThroughput", "cannot be given for a table on demand",
					  "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
	for (int i = 0; i < n; i++)
	{
		JsonbValue *u = getIthJsonbValueFromContainer(updates, i);
		char	   *iname;
		JsonbContainer *upt = u->type == jbvBinary ? gsi_update_throughput(u->val.binary.data, "Update", &iname) : NULL;

		CHECK_FOR_INTERRUPTS();
		if (upt && units_over_limit(upt, NULL) != NULL)
			schema_error("GlobalSecondaryIndexUpdates", "index units over 10^12",
						 "This operation cannot be performed with given input values. Please contact DynamoDB service team for more info: Action Blocked: IndexUpdate");
	}
	ans = copy_table_throughput(&tt);
	to_provisioned = billing && strcmp(billing, "PROVISIONED") == 0 && tt.on_demand;
	if (billing && strcmp(billing, "PAY_PER_REQUEST") == 0 && !tt.on_demand)
	{
		memset(&tt, 0, sizeof(tt));
		tt.on_demand = true;
		updating = true;
	}
	else if (to_provisioned)
	{
		tt.on_demand = false;
		tt.table = *request_throughput(pt);
		updating = true;
	}
	else if (pt)
	{
		change_throughput(&tt.table, pt, &ans.table);
		updating = true;
	}
	for (int i = 0; i < n && !tt.on_demand; i++)
	{
		JsonbValue *u = getIthJsonbValueFromContainer(updates, i);
		char	   *iname = NULL;
		JsonbContainer *upt;
		StIndex    *ix;

		CHECK_FOR_INTERRUPTS();
		if (u->type != jbvBinary)
			continue;
		if (st_member_object(u->val.binary.data, "Create"))
		{
			if ((upt = gsi_update_throughput(u->val.binary.data, "Create", &iname)) != NULL)
				*index_throughput(&tt, iname) = *request_throughput(upt);
		}
		else if (st_member_object(u->val.binary.data, "Delete"))
		{
			(void) gsi_update_throughput(u->val.binary.data, "Delete", &iname);
			if (iname)
				memset(index_throughput(&tt, iname), 0, sizeof(Throughput));
		}
		else if ((upt = gsi_update_throughput(u->val.binary.data, "Update", &iname)) != NULL &&
				 (ix = st_table_find_index(st_table_lookup(t->relid, false), iname)) != NULL &&
				 !ix->local)
		{
			if (to_provisioned)
				*index_throughput(&tt, iname) = *request_throughput(upt);
			else
				change_throughput(index_throughput(&tt, iname), upt, index_throughput(&ans, iname));
			updating = true;
		}
	}
	/* a switch to PROVISIONED needs units for every global index */
	foreach(lc, to_provisioned ? st_table_lookup(t->relid, false)->indexes : NIL)
	{
		StIndex    *ix = lfirst(lc);

		if (!ix->local && index_throughput(&tt, ix->name)->units[0] == NULL)
			missing = lappend(missing, ix->name);
	}
	if (missing != NIL)
		indexes_error("GlobalSecondaryIndexUpdates", "an index has no ProvisionedThroughput",
					  "ProvisionedThroughput must be specified for index: %s", join_names(missing));
	write_table_throughput(t, &tt);
	*answer = updating && !to_provisioned && !tt.on_demand ? throughput_column(&ans) : NULL;
	return updating;
}

/*
 * The throughput CreateTable r sets on its new table t: the
 * ProvisionedThroughput of the table and of each global index given one;
 * none on demand (PAY_PER_REQUEST, or without ProvisionedThroughput).
 */
static void
create_throughput(StTable *t, JsonbContainer *r)
{
	JsonbContainer *pt = st_member_object(r, "ProvisionedThroughput");
	JsonbContainer *gsis = st_member_array(r, "GlobalSecondaryIndexes");
	TableThroughput tt;
	int			n = gsis ? JsonContainerSize(gsis) : 0;

	if (pt == NULL)
		return;
	memset(&tt, 0, sizeof(tt));
	tt.table = *request_throughput(pt);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *ix = getIthJsonbValueFromContainer(gsis, i);
		JsonbContainer *ipt = st_member_object(ix->val.binary.data, "ProvisionedThroughput");

		CHECK_FOR_INTERRUPTS();
		if (ipt)
			*index_throughput(&tt, st_field_string(ix->val.binary.data, "IndexName", "", true)) =
				*request_throughput(ipt);
	}
	write_table_throughput(t, &tt);
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
	KeySchema	ks;
	List	   *defined;
	JsonbValue	v;
	bool		indexes;
	char	   *table_keys[2];

	st_check_fields(r, create_table_fields, "");
	name = st_field_string(r, "TableName", "", true);
	read_key_schema(st_field_array(r, "KeySchema", "", true), "KeySchema", &ks);
	hash = table_keys[0] = ks.names[0];
	range = table_keys[1] = ks.n == 2 ? ks.names[1] : NULL;
	defs = st_field_array(r, "AttributeDefinitions", "", true);
	defined = definition_names(defs);
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

	/*
	 * The whole request is checked before the table is looked up
	 * (ResourceInUse), in DynamoDB's order.
	 */
	check_table_name(name);
	check_throughput(r, true);
	if (ks.n > list_length(defined))
		schema_error("KeySchema", "a key attribute is not in AttributeDefinitions",
					 "Invalid KeySchema: Some index key attribute have no definition");
	check_key_schema(&ks, defined, "KeySchema");
	indexes = st_field(r, "LocalSecondaryIndexes", &v) || st_field(r, "GlobalSecondaryIndexes", &v);
	if (!indexes && ks.n != list_length(defined))
		definitions_error("it defines attributes that are not keys",
						  "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
	create_indexes(r, defs, defined, table_keys, InvalidOid);
	if (indexes)
		check_unused_definitions(r, defined, &ks);
	hash_type = attribute_type(defs, hash, "KeySchema");
	range_type = range ? attribute_type(defs, range, "KeySchema") : NULL;

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
	create_indexes(r, defs, defined, table_keys, t->relid);
	create_throughput(t, r);
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
	desc = describe_as(t->relid, "DELETING", NULL);
	st_sql_args_init(&a, "SELECT singletable.drop_table(");
	st_sql_arg(&a, NULL, REGCLASSOID, ObjectIdGetDatum(t->relid));
	(void) st_sql_run_jsonb(&a, false);
	return wrap_jsonb("TableDescription", desc);
}

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

	/* other fields are ignored, as DynamoDB ignores them in ListTables */
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
 * DynamoDB's first checks of GlobalSecondaryIndexUpdates, before the
 * definitions of their indexes: each one an Update, Create or Delete, and
 * no index named twice.  Returns how many indexes they create or delete.
 */
static int
check_gsi_updates(JsonbContainer *updates)
{
	HTAB	   *names = NULL;
	int			online = 0;
	StWalk		walk;
	JsonbContainer *u;
	char	   *where;

	st_walk_init(&walk, updates, "GlobalSecondaryIndexUpdates");
	while ((u = st_walk_next_object(&walk, "must be an object", gsi_update_fields, &where)) != NULL)
	{
		JsonbContainer *body = NULL;
		int			kind;
		char	   *iname;

		/* Create, Delete or Update, as gsi_updates reads them */
		for (kind = 0; kind < 3; kind++)
			if ((body = st_field_object(u, gsi_update_fields[kind], where, false)) != NULL)
				break;
		if (body == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid request field \"%s\": one of Update, Create or Delete is required", where),
					 errdetail("ValidationException: One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null.")));
		if (kind < 2)
			online++;
		/* a missing name is reported with the rest of the definition */
		iname = st_field_string(body, "IndexName",
								psprintf("%s.%s", where, gsi_update_fields[kind]), false);
		if (iname && strlen(iname) <= ST_MAX_NAME_LEN && name_seen(&names, iname))
			indexes_error(where, "an index is named twice",
						  "Only one global secondary index update per index is allowed simultaneously. Index: %s",
						  iname);
	}
	return online;
}

/*
 * Apply GlobalSecondaryIndexUpdates to the table t; with t NULL, only check
 * them (before the table is looked up).
 */
static void
gsi_updates(JsonbContainer *updates, JsonbContainer *defs, StTable *t)
{
	Oid			relid = t ? t->relid : InvalidOid;
	List	   *defined = defs ? definition_names(defs) : NIL;
	StWalk		walk;
	JsonbContainer *u;
	char	   *where;

	st_walk_init(&walk, updates, "GlobalSecondaryIndexUpdates");
	while ((u = st_walk_next_object(&walk, "must be an object", gsi_update_fields, &where)) != NULL)
	{
		JsonbContainer *c = st_field_object(u, "Create", where, false);
		JsonbContainer *d = st_field_object(u, "Delete", where, false);
		JsonbContainer *up = st_field_object(u, "Update", where, false);

		if (c)
			/* returns at once, as DynamoDB's UpdateTable does */
			(void) create_index(relid, c, defs, defined, psprintf("%s.Create", where), NULL, true);
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
	int			online = 0;
	bool		updating;
	Jsonb	   *answer;

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
	check_throughput(r, false);
	if (updates)
	{
		online = check_gsi_updates(updates);
		gsi_updates(updates, defs, NULL);
	}

	/* the request is well formed: now the table */
	t = st_table_by_name_for_table_op(name);
	if (online > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("UpdateTable can create or delete only one index at a time"),
				 errdetail("LimitExceededException: Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table.")));
	updating = update_throughput(t, r, updates, &answer);
	if (updates)
		gsi_updates(updates, defs, t);
	return wrap_jsonb("TableDescription", describe_as(t->relid, updating ? "UPDATING" : NULL, answer));
}
