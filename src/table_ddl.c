/*
 * table_ddl.c
 *	  create_table and drop_table: the DDL of a singletable table (its
 *	  layout is in catalog.h) and its catalog row, and what a distributed
 *	  table needs after creating and before dropping it (citus.c).  Above
 *	  the catalog: it calls catalog.c, keys.c and citus.c, and nothing in
 *	  the extension calls it (execute('CreateTable') calls the SQL function).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "args.h"
#include "catalog.h"
#include "citus.h"
#include "errors.h"
#include "keys.h"

/*
 * The create_table name argument as a RangeVar whose relname is the
 * table's DynamoDB name (the last part, up to 255 bytes; catalog.c maps it
 * to a relation name): an invalid name is a ValidationException (22023),
 * one too long 54000.
 */
static RangeVar *
table_name_arg(const char *name)
{
	const char *p = name;
	List	   *parts;
	List	   *strs = NIL;
	ListCell   *lc;
	StNameStatus status = st_parse_table_name(&p, &parts);

	if (status == ST_NAME_TOO_LONG)
		st_table_name_too_long(name);
	if (status != ST_NAME_OK || list_length(parts) > 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid table name \"%s\"", name),
				 errdetail("ValidationException: A table name is a name or schema.name as SQL writes it, without empty parts."),
				 errhint("Put a name with other characters in double quotes, for example '\"My Table\"'.")));
	foreach(lc, parts)
		strs = lappend(strs, makeString(lfirst(lc)));
	return makeRangeVarFromNameList(strs);
}

/* A key attribute name of create_table: the partition key's or the sort key's. */
static void
check_attr_name(const char *name, bool is_partition)
{
	if (name == NULL || name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 is_partition ? errmsg("partition key name must not be empty") :
				 errmsg("sort key name must not be empty"),
				 errdetail("ValidationException: Attribute names must be at least 1 character long.")));
	if (strlen(name) > 255)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 is_partition ? errmsg("partition key name is longer than 255 bytes") :
				 errmsg("sort key name is longer than 255 bytes"),
				 errdetail("ValidationException: Key attribute names must be at most 255 bytes long.")));
}

static bool
is_stream_view(const char *s)
{
	return strcmp(s, "KEYS_ONLY") == 0 || strcmp(s, "NEW_IMAGE") == 0 ||
		strcmp(s, "OLD_IMAGE") == 0 || strcmp(s, "NEW_AND_OLD_IMAGES") == 0;
}

/*
 * create_table(name text, partition_key text, sort_key text,
 *              partition_key_type text, sort_key_type text, stream_view text)
 *   RETURNS regclass
 *
 * Creates the table (see catalog.h for its layout) and its catalog row.
 * The name resolves like CREATE TABLE's: schema-qualified or in the first
 * schema of search_path.  Everything put into the DDL is quoted.
 */
static Datum
create_table(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *pk_attr;
	char	   *sk_attr = NULL;
	StKeyType	pk_type;
	StKeyType	sk_type = ST_KEY_S;
	char	   *stream_view;
	RangeVar   *rv;
	char	   *dynamodb_name;
	bool		named_after;
	Oid			nspid;
	char	   *qualified;
	StringInfoData sql;
	StringInfoData insert;
	Oid			relid;
	Datum		args[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	Oid			argtypes[7] = {OIDOID, TEXTOID, CHAROID, TEXTOID, CHAROID, TEXTOID, TEXTOID};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table name must not be null"),
				 errdetail("ValidationException: TableName is required.")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("partition key must not be null"),
				 errdetail("ValidationException: A table needs a partition (HASH) key.")));
	pk_attr = text_to_cstring(PG_GETARG_TEXT_PP(1));
	check_attr_name(pk_attr, true);
	if (!PG_ARGISNULL(2))
	{
		sk_attr = text_to_cstring(PG_GETARG_TEXT_PP(2));
		check_attr_name(sk_attr, false);
		if (strcmp(sk_attr, pk_attr) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("partition key and sort key must be different attributes"),
					 errdetail("ValidationException: Both the Hash Key and the Range Key element in the KeySchema have the same name.")));
	}
	pk_type = st_parse_key_type(st_text_arg(fcinfo, 3), "partition key");
	if (sk_attr)
		sk_type = st_parse_key_type(st_text_arg(fcinfo, 4), "sort key");
	stream_view = PG_ARGISNULL(5) ? "NEW_AND_OLD_IMAGES" : text_to_cstring(PG_GETARG_TEXT_PP(5));
	if (!is_stream_view(stream_view))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid stream view type \"%s\"", stream_view),
				 errdetail("ValidationException: StreamViewType must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES.")));

	rv = table_name_arg(name);
	dynamodb_name = rv->relname;
	rv->relname = st_mapped_relname(dynamodb_name);
	/* raises "schema does not exist" and checks CREATE privilege on it */
	nspid = RangeVarGetAndCheckCreationNamespace(rv, NoLock, NULL);

	/*
	 * A temporary table vanishes at the end of its session without the
	 * sql_drop event that removes catalog rows, leaving a row behind whose
	 * OID a later table may be given.
	 */
	if (isAnyTempNamespace(nspid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a singletable table cannot be temporary"),
				 errdetail("ValidationException: Table %s would be created in a temporary schema.", name),
				 errhint("Create it in an ordinary schema.")));
	if (OidIsValid(RangeVarGetRelid(rv, NoLock, true)) ||
		st_table_name_in_schema(dynamodb_name, nspid))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", name),
				 errdetail("ResourceInUseException: Table already exists: %s.", dynamodb_name)));
	qualified = rv->schemaname ? quote_qualified_identifier(rv->schemaname, rv->relname)
		: pstrdup(quote_identifier(rv->relname));

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TABLE %s (item pg_catalog.jsonb NOT NULL "
					 "CONSTRAINT item_valid CHECK (singletable.item_check(item)), %s",
					 qualified, st_key_column_sql("pk", pk_attr, pk_type, true));
	if (sk_attr)
		appendStringInfo(&sql, ", %s, PRIMARY KEY (pk, sk))",
						 st_key_column_sql("sk", sk_attr, sk_type, false));
	else
		appendStringInfoString(&sql, ", PRIMARY KEY (pk))");
	appendStringInfo(&sql, "; ALTER TABLE %s REPLICA IDENTITY FULL", qualified);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create table %s", qualified);
	relid = RangeVarGetRelid(rv, NoLock, false);

	args[0] = ObjectIdGetDatum(relid);
	st_key_schema_args(args + 1, nulls + 1, pk_attr, pk_type, sk_attr, sk_type);
	args[5] = CStringGetTextDatum(stream_view);
	/*
	 * The name only when the relation is not named after the table
	 * (catalog.c), and stream_specified only when stream_view => NULL (no
	 * StreamSpecification in descriptions), so that a catalog not yet
	 * updated from 0.1, without those columns, takes the others.
	 */
	args[6] = CStringGetTextDatum(dynamodb_name);
	named_after = strcmp(rv->relname, dynamodb_name) == 0;
	initStringInfo(&insert);
	appendStringInfoString(&insert,
						   "INSERT INTO singletable.tables "
						   "(relid, partition_key, partition_key_type, sort_key, sort_key_type, stream_view");
	if (!named_after)
		appendStringInfoString(&insert, ", name");
	if (PG_ARGISNULL(5))
		appendStringInfoString(&insert, ", stream_specified");
	appendStringInfoString(&insert, ") VALUES ($1, $2, $3, $4, $5, $6");
	if (!named_after)
		appendStringInfoString(&insert, ", $7");
	if (PG_ARGISNULL(5))
		appendStringInfoString(&insert, ", false");
	appendStringInfoChar(&insert, ')');
	if (SPI_execute_with_args(insert.data, named_after ? 6 : 7, argtypes, args, nulls,
							  false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record table %s", qualified);
	SPI_finish();
	st_table_invalidate(relid);
	st_citus_after_create_table(relid);
	PG_RETURN_OID(relid);
}

ST_FUNCTION_HIDING_SQL(st_sql_create_table, create_table)

/*
 * drop_table(tbl regclass) RETURNS void: drops a singletable table with its
 * index tables and catalog rows.  Requires ownership, like DROP TABLE.
 */
static Datum
drop_table(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	StTable    *t = st_table_lookup(relid, false);
	char	   *qualified = quote_qualified_identifier(t->schema_name, t->table_name);
	Datum		arg = ObjectIdGetDatum(relid);
	Oid			argtype = OIDOID;

	/* The index tables depend on the base table and go with it. */
	st_citus_before_drop_table(t);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("DELETE FROM singletable.tables WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
							  1, &argtype, &arg, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not remove table from the catalog");
	if (SPI_execute(psprintf("DROP TABLE %s", qualified), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not drop table %s", qualified);
	SPI_finish();
	/* DROP TABLE itself invalidated the relation's cache entries */
	PG_RETURN_VOID();
}

ST_FUNCTION_HIDING_SQL(st_sql_drop_table, drop_table)
